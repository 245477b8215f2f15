//! What the quote stage's trainers (`train cues`, `train speech`, `train
//! quotes`) share: the flags naming a PolNeAR split and its
//! cross-validation, the pass that runs every article of the split through
//! the entity stage, and the cross-validation of the whole stage with a
//! learned model at each of a grid of thresholds (`train cues --cv`,
//! `train speech --cv`).

use std::path::PathBuf;

use super::quotes::char_span;
use crate::eval::EvalError;
use crate::eval::quotes::{
    GoldAttribution, Predicted, SetScore, load_polnear, polnear_input, polnear_pipeline,
    score_article,
};
use crate::pipeline::entities::Entity;
use crate::pipeline::linear::ModelError;
use crate::pipeline::quotes::cue_model::CueModel;
use crate::pipeline::quotes::speech::SpeechModel;
use crate::pipeline::quotes::{Models, Quote, QuoteKind, extract_ranked};
use crate::pipeline::{Budget, EnrichOptions, Enricher, Feature, Features};

/// The split, cross-validation and passes of a PolNeAR trainer.
#[derive(Debug, clap::Args)]
pub struct PolnearSplit {
    /// A PolNeAR split folder (`text/`, `attributions/`) to train on.
    #[arg(long)]
    pub train: PathBuf,
    /// Report K-fold document-level cross-validation on `--train` instead
    /// of writing a model.
    #[arg(long)]
    pub cv: Option<u8>,
    /// Passes over the examples.
    #[arg(long, default_value_t = 10)]
    pub epochs: usize,
    /// In `--cv`, another assignment of documents to folds (0, the
    /// default, is the one every figure in docs/ was measured with): repeat
    /// the cross-validation with a few seeds to see how much of a
    /// difference is the fold split.
    #[arg(long, default_value_t = 0)]
    pub fold_seed: u64,
}

impl PolnearSplit {
    /// The fold among `k` of document `doc` (its index in the split).
    pub fn fold(&self, doc: usize, k: usize) -> usize {
        super::fold_of(doc as u64, k, self.fold_seed)
    }
}

/// The models a trainer runs the stage with, read from files instead of
/// the embedded ones (so a chain of models is measured without a rebuild:
/// `train cues --out /tmp/c.bin`, then `train speech --cues /tmp/c.bin`).
#[derive(Debug, Default, clap::Args)]
pub struct UpstreamFiles {
    /// The cue detector to run the stage with (default: the embedded one).
    #[arg(long)]
    pub cues: Option<PathBuf>,
    /// The speech filter to run the stage with (default: the embedded one;
    /// `train quotes` only).
    #[arg(long)]
    pub speech: Option<PathBuf>,
}

/// The upstream models, read or embedded.
pub struct Upstream {
    cues: Option<CueModel>,
    speech: Option<SpeechModel>,
}

impl Upstream {
    /// Reads the files `files` names.
    pub fn load(files: &UpstreamFiles) -> Result<Upstream, EvalError> {
        let read = |path: &PathBuf| {
            std::fs::read(path).map_err(|source| EvalError::Io {
                path: path.clone(),
                source,
            })
        };
        let bad = |path: &PathBuf, e: ModelError| EvalError::Format {
            path: path.clone(),
            problem: e.to_string(),
        };
        let cues = match &files.cues {
            Some(p) => Some(CueModel::from_bytes(&read(p)?).map_err(|e| bad(p, e))?),
            None => None,
        };
        let speech = match &files.speech {
            Some(p) => Some(SpeechModel::from_bytes(&read(p)?).map_err(|e| bad(p, e))?),
            None => None,
        };
        Ok(Upstream { cues, speech })
    }

    /// The stage's models: the cue detector and the speech filter read, or
    /// else embedded; no speaker ranker and no calibration.
    pub fn models(&self) -> Models<'_> {
        Models {
            cues: self.cues.as_ref().or_else(|| CueModel::embedded()),
            speech: self.speech.as_ref().or_else(|| SpeechModel::embedded()),
            speaker: None,
            confidence: None,
        }
    }
}

/// One article after the entity stage: the text the stage saw (cleaning
/// skipped, so offsets index the corpus text), its entities and the gold
/// attributions.
pub struct EntityDoc {
    /// The text.
    pub text: String,
    /// The entity stage's entities.
    pub entities: Vec<Entity>,
    /// Gold attributions.
    pub gold: Vec<GoldAttribution>,
    /// Who annotated them (`PolnearArticle::annotator`).
    pub annotator: String,
}

/// Every annotated article of the split, through the entity stage, in name
/// order (document `d` of a cross-validation is the `d`-th).
pub fn entity_docs(split: &PolnearSplit) -> Result<Vec<EntityDoc>, EvalError> {
    let pipeline = polnear_pipeline()?;
    let options = EnrichOptions {
        skip_cleaning: true,
        features: [Feature::Entities].into_iter().collect::<Features>(),
        ..EnrichOptions::default()
    };
    load_polnear(&split.train)?
        .into_iter()
        .map(|art| {
            let enriched = pipeline
                .enrich(&polnear_input(&art), &options, &Budget::unlimited())
                .map_err(|e| EvalError::Format {
                    path: split.train.join("text").join(&art.name),
                    problem: e.to_string(),
                })?;
            Ok(EntityDoc {
                text: enriched.document.text().to_owned(),
                entities: enriched.entities,
                gold: art.gold,
                annotator: art.annotator,
            })
        })
        .collect()
}

/// The stage's quotes of `text` as `eval quotes` scores them: character
/// spans (PolNeAR's offsets) of each quote and its speaker.
pub fn predictions(text: &str, quotes: &[Quote]) -> Vec<Predicted> {
    let starts: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
    quotes
        .iter()
        .map(|q| Predicted {
            span: char_span(&starts, q.span),
            speaker: q.speaker_span.map(|s| char_span(&starts, s)),
            quoted: q.kind != QuoteKind::Indirect,
        })
        .collect()
}

/// The stage's quotes of `doc` with `models`, scored into `quoted` and
/// `all` as `eval quotes` scores them.
fn score_doc(doc: &EntityDoc, models: Models<'_>, quoted: &mut SetScore, all: &mut SetScore) {
    let budget = Budget::unlimited();
    let quotes = extract_ranked(&doc.text, &doc.entities, &mut budget.meter(), models, None);
    let predicted = predictions(&doc.text, &quotes);
    score_article(&doc.gold, &predicted, true, quoted);
    score_article(&doc.gold, &predicted, false, all);
}

/// One row of a cross-validation table: the quoted and all scores.
fn row(label: &str, quoted: &SetScore, all: &SetScore) -> String {
    format!(
        "{label:<16} quoted P {:.4} R {:.4} F1 {:.4} speaker {:.4}  all P {:.4} R {:.4} F1 {:.4} speaker {:.4}\n",
        quoted.precision(),
        quoted.recall(),
        quoted.f1(),
        quoted.speaker_accuracy(),
        all.precision(),
        all.recall(),
        all.f1(),
        all.speaker_accuracy()
    )
}

/// K-fold document-level cross-validation of the whole quote stage, one
/// row a configuration (document `d` in fold `fold_of(d)`): `fold_models(fold)`
/// trains on the other folds and gives one model set a row of `labels`, in
/// order, and `with(model)` the stage's models with it. Every document of a
/// fold is scored with each, as `eval quotes` scores it; returns the table.
pub fn per_row_cv<M>(
    docs: &[EntityDoc],
    k: usize,
    fold_of: impl Fn(usize) -> usize,
    labels: &[String],
    mut fold_models: impl FnMut(usize) -> Vec<M>,
    with: impl for<'m> Fn(&'m M) -> Models<'m>,
) -> String {
    let mut scores = vec![(SetScore::default(), SetScore::default()); labels.len()];
    for fold in 0..k {
        let models = fold_models(fold);
        debug_assert_eq!(models.len(), labels.len());
        for (_, doc) in docs.iter().enumerate().filter(|(d, _)| fold_of(*d) == fold) {
            for (score, model) in scores.iter_mut().zip(&models) {
                score_doc(doc, with(model), &mut score.0, &mut score.1);
            }
        }
    }
    scores
        .iter()
        .zip(labels)
        .map(|(s, label)| row(label, &s.0, &s.1))
        .collect()
}

/// The models of a threshold grid's rows: `None` for the base row (the
/// stage without the model being chosen), then each of `models`.
pub fn base_then<M>(models: Vec<M>) -> impl Iterator<Item = Option<M>> {
    std::iter::once(None).chain(models.into_iter().map(Some))
}

/// The row labels of a threshold grid under a base row: `base`, then
/// `threshold t` for each of `thresholds`.
pub fn threshold_labels(base: &str, thresholds: &[f32]) -> Vec<String> {
    std::iter::once(base.to_owned())
        .chain(thresholds.iter().map(|t| format!("threshold {t}")))
        .collect()
}
