//! Tokens and sentences for the quote stage: words and punctuation as byte
//! ranges, each marked with the quote it lies in (from [`super::marks`]),
//! its paragraph, and the entity mention it belongs to. Words glued to a
//! name by a broken HTML-to-text step ("Peskovcalled") are split where the
//! entity stage's mention ends. Sentences end at `.`, `!`, `?` or `…`
//! outside quotes before a capital, a digit or an opening mark, after a
//! closing mark that follows such punctuation, and at paragraph breaks; so
//! a quote's inner sentences stay in the sentence that frames the quote.
//!
//! Both passes are linear: the tokenizer walks the text once and merges
//! the sorted mention boundaries into the sorted tokens, ticking the
//! stage's [`Meter`] once a token.

use super::marks::Marked;
use super::speaker::{SpeakerWord, speaker_word};
use crate::pipeline::Span;
use crate::pipeline::budget::Meter;
use crate::pipeline::entities::features::lower_into;

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokKind {
    /// Letters and digits.
    Word,
    /// Any other character but a quotation mark.
    Punct,
    /// An opening quotation mark.
    Open,
    /// A closing quotation mark.
    Close,
}

/// One token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tok {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// Kind.
    pub kind: TokKind,
    /// 1 + the index of the quote it lies in (marks included), 0 when none.
    pub quote: u32,
    /// Paragraph number.
    pub para: u32,
    /// 1 + the index of the mention it lies in, 0 when none.
    pub mention: u32,
    /// The hash ([`text`](crate::pipeline::entities::features::text)) of
    /// the token in lower case, computed once here because the cue
    /// detector and the speaker ranker read each token's many times.
    pub lower: u64,
    /// The word lists it is on ([`WordSet`](super::speaker::WordSet)
    /// bits, [`classes_of`](super::speaker::classes_of) its lower case).
    pub classes: u16,
    /// 1 + its strength in tenths as a reporting verb
    /// ([`verb_strength`](super::cues::verb_strength)), 0 when it is none.
    pub verb: u8,
    /// What the word can stand for as a speaker
    /// ([`speaker_word`](super::speaker::speaker_word)); `None` for
    /// punctuation.
    pub speaker: SpeakerWord,
}

/// The tokens of `text`. `mentions` are sorted, non-overlapping byte
/// ranges of names. Ticks `meter` once a token; when it says stop, the
/// tokens found so far are returned.
pub fn tokenize(
    text: &str,
    quotes: &[Marked],
    mentions: &[Span],
    meter: &mut Meter<'_>,
) -> Vec<Tok> {
    let mut toks = Vec::with_capacity(text.len() / 5);
    let mut para = 0u32;
    let bytes = text.as_bytes();
    // The character at byte `at` (a boundary), read without decoding when
    // it is ASCII, as most of a news text is.
    let char_at = |at: usize| -> Option<char> {
        match bytes.get(at) {
            Some(&b) if b.is_ascii() => Some(char::from(b)),
            Some(_) => text[at..].chars().next(),
            None => None,
        }
    };
    let mut opens = quotes.iter().map(|q| q.open).peekable();
    let mut closes = quotes
        .iter()
        .filter_map(|q| q.close.map(|c| c.start))
        .peekable();
    // A run of line breaks (blank lines included) is one paragraph break.
    let mut line_break = false;
    let mut next = 0;
    while let Some(c) = char_at(next) {
        let i = next;
        next += c.len_utf8();
        if c == '\n' {
            if meter.tick() {
                break;
            }
            line_break = true;
            continue;
        }
        if c.is_whitespace() {
            continue;
        }
        if line_break {
            para += 1;
            line_break = false;
        }
        while opens.peek().is_some_and(|&o| o < i) {
            opens.next();
        }
        while closes.peek().is_some_and(|&o| o < i) {
            closes.next();
        }
        let mut kind = TokKind::Punct;
        if opens.peek() == Some(&i) {
            kind = TokKind::Open;
        } else if closes.peek() == Some(&i) {
            kind = TokKind::Close;
        } else if c.is_alphanumeric() {
            kind = TokKind::Word;
            // The word runs on over letters and digits, and over an
            // apostrophe, hyphen, full stop or ampersand between two of
            // them ("don't", "U.S.", "AT&T").
            while let Some(d) = char_at(next) {
                if d.is_ascii_alphanumeric() || (!d.is_ascii() && d.is_alphanumeric()) {
                    next += d.len_utf8();
                    continue;
                }
                let inner = matches!(d, '\'' | '’' | '-' | '.' | '&');
                if inner && char_at(next + d.len_utf8()).is_some_and(char::is_alphanumeric) {
                    next += d.len_utf8();
                    continue;
                }
                break;
            }
        }
        let end = next;
        toks.push(Tok {
            start: i,
            end,
            kind,
            quote: 0,
            para,
            mention: 0,
            lower: 0,
            classes: 0,
            verb: 0,
            speaker: SpeakerWord::None,
        });
        if meter.tick() {
            break;
        }
    }
    split_at_mentions(&mut toks, mentions);
    meter.add(toks.len() as u64);
    // Quote and mention membership, by two walks; the lower-case hash and
    // verb strength of every token.
    let mut q = 0;
    let mut m = 0;
    let mut lower = String::new();
    for t in &mut toks {
        let w = lower_into(&mut lower, &text[t.start..t.end]);
        t.lower = crate::pipeline::entities::features::text(w.as_bytes());
        t.classes = super::speaker::classes_of(t.lower);
        if t.kind == TokKind::Word {
            t.verb = super::cues::verb_strength(w).map_or(0, |s| s.saturating_add(1));
            t.speaker = speaker_word(w, t.classes);
        }
        while q < quotes.len() && quotes[q].end() <= t.start {
            q += 1;
        }
        if q < quotes.len() && quotes[q].open <= t.start {
            t.quote = q as u32 + 1;
        }
        while m < mentions.len() && mentions[m].end <= t.start {
            m += 1;
        }
        if m < mentions.len() && mentions[m].start <= t.start && t.end <= mentions[m].end {
            t.mention = m as u32 + 1;
        }
    }
    toks
}

/// Splits word tokens where a mention starts or ends inside them: one
/// merge of the sorted tokens with the sorted mention boundaries.
fn split_at_mentions(toks: &mut Vec<Tok>, mentions: &[Span]) {
    // Boundary `k`: the start of mention `k / 2` when `k` is even, else its
    // end; non-overlapping sorted mentions give sorted boundaries.
    let boundary = |k: usize| {
        let m = mentions[k / 2];
        if k.is_multiple_of(2) { m.start } else { m.end }
    };
    let n = 2 * mentions.len();
    let mut out: Option<Vec<Tok>> = None;
    let mut k = 0;
    for (ti, t) in toks.iter().enumerate() {
        while k < n && boundary(k) <= t.start {
            k += 1;
        }
        let cut = t.kind == TokKind::Word && k < n && boundary(k) < t.end;
        if !cut {
            if let Some(out) = out.as_mut() {
                out.push(*t);
            }
            continue;
        }
        let out = out.get_or_insert_with(|| {
            let mut v = Vec::with_capacity(toks.len() + 8);
            v.extend_from_slice(&toks[..ti]);
            v
        });
        let mut s = t.start;
        while k < n && boundary(k) < t.end {
            let c = boundary(k);
            if c > s {
                out.push(Tok {
                    start: s,
                    end: c,
                    ..*t
                });
                s = c;
            }
            k += 1;
        }
        out.push(Tok {
            start: s,
            end: t.end,
            ..*t
        });
    }
    if let Some(out) = out {
        *toks = out;
    }
}

/// Abbreviations written before a name, whose full stop ends no sentence
/// ("Mr. Obama", "Sen. Claire McCaskill", "Gen. Valery Zaluzhniy").
fn is_title_abbreviation(word: &str) -> bool {
    matches!(
        word,
        "Mr" | "Mrs"
            | "Ms"
            | "Mx"
            | "Dr"
            | "Prof"
            | "Sen"
            | "Rep"
            | "Reps"
            | "Sens"
            | "Gov"
            | "Lt"
            | "Gen"
            | "Col"
            | "Maj"
            | "Capt"
            | "Cmdr"
            | "Adm"
            | "Sgt"
            | "Cpl"
            | "Rev"
            | "Hon"
            | "Pres"
            | "Supt"
            | "Insp"
            | "Amb"
            | "Atty"
            | "Jr"
            | "Sr"
            | "St"
    )
}

/// Sentences as half-open token ranges covering every token; one step of
/// `meter` a token.
pub fn sentences(text: &str, toks: &[Tok], meter: &mut Meter<'_>) -> Vec<(usize, usize)> {
    meter.add(toks.len() as u64);
    let mut out = Vec::new();
    let mut first = 0;
    for i in 0..toks.len() {
        let t = &toks[i];
        let Some(next) = toks.get(i + 1) else {
            break;
        };
        let starts_new = |n: &Tok| {
            n.kind == TokKind::Open
                || (n.kind == TokKind::Word
                    && text[n.start..]
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_uppercase() || c.is_numeric()))
        };
        let end_punct = |t: &Tok| {
            t.kind == TokKind::Punct && matches!(&text[t.start..t.end], "." | "!" | "?" | "…")
        };
        // "Mr. Obama said": a title's or an initial's full stop ends no
        // sentence.
        let after_title = text[t.start..t.end] == *"." && i > 0 && toks[i - 1].end == t.start && {
            let w = &text[toks[i - 1].start..toks[i - 1].end];
            // An initial ("Elijah E. Cummings") is no sentence either.
            is_title_abbreviation(w)
                || (w.chars().count() == 1 && w.chars().all(char::is_uppercase))
        };
        let boundary = next.para != t.para
            || (end_punct(t) && t.quote == 0 && starts_new(next) && !after_title)
            || (t.kind == TokKind::Close
                && i > 0
                && end_punct(&toks[i - 1])
                && next.quote != t.quote
                && starts_new(next));
        if boundary {
            out.push((first, i + 1));
            first = i + 1;
        }
    }
    if first < toks.len() {
        out.push((first, toks.len()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tokens of `text` as `(word, kind, paragraph)`.
    fn tokens(text: &str) -> Vec<(&str, TokKind, u32)> {
        let marked = super::super::marks::scan(text);
        let budget = crate::pipeline::Budget::unlimited();
        tokenize(text, &marked, &[], &mut budget.meter())
            .iter()
            .map(|t| (&text[t.start..t.end], t.kind, t.para))
            .collect()
    }

    /// Words run over letters and digits of any script and over an inner
    /// apostrophe, hyphen, full stop or ampersand; a run of line breaks is
    /// one paragraph break; quote marks are tokens of their own.
    #[test]
    fn words_punctuation_marks_and_paragraphs() {
        use TokKind::{Close, Open, Punct, Word};
        let got = tokens(
            "Ünal's U.S. AT&T deal -- don’t stop, 3.5% naïve co-op-\n\n\
             \u{00a0}She said: “We’ll go.” Ça va… 東京 'x\n  end.",
        );
        let want = vec![
            ("Ünal's", Word, 0),
            ("U.S", Word, 0),
            (".", Punct, 0),
            ("AT&T", Word, 0),
            ("deal", Word, 0),
            ("-", Punct, 0),
            ("-", Punct, 0),
            ("don’t", Word, 0),
            ("stop", Word, 0),
            (",", Punct, 0),
            ("3.5", Word, 0),
            ("%", Punct, 0),
            ("naïve", Word, 0),
            ("co-op", Word, 0),
            ("-", Punct, 0),
            ("She", Word, 1),
            ("said", Word, 1),
            (":", Punct, 1),
            ("“", Open, 1),
            ("We’ll", Word, 1),
            ("go", Word, 1),
            (".", Punct, 1),
            ("”", Close, 1),
            ("Ça", Word, 1),
            ("va", Word, 1),
            ("…", Punct, 1),
            ("東京", Word, 1),
            // An opening mark left open: the scanner's, still a mark.
            ("'", Open, 1),
            ("x", Word, 1),
            ("end", Word, 2),
            (".", Punct, 2),
        ];
        assert_eq!(got, want);
    }

    /// Tokens know their lower-case hash, their verb strength and the
    /// quote they lie in.
    #[test]
    fn tokens_carry_case_verb_and_quote() {
        let text = "Officials SAID “it works” today.";
        let marked = super::super::marks::scan(text);
        let budget = crate::pipeline::Budget::unlimited();
        let toks = tokenize(text, &marked, &[], &mut budget.meter());
        let said = &toks[1];
        assert_eq!(
            said.lower,
            crate::pipeline::entities::features::text(b"said")
        );
        assert!(said.verb > 0);
        assert_eq!(toks[0].verb, 0);
        let inside: Vec<u32> = toks.iter().map(|t| t.quote).collect();
        assert_eq!(inside, [0, 0, 1, 1, 1, 1, 0, 0]);
    }
}
