//! The speech filter: a learned yes or no on every quotation in marks the
//! rules make a direct or mixed quote, and on every piece of indirect
//! speech they find. Quotation marks also enclose titles of works ("told
//! CNN’s “New Day”"), scare quotes ("a so-called “clawback”"), nicknames
//! and headlines of other articles, which a cue in the same sentence would
//! otherwise attribute; a word the cue detector takes for a cue can head a
//! phrase that reports nothing ("veers into the role of adviser", "as his
//! campaign struggles to raise money"). For a quotation the filter scores
//! its shape (length, capitalised words, its last mark), the words around
//! its marks, whether it speaks in the first or second person or holds a
//! verb, how the rules attributed it and where it stands in its sentence
//! and the article; for indirect speech, its cue, the first words and
//! length of the reported clause, the word before it, what the speaker is
//! and the rules' confidence. One linear model holds both (their features
//! are apart); quotes scoring at or below the model's threshold are
//! dropped.
//!
//! The model is trained on PolNeAR train by `newsenrich train speech` (an
//! averaged perceptron; `src/train/speech.rs`) and embedded from
//! `models/speech.bin`; without a model file every quote stands.

use std::sync::LazyLock;

use rustc_hash::FxHashSet;

use super::speaker::View;
use super::text::TokKind;
use super::{Quote, QuoteKind};
use crate::pipeline::entities::features::{feature, pack, text};
use crate::pipeline::linear::LinearModel;

/// The embedded model file.
pub static EMBEDDED: &[u8] = include_bytes!("../../../models/speech.bin");

/// First bytes of a model file.
pub const MAGIC: &[u8; 8] = b"NEWSQSF1";

/// A trained speech filter: quotations scoring at or below its threshold
/// (the linear model's parameter) are dropped.
#[derive(Debug, Clone)]
pub struct SpeechModel {
    /// The weights, threshold and version.
    pub linear: LinearModel,
}

impl SpeechModel {
    /// The model embedded in the binary, if one with weights is.
    pub fn embedded() -> Option<&'static SpeechModel> {
        static MODEL: LazyLock<Option<SpeechModel>> = LazyLock::new(|| {
            LinearModel::embedded(EMBEDDED, MAGIC).map(|linear| SpeechModel { linear })
        });
        MODEL.as_ref()
    }

    /// Quotations scoring at or below this are dropped.
    pub fn threshold(&self) -> f32 {
        self.linear.parameter
    }
}

mod t {
    pub const BIAS: u8 = 0;
    pub const KIND: u8 = 1;
    pub const WORDS: u8 = 2;
    pub const CAPS: u8 = 3;
    pub const EDGES: u8 = 4;
    pub const PREV: u8 = 5;
    pub const PREV2: u8 = 6;
    pub const NEXT: u8 = 7;
    pub const NEXT2: u8 = 8;
    pub const PREV_NAME: u8 = 9;
    pub const ATTRIBUTION: u8 = 10;
    pub const SPEAKS: u8 = 11;
    pub const PLACE: u8 = 12;
    pub const MARK: u8 = 13;
    pub const PREV_CAPS: u8 = 14;
    pub const NEXT_ATTRIBUTION: u8 = 15;
    // Indirect speech.
    pub const I_BIAS: u8 = 32;
    pub const I_CUE: u8 = 33;
    pub const I_FIRST: u8 = 34;
    pub const I_FIRST2: u8 = 35;
    pub const I_CUE_FIRST: u8 = 36;
    pub const I_SHAPE: u8 = 37;
    pub const I_SPEAKER: u8 = 38;
    pub const I_BEFORE: u8 = 39;
    pub const I_CONFIDENCE: u8 = 40;
    pub const I_LAST: u8 = 41;
}

/// Words that make a quotation speech rather than a name: first and
/// second person, and the commonest finite verbs.
const SPEECH_WORDS: &[&str] = &[
    "i", "we", "me", "us", "my", "our", "you", "your", "i'm", "i’m", "we're", "we’re", "is", "are",
    "was", "were", "will", "would", "can", "can't", "can’t", "could", "should", "have", "has",
    "had", "do", "does", "did", "don't", "don’t", "not", "think", "know", "want", "going",
];

/// Hashes of [`SPEECH_WORDS`], as tokens carry them.
fn speech_words() -> &'static FxHashSet<u64> {
    static SET: LazyLock<FxHashSet<u64>> =
        LazyLock::new(|| SPEECH_WORDS.iter().map(|w| text(w.as_bytes())).collect());
    &SET
}

/// log2 bucket of a count, at most 6.
fn bucket(n: usize) -> u8 {
    ((usize::BITS - n.leading_zeros()) as u8).min(6)
}

/// The lower-case hash of token `k`, or a marker outside the text.
fn word_at(view: &View<'_>, k: Option<usize>) -> u64 {
    k.and_then(|k| view.toks.get(k)).map_or(1, |t| t.lower)
}

/// The features of quote `q` (direct or mixed) into `out` (cleared
/// first). `sentence` is the token range of its sentence. Reads the
/// quotation's tokens and a constant number around it, so the work over
/// an article's quotes is linear (quotations do not overlap).
pub fn features(view: &View<'_>, q: &Quote, sentence: (usize, usize), out: &mut Vec<u64>) {
    out.clear();
    let toks = view.toks;
    let (qa, qb) = super::ranker::token_range(toks, q.span.start, q.span.end);
    if qa >= qb {
        out.push(feature(t::BIAS, &[]));
        return;
    }
    if q.kind == QuoteKind::Indirect {
        indirect_features(view, q, (qa, qb), sentence, out);
        return;
    }
    // The quotation with its marks: the tokens of the same quote around
    // the content.
    let id = toks[qa].quote;
    let mut o0 = qa;
    while o0 > 0 && id != 0 && toks[o0 - 1].quote == id && qa - o0 < 2 {
        o0 -= 1;
    }
    let mut o1 = qb;
    while o1 < toks.len() && id != 0 && toks[o1].quote == id && o1 - qb < 2 {
        o1 += 1;
    }
    let kind = u8::from(q.kind == QuoteKind::Direct);
    let (mut words, mut caps, mut speaks) = (0usize, 0usize, false);
    let set = speech_words();
    for t in &toks[qa..qb] {
        if t.kind != TokKind::Word {
            continue;
        }
        words += 1;
        if view.text[t.start..t.end]
            .chars()
            .next()
            .is_some_and(char::is_uppercase)
        {
            caps += 1;
        }
        speaks |= t.verb > 0 || set.contains(&t.lower);
    }
    let caps_share = match (caps, words) {
        (0, _) => 0u8,
        (c, w) if c == w => 3,
        (c, w) if 2 * c >= w => 2,
        _ => 1,
    };
    let words_b = bucket(words);
    let last = match view.word(qb - 1) {
        "," => 1u8,
        "." => 2,
        "?" | "!" => 3,
        ":" | ";" => 4,
        w if toks[qb - 1].kind == TokKind::Word && !w.is_empty() => 0,
        _ => 5,
    };
    let first_upper = u8::from(view.is_upper(qa));
    let attribution = match (q.cue_span, q.speaker_span) {
        (Some(c), _) => {
            let (ca, _) = super::ranker::token_range(toks, c.start, c.end);
            if toks.get(ca).is_some_and(|t| t.verb > 0) {
                1u8
            } else {
                2
            }
        }
        (None, Some(_)) => 3,
        (None, None) => 0,
    };
    let before = o0.checked_sub(1);
    let prev = word_at(view, before);
    let next = word_at(view, Some(o1));
    out.push(feature(t::BIAS, &[]));
    out.push(feature(t::KIND, &[u64::from(kind)]));
    out.push(feature(t::WORDS, &[pack(&[words_b, kind])]));
    out.push(feature(t::CAPS, &[pack(&[caps_share, words_b])]));
    out.push(feature(t::EDGES, &[pack(&[first_upper, last, kind])]));
    out.push(feature(t::PREV, &[prev]));
    out.push(feature(t::PREV2, &[word_at(view, o0.checked_sub(2))]));
    out.push(feature(t::NEXT, &[next]));
    out.push(feature(t::NEXT2, &[word_at(view, Some(o1 + 1))]));
    out.push(feature(t::PREV_CAPS, &[prev, u64::from(caps_share)]));
    let prev_name = before.map_or(0u8, |k| {
        let w = view.word(k);
        if toks[k].mention != 0 {
            1
        } else if matches!(w, "'s" | "’s" | "s" | "'" | "’") {
            2
        } else if toks[k].kind == TokKind::Word && view.is_upper(k) {
            3
        } else {
            0
        }
    });
    out.push(feature(
        t::PREV_NAME,
        &[pack(&[prev_name, caps_share, words_b])],
    ));
    out.push(feature(
        t::ATTRIBUTION,
        &[pack(&[
            attribution,
            words_b,
            u8::from(q.speaker_entity_id.is_some()),
        ])],
    ));
    out.push(feature(
        t::NEXT_ATTRIBUTION,
        &[next, u64::from(attribution)],
    ));
    out.push(feature(
        t::SPEAKS,
        &[pack(&[u8::from(speaks), words_b, caps_share])],
    ));
    let (s0, s1) = sentence;
    let opens = u8::from(o0 <= s0);
    let closes = u8::from(
        o1 >= s1
            || toks[o1..s1.min(toks.len())]
                .iter()
                .all(|t| t.kind == TokKind::Punct),
    );
    let headline = u8::from(toks[qa].para == 0);
    out.push(feature(
        t::PLACE,
        &[pack(&[opens, closes, headline, caps_share])],
    ));
    let single = view
        .text
        .get(toks[o0].start..)
        .and_then(|s| s.chars().next())
        .is_some_and(|c| matches!(c, '\'' | '‘' | '’'));
    out.push(feature(
        t::MARK,
        &[pack(&[u8::from(single), headline, kind])],
    ));
}

/// The features of indirect speech at tokens `qa..qb` (its reported
/// clause), into `out`: its cue and the clause's first words (a clause
/// opens with "that", a subject or "to"; a phrase that is no speech opens
/// with a preposition or a conjunction), the clause's length and whether
/// it holds a verb, the word before it, what the speaker is and how the
/// rules rated the attribution. Constant work besides one pass over the
/// clause.
fn indirect_features(
    view: &View<'_>,
    q: &Quote,
    (qa, qb): (usize, usize),
    (s0, s1): (usize, usize),
    out: &mut Vec<u64>,
) {
    let toks = view.toks;
    let cue = q
        .cue_span
        .map(|c| super::ranker::token_range(toks, c.start, c.end).0);
    let cue_word = word_at(view, cue);
    let cue_verb = cue.and_then(|k| toks.get(k)).map_or(0, |t| t.verb);
    let after = u8::from(cue.is_some_and(|k| k < qa));
    let first = word_at(view, Some(qa));
    let second = word_at(view, (qa + 1 < qb).then_some(qa + 1));
    let (mut words, mut speaks) = (0usize, false);
    let set = speech_words();
    for t in &toks[qa..qb] {
        if t.kind == TokKind::Word {
            words += 1;
            speaks |= t.verb > 0 || set.contains(&t.lower);
        }
    }
    let words_b = bucket(words);
    let speaker = match q.speaker_span {
        None => 0u8,
        Some(sp) => {
            let (a, _) = super::ranker::token_range(toks, sp.start, sp.end);
            let named = toks.get(a).is_some_and(|t| t.mention != 0);
            1 + u8::from(q.speaker_entity_id.is_some()) + 2 * u8::from(named)
        }
    };
    let closes = u8::from(
        qb >= s1
            || toks[qb..s1.min(toks.len())]
                .iter()
                .all(|t| t.kind == TokKind::Punct),
    );
    out.push(feature(t::I_BIAS, &[]));
    out.push(feature(t::I_CUE, &[cue_word, u64::from(after)]));
    out.push(feature(t::I_CUE, &[u64::from(cue_verb), u64::from(after)]));
    out.push(feature(t::I_FIRST, &[first, u64::from(after)]));
    out.push(feature(t::I_FIRST2, &[first, second]));
    out.push(feature(t::I_CUE_FIRST, &[cue_word, first]));
    out.push(feature(
        t::I_SHAPE,
        &[pack(&[words_b, u8::from(speaks), closes, after])],
    ));
    out.push(feature(t::I_SPEAKER, &[pack(&[speaker, after])]));
    out.push(feature(t::I_SPEAKER, &[u64::from(speaker), cue_word]));
    out.push(feature(
        t::I_BEFORE,
        &[word_at(view, qa.checked_sub(1)), u64::from(after)],
    ));
    out.push(feature(
        t::I_CONFIDENCE,
        &[pack(&[(q.confidence * 20.0) as u8, after])],
    ));
    out.push(feature(
        t::I_LAST,
        &[word_at(view, Some(qb)), u64::from(closes)],
    ));
    let headline = u8::from(toks[qa].para == 0);
    let opens = u8::from(cue.map_or(qa, |k| k.min(qa)) <= s0 + 1);
    out.push(feature(t::I_SHAPE, &[pack(&[headline, opens, 9])]));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::linear::{ModelError, Weights};

    /// The model in `bytes`, if they hold one of this kind.
    fn read(bytes: &[u8]) -> Result<SpeechModel, ModelError> {
        let linear = LinearModel::from_bytes(bytes, MAGIC, "no model")?;
        Ok(SpeechModel { linear })
    }

    #[test]
    fn model_bytes_round_trip_and_bad_bytes_are_errors() {
        let mut weights = Weights::default();
        weights.insert(5, 2.0);
        weights.insert(11, -0.5);
        let m = LinearModel::new(MAGIC, "speech-test", -1.5, weights);
        let bytes = m.to_bytes();
        let back = read(&bytes).expect("reads");
        assert_eq!(
            (back.linear.version.as_str(), back.threshold()),
            ("speech-test", -1.5)
        );
        assert_eq!(back.linear.score(&[5, 11, 4]), 1.5);
        assert!(read(&bytes[..bytes.len() - 1]).is_err());
        assert!(read(b"NEWSQCU1").is_err());
    }
}
