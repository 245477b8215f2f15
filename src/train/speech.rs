//! `newsenrich train speech`: the speech filter of the quotation stage
//! ([`crate::pipeline::quotes::speech`]), learned from PolNeAR.
//!
//! Every article of the split goes through the entity stage (text, cleaning
//! skipped) and then the quotation stage with the embedded cue detector
//! (`models/cues.bin`, so train that first) and the rules' speakers; every
//! quote it finds (direct, mixed or indirect) is an example, positive when
//! it overlaps a gold content (quoted or not: dropping it would cost a
//! found attribution either way). A binary perceptron, averaged, is trained for
//! `--epochs` passes in a shuffled order with a fixed seed.
//!
//! `--cv K` reports K-fold document-level cross-validation (document `d` in
//! fold `d mod K`; the filter trained on the other folds) of the whole
//! stage as `eval quotes` scores it, without the filter and with it at each
//! threshold. The cue detector under it is the embedded one, trained on
//! the whole split: the filter is cross-validated, the quotes it sees are
//! those the shipped detector lets through. Without `--cv` the model is
//! trained on the whole split and written to `--out`.

use std::path::PathBuf;

use super::polnear::{PolnearSplit, entity_docs, threshold_cv};
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
    /// Quotations scoring at or below this are dropped (stored in the
    /// model; chosen by `--cv`).
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    pub threshold: f32,
    /// Where to write the model.
    #[arg(long, default_value = "models/speech.bin")]
    pub out: PathBuf,
    /// Version string stored in the model (reported by `GetServiceInfo`).
    #[arg(long, default_value = "speech-polnear-1")]
    pub version: String,
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

/// Runs `newsenrich train speech`.
pub fn run_command(args: &TrainSpeechArgs, out: &mut dyn std::io::Write) -> Result<(), EvalError> {
    let mut say = |s: String| out.write_all(s.as_bytes()).map_err(EvalError::Output);
    let docs = entity_docs(&args.split)?;
    let base = Models {
        cues: CueModel::embedded(),
        ..Models::default()
    };
    let mut examples = Vec::new();
    for (d, doc) in docs.iter().enumerate() {
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
    let positives = examples.iter().filter(|e| e.speech).count();
    say(format!(
        "{} articles, {} quotes ({} overlapping a gold content)\n",
        docs.len(),
        examples.len(),
        positives
    ))?;
    if let Some(k) = args.split.cv {
        let k = usize::from(k.max(2));
        let lines = threshold_cv(
            &docs,
            k,
            &THRESHOLDS,
            ("no filter", base),
            |fold| {
                let train: Vec<&Example> = examples.iter().filter(|e| e.doc % k != fold).collect();
                let weights = train_weights(&train, args.split.epochs);
                THRESHOLDS
                    .iter()
                    .map(|&t| SpeechModel {
                        linear: LinearModel::new(speech::MAGIC, &args.version, t, weights.clone()),
                    })
                    .collect()
            },
            |model| Models {
                speech: Some(model),
                ..base
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
    let model = LinearModel::new(speech::MAGIC, &args.version, args.threshold, weights);
    let bytes = model.to_bytes();
    std::fs::write(&args.out, &bytes).map_err(|source| EvalError::Io {
        path: args.out.clone(),
        source,
    })?;
    say(format!(
        "wrote {} ({} weights, {} bytes, version {})\n",
        args.out.display(),
        model.weights.len(),
        bytes.len(),
        model.version
    ))
}
