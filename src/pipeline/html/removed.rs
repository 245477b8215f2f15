//! Typed boilerplate found in the markup where it is cheap to tell: the
//! outermost element whose tag, `class` or `id` names a known kind of page
//! furniture (captions, share buttons, newsletter prompts, comments,
//! related links, navigation, advertisements, tag lists, credits). Its
//! text becomes a [`RemovedBlock`] unless it is part of the main content.
//!
//! One linear pass over the markup with a stack of open elements (the page
//! is already bounded in depth by [`super::bounds`], and an end tag is
//! matched against the innermost few only) collects the widgets; one
//! [`Needles`] automaton then tells which of them the main content holds,
//! in time linear in both. Every byte is a step of a [`Meter`].

use super::PageBlock;
use super::flatten::decode_text;
use super::needles::Needles;
use super::scan::{TagName, find_byte, find_str, tag_name};
use crate::pipeline::budget::Meter;
use crate::pipeline::{RemovedBlock, RemovedKind};

/// Most removed blocks reported per page.
const MAX_REMOVED: usize = 64;
/// Longest removed text kept, in bytes (longer ones are truncated on a
/// character boundary).
const MAX_TEXT: usize = 2000;

/// How far up the open elements an end tag is matched (as in
/// [`super::bounds`]): an end tag costs a bounded amount of work however
/// many elements are open.
const END_TAG_REACH: usize = 12;

/// Finds the typed boilerplate of `html` that is not in `main`.
pub fn find_removed(html: &str, main: &[PageBlock], max_elements: usize) -> Vec<RemovedBlock> {
    let budget = crate::pipeline::Budget::unlimited();
    find_removed_metered(html, main, max_elements, &mut budget.meter())
}

/// [`find_removed`], counting a step per byte and per tag on `meter`; when
/// the meter stops, nothing is reported (the widgets are not yet checked
/// against the main content).
///
/// The page is read once, collecting every widget's text; then one
/// [`Needles`] automaton of those texts reads the main content once to
/// tell which of them it holds, so the test costs the sum of the sizes,
/// not their product.
pub fn find_removed_metered(
    html: &str,
    main: &[PageBlock],
    max_elements: usize,
    meter: &mut Meter<'_>,
) -> Vec<RemovedBlock> {
    let candidates = collect(html, max_elements, meter);
    if meter.is_stopped() || candidates.is_empty() {
        return Vec::new();
    }
    let needles = Needles::new(candidates.iter().map(|(_, t)| t.as_bytes()), meter);
    let in_main = needles.occurring(main.iter().map(|b| b.text.as_bytes()), meter);
    if meter.is_stopped() {
        return Vec::new();
    }
    candidates
        .into_iter()
        .zip(in_main)
        .filter(|(_, in_main)| !in_main)
        .take(MAX_REMOVED)
        .map(|((kind, mut text), _)| {
            if text.len() > MAX_TEXT {
                let mut end = MAX_TEXT;
                while !text.is_char_boundary(end) {
                    end -= 1;
                }
                text.truncate(end);
            }
            RemovedBlock { text, kind }
        })
        .collect()
}

/// Every outermost widget of the page with its text (references decoded,
/// white space collapsed), in page order; blank ones are left out.
fn collect(html: &str, max_elements: usize, meter: &mut Meter<'_>) -> Vec<(RemovedKind, String)> {
    let bytes = html.as_bytes();
    let mut out = Vec::new();
    let mut stack: Vec<TagName> = Vec::new();
    // (stack depth at which the capture started, kind, text so far)
    let mut capture: Option<(usize, RemovedKind, String)> = None;
    let mut elements = 0usize;
    let mut pos = 0;
    while pos < bytes.len() {
        let lt = find_byte(bytes, pos, b'<').unwrap_or(bytes.len());
        if let Some((_, _, text)) = capture.as_mut()
            && text.len() < MAX_TEXT
        {
            text.push_str(html.get(pos..lt).unwrap_or_default());
        }
        if lt >= bytes.len() {
            break;
        }
        let gt = find_byte(bytes, lt, b'>').map_or(bytes.len(), |i| i + 1);
        // A step per byte of text and markup, and per tag.
        if meter.add((gt - pos) as u64 + 1) {
            return out;
        }
        let tag = html.get(lt + 1..gt.saturating_sub(1)).unwrap_or_default();
        pos = gt;
        if tag.starts_with('!') || tag.starts_with('?') {
            if tag.starts_with("!--") && !tag.ends_with("--") {
                pos = find_str(bytes, lt + 4, b"-->").map_or(bytes.len(), |i| i + 3);
            }
            continue;
        }
        let closing = tag.starts_with('/');
        let name = tag_name(tag);
        if name.is_empty() {
            continue;
        }
        if closing {
            let reach = stack.len().saturating_sub(END_TAG_REACH);
            if let Some(i) = stack
                .get(reach..)
                .and_then(|open| open.iter().rposition(|n| *n == name))
            {
                stack.truncate(reach + i);
            }
            if let Some((depth, kind, text)) = capture.take() {
                if stack.len() < depth {
                    push_candidate(kind, &text, &mut out);
                } else {
                    capture = Some((depth, kind, text));
                }
            }
            continue;
        }
        elements += 1;
        if elements > max_elements {
            break;
        }
        if matches!(
            name.as_str(),
            "script" | "style" | "noscript" | "template" | "svg" | "textarea" | "title" | "iframe"
        ) {
            pos = find_end_tag(bytes, gt, name.as_str().as_bytes()).unwrap_or(bytes.len());
            continue;
        }
        if is_void(name.as_str()) || tag.ends_with('/') {
            if name.as_str() == "br"
                && let Some((_, _, text)) = capture.as_mut()
            {
                text.push(' ');
            }
            continue;
        }
        stack.push(name);
        if capture.is_none()
            && let Some(kind) = classify(name.as_str(), tag)
        {
            capture = Some((stack.len(), kind, String::new()));
        } else if let Some((_, _, text)) = capture.as_mut() {
            text.push(' ');
        }
    }
    if let Some((_, kind, text)) = capture {
        push_candidate(kind, &text, &mut out);
    }
    out
}

/// Adds a widget's text, decoded and collapsed, unless it is blank.
fn push_candidate(kind: RemovedKind, raw: &str, out: &mut Vec<(RemovedKind, String)>) {
    let decoded = decode_text(raw);
    let mut text = String::with_capacity(decoded.len());
    for word in decoded.split_whitespace() {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(word);
    }
    if !text.is_empty() {
        out.push((kind, text));
    }
}

/// The kind of furniture an element is, from its tag, class and id.
fn classify(name: &str, tag: &str) -> Option<RemovedKind> {
    match name {
        "figcaption" => return Some(RemovedKind::Caption),
        "nav" => return Some(RemovedKind::Navigation),
        _ => {}
    }
    let names = attr_words(tag);
    if names.is_empty() {
        return None;
    }
    let has = |cues: &[&str]| cues.iter().any(|cue| names.iter().any(|n| n == cue));
    // Most specific first.
    if has(&["newsletter", "subscribe", "subscription", "signup"]) {
        Some(RemovedKind::Newsletter)
    } else if has(&["share", "sharing", "social", "sharebar", "socials"]) {
        Some(RemovedKind::ShareWidget)
    } else if has(&["comments", "comment", "disqus", "respond"]) {
        Some(RemovedKind::Comments)
    } else if has(&[
        "related",
        "recommended",
        "recommendations",
        "teaser",
        "more",
    ]) {
        Some(RemovedKind::RelatedLinks)
    } else if has(&["caption", "figcaption", "wp-caption-text"]) {
        Some(RemovedKind::Caption)
    } else if has(&["credit", "credits", "copyright", "photo-credit"]) {
        Some(RemovedKind::Credit)
    } else if has(&["tags", "tag-list", "taglist", "keywords"]) {
        Some(RemovedKind::Tags)
    } else if has(&["ad", "ads", "advert", "advertisement", "sponsored", "promo"]) {
        Some(RemovedKind::Advertisement)
    } else if has(&[
        "breadcrumb",
        "breadcrumbs",
        "navigation",
        "nav",
        "menu",
        "navbar",
    ]) {
        Some(RemovedKind::Navigation)
    } else if has(&["disclaimer"]) {
        Some(RemovedKind::Disclaimer)
    } else {
        None
    }
}

/// The words of the `class` and `id` attributes of a tag, lower-cased and
/// split on white space, `-` and `_` (and the whole hyphenated names too).
fn attr_words(tag: &str) -> Vec<String> {
    let lower = tag.to_ascii_lowercase();
    let mut words = Vec::new();
    for attr in ["class=", "id="] {
        let mut from = 0;
        while let Some(found) = lower.get(from..).and_then(|s| s.find(attr)) {
            let at = from + found;
            from = at + attr.len();
            // Only a whole attribute name (not data-class=).
            if at > 0
                && !lower
                    .as_bytes()
                    .get(at - 1)
                    .is_some_and(u8::is_ascii_whitespace)
            {
                continue;
            }
            let rest = lower.get(from..).unwrap_or_default();
            let value = match rest.chars().next() {
                Some(q @ ('"' | '\'')) => rest.get(1..).unwrap_or_default().split(q).next(),
                _ => rest.split(|c: char| c.is_ascii_whitespace()).next(),
            }
            .unwrap_or_default();
            for name in value.split_ascii_whitespace().take(16) {
                words.push(name.to_owned());
                words.extend(
                    name.split(['-', '_'])
                        .filter(|w| !w.is_empty())
                        .map(str::to_owned),
                );
            }
        }
    }
    words
}

fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
    )
}

/// Where the end tag `</name` (any case) after `from` starts.
fn find_end_tag(bytes: &[u8], from: usize, name: &[u8]) -> Option<usize> {
    let mut at = from;
    while let Some(i) = find_str(bytes, at, b"</") {
        if bytes
            .get(i + 2..i + 2 + name.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(name))
        {
            return Some(i);
        }
        at = i + 2;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::BlockKind;
    use super::*;

    fn main_blocks(texts: &[&str]) -> Vec<PageBlock> {
        texts
            .iter()
            .map(|t| PageBlock {
                text: (*t).to_owned(),
                kind: BlockKind::Paragraph,
            })
            .collect()
    }

    #[test]
    fn typed_widgets_outside_the_main_content() {
        let html = r#"<nav><a href="/">Home</a> <a>World</a></nav>
<article><p>Body text.</p>
<figure><img src=x><figcaption>The mayor &amp; council</figcaption></figure>
<div class="social-share"><a>Share on X</a></div>
<div id="newsletter-box"><p>Sign up for our <b>daily</b> email</p></div>
<section class="comments"><h3>3 comments</h3></section>
<aside class="related-articles"><ul><li>Other story</li></ul></aside>
<div class="tags">budget, council</div>
<div class="article-body"><p>Kept.</p></div></article>"#;
        let removed = find_removed(html, &main_blocks(&["Body text.", "Kept."]), 1000);
        let got: Vec<(RemovedKind, &str)> =
            removed.iter().map(|r| (r.kind, r.text.as_str())).collect();
        assert_eq!(
            got,
            [
                (RemovedKind::Navigation, "Home World"),
                (RemovedKind::Caption, "The mayor & council"),
                (RemovedKind::ShareWidget, "Share on X"),
                (RemovedKind::Newsletter, "Sign up for our daily email"),
                (RemovedKind::Comments, "3 comments"),
                (RemovedKind::RelatedLinks, "Other story"),
                (RemovedKind::Tags, "budget, council"),
            ]
        );
    }

    #[test]
    fn text_in_the_main_content_is_not_reported() {
        let html = "<figure><figcaption>Shown in the article</figcaption></figure>";
        assert!(find_removed(html, &main_blocks(&["Shown in the article"]), 100).is_empty());
    }

    #[test]
    fn data_attributes_are_not_class_names() {
        assert_eq!(classify("div", "div data-class=\"share\""), None);
        assert_eq!(
            classify("div", "div class=\"x share-tools\""),
            Some(RemovedKind::ShareWidget)
        );
    }

    #[test]
    fn malformed_markup_never_panics() {
        for html in [
            "<",
            "<nav>",
            "<nav>x",
            "</nav>",
            "<!--",
            "<script>",
            "<div class='share",
        ] {
            let _ = find_removed(html, &[], 100);
        }
        let many = "<nav>x</nav>".repeat(1000);
        assert_eq!(find_removed(&many, &[], 10_000).len(), MAX_REMOVED);
    }

    #[test]
    fn work_grows_linearly() {
        use crate::pipeline::html::scan::testing::{assert_linear, random_html};
        // Widgets whose text is all in the main content (each used to be
        // searched for in the whole main text), stray end tags under many
        // open elements (each used to search the whole stack), random bytes.
        type PageShape = (&'static str, fn(usize) -> (String, Vec<PageBlock>));
        let shapes: [PageShape; 3] = [
            ("widgets in the main content", |n| {
                let words: Vec<String> = (0..n / 40).map(|i| format!("word{i}")).collect();
                let html: String = words
                    .iter()
                    .map(|w| format!("<span class=share>{w}</span>"))
                    .collect();
                (html, main_blocks(&[&words.join(" ")]))
            }),
            ("stray end tags", |n| {
                (
                    format!("{}{}", "<b>".repeat(n / 8), "</i>".repeat(n / 8)),
                    Vec::new(),
                )
            }),
            ("random bytes", |n| (random_html(n, 5), Vec::new())),
        ];
        for (what, shape) in shapes {
            let work = |n: usize| {
                let (html, main) = shape(n);
                let budget = crate::pipeline::Budget::unlimited();
                let mut meter = budget.meter();
                let removed = find_removed_metered(&html, &main, usize::MAX, &mut meter);
                if what.starts_with("widgets") {
                    assert!(removed.is_empty(), "{removed:?}");
                }
                meter.steps()
            };
            assert_linear(what, work(40_000), work(320_000));
        }
    }
}
