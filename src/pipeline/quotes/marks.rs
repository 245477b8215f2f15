//! Quotation-mark scanning: finds the quoted stretches of a text, robust to
//! the marks real news text has. Owns the rules for which character opens
//! or closes a quote:
//!
//! - double marks of every usual style (`“ ” " « » „ ‹ › 「 」`) open and
//!   close outer quotes; single marks (`‘ ’ '`) open an outer quote only at
//!   a word start and close it only after a word, so apostrophes
//!   ("Russia’s", "Ukrainians’ fear") never count;
//! - a quote opened by `“`/`„` and "closed" by another `“` written after a
//!   word (`scenarios“.`) is closed there (mismatched marks);
//! - an opening mark after a space inside a quote opens a nested quote,
//!   which is part of the outer one's text;
//! - a closing mark with nothing open is a stray mark and is ignored;
//! - a quote still open at the end of its paragraph ends there; when the
//!   next paragraph opens with a mark, that quote is flagged as continuing
//!   it (the news convention for multi-paragraph quotes);
//! - a quote still open after [`MAX_QUOTE_BYTES`] of its paragraph (a
//!   stray mark in a long paragraph, a transcript with no closing mark) is
//!   cut at the next word break (at most 256 bytes further), left open, and the scan goes on outside any quote, so one
//!   stray mark cannot swallow the cues of a whole document.
//!
//! The scan is one pass over the characters, one [`Meter`] step each.

use crate::pipeline::Span;
use crate::pipeline::budget::Meter;

/// The longest a quote may run inside one paragraph, in bytes of its
/// content (about 1,400 words; the longest quote of the PolNeAR texts is
/// about 4,000 bytes).
pub const MAX_QUOTE_BYTES: usize = 8_192;

/// One quoted stretch of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Marked {
    /// Byte offset of the opening mark.
    pub open: usize,
    /// Byte range of the closing mark; `None` when the quote was left open
    /// to the end of its paragraph.
    pub close: Option<Span>,
    /// The quoted words, without marks and surrounding white space.
    pub content: Span,
    /// The quote continues one left open at the end of the previous
    /// paragraph.
    pub continues_previous: bool,
}

impl Marked {
    /// One past the last byte of the quote, closing mark included.
    pub fn end(&self) -> usize {
        self.close.map_or(self.content.end, |c| c.end)
    }
}

fn is_double(c: char) -> bool {
    matches!(
        c,
        '“' | '”' | '"' | '«' | '»' | '„' | '‹' | '›' | '「' | '」' | '‟' | '＂'
    )
}

fn is_single(c: char) -> bool {
    matches!(c, '‘' | '’' | '\'' | '‚' | '‛')
}

/// A character after which a mark is at a word start.
fn opens_after(c: Option<char>) -> bool {
    match c {
        None => true,
        Some(c) => c.is_whitespace() || matches!(c, '(' | '[' | '{' | '—' | '–' | '-' | '/' | ':'),
    }
}

/// A character before which a mark is at a word end.
fn closes_before(c: Option<char>) -> bool {
    match c {
        None => true,
        Some(c) => {
            c.is_whitespace()
                || matches!(
                    c,
                    '.' | ',' | ';' | ':' | '!' | '?' | ')' | ']' | '}' | '—' | '–' | '-' | '…'
                )
                || is_double(c)
                || is_single(c)
        }
    }
}

#[derive(Clone, Copy)]
struct Open {
    mark: usize,
    content_start: usize,
    single: bool,
    depth: u32,
    continues: bool,
}

/// Every quote of `text`, in text order, with no time limit.
pub fn scan(text: &str) -> Vec<Marked> {
    let budget = crate::pipeline::Budget::unlimited();
    scan_metered(text, &mut budget.meter())
}

/// Every quote of `text`, in text order. Paragraphs are separated by line
/// breaks. Never fails; unbalanced marks give at worst a quote that ends at
/// its paragraph's end or after [`MAX_QUOTE_BYTES`]. One step of `meter` a
/// character; when it says stop, the quotes closed so far are returned.
pub fn scan_metered(text: &str, meter: &mut Meter<'_>) -> Vec<Marked> {
    let mut out = Vec::new();
    let mut open: Option<Open> = None;
    // The previous paragraph ended with a quote still open.
    let mut carried = false;
    let mut para_start = true;
    let mut prev: Option<char> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if meter.tick() {
            return out;
        }
        let next = chars.peek().map(|&(_, n)| n);
        if let Some(o) = open
            && i - o.content_start > MAX_QUOTE_BYTES
        {
            // Too long for a quote: cut it at a word break (or a little
            // further in a text with none), as if left open.
            if c.is_whitespace() || i - o.content_start > MAX_QUOTE_BYTES + 256 {
                open = None;
                push(&mut out, text, o, None, i);
            }
        }
        if c == '\n' {
            if let Some(o) = open.take() {
                push(&mut out, text, o, None, i);
                carried = true;
            } else if !para_start {
                carried = false;
            }
            para_start = true;
            prev = None;
            continue;
        }
        if para_start && c.is_whitespace() {
            continue;
        }
        let first_in_para = para_start;
        para_start = false;
        let after = i + c.len_utf8();
        match open.as_mut() {
            None => {
                let can_open = if is_double(c) {
                    !matches!(c, '”' | '»' | '›' | '」')
                        // French guillemets take a space inside.
                        && (next.is_some_and(|n| !n.is_whitespace()) || matches!(c, '«' | '‹'))
                        && (opens_after(prev) || c != '"')
                } else if is_single(c) {
                    matches!(c, '‘' | '\'' | '‚' | '‛')
                        && opens_after(prev)
                        && next.is_some_and(char::is_alphanumeric)
                } else {
                    false
                };
                if can_open {
                    open = Some(Open {
                        mark: i,
                        content_start: after,
                        single: is_single(c),
                        depth: 0,
                        continues: first_in_para && carried,
                    });
                }
                if first_in_para {
                    carried = false;
                }
            }
            Some(o) => {
                if o.single {
                    if is_single(c)
                        && !matches!(c, '‘')
                        && !opens_after(prev)
                        && closes_before(next)
                    {
                        let o = *o;
                        open = None;
                        push(&mut out, text, o, Some(Span::new(i, after)), i);
                    }
                } else if is_double(c) {
                    let nested_open = matches!(c, '“' | '„' | '«' | '‹' | '「' | '"')
                        && opens_after(prev)
                        && next.is_some_and(|n| !n.is_whitespace());
                    if nested_open && c != '"' {
                        o.depth += 1;
                    } else if o.depth > 0 {
                        o.depth -= 1;
                    } else if !matches!(c, '“' | '„') || closes_before(next) || !opens_after(prev)
                    {
                        let o = *o;
                        open = None;
                        push(&mut out, text, o, Some(Span::new(i, after)), i);
                    }
                }
            }
        }
        prev = Some(c);
        // The ASCII letters and digits after a letter or digit change
        // nothing but `prev` (they are no marks, line breaks or spaces),
        // unless a quote open too long is to be cut among them: skipped
        // in one step, with their ticks.
        if c.is_ascii_alphanumeric() {
            let run = text.as_bytes()[after..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric())
                .count();
            if run > 0 && open.is_none_or(|o| after + run - o.content_start <= MAX_QUOTE_BYTES) {
                prev = Some(char::from(text.as_bytes()[after + run - 1]));
                for _ in 0..run {
                    chars.next();
                }
                if meter.add(run as u64) {
                    return out;
                }
            }
        }
    }
    if let Some(o) = open.take() {
        push(&mut out, text, o, None, text.len());
    }
    out
}

fn push(out: &mut Vec<Marked>, text: &str, o: Open, close: Option<Span>, end: usize) {
    let raw = &text[o.content_start..end];
    let lead = raw.len() - raw.trim_start().len();
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return;
    }
    let start = o.content_start + lead;
    out.push(Marked {
        open: o.mark,
        close,
        content: Span::new(start, start + trimmed.len()),
        continues_previous: o.continues,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contents(text: &str) -> Vec<&str> {
        scan(text)
            .iter()
            .map(|m| &text[m.content.range()])
            .collect()
    }

    #[test]
    fn balanced_marks_of_every_style() {
        assert_eq!(contents("He said “yes, now,” and left."), ["yes, now,"]);
        assert_eq!(contents("He said \"no\" twice."), ["no"]);
        assert_eq!(contents("Il a dit « non » hier."), ["non"]);
        assert_eq!(contents("Er sagte „ja“ heute."), ["ja"]);
        assert_eq!(contents("He said ‘maybe’ then."), ["maybe"]);
        assert_eq!(contents("彼は「はい」と言った"), ["はい"]);
    }

    #[test]
    fn apostrophes_are_not_quotes() {
        assert!(contents("Russia’s army and the Ukrainians’ great fear, don't.").is_empty());
    }

    #[test]
    fn mismatched_stray_and_open_marks() {
        // Closed with an opening mark.
        let t = "preparing “for all possible defense scenarios“. He was there.";
        assert_eq!(contents(t), ["for all possible defense scenarios"]);
        // A stray closing mark after a closed quote is ignored.
        let t = "“It would have been like in Ukraine.” .” Then more.";
        assert_eq!(contents(t), ["It would have been like in Ukraine."]);
        // Left open: ends at the paragraph's end.
        let t = "given it \"derived from a leader of his neighbor.\nNext paragraph.";
        let q = scan(t);
        assert_eq!(q.len(), 1);
        assert_eq!(
            &t[q[0].content.range()],
            "derived from a leader of his neighbor."
        );
        assert_eq!(q[0].close, None);
    }

    #[test]
    fn multi_paragraph_quotes_continue() {
        let t = "He said: “First part of it.\n“Second part,” he added.\nPlain.";
        let q = scan(t);
        assert_eq!(q.len(), 2);
        assert!(!q[0].continues_previous && q[1].continues_previous);
        assert_eq!(&t[q[1].content.range()], "Second part,");
    }

    /// A quote left open is cut after [`MAX_QUOTE_BYTES`]: at the first
    /// space past it, or 256 bytes further in a run of letters with none
    /// (the run the scanner skips in one step stops short of the cut).
    #[test]
    fn an_open_quote_is_cut_inside_a_long_run_of_letters() {
        let long = "a".repeat(MAX_QUOTE_BYTES + 1000);
        let text = format!("He said “{long} end");
        let quotes = scan(&text);
        assert_eq!(quotes.len(), 1);
        let content = quotes[0].content;
        assert!(quotes[0].close.is_none());
        assert_eq!(content.start, "He said “".len());
        assert_eq!(content.len(), MAX_QUOTE_BYTES + 256 + 1, "{content:?}");
        let spaced = format!("He said “{} {long}", "b".repeat(MAX_QUOTE_BYTES + 10));
        let quotes = scan(&spaced);
        assert_eq!(quotes[0].content.len(), MAX_QUOTE_BYTES + 10);
        // Runs of letters around marks: the marks are still read.
        assert_eq!(
            contents("abc“defgh”ijk and “yes”x2 said 'no' then"),
            ["defgh", "yes", "no"]
        );
    }

    #[test]
    fn nested_quotes_stay_inside() {
        let t = "She said “they called it “a farce” openly” today.";
        assert_eq!(contents(t), ["they called it “a farce” openly"]);
        let t = "She said “they called it ‘a farce’ openly” today.";
        assert_eq!(contents(t), ["they called it ‘a farce’ openly"]);
    }

    #[test]
    fn random_marks_never_panic_and_spans_slice() {
        let pieces = [
            "“", "”", "\"", "‘", "’", "'", "«", "»", "„", "‹", "›", "「", "」", " ", "\n", "a",
            "word", ".", ",", "é", "日",
        ];
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..2000 {
            let mut s = String::new();
            for _ in 0..(seed % 40) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                s.push_str(pieces[(seed % pieces.len() as u64) as usize]);
            }
            for m in scan(&s) {
                assert!(s.get(m.content.range()).is_some());
                assert!(m.open < m.content.start && m.content.end <= m.end());
            }
        }
    }
}
