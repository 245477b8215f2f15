//! `newsenrich train speech`: the speech filter of the quotation stage
//! ([`crate::pipeline::quotes::speech`]), learned from PolNeAR.
//!
//! Every article of the split goes through the entity stage (text, cleaning
//! skipped) and then the quotation stage with the embedded cue detector
//! (`models/cues.bin`, so train that first, or the file `--cues` names) and
//! the rules' speakers; every quote it finds (direct, mixed or indirect) is
//! an example, positive when it overlaps a gold content (quoted or not:
//! dropping it would cost a found attribution either way). An averaged
//! binary perceptron a kind (quotations in marks, indirect speech) is
//! trained for `--epochs` passes in a shuffled order with a fixed seed; the
//! model holds both and a threshold for each.
//!
//! `--cv K` reports K-fold document-level cross-validation (document `d` in
//! fold `d mod K`; the filter trained on the other folds) of the whole
//! stage as `eval quotes` scores it, without the filter and with it at each
//! threshold. The cue detector under it is the embedded one, trained on
//! the whole split. With `--nested-cues T1,T2,...` the cue detector is
//! trained in each fold too, on the same other folds, at each threshold
//! listed, and the filter on the quotes that detector finds there: the
//! whole stage's figure with both models cross-validated together. Without
//! `--cv` the model is trained on the whole split and written to `--out`.

use std::path::PathBuf;
use std::rc::Rc;

use super::cues::CueExamples;
use super::polnear::{
    EntityDoc, PolnearSplit, Upstream, UpstreamFiles, base_then, entity_docs, per_row_cv,
    threshold_labels,
};
use super::quotes::char_span;
use crate::eval::EvalError;
use crate::eval::quotes::overlaps;
use crate::pipeline::linear::{LinearModel, Weights};
use crate::pipeline::quotes::cue_model::CueModel;
use crate::pipeline::quotes::speech::{self, SpeechModel};
use crate::pipeline::quotes::{Models, QuoteKind, speech_sites};

/// Flags of `newsenrich train speech`.
#[derive(Debug, clap::Args)]
pub struct TrainSpeechArgs {
    /// The split, cross-validation and passes.
    #[command(flatten)]
    pub split: PolnearSplit,
    /// Quotations in marks scoring at or below this are dropped (stored in
    /// the model; chosen by `--cv`).
    #[arg(long, default_value_t = THRESHOLD, allow_hyphen_values = true)]
    pub threshold: f32,
    /// Indirect speech scoring at or below this is dropped (stored in the
    /// model; chosen by `--cv`, whose "indirect" rows keep `--threshold`
    /// for the quotations and vary this).
    #[arg(long, default_value_t = INDIRECT_THRESHOLD, allow_hyphen_values = true)]
    pub indirect_threshold: f32,
    /// Where to write the model.
    #[arg(long, default_value = "models/speech.bin")]
    pub out: PathBuf,
    /// Version string stored in the model (reported by `GetServiceInfo`).
    #[arg(long, default_value = "speech-polnear-5")]
    pub version: String,
    /// With `--cv`: train the cue detector in each fold too (on the same
    /// other folds, as `train cues` trains it, `--cue-min-count`), once a
    /// threshold of this list, instead of using the embedded detector, so
    /// the figures are those of the whole stage with both models
    /// cross-validated together (e.g. `--nested-cues=-16,-12`).
    #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
    pub nested_cues: Vec<f32>,
    /// The cue detector's vocabulary threshold under `--nested-cues`.
    #[arg(long, default_value_t = super::cues::MIN_COUNT)]
    pub cue_min_count: usize,
    /// The cue detector to train over, if not the embedded one.
    #[command(flatten)]
    pub upstream: UpstreamFiles,
}

/// The shipped filter's threshold for quotations in marks.
pub const THRESHOLD: f32 = 0.0;

/// The shipped filter's threshold for indirect speech.
pub const INDIRECT_THRESHOLD: f32 = -2.0;

/// The cue detector and the speech filter trained as the shipped ones are
/// (their default settings), on the articles `keep` admits only: the stage
/// a model downstream of them sees on articles neither was trained on.
pub(super) fn stage_trained_on(
    docs: &[EntityDoc],
    cue_examples: &CueExamples<'_>,
    keep: impl Fn(usize) -> bool + Copy,
    epochs: usize,
) -> (CueModel, SpeechModel) {
    let cues = cue_examples
        .train(
            keep,
            super::cues::MIN_COUNT,
            epochs,
            "cross-fit",
            &[super::cues::THRESHOLD],
        )
        .remove(0);
    let base = Models {
        cues: Some(&cues),
        ..Models::default()
    };
    let examples = examples_of(docs, keep, base);
    let refs: Vec<&Example> = examples.iter().collect();
    let speech = SpeechModel {
        linear: LinearModel::new(
            speech::MAGIC,
            "cross-fit",
            THRESHOLD,
            train_weights(&refs, epochs),
        ),
        indirect_threshold: INDIRECT_THRESHOLD,
    };
    (cues, speech)
}

/// Every article of `docs` through the stage it would meet as new text:
/// the articles of each of `k` folds (`fold_of`) go through a cue detector
/// and speech filter trained on the other folds only
/// ([`stage_trained_on`]), and `each(models, d, doc)` sees every article
/// once, fold by fold. What a model downstream of the two learns from or
/// is measured on (`train confidence --cross-fit`, `train quotes
/// --held-out-stage`).
pub(super) fn through_held_out_stage(
    docs: &[EntityDoc],
    k: usize,
    fold_of: impl Fn(usize) -> usize + Copy,
    epochs: usize,
    mut each: impl FnMut(Models<'_>, usize, &EntityDoc),
) {
    let cue_examples = CueExamples::gather(docs);
    for fold in 0..k {
        let (cues, speech) = stage_trained_on(docs, &cue_examples, |d| fold_of(d) != fold, epochs);
        let models = Models {
            cues: Some(&cues),
            speech: Some(&speech),
            ..Models::default()
        };
        for (d, doc) in docs.iter().enumerate().filter(|(d, _)| fold_of(*d) == fold) {
            each(models, d, doc);
        }
    }
}

/// Thresholds cross-validation reports.
const THRESHOLDS: [f32; 7] = [-8.0, -6.0, -4.0, -2.0, 0.0, 2.0, 4.0];

/// One quote the stage found.
struct Example {
    doc: usize,
    /// Indirect speech (the rest are quotations in marks).
    indirect: bool,
    speech: bool,
    features: Vec<u64>,
}

/// Trains an averaged binary perceptron on `examples`, one for the
/// quotations in marks and one for indirect speech: their features are
/// apart, and training them apart keeps each one's averaging its own.
fn train_weights(examples: &[&Example], epochs: usize) -> Weights {
    let mut weights = Weights::default();
    for indirect in [false, true] {
        let part: Vec<&Example> = examples
            .iter()
            .copied()
            .filter(|e| e.indirect == indirect)
            .collect();
        weights.extend(super::averaged::train_binary(
            part.len(),
            epochs,
            0x9e37_79b9_7f4a_7c15,
            |i| (&part[i].features, part[i].speech),
        ));
    }
    weights
}

/// The stage's quotes of the articles `keep` admits, under `base` (no
/// filter), as examples: positive when they overlap a gold content.
fn examples_of(docs: &[EntityDoc], keep: impl Fn(usize) -> bool, base: Models<'_>) -> Vec<Example> {
    let mut examples = Vec::new();
    for (d, doc) in docs.iter().enumerate().filter(|&(d, _)| keep(d)) {
        let starts: Vec<usize> = doc.text.char_indices().map(|(b, _)| b).collect();
        for (q, features) in speech_sites(&doc.text, &doc.entities, base) {
            let span = char_span(&starts, q.span);
            examples.push(Example {
                doc: d,
                indirect: q.kind == QuoteKind::Indirect,
                speech: doc.gold.iter().any(|g| overlaps(span, &g.content)),
                features,
            });
        }
    }
    examples
}

/// The filters cross-validation compares, trained on `examples`: one
/// threshold for both kinds at each of [`THRESHOLDS`], then `--threshold`
/// for the quotations and each of [`THRESHOLDS`] for indirect speech.
fn filters(examples: &[&Example], args: &TrainSpeechArgs) -> Vec<SpeechModel> {
    let weights = train_weights(examples, args.split.epochs);
    let pairs = THRESHOLDS
        .iter()
        .map(|&t| (t, t))
        .chain(THRESHOLDS.iter().map(|&t| (args.threshold, t)));
    pairs
        .map(|(quoted, indirect)| SpeechModel {
            linear: LinearModel::new(speech::MAGIC, &args.version, quoted, weights.clone()),
            indirect_threshold: indirect,
        })
        .collect()
}

/// The row labels of [`filters`] under a base row `base`.
fn filter_labels(base: &str, args: &TrainSpeechArgs) -> Vec<String> {
    let mut labels = threshold_labels(base, &THRESHOLDS);
    labels.extend(
        THRESHOLDS
            .iter()
            .map(|t| format!("{} / indirect {t}", args.threshold)),
    );
    labels
}

/// `--cv K --nested-cues ...`: per fold and cue threshold, the cue detector
/// trained on the other folds, the filter trained on the quotes that
/// detector finds in the other folds, the fold scored with the detector
/// alone and under the filter at each threshold.
fn nested_cv(docs: &[EntityDoc], k: usize, args: &TrainSpeechArgs) -> String {
    type Stage = (Rc<CueModel>, Option<SpeechModel>);
    let cue_examples = CueExamples::gather(docs);
    let mut report = String::new();
    for &cue_threshold in &args.nested_cues {
        let lines = per_row_cv(
            docs,
            k,
            |d| args.split.fold(d, k),
            &filter_labels(&format!("cues {cue_threshold}"), args),
            |fold| {
                let train = |d: usize| args.split.fold(d, k) != fold;
                let cues = Rc::new(
                    cue_examples
                        .train(
                            train,
                            args.cue_min_count,
                            args.split.epochs,
                            "nested",
                            &[cue_threshold],
                        )
                        .remove(0),
                );
                let base = Models {
                    cues: Some(&cues),
                    ..Models::default()
                };
                let examples = examples_of(docs, train, base);
                let refs: Vec<&Example> = examples.iter().collect();
                base_then(filters(&refs, args))
                    .map(|speech| (Rc::clone(&cues), speech))
                    .collect::<Vec<Stage>>()
            },
            |(cues, speech): &Stage| Models {
                cues: Some(cues),
                speech: speech.as_ref(),
                ..Models::default()
            },
        );
        report.push_str(&lines);
    }
    report
}

/// Runs `newsenrich train speech`.
pub fn run_command(args: &TrainSpeechArgs, out: &mut dyn std::io::Write) -> Result<(), EvalError> {
    let mut say = |s: String| out.write_all(s.as_bytes()).map_err(EvalError::Output);
    let docs = entity_docs(&args.split)?;
    if let (Some(k), false) = (args.split.cv, args.nested_cues.is_empty()) {
        let k = usize::from(k.max(2));
        let lines = nested_cv(&docs, k, args);
        return say(format!(
            "{k}-fold document-level cross-validation on {} ({} epochs; cue detector (min count {}) and filter both trained on the other folds, speakers by the rules): quotes of the learned cues at each cue threshold, without the filter and with it at each threshold\n{lines}",
            args.split.train.display(),
            args.split.epochs,
            args.cue_min_count,
        ));
    }
    let upstream = Upstream::load(&args.upstream)?;
    let base = Models {
        cues: upstream.models().cues,
        ..Models::default()
    };
    let examples = examples_of(&docs, |_| true, base);
    let positives = examples.iter().filter(|e| e.speech).count();
    say(format!(
        "{} articles, {} quotes ({} overlapping a gold content)\n",
        docs.len(),
        examples.len(),
        positives
    ))?;
    if let Some(k) = args.split.cv {
        let k = usize::from(k.max(2));
        let lines = per_row_cv(
            &docs,
            k,
            |d| args.split.fold(d, k),
            &filter_labels("no filter", args),
            |fold| {
                let train: Vec<&Example> = examples
                    .iter()
                    .filter(|e| args.split.fold(e.doc, k) != fold)
                    .collect();
                // The detector travels with each filter: a closure returning
                // models of any borrow's lifetime cannot capture `base`.
                base_then(filters(&train, args))
                    .map(|speech| (base.cues, speech))
                    .collect()
            },
            |(cues, speech): &(Option<&CueModel>, Option<SpeechModel>)| Models {
                cues: *cues,
                speech: speech.as_ref(),
                ..Models::default()
            },
        );
        return say(format!(
            "{k}-fold document-level cross-validation on {} ({} epochs; learned cues, speakers by the rules): quotes without the speech filter and with it at each threshold\n{lines}",
            args.split.train.display(),
            args.split.epochs,
        ));
    }
    let all: Vec<&Example> = examples.iter().collect();
    let weights = train_weights(&all, args.split.epochs);
    let model = SpeechModel {
        linear: LinearModel::new(speech::MAGIC, &args.version, args.threshold, weights),
        indirect_threshold: args.indirect_threshold,
    };
    let bytes = model.to_bytes();
    say(super::write_linear(&args.out, &bytes, &model.linear)?)
}
