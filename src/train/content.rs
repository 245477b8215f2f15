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
use crate::pipeline::html::decode::decode_html;
use crate::pipeline::html::scorer::{ContentModel, Group, InExtractor};
use crate::pipeline::quotes::weights::Weights;
use crate::pipeline::{ArticleInput, Content, Pipeline};

/// Flags of `newsenrich train content`.
#[derive(Debug, clap::Args)]
pub struct TrainContentArgs {
    /// The trafilatura evaluation set: a folder with evaldata.json, cache/ and eval/.
    #[arg(long, value_name = "DIR")]
    pub trafilatura_eval: PathBuf,
    /// Report K-fold cross-validation (pages grouped by site) instead of
    /// writing a model.
    #[arg(long)]
    pub cv: Option<u8>,
    /// Passes over the examples.
    #[arg(long, default_value_t = 10)]
    pub epochs: usize,
    /// Weight of the updates on unlabelled blocks, labelled by the
    /// extractor's choice (0: they are left out).
    #[arg(long, default_value_t = 0.0)]
    pub weak: f32,
    /// Blocks scoring above this are main content (stored in the model;
    /// chosen by `--cv`).
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    pub threshold: f32,
    /// Feature groups to leave out (ablation).
    #[arg(long, value_enum)]
    pub without: Vec<Group>,
    /// Use only the first N pages (in URL order).
    #[arg(long)]
    pub limit: Option<usize>,
    /// In `--cv`, skip the whole-pipeline runs (only the scorer's own
    /// choice is scored; faster, for ablations).
    #[arg(long)]
    pub quick: bool,
    /// Where to write the model.
    #[arg(long, default_value = "models/content.bin")]
    pub out: PathBuf,
    /// Version string stored in the model (reported by `GetServiceInfo`).
    #[arg(long, default_value = "content-trafeval-1")]
    pub version: String,
}

/// Fewest bytes of a block that lies inside a segment to take its label
/// (shorter ones, "Home", "Share", occur inside anything).
pub const MIN_INSIDE: usize = 12;

/// Thresholds cross-validation reports for the scorer's own choice.
const THRESHOLDS: [f32; 9] = [-3.0, -2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0];

/// One page's blocks.
struct PageBlocks {
    /// Its fold key: a hash of its host.
    site: u64,
    texts: Vec<String>,
    features: Vec<Vec<u64>>,
    /// Per block: `Some(true)` content, `Some(false)` boilerplate, `None`
    /// unlabelled.
    labels: Vec<Option<bool>>,
    /// Per block: whether the extractor chose it (for weak labels).
    extractor: Vec<bool>,
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

fn article(page: &EvalPage, html: String) -> ArticleInput {
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
) -> Result<Vec<PageBlocks>, EvalError> {
    pages
        .par_iter()
        .map(|page| {
            let bytes = std::fs::read(&page.path).map_err(|source| EvalError::Io {
                path: page.path.clone(),
                source,
            })?;
            let html = decode_html(&bytes);
            let input = article(page, String::new());
            let site = crate::pipeline::entities::features::text(host(&page.url).as_bytes());
            let Some(found) = pipeline.html_block_features(&input, &html, without) else {
                return Ok(PageBlocks {
                    site,
                    texts: Vec::new(),
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
            let texts: Vec<String> = found.dom.blocks.into_iter().map(|b| b.text).collect();
            let labels = texts
                .iter()
                .map(|t| label(t, &page.with, &page.without))
                .collect();
            Ok(PageBlocks {
                site,
                texts,
                features,
                labels,
                extractor,
            })
        })
        .collect()
}

/// Trains an averaged binary perceptron on the blocks of `pages`.
fn train_weights(pages: &[&PageBlocks], epochs: usize, weak: f32) -> Weights {
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
    for _ in 0..epochs {
        rng.shuffle(&mut order);
        for &i in &order {
            let (page, block, y, w) = examples[i];
            let Some(f) = pages[page].features.get(block) else {
                continue;
            };
            let y: f32 = if y { 1.0 } else { -1.0 };
            if y * p.score(f) <= 0.0 {
                p.add(f, y * w);
            }
            p.tick();
        }
    }
    p.averaged()
}

/// The text the scorer alone chooses on `page` at `threshold`.
fn chosen_text(model: &ContentModel, page: &PageBlocks, threshold: f32) -> String {
    let mut out = String::new();
    for (t, f) in page.texts.iter().zip(&page.features) {
        if model.score(f) > threshold {
            out.push_str(t);
            out.push('\n');
        }
    }
    out
}

fn row(label: &str, c: &Counts) -> String {
    format!(
        "{label:<34} {:>6} {:>6} {:>6} {:>9.4} {:>7.4} {:>7.4}\n",
        c.tp,
        c.fp,
        c.fn_,
        c.precision(),
        c.recall(),
        c.f1()
    )
}

/// Runs `newsenrich train content`.
pub fn run_command(args: &TrainContentArgs, out: &mut dyn std::io::Write) -> Result<(), EvalError> {
    let mut say = |s: String| out.write_all(s.as_bytes()).map_err(EvalError::Output);
    let mut pages = load_pages(&args.trafilatura_eval)?;
    if let Some(limit) = args.limit {
        pages.truncate(limit);
    }
    let base = eval_pipeline()?.with_content_model(None);
    let blocks = gather(&base, &pages, &args.without)?;
    let labelled: usize = blocks
        .iter()
        .map(|p| p.labels.iter().filter(|l| l.is_some()).count())
        .sum();
    let positives: usize = blocks
        .iter()
        .map(|p| p.labels.iter().filter(|l| **l == Some(true)).count())
        .sum();
    let all: usize = blocks.iter().map(|p| p.texts.len()).sum();
    say(format!(
        "{} pages, {all} blocks, {labelled} labelled ({positives} content)\n",
        pages.len()
    ))?;
    if let Some(k) = args.cv {
        let k = u64::from(k.max(2));
        let fold_of = |p: &PageBlocks| (p.site % k) as usize;
        let mut own = [Counts::default(); THRESHOLDS.len()];
        let mut whole = Counts::default();
        let mut current = Counts::default();
        for fold in 0..k as usize {
            let train: Vec<&PageBlocks> = blocks.iter().filter(|p| fold_of(p) != fold).collect();
            let model = ContentModel {
                version: args.version.clone(),
                threshold: args.threshold,
                weights: train_weights(&train, args.epochs, args.weak),
            };
            let test: Vec<usize> = (0..pages.len())
                .filter(|&i| fold_of(&blocks[i]) == fold)
                .collect();
            for &i in &test {
                let page = &pages[i];
                for (c, &t) in own.iter_mut().zip(&THRESHOLDS) {
                    let text = chosen_text(&model, &blocks[i], t);
                    *c = *c + score(&text, &page.with, &page.without).counts;
                }
            }
            if !args.quick {
                let test_pages: Vec<EvalPage> = test.iter().map(|&i| pages[i].clone()).collect();
                let with_model = base.clone().with_content_model(Some(model));
                let (r, _) = evaluate_with(&with_model, &test_pages, Mode::Html, false)?;
                let (b, _) = evaluate_with(&base, &test_pages, Mode::Html, false)?;
                whole = whole + r.first().map(|r| r.counts).unwrap_or_default();
                current = current + b.first().map(|r| r.counts).unwrap_or_default();
            }
        }
        let mut lines = format!(
            "{:<34} {:>6} {:>6} {:>6} {:>9} {:>7} {:>7}\n",
            "", "tp", "fp", "fn", "precision", "recall", "F1"
        );
        if !args.quick {
            lines.push_str(&row("html pipeline, current", &current));
            lines.push_str(&row(
                &format!("html pipeline, scorer at {}", args.threshold),
                &whole,
            ));
        }
        for (c, t) in own.iter().zip(THRESHOLDS) {
            lines.push_str(&row(&format!("scorer's blocks alone at {t}"), c));
        }
        let without: Vec<String> = args.without.iter().map(|g| format!("{g:?}")).collect();
        return say(format!(
            "{k}-fold cross-validation, pages grouped by site ({} epochs, weak {}, without [{}])\n{lines}",
            args.epochs,
            args.weak,
            without.join(", ")
        ));
    }
    let all_pages: Vec<&PageBlocks> = blocks.iter().collect();
    let model = ContentModel {
        version: args.version.clone(),
        threshold: args.threshold,
        weights: train_weights(&all_pages, args.epochs, args.weak),
    };
    let bytes = model.to_bytes();
    std::fs::write(&args.out, &bytes).map_err(|source| EvalError::Io {
        path: args.out.clone(),
        source,
    })?;
    say(format!(
        "wrote {} ({} weights, {} bytes, threshold {}, version {})\n",
        args.out.display(),
        model.weights.len(),
        bytes.len(),
        model.threshold,
        model.version
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| (*x).to_string()).collect()
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
