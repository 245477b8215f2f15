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
//!    the README); its clean HTML is split into typed blocks by [`blocks`];
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
pub mod flatten;
pub mod metadata;
pub mod recover;
pub mod removed;
mod scan;

pub use bounds::HtmlLimits;
pub use flatten::{ExtractedPage, extract};

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
}

/// Extracts the main content and metadata of `html` within `limits` and
/// `budget` (see the module documentation). Never panics; over a limit it
/// returns the best text found so far with a warning.
pub fn extract_page(html: &str, limits: &HtmlLimits, budget: &Budget) -> Page {
    let mut page = Page::default();
    let bounded = bounds::bound(html, limits);
    page.warnings.extend(bounded.warnings.iter().cloned());
    let html = bounded.html.as_ref();

    page.metadata = metadata::read_metadata(html, limits.max_elements);

    if budget.is_cancelled() || budget.is_over() {
        page.warnings.push(Warning::new(
            WarningCode::TimeBudget,
            "html",
            "time budget used up before main-content extraction; the page's whole text was kept",
        ));
        page.blocks = flattened_blocks(html, limits.max_elements);
        return page;
    }

    match main_content(html) {
        Some(blocks) if !blocks.is_empty() => page.blocks = blocks,
        found => {
            page.warnings.push(Warning::new(
                WarningCode::ExtractionFallback,
                "html",
                if found.is_none() {
                    "main-content extraction failed; the page's whole text was kept"
                } else {
                    "no main content found; the page's whole text was kept"
                },
            ));
            page.blocks = flattened_blocks(html, limits.max_elements);
        }
    }
    if budget.is_over() {
        page.warnings.push(Warning::new(
            WarningCode::TimeBudget,
            "html",
            "time budget used up during main-content extraction; boilerplate detection was skipped",
        ));
        return page;
    }
    page.removed = removed::find_removed(html, &page.blocks, limits.max_elements);
    page
}

/// The main-content blocks of a bounded page; `None` when the extractor
/// failed (an error, or a panic caught here so one page cannot take the
/// service down).
fn main_content(html: &str) -> Option<Vec<PageBlock>> {
    let options = trafilatura::Options::default()
        // Dates come from our own metadata scan.
        .with_html_date_mode(trafilatura::HtmlDateMode::Disabled)
        // Reader comments are not the article (+0.0014 F1 on the dev set).
        .with_exclude_comments(true);
    let result = std::panic::catch_unwind(|| trafilatura::extract(html, &options)).ok()?;
    let result = result.ok()?;
    Some(blocks::split_blocks(&result.content_html))
}

/// Blocks of the naive flattener: every visible paragraph.
fn flattened_blocks(html: &str, max_elements: usize) -> Vec<PageBlock> {
    flatten::extract(html, max_elements)
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

    /// Runs `extract_page` on a thread with the stack of a worker thread
    /// (2 MiB), within a time limit; returns the page.
    fn hostile(html: String, limit: Duration) -> Page {
        let started = Instant::now();
        let page = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(move || {
                extract_page(
                    &html,
                    &HtmlLimits::default(),
                    &budget(Duration::from_secs(10)),
                )
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
        assert!(
            page.warnings
                .iter()
                .any(|w| w.message.contains("nests deeper")),
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
        let html = format!(
            "{}cell{}",
            "<table><tr><td>".repeat(30_000),
            "</td></tr></table>".repeat(30_000)
        );
        let page = hostile(html, HOSTILE_LIMIT);
        assert!(
            page.warnings
                .iter()
                .any(|w| w.message.contains("nests deeper")),
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
}
