//! `newsenrich train text-content`: the learned block classifier of the
//! plain-text cleaner ([`crate::pipeline::cleaning::scorer`]), learned from
//! the trafilatura evaluation set flattened to text.
//!
//! Every page is flattened as the text mode of `eval cleaning` flattens it
//! ([`naive_text`]) and goes through the text path up to the classifier
//! ([`Pipeline::text_block_features`]): its blocks, their features and the
//! rule cleaner's verdicts. Blocks are labelled from the page's `with` and
//! `without` segments by [`label`], as the HTML scorer's blocks are; the
//! learner, the two-pass training and the site-grouped folds are those of
//! [`super::content`], with the rule cleaner's verdict in place of the
//! extractor's choice for weak labels.
//!
//! `--cv K` reports K-fold cross-validation with the pages grouped by site:
//! per fold, a model trained on the other folds' pages is put in the text
//! pipeline, and the fold's pages go through the **whole** text path with
//! it at each threshold of a grid, scored with the `eval cleaning` metric;
//! the pooled figures are printed next to those of the rule cleaner alone
//! on the same pages. Without `--cv`, the model is trained on every page
//! and written to `--out`.

use std::path::PathBuf;

use rayon::prelude::*;

use super::content::{
    BlockTrainArgs, PageBlocks, THRESHOLDS, article, block_counts, label, row, save, site_key,
    train_model,
};
use crate::eval::EvalError;
use crate::eval::cleaning::{Counts, EvalPage, Mode, eval_pipeline, evaluate_with, naive_text};
use crate::pipeline::Pipeline;
use crate::pipeline::cleaning::Verdict;
use crate::pipeline::cleaning::scorer::{Group, MAGIC, context_features};
use crate::pipeline::linear::{LinearModel, Weights};

/// Flags of `newsenrich train text-content`.
#[derive(Debug, clap::Args)]
pub struct TrainTextContentArgs {
    /// How blocks are learned and cross-validated.
    #[command(flatten)]
    pub learn: BlockTrainArgs,
    /// Blocks scoring above this are body (stored in the model; chosen by
    /// `--cv`).
    #[arg(long, default_value_t = 0.25, allow_hyphen_values = true)]
    pub threshold: f32,
    /// Feature groups to leave out (ablation).
    #[arg(long, value_enum)]
    pub without: Vec<Group>,
    /// Where to write the model.
    #[arg(long, default_value = "models/text-content.bin")]
    pub out: PathBuf,
    /// Version string stored in the model (reported by `GetServiceInfo`).
    #[arg(long, default_value = "text-content-trafeval-3")]
    pub version: String,
}

/// Reads and flattens every page and computes its blocks, features and
/// labels, with the rules' verdicts as the weak labels.
fn gather(
    pipeline: &Pipeline,
    pages: &[EvalPage],
    without: &[Group],
) -> Result<Vec<PageBlocks<()>>, EvalError> {
    pages
        .par_iter()
        .map(|page| {
            let flat = naive_text(pipeline, &page.html()?);
            let found = pipeline.text_block_features(&article(page, String::new()), &flat, without);
            let labels = found
                .blocks
                .iter()
                .map(|t| label(t, &page.with, &page.without))
                .collect();
            Ok(PageBlocks {
                site: site_key(&page.url),
                extractor: found.rules.iter().map(|v| *v == Verdict::Body).collect(),
                texts: found.blocks,
                extra: (),
                features: found.features,
                labels,
            })
        })
        .collect()
}

/// The second pass's features of a page's blocks.
fn context(_: &PageBlocks<()>, first: &[f32]) -> Vec<Vec<u64>> {
    context_features(first)
}

/// Runs `newsenrich train text-content`.
pub fn run_command(
    args: &TrainTextContentArgs,
    out: &mut dyn std::io::Write,
) -> Result<(), EvalError> {
    let mut say = |s: String| out.write_all(s.as_bytes()).map_err(EvalError::Output);
    let learn = &args.learn;
    let pages = learn.pages()?;
    let rules = eval_pipeline()?.with_text_model(None);
    let blocks = gather(&rules, &pages, &args.without)?;
    say(block_counts(&blocks))?;
    let stamp = LinearModel::new(MAGIC, &args.version, args.threshold, Weights::default());
    let Some(k) = learn.cv else {
        let all: Vec<&PageBlocks<()>> = blocks.iter().collect();
        return say(save(&train_model(&all, learn, &stamp, context), &args.out)?);
    };
    let k = usize::from(k.max(2));
    let mut by_threshold = [Counts::default(); THRESHOLDS.len()];
    let mut current = Counts::default();
    let mut every = Counts::default();
    let mut oracle = Counts::default();
    let mut report = String::new();
    for fold in 0..k {
        let train: Vec<&PageBlocks<()>> = blocks
            .iter()
            .filter(|p| p.fold(k, learn.fold_seed) != fold)
            .collect();
        let mut model = train_model(&train, learn, &stamp, context);
        let test: Vec<usize> = (0..pages.len())
            .filter(|&i| blocks[i].fold(k, learn.fold_seed) == fold)
            .collect();
        let test_pages: Vec<EvalPage> = test.iter().map(|&i| pages[i].clone()).collect();
        for &i in &test {
            let (page, b) = (&pages[i], &blocks[i]);
            let (e, o) = b.ceilings(page);
            every = every + e;
            oracle = oracle + o;
        }
        let (r, _) = evaluate_with(&rules, &test_pages, Mode::Text, false)?;
        current = current + r.first().map(|r| r.counts).unwrap_or_default();
        for (c, &t) in by_threshold.iter_mut().zip(&THRESHOLDS) {
            model.linear.parameter = t;
            let verbose = learn.verbose && t == args.threshold;
            let with_model = rules.clone().with_text_model(Some(model.clone()));
            let (r, text) = evaluate_with(&with_model, &test_pages, Mode::Text, verbose)?;
            report.push_str(&text);
            *c = *c + r.first().map(|r| r.counts).unwrap_or_default();
        }
    }
    let mut lines = format!(
        "{:<34} {:>6} {:>6} {:>6} {:>9} {:>7} {:>7}\n",
        "", "tp", "fp", "fn", "precision", "recall", "F1"
    );
    lines.push_str(&row("text pipeline, rules only", &current));
    for (c, t) in by_threshold.iter().zip(THRESHOLDS) {
        lines.push_str(&row(&format!("text pipeline, classifier at {t}"), c));
    }
    lines.push_str(&row("every block (the recall ceiling)", &every));
    lines.push_str(&row("every block not labelled boilerplate", &oracle));
    let without: Vec<String> = args.without.iter().map(|g| format!("{g:?}")).collect();
    say(format!(
        "{report}{k}-fold cross-validation, pages grouped by site ({:?}, {} passes, {} epochs, rate {}, weak {}, without [{}]{})\n{lines}",
        learn.learner,
        learn.passes,
        learn.epochs,
        learn.rate,
        learn.weak,
        without.join(", "),
        learn.variants()
    ))
}
