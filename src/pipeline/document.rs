//! The clean text of one article, its paragraphs, and the conversion of
//! UTF-8 byte offsets into the offset unit a caller asked for.
//!
//! Every stage of the pipeline works with [`Span`]s: half-open UTF-8 byte
//! ranges of [`Document::text`]. Callers may want code points (Python, the
//! default) or UTF-16 code units (JavaScript, Java) instead, so a
//! [`Document`] builds a small offset index once, when it is created:
//!
//! - when the text is ASCII every unit coincides and no index is built;
//! - otherwise a checkpoint every [`BLOCK`] bytes records how many code
//!   points and UTF-16 units start before it, and a conversion counts the
//!   lead bytes between the checkpoint and the offset (at most `BLOCK - 1`
//!   bytes), so a lookup is `O(BLOCK)` and the index costs 8 bytes per
//!   `BLOCK` bytes of text.
//!
//! Counting needs no decoding: a code point starts at every byte that is
//! not a continuation byte (`0b10xx_xxxx`), and it takes two UTF-16 units
//! exactly when its lead byte is `0xF0` or above (a four-byte sequence).

use std::ops::Range;

/// Bytes of text between two checkpoints of the offset index.
pub const BLOCK: usize = 128;

/// Half-open UTF-8 byte range of a Document's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// The range `start..end`; `start` must not exceed `end`.
    pub fn new(start: usize, end: usize) -> Span {
        debug_assert!(start <= end, "span {start}..{end} is reversed");
        Span { start, end }
    }

    /// Length in bytes (0 for a reversed span).
    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    /// Whether the span covers no byte.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The span as a `Range`, for slicing.
    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }
}

/// The unit of the offsets in the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OffsetEncoding {
    /// Unicode scalar values (Python string indices).
    #[default]
    CodePoints,
    /// UTF-8 bytes (Rust, Go).
    Utf8,
    /// UTF-16 code units (JavaScript, Java, C#).
    Utf16,
}

/// Code points and UTF-16 units that start before a checkpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Checkpoint {
    chars: u32,
    utf16: u32,
}

impl Checkpoint {
    fn get(&self, encoding: OffsetEncoding) -> u32 {
        match encoding {
            OffsetEncoding::Utf16 => self.utf16,
            OffsetEncoding::CodePoints | OffsetEncoding::Utf8 => self.chars,
        }
    }
}

/// Whether `byte` starts a code point.
#[inline]
fn is_lead(byte: u8) -> bool {
    byte & 0xC0 != 0x80
}

/// UTF-16 units of the code point whose first byte is `byte`, 0 for a
/// continuation byte.
#[inline]
fn utf16_units(byte: u8) -> u32 {
    u32::from(is_lead(byte)) + u32::from(byte >= 0xF0)
}

/// Code points (or UTF-16 units) that start in `bytes`.
#[inline]
fn count(bytes: &[u8], encoding: OffsetEncoding) -> u32 {
    // A block is at most `BLOCK` bytes, so the sums cannot overflow.
    match encoding {
        OffsetEncoding::Utf16 => bytes.iter().map(|&b| utf16_units(b)).sum(),
        OffsetEncoding::CodePoints | OffsetEncoding::Utf8 => {
            bytes.iter().map(|&b| u32::from(is_lead(b))).sum()
        }
    }
}

/// Checkpoints of a non-ASCII text: entry `k` counts what starts before
/// byte `k * BLOCK`, for `k` in `0..=len / BLOCK`.
fn build_checkpoints(text: &str) -> Vec<Checkpoint> {
    let bytes = text.as_bytes();
    let mut checkpoints = Vec::with_capacity(bytes.len() / BLOCK + 1);
    let mut at = Checkpoint::default();
    checkpoints.push(at);
    for block in bytes.chunks_exact(BLOCK) {
        at.chars = at
            .chars
            .saturating_add(count(block, OffsetEncoding::CodePoints));
        at.utf16 = at.utf16.saturating_add(count(block, OffsetEncoding::Utf16));
        checkpoints.push(at);
    }
    checkpoints
}

/// Saturating conversion of a byte count to the `u32` of the API.
#[inline]
fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// An article's clean text with its paragraphs and offset index.
#[derive(Debug, Clone)]
pub struct Document {
    text: String,
    paragraphs: Vec<Span>,
    /// Empty when the text is ASCII: every unit is then a byte.
    checkpoints: Vec<Checkpoint>,
}

impl Document {
    /// A document over `text`; `paragraphs` must be ranges of `text` on
    /// character boundaries. Builds the offset index (one pass over the
    /// text).
    pub fn new(text: String, paragraphs: Vec<Span>) -> Document {
        debug_assert!(
            paragraphs.iter().all(|p| text.get(p.range()).is_some()),
            "paragraph spans must be char-boundary ranges of the text"
        );
        let checkpoints = if text.is_ascii() {
            Vec::new()
        } else {
            build_checkpoints(&text)
        };
        Document {
            text,
            paragraphs,
            checkpoints,
        }
    }

    /// The text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The paragraphs, in text order.
    pub fn paragraphs(&self) -> &[Span] {
        &self.paragraphs
    }

    /// Whether the paragraphs are exactly the text split at `"\n\n"`
    /// (true of every cleaned text), so that a reader can rebuild them from
    /// the text alone.
    pub fn paragraphs_are_blank_line_split(&self) -> bool {
        let text = self.text.as_str();
        let mut expected_start = 0;
        for (i, p) in self.paragraphs.iter().enumerate() {
            let Some(body) = text.get(p.range()) else {
                return false;
            };
            if p.start != expected_start
                || body.starts_with('\n')
                || body.ends_with('\n')
                || body.contains("\n\n")
            {
                return false;
            }
            let last = i + 1 == self.paragraphs.len();
            if last {
                return p.end == text.len();
            }
            if text.get(p.end..p.end + 2) != Some("\n\n") {
                return false;
            }
            expected_start = p.end + 2;
        }
        false
    }

    /// The text of `span`; empty when `span` is not a char-boundary range
    /// of the text (a bug in the caller, asserted in debug builds).
    pub fn slice(&self, span: Span) -> &str {
        let slice = self.text.get(span.range());
        debug_assert!(slice.is_some(), "span {span:?} is not a range of the text");
        slice.unwrap_or_default()
    }

    /// Converts a UTF-8 byte offset to `encoding`. The offset must be a
    /// char boundary not past the end; anything else is a caller bug,
    /// asserted in debug builds and otherwise rounded down to the previous
    /// boundary (clamped to the end). Saturates at `u32::MAX`.
    pub fn offset(&self, byte: usize, encoding: OffsetEncoding) -> u32 {
        let byte = self.floor_boundary(byte);
        if encoding == OffsetEncoding::Utf8 || self.checkpoints.is_empty() {
            return to_u32(byte);
        }
        let block = byte / BLOCK;
        let base = self
            .checkpoints
            .get(block)
            .map_or(0, |checkpoint| checkpoint.get(encoding));
        let from = block * BLOCK;
        let tail = self.text.as_bytes().get(from..byte).unwrap_or_default();
        base.saturating_add(count(tail, encoding))
    }

    /// Converts both ends of `span`, as [`Document::offset`] does.
    pub fn span(&self, span: Span, encoding: OffsetEncoding) -> (u32, u32) {
        (
            self.offset(span.start, encoding),
            self.offset(span.end, encoding),
        )
    }

    /// The UTF-8 byte offset of `offset`, given in `encoding`; `None` when
    /// it is past the end of the text or inside a character (a UTF-8
    /// continuation byte, or between the two surrogates of a UTF-16 pair).
    pub fn byte_offset(&self, offset: u32, encoding: OffsetEncoding) -> Option<usize> {
        let target = usize::try_from(offset).ok()?;
        if encoding == OffsetEncoding::Utf8 || self.checkpoints.is_empty() {
            return self.text.is_char_boundary(target).then_some(target);
        }
        // The last checkpoint at or before the target; checkpoint 0 is 0.
        let block = self
            .checkpoints
            .partition_point(|checkpoint| checkpoint.get(encoding) <= offset)
            .saturating_sub(1);
        let bytes = self.text.as_bytes();
        let mut at = self
            .checkpoints
            .get(block)
            .map_or(0, |checkpoint| checkpoint.get(encoding));
        let mut pos = block * BLOCK;
        // Walks at most one block plus the continuation bytes of one
        // character: the next checkpoint is already past the target.
        loop {
            let next = bytes.get(pos).copied();
            let boundary = next.is_none_or(is_lead);
            if boundary && at == offset {
                return Some(pos);
            }
            if at > offset {
                return None;
            }
            let byte = next?;
            at = at.saturating_add(match encoding {
                OffsetEncoding::Utf16 => utf16_units(byte),
                OffsetEncoding::CodePoints | OffsetEncoding::Utf8 => u32::from(is_lead(byte)),
            });
            pos += 1;
        }
    }

    /// `byte` if it is a char boundary of the text, else the previous one.
    fn floor_boundary(&self, byte: usize) -> usize {
        debug_assert!(
            self.text.is_char_boundary(byte),
            "byte offset {byte} is not a char boundary of a {}-byte text",
            self.text.len()
        );
        let mut byte = byte.min(self.text.len());
        // At most three steps back: a character has at most four bytes.
        while !self.text.is_char_boundary(byte) {
            byte -= 1;
        }
        byte
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn paragraphs_split_at_blank_lines_are_recognised() {
        use super::{Document, Span};
        let doc = |text: &str, spans: &[(usize, usize)]| {
            Document::new(
                text.to_string(),
                spans.iter().map(|&(s, e)| Span::new(s, e)).collect(),
            )
            .paragraphs_are_blank_line_split()
        };
        assert!(doc("Hi.\n\nHo.", &[(0, 3), (5, 8)]));
        assert!(doc("Hi.", &[(0, 3)]));
        assert!(!doc("Hi.\n\nHo.", &[(0, 3)]), "a paragraph left out");
        assert!(!doc("Hi.\nHo.", &[(0, 3), (4, 7)]), "a single line break");
        assert!(
            !doc("a\n\n\nb", &[(0, 2), (4, 5)]),
            "a paragraph ending in a line break"
        );
        assert!(
            !doc("a\n\nb\n\nc", &[(0, 6)]),
            "a paragraph holding a blank line"
        );
        assert!(!doc("", &[]), "no paragraphs");
    }

    use super::*;
    use proptest::prelude::*;

    const ALL: [OffsetEncoding; 3] = [
        OffsetEncoding::CodePoints,
        OffsetEncoding::Utf8,
        OffsetEncoding::Utf16,
    ];

    fn expected(text: &str, byte: usize, encoding: OffsetEncoding) -> u32 {
        let prefix = &text[..byte];
        let n = match encoding {
            OffsetEncoding::CodePoints => prefix.chars().count(),
            OffsetEncoding::Utf8 => prefix.len(),
            OffsetEncoding::Utf16 => prefix.encode_utf16().count(),
        };
        u32::try_from(n).expect("test texts are small")
    }

    /// Every boundary converts like the naive count and round-trips; every
    /// offset that is not the image of a boundary is rejected.
    fn check_consistent(text: &str) {
        let doc = Document::new(text.to_string(), Vec::new());
        for encoding in ALL {
            let mut images = Vec::new();
            for byte in (0..=text.len()).filter(|&b| text.is_char_boundary(b)) {
                let offset = doc.offset(byte, encoding);
                assert_eq!(
                    offset,
                    expected(text, byte, encoding),
                    "{encoding:?} at {byte}"
                );
                assert_eq!(
                    doc.byte_offset(offset, encoding),
                    Some(byte),
                    "{encoding:?}"
                );
                images.push(offset);
            }
            let last = images.last().copied().unwrap_or(0);
            for offset in 0..=last.saturating_add(2) {
                if images.binary_search(&offset).is_err() {
                    assert_eq!(
                        doc.byte_offset(offset, encoding),
                        None,
                        "{encoding:?} {offset}"
                    );
                }
            }
        }
    }

    #[test]
    fn mixed_scripts_convert_per_unit() {
        // a=1 byte, é=2, ‘’=3 each, 日本=3 each, 😀=4 bytes (2 UTF-16 units).
        let text = "Caf\u{e9} \u{2018}x\u{2019} 日本 😀 end";
        let doc = Document::new(text.to_string(), vec![Span::new(0, text.len())]);
        let end = text.find("end").expect("present");
        assert_eq!(end, 26);
        assert_eq!(doc.offset(end, OffsetEncoding::Utf8), 26);
        assert_eq!(doc.offset(end, OffsetEncoding::CodePoints), 14);
        assert_eq!(doc.offset(end, OffsetEncoding::Utf16), 15);
        let emoji = text.find('😀').expect("present");
        let emoji_span = Span::new(emoji, emoji + '😀'.len_utf8());
        assert_eq!(doc.span(emoji_span, OffsetEncoding::Utf16), (12, 14));
        assert_eq!(doc.span(emoji_span, OffsetEncoding::CodePoints), (12, 13));
        assert_eq!(doc.span(emoji_span, OffsetEncoding::Utf8), (21, 25));
        // Between the two surrogates of 😀 there is no byte offset.
        assert_eq!(doc.byte_offset(13, OffsetEncoding::Utf16), None);
        assert_eq!(doc.byte_offset(12, OffsetEncoding::Utf16), Some(emoji));
        assert_eq!(doc.byte_offset(14, OffsetEncoding::Utf16), Some(emoji + 4));
        // Inside é, and just after it.
        assert_eq!(doc.byte_offset(4, OffsetEncoding::Utf8), None);
        assert_eq!(doc.byte_offset(4, OffsetEncoding::CodePoints), Some(5));
        // Past the end (17 code points).
        assert_eq!(
            doc.byte_offset(17, OffsetEncoding::CodePoints),
            Some(text.len())
        );
        assert_eq!(doc.byte_offset(18, OffsetEncoding::CodePoints), None);
        assert_eq!(doc.slice(doc.paragraphs()[0]), text);
        check_consistent(text);
    }

    #[test]
    fn ascii_text_needs_no_index() {
        let text = "plain ascii ".repeat(40);
        let doc = Document::new(text.clone(), Vec::new());
        assert!(doc.checkpoints.is_empty());
        for encoding in ALL {
            assert_eq!(doc.offset(200, encoding), 200);
            assert_eq!(doc.byte_offset(200, encoding), Some(200));
            assert_eq!(
                doc.byte_offset(u32::try_from(text.len() + 1).unwrap_or(0), encoding),
                None
            );
        }
    }

    #[test]
    fn long_text_crosses_checkpoints() {
        // Multi-byte characters straddle block boundaries at every phase.
        let text = "aé日😀".repeat(100) + "tail";
        check_consistent(&text);
    }

    #[test]
    fn empty_text() {
        let doc = Document::new(String::new(), Vec::new());
        for encoding in ALL {
            assert_eq!(doc.offset(0, encoding), 0);
            assert_eq!(doc.byte_offset(0, encoding), Some(0));
            assert_eq!(doc.byte_offset(1, encoding), None);
        }
    }

    #[test]
    fn span_basics() {
        let span = Span::new(3, 7);
        assert_eq!(span.len(), 4);
        assert!(!span.is_empty());
        assert!(Span::new(5, 5).is_empty());
        assert_eq!(span.range(), 3..7);
        assert!(Span::new(1, 2) < Span::new(1, 3));
    }

    #[test]
    #[cfg(not(debug_assertions))]
    fn bad_offsets_round_down_in_release() {
        let doc = Document::new("é😀".to_string(), Vec::new());
        assert_eq!(doc.offset(1, OffsetEncoding::CodePoints), 0);
        assert_eq!(doc.offset(4, OffsetEncoding::Utf16), 1);
        assert_eq!(doc.offset(99, OffsetEncoding::Utf16), 3);
        assert_eq!(doc.slice(Span::new(1, 2)), "");
    }

    proptest! {
        #[test]
        fn boundaries_convert_and_round_trip(
            text in "(\\PC|[\u{300}-\u{36f}]|[😀-🙏]|[\u{10000}-\u{10ffff}]){0,300}"
        ) {
            check_consistent(&text);
        }

        #[test]
        fn arbitrary_strings_convert(text in any::<String>()) {
            check_consistent(&text);
        }
    }
}
