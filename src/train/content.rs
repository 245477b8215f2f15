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
//! choice with updates of weight W. Logistic regression by stochastic
//! gradient (or an averaged perceptron, `--learner`), weights averaged
//! over every step, is trained for `--epochs` passes in a shuffled order
//! with a fixed seed, so the model file is the same byte for byte on every
//! run. Variants, all off by default: `--bags M` averages the weights of M
//! models trained in M orders (`--bootstrap`: each on a sample of the
//! pages drawn with replacement); `--balance page|site` weighs the blocks
//! so that every page (site) counts the same; `--l2` decays the weights.
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
use rustc_hash::FxHashMap;

use super::averaged::{Averaged, Decayed};
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
    #[arg(long, default_value = "content-trafeval-3")]
    pub version: String,
}

/// The HTML scorer's L2 weight decay (`train content --l2`): by repeated
/// cross-validation (five fold seeds, docs/html.md) 1e-3 beats none by
/// 0.0012 at 5 folds (on 5 of 5 seeds) and 0.0009 at 10 (4 of 5); the text
/// classifier's stays 0 (1e-3: 0.8842 against 0.8847).
pub const HTML_L2: f32 = 1e-3;

/// Flags shared by the block classifiers' trainers (`train content`,
/// `train text-content`).
#[derive(Debug, Clone, clap::Args)]
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
    /// Models trained and averaged into one (the mean of their weights, a
    /// linear model as cheap to run as one), each in its own shuffled
    /// order (the first in the default one).
    #[arg(long, default_value_t = 1)]
    pub bags: usize,
    /// Each of the `--bags` models learns from a sample of the pages drawn
    /// with replacement (as many as there are) instead of all of them.
    #[arg(long)]
    pub bootstrap: bool,
    /// How the labelled blocks weigh in training: each the same (`block`),
    /// or so that every page (`page`) or site (`site`) weighs the same,
    /// the weights scaled to a mean of 1.
    #[arg(long, value_enum, default_value_t = Balance::Block)]
    pub balance: Balance,
    /// L2 weight decay λ: every weight is multiplied by 1 − rate × λ after
    /// every step (the perceptron: 1 − λ); 0: none. Default: [`HTML_L2`]
    /// for `train content`, 0 for `train text-content` (each chosen by
    /// repeated cross-validation, docs/html.md).
    #[arg(long)]
    pub l2: Option<f32>,
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

    /// The L2 decay: `--l2`, else none.
    pub(super) fn l2(&self) -> f32 {
        self.l2.unwrap_or(0.0)
    }

    /// The variants of training in use (`--bags`, `--bootstrap`,
    /// `--balance`, `--l2`), for the header of a cross-validation table;
    /// empty with the defaults.
    pub(super) fn variants(&self) -> String {
        let mut out = String::new();
        if self.bags > 1 {
            out.push_str(&format!(", {} bags", self.bags));
        }
        if self.bootstrap {
            out.push_str(", bootstrap");
        }
        if self.balance != Balance::Block {
            out.push_str(&format!(", balance {:?}", self.balance));
        }
        if self.l2() > 0.0 {
            out.push_str(&format!(", l2 {}", self.l2()));
        }
        out
    }
}

/// What weighs the same in training (`--balance`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Balance {
    /// Every labelled block.
    Block,
    /// Every page: its blocks share its weight.
    Page,
    /// Every site (host): its pages' blocks share its weight.
    Site,
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

/// The shuffle seed of training (of the first of `--bags`).
const SHUFFLE_SEED: u64 = 0x2545_f491_4f6c_dd1d;

/// Trains weights on the blocks of `pages` with `args.learner`, over each
/// block's features and, when given, its second-pass features (`context`,
/// per page and block): one model, or the mean of `--bags` models.
fn train_weights<X: Sync>(
    pages: &[&PageBlocks<X>],
    context: Option<&[Vec<Vec<u64>>]>,
    args: &BlockTrainArgs,
) -> Weights {
    let bags = args.bags.max(1);
    if bags == 1 && !args.bootstrap {
        return train_bag(pages, context, args, SHUFFLE_SEED, None);
    }
    let trained: Vec<Weights> = (0..bags)
        .into_par_iter()
        .map(|b| {
            let seed = bag_seed(b);
            let draws = args.bootstrap.then(|| bootstrap(pages.len(), seed));
            train_bag(pages, context, args, seed, draws.as_deref())
        })
        .collect();
    mean_weights(&trained)
}

/// The shuffle seed of the `b`-th of `--bags` models (the first the
/// default seed; never 0, which the xorshift generator cannot leave).
fn bag_seed(b: usize) -> u64 {
    SHUFFLE_SEED.wrapping_add((b as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)) | 1
}

/// `n` indices below `n` drawn with replacement from `seed`, in order.
fn bootstrap(n: usize, seed: u64) -> Vec<usize> {
    let mut rng = Rng((seed ^ 0x6a09_e667_f3bc_c908) | 1);
    let mut draws: Vec<usize> = (0..n).map(|_| (rng.next() % n as u64) as usize).collect();
    draws.sort_unstable();
    draws
}

/// The mean of weight tables (a feature missing from one weighs 0 there),
/// near-zero means left out.
fn mean_weights(all: &[Weights]) -> Weights {
    let mut sum: FxHashMap<u64, f64> = FxHashMap::default();
    for weights in all {
        for (&k, &w) in weights {
            *sum.entry(k).or_default() += f64::from(w);
        }
    }
    let n = all.len().max(1) as f64;
    sum.into_iter()
        .map(|(k, s)| (k, (s / n) as f32))
        .filter(|&(_, w)| w.abs() > 1e-6)
        .collect()
}

/// Per example, the factor that makes every group (`groups[i]` the
/// group of example `i`) weigh the same in all, the factors' mean 1.
fn balance_factors(groups: &[u64]) -> Vec<f32> {
    let mut sizes: FxHashMap<u64, usize> = FxHashMap::default();
    for g in groups {
        *sizes.entry(*g).or_default() += 1;
    }
    let per_group = groups.len() as f64 / sizes.len().max(1) as f64;
    groups
        .iter()
        .map(|g| (per_group / sizes[g] as f64) as f32)
        .collect()
}

/// Weights being learned: averaged over every step, with or without L2
/// decay.
enum Learning {
    Plain(Averaged),
    Decayed(Decayed),
}

impl Learning {
    fn score(&mut self, f: &[u64]) -> f32 {
        match self {
            Learning::Plain(p) => p.score(f),
            Learning::Decayed(p) => p.score(f),
        }
    }

    fn add(&mut self, f: &[u64], d: f32) {
        match self {
            Learning::Plain(p) => p.add(f, d),
            Learning::Decayed(p) => p.add(f, d),
        }
    }

    fn tick(&mut self) {
        match self {
            Learning::Plain(p) => p.tick(),
            Learning::Decayed(p) => p.tick(),
        }
    }

    fn averaged(&self) -> Weights {
        match self {
            Learning::Plain(p) => p.averaged(),
            Learning::Decayed(p) => p.averaged(),
        }
    }
}

/// Trains one model's weights: in the order shuffled from `seed`, on the
/// pages `draws` (indices into `pages`, repeats counting again) or all.
fn train_bag<X>(
    pages: &[&PageBlocks<X>],
    context: Option<&[Vec<Vec<u64>>]>,
    args: &BlockTrainArgs,
    seed: u64,
    draws: Option<&[usize]>,
) -> Weights {
    let (epochs, weak) = (args.epochs, args.weak);
    let all: Vec<usize>;
    let draws = match draws {
        Some(d) => d,
        None => {
            all = (0..pages.len()).collect();
            &all
        }
    };
    // (page, block, label, update weight), and each one's page draw.
    let mut examples: Vec<(usize, usize, bool, f32)> = Vec::new();
    let mut drawn: Vec<usize> = Vec::new();
    for (d, &p) in draws.iter().enumerate() {
        let page = pages[p];
        for (b, l) in page.labels.iter().enumerate() {
            match l {
                Some(y) => examples.push((p, b, *y, 1.0)),
                None if weak > 0.0 => {
                    examples.push((p, b, page.extractor.get(b).copied().unwrap_or(false), weak))
                }
                None => continue,
            }
            drawn.push(d);
        }
    }
    let groups: Option<Vec<u64>> = match args.balance {
        Balance::Block => None,
        Balance::Page => Some(drawn.iter().map(|&d| d as u64).collect()),
        Balance::Site => Some(drawn.iter().map(|&d| pages[draws[d]].site).collect()),
    };
    if let Some(groups) = groups {
        for (e, factor) in examples.iter_mut().zip(balance_factors(&groups)) {
            e.3 *= factor;
        }
    }
    let mut p = if args.l2() > 0.0 {
        let step = match args.learner {
            Learner::Perceptron => 1.0,
            Learner::Logistic => f64::from(args.rate),
        };
        Learning::Decayed(Decayed::new(1.0 - step * f64::from(args.l2())))
    } else {
        Learning::Plain(Averaged::new())
    };
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut rng = Rng(seed);
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
    let learn = &BlockTrainArgs {
        l2: args.learn.l2.or(Some(HTML_L2)),
        ..args.learn.clone()
    };
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
            "{k}-fold cross-validation, pages grouped by site ({:?}, {} passes, {} epochs, weak {}, without [{}]{})\n{lines}",
            learn.learner,
            learn.passes,
            learn.epochs,
            learn.weak,
            without.join(", "),
            learn.variants()
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

    /// Pages of two sites whose blocks have feature 1 when content and 2
    /// when boilerplate, feature 3 on every block; site 1 has many blocks
    /// a page, site 2 few.
    fn toy_pages() -> Vec<PageBlocks<()>> {
        (0..6)
            .map(|i| {
                let n = if i < 3 { 12 } else { 2 };
                let labels: Vec<Option<bool>> = (0..n).map(|b| Some(b % 2 == 0)).collect();
                PageBlocks {
                    site: if i < 3 { 1 } else { 2 },
                    texts: vec![String::new(); n],
                    extra: (),
                    features: labels
                        .iter()
                        .map(|l| vec![if *l == Some(true) { 1 } else { 2 }, 3])
                        .collect(),
                    labels,
                    extractor: vec![false; n],
                }
            })
            .collect()
    }

    fn toy_args(extra: &[&str]) -> BlockTrainArgs {
        #[derive(clap::Parser)]
        struct Cli {
            #[command(flatten)]
            learn: BlockTrainArgs,
        }
        let mut argv = vec!["x", "--trafilatura-eval", "."];
        argv.extend_from_slice(extra);
        <Cli as clap::Parser>::parse_from(argv).learn
    }

    #[test]
    fn every_variant_learns_the_toy_labels_and_the_defaults_are_one_plain_model() {
        let pages = toy_pages();
        let refs: Vec<&PageBlocks<()>> = pages.iter().collect();
        let plain = train_weights(&refs, None, &toy_args(&[]));
        // `--bags 1` and `--balance block` are the defaults, bit for bit.
        let same = train_weights(
            &refs,
            None,
            &toy_args(&["--bags", "1", "--balance", "block"]),
        );
        assert_eq!(plain, same);
        for extra in [
            &["--bags", "5"][..],
            &["--bags", "5", "--bootstrap"],
            &["--balance", "page"],
            &["--balance", "site"],
            &["--l2", "0.01"],
        ] {
            let w = train_weights(&refs, None, &toy_args(extra));
            assert!(w[&1] > 0.5 && w[&2] < -0.5, "{extra:?}: {w:?}");
            assert_ne!(w, plain, "{extra:?}");
        }
    }

    #[test]
    fn decay_shrinks_the_learned_weights() {
        let pages = toy_pages();
        let refs: Vec<&PageBlocks<()>> = pages.iter().collect();
        let norm = |w: &Weights| w.values().map(|x| x * x).sum::<f32>();
        let plain = norm(&train_weights(&refs, None, &toy_args(&[])));
        let weak = norm(&train_weights(&refs, None, &toy_args(&["--l2", "0.1"])));
        let strong = norm(&train_weights(&refs, None, &toy_args(&["--l2", "1"])));
        assert!(plain > weak && weak > strong, "{plain} {weak} {strong}");
    }

    #[test]
    fn bagged_weights_are_the_mean_of_the_bags() {
        let a: Weights = [(1, 1.0), (2, -2.0)].into_iter().collect();
        let b: Weights = [(1, 3.0), (3, 4.0)].into_iter().collect();
        let m = mean_weights(&[a, b]);
        assert_eq!(m.len(), 3);
        assert!((m[&1] - 2.0).abs() < 1e-6);
        assert!((m[&2] + 1.0).abs() < 1e-6);
        assert!((m[&3] - 2.0).abs() < 1e-6);
        // The first bag is trained in the default order.
        assert_eq!(bag_seed(0), SHUFFLE_SEED);
        assert_ne!(bag_seed(1), bag_seed(2));
    }

    #[test]
    fn bootstrap_samples_draw_with_replacement_the_same_every_run() {
        let d = bootstrap(100, 7);
        assert_eq!(d.len(), 100);
        assert!(d.iter().all(|&i| i < 100));
        assert_eq!(d, bootstrap(100, 7));
        assert_ne!(d, bootstrap(100, 8));
        let mut distinct = d.clone();
        distinct.dedup();
        // About 63% of the pages are drawn at least once.
        assert!((50..80).contains(&distinct.len()), "{}", distinct.len());
    }

    #[test]
    fn balanced_groups_weigh_the_same_with_a_mean_of_one() {
        let groups = [5, 5, 5, 5, 9, 7, 7];
        let f = balance_factors(&groups);
        let total = |g: u64| -> f32 {
            groups
                .iter()
                .zip(&f)
                .filter(|(x, _)| **x == g)
                .map(|(_, w)| w)
                .sum()
        };
        assert!((total(5) - total(9)).abs() < 1e-6 && (total(9) - total(7)).abs() < 1e-6);
        assert!((f.iter().sum::<f32>() / f.len() as f32 - 1.0).abs() < 1e-6);
        assert!(f[0] < f[5] && f[5] < f[4]);
    }
}
