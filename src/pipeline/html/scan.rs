//! Byte-level helpers shared by the linear HTML scanners (bounds, metadata,
//! blocks, removed widgets): substring search with `memchr`, tag names, and
//! what stops a metered pass ([`StopOn`]).

use crate::pipeline::budget::{Interrupted, Meter};

/// Position of the first `needle` byte at or after `from`.
pub fn find_byte(bytes: &[u8], from: usize, needle: u8) -> Option<usize> {
    memchr::memchr(needle, bytes.get(from..)?).map(|i| from + i)
}

/// Position of the first `needle` at or after `from`.
pub fn find_str(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(bytes.get(from..)?, needle).map(|i| from + i)
}

/// Position of the first `</name` (any case) at or after `from` that is
/// followed by white space, `/`, `>` or the end (the end of a raw-text
/// element); else the length of `bytes`.
pub fn end_tag_at(bytes: &[u8], from: usize, name: &[u8]) -> usize {
    let mut at = from;
    while let Some(lt) = find_byte(bytes, at, b'<') {
        let name_at = lt + 2;
        if bytes.get(lt + 1) == Some(&b'/')
            && bytes
                .get(name_at..name_at + name.len())
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
            && bytes
                .get(name_at + name.len())
                .is_none_or(|&b| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0C' | b'/' | b'>'))
        {
            return lt;
        }
        at = lt + 1;
    }
    bytes.len()
}

/// The end of the attribute name that starts at `start` inside a tag: its
/// first byte may be anything (`=` too), then up to white space, `/`, `>`
/// or `=`.
pub fn attribute_name_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while bytes.get(i).is_some_and(|&b| {
        !matches!(
            b,
            b' ' | b'\t' | b'\n' | b'\r' | b'\x0C' | b'/' | b'>' | b'='
        )
    }) {
        i += 1;
    }
    i
}

/// A tag name, lower-cased, at most 15 bytes (enough to tell every HTML
/// element apart); a value, so scanners allocate nothing per tag.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TagName {
    bytes: [u8; 15],
    len: u8,
}

impl TagName {
    /// The name.
    pub fn as_str(&self) -> &str {
        let bytes = self.bytes.get(..usize::from(self.len)).unwrap_or_default();
        std::str::from_utf8(bytes).unwrap_or_default()
    }

    /// Whether the tag has no name (`<!--`, `</ >`).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// The lower-cased name of a tag given its inside (`/DIV class=x` -> `div`):
/// its leading ASCII letters and digits, the first 15 of them.
pub fn tag_name(tag: &str) -> TagName {
    let mut name = TagName::default();
    let inside = tag.trim_start_matches('/');
    for b in inside.bytes().take_while(u8::is_ascii_alphanumeric) {
        match name.bytes.get_mut(usize::from(name.len)) {
            Some(slot) => {
                *slot = b.to_ascii_lowercase();
                name.len += 1;
            }
            None => break,
        }
    }
    name
}

/// What stops a pass: every pass counts its steps on a [`Meter`], but only
/// the optional ones (extraction, boilerplate detection, recovery,
/// classification) give up when the time budget runs out; the passes whose
/// output *is* the record (bounds, normalisation, the fallback flattening,
/// splitting the extractor's output) are linear and take tens of
/// milliseconds on the largest article, so they finish, and stop only when
/// the caller cancels (nobody will read their output).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopOn {
    /// The time budget or cancellation.
    Any,
    /// Cancellation only.
    Cancel,
}

impl StopOn {
    /// Counts `n` steps on `meter`; `true` when the pass must stop.
    #[inline]
    pub fn add(self, meter: &mut Meter<'_>, n: u64) -> bool {
        meter.add(n) && (self == StopOn::Any || meter.stopped() == Some(Interrupted::Cancelled))
    }
}

/// Inputs and checks shared by the scaling tests of the HTML and cleaning
/// passes: work is counted (meter steps, bytes out), never timed.
#[cfg(test)]
pub(crate) mod testing {
    /// A named input of about `n` bytes, for the scaling tests.
    pub type Shape = (&'static str, fn(usize) -> String);

    /// `n` characters of random "HTML": bytes biased towards markup (`<`,
    /// `>`, `=`, quotes, `&`, `/`, `!`, `-`), letters, spaces, line breaks
    /// and a few non-ASCII characters; a fixed generator, so every run
    /// reads the same text.
    pub fn random_html(n: usize, seed: u64) -> String {
        const ALPHABET: [&str; 24] = [
            "<", "<", "<", ">", ">", "=", "\"", "'", "&", "/", "!", "-", " ", " ", "\n", "a", "b",
            "p", "div", "x1", "é", "日", ";", "#",
        ];
        let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let mut out = String::with_capacity(n + 4);
        while out.len() < n {
            // xorshift64
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            out.push_str(ALPHABET[(state % ALPHABET.len() as u64) as usize]);
        }
        out
    }

    /// Asserts that work measured at size n (`small`) and 8n (`large`)
    /// grew at most linearly (8 × 1.25).
    pub fn assert_linear(what: &str, small: u64, large: u64) {
        assert!(
            (large as f64) <= (small.max(1) as f64) * 8.0 * 1.25,
            "{what}: {small} at n, {large} at 8n: more than linear"
        );
    }
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
        assert_eq!(tag_name("/DIV class=x").as_str(), "div");
        assert_eq!(tag_name("h2").as_str(), "h2");
        assert_eq!(tag_name("!-- c").as_str(), "");
        assert_eq!(
            tag_name("ABCDEFGHIJKLMNOPQRSTUVWXYZ").as_str(),
            "abcdefghijklmno"
        );
    }
}
