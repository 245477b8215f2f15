//! `newsenrich train cues`: the cue detector of the quotation stage
//! ([`crate::pipeline::quotes::cue_model`]), learned from PolNeAR.
//!
//! Every article of the split goes through the entity stage (text, cleaning
//! skipped); every word that can be a cue ([`cue_sites`]: a lexicon cue or
//! a word that heads an annotated cue) becomes an example, positive when
//! it is the head of an annotated Cue span (its first word that is not a
//! function word: "declined" of "declined to comment"). The vocabulary is
//! the words heading at least `--min-count` annotated cues. A binary perceptron, averaged, is trained for `--epochs` passes
//! in a shuffled order with a fixed seed.
//!
//! `--cv K` reports K-fold document-level cross-validation (document `d` in
//! fold `d mod K`; vocabulary and weights from the other folds only) of
//! the whole stage as `eval quotes` scores it, for the rules alone and for
//! the model at each threshold; without it the model is trained on the
//! whole split and written to `--out`.

use std::path::PathBuf;

use rustc_hash::{FxHashMap, FxHashSet};

use super::polnear::{
    EntityDoc, PolnearSplit, base_then, entity_docs, per_row_cv, threshold_labels,
};
use super::quotes::char_span;
use crate::eval::EvalError;
use crate::pipeline::linear::Weights;
use crate::pipeline::quotes::cue_model::{CueModel, FUNCTION_WORDS, word_hash};
use crate::pipeline::quotes::{Models, cue_sites};

/// A word joins the cue detector's vocabulary after this many annotated
/// cues, unless `--min-count` says otherwise (`train speech
/// --cue-min-count` shares it).
pub const MIN_COUNT: usize = 2;

/// The shipped detector's threshold (chosen by nested cross-validation,
/// docs/quotes.md).
pub const THRESHOLD: f32 = -13.0;

/// Flags of `newsenrich train cues`.
#[derive(Debug, clap::Args)]
pub struct TrainCuesArgs {
    /// The split, cross-validation and passes.
    #[command(flatten)]
    pub split: PolnearSplit,
    /// A word joins the vocabulary after this many annotated cues.
    #[arg(long, default_value_t = MIN_COUNT)]
    pub min_count: usize,
    /// Scores above this are cues (stored in the model; chosen by the whole
    /// stage's nested CV, `train speech --cv 5 --nested-cues`).
    #[arg(long, default_value_t = THRESHOLD, allow_hyphen_values = true)]
    pub threshold: f32,
    /// Where to write the model.
    #[arg(long, default_value = "models/cues.bin")]
    pub out: PathBuf,
    /// Version string stored in the model (reported by `GetServiceInfo`).
    #[arg(long, default_value = "cues-polnear-3")]
    pub version: String,
}

/// Thresholds cross-validation reports.
const THRESHOLDS: [f32; 8] = [-16.0, -14.0, -13.0, -12.0, -10.0, -8.0, -6.0, -4.0];

/// One candidate word.
struct Example {
    doc: usize,
    word: u64,
    lexicon: bool,
    cue: bool,
    features: Vec<u64>,
}

/// The head of every annotated cue of `doc`: the first word of its span
/// that is neither a function word nor an adverb in -ly ("declined" of "declined to comment",
/// "said" of "said this week"), lower case, with where it is.
fn cue_heads(doc: &EntityDoc) -> Vec<(String, (usize, usize))> {
    let chars: Vec<char> = doc.text.chars().collect();
    let is_word = |c: char| c.is_alphanumeric() || matches!(c, '\'' | '’' | '-');
    let mut out = Vec::new();
    for g in &doc.gold {
        let Some(cue) = &g.cue else { continue };
        'pieces: for &(s, e) in cue {
            let (s, e) = (s.min(chars.len()), e.min(chars.len()));
            let mut k = s;
            while k < e {
                if !is_word(chars[k]) {
                    k += 1;
                    continue;
                }
                let start = k;
                while k < e && is_word(chars[k]) {
                    k += 1;
                }
                let w: String = chars[start..k].iter().collect::<String>().to_lowercase();
                // An adverb before the verb is no head ("repeatedly said").
                let adverb = w.len() > 4 && w.ends_with("ly");
                if !FUNCTION_WORDS.contains(&w.as_str()) && !adverb {
                    out.push((w, (start, k)));
                    break 'pieces;
                }
            }
        }
    }
    out
}

/// The vocabulary of documents `docs`: the words that head at least
/// `min_count` annotated cues.
fn vocabulary<'a>(docs: impl Iterator<Item = &'a EntityDoc>, min_count: usize) -> Vec<String> {
    let mut counts: FxHashMap<String, usize> = FxHashMap::default();
    for d in docs {
        for (w, _) in cue_heads(d) {
            *counts.entry(w).or_default() += 1;
        }
    }
    let mut words: Vec<String> = counts
        .into_iter()
        .filter(|&(_, c)| c >= min_count)
        .map(|(w, _)| w)
        .collect();
    words.sort();
    words
}

/// Trains an averaged binary perceptron on `examples`.
fn train_weights(examples: &[&Example], epochs: usize) -> Weights {
    super::averaged::train_binary(examples.len(), epochs, 0x2545_f491_4f6c_dd1d, |i| {
        (&examples[i].features, examples[i].cue)
    })
}

/// The cue detector's training material: every candidate word of a split's
/// articles, gathered once, from which a detector is trained on any subset
/// of the articles (a fold's training part, or all of them).
pub(super) struct CueExamples<'d> {
    docs: &'d [EntityDoc],
    examples: Vec<Example>,
}

impl<'d> CueExamples<'d> {
    /// Every word of `docs` that can be a cue: a lexicon cue, or a word any
    /// annotated cue of the split holds (the widest vocabulary a subset can
    /// have, so the examples are gathered once for every subset).
    pub(super) fn gather(docs: &'d [EntityDoc]) -> CueExamples<'d> {
        let widest: FxHashSet<u64> = vocabulary(docs.iter(), 1)
            .iter()
            .map(|w| word_hash(w))
            .collect();
        let mut examples = Vec::new();
        for (d, doc) in docs.iter().enumerate() {
            let starts: Vec<usize> = doc.text.char_indices().map(|(b, _)| b).collect();
            let heads: Vec<(usize, usize)> = cue_heads(doc).into_iter().map(|(_, at)| at).collect();
            for site in cue_sites(&doc.text, &doc.entities, |w, lex| {
                lex > 0 || widest.contains(&w)
            }) {
                let span = char_span(&starts, site.span);
                examples.push(Example {
                    doc: d,
                    word: site.word,
                    lexicon: site.lexicon > 0,
                    cue: heads.iter().any(|&(s, e)| span.0 < e && s < span.1),
                    features: site.features,
                });
            }
        }
        CueExamples { docs, examples }
    }

    /// A one-line summary: articles, candidate words, positives.
    pub(super) fn summary(&self) -> String {
        format!(
            "{} articles, {} candidate words ({} inside an annotated cue)\n",
            self.docs.len(),
            self.examples.len(),
            self.examples.iter().filter(|e| e.cue).count()
        )
    }

    /// The detector trained on the articles `keep` admits (by index): its
    /// vocabulary the words heading at least `min_count` of their annotated
    /// cues, its weights from their candidate words, one model at each of
    /// `thresholds` (the same vocabulary and weights).
    pub(super) fn train(
        &self,
        keep: impl Fn(usize) -> bool,
        min_count: usize,
        epochs: usize,
        version: &str,
        thresholds: &[f32],
    ) -> Vec<CueModel> {
        let vocab = vocabulary(
            self.docs
                .iter()
                .enumerate()
                .filter(|&(d, _)| keep(d))
                .map(|(_, doc)| doc),
            min_count,
        );
        let known: FxHashSet<u64> = vocab.iter().map(|w| word_hash(w)).collect();
        let train: Vec<&Example> = self
            .examples
            .iter()
            .filter(|e| keep(e.doc) && (e.lexicon || known.contains(&e.word)))
            .collect();
        let weights = train_weights(&train, epochs);
        thresholds
            .iter()
            .map(|&t| CueModel::new(version.to_owned(), t, vocab.clone(), weights.clone()))
            .collect()
    }
}

/// Runs `newsenrich train cues`.
pub fn run_command(args: &TrainCuesArgs, out: &mut dyn std::io::Write) -> Result<(), EvalError> {
    let mut say = |s: String| out.write_all(s.as_bytes()).map_err(EvalError::Output);
    let docs = entity_docs(&args.split)?;
    let examples = CueExamples::gather(&docs);
    say(examples.summary())?;
    let epochs = args.split.epochs;
    if let Some(k) = args.split.cv {
        let k = usize::from(k.max(2));
        let lines = per_row_cv(
            &docs,
            k,
            |d| args.split.fold(d, k),
            &threshold_labels("rules", &THRESHOLDS),
            |fold| {
                let learned = examples.train(
                    |d| args.split.fold(d, k) != fold,
                    args.min_count,
                    epochs,
                    &args.version,
                    &THRESHOLDS,
                );
                base_then(learned).collect()
            },
            |model: &Option<CueModel>| Models {
                cues: model.as_ref(),
                ..Models::default()
            },
        );
        return say(format!(
            "{k}-fold document-level cross-validation on {} ({epochs} epochs, min count {}; speakers by the rules): quotes of the rules' cues and of the learned cues at each threshold\n{lines}",
            args.split.train.display(),
            args.min_count,
        ));
    }
    let model = examples
        .train(
            |_| true,
            args.min_count,
            epochs,
            &args.version,
            &[args.threshold],
        )
        .remove(0);
    let bytes = model.to_bytes();
    super::write_model(&args.out, &bytes)?;
    say(format!(
        "wrote {} ({} words, {} weights, {} bytes, version {})\n",
        args.out.display(),
        model.vocabulary.len(),
        model.linear.weights.len(),
        bytes.len(),
        model.linear.version
    ))
}
