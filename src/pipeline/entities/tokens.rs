//! Tokenisation of English news text for the entity tagger: tokens as byte
//! ranges of the text in the style of the CoNLL-2003 / Penn Treebank
//! tokenisation the tagger is trained on, sentence splitting, and the repair
//! of words glued together by broken HTML-to-text conversion.
//!
//! Token rules:
//! - words are split from punctuation; every quote (`" “ ” ' ‘ ’ « » „`),
//!   bracket and other punctuation character is its own token, except that a
//!   run of dots (`...`) and a run of hyphens (`--`) are one token each;
//! - a final `.` stays on the word when the word is an abbreviation (a small
//!   list: `Mr.`, `Dr.`, `Gen.`, `Jan.`, `Inc.`, `Corp.`, `Ltd.`, `St.`, ...;
//!   a single capital letter as in `J.`; dotted initials as in `U.S.`,
//!   `e.g.`);
//! - the clitics `'s`, `n't`, `'re`, `'ve`, `'ll`, `'m`, `'d` (straight or
//!   curly apostrophe) are split off as their own tokens;
//! - hyphenated words (`pro-Russian`, `Putin-Lukashenko`), dates
//!   (`2023-02-25`), numbers with inner `,` or `.` (`200,000`, `3.5`), times
//!   (`10:30`), inner apostrophes (`O'Brien`), `AT&T` and domain names stay
//!   one token; `$` and `%` are tokens of their own.
//!
//! Sentences end at `.`, `!`, `?`, `...` or `…` (with any closing quotes and
//! brackets glued to it) followed by whitespace and then an upper-case
//! letter, a quote or a digit, and at every line break: the service's text
//! has one paragraph per line, so a headline without final punctuation is a
//! sentence of its own. A `.` that belongs to an abbreviation does not end a
//! sentence (`etc.` excepted).

use super::types::{Sentence, Token};
use crate::pipeline::budget::Meter;

/// Abbreviations (without their final `.`) that keep their `.`; matched
/// case-sensitively.
const ABBREVIATIONS: &[&str] = &[
    // Titles and ranks.
    "Mr", "Mrs", "Ms", "Dr", "Prof", "Gen", "Lt", "Col", "Maj", "Capt", "Cmdr", "Adm", "Sgt", "Cpl",
    "Gov", "Sen", "Rep", "Rev", "Hon", "Pres", "Supt", "Insp", "Det", "Jr", "Sr",
    // Companies.
    "Inc", "Corp", "Ltd", "Co", "Bros", "Dept", "Univ", "Assn", // Places.
    "St", "Mt", "Ft", "Ave", "Blvd", "Rd", "Calif", "Fla", "Ariz", "Colo", "Conn", "Mich", "Minn",
    "Okla", "Tenn", "Wis", // Months.
    "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec",
    // Others.
    "vs", "etc", "approx", "cf",
];

/// Abbreviations that keep their `.` only before a number: `No. 10`.
const NUMBER_ABBREVIATIONS: &[&str] = &["No", "Nos", "no", "nos"];

/// Clitics split off the end of a word, `n't` apart.
const CLITICS: &[&str] = &[
    "'s", "’s", "'re", "’re", "'ve", "’ve", "'ll", "’ll", "'m", "’m", "'d", "’d",
];

/// Tokens and sentences of `text`. Token ranges are on char boundaries,
/// cover no whitespace and are in text order; sentences cover every token.
pub fn tokenize(text: &str) -> (Vec<Token>, Vec<Sentence>) {
    let budget = crate::pipeline::Budget::unlimited();
    let mut meter = budget.meter();
    let tokens = tokens_metered(text, &mut meter);
    let sentences = split_sentences(text, &tokens);
    (tokens, sentences)
}

/// The tokens of `text` (see [`tokenize`]), one meter step per token; when
/// the meter stops, the tokens of the text read so far.
pub fn tokens_metered(text: &str, meter: &mut Meter<'_>) -> Vec<Token> {
    split_tokens(text, meter)
}

/// Whether `c` belongs to a word: a letter, a digit or a combining mark.
pub(crate) fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_mark(c)
}

/// Whether `word` (with its final `.`) is an abbreviation that keeps the `.`:
/// one of the list, a single capital letter (`J.`) or dotted single letters
/// (`U.S.`, `e.g.`).
pub(crate) fn is_abbreviation(word: &str) -> bool {
    let Some(stem) = word.strip_suffix('.') else {
        return false;
    };
    if ABBREVIATIONS.contains(&stem) {
        return true;
    }
    let mut chars = stem.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        return c.is_uppercase();
    }
    let mut parts = 0;
    for part in stem.split('.') {
        let mut chars = part.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) if c.is_alphabetic() => parts += 1,
            _ => return false,
        }
    }
    parts >= 2
}

/// Combining marks of the common blocks (text that was not NFC-normalised).
fn is_mark(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{FE20}'..='\u{FE2F}')
}

/// Whitespace, and the invisible characters that only separate.
fn is_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200B}' | '\u{2060}' | '\u{FEFF}')
}

fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{0085}' | '\u{2028}' | '\u{2029}')
}

fn is_quote(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '“' | '”' | '‘' | '’' | '«' | '»' | '„' | '‚' | '‹' | '›' | '`'
    )
}

/// Whether `a` ends with `suffix`, ASCII letters compared case-insensitively.
fn ends_with_ci(a: &str, suffix: &str) -> bool {
    a.len() >= suffix.len()
        && a.is_char_boundary(a.len() - suffix.len())
        && a[a.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
}

/// The byte offset at which a clitic starts in `word`, if it ends with one.
pub(crate) fn clitic_split(word: &str) -> Option<usize> {
    for suffix in ["n't", "n’t"] {
        if word.len() > suffix.len() && ends_with_ci(word, suffix) {
            return Some(word.len() - suffix.len());
        }
    }
    CLITICS
        .iter()
        .find(|suffix| word.len() > suffix.len() && ends_with_ci(word, suffix))
        .map(|suffix| word.len() - suffix.len())
}

fn split_tokens(text: &str, meter: &mut Meter<'_>) -> Vec<Token> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let n = chars.len();
    let pos = |i: usize| chars.get(i).map_or(text.len(), |&(p, _)| p);
    let ch = |i: usize| chars.get(i).map(|&(_, c)| c);
    let mut out = Vec::with_capacity(n / 4 + 1);
    let mut i = 0;
    while i < n {
        let c = chars[i].1;
        if is_space(c) {
            i += 1;
            continue;
        }
        if meter.tick() {
            break;
        }
        if is_word_char(c) {
            let mut end = scan_word(&chars, i);
            if ch(end) == Some('.') && ch(end + 1) != Some('.') {
                let word = &text[pos(i)..pos(end)];
                let before_number = || {
                    let rest = &chars[(end + 1).min(n)..];
                    let mut rest = rest.iter().map(|&(_, c)| c).skip_while(|&c| c == ' ');
                    rest.next().is_some_and(|c| c.is_ascii_digit())
                };
                if is_abbreviation(&text[pos(i)..pos(end + 1)])
                    || (NUMBER_ABBREVIATIONS.contains(&word) && before_number())
                {
                    end += 1;
                }
            }
            let (start, stop) = (pos(i), pos(end));
            match clitic_split(&text[start..stop]) {
                Some(cut) => {
                    out.push(Token {
                        start,
                        end: start + cut,
                    });
                    out.push(Token {
                        start: start + cut,
                        end: stop,
                    });
                }
                None => out.push(Token { start, end: stop }),
            }
            i = end;
            continue;
        }
        let mut j = i + 1;
        match c {
            '.' => {
                while ch(j) == Some('.') {
                    j += 1;
                }
            }
            '-' => {
                while ch(j) == Some('-') {
                    j += 1;
                }
            }
            '\'' | '’' if i > 0 && !is_space(chars[i - 1].1) => {
                j = clitic_after(&chars, i).unwrap_or(j);
            }
            _ => {}
        }
        out.push(Token {
            start: pos(i),
            end: pos(j),
        });
        i = j;
    }
    out
}

/// One past the last char of the word starting at `i`: word chars, joined by
/// the connectors that stay inside a token.
fn scan_word(chars: &[(usize, char)], i: usize) -> usize {
    let word_at = |k: usize| chars.get(k).is_some_and(|&(_, c)| is_word_char(c));
    let mut j = i + 1;
    let mut segment = i;
    while j < chars.len() {
        let d = chars[j].1;
        if is_word_char(d) {
            j += 1;
            continue;
        }
        if !word_at(j + 1) {
            break;
        }
        let prev = chars[j - 1].1;
        let next = chars[j + 1].1;
        let digits = prev.is_ascii_digit() && next.is_ascii_digit();
        let keep = match d {
            '-' | '\u{2010}' | '\u{2011}' | '\u{00AD}' => true,
            '\'' | '’' => prev.is_alphabetic() && next.is_alphabetic(),
            ',' | ':' | '/' => digits,
            '&' => prev.is_uppercase() && next.is_uppercase(),
            '.' => {
                let initials = j - segment == 1
                    && prev.is_alphabetic()
                    && next.is_alphabetic()
                    && !word_at(j + 2);
                let domain = prev.is_lowercase() && next.is_lowercase();
                if digits || initials || domain {
                    segment = j + 1;
                    true
                } else {
                    false
                }
            }
            _ => false,
        };
        if !keep {
            break;
        }
        j += 1;
    }
    j
}

/// After an apostrophe at `i` glued to the previous token: one past the end
/// of a clitic (`'s` of `U.S.'s`, `1990's`), if one follows.
fn clitic_after(chars: &[(usize, char)], i: usize) -> Option<usize> {
    let mut j = i + 1;
    while chars.get(j).is_some_and(|&(_, c)| is_word_char(c)) {
        j += 1;
    }
    // No clitic is longer than two letters: compare without allocating.
    let mut word = [0u8; 2];
    if j - (i + 1) > word.len() {
        return None;
    }
    for (slot, &(_, c)) in word.iter_mut().zip(&chars[i + 1..j]) {
        if !c.is_ascii() {
            return None;
        }
        *slot = c.to_ascii_lowercase() as u8;
    }
    matches!(
        &word[..j - (i + 1)],
        b"s" | b"re" | b"ve" | b"ll" | b"m" | b"d"
    )
    .then_some(j)
}

/// Sentences of a token list (for instance after [`split_glued`]); see the
/// module documentation for the rules.
pub fn split_sentences(text: &str, tokens: &[Token]) -> Vec<Sentence> {
    let budget = crate::pipeline::Budget::unlimited();
    split_sentences_metered(text, tokens, &mut budget.meter())
}

/// [`split_sentences`], one meter step per token; when the meter stops,
/// the sentences found so far and one holding the rest of the tokens, so
/// the sentences still cover every token.
pub fn split_sentences_metered(
    text: &str,
    tokens: &[Token],
    meter: &mut Meter<'_>,
) -> Vec<Sentence> {
    let tok = |k: usize| {
        tokens
            .get(k)
            .and_then(|t| text.get(t.start..t.end))
            .unwrap_or("")
    };
    let gap = |a: usize, b: usize| text.get(tokens[a].end..tokens[b].start).unwrap_or("");
    let mut sentences = Vec::new();
    let mut first = 0;
    let mut i = 0;
    while i < tokens.len() {
        if meter.tick() {
            break;
        }
        let mut boundary = None;
        if is_terminator(tok(i)) {
            let mut k = i;
            while k + 1 < tokens.len()
                && tokens[k + 1].start == tokens[k].end
                && is_closing(tok(k + 1))
            {
                k += 1;
            }
            if k + 1 == tokens.len() {
                boundary = Some(k);
            } else {
                let g = gap(k, k + 1);
                if !g.is_empty() && g.chars().any(is_space) && starts_sentence(tok(k + 1)) {
                    boundary = Some(k);
                }
            }
        }
        if boundary.is_none() && i + 1 < tokens.len() && gap(i, i + 1).chars().any(is_line_break) {
            boundary = Some(i);
        }
        match boundary {
            Some(b) => {
                sentences.push(Sentence { first, end: b + 1 });
                first = b + 1;
                i = b + 1;
            }
            None => i += 1,
        }
    }
    if first < tokens.len() {
        sentences.push(Sentence {
            first,
            end: tokens.len(),
        });
    }
    sentences
}

fn is_terminator(token: &str) -> bool {
    matches!(token, "!" | "?" | "…" | "etc.")
        || (!token.is_empty() && token.bytes().all(|b| b == b'.'))
}

fn is_closing(token: &str) -> bool {
    matches!(token, "\"" | "”" | "’" | "'" | "»" | "›" | ")" | "]" | "}")
}

fn starts_sentence(token: &str) -> bool {
    token
        .chars()
        .next()
        .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit() || is_quote(c))
}

/// Tokens longer than this (bytes) are never split by [`split_glued`]: the
/// search is quadratic in the token's length, and such tokens are not words.
pub const MAX_GLUED_BYTES: usize = 64;

/// `tokens` with the words glued by broken HTML-to-text conversion split:
/// - name + word: `Putinand` → `Putin` `and`, `Peskovcalled` → `Peskov`
///   `called`: the longest split whose left part starts upper-case, has at
///   least 2 chars and `is_name`, and whose right part is lower-case, at
///   least 2 chars and `is_word`;
/// - word + capitalised word: `itselfJaved` → `itself` `Javed`: at a
///   lower-to-upper case change, the left part is lower-case, at least 2
///   chars and `is_word`, the right part at least 2 chars.
///
/// Only tokens of letters are split, and never one that is itself a name or
/// a word (`Anderson`, `Johnson`); camel-case brands (`iPhone`, `McDonald`,
/// `MacBook`, `YouTube`, `LinkedIn`) stay whole because their left part is
/// not an ordinary lower-case word. The parts are tried again (up to a small
/// depth), so `itselfJavedsaid` gives three tokens. `is_word` is given
/// lower-case strings. Sentence indexes change: re-run [`split_sentences`].
pub fn split_glued(
    text: &str,
    tokens: &[Token],
    is_name: &dyn Fn(&str) -> bool,
    is_word: &dyn Fn(&str) -> bool,
) -> Vec<Token> {
    let budget = crate::pipeline::Budget::unlimited();
    split_glued_metered(text, tokens, is_name, is_word, &mut budget.meter())
}

/// [`split_glued`], one meter step per token; when the meter stops, the
/// tokens split so far (the rest is left out).
pub fn split_glued_metered(
    text: &str,
    tokens: &[Token],
    is_name: &dyn Fn(&str) -> bool,
    is_word: &dyn Fn(&str) -> bool,
    meter: &mut Meter<'_>,
) -> Vec<Token> {
    let mut out = Vec::with_capacity(tokens.len());
    for &token in tokens {
        if meter.tick() {
            break;
        }
        split_piece(text, token, is_name, is_word, 0, &mut out);
    }
    out
}

fn split_piece(
    text: &str,
    token: Token,
    is_name: &dyn Fn(&str) -> bool,
    is_word: &dyn Fn(&str) -> bool,
    depth: u8,
    out: &mut Vec<Token>,
) {
    let cut = match text.get(token.start..token.end) {
        Some(s) if depth < 4 => glue_point(s, is_name, is_word),
        _ => None,
    };
    match cut {
        Some(cut) => {
            let middle = token.start + cut;
            for piece in [
                Token {
                    start: token.start,
                    end: middle,
                },
                Token {
                    start: middle,
                    end: token.end,
                },
            ] {
                split_piece(text, piece, is_name, is_word, depth + 1, out);
            }
        }
        None => out.push(token),
    }
}

/// Where to split a glued token, as a byte offset into it.
fn glue_point(
    s: &str,
    is_name: &dyn Fn(&str) -> bool,
    is_word: &dyn Fn(&str) -> bool,
) -> Option<usize> {
    if s.is_empty() || s.len() > MAX_GLUED_BYTES || !s.chars().all(char::is_alphabetic) {
        return None;
    }
    if is_name(s) || is_word(&s.to_lowercase()) {
        return None;
    }
    let lower_word = |w: &str| w.chars().count() >= 2 && w.chars().all(char::is_lowercase);
    if s.chars().next().is_some_and(char::is_uppercase) {
        // Name + word, longest name first.
        let cuts: Vec<usize> = s.char_indices().map(|(k, _)| k).skip(2).collect();
        for &cut in cuts.iter().rev() {
            let (name, word) = s.split_at(cut);
            if lower_word(word) && is_word(word) && is_name(name) {
                return Some(cut);
            }
        }
    }
    // Word + capitalised word, at a lower-to-upper case change.
    let mut prev_lower = false;
    for (cut, c) in s.char_indices() {
        if prev_lower && c.is_uppercase() {
            let (word, rest) = s.split_at(cut);
            if lower_word(word) && rest.chars().count() >= 2 && is_word(word) {
                return Some(cut);
            }
        }
        prev_lower = c.is_lowercase();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn texts(text: &str) -> Vec<&str> {
        tokenize(text).0.iter().map(|t| t.text(text)).collect()
    }

    fn sentence_texts(text: &str) -> Vec<String> {
        let (tokens, sentences) = tokenize(text);
        sentences
            .iter()
            .map(|s| {
                tokens[s.first..s.end]
                    .iter()
                    .map(|t| t.text(text))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    #[test]
    fn splits_words_from_punctuation() {
        assert_eq!(
            texts("Putin, Lukashenko; (Minsk) [sic] {x}!"),
            [
                "Putin",
                ",",
                "Lukashenko",
                ";",
                "(",
                "Minsk",
                ")",
                "[",
                "sic",
                "]",
                "{",
                "x",
                "}",
                "!"
            ]
        );
    }

    #[test]
    fn quotes_of_all_kinds_are_tokens() {
        assert_eq!(
            texts("“War” \"peace\" ‘yes’ «non» „ja“ 'no'"),
            [
                "“", "War", "”", "\"", "peace", "\"", "‘", "yes", "’", "«", "non", "»", "„", "ja",
                "“", "'", "no", "'"
            ]
        );
    }

    #[test]
    fn abbreviations_keep_their_dot() {
        assert_eq!(
            texts("Mr. Smith and Dr. J. Jones of Acme Inc. met Gen. Lee in the U.S. on Jan. 5."),
            [
                "Mr.", "Smith", "and", "Dr.", "J.", "Jones", "of", "Acme", "Inc.", "met", "Gen.",
                "Lee", "in", "the", "U.S.", "on", "Jan.", "5", "."
            ]
        );
        assert_eq!(
            texts("e.g., St. Petersburg"),
            ["e.g.", ",", "St.", "Petersburg"]
        );
        assert_eq!(texts("He left."), ["He", "left", "."]);
        assert_eq!(texts("J.K. Rowling, Ph"), ["J.K.", "Rowling", ",", "Ph"]);
        assert_eq!(texts("A.Smith"), ["A.", "Smith"]);
        assert_eq!(texts("see example.com."), ["see", "example.com", "."]);
        assert_eq!(texts("No. 10 said no."), ["No.", "10", "said", "no", "."]);
        assert_eq!(texts("“No.” Then"), ["“", "No", ".", "”", "Then"]);
    }

    #[test]
    fn ellipsis_is_one_token() {
        assert_eq!(texts("Wait... what…"), ["Wait", "...", "what", "…"]);
    }

    #[test]
    fn clitics_are_split() {
        assert_eq!(texts("Ukraine's army"), ["Ukraine", "'s", "army"]);
        assert_eq!(texts("Ukraine’s army"), ["Ukraine", "’s", "army"]);
        assert_eq!(texts("don't can't"), ["do", "n't", "ca", "n't"]);
        assert_eq!(texts("U.S.'s ally"), ["U.S.", "'s", "ally"]);
        assert_eq!(texts("the 1990's"), ["the", "1990", "'s"]);
        assert_eq!(texts("O'Brien's"), ["O'Brien", "'s"]);
        assert_eq!(texts("farmers' union"), ["farmers", "'", "union"]);
    }

    #[test]
    fn hyphens_numbers_and_dates_stay_whole() {
        assert_eq!(
            texts("Putin-Lukashenko pro-Russian 200,000 3.5 2023-02-25 10:30 AT&T"),
            [
                "Putin-Lukashenko",
                "pro-Russian",
                "200,000",
                "3.5",
                "2023-02-25",
                "10:30",
                "AT&T"
            ]
        );
        assert_eq!(texts("$5 and 7%"), ["$", "5", "and", "7", "%"]);
        assert_eq!(texts("1,2 -- x-"), ["1,2", "--", "x", "-"]);
        assert_eq!(texts("war,peace"), ["war", ",", "peace"]);
    }

    #[test]
    fn offsets_slice_the_text_exactly() {
        let text = "  «Zürich» – Ελλάδα's “café”…\tnaïve Müller-Lüdenscheidt, 5 %\n";
        let (tokens, _) = tokenize(text);
        let mut last = 0;
        for t in &tokens {
            assert!(t.start >= last && t.start < t.end);
            assert!(!t.text(text).chars().any(char::is_whitespace));
            last = t.end;
        }
        let joined: String = tokens.iter().map(|t| t.text(text)).collect();
        let stripped: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        assert_eq!(joined, stripped);
        assert!(texts(text).contains(&"Müller-Lüdenscheidt"));
        assert!(texts(text).contains(&"Ελλάδα"));
    }

    #[test]
    fn combining_marks_stay_in_the_word() {
        let text = "Cafe\u{301} open";
        assert_eq!(texts(text), ["Cafe\u{301}", "open"]);
    }

    #[test]
    fn sentences_split_at_final_punctuation() {
        assert_eq!(
            sentence_texts("He left. She stayed! Why? \"Yes,\" he said. 3 died."),
            [
                "He left .",
                "She stayed !",
                "Why ?",
                "\" Yes , \" he said .",
                "3 died ."
            ]
        );
        assert_eq!(
            sentence_texts("He said \"no.\" Then left."),
            ["He said \" no . \"", "Then left ."]
        );
    }

    #[test]
    fn abbreviations_do_not_end_sentences() {
        assert_eq!(
            sentence_texts("Mr. Smith met Gen. Lee in the U.S. Army base. It rained."),
            [
                "Mr. Smith met Gen. Lee in the U.S. Army base .",
                "It rained ."
            ]
        );
        assert_eq!(
            sentence_texts("He saw 3.5 cars. the end"),
            ["He saw 3.5 cars . the end"]
        );
    }

    #[test]
    fn paragraph_breaks_and_headlines_are_sentences() {
        assert_eq!(
            sentence_texts(
                "Russia says talks stalled\nKYIV (Reuters) - Talks stalled.\n\nNew paragraph here"
            ),
            [
                "Russia says talks stalled",
                "KYIV ( Reuters ) - Talks stalled .",
                "New paragraph here"
            ]
        );
    }

    #[test]
    fn sentences_cover_every_token() {
        for text in [
            "",
            "...",
            "!!! ??? ...",
            "a",
            "\n\n\n",
            "”)”. “(",
            "etc. Etc. U.S. Inc. J.",
        ] {
            let (tokens, sentences) = tokenize(text);
            let mut next = 0;
            for s in &sentences {
                assert_eq!(s.first, next, "{text:?}");
                assert!(s.end > s.first);
                next = s.end;
            }
            assert_eq!(next, tokens.len(), "{text:?}");
        }
    }

    #[test]
    fn never_panics_on_odd_input() {
        let long = "x".repeat(100_000) + "'s " + &".".repeat(10_000) + " 🇺🇦👍🏽 ‍";
        for text in [
            "'", "’s", "'s'", "n't", "-", "\u{301}", "a.", ".a", "A.B", &long,
        ] {
            let (tokens, _) = tokenize(text);
            for t in &tokens {
                assert!(text.get(t.start..t.end).is_some());
            }
        }
    }

    fn names(s: &str) -> bool {
        [
            "Putin", "Peskov", "Javed", "Anderson", "Johnson", "John", "Ander", "Mac", "Mc",
        ]
        .contains(&s)
    }

    fn words(s: &str) -> bool {
        [
            "and", "called", "itself", "said", "son", "book", "i", "phone", "you", "tube",
            "linked", "in",
        ]
        .contains(&s)
    }

    fn glued(text: &str) -> Vec<&str> {
        let (tokens, _) = tokenize(text);
        split_glued(text, &tokens, &names, &words)
            .iter()
            .map(|t| t.text(text))
            .collect()
    }

    #[test]
    fn glued_words_are_split() {
        assert_eq!(
            glued("Putinand Peskovcalled"),
            ["Putin", "and", "Peskov", "called"]
        );
        assert_eq!(glued("itselfJaved said"), ["itself", "Javed", "said"]);
        assert_eq!(glued("itselfJavedsaid."), ["itself", "Javed", "said", "."]);
    }

    #[test]
    fn names_words_and_brands_are_not_split() {
        assert_eq!(
            glued("Anderson Johnson iPhone McDonald MacBook YouTube LinkedIn"),
            [
                "Anderson", "Johnson", "iPhone", "McDonald", "MacBook", "YouTube", "LinkedIn"
            ]
        );
        // Not letters, too short a part, unknown parts.
        assert_eq!(
            glued("Putin2and Putina Xyzand andX"),
            ["Putin2and", "Putina", "Xyzand", "andX"]
        );
    }

    #[test]
    fn glued_offsets_slice_the_text() {
        let text = "Über Putinand «Peskovcalled»";
        let (tokens, _) = tokenize(text);
        let split = split_glued(text, &tokens, &names, &words);
        assert_eq!(split.len(), tokens.len() + 2);
        for t in &split {
            assert!(text.get(t.start..t.end).is_some_and(|s| !s.is_empty()));
        }
        let sentences = split_sentences(text, &split);
        assert_eq!(
            sentences,
            [Sentence {
                first: 0,
                end: split.len()
            }]
        );
    }

    proptest! {
        #[test]
        fn tokens_and_sentences_are_well_formed(
            text in "[A-Za-z0-9 .,;!?'’\"“”«»()\\-\n$%…&:/éüΩЖ\u{301}\u{200B}]{0,80}"
        ) {
            let (tokens, sentences) = tokenize(&text);
            let mut last = 0;
            for t in &tokens {
                prop_assert!(t.start >= last && t.start < t.end);
                let s = text.get(t.start..t.end);
                prop_assert!(s.is_some_and(|s| !s.chars().any(char::is_whitespace)));
                last = t.end;
            }
            let mut next = 0;
            for s in &sentences {
                prop_assert_eq!(s.first, next);
                prop_assert!(s.end > s.first);
                next = s.end;
            }
            prop_assert_eq!(next, tokens.len());
            // Splitting glued words keeps the same bytes, in order.
            let split = split_glued(&text, &tokens, &|_| true, &|w| w.len() == 2);
            let before: String = tokens.iter().map(|t| t.text(&text)).collect();
            let after: String = split.iter().map(|t| t.text(&text)).collect();
            prop_assert_eq!(before, after);
        }
    }
}
