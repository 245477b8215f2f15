//! The learned cue detector: whether a word of a sentence is the cue of an
//! attribution ("said", "declined", "called for", "according to"), decided
//! by a linear model over the word and its context instead of by hand
//! rules.
//!
//! Candidates are the words of the cue lexicon ([`super::cues`]) and the
//! words the model's vocabulary holds (the words of annotated cues in
//! PolNeAR train seen at least a few times, function words left out),
//! outside quotations and not capitalised inside a name. Each candidate is
//! scored over features of itself (the word, its suffix, its lexicon
//! strength), its neighbours (two words either side, a determiner or a
//! preposition before it, "that" or "to" after it, a name or a pronoun
//! before it) and its sentence (a quotation in it or next to the word);
//! it is a cue when the score clears the model's threshold. What is a
//! noun ("media reports that", "the demands"), a modifier ("early warning
//! aircraft") or a gain ("added 45 points") is learned from the annotated
//! contexts rather than listed.
//!
//! The model is trained by `newsenrich train cues` (an averaged perceptron,
//! `src/train/cues.rs`) and embedded from `models/cues.bin`; without it the
//! lexicon and its noun rules decide (`mod.rs`).

use std::sync::LazyLock;

use rustc_hash::FxHashSet;

use super::speaker::View;
use super::text::TokKind;
use crate::pipeline::entities::features::{feature, lower_into, pack, text};
use crate::pipeline::linear::{LinearModel, ModelError, Weights};

/// The embedded model file.
pub static EMBEDDED: &[u8] = include_bytes!("../../../models/cues.bin");

/// First bytes of a model file.
const MAGIC: &[u8; 8] = b"NEWSQCU1";

/// Words that are never cues on their own (function words that sit inside
/// annotated multi-word cues: "declined to", "talked about").
pub const FUNCTION_WORDS: &[&str] = &[
    "a", "an", "the", "to", "of", "in", "on", "for", "at", "by", "with", "about", "from", "as",
    "that", "this", "it", "its", "is", "are", "was", "were", "be", "been", "being", "has", "have",
    "had", "do", "does", "did", "not", "n't", "and", "or", "but", "he", "she", "they", "we", "i",
    "you", "his", "her", "their", "our", "my", "your", "him", "them", "us", "me", "will", "would",
    "can", "could", "should", "may", "might", "must", "shall", "also", "so", "than", "then",
    "there", "what", "which", "who", "whom", "whose", "when", "where", "why", "how", "if", "into",
    "over", "up", "out", "more", "most", "very", "just", "all", "any", "some", "no", "one",
];

/// Words that make the next word a noun or a modifier when they stand
/// before it.
const DETERMINERS: &[&str] = &[
    "the", "a", "an", "this", "that", "these", "those", "his", "her", "its", "their", "our", "my",
    "your", "no", "any", "some", "such", "of", "in", "for", "on", "with", "by", "media", "early",
];

/// A trained cue detector: the linear model (words scoring above its
/// parameter, the threshold, are cues) and its vocabulary.
#[derive(Debug, Clone)]
pub struct CueModel {
    /// The weights, threshold and version.
    pub linear: LinearModel,
    /// The candidate words beyond the lexicon, lower case.
    pub vocabulary: Vec<String>,
    /// Hashes of [`CueModel::vocabulary`].
    vocabulary_hashes: FxHashSet<u64>,
}

mod t {
    pub const BIAS: u8 = 0;
    pub const WORD: u8 = 1;
    pub const SUFFIX: u8 = 2;
    pub const LEXICON: u8 = 3;
    pub const PREV: u8 = 4;
    pub const PREV2: u8 = 5;
    pub const NEXT: u8 = 6;
    pub const NEXT2: u8 = 7;
    pub const PREV_WORD: u8 = 8;
    pub const WORD_NEXT: u8 = 9;
    pub const DETERMINER: u8 = 10;
    pub const SUBJECT: u8 = 11;
    pub const QUOTE: u8 = 12;
    pub const PLACE: u8 = 13;
    pub const NEXT_SHAPE: u8 = 14;
    pub const WORD_QUOTE: u8 = 15;
}

/// The hash of a lower-case word, as the vocabulary keeps it.
pub fn word_hash(lower: &str) -> u64 {
    text(lower.as_bytes())
}

impl CueModel {
    /// A model from its parts.
    pub fn new(
        version: String,
        threshold: f32,
        vocabulary: Vec<String>,
        weights: Weights,
    ) -> CueModel {
        let linear = LinearModel::new(MAGIC, version, threshold, weights);
        CueModel::with_vocabulary(linear, vocabulary)
    }

    /// The detector of `linear` with `vocabulary`.
    fn with_vocabulary(linear: LinearModel, vocabulary: Vec<String>) -> CueModel {
        let vocabulary_hashes = vocabulary.iter().map(|w| word_hash(w)).collect();
        CueModel {
            linear,
            vocabulary,
            vocabulary_hashes,
        }
    }

    /// The model embedded in the binary, if one was trained.
    pub fn embedded() -> Option<&'static CueModel> {
        static MODEL: LazyLock<Option<CueModel>> = LazyLock::new(|| {
            CueModel::from_bytes(EMBEDDED)
                .ok()
                .filter(|m| m.linear.is_trained())
        });
        MODEL.as_ref()
    }

    /// Whether the word whose lower case hashes to `hash` is in the
    /// vocabulary.
    pub fn knows(&self, hash: u64) -> bool {
        self.vocabulary_hashes.contains(&hash)
    }

    /// Scores above this are cues.
    pub fn threshold(&self) -> f32 {
        self.linear.parameter
    }

    /// Serialises the model ([`LinearModel::to_bytes_with`]), its own
    /// section the vocabulary: a count, then length-prefixed words.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.linear.to_bytes_with(|out| {
            let mut words: Vec<&String> = self
                .vocabulary
                .iter()
                .filter(|w| !w.is_empty() && w.len() < 256)
                .collect();
            words.sort();
            out.extend_from_slice(&(words.len() as u32).to_le_bytes());
            for w in words {
                out.push(w.len() as u8);
                out.extend_from_slice(w.as_bytes());
            }
        })
    }

    /// Reads what [`CueModel::to_bytes`] wrote.
    pub fn from_bytes(bytes: &[u8]) -> Result<CueModel, ModelError> {
        let missing = "no trained cue model (run `newsenrich train cues`)";
        let (linear, vocabulary) = LinearModel::from_bytes_with(bytes, MAGIC, missing, |r| {
            let words = u32::from_le_bytes(r.array("vocabulary size")?) as usize;
            let mut vocabulary = Vec::with_capacity(words.min(1 << 16));
            for _ in 0..words {
                let n = usize::from(r.take(1, "word length")?[0]);
                vocabulary.push(r.utf8(n)?);
            }
            Ok(vocabulary)
        })?;
        Ok(CueModel::with_vocabulary(linear, vocabulary))
    }
}

/// Whether token `i` can be a cue at all: a word outside quotations, not a
/// capitalised word inside a name, and lower case unless it is "According"
/// (a cue never opens a sentence otherwise).
pub fn is_candidate_token(view: &View<'_>, i: usize) -> bool {
    let t = view.toks[i];
    if t.kind != TokKind::Word || t.quote != 0 {
        return false;
    }
    let w = view.word(i);
    if w.len() > 24 {
        return false;
    }
    !w.chars().next().is_some_and(char::is_uppercase) || w == "According"
}

/// `f` of the lower case of token `k`'s word, or of "" outside `s0..s1`.
fn lower_at<R>(
    view: &View<'_>,
    k: Option<usize>,
    s0: usize,
    s1: usize,
    f: impl FnOnce(&str) -> R,
) -> R {
    thread_local!(static BUF: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) });
    match k {
        Some(k) if k >= s0 && k < s1 => BUF.with_borrow_mut(|buf| f(lower_into(buf, view.word(k)))),
        _ => f(""),
    }
}

/// [`word_hash`] of token `i`'s word in lower case.
pub fn lower_hash(view: &View<'_>, i: usize) -> u64 {
    view.toks[i].lower
}

/// The part for the lower-case word at `k` (a fixed part outside the
/// sentence).
fn word_part(view: &View<'_>, k: Option<usize>, s0: usize, s1: usize) -> u64 {
    match k {
        Some(k) if k >= s0 && k < s1 => view.toks[k].lower,
        _ => 1,
    }
}

/// A coarse shape of the word at `k`: 0 outside, 1 lower case, 2
/// capitalised, 3 a number, 4 punctuation, 5 a quotation.
fn shape_code(view: &View<'_>, k: Option<usize>, s0: usize, s1: usize) -> u8 {
    let Some(k) = k.filter(|&k| k >= s0 && k < s1) else {
        return 0;
    };
    let t = view.toks[k];
    if t.quote != 0 {
        return 5;
    }
    if t.kind != TokKind::Word {
        return 4;
    }
    let w = view.word(k);
    match w.chars().next() {
        Some(c) if c.is_ascii_digit() => 3,
        Some(c) if c.is_uppercase() => 2,
        _ => 1,
    }
}

/// Where a candidate stands: its sentence `s0..s1`, whether a quotation
/// is in that sentence, and its lexicon strength in tenths (0 when the
/// lexicon does not know it).
#[derive(Debug, Clone, Copy)]
pub struct Site {
    /// The sentence's first token.
    pub s0: usize,
    /// Past its last token.
    pub s1: usize,
    /// A quotation is in the sentence (computed once a sentence, so
    /// scoring stays constant work a word).
    pub quoted_sentence: bool,
    /// Lexicon strength in tenths.
    pub lexicon: u8,
}

/// Whether a quotation is in sentence `s0..s1`.
pub fn has_quotation(view: &View<'_>, s0: usize, s1: usize) -> bool {
    view.toks[s0..s1].iter().any(|t| t.quote != 0)
}

/// The features of token `i` at `site` as a cue, into `out` (cleared
/// first); constant work.
pub fn features(view: &View<'_>, i: usize, site: Site, out: &mut Vec<u64>) {
    let Site {
        s0,
        s1,
        quoted_sentence,
        lexicon,
    } = site;
    out.clear();
    // Room for all of a word's features at once: a reused list grows once.
    out.reserve(32);
    let at = |d: isize| i.checked_add_signed(d);
    let word = word_part(view, Some(i), s0, s1);
    let prev = word_part(view, at(-1), s0, s1);
    let next = word_part(view, at(1), s0, s1);
    out.push(feature(t::BIAS, &[]));
    out.push(feature(t::WORD, &[word]));
    lower_at(view, Some(i), s0, s1, |w| {
        let cut = w.char_indices().rev().nth(2).map_or(0, |(b, _)| b);
        out.push(feature(t::SUFFIX, &[text(&w.as_bytes()[cut..])]));
    });
    out.push(feature(t::LEXICON, &[u64::from(lexicon)]));
    out.push(feature(t::PREV, &[prev]));
    out.push(feature(t::PREV2, &[word_part(view, at(-2), s0, s1)]));
    out.push(feature(t::NEXT, &[next]));
    out.push(feature(t::NEXT2, &[word_part(view, at(2), s0, s1)]));
    out.push(feature(t::PREV_WORD, &[prev, word]));
    out.push(feature(t::WORD_NEXT, &[word, next]));
    let determiner = lower_at(view, at(-1), s0, s1, |w| DETERMINERS.contains(&w));
    out.push(feature(
        t::DETERMINER,
        &[u64::from(determiner), u64::from(lexicon)],
    ));
    // What stands before it: a name, a pronoun, a capitalised word.
    let subject = at(-1).filter(|&k| k >= s0).map_or(0u8, |k| {
        if view.toks[k].mention != 0 {
            1
        } else if view.pronoun_at(k).is_some() {
            2
        } else {
            3 + shape_code(view, Some(k), s0, s1)
        }
    });
    out.push(feature(t::SUBJECT, &[u64::from(subject)]));
    out.push(feature(t::SUBJECT, &[u64::from(subject), word]));
    // A quotation in the sentence, and right next to the word.
    let quoted_near =
        (i.saturating_sub(2).max(s0)..(i + 3).min(s1)).any(|k| view.toks[k].quote != 0);
    let quoted_sentence = quoted_near || quoted_sentence;
    let quote = pack(&[u8::from(quoted_sentence), u8::from(quoted_near)]);
    out.push(feature(t::QUOTE, &[quote]));
    out.push(feature(t::WORD_QUOTE, &[word, quote]));
    let place = match i - s0 {
        0 => 0u8,
        1..=2 => 1,
        3..=8 => 2,
        _ => 3,
    };
    out.push(feature(
        t::PLACE,
        &[u64::from(place), u64::from(s1 - i <= 3)],
    ));
    out.push(feature(
        t::NEXT_SHAPE,
        &[pack(&[
            shape_code(view, at(1), s0, s1),
            shape_code(view, at(2), s0, s1),
        ])],
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_bytes_round_trip_and_bad_bytes_are_errors() {
        let mut weights = Weights::default();
        weights.insert(7u64, 1.5f32);
        weights.insert(3, -0.25);
        let m = CueModel::new(
            "cues-test".into(),
            0.5,
            vec!["declined".into(), "urged".into()],
            weights,
        );
        let bytes = m.to_bytes();
        let back = CueModel::from_bytes(&bytes).expect("reads");
        assert_eq!(
            (back.linear.version.as_str(), back.threshold()),
            ("cues-test", 0.5)
        );
        assert!(back.knows(word_hash("declined")) && !back.knows(word_hash("table")));
        assert_eq!(back.linear.score(&[7, 3, 99]), 1.25);
        assert!(CueModel::from_bytes(&bytes[..bytes.len() - 1]).is_err());
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(CueModel::from_bytes(&longer).is_err());
        assert!(CueModel::from_bytes(b"NEWSQSP1").is_err());
    }
}
