//! HTML input: main-content extraction and page metadata.
//!
//! [`extract_page`] turns one page into typed main-content blocks, typed
//! boilerplate found in the DOM, and metadata:
//!
//! 1. [`bounds`]: one linear scan caps the element count and the nesting
//!    depth (hostile pages are cut or flattened, with a warning), so nothing
//!    after it can blow the stack or run unbounded;
//! 2. [`metadata`]: title, authors, publication time, language, canonical
//!    URL and site name, from one linear scan of the markup;
//! 3. main content: the [`trafilatura`] crate (a port of go-trafilatura),
//!    the best of the Rust extractors measured on the development set (see
//!    the README), run on the parsed page only when the parsed tree nests
//!    no deeper than the limit; its clean HTML is split into typed blocks
//!    by [`blocks`];
//! 4. [`removed`]: captions and share, newsletter, comment, related-links
//!    and navigation widgets recognised by tag, class or id, reported as
//!    typed removed blocks when they are not in the main content.
//!
//! Once the article's language is known, the pipeline runs [`recover`],
//! which puts back prose paragraphs next to the extracted ones that the
//! extractor left out (leads in their own element, sibling containers).
//!
//! When the extractor finds nothing, or the time budget is gone before it
//! can run, the page's whole visible text from [`flatten`] is the best text
//! there is, with a warning.
//!
//! [`decode`] turns a page's bytes into text (BOM, `<meta charset>`, UTF-8,
//! windows-1252) for callers that read files.

pub mod blocks;
pub mod bounds;
pub mod decode;
pub mod dom;
pub mod flatten;
pub mod metadata;
pub mod needles;
pub mod recover;
pub mod removed;
pub(crate) mod scan;
pub mod scorer;

pub use bounds::HtmlLimits;
pub use flatten::{ExtractedPage, extract};

use super::budget::{Interrupted, Meter};
use super::{Budget, RemovedBlock};
use crate::pipeline::warning::{Warning, WarningCode};

/// What kind of text a main-content block is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    /// A paragraph (or loose text).
    Paragraph,
    /// A heading (`h1`–`h6`).
    Heading,
    /// A list item.
    ListItem,
    /// A block quotation.
    Quote,
    /// Preformatted text.
    Preformatted,
    /// A table cell.
    TableCell,
    /// A figure or table caption.
    Caption,
}

/// One block of main content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageBlock {
    /// Its text, white space collapsed.
    pub text: String,
    /// Its kind.
    pub kind: BlockKind,
}

/// The main content and metadata of one HTML page.
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// Main-content blocks, in page order.
    pub blocks: Vec<PageBlock>,
    /// Typed boilerplate found in the DOM (captions, widgets), not in `blocks`.
    pub removed: Vec<RemovedBlock>,
    /// Title, authors, publication time, language, canonical URL, site name.
    pub metadata: metadata::PageMetadata,
    /// What was cut, flattened or skipped, and why.
    pub warnings: Vec<Warning>,
    /// The page's text blocks with their DOM evidence, for the content
    /// scorer; only when asked for ([`extract_page_scanned`]).
    pub dom: Option<dom::DomPage>,
    /// Readability's main-content blocks, the content scorer's second
    /// opinion; only with the DOM scan, `None` when readability failed or
    /// the budget ran out first.
    pub readability: Option<Vec<PageBlock>>,
}

/// Extracts the main content and metadata of `html` within `limits` and
/// `budget` (see the module documentation). Never panics; over a limit it
/// returns the best text found so far with a warning.
pub fn extract_page(html: &str, limits: &HtmlLimits, budget: &Budget) -> Page {
    extract_page_metered(html, limits, &mut budget.meter())
}

/// [`extract_page`] with its scanners counting their steps on `meter`.
///
/// The bounds scan, the fallback flattening and the split of the
/// extractor's output always finish (they are linear and their output is
/// the record), unless the caller cancels; the metadata scan and the
/// boilerplate detection stop when the time budget runs out, keeping what
/// they found; extraction is skipped when the budget is gone before it
/// starts. When the meter was cancelled the page is incomplete and must be
/// discarded.
pub fn extract_page_metered(html: &str, limits: &HtmlLimits, meter: &mut Meter<'_>) -> Page {
    extract_page_scanned(html, limits, meter, false)
}

/// [`extract_page_metered`], and when `scan_dom`, the page's blocks with
/// their DOM evidence ([`dom::scan`]) in [`Page::dom`] for the content
/// scorer (left `None` when the budget ran out first).
pub fn extract_page_scanned(
    html: &str,
    limits: &HtmlLimits,
    meter: &mut Meter<'_>,
    scan_dom: bool,
) -> Page {
    let mut page = Page::default();
    let bounded = bounds::bound_metered(html, limits, meter);
    page.warnings.extend(bounded.warnings.iter().cloned());
    let html = bounded.html.as_ref();
    if cancelled(meter) {
        return page;
    }

    page.metadata = metadata::read_metadata_metered(html, limits.max_elements, meter);
    if cancelled(meter) {
        return page;
    }

    if meter.is_stopped() {
        page.warnings.push(Warning::new(
            WarningCode::TimeBudget,
            "html",
            "time budget used up before main-content extraction; the page's whole text was kept",
        ));
        page.blocks = flattened_blocks(html, limits.max_elements, meter);
        return page;
    }

    let (extracted, tree_depth) = main_content(html, limits, meter);
    match extracted {
        Extracted::Blocks(blocks) if !blocks.is_empty() => page.blocks = blocks,
        _ if cancelled(meter) => return page,
        Extracted::TooDeep(depth) => {
            page.warnings.push(Warning::new(
                WarningCode::InputLimit,
                "html",
                format!(
                    "the parsed HTML nests {depth} elements deep, deeper than {}; main-content extraction was skipped and the page's whole text was kept",
                    limits.max_depth
                ),
            ));
            page.blocks = flattened_blocks(html, limits.max_elements, meter);
        }
        found => {
            page.warnings.push(Warning::new(
                WarningCode::ExtractionFallback,
                "html",
                if matches!(found, Extracted::Failed) {
                    "main-content extraction failed; the page's whole text was kept"
                } else {
                    "no main content found; the page's whole text was kept"
                },
            ));
            page.blocks = flattened_blocks(html, limits.max_elements, meter);
        }
    }
    if meter.is_stopped() {
        if !cancelled(meter) {
            page.warnings.push(Warning::new(
                WarningCode::TimeBudget,
                "html",
                "time budget used up during main-content extraction; boilerplate detection was skipped",
            ));
        }
        return page;
    }
    if scan_dom {
        page.dom = dom::scan(html, meter);
        if let Some(dom) = &page.dom
            && !meter.is_stopped()
            && tree_depth.is_some_and(|d| d <= usize::from(READABILITY_MAX_DEPTH))
            && dom.blocks.iter().all(|b| b.depth <= READABILITY_MAX_DEPTH)
        {
            page.readability = readability_blocks(html, limits.max_elements, meter);
        }
    }
    page.removed = removed::find_removed_metered(html, &page.blocks, limits.max_elements, meter);
    if meter.stopped() == Some(Interrupted::OverBudget) {
        page.warnings.push(Warning::new(
            WarningCode::TimeBudget,
            "html",
            "time budget used up during boilerplate detection; no removed widgets are reported",
        ));
    }
    page
}

/// Whether the caller cancelled (seen by `meter`).
fn cancelled(meter: &Meter<'_>) -> bool {
    meter.stopped() == Some(Interrupted::Cancelled)
}

/// What the extractor made of a bounded page.
#[derive(Debug)]
enum Extracted {
    /// Its main-content blocks (none when it found no main content).
    Blocks(Vec<PageBlock>),
    /// It failed: an error, or a panic caught here so one page cannot take
    /// the service down.
    Failed,
    /// It did not run: the parsed tree nests this deep, past
    /// [`HtmlLimits::max_depth`].
    TooDeep(usize),
    /// The caller cancelled while the tree was measured.
    Cancelled,
}

/// The main content of a bounded page, and how deep its parsed tree nests
/// (`None` when it could not be measured).
///
/// The page is parsed once, its depth measured on the parsed tree, and
/// the same tree handed to the extractor. The bounds' depth model follows
/// the tree builder's main rules but not all of them (foster parenting of
/// what a table holds outside its cells, the adoption agency), so on tag
/// soup the parsed tree can nest deeper than the model said; the extractor
/// copies subtrees as it unwraps elements and recurses over the tree, so
/// it runs only on trees within the limit. The extractor cannot be metered
/// from inside; its cost is bounded by what [`bounds`] lets through (see
/// `docs/html.md`, "Bounds"). Its output is split under `meter`.
fn main_content(
    html: &str,
    limits: &HtmlLimits,
    meter: &mut Meter<'_>,
) -> (Extracted, Option<usize>) {
    let Ok(doc) = std::panic::catch_unwind(|| trafilatura::dom::Document::parse(html)) else {
        return (Extracted::Failed, None);
    };
    let Some(depth) = tree_depth(&doc, meter) else {
        return (Extracted::Cancelled, None);
    };
    if depth > limits.max_depth {
        return (Extracted::TooDeep(depth), Some(depth));
    }
    let options = trafilatura::Options::default()
        // Dates come from our own metadata scan.
        .with_html_date_mode(trafilatura::HtmlDateMode::Disabled)
        // Reader comments are not the article (+0.0014 F1 on the dev set).
        .with_exclude_comments(true);
    let extracted = std::panic::catch_unwind(|| trafilatura::extract_document(doc, &options));
    let blocks = match extracted {
        Ok(Ok(result)) => {
            Extracted::Blocks(blocks::split_blocks_metered(&result.content_html, meter))
        }
        _ => Extracted::Failed,
    };
    (blocks, Some(depth))
}

/// How deep the elements of a parsed page nest (the document node is 0,
/// `html` 1), by an explicit stack, one meter step per element; `None`
/// when the caller cancelled.
fn tree_depth(doc: &trafilatura::dom::Document, meter: &mut Meter<'_>) -> Option<usize> {
    let mut deepest = 0;
    let mut open = vec![(doc.root(), 0usize)];
    while let Some((id, depth)) = open.pop() {
        if scan::StopOn::Cancel.add(meter, 1) {
            return None;
        }
        deepest = deepest.max(depth);
        open.extend(doc.children(id).into_iter().map(|c| (c, depth + 1)));
    }
    Some(deepest)
}

/// Pages with a block (or a parsed element) nested deeper than this get no
/// readability blocks: its cost grows with the nesting (on 128 KB of divs
/// nested 250 deep it takes ten times the extractor's time, at 120 deep
/// twice). The 990 pages of the evaluation set nest at most 49 deep.
pub const READABILITY_MAX_DEPTH: u16 = 128;

/// Readability's main-content blocks (`dom_smoothie`, a port of Mozilla's
/// Readability.js), the content scorer's second opinion beside the
/// extractor's; `None` when it failed (no content found, more than
/// `max_elements` elements, or a panic caught here).
///
/// Like the extractor it cannot be metered from inside; it runs on the
/// bounded page only (see `docs/html.md`, "Bounds"), and its output is
/// split under `meter`.
fn readability_blocks(
    html: &str,
    max_elements: usize,
    meter: &mut Meter<'_>,
) -> Option<Vec<PageBlock>> {
    let config = dom_smoothie::Config {
        // Metadata comes from our own scan.
        disable_json_ld: true,
        max_elements_to_parse: max_elements,
        ..Default::default()
    };
    let article = std::panic::catch_unwind(|| {
        dom_smoothie::Readability::new(html, None, Some(config)).and_then(|mut r| r.parse())
    })
    .ok()?
    .ok()?;
    Some(blocks::split_blocks_metered(&article.content, meter))
}

/// Blocks of the naive flattener: every visible paragraph. It is the
/// fallback text, so only cancellation stops it.
fn flattened_blocks(html: &str, max_elements: usize, meter: &mut Meter<'_>) -> Vec<PageBlock> {
    flatten::extract_metered(html, max_elements, meter, scan::StopOn::Cancel)
        .text
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| PageBlock {
            text: p.to_owned(),
            kind: BlockKind::Paragraph,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;
    use crate::pipeline::budget::CancelFlag;

    const ARTICLE: &str = r#"<!doctype html><html lang="en"><head>
<title>Council approves budget - Example News</title>
<meta property="og:site_name" content="Example News">
<meta property="article:published_time" content="2024-05-02T10:00:00Z">
<link rel="canonical" href="https://news.example/budget">
</head><body>
<nav class="main-nav"><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<article>
<h1>Council approves budget</h1>
<p>The city council on Tuesday approved a budget that cuts spending on roads and raises
funding for schools, after a debate that lasted more than six hours.</p>
<p>“It is a fair compromise,” the mayor told reporters after the vote, adding that the
city would review the figures again in the autumn.</p>
<figure><img src="a.jpg"><figcaption>The council chamber on Tuesday.</figcaption></figure>
<p>Opposition members said the cuts would fall hardest on the outer districts, where
many roads are already in poor condition and repairs have been delayed for years.</p>
<div class="share-buttons"><a>Share on Facebook</a> <a>Share on X</a></div>
</article>
<footer><p>© 2024 Example News. All rights reserved.</p></footer>
</body></html>"#;

    fn budget(limit: Duration) -> Budget {
        Budget::new(Some(limit), CancelFlag::new())
    }

    #[test]
    fn article_page_main_content_and_metadata() {
        let page = extract_page(ARTICLE, &HtmlLimits::default(), &Budget::unlimited());
        let text: Vec<&str> = page.blocks.iter().map(|b| b.text.as_str()).collect();
        let joined = text.join("\n");
        assert!(
            joined.contains("approved a budget that cuts spending"),
            "{joined}"
        );
        assert!(
            joined.contains("fall hardest on the outer districts"),
            "{joined}"
        );
        for boilerplate in ["Home", "Sport", "All rights reserved", "Share on Facebook"] {
            assert!(
                !joined.contains(boilerplate),
                "{boilerplate} kept: {joined}"
            );
        }
        assert_eq!(
            page.metadata.title.as_deref(),
            Some("Council approves budget")
        );
        assert_eq!(page.metadata.language.as_deref(), Some("en"));
        assert_eq!(page.metadata.site_name.as_deref(), Some("Example News"));
        assert_eq!(
            page.metadata.canonical_url.as_deref(),
            Some("https://news.example/budget")
        );
        assert_eq!(
            page.metadata.published_at.map(|t| t.to_rfc3339()),
            Some("2024-05-02T10:00:00+00:00".to_string())
        );
        assert!(page.warnings.is_empty(), "{:?}", page.warnings);
        assert!(
            page.removed
                .iter()
                .any(|r| r.kind == crate::pipeline::RemovedKind::ShareWidget),
            "{:?}",
            page.removed
        );
    }

    #[test]
    fn tiny_page_keeps_its_text() {
        let page = extract_page("<p>Hi</p>", &HtmlLimits::default(), &Budget::unlimited());
        assert_eq!(page.blocks.len(), 1);
        assert_eq!(page.blocks[0].text, "Hi");
    }

    #[test]
    fn readability_gives_a_second_opinion_with_the_dom_scan() {
        let limits = HtmlLimits::default();
        let budget = Budget::unlimited();
        let page = extract_page_scanned(ARTICLE, &limits, &mut budget.meter(), true);
        let blocks = page.readability.expect("readability finds the article");
        let text: Vec<&str> = blocks.iter().map(|b| b.text.as_str()).collect();
        assert!(
            text.iter().any(|t| t.contains("approved a budget")),
            "{text:?}"
        );
        assert!(!text.iter().any(|t| t.contains("Sport")), "{text:?}");
        // Without the scan (no scorer to read it) it is not run.
        let page = extract_page(ARTICLE, &limits, &budget);
        assert!(page.readability.is_none() && page.dom.is_none());
        // Nor on a page nested deeper than READABILITY_MAX_DEPTH.
        let nested = |depth: usize| {
            let html = ARTICLE.replace("<article>", &format!("{}<article>", "<div>".repeat(depth)));
            extract_page_scanned(&html, &limits, &mut budget.meter(), true)
        };
        let shallow = nested(usize::from(READABILITY_MAX_DEPTH) - 20);
        assert!(shallow.dom.is_some() && shallow.readability.is_some());
        let deep = nested(usize::from(READABILITY_MAX_DEPTH) + 10);
        assert!(deep.dom.is_some() && deep.readability.is_none());
    }

    #[test]
    fn a_parsed_tree_deeper_than_the_limit_skips_the_extractor() {
        // Cells of unclosed tables: the parser gives each table a tbody and
        // a row the bounds' model does not count, so the parsed tree nests
        // deeper (42) than the model says (24).
        let html = format!(
            "<html><body>{}</body></html>",
            "<table><td><div>cell text, more words.".repeat(300)
        );
        let limits = HtmlLimits {
            max_depth: 30,
            ..HtmlLimits::default()
        };
        assert!(bounds::bound(&html, &limits).depth <= 30);
        let budget = Budget::unlimited();
        let page = extract_page_scanned(&html, &limits, &mut budget.meter(), true);
        assert!(
            page.warnings
                .iter()
                .any(|w| w.code == WarningCode::InputLimit
                    && w.message
                        .contains("the parsed HTML nests 42 elements deep, deeper than 30")),
            "{:?}",
            page.warnings
        );
        // The whole text is kept; readability does not run on it either.
        let text: String = page.blocks.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(text.matches("cell text, more words.").count(), 300);
        assert!(page.readability.is_none());
        // Within the limit the extractor runs.
        let page = extract_page_scanned(&html, &HtmlLimits::default(), &mut budget.meter(), true);
        assert!(
            !page
                .warnings
                .iter()
                .any(|w| w.message.contains("parsed HTML nests")),
            "{:?}",
            page.warnings
        );
    }

    #[test]
    fn exhausted_budget_skips_extraction_with_a_warning() {
        let b = budget(Duration::ZERO);
        std::thread::sleep(Duration::from_millis(2));
        let page = extract_page(ARTICLE, &HtmlLimits::default(), &b);
        assert!(
            page.warnings
                .iter()
                .any(|w| w.message.contains("time budget"))
        );
        // The whole visible text, navigation included, is the best there is.
        let joined: String = page.blocks.iter().map(|b| b.text.as_str()).collect();
        assert!(joined.contains("approved a budget"));
        assert_eq!(
            page.metadata.title.as_deref(),
            Some("Council approves budget")
        );
    }

    /// Runs `extract_page_scanned` with the DOM scan and readability (the
    /// path of the service with its content scorer, a superset of
    /// `extract_page`'s work) on a thread with the stack of a worker thread
    /// (2 MiB), within a time limit; returns the page.
    fn hostile(html: String, limit: Duration) -> Page {
        let started = Instant::now();
        let page = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(move || {
                let budget = budget(Duration::from_secs(10));
                extract_page_scanned(&html, &HtmlLimits::default(), &mut budget.meter(), true)
            })
            .expect("thread starts")
            .join()
            .expect("no panic, no stack overflow");
        assert!(started.elapsed() < limit, "took {:?}", started.elapsed());
        page
    }

    /// Debug builds are several times slower than release builds.
    const HOSTILE_LIMIT: Duration =
        Duration::from_secs(if cfg!(debug_assertions) { 60 } else { 10 });

    #[test]
    fn hostile_100k_nested_divs() {
        let html = format!(
            "{}deep text{}",
            "<div>".repeat(100_000),
            "</div>".repeat(100_000)
        );
        let page = hostile(html, HOSTILE_LIMIT);
        assert!(
            page.warnings
                .iter()
                .any(|w| w.message.contains("nests deeper")),
            "{:?}",
            page.warnings
        );
        assert!(page.blocks.iter().any(|b| b.text.contains("deep text")));
    }

    #[test]
    fn hostile_one_million_elements() {
        let html = "<p>x</p>".repeat(1_000_000);
        let page = hostile(html, HOSTILE_LIMIT);
        assert!(
            page.warnings
                .iter()
                .any(|w| w.message.contains("more than 100000 elements")),
            "{:?}",
            page.warnings
        );
    }

    #[test]
    fn hostile_unclosed_tags() {
        let html = format!("<p>start {}", "<b><i><span><a href=x>".repeat(50_000));
        let page = hostile(html, HOSTILE_LIMIT);
        // Each new link closes the one before, so they do not nest; but
        // every element sits in four inline ones, and counts five times.
        assert!(
            page.warnings
                .iter()
                .any(|w| w.message.contains("counting an element once more")),
            "{:?}",
            page.warnings
        );
        assert!(page.blocks.iter().any(|b| b.text.contains("start")));
    }

    #[test]
    fn hostile_huge_attribute() {
        let html = format!(
            "<p title=\"{}\">Text after a huge attribute, long enough to be content.</p>",
            "x".repeat(1_500_000)
        );
        let page = hostile(html, HOSTILE_LIMIT);
        assert!(
            page.blocks
                .iter()
                .any(|b| b.text.contains("huge attribute"))
        );
    }

    #[test]
    fn hostile_nested_tables() {
        // Deeper than the depth limit, and past the element count: the
        // text at the bottom is beyond it.
        let html = format!(
            "{}cell{}",
            "<table><tr><td>".repeat(30_000),
            "</td></tr></table>".repeat(30_000)
        );
        let page = hostile(html, HOSTILE_LIMIT);
        for warning in ["tables nest deeper than 8", "more than 100000 elements"] {
            assert!(
                page.warnings.iter().any(|w| w.message.contains(warning)),
                "{warning}: {:?}",
                page.warnings
            );
        }
        // 2,000 nested tables: unwrapped past 8, the text kept.
        let html = format!(
            "{}cell{}",
            "<table><tr><td>".repeat(2_000),
            "</td></tr></table>".repeat(2_000)
        );
        let page = hostile(html, HOSTILE_LIMIT);
        assert!(
            page.warnings
                .iter()
                .any(|w| w.message.contains("tables nest deeper than 8")),
            "{:?}",
            page.warnings
        );
        assert!(page.blocks.iter().any(|b| b.text.contains("cell")));
    }

    #[test]
    fn garbage_never_panics() {
        for html in [
            "", "<", "<<<>>>", "<html", "</html>", "&#xD800;", "\u{0}", "<p>é",
        ] {
            let _ = extract_page(html, &HtmlLimits::default(), &Budget::unlimited());
        }
    }

    #[test]
    fn hostile_220k_attributes_on_one_element() {
        let many: String = (0..220_000).map(|i| format!(" a{i}=\"x\"")).collect();
        let html = format!("<html><body><p{many}>hello world</p></body></html>");
        let page = hostile(html, HOSTILE_LIMIT);
        let joined: String = page.blocks.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(joined, "hello world");
        assert!(
            page.warnings
                .iter()
                .any(|w| w.code == WarningCode::InputLimit && w.message.contains("attributes")),
            "{:?}",
            page.warnings
        );
    }

    #[test]
    fn page_work_grows_linearly() {
        use scan::testing::{Shape, assert_linear, random_html};
        let shapes: [Shape; 5] = [
            ("attributes on one element", |n| {
                format!("<p {}>hello world</p>", "a=\"x\" ".repeat(n / 6))
            }),
            ("random bytes", |n| random_html(n, 1)),
            ("deep trees", |n| {
                let tree = format!(
                    "{}<p>deep text.</p>{}",
                    "<div>".repeat(300),
                    "</div>".repeat(300)
                );
                tree.repeat(n / tree.len() + 1)
            }),
            ("many elements", |n| {
                "<p>A line of text.</p><span class=share>Share</span>".repeat(n / 52)
            }),
            ("widgets", |n| {
                "<div class=related><a href=/x>Other story</a></div>".repeat(n / 52)
            }),
        ];
        let limits = HtmlLimits {
            max_elements: usize::MAX,
            ..HtmlLimits::default()
        };
        for (what, shape) in shapes {
            let work = |n: usize| {
                let budget = Budget::unlimited();
                let mut meter = budget.meter();
                let page = extract_page_metered(&shape(n), &limits, &mut meter);
                let out: usize = page.blocks.iter().map(|b| b.text.len()).sum::<usize>()
                    + page.removed.iter().map(|r| r.text.len()).sum::<usize>();
                (meter.steps(), out as u64)
            };
            let ((steps, out), (steps_8, out_8)) = (work(20_000), work(160_000));
            assert_linear(&format!("{what}: steps"), steps, steps_8);
            assert_linear(&format!("{what}: bytes out"), out, out_8);
        }
    }
}
