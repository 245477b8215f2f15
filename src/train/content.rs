//! `newsenrich train content`: the main-content scorer of the HTML path
//! ([`crate::pipeline::html::scorer`]), learned from the trafilatura
//! evaluation set.
//!
//! Every page goes through the HTML path up to the scorer
//! ([`Pipeline::html_block_features`]): its text blocks with their
//! features, the extractor's choice among them. The set gives per page
//! segments that must be in the main text (`with`) and segments that must
//! not (`without`), not block labels; a block is labelled **content** when
//! it holds a `with` segment or lies inside one (blocks of at least
//! [`MIN_INSIDE`] bytes), **boilerplate** when the same holds for a
//! `without` segment, and is left out when both or neither hold. With
//! `--weak W`, the unlabelled blocks join too, labelled by the extractor's
//! choice with updates of weight W. A binary averaged perceptron is
//! trained for `--epochs` passes in a shuffled order with a fixed seed, so
//! the model file is the same byte for byte on every run.
//!
//! `--cv K` reports K-fold cross-validation with the pages grouped by site
//! (all pages of a host in one fold, so no site is both trained and tested
//! on): per fold, the model is trained on the other folds' pages only, and
//! the fold's pages go through the **whole** HTML pipeline with it, scored
//! with the `eval cleaning` metric; the pooled figures are printed next to
//! those of the pipeline without the scorer on the same pages, and next to
//! the scorer's own choice (its blocks alone, before the cleaning passes)
//! at each threshold of a grid. Without `--cv`, the model is trained on
//! every page and written to `--out`.

use std::path::PathBuf;

use rayon::prelude::*;

use super::averaged::Averaged;
use super::ner::Rng;
use crate::eval::EvalError;
use crate::eval::cleaning::{
    Counts, EvalPage, Mode, eval_pipeline, evaluate_with, load_pages, score,
};
use crate::pipeline::html::dom::DomPage;
use crate::pipeline::html::scorer::{ContentModel, Group, InExtractor, MAGIC, context_features};
use crate::pipeline::linear::{LinearModel, Weights};
use crate::pipeline::{ArticleInput, Content, Pipeline};

/// Flags of `newsenrich train content`.
#[derive(Debug, clap::Args)]
pub struct TrainContentArgs {
    /// How blocks are learned and cross-validated.
    #[command(flatten)]
    pub learn: BlockTrainArgs,
    /// Blocks scoring above this are main content (stored in the model;
    /// chosen by `--cv`).
    #[arg(long, default_value_t = -0.5, allow_hyphen_values = true)]
    pub threshold: f32,
    /// Feature groups to leave out (ablation).
    #[arg(long, value_enum)]
    pub without: Vec<Group>,
    /// Where to write the model.
    #[arg(long, default_value = "models/content.bin")]
    pub out: PathBuf,
    /// Version string stored in the model (reported by `GetServiceInfo`).
    #[arg(long, default_value = "content-trafeval-1")]
    pub version: String,
}

/// Flags shared by the block classifiers' trainers (`train content`,
/// `train text-content`).
#[derive(Debug, clap::Args)]
pub struct BlockTrainArgs {
    /// The trafilatura evaluation set: a folder with evaldata.json, cache/ and eval/.
    #[arg(long, value_name = "DIR")]
    pub trafilatura_eval: PathBuf,
    /// Report K-fold cross-validation (pages grouped by site) instead of
    /// writing a model.
    #[arg(long)]
    pub cv: Option<u8>,
    /// Passes over the examples.
    #[arg(long, default_value_t = 8)]
    pub epochs: usize,
    /// Weight of the updates on unlabelled blocks, labelled by the
    /// current choice (the extractor's, or the rule cleaner's) (0: they
    /// are left out).
    #[arg(long, default_value_t = 0.0)]
    pub weak: f32,
    /// How the weights are learned.
    #[arg(long, value_enum, default_value_t = Learner::Logistic)]
    pub learner: Learner,
    /// Learning rate of the logistic learner.
    #[arg(long, default_value_t = 0.05)]
    pub rate: f32,
    /// Passes of the model: 1, or 2 (a second pass over the first pass's
    /// scores of the block's neighbours and surroundings).
    #[arg(long, default_value_t = 1)]
    pub passes: u8,
    /// Use only the first N pages (in URL order).
    #[arg(long)]
    pub limit: Option<usize>,
    /// In `--cv` of the HTML scorer, skip the whole-pipeline runs (only
    /// the scorer's own choice is scored; faster, for ablations).
    #[arg(long)]
    pub quick: bool,
    /// In `--cv`, print the segments each fold's pipeline missed and leaked.
    #[arg(long)]
    pub verbose: bool,
    /// In `--cv`, another assignment of sites to folds (0, the default,
    /// is the one every figure in docs/ was measured with): repeat the
    /// cross-validation with a few seeds to see how much of a difference
    /// is the fold split.
    #[arg(long, default_value_t = 0)]
    pub fold_seed: u64,
}

impl BlockTrainArgs {
    /// The pages of the set, the first `--limit` of them when given.
    pub(super) fn pages(&self) -> Result<Vec<EvalPage>, EvalError> {
        let mut pages = load_pages(&self.trafilatura_eval)?;
        if let Some(limit) = self.limit {
            pages.truncate(limit);
        }
        Ok(pages)
    }
}

/// A learner of linear weights, both averaged over every step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Learner {
    /// The averaged perceptron: an update on every mistake.
    Perceptron,
    /// Logistic regression by stochastic gradient, averaged: an update of
    /// `rate` times the error of the predicted probability on every example.
    Logistic,
}

/// Fewest bytes of a block that lies inside a segment to take its label
/// (shorter ones, "Home", "Share", occur inside anything).
pub const MIN_INSIDE: usize = 12;

/// Thresholds cross-validation reports for the scorer's own choice.
pub(super) const THRESHOLDS: [f32; 9] = [-2.0, -1.0, -0.5, -0.25, 0.0, 0.25, 0.5, 1.0, 2.0];

/// One page's blocks.
pub(super) struct PageBlocks<X> {
    /// Its fold key: a hash of its host ([`site_key`]).
    pub site: u64,
    pub texts: Vec<String>,
    /// What the second pass's features need besides the scores (the
    /// page's DOM blocks, texts moved out to `texts`).
    pub extra: X,
    pub features: Vec<Vec<u64>>,
    /// Per block: `Some(true)` content, `Some(false)` boilerplate, `None`
    /// unlabelled.
    pub labels: Vec<Option<bool>>,
    /// Per block: whether the current choice (the extractor's, the rule
    /// cleaner's) keeps it (for weak labels).
    pub extractor: Vec<bool>,
}

impl<X> PageBlocks<X> {
    /// The fold of this page among `k` (all pages of a site in one) in
    /// the assignment `seed` (`--fold-seed`; 0 is the site key modulo `k`).
    pub fn fold(&self, k: usize, seed: u64) -> usize {
        super::fold_of(self.site, k, seed)
    }

    /// The bounds of any block choice on `page`, scored: every block kept
    /// (the recall ceiling), and every block not labelled boilerplate.
    pub fn ceilings(&self, page: &EvalPage) -> (Counts, Counts) {
        let every = score(&self.texts.join("\n"), &page.with, &page.without).counts;
        let labelled: Vec<&str> = self
            .texts
            .iter()
            .zip(&self.labels)
            .filter(|(_, l)| **l != Some(false))
            .map(|(t, _)| t.as_str())
            .collect();
        let oracle = score(&labelled.join("\n"), &page.with, &page.without).counts;
        (every, oracle)
    }
}

/// A page's fold key: a hash of its URL's host, so that every page of a
/// site lands in the same fold.
pub(super) fn site_key(url: &str) -> u64 {
    crate::pipeline::entities::features::text(host(url).as_bytes())
}

/// Labelled, unlabelled and content blocks of `pages`, as a line.
pub(super) fn block_counts<X>(pages: &[PageBlocks<X>]) -> String {
    let count = |keep: fn(&Option<bool>) -> bool| -> usize {
        pages
            .iter()
            .map(|p| p.labels.iter().filter(|l| keep(l)).count())
            .sum()
    };
    let all: usize = pages.iter().map(|p| p.texts.len()).sum();
    format!(
        "{} pages, {all} blocks, {} labelled ({} content)\n",
        pages.len(),
        count(Option::is_some),
        count(|l| *l == Some(true)),
    )
}

/// The label of a block of text `block` from a page's segments (see the
/// module documentation).
pub fn label(block: &str, with: &[String], without: &[String]) -> Option<bool> {
    let touches =
        |s: &String| block.contains(s.as_str()) || (block.len() >= MIN_INSIDE && s.contains(block));
    match (with.iter().any(touches), without.iter().any(touches)) {
        (true, false) => Some(true),
        (false, true) => Some(false),
        _ => None,
    }
}

/// The host of a URL (what follows `//` up to the next `/`), without `www.`.
fn host(url: &str) -> &str {
    let rest = url.split_once("//").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    host.strip_prefix("www.").unwrap_or(host)
}

pub(super) fn article(page: &EvalPage, html: String) -> ArticleInput {
    ArticleInput {
        id: page.file.clone(),
        url: Some(page.url.clone()),
        title: None,
        content: Content::Html(html),
        published_at: None,
        language: None,
        time_zone: chrono_tz::UTC,
    }
}

/// Reads every page and computes its blocks, features and labels.
fn gather(
    pipeline: &Pipeline,
    pages: &[EvalPage],
    without: &[Group],
) -> Result<Vec<PageBlocks<DomPage>>, EvalError> {
    pages
        .par_iter()
        .map(|page| {
            let html = page.html()?;
            let input = article(page, String::new());
            let site = site_key(&page.url);
            let Some(found) = pipeline.html_block_features(&input, &html, without) else {
                return Ok(PageBlocks {
                    site,
                    texts: Vec::new(),
                    extra: DomPage::default(),
                    features: Vec::new(),
                    labels: Vec::new(),
                    extractor: Vec::new(),
                });
            };
            let extractor = found
                .extractor
                .iter()
                .map(|s| *s >= InExtractor::Yes)
                .collect();
            let features = found.features;
            let mut dom = found.dom;
            let texts: Vec<String> = dom
                .blocks
                .iter_mut()
                .map(|b| std::mem::take(&mut b.text))
                .collect();
            let labels = texts
                .iter()
                .map(|t| label(t, &page.with, &page.without))
                .collect();
            Ok(PageBlocks {
                site,
                texts,
                extra: dom,
                features,
                labels,
                extractor,
            })
        })
        .collect()
}

/// Trains weights on the blocks of `pages` with `args.learner`, over each
/// block's features and, when given, its second-pass features (`context`,
/// per page and block).
fn train_weights<X>(
    pages: &[&PageBlocks<X>],
    context: Option<&[Vec<Vec<u64>>]>,
    args: &BlockTrainArgs,
) -> Weights {
    let (epochs, weak) = (args.epochs, args.weak);
    // (page, block, label, update weight)
    let mut examples: Vec<(usize, usize, bool, f32)> = Vec::new();
    for (p, page) in pages.iter().enumerate() {
        for (b, l) in page.labels.iter().enumerate() {
            match l {
                Some(y) => examples.push((p, b, *y, 1.0)),
                None if weak > 0.0 => {
                    examples.push((p, b, page.extractor.get(b).copied().unwrap_or(false), weak))
                }
                None => {}
            }
        }
    }
    let mut p = Averaged::new();
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut f: Vec<u64> = Vec::with_capacity(128);
    for _ in 0..epochs {
        rng.shuffle(&mut order);
        for &i in &order {
            let (page, block, y, w) = examples[i];
            let Some(own) = pages[page].features.get(block) else {
                continue;
            };
            f.clear();
            f.extend_from_slice(own);
            if let Some(c) = context.and_then(|c| c.get(page)).and_then(|c| c.get(block)) {
                f.extend_from_slice(c);
            }
            match args.learner {
                Learner::Perceptron => {
                    let y: f32 = if y { 1.0 } else { -1.0 };
                    if y * p.score(&f) <= 0.0 {
                        p.add(&f, y * w);
                    }
                }
                Learner::Logistic => {
                    let probability = 1.0 / (1.0 + (-p.score(&f)).exp());
                    let error = f32::from(u8::from(y)) - probability;
                    p.add(&f, args.rate * w * error);
                }
            }
            p.tick();
        }
    }
    p.averaged()
}

/// A model trained on `pages`, its kind, threshold and version those of
/// `stamp` (a model without weights): the
/// first pass on all of them; with `args.passes` 2, the second pass over
/// first-pass scores cross-fitted (each half of the sites scored by a
/// first pass trained on the other half, so the second pass learns from
/// scores like those of unseen pages), its features given by `context`.
pub(super) fn train_model<X: Sync>(
    pages: &[&PageBlocks<X>],
    args: &BlockTrainArgs,
    stamp: &LinearModel,
    context: impl Fn(&PageBlocks<X>, &[f32]) -> Vec<Vec<u64>>,
) -> ContentModel {
    let mut model = ContentModel::from_linear(LinearModel {
        weights: train_weights(pages, None, args),
        ..stamp.clone()
    });
    if args.passes < 2 {
        return model;
    }
    let half = |p: &PageBlocks<X>| (p.site >> 40) & 1;
    let halves: Vec<ContentModel> = (0..2)
        .map(|h| {
            let other: Vec<&PageBlocks<X>> =
                pages.iter().copied().filter(|p| half(p) != h).collect();
            ContentModel::new("", 0.0, train_weights(&other, None, args))
        })
        .collect();
    let context: Vec<Vec<Vec<u64>>> = pages
        .iter()
        .map(|p| {
            let first_pass = &halves[half(p) as usize];
            let first: Vec<f32> = p
                .features
                .iter()
                .map(|f| first_pass.linear.score(f))
                .collect();
            context(p, &first)
        })
        .collect();
    model.second = train_weights(pages, Some(&context), args);
    model
}

/// The text the scorer alone chooses on `page` at thresholds `(in, out)`
/// for blocks in and out of the extractor's output.
fn chosen_text(model: &ContentModel, page: &PageBlocks<DomPage>, threshold: (f32, f32)) -> String {
    let mut out = String::new();
    let scores = model.scores(&page.extra, &page.features);
    for ((t, s), chosen) in page.texts.iter().zip(scores).zip(&page.extractor) {
        if s > if *chosen { threshold.0 } else { threshold.1 } {
            out.push_str(t);
            out.push('\n');
        }
    }
    out
}

/// A line of a result table: its label and the counts' cells.
pub(super) fn row(label: &str, c: &Counts) -> String {
    format!("{label:<34} {}\n", c.cells())
}

/// Runs `newsenrich train content`.
pub fn run_command(args: &TrainContentArgs, out: &mut dyn std::io::Write) -> Result<(), EvalError> {
    let mut say = |s: String| out.write_all(s.as_bytes()).map_err(EvalError::Output);
    let learn = &args.learn;
    let pages = learn.pages()?;
    let base = eval_pipeline()?.with_content_model(None);
    let blocks = gather(&base, &pages, &args.without)?;
    say(block_counts(&blocks))?;
    let stamp = LinearModel::new(MAGIC, &args.version, args.threshold, Weights::default());
    let context = |p: &PageBlocks<DomPage>, first: &[f32]| context_features(&p.extra, first);
    if let Some(k) = learn.cv {
        let k = usize::from(k.max(2));
        let mut own = [[Counts::default(); THRESHOLDS.len()]; THRESHOLDS.len()];
        let mut whole = Counts::default();
        let mut current = Counts::default();
        let mut every = Counts::default();
        let mut oracle = Counts::default();
        for fold in 0..k {
            let train: Vec<&PageBlocks<DomPage>> = blocks
                .iter()
                .filter(|p| p.fold(k, learn.fold_seed) != fold)
                .collect();
            let model = train_model(&train, learn, &stamp, context);
            let test: Vec<usize> = (0..pages.len())
                .filter(|&i| blocks[i].fold(k, learn.fold_seed) == fold)
                .collect();
            for &i in &test {
                let page = &pages[i];
                let b = &blocks[i];
                let (e, o) = b.ceilings(page);
                every = every + e;
                oracle = oracle + o;
                for (row, &t_in) in own.iter_mut().zip(&THRESHOLDS) {
                    for (c, &t_out) in row.iter_mut().zip(&THRESHOLDS) {
                        let text = chosen_text(&model, &blocks[i], (t_in, t_out));
                        *c = *c + score(&text, &page.with, &page.without).counts;
                    }
                }
            }
            if !learn.quick {
                let test_pages: Vec<EvalPage> = test.iter().map(|&i| pages[i].clone()).collect();
                let with_model = base.clone().with_content_model(Some(model));
                let (r, report) =
                    evaluate_with(&with_model, &test_pages, Mode::Html, learn.verbose)?;
                say(report)?;
                let (b, _) = evaluate_with(&base, &test_pages, Mode::Html, false)?;
                whole = whole + r.first().map(|r| r.counts).unwrap_or_default();
                current = current + b.first().map(|r| r.counts).unwrap_or_default();
            }
        }
        let mut lines = format!(
            "{:<34} {:>6} {:>6} {:>6} {:>9} {:>7} {:>7}\n",
            "", "tp", "fp", "fn", "precision", "recall", "F1"
        );
        if !learn.quick {
            lines.push_str(&row("html pipeline, current", &current));
            lines.push_str(&row(
                &format!("html pipeline, scorer at {}", args.threshold),
                &whole,
            ));
        }
        lines.push_str(&row("every block (the recall ceiling)", &every));
        lines.push_str(&row("every block not labelled boilerplate", &oracle));
        for (r, t) in own.iter().zip(THRESHOLDS) {
            lines.push_str(&row(
                &format!("scorer's blocks alone at {t}"),
                &r[THRESHOLDS.iter().position(|x| *x == t).unwrap_or(0)],
            ));
        }
        lines.push_str("scorer's blocks alone, F1 by threshold for extracted blocks (rows) and the others (columns)\n");
        lines.push_str(&format!("{:>6}", ""));
        for t in THRESHOLDS {
            lines.push_str(&format!(" {t:>6}"));
        }
        lines.push('\n');
        for (r, t) in own.iter().zip(THRESHOLDS) {
            lines.push_str(&format!("{t:>6}"));
            for c in r {
                lines.push_str(&format!(" {:>6.4}", c.f1()));
            }
            lines.push('\n');
        }
        let without: Vec<String> = args.without.iter().map(|g| format!("{g:?}")).collect();
        return say(format!(
            "{k}-fold cross-validation, pages grouped by site ({:?}, {} passes, {} epochs, weak {}, without [{}])\n{lines}",
            learn.learner,
            learn.passes,
            learn.epochs,
            learn.weak,
            without.join(", ")
        ));
    }
    let all_pages: Vec<&PageBlocks<DomPage>> = blocks.iter().collect();
    let model = train_model(&all_pages, learn, &stamp, context);
    say(save(&model, &args.out)?)
}

/// Writes `model` to `path`; returns the line that says so.
pub(super) fn save(model: &ContentModel, path: &std::path::Path) -> Result<String, EvalError> {
    let bytes = model.to_bytes();
    super::write_model(path, &bytes)?;
    Ok(format!(
        "wrote {} ({} + {} weights, {} bytes, threshold {}, version {})\n",
        path.display(),
        model.linear.weights.len(),
        model.second.len(),
        bytes.len(),
        model.threshold(),
        model.linear.version
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| (*x).to_string()).collect()
    }

    #[test]
    fn every_page_of_a_site_is_in_the_sites_fold_whatever_the_seed() {
        let page = |url: &str| PageBlocks {
            site: site_key(url),
            texts: Vec::new(),
            extra: (),
            features: Vec::new(),
            labels: Vec::new(),
            extractor: Vec::new(),
        };
        let (a, b) = (
            page("https://site7.example/a"),
            page("https://site7.example/b"),
        );
        let folds = |seed: u64| -> Vec<usize> {
            (0..9)
                .map(|i| page(&format!("https://s{i}.example/")).fold(3, seed))
                .collect()
        };
        for seed in 0..4 {
            assert_eq!(a.fold(5, seed), b.fold(5, seed));
        }
        assert_ne!(folds(1), folds(2));
    }

    #[test]
    fn blocks_take_the_label_of_the_segments_they_hold_or_lie_in() {
        let with = s(&[
            "the council approved the budget",
            "Second paragraph of the story, in full.",
        ]);
        let without = s(&["Read more", "Share this article on social networks"]);
        // Holds a `with` segment.
        assert_eq!(
            label(
                "On Tuesday the council approved the budget.",
                &with,
                &without
            ),
            Some(true)
        );
        // Lies inside one.
        assert_eq!(label("Second paragraph", &with, &without), Some(true));
        // Holds a `without` segment.
        assert_eq!(label("Read more »", &with, &without), Some(false));
        // Too short to take the label of a segment it lies in.
        assert_eq!(label("Share", &with, &without), None);
        // Both, or neither.
        assert_eq!(
            label(
                "the council approved the budget. Read more",
                &with,
                &without
            ),
            None
        );
        assert_eq!(label("Weather", &with, &without), None);
    }

    #[test]
    fn hosts_group_pages_of_a_site() {
        assert_eq!(host("https://www.example.com/a/b?c"), "example.com");
        assert_eq!(host("http://news.example.com"), "news.example.com");
        assert_eq!(host("example.org/x"), "example.org");
    }
}
