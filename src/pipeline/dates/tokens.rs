//! Tokens for the temporal tagger: one linear pass over the text giving
//! words (with their lexicon entry), numbers (digit groups with thousands
//! commas and decimals kept whole, so "200,000" is one number and never a
//! year) and single punctuation characters, with byte offsets and the
//! line breaks that end sentences. No allocation beyond the token vector.

use super::lexicon::{self, Cue, Entry, Lex};
use crate::pipeline::budget::Meter;

/// Kinds of tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A run of letters.
    Word,
    /// A run of digits (with thousands commas or a decimal part).
    Number,
    /// One other character.
    Punct,
}

/// One token.
#[derive(Debug, Clone, Copy)]
pub struct Tok {
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
    /// Kind.
    pub kind: Kind,
    /// Lexicon class (words only).
    pub lex: Lex,
    /// Tense cue (words only).
    pub cue: Cue,
    /// Numeric value (numbers: saturating; words: 0).
    pub num: u32,
    /// Digits in a plain number (0 when it has commas or decimals).
    pub digits: u8,
    /// First letter upper case.
    pub cap: bool,
    /// A line break precedes the token.
    pub newline_before: bool,
    /// The punctuation character (punct only).
    pub ch: char,
}

impl Tok {
    /// Whether the token is the punctuation `c`.
    pub fn is(&self, c: char) -> bool {
        self.kind == Kind::Punct && self.ch == c
    }

    /// Whether the token ends a sentence.
    pub fn ends_sentence(&self) -> bool {
        self.kind == Kind::Punct && matches!(self.ch, '.' | '?' | '!' | ';')
    }
}

/// Tokenises `text` into `out` (cleared first).
pub fn tokenize(text: &str, out: &mut Vec<Tok>) {
    let budget = crate::pipeline::Budget::unlimited();
    tokenize_metered(text, out, &mut budget.meter());
}

/// [`tokenize`], one meter step per token; when the meter stops, the
/// tokens of the text read so far.
pub fn tokenize_metered(text: &str, out: &mut Vec<Tok>, meter: &mut Meter<'_>) {
    out.clear();
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut newline = false;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_whitespace() {
            newline |= b == b'\n';
            i += 1;
            continue;
        }
        if meter.tick() {
            break;
        }
        let start = i;
        if b.is_ascii_digit() {
            let mut j = i;
            while j < bytes.len() && bytes[j].is_ascii_digit() {
                j += 1;
            }
            let mut plain = true;
            // Thousands groups ("200,000") and decimals ("1.5") stay whole.
            loop {
                if bytes.get(j) == Some(&b',')
                    && bytes.len() >= j + 4
                    && bytes[j + 1..j + 4].iter().all(u8::is_ascii_digit)
                    && bytes.get(j + 4).is_none_or(|c| !c.is_ascii_digit())
                {
                    j += 4;
                    plain = false;
                } else if j + 1 < bytes.len() && bytes[j] == b'.' && bytes[j + 1].is_ascii_digit() {
                    j += 1;
                    while j < bytes.len() && bytes[j].is_ascii_digit() {
                        j += 1;
                    }
                    plain = false;
                } else {
                    break;
                }
            }
            let digits = &text[start..j];
            let num = if plain {
                digits.bytes().fold(0u32, |n, d| {
                    n.saturating_mul(10).saturating_add(u32::from(d - b'0'))
                })
            } else {
                u32::MAX
            };
            out.push(Tok {
                start: start as u32,
                end: j as u32,
                kind: Kind::Number,
                lex: Lex::None,
                cue: Cue::None,
                num,
                digits: if plain { (j - start).min(255) as u8 } else { 0 },
                cap: false,
                newline_before: std::mem::take(&mut newline),
                ch: '0',
            });
            i = j;
            continue;
        }
        let c = text[i..].chars().next().unwrap_or(' ');
        if c.is_alphabetic() {
            let mut j = i;
            for ch in text[i..].chars() {
                if ch.is_alphabetic() {
                    j += ch.len_utf8();
                } else {
                    break;
                }
            }
            let word = &text[start..j];
            let entry: Option<Entry> = if word.len() <= lexicon::MAX_WORD {
                lexicon::lookup(word)
            } else {
                None
            };
            out.push(Tok {
                start: start as u32,
                end: j as u32,
                kind: Kind::Word,
                lex: entry.map_or(Lex::None, |e| e.lex),
                cue: lexicon::cue_of(word, entry),
                num: 0,
                digits: 0,
                cap: c.is_uppercase(),
                newline_before: std::mem::take(&mut newline),
                ch: ' ',
            });
            i = j;
            continue;
        }
        let len = c.len_utf8();
        if c.is_whitespace() {
            i += len;
            continue;
        }
        out.push(Tok {
            start: start as u32,
            end: (start + len) as u32,
            kind: Kind::Punct,
            lex: Lex::None,
            cue: Cue::None,
            num: 0,
            digits: 0,
            cap: false,
            newline_before: std::mem::take(&mut newline),
            ch: c,
        });
        i += len;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(String, Kind)> {
        let mut v = Vec::new();
        tokenize(text, &mut v);
        v.iter()
            .map(|t| (text[t.start as usize..t.end as usize].to_string(), t.kind))
            .collect()
    }

    #[test]
    fn numbers_with_groups_stay_whole() {
        let k = kinds("200,000 troops, Aug. 7, 1998 and 1.5 p.m.");
        assert_eq!(k[0], ("200,000".to_string(), Kind::Number));
        assert_eq!(k[1].0, "troops");
        assert!(k.iter().any(|(s, _)| s == "1998"));
        assert!(k.iter().any(|(s, _)| s == "1.5"));
        assert!(k.iter().any(|(s, _)| s == "7"));
    }

    #[test]
    fn words_carry_lexicon_and_line_breaks() {
        let mut v = Vec::new();
        tokenize("Last week\nKyiv’s Friday", &mut v);
        assert_eq!(
            v[1].lex,
            Lex::Unit(super::super::lexicon::Unit::Week, false)
        );
        assert!(v[2].newline_before);
        assert!(v[3].is('’'));
        assert_eq!(v[5].lex, Lex::Weekday(5, false));
    }
}
