//! What the quote stage's two trainers (`train cues`, `train quotes`)
//! share: the flags naming a PolNeAR split and its cross-validation, and
//! the pass that runs every article of the split through the entity stage.

use std::path::PathBuf;

use crate::eval::EvalError;
use crate::eval::quotes::{GoldAttribution, load_polnear, polnear_input, polnear_pipeline};
use crate::pipeline::entities::Entity;
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
            })
        })
        .collect()
}
