//! Decoding an HTML page's bytes to text, as browsers roughly do: a byte
//! order mark wins, then a charset declared in the first 1,024 bytes
//! (`<meta charset>` or `<meta http-equiv content="...; charset=...">`),
//! then UTF-8 when the bytes are valid UTF-8, else windows-1252 (the web's
//! legacy default). Never fails: undecodable bytes become U+FFFD.

use encoding_rs::Encoding;

/// How far into the page a charset declaration is looked for (the HTML
/// standard's pre-scan looks at 1,024 bytes; real pages often put it later).
const PRESCAN_BYTES: usize = 4096;

/// Decodes `bytes` to a string (see the module documentation).
pub fn decode_html(bytes: &[u8]) -> String {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let body = bytes.get(bom_len..).unwrap_or_default();
        return encoding.decode_without_bom_handling(body).0.into_owned();
    }
    if let Some(encoding) = declared_charset(bytes) {
        // A page that declares UTF-16 but has no BOM is really ASCII-compatible.
        let encoding = if encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE {
            encoding_rs::UTF_8
        } else {
            encoding
        };
        return encoding.decode_without_bom_handling(bytes).0.into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(bytes)
            .0
            .into_owned(),
    }
}

/// The encoding named by the first `charset=` in the first bytes of the page,
/// when it is a label `encoding_rs` knows.
fn declared_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = bytes.get(..bytes.len().min(PRESCAN_BYTES))?;
    const NEEDLE: &[u8] = b"charset";
    let mut from = 0;
    while let Some(found) = head
        .get(from..)?
        .windows(NEEDLE.len())
        .position(|w| w.eq_ignore_ascii_case(NEEDLE))
    {
        let mut i = from + found + NEEDLE.len();
        from = i;
        while head.get(i).is_some_and(|b| b.is_ascii_whitespace()) {
            i += 1;
        }
        if head.get(i) != Some(&b'=') {
            continue;
        }
        i += 1;
        while head
            .get(i)
            .is_some_and(|&b| b.is_ascii_whitespace() || b == b'"' || b == b'\'')
        {
            i += 1;
        }
        let start = i;
        while head
            .get(i)
            .is_some_and(|&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':' | b'.'))
        {
            i += 1;
        }
        if let Some(encoding) = head.get(start..i).and_then(Encoding::for_label) {
            return Some(encoding);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_without_declaration() {
        assert_eq!(decode_html("<p>Grüße</p>".as_bytes()), "<p>Grüße</p>");
    }

    #[test]
    fn bom_wins_over_declaration() {
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend_from_slice("<meta charset=iso-8859-1><p>é</p>".as_bytes());
        assert_eq!(decode_html(&bytes), "<meta charset=iso-8859-1><p>é</p>");
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("<p>ä</p>".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode_html(&utf16), "<p>ä</p>");
    }

    #[test]
    fn meta_charset_is_honoured() {
        let bytes = b"<meta charset=\"ISO-8859-1\"><p>Gr\xfc\xdfe</p>";
        assert_eq!(
            decode_html(bytes),
            "<meta charset=\"ISO-8859-1\"><p>Gr\u{fc}\u{df}e</p>"
        );
        let bytes = b"<meta http-equiv=Content-Type content='text/html; charset = windows-1251'>\xcf\xf0\xe8";
        assert!(decode_html(bytes).ends_with("При"));
    }

    #[test]
    fn invalid_utf8_falls_back_to_windows_1252_and_unknown_labels_are_skipped() {
        assert_eq!(decode_html(b"caf\xe9 \x93q\x94"), "café \u{201C}q\u{201D}");
        let bytes = b"<meta charset=bogus><meta charset=utf-8>\xe2\x82\xac";
        assert!(decode_html(bytes).ends_with('€'));
    }

    #[test]
    fn utf16_declaration_without_bom_is_read_as_utf8() {
        assert_eq!(
            decode_html(b"<meta charset=utf-16>\xc3\xa9"),
            "<meta charset=utf-16>é"
        );
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        for bytes in [
            &b""[..],
            b"\xff",
            b"\xfe",
            b"charset",
            b"charset=",
            b"\xef\xbb",
        ] {
            let _ = decode_html(bytes);
        }
    }
}
