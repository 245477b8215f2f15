//! `newsenrich eval cleaning`: scores the body text that [`Pipeline::enrich`]
//! produces on the trafilatura evaluation set (`evaldata.json` maps a page
//! URL to `{file, with, without}`; the page is `cache/FILE`, else
//! `eval/FILE`).
//!
//! The metric is the set's own: white space is collapsed in the extracted
//! text and in every segment, then each `with` segment found is a true
//! positive, each one missing a false negative, and each `without` segment
//! found a false positive; counts are summed over pages and
//! F1 = 2tp / (2tp + fp + fn).
//!
//! Two modes:
//! - **html**: the page goes in as [`Content::Html`];
//! - **text**: the page is first flattened the way a naive crawler does
//!   ([`flatten::extract`]: all visible text, a line break at every block
//!   element) and goes in as [`Content::Text`]. The flattened text itself,
//!   scored unchanged, is the do-nothing baseline.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::ratio;
use crate::pipeline::html::{decode::decode_html, flatten};
use crate::pipeline::{
    ArticleInput, Budget, Content, EnrichOptions, Enricher, Features, Pipeline, PipelineConfig,
};

/// Which input the pages are given as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Mode {
    /// The HTML page.
    Html,
    /// The page flattened to text by a naive crawler.
    Text,
    /// Both, one after the other.
    Both,
}

/// Settings of `newsenrich eval cleaning`.
#[derive(Debug, clap::Args)]
pub struct CleaningArgs {
    /// The trafilatura evaluation set: a folder with evaldata.json, cache/ and eval/.
    #[arg(long, value_name = "DIR")]
    pub trafilatura_eval: PathBuf,
    /// Input mode to score.
    #[arg(long, value_enum, default_value_t = Mode::Both)]
    pub mode: Mode,
    /// Score only the first N pages (in URL order).
    #[arg(long)]
    pub limit: Option<usize>,
    /// Print, per page with errors, the segments missed and leaked.
    #[arg(long)]
    pub verbose: bool,
}

/// True positives, false positives and false negatives.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// `with` segments found.
    pub tp: usize,
    /// `without` segments found.
    pub fp: usize,
    /// `with` segments missing.
    pub fn_: usize,
}

impl Counts {
    /// tp / (tp + fp); 0 when nothing was found.
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }

    /// tp / (tp + fn); 0 when nothing was expected.
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }

    /// tp, fp, fn, precision, recall and F1 as the result tables print them.
    pub fn cells(&self) -> String {
        format!(
            "{:>6} {:>6} {:>6} {:>9.4} {:>7.4} {:>7.4}",
            self.tp,
            self.fp,
            self.fn_,
            self.precision(),
            self.recall(),
            self.f1()
        )
    }

    /// 2tp / (2tp + fp + fn); 0 when all counts are 0.
    pub fn f1(&self) -> f64 {
        ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn_)
    }
}

impl std::ops::Add for Counts {
    type Output = Counts;
    fn add(self, other: Counts) -> Counts {
        Counts {
            tp: self.tp + other.tp,
            fp: self.fp + other.fp,
            fn_: self.fn_ + other.fn_,
        }
    }
}

/// `s` with every run of white space replaced by one space, trimmed.
pub fn collapse_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// One annotated page.
#[derive(Debug, Clone)]
pub struct EvalPage {
    /// The page's URL (the key in evaldata.json).
    pub url: String,
    /// Its file name.
    pub file: String,
    /// Where the file was found.
    pub path: PathBuf,
    /// Segments that must be in the main text, white space collapsed.
    pub with: Vec<String>,
    /// Segments that must not be, white space collapsed.
    pub without: Vec<String>,
}

impl EvalPage {
    /// The page's HTML, read from [`EvalPage::path`] and decoded (BOM,
    /// `<meta charset>`, else UTF-8, else windows-1252).
    pub fn html(&self) -> Result<String, EvalError> {
        let bytes = std::fs::read(&self.path).map_err(|source| EvalError::Io {
            path: self.path.clone(),
            source,
        })?;
        Ok(decode_html(&bytes))
    }
}

/// The score of one extracted text against a page's segments, with the
/// segments missed (`with`, not found) and leaked (`without`, found).
#[derive(Debug, Clone, Default)]
pub struct PageScore {
    /// The counts.
    pub counts: Counts,
    /// `with` segments not found.
    pub missed: Vec<String>,
    /// `without` segments found.
    pub leaked: Vec<String>,
}

/// Scores `text` against the segments (already collapsed) of one page.
pub fn score(text: &str, with: &[String], without: &[String]) -> PageScore {
    let text = collapse_whitespace(text);
    let mut result = PageScore::default();
    for segment in with {
        if text.contains(segment.as_str()) {
            result.counts.tp += 1;
        } else {
            result.counts.fn_ += 1;
            result.missed.push(segment.clone());
        }
    }
    for segment in without {
        if text.contains(segment.as_str()) {
            result.counts.fp += 1;
            result.leaked.push(segment.clone());
        }
    }
    result
}

/// Why the evaluation could not run.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// A file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// evaldata.json is not what it should be.
    #[error("{path}: {problem}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        problem: String,
    },
    /// The report could not be written.
    #[error("cannot write the report: {0}")]
    Output(#[source] std::io::Error),
}

/// Reads `DIR/evaldata.json`: the pages in URL order, each with the path
/// of its file.
pub fn load_pages(dir: &Path) -> Result<Vec<EvalPage>, EvalError> {
    let path = dir.join("evaldata.json");
    let bytes = std::fs::read(&path).map_err(|source| EvalError::Io {
        path: path.clone(),
        source,
    })?;
    let format = |problem: String| EvalError::Format {
        path: path.clone(),
        problem,
    };
    let value: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| format(e.to_string()))?;
    let entries = value
        .as_object()
        .ok_or_else(|| format("is not a JSON object".into()))?;
    let mut pages = Vec::with_capacity(entries.len());
    for (url, entry) in entries {
        let file = entry
            .get("file")
            .and_then(|f| f.as_str())
            .ok_or_else(|| format(format!("{url}: no \"file\"")))?;
        let segments = |key: &str| -> Vec<String> {
            entry
                .get(key)
                .and_then(|v| v.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s.as_str())
                        .map(collapse_whitespace)
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default()
        };
        let path = [dir.join("cache").join(file), dir.join("eval").join(file)]
            .into_iter()
            .find(|p| p.is_file())
            .ok_or_else(|| format(format!("{url}: {file} is in neither cache/ nor eval/")))?;
        pages.push(EvalPage {
            url: url.clone(),
            file: file.to_owned(),
            path,
            with: segments("with"),
            without: segments("without"),
        });
    }
    pages.sort_by(|a, b| a.url.cmp(&b.url));
    Ok(pages)
}

/// One line of the result table.
#[derive(Debug, Clone)]
pub struct ModeResult {
    /// What was scored: `html`, `text`, or `text (do nothing)`.
    pub label: String,
    /// Pages scored.
    pub pages: usize,
    /// Summed counts.
    pub counts: Counts,
}

/// The outcome of scoring one page in every requested way.
struct PageOutcome {
    /// Per result line: the score and the pipeline's error, if any.
    scores: Vec<(PageScore, Option<String>)>,
}

/// Runs the evaluation; returns the table lines and, when `verbose`, a
/// per-page report of the errors.
pub fn evaluate(
    pages: &[EvalPage],
    mode: Mode,
    verbose: bool,
) -> Result<(Vec<ModeResult>, String), EvalError> {
    evaluate_with(&eval_pipeline()?, pages, mode, verbose)
}

/// The pipeline the evaluation runs: the product's, with a request size
/// limit large enough for every page of the set (the evaluation measures
/// extraction, not the request limit).
pub fn eval_pipeline() -> Result<Pipeline, EvalError> {
    let config = PipelineConfig {
        max_article_bytes: 64 * 1024 * 1024,
        ..PipelineConfig::default()
    };
    Pipeline::new(config).map_err(|e| EvalError::Format {
        path: PathBuf::from("pipeline"),
        problem: e.to_string(),
    })
}

/// [`evaluate`] with `pipeline` (for cross-validation of its models).
pub fn evaluate_with(
    pipeline: &Pipeline,
    pages: &[EvalPage],
    mode: Mode,
    verbose: bool,
) -> Result<(Vec<ModeResult>, String), EvalError> {
    let mut labels = Vec::new();
    if matches!(mode, Mode::Html | Mode::Both) {
        labels.push("html");
    }
    if matches!(mode, Mode::Text | Mode::Both) {
        labels.push("text");
        labels.push("text (do nothing)");
    }
    let options = EnrichOptions {
        features: Features::none(),
        ..EnrichOptions::default()
    };
    let outcomes: Vec<PageOutcome> = pages
        .par_iter()
        .map(|page| -> Result<PageOutcome, EvalError> {
            let html = page.html()?;
            let flat = if mode == Mode::Html {
                String::new()
            } else {
                naive_text(pipeline, &html)
            };
            let mut scores = Vec::with_capacity(labels.len());
            for &label in &labels {
                let (text, error) = match label {
                    "html" => run(pipeline, page, Content::Html(html.clone()), &options),
                    "text" => run(pipeline, page, Content::Text(flat.clone()), &options),
                    _ => (flat.clone(), None),
                };
                scores.push((score(&text, &page.with, &page.without), error));
            }
            Ok(PageOutcome { scores })
        })
        .collect::<Result<_, _>>()?;

    let mut results: Vec<ModeResult> = labels
        .iter()
        .map(|label| ModeResult {
            label: (*label).to_owned(),
            pages: pages.len(),
            counts: Counts::default(),
        })
        .collect();
    let mut report = String::new();
    for (page, outcome) in pages.iter().zip(&outcomes) {
        for (result, (page_score, error)) in results.iter_mut().zip(&outcome.scores) {
            result.counts = result.counts + page_score.counts;
            if verbose && (page_score.counts.fp > 0 || page_score.counts.fn_ > 0 || error.is_some())
            {
                let c = page_score.counts;
                let _ = writeln!(
                    report,
                    "[{}] {} ({}): tp {} fp {} fn {}",
                    result.label, page.file, page.url, c.tp, c.fp, c.fn_
                );
                if let Some(error) = error {
                    let _ = writeln!(report, "  error: {error}");
                }
                for s in &page_score.missed {
                    let _ = writeln!(report, "  missed: {s}");
                }
                for s in &page_score.leaked {
                    let _ = writeln!(report, "  leaked: {s}");
                }
            }
        }
    }
    Ok((results, report))
}

/// A page flattened the way a naive crawler does (all visible text, a
/// line break at every block element): the input of the text mode.
pub fn naive_text(pipeline: &Pipeline, html: &str) -> String {
    flatten::extract(html, pipeline.config().max_html_elements).text
}

/// Enriches one page; returns the body text (empty on error) and the error.
pub fn run(
    pipeline: &Pipeline,
    page: &EvalPage,
    content: Content,
    options: &EnrichOptions,
) -> (String, Option<String>) {
    let article = ArticleInput {
        id: page.file.clone(),
        url: Some(page.url.clone()),
        title: None,
        content,
        published_at: None,
        language: None,
        time_zone: chrono_tz::UTC,
    };
    match pipeline.enrich(&article, options, &Budget::unlimited()) {
        Ok(enriched) => (enriched.document.text().to_owned(), None),
        Err(e) => (String::new(), Some(e.to_string())),
    }
}

/// The result table, one line per mode.
pub fn format_table(results: &[ModeResult]) -> String {
    let mut out = format!(
        "{:<18} {:>6} {:>6} {:>6} {:>6} {:>9} {:>7} {:>7}\n",
        "mode", "pages", "tp", "fp", "fn", "precision", "recall", "F1"
    );
    for r in results {
        let _ = writeln!(out, "{:<18} {:>6} {}", r.label, r.pages, r.counts.cells());
    }
    out
}

/// Runs `newsenrich eval cleaning`: the table goes to `out`, the verbose
/// per-page report (when asked) before it.
pub fn run_command(args: &CleaningArgs, out: &mut dyn std::io::Write) -> Result<(), EvalError> {
    let mut pages = load_pages(&args.trafilatura_eval)?;
    if let Some(limit) = args.limit {
        pages.truncate(limit);
    }
    let (results, report) = evaluate(&pages, args.mode, args.verbose)?;
    if args.verbose {
        out.write_all(report.as_bytes())
            .map_err(EvalError::Output)?;
    }
    out.write_all(format_table(&results).as_bytes())
        .map_err(EvalError::Output)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| collapse_whitespace(s)).collect()
    }

    #[test]
    fn collapse_whitespace_joins_runs_and_trims() {
        assert_eq!(collapse_whitespace("  a \n\t b\u{A0}c  "), "a b c");
        assert_eq!(collapse_whitespace(""), "");
    }

    #[test]
    fn score_counts_found_and_missing_segments() {
        let with = strings(&["The council voted", "cut  costs"]);
        let without = strings(&["Home", "Copyright"]);
        let s = score("Home\n\nThe council\nvoted to cut costs.", &with, &without);
        assert_eq!(
            s.counts,
            Counts {
                tp: 2,
                fp: 1,
                fn_: 0
            }
        );
        assert_eq!(s.leaked, ["Home"]);
        let s = score("", &with, &without);
        assert_eq!(
            s.counts,
            Counts {
                tp: 0,
                fp: 0,
                fn_: 2
            }
        );
        assert_eq!(s.missed, ["The council voted", "cut costs"]);
    }

    #[test]
    fn metric_formulas() {
        let c = Counts {
            tp: 8,
            fp: 2,
            fn_: 4,
        };
        assert!((c.precision() - 0.8).abs() < 1e-12);
        assert!((c.recall() - 8.0 / 12.0).abs() < 1e-12);
        assert!((c.f1() - 16.0 / 22.0).abs() < 1e-12);
        let sum = c + Counts {
            tp: 1,
            fp: 1,
            fn_: 1,
        };
        assert_eq!(
            sum,
            Counts {
                tp: 9,
                fp: 3,
                fn_: 5
            }
        );
        // Nothing at all is 0, not NaN.
        assert_eq!(Counts::default().f1(), 0.0);
        assert_eq!(Counts::default().precision(), 0.0);
    }

    #[test]
    fn table_has_a_line_per_mode() {
        let table = format_table(&[ModeResult {
            label: "html".into(),
            pages: 3,
            counts: Counts {
                tp: 3,
                fp: 1,
                fn_: 0,
            },
        }]);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[1].starts_with("html"), "{table}");
        assert!(lines[1].ends_with("0.8571"), "{table}");
    }

    fn dev_set() -> Option<PathBuf> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/trafilatura-eval");
        if dir.join("evaldata.json").is_file() {
            Some(dir)
        } else {
            eprintln!(
                "skipped: {} is absent (the trafilatura evaluation set lives beside the checkout)",
                dir.display()
            );
            None
        }
    }

    #[test]
    fn loads_the_dev_set_and_scores_a_few_pages() {
        let Some(dir) = dev_set() else { return };
        let pages = load_pages(&dir).expect("evaldata.json loads");
        assert!(pages.len() > 900, "{} pages", pages.len());
        assert!(pages.iter().all(|p| p.path.is_file()));
        let (results, _) = evaluate(&pages[..20], Mode::Both, false).expect("evaluates");
        let labels: Vec<&str> = results.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(labels, ["html", "text", "text (do nothing)"]);
        // Flattening keeps nearly every main-text segment: the do-nothing
        // baseline has high recall, and extraction must find most of them too.
        assert!(results[2].counts.recall() > 0.8, "{results:?}");
        assert!(results[0].counts.recall() > 0.5, "{results:?}");
    }
}
