//! `newsenrich train confidence`: the quote stage's confidence calibration
//! ([`crate::pipeline::quotes::confidence`]), learned from PolNeAR.
//!
//! Every article of the split goes through the entity stage and the whole
//! quote stage; each quote it returns is an example, labelled right when
//! its words overlap an annotated content (what `eval quotes` counts as a
//! right prediction). The shipped cue detector and speech filter were
//! trained on this split and are right more often on it than on new text
//! (94% of their quotes on train, 85% on dev), so a calibration learned
//! from their quotes here would be overconfident: with `--cross-fit K`
//! (default 5) the articles of each of K folds (by document) go through a
//! cue detector and a speech filter trained, as the shipped ones are, on
//! the other folds only. The speaker ranker is the shipped one. With
//! `--cross-fit 0` the shipped (or `--cues`, `--speech`) models are used.
//! Logistic regression by stochastic gradient, weights averaged over every
//! step, `--epochs` passes in a shuffled order with a fixed seed, so the
//! model file is the same byte for byte on every run.
//!
//! `--cv K` reports K-fold document-level cross-validation of the
//! calibration: each fold's quotes get the probability of a model trained
//! on the other folds, and the pooled expected calibration error, Brier
//! score and reliability table are printed next to those of the rules'
//! score. Without `--cv`, the model is trained on every article and
//! written to `--out`.
//!
//! `eval quotes` reports the calibration on dev, which no model saw.

use std::path::PathBuf;

use super::averaged::Averaged;
use super::ner::Rng;
use super::polnear::{EntityDoc, PolnearSplit, Upstream, UpstreamFiles, entity_docs, predictions};
use super::speech::through_held_out_stage;
use crate::eval::EvalError;
use crate::eval::quotes::{Calibration, SetScore, score_article};
use crate::pipeline::Budget;
use crate::pipeline::linear::{LinearModel, Weights};
use crate::pipeline::quotes::confidence::{self, ConfidenceModel, MAGIC, logistic};
use crate::pipeline::quotes::ranker::SpeakerModel;
use crate::pipeline::quotes::{Models, extract_ranked};

/// Flags of `newsenrich train confidence`.
#[derive(Debug, clap::Args)]
pub struct TrainConfidenceArgs {
    /// The split, cross-validation and passes.
    #[command(flatten)]
    pub split: PolnearSplit,
    /// Run each of this many folds of articles through a cue detector and
    /// speech filter trained on the others (0: the shipped ones).
    #[arg(long, default_value_t = 5)]
    pub cross_fit: usize,
    /// Learning rate of the gradient steps.
    #[arg(long, default_value_t = 0.05)]
    pub rate: f32,
    /// Where to write the model.
    #[arg(long, default_value = "models/confidence.bin")]
    pub out: PathBuf,
    /// Version string stored in the model (reported by `GetServiceInfo`).
    #[arg(long, default_value = "confidence-polnear-15")]
    pub version: String,
    /// The cue detector and speech filter to run the stage with, if not
    /// the embedded ones.
    #[command(flatten)]
    pub upstream: UpstreamFiles,
}

/// One quote the stage returned.
struct Example {
    /// Document index.
    doc: usize,
    /// Its features.
    features: Vec<u64>,
    /// The rules' score (the confidence before calibration).
    rules: f32,
    /// Whether it overlaps an annotated content.
    right: bool,
    /// A stance, which keeps the rules' score
    /// ([`confidence::is_stance`]).
    stance: bool,
}

/// The quotes of one article, with the stage's `models`, as examples.
fn examples_of(d: usize, doc: &EntityDoc, models: Models<'_>) -> Vec<Example> {
    let budget = Budget::unlimited();
    let quotes = extract_ranked(&doc.text, &doc.entities, &mut budget.meter(), models, None);
    quotes
        .iter()
        .zip(predictions(&doc.text, &quotes))
        .map(|(q, predicted)| {
            let mut score = SetScore::default();
            score_article(&doc.gold, &[predicted], false, &mut score);
            let mut features = Vec::new();
            confidence::features(q, &mut features);
            Example {
                doc: d,
                features,
                rules: q.confidence,
                right: score.predicted_right == 1,
                stance: confidence::is_stance(q),
            }
        })
        .collect()
}

/// The examples of every article, each fold of `k` (document index modulo
/// `k`) run through a cue detector and speech filter trained on the
/// others.
fn cross_fitted(docs: &[EntityDoc], k: usize, epochs: usize) -> Vec<Example> {
    let mut examples = Vec::new();
    through_held_out_stage(
        docs,
        k,
        |d| d % k,
        epochs,
        |models, d, doc| {
            let models = Models {
                speaker: SpeakerModel::embedded(),
                ..models
            };
            examples.extend(examples_of(d, doc, models));
        },
    );
    examples.sort_by_key(|e| e.doc);
    examples
}

/// Logistic regression over `examples`: `epochs` passes in a fixed
/// shuffled order, the weights averaged over every step.
fn train_weights(examples: &[&Example], epochs: usize, rate: f32) -> Weights {
    let mut w = Averaged::new();
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut rng = Rng(0x5851_f42d_4c95_7f2d);
    for _ in 0..epochs {
        rng.shuffle(&mut order);
        for &i in &order {
            let e = examples[i];
            let error = f32::from(u8::from(e.right)) - logistic(w.score(&e.features));
            w.add(&e.features, rate * error);
            w.tick();
        }
    }
    w.averaged()
}

/// Runs `newsenrich train confidence`.
pub fn run_command(
    args: &TrainConfidenceArgs,
    out: &mut dyn std::io::Write,
) -> Result<(), EvalError> {
    let mut say = |s: String| out.write_all(s.as_bytes()).map_err(EvalError::Output);
    let docs = entity_docs(&args.split)?;
    let upstream = Upstream::load(&args.upstream)?;
    let examples = if args.cross_fit >= 2 {
        cross_fitted(&docs, args.cross_fit, args.split.epochs)
    } else {
        let models = Models {
            speaker: SpeakerModel::embedded(),
            ..upstream.models()
        };
        docs.iter()
            .enumerate()
            .flat_map(|(d, doc)| examples_of(d, doc, models))
            .collect()
    };
    let right = examples.iter().filter(|e| e.right).count();
    say(format!(
        "{} articles, {} quotes ({} overlapping an annotated content)\n",
        docs.len(),
        examples.len(),
        right
    ))?;
    if let Some(k) = args.split.cv {
        let k = usize::from(k.max(2));
        let (mut rules, mut calibrated) = (Calibration::default(), Calibration::default());
        let (mut rules_speech, mut calibrated_speech) =
            (Calibration::default(), Calibration::default());
        for fold in 0..k {
            let train: Vec<&Example> = examples
                .iter()
                .filter(|e| !e.stance && args.split.fold(e.doc, k) != fold)
                .collect();
            let model = LinearModel::new(
                MAGIC,
                "cv",
                0.0,
                train_weights(&train, args.split.epochs, args.rate),
            );
            for e in examples
                .iter()
                .filter(|e| args.split.fold(e.doc, k) == fold)
            {
                rules.add(e.rules, e.right);
                let p = if e.stance {
                    e.rules
                } else {
                    logistic(model.score(&e.features))
                };
                calibrated.add(p, e.right);
                if !e.stance {
                    rules_speech.add(e.rules, e.right);
                    calibrated_speech.add(p, e.right);
                }
            }
        }
        return say(format!(
            "{k}-fold document-level cross-validation on {} ({} epochs, rate {}): the rules' score and the calibrated probability against whether each quote is right, over all quotes and over all but stances (which keep the rules' score)\n{}{}{}{}{}{}",
            args.split.train.display(),
            args.split.epochs,
            args.rate,
            rules.summary("rules"),
            calibrated.summary("calibrated"),
            rules_speech.summary("rules, no stances"),
            calibrated_speech.summary("calibrated, no stances"),
            rules.table(),
            calibrated.table()
        ));
    }
    let all: Vec<&Example> = examples.iter().filter(|e| !e.stance).collect();
    let model = ConfidenceModel {
        linear: LinearModel::new(
            MAGIC,
            args.version.clone(),
            0.0,
            train_weights(&all, args.split.epochs, args.rate),
        ),
    };
    let bytes = model.linear.to_bytes();
    say(super::write_linear(&args.out, &bytes, &model.linear)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example(features: Vec<u64>, right: bool) -> Example {
        Example {
            doc: 0,
            features,
            rules: 0.5,
            right,
            stance: false,
        }
    }

    #[test]
    fn the_calibration_learns_the_rate_of_right_quotes_per_feature() {
        // Feature 1: right 9 times in 10; feature 2: right 2 times in 10.
        let mut examples = Vec::new();
        for i in 0..10 {
            examples.push(example(vec![1], i < 9));
            examples.push(example(vec![2], i < 2));
        }
        let refs: Vec<&Example> = examples.iter().collect();
        let w = train_weights(&refs, 200, 0.05);
        let p = |k: u64| logistic(w.get(&k).copied().unwrap_or(0.0));
        assert!((p(1) - 0.9).abs() < 0.05, "{}", p(1));
        assert!((p(2) - 0.2).abs() < 0.05, "{}", p(2));
    }
}
