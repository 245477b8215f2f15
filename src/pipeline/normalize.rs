//! Text normalisation and paragraph splitting: the first stage for text
//! input, and the last step of HTML extraction.
//!
//! # Normalisation ([`clean_text`])
//!
//! Applied in this order (the implementation runs NFC last, and only when
//! the text is not already NFC, which gives the same result):
//!
//! 1. Line breaks: CRLF and lone CR become LF; U+2028 LINE SEPARATOR and
//!    the other mandatory breaks of Unicode (VT, FF, U+0085 NEXT LINE)
//!    become LF; U+2029 PARAGRAPH SEPARATOR becomes a blank line.
//! 2. Removed: U+FEFF (BOM, zero-width no-break space), U+200B ZERO WIDTH
//!    SPACE, U+200C ZERO WIDTH NON-JOINER, U+200D ZERO WIDTH JOINER, U+2060
//!    WORD JOINER, U+00AD SOFT HYPHEN, and every other control character
//!    (general category Cc, C0 and C1) except LF and tab.
//! 3. Spaces: tab and every space separator (general category Zs: NBSP
//!    U+00A0, U+2007 FIGURE SPACE, U+202F NARROW NBSP, U+3000, ...) become
//!    an ordinary space.
//! 4. Unicode NFC (after the removals, so `e`, soft hyphen, U+0301 still
//!    composes to `é`).
//! 5. Runs of spaces collapse to one and every line is trimmed.
//!
//! Every other character, typographic quotes and dashes included, is kept
//! as is: later stages rely on them.
//!
//! # Paragraphs (shared by [`clean_text`] and [`paragraph_spans`])
//!
//! The text is split into *blocks* at blank lines (lines that are empty
//! once trimmed). Within a block each line is a paragraph, because naive
//! HTML-to-text dumps put one paragraph per line, unless the block looks
//! *hard-wrapped*: it has at least two lines, and more than half of the
//! lines that are followed by another line of the block are at least
//! [`WRAP_MIN_CHARS`] characters long, do not end with sentence-final
//! punctuation (`. ! ? : ; …`, closing quotes and brackets, and their CJK
//! and other-script counterparts), and could not have taken the next line's
//! first word without exceeding the block's longest line (so a list of long
//! headlines is not mistaken for wrapped prose). A hard-wrapped block is one paragraph:
//! [`clean_text`] joins its lines with a single space, [`paragraph_spans`]
//! returns one span from its first to its last character.
//!
//! [`clean_text`] returns its paragraphs joined by exactly one blank line
//! (`"\n\n"`), so the text has no other line breaks.
//!
//! # Cost
//!
//! Both passes are linear: every byte is read a bounded number of times
//! (a block's lines twice, to decide whether it is hard-wrapped), and
//! [`clean_text_metered`] counts them on a [`Meter`].

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

use super::budget::Meter;
use super::document::Span;
use super::html::scan::StopOn;

/// Shortest line (in characters) that counts as hard-wrapped.
pub const WRAP_MIN_CHARS: usize = 40;

/// Normalises raw article text and splits it into paragraphs; returns the
/// clean text, in which paragraphs are joined by exactly one blank line
/// (`"\n\n"`), and the paragraph spans (byte ranges into the returned
/// string, no surrounding whitespace). Blank input gives an empty text.
pub fn clean_text(input: &str) -> (String, Vec<Span>) {
    let budget = super::Budget::unlimited();
    clean_text_metered(input, &mut budget.meter())
}

/// [`clean_text`], counting a step per input byte (and per line) on
/// `meter`. Its output is the record's text and it is linear (tens of
/// milliseconds for the largest article), so the time budget does not cut
/// it short; when the caller cancels, it stops and returns an empty text.
pub fn clean_text_metered(input: &str, meter: &mut Meter<'_>) -> (String, Vec<Span>) {
    let cancelled = (String::new(), Vec::new());
    // Pass 1: characters and spaces; lines come out trimmed.
    let mut lines = String::with_capacity(input.len());
    let bytes = input.as_bytes();
    let mut pending_space = false;
    let mut after_cr = false;
    let mut i = 0;
    while i < bytes.len() {
        // Fast path: a run of printable ASCII other than space is copied
        // as it is (most of most articles).
        if is_plain_ascii(bytes[i]) {
            let end = bytes[i..]
                .iter()
                .position(|&b| !is_plain_ascii(b))
                .map_or(bytes.len(), |n| i + n);
            if StopOn::Cancel.add(meter, (end - i) as u64) {
                return cancelled;
            }
            if pending_space && !lines.is_empty() && !lines.ends_with('\n') {
                lines.push(' ');
            }
            pending_space = false;
            after_cr = false;
            lines.push_str(&input[i..end]);
            i = end;
            continue;
        }
        let Some(c) = input[i..].chars().next() else {
            break;
        };
        i += c.len_utf8();
        if StopOn::Cancel.add(meter, c.len_utf8() as u64) {
            return cancelled;
        }
        let was_cr = std::mem::replace(&mut after_cr, false);
        match c {
            '\n' if was_cr => {}
            '\r' | '\n' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}' => {
                after_cr = c == '\r';
                pending_space = false;
                lines.push('\n');
                if c == '\u{2029}' {
                    // A paragraph separator ends the block: a blank line.
                    lines.push('\n');
                }
            }
            '\t' => pending_space = true,
            c if is_space_separator(c) => pending_space = true,
            c if is_removed(c) => {}
            c => {
                if pending_space && !lines.is_empty() && !lines.ends_with('\n') {
                    lines.push(' ');
                }
                pending_space = false;
                lines.push(c);
            }
        }
    }

    // NFC neither creates nor removes spaces and line breaks, and nothing
    // composes across them, so running it after pass 1 gives the text it
    // would give before; most text is already NFC, which is quick to check.
    if is_nfc_quick(lines.chars()) != IsNormalized::Yes {
        lines = lines.nfc().collect();
        if StopOn::Cancel.add(meter, lines.len() as u64) {
            return cancelled;
        }
    }

    // Pass 2: blocks and paragraphs.
    let mut out = String::with_capacity(lines.len());
    let mut spans = Vec::new();
    let mut block = Vec::new();
    let mut start = 0;
    for line in lines.split('\n') {
        if StopOn::Cancel.add(meter, line.len() as u64 + 1) {
            return cancelled;
        }
        let span = Span::new(start, start + line.len());
        start = span.end + 1;
        if line.is_empty() {
            emit_clean_block(&lines, &block, &mut out, &mut spans);
            block.clear();
        } else {
            block.push(span);
        }
    }
    emit_clean_block(&lines, &block, &mut out, &mut spans);
    (out, spans)
}

/// Paragraph spans of `text` exactly as given (for skip_cleaning: the text
/// is not modified, offsets index the caller's string). Spans exclude
/// surrounding whitespace; blank text gives no spans.
///
/// Lines end at LF, CR, CRLF, VT, FF, U+0085 and U+2028; U+2029 ends a
/// block like a blank line. Lines are trimmed of white space, control
/// characters and the invisible characters [`clean_text`] removes.
pub fn paragraph_spans(text: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut block = Vec::new();
    let mut line_start = 0;
    let mut chars = text.char_indices().peekable();
    loop {
        let next = chars.next();
        let (line_end, next_start, ends_block) = match next {
            None => (text.len(), text.len(), true),
            Some((i, '\r')) => match chars.next_if(|&(_, c)| c == '\n') {
                Some((j, _)) => (i, j + 1, false),
                None => (i, i + 1, false),
            },
            Some((i, c @ ('\n' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}'))) => {
                (i, i + c.len_utf8(), c == '\u{2029}')
            }
            Some(_) => continue,
        };
        let line = text.get(line_start..line_end).unwrap_or_default();
        let trimmed_start = line_start + (line.len() - line.trim_start_matches(is_trimmable).len());
        let trimmed_end = line_start + line.trim_end_matches(is_trimmable).len();
        if trimmed_start < trimmed_end {
            block.push(Span::new(trimmed_start, trimmed_end));
        } else {
            emit_span_block(text, &block, &mut spans);
            block.clear();
        }
        if ends_block {
            emit_span_block(text, &block, &mut spans);
            block.clear();
        }
        if next.is_none() {
            break;
        }
        line_start = next_start;
    }
    spans
}

/// Appends the paragraphs of one block of trimmed `lines` to `out`.
fn emit_clean_block(text: &str, block: &[Span], out: &mut String, spans: &mut Vec<Span>) {
    let mut paragraph = |lines: &[Span], out: &mut String| {
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        let start = out.len();
        for (i, line) in lines.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(text.get(line.range()).unwrap_or_default());
        }
        spans.push(Span::new(start, out.len()));
    };
    if is_hard_wrapped(text, block) {
        paragraph(block, out);
    } else {
        for line in block.chunks(1) {
            paragraph(line, out);
        }
    }
}

/// Appends the paragraph spans of one block of trimmed lines.
fn emit_span_block(text: &str, block: &[Span], spans: &mut Vec<Span>) {
    match (block.first(), block.last()) {
        (Some(first), Some(last)) if is_hard_wrapped(text, block) => {
            spans.push(Span::new(first.start, last.end));
        }
        _ => spans.extend_from_slice(block),
    }
}

/// Whether a block of trimmed lines is one hard-wrapped paragraph (see the
/// module documentation).
fn is_hard_wrapped(text: &str, block: &[Span]) -> bool {
    if block.len() < 2 {
        return false;
    }
    let line = |s: &Span| text.get(s.range()).unwrap_or_default();
    let width = block
        .iter()
        .map(|s| line(s).chars().count())
        .max()
        .unwrap_or(0);
    let followed = block.len() - 1;
    let wrapped = block
        .windows(2)
        .filter(|pair| looks_wrapped(line(&pair[0]), line(&pair[1]), width))
        .count();
    wrapped * 2 > followed
}

/// A long line that stops mid-sentence, where the next line's first word
/// would not have fitted within the block's width: what a wrapping editor
/// produces. Lists of long headlines or tags fail the last test.
fn looks_wrapped(line: &str, next: &str, width: usize) -> bool {
    let open = line
        .chars()
        .next_back()
        .is_some_and(|c| !is_sentence_final(c));
    if !open {
        return false;
    }
    let chars = line.chars().count();
    if chars < WRAP_MIN_CHARS {
        return false;
    }
    let next_word = next.split(' ').next().map_or(0, |w| w.chars().count());
    chars + 1 + next_word > width
}

/// Punctuation that can end a sentence, or close one.
fn is_sentence_final(c: char) -> bool {
    matches!(
        c,
        '.' | '!'
            | '?'
            | ':'
            | ';'
            | '…'
            | '"'
            | '\''
            | '”'
            | '’'
            | '»'
            | '«'
            | '›'
            | ')'
            | ']'
            | '}'
            | '‼'
            | '⁇'
            | '⁈'
            | '⁉'
            | '。'
            | '！'
            | '？'
            | '．'
            | '：'
            | '；'
            | '）'
            | '］'
            | '」'
            | '』'
            | '》'
            | '〉'
            | '؟'
            | '۔'
            | '।'
            | '॥'
    )
}

/// Space separators (general category Zs, Unicode 16).
fn is_space_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '\u{A0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}'
    )
}

/// Characters [`clean_text`] removes (line breaks and tab are mapped
/// before this is asked).
fn is_removed(c: char) -> bool {
    matches!(
        c,
        '\u{FEFF}' | '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{AD}'
    ) || c.is_control()
}

/// Characters [`paragraph_spans`] trims from the ends of a line.
fn is_trimmable(c: char) -> bool {
    c.is_whitespace() || is_removed(c)
}

/// Printable ASCII other than space: copied through untouched.
fn is_plain_ascii(b: u8) -> bool {
    (0x21..=0x7E).contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn paragraphs(text: &str, spans: &[Span]) -> Vec<String> {
        spans.iter().map(|s| text[s.range()].to_string()).collect()
    }

    fn clean(input: &str) -> (String, Vec<String>) {
        let (text, spans) = clean_text(input);
        let paras = paragraphs(&text, &spans);
        (text, paras)
    }

    // Greedily wrapped at 54 characters, as an editor or mailer does.
    const WRAPPED: &str = "The committee met on Tuesday to discuss the budget for\n\
        the coming fiscal year, and members of both parties\n\
        said they expected a vote before the end of the month.";

    #[test]
    fn crlf_and_cr_become_lf() {
        let (text, paras) = clean("First line.\r\nSecond line.\rThird.\r\n\r\nFourth.");
        assert_eq!(text, "First line.\n\nSecond line.\n\nThird.\n\nFourth.");
        assert_eq!(paras, ["First line.", "Second line.", "Third.", "Fourth."]);
    }

    #[test]
    fn invisible_characters_are_removed() {
        let (text, _) = clean(
            "\u{FEFF}zero\u{200B}width\u{200C}non\u{200D}joiner\u{2060} soft\u{AD}hyphen\u{7}\u{9C}!",
        );
        assert_eq!(text, "zerowidthnonjoiner softhyphen!");
    }

    #[test]
    fn spaces_collapse_and_lines_are_trimmed() {
        let (text, paras) = clean("  a\u{A0}\u{A0}b\t\tc\u{202F}d\u{2007}e \u{3000} f  \n\t g ");
        assert_eq!(text, "a b c d e f\n\ng");
        assert_eq!(paras, ["a b c d e f", "g"]);
    }

    #[test]
    fn nfc_composes() {
        let (text, _) = clean("Cafe\u{301} cre\u{AD}\u{300}me");
        assert_eq!(text, "Caf\u{E9} cr\u{E8}me");
    }

    #[test]
    fn typographic_punctuation_is_kept() {
        let input =
            "\u{201C}Yes\u{201D} \u{2014} it\u{2019}s \u{2018}fine\u{2019} \u{2013} 1\u{2026}";
        assert_eq!(clean(input).0, input);
    }

    #[test]
    fn separators_make_lines_and_paragraphs() {
        let (_, paras) = clean("one\u{2028}two\u{2029}three\u{85}four\u{C}five");
        assert_eq!(paras, ["one", "two", "three", "four", "five"]);
        let (text, _) = clean("one\u{2029}two");
        assert_eq!(text, "one\n\ntwo");
    }

    #[test]
    fn one_paragraph_per_line() {
        let input = "Short headline\nThe first paragraph is a full sentence that ends here.\n\
            A second paragraph, also complete, follows right after it.\nBy Jane Doe";
        let (text, paras) = clean(input);
        assert_eq!(paras.len(), 4);
        assert_eq!(paras[0], "Short headline");
        assert_eq!(paras[3], "By Jane Doe");
        assert_eq!(text, paras.join("\n\n"));
        assert_eq!(paragraph_spans(input).len(), 4);
    }

    #[test]
    fn blank_lines_separate_paragraphs() {
        let input = "\n\nFirst paragraph.\n\n\n\n   \nSecond paragraph.\n \t \nThird.\n\n";
        let (text, paras) = clean(input);
        assert_eq!(text, "First paragraph.\n\nSecond paragraph.\n\nThird.");
        assert_eq!(paras, ["First paragraph.", "Second paragraph.", "Third."]);
    }

    #[test]
    fn hard_wrapped_block_is_one_paragraph() {
        let input = format!("Headline\n\n{WRAPPED}\n\nA final line.");
        let (text, paras) = clean(&input);
        assert_eq!(paras.len(), 3);
        assert_eq!(
            paras[1],
            "The committee met on Tuesday to discuss the budget for the coming fiscal year, \
             and members of both parties said they expected a vote before the end of the month."
        );
        assert_eq!(text, paras.join("\n\n"));

        let spans = paragraph_spans(&input);
        assert_eq!(spans.len(), 3);
        assert_eq!(&input[spans[1].range()], WRAPPED);
    }

    #[test]
    fn short_or_punctuated_lines_are_not_wrapped() {
        // Long lines that end sentences: one paragraph each.
        let input = "The committee met on Tuesday to discuss the budget.\n\
            Members of both parties said they expected a vote soon.";
        assert_eq!(clean(input).1.len(), 2);
        // Long headlines without punctuation, where the next line's first
        // word would have fitted: a list, not wrapped prose.
        let headlines = "Ukraine prepares for winter as the grid fails\n\
            Zelensky asks allies for more air defence systems before the cold sets in\n\
            Prices in Europe fall again";
        assert_eq!(clean(headlines).1.len(), 3);
        // Short lines without punctuation (a list): one paragraph each.
        assert_eq!(
            clean("apples\npears\nplums").1,
            ["apples", "pears", "plums"]
        );
    }

    #[test]
    fn blank_input_gives_nothing() {
        for input in ["", " ", "\n\n\r\n", "\u{A0}\t\u{200B}\u{FEFF}\n\u{2029}"] {
            let (text, spans) = clean_text(input);
            assert_eq!(text, "", "{input:?}");
            assert!(spans.is_empty(), "{input:?}");
            assert!(paragraph_spans(input).is_empty(), "{input:?}");
        }
    }

    #[test]
    fn paragraph_spans_index_the_raw_text() {
        let input = "\u{FEFF}  Caf\u{E9} au lait.\r\n\r\n\tSecond\u{A0}one. \r\nThird";
        let spans = paragraph_spans(input);
        assert_eq!(
            paragraphs(input, &spans),
            ["Caf\u{E9} au lait.", "Second\u{A0}one.", "Third"]
        );
    }

    fn messy_text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            4 => "[a-zA-Z]{1,12}",
            2 => Just(" ".to_string()),
            1 => "[\\n\\r\\t \u{A0}\u{2028}\u{2029}\u{85}\u{B}\u{C}]{1,3}",
            1 => "[\u{AD}\u{200B}-\u{200D}\u{2060}\u{FEFF}\u{0}-\u{1F}\u{7F}-\u{9F}]",
            1 => "[.,!?;:…”’»)]",
            1 => "[\u{300}-\u{36F}\u{1100}-\u{1112}\u{1161}-\u{1175}é日😀]{1,3}",
            1 => Just("x".repeat(45)),
            1 => any::<String>(),
        ];
        prop::collection::vec(piece, 0..60).prop_map(|v| v.concat())
    }

    fn check_spans(text: &str, spans: &[Span]) -> Result<(), TestCaseError> {
        let mut previous_end = 0;
        for (i, span) in spans.iter().enumerate() {
            let slice = text.get(span.range());
            prop_assert!(slice.is_some(), "{span:?} is not a char-boundary range");
            let slice = slice.unwrap_or_default();
            prop_assert!(!slice.is_empty());
            prop_assert!(i == 0 || span.start > previous_end, "overlap at {span:?}");
            prop_assert!(!slice.starts_with(char::is_whitespace));
            prop_assert!(!slice.ends_with(char::is_whitespace));
            previous_end = span.end;
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn clean_text_invariants(input in messy_text()) {
            let (text, spans) = clean_text(&input);
            check_spans(&text, &spans)?;
            prop_assert!(!text.contains("\n\n\n"));
            prop_assert_eq!(text.trim(), text.as_str());
            prop_assert_eq!(paragraphs(&text, &spans).join("\n\n"), text.clone());
            prop_assert!(!text.contains("  "));
            prop_assert!(!text.chars().any(|c| c != '\n' && c.is_control()));
            // Clean text is a fixed point, and paragraph_spans agrees on it.
            let (again, again_spans) = clean_text(&text);
            prop_assert_eq!(&again, &text);
            prop_assert_eq!(&again_spans, &spans);
            prop_assert_eq!(paragraph_spans(&text), spans);
        }

        #[test]
        fn clean_text_never_panics(input in any::<String>()) {
            let (text, spans) = clean_text(&input);
            check_spans(&text, &spans)?;
        }

        #[test]
        fn paragraph_spans_invariants(input in messy_text()) {
            check_spans(&input, &paragraph_spans(&input))?;
        }
    }
}
