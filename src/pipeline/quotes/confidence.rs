//! A quote's confidence as a probability: the last step of the stage maps
//! what the rules, the speech filter and the speaker ranker decided about a
//! quote to the chance that it is an attribution an annotator would mark
//! (its words overlap an annotated content). The rules' own score (the
//! kind, the cue's strength, how the speaker resolved) orders quotes but
//! is not a probability — on PolNeAR dev a quote the rules scored 0.55 was
//! right 83% of the time, one scored 0.65 94% —, so a logistic model over
//! that score and the quote's shape recalibrates it.
//!
//! Features: the kind; the rules' score in twentieths, by kind; whether a
//! cue was found and what the speaker is (none, an entity, a pronoun, a
//! phrase), by kind; the cue's words; the quote's length (log buckets) and
//! last character, by kind. The model is trained on PolNeAR train by
//! `newsenrich train confidence` (`src/train/confidence.rs`, logistic
//! regression, document-level cross-validation of its calibration) and
//! embedded from `models/confidence.bin`; without a model file the rules'
//! score stands. Stances with an object ("He has supported Putin") keep
//! their fixed score under 0.5 ([`is_stance`]). It changes no quote and
//! drops none: which quotes are
//! returned is the speech filter's decision (or [`super::MIN_CONFIDENCE`]
//! without one), so a returned quote can have a confidence under that
//! floor.

use std::sync::LazyLock;

use super::{Quote, QuoteKind};
use crate::pipeline::entities::features::{feature, pack, text};
use crate::pipeline::linear::{LinearModel, ModelError};

/// The embedded model file.
pub static EMBEDDED: &[u8] = include_bytes!("../../../models/confidence.bin");

/// First bytes of a model file.
pub const MAGIC: &[u8; 8] = b"NEWSQCF1";

/// A trained calibration: the probability of a quote is the logistic of
/// its features' summed weights (the linear model's parameter is unused).
#[derive(Debug, Clone)]
pub struct ConfidenceModel {
    /// The weights and version.
    pub linear: LinearModel,
}

impl ConfidenceModel {
    /// The model embedded in the binary, if one with weights is.
    pub fn embedded() -> Option<&'static ConfidenceModel> {
        static MODEL: LazyLock<Option<ConfidenceModel>> = LazyLock::new(|| {
            LinearModel::embedded(EMBEDDED, MAGIC).map(|linear| ConfidenceModel { linear })
        });
        MODEL.as_ref()
    }

    /// Reads a model file.
    pub fn from_bytes(bytes: &[u8]) -> Result<ConfidenceModel, ModelError> {
        let missing = "no trained confidence model (run `newsenrich train confidence`)";
        LinearModel::from_bytes(bytes, MAGIC, missing).map(|linear| ConfidenceModel { linear })
    }

    /// The probability that `q` is an attribution, its features written
    /// into `scratch`.
    pub fn probability(&self, q: &Quote, scratch: &mut Vec<u64>) -> f32 {
        features(q, scratch);
        logistic(self.linear.score(scratch))
    }
}

/// Replaces the confidence of every quote by `model`'s probability, but
/// for stances ([`is_stance`]), which keep theirs.
pub fn calibrate(model: &ConfidenceModel, quotes: &mut [Quote]) {
    let mut scratch = Vec::with_capacity(8);
    for q in quotes.iter_mut().filter(|q| !is_stance(q)) {
        q.confidence = model.probability(q, &mut scratch);
    }
}

/// Whether the rules scored `q` as a stance with an object ("He has
/// supported Putin"): an attitude, not speech, kept at the fixed
/// [`super::STANCE_CONFIDENCE`] under 0.5 so that a client keeping quotes of 0.5
/// and up leaves it out. PolNeAR annotates many stances as attributions, so
/// a calibration would lift them to about 0.75; they are neither trained
/// on nor calibrated.
pub fn is_stance(q: &Quote) -> bool {
    q.stance
}

/// The logistic function.
pub fn logistic(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

mod t {
    pub const BIAS: u8 = 0;
    pub const KIND: u8 = 1;
    pub const RULES: u8 = 2;
    pub const SPEAKER: u8 = 3;
    pub const CUE: u8 = 4;
    pub const WORDS: u8 = 5;
    pub const LAST: u8 = 6;
}

/// Pronouns a speaker can be.
const PRONOUNS: &[&str] = &[
    "he", "she", "they", "it", "i", "we", "you", "who", "which", "that",
];

/// What the speaker is: 0 none, 1 an entity's mention, 2 a pronoun, 3
/// another phrase.
fn speaker_kind(q: &Quote) -> u8 {
    if q.speaker.is_empty() {
        0
    } else if q.speaker_entity_id.is_some() {
        1
    } else if PRONOUNS.iter().any(|p| q.speaker.eq_ignore_ascii_case(p)) {
        2
    } else {
        3
    }
}

/// log2 bucket of a count, at most 7.
fn bucket(n: usize) -> u8 {
    ((usize::BITS - n.leading_zeros()) as u8).min(7)
}

/// The features of `q` into `out` (cleared first). Reads the quote's text
/// once; the work is linear in it.
pub fn features(q: &Quote, out: &mut Vec<u64>) {
    out.clear();
    let kind = match q.kind {
        QuoteKind::Direct => 0u8,
        QuoteKind::Mixed => 1,
        QuoteKind::Indirect => 2,
    };
    let rules = (q.confidence.clamp(0.0, 1.0) * 20.0) as u8;
    let has_cue = u8::from(!q.cue.is_empty());
    let words = bucket(q.text.split_whitespace().count());
    let last = match q.text.trim_end().chars().last() {
        Some('.') => 1u8,
        Some(',') => 2,
        Some('?' | '!') => 3,
        Some(c) if c.is_alphanumeric() => 4,
        Some(_) => 5,
        None => 0,
    };
    out.push(feature(t::BIAS, &[]));
    out.push(feature(t::KIND, &[u64::from(kind)]));
    out.push(feature(t::RULES, &[pack(&[kind, rules])]));
    out.push(feature(
        t::SPEAKER,
        &[pack(&[kind, has_cue, speaker_kind(q)])],
    ));
    out.push(feature(t::WORDS, &[pack(&[kind, words])]));
    out.push(feature(t::LAST, &[pack(&[kind, last])]));
    if !q.cue.is_empty() {
        out.push(feature(t::CUE, &[text(q.cue.to_lowercase().as_bytes())]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::Span;
    use crate::pipeline::quotes::STANCE_CONFIDENCE;

    fn quote(kind: QuoteKind, text: &str, speaker: &str, cue: &str, confidence: f32) -> Quote {
        Quote {
            text: text.to_owned(),
            span: Span { start: 0, end: 1 },
            kind,
            speaker: speaker.to_owned(),
            speaker_span: None,
            speaker_entity_id: None,
            cue: cue.to_owned(),
            cue_span: None,
            reported_by: None,
            confidence,
            stance: false,
        }
    }

    #[test]
    fn speakers_are_told_apart() {
        let mut q = quote(QuoteKind::Direct, "We will win.", "", "said", 0.9);
        assert_eq!(speaker_kind(&q), 0);
        q.speaker = "She".into();
        assert_eq!(speaker_kind(&q), 2);
        q.speaker = "the union".into();
        assert_eq!(speaker_kind(&q), 3);
        q.speaker_entity_id = Some("e1".into());
        assert_eq!(speaker_kind(&q), 1);
    }

    #[test]
    fn features_follow_what_was_decided_not_the_speaker_name() {
        let mut a = Vec::new();
        let mut b = Vec::new();
        let q = quote(QuoteKind::Direct, "We will win.", "Smith", "said", 0.9);
        features(&q, &mut a);
        features(
            &quote(QuoteKind::Direct, "We will win.", "Jones", "SAID", 0.9),
            &mut b,
        );
        assert_eq!(a, b, "the name and the cue's case are not features");
        features(
            &quote(QuoteKind::Indirect, "We will win.", "Smith", "said", 0.9),
            &mut b,
        );
        assert_ne!(a, b, "the kind is");
        features(
            &quote(QuoteKind::Direct, "We will win.", "Smith", "said", 0.5),
            &mut b,
        );
        assert_ne!(a, b, "the rules' score is");
    }

    #[test]
    fn calibration_is_the_logistic_of_the_weights() {
        let q = quote(QuoteKind::Mixed, "a disaster", "he", "called", 0.6);
        let mut f = Vec::new();
        features(&q, &mut f);
        let weights = f.iter().map(|&k| (k, 0.25)).collect();
        let model = ConfidenceModel {
            linear: LinearModel::new(MAGIC, "test", 0.0, weights),
        };
        let expected = logistic(0.25 * f.len() as f32);
        let mut quotes = vec![q.clone(), q];
        calibrate(&model, &mut quotes);
        for q in &quotes {
            assert!((q.confidence - expected).abs() < 1e-6);
        }
        // A stance keeps the rules' score.
        let mut stance = vec![Quote {
            stance: true,
            ..quote(
                QuoteKind::Indirect,
                "Putin throughout the war",
                "He",
                "supported",
                STANCE_CONFIDENCE,
            )
        }];
        calibrate(&model, &mut stance);
        assert_eq!(stance[0].confidence, STANCE_CONFIDENCE);
        // Only the confidence changes.
        assert_eq!(quotes[0].text, "a disaster");
        assert_eq!(quotes[0].cue, "called");
    }

    #[test]
    fn model_bytes_round_trip_and_a_wrong_file_is_refused() {
        let model = ConfidenceModel {
            linear: LinearModel::new(MAGIC, "v1", 0.0, [(3, 0.5)].into_iter().collect()),
        };
        let back = ConfidenceModel::from_bytes(&model.linear.to_bytes()).expect("reads back");
        assert_eq!(back.linear.version, "v1");
        assert_eq!(back.linear.weights.get(&3), Some(&0.5));
        assert!(ConfidenceModel::from_bytes(b"NEWSQSP1garbage").is_err());
    }
}
