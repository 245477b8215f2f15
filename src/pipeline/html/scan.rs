//! Byte-level helpers shared by the linear HTML scanners (bounds, metadata,
//! blocks, removed widgets): substring search with `memchr` and tag names.

/// Position of the first `needle` byte at or after `from`.
pub fn find_byte(bytes: &[u8], from: usize, needle: u8) -> Option<usize> {
    memchr::memchr(needle, bytes.get(from..)?).map(|i| from + i)
}

/// Position of the first `needle` at or after `from`.
pub fn find_str(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(bytes.get(from..)?, needle).map(|i| from + i)
}

/// The lower-cased name of a tag given its inside (`/DIV class=x` -> `div`).
pub fn tag_name(tag: &str) -> String {
    tag.trim_start_matches('/')
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_bytes_and_strings_from_an_offset() {
        let b = b"<p>a</p><p>b</p>";
        assert_eq!(find_byte(b, 0, b'>'), Some(2));
        assert_eq!(find_byte(b, 3, b'>'), Some(7));
        assert_eq!(find_byte(b, 99, b'>'), None);
        assert_eq!(find_str(b, 1, b"<p>"), Some(8));
        assert_eq!(find_str(b, 9, b"<p>"), None);
    }

    #[test]
    fn tag_names_are_lower_case_without_the_slash() {
        assert_eq!(tag_name("/DIV class=x"), "div");
        assert_eq!(tag_name("h2"), "h2");
        assert_eq!(tag_name("!-- c"), "");
    }
}
