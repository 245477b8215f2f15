//! Bounds on hostile HTML, enforced before any DOM is built: one linear
//! scan of the markup (no recursion, no backtracking) that counts elements
//! and tracks an estimate of the nesting depth a browser-style parser would
//! build.
//!
//! - Past [`HtmlLimits::max_elements`] start tags the rest of the page is
//!   cut off (the flattener does the same).
//! - A start tag that would nest deeper than [`HtmlLimits::max_depth`] is
//!   dropped, and so is every end tag that matches no open element: the
//!   text of an over-deep subtree is kept, flattened into its deepest
//!   allowed ancestor. DOM code downstream may then walk the tree
//!   recursively without risking the stack.
//!
//! The depth estimate follows the parts of the HTML tree-construction rules
//! that matter for depth: void elements (`br`, `img`, ...) have no content,
//! raw-text elements (`script`, `style`, `textarea`, ...) hold no markup,
//! `p`, `li`, `dt`/`dd`, `td`/`th`, `tr` and `option` close an open sibling
//! of their kind, and a block element closes an open `p`. It errs on the
//! deep side (an end tag is only matched against the few innermost open
//! elements), which only makes the bound safer.

use super::scan::{find_byte, find_str};
use crate::pipeline::warning::{Warning, WarningCode};
use std::borrow::Cow;

/// Limits on the HTML a page may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HtmlLimits {
    /// Most elements (start tags) read; the rest of the page is ignored.
    pub max_elements: usize,
    /// Deepest element nesting kept; deeper markup is flattened.
    pub max_depth: usize,
}

impl Default for HtmlLimits {
    fn default() -> Self {
        HtmlLimits {
            max_elements: 100_000,
            max_depth: 256,
        }
    }
}

/// The markup after the limits are applied, and what was changed.
#[derive(Debug, Clone)]
pub struct Bounded<'a> {
    /// The HTML to parse: the input itself when it is within the limits.
    pub html: Cow<'a, str>,
    /// Start tags seen (at most `max_elements + 1`).
    pub elements: usize,
    /// Deepest nesting seen, after dropping over-deep tags.
    pub depth: usize,
    /// One warning per limit that was hit.
    pub warnings: Vec<Warning>,
}

/// How far up the open elements an end tag is matched.
const END_TAG_REACH: usize = 12;

/// Applies `limits` to `html` (see the module documentation).
pub fn bound<'a>(html: &'a str, limits: &HtmlLimits) -> Bounded<'a> {
    let bytes = html.as_bytes();
    let mut stack: Vec<Name> = Vec::new();
    let mut elements = 0usize;
    let mut deepest = 0usize;
    let mut dropped = 0usize;
    // Byte ranges of tags to drop, and where the page is cut off.
    let mut drops: Vec<(usize, usize)> = Vec::new();
    let mut cut: Option<usize> = None;
    let mut pos = 0;
    while let Some(lt) = find_byte(bytes, pos, b'<') {
        let next = bytes.get(lt + 1).copied();
        match next {
            Some(b'!') => {
                pos = if bytes.get(lt + 2..lt + 4) == Some(b"--") {
                    find_str(bytes, lt + 4, b"-->").map_or(bytes.len(), |i| i + 3)
                } else {
                    find_byte(bytes, lt + 2, b'>').map_or(bytes.len(), |i| i + 1)
                };
            }
            Some(b'?') => pos = find_byte(bytes, lt + 2, b'>').map_or(bytes.len(), |i| i + 1),
            Some(b'/') if bytes.get(lt + 2).is_some_and(u8::is_ascii_alphabetic) => {
                let (name, end) = tag_name(bytes, lt + 2);
                let gt = tag_end(bytes, end);
                let reach = stack.len().saturating_sub(END_TAG_REACH);
                match stack.iter().rposition(|open| *open == name) {
                    Some(i) if i >= reach => stack.truncate(i),
                    // Matches nothing open: parsers ignore it.
                    _ => drops.push((lt, gt)),
                }
                pos = gt;
            }
            Some(c) if c.is_ascii_alphabetic() => {
                elements += 1;
                if elements > limits.max_elements {
                    cut = Some(lt);
                    break;
                }
                let (name, end) = tag_name(bytes, lt + 1);
                let gt = tag_end(bytes, end);
                pos = gt;
                if let Some(raw_end) = raw_text_end(bytes, gt, &name) {
                    // No markup inside; the element opens and closes here.
                    pos = raw_end;
                    continue;
                }
                if is_void(&name) {
                    continue;
                }
                close_implied(&mut stack, &name);
                if stack.len() >= limits.max_depth {
                    dropped += 1;
                    drops.push((lt, gt));
                    continue;
                }
                stack.push(name);
                deepest = deepest.max(stack.len());
            }
            _ => pos = lt + 1,
        }
        if pos >= bytes.len() {
            break;
        }
    }

    let mut warnings = Vec::new();
    if dropped > 0 {
        warnings.push(Warning::new(
            WarningCode::InputLimit,
            "html",
            format!(
                "HTML nests deeper than {} elements; {dropped} deeper tags were dropped and their text flattened",
                limits.max_depth
            ),
        ));
    }
    if cut.is_some() {
        let n = limits.max_elements;
        warnings.push(Warning::new(
            WarningCode::InputLimit,
            "html",
            format!("HTML has more than {n} elements; text after element {n} was ignored"),
        ));
    }
    let html = if dropped == 0 && cut.is_none() {
        Cow::Borrowed(html)
    } else {
        let end = cut.unwrap_or(html.len());
        let mut out = String::with_capacity(end);
        let mut from = 0;
        for (start, stop) in drops {
            if start >= end {
                break;
            }
            out.push_str(html.get(from..start).unwrap_or_default());
            from = stop.min(end);
        }
        out.push_str(html.get(from..end).unwrap_or_default());
        Cow::Owned(out)
    };
    Bounded {
        html,
        elements,
        depth: deepest,
        warnings,
    }
}

/// A lower-cased tag name, truncated to 15 bytes (enough to tell every
/// HTML element apart).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Name {
    bytes: [u8; 15],
    len: u8,
}

impl Name {
    fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or_default()
    }
}

/// The tag name starting at `start` and the index just past it.
fn tag_name(bytes: &[u8], start: usize) -> (Name, usize) {
    let mut name = Name {
        bytes: [0; 15],
        len: 0,
    };
    let mut i = start;
    while let Some(&b) = bytes.get(i) {
        if b.is_ascii_whitespace() || b == b'/' || b == b'>' {
            break;
        }
        if let Some(slot) = name.bytes.get_mut(usize::from(name.len)) {
            *slot = b.to_ascii_lowercase();
            name.len += 1;
        }
        i += 1;
    }
    (name, i)
}

/// Index just past the `>` that ends a tag whose attributes start at
/// `from` (quoted values may hold `>`); the end of input when there is none.
fn tag_end(bytes: &[u8], from: usize) -> usize {
    let mut i = from;
    let mut after_equals = false;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'>' => return i + 1,
            b'"' | b'\'' if after_equals => {
                // A quoted value: skip to its closing quote.
                match find_byte(bytes, i + 1, b) {
                    Some(close) => i = close,
                    None => return bytes.len(),
                }
                after_equals = false;
            }
            b'=' => after_equals = true,
            b if b.is_ascii_whitespace() => {}
            _ => after_equals = false,
        }
        i += 1;
    }
    bytes.len()
}

/// For a raw-text element, the index just past its end tag (the end of
/// input when it is not closed); `None` for other elements.
fn raw_text_end(bytes: &[u8], from: usize, name: &Name) -> Option<usize> {
    let name = name.as_bytes();
    if !matches!(
        name,
        b"script"
            | b"style"
            | b"textarea"
            | b"title"
            | b"xmp"
            | b"iframe"
            | b"noembed"
            | b"noframes"
            | b"noscript"
            | b"plaintext"
    ) {
        return None;
    }
    let mut at = from;
    while let Some(lt) = find_str(bytes, at, b"</") {
        let candidate = bytes.get(lt + 2..lt + 2 + name.len());
        if candidate.is_some_and(|c| c.eq_ignore_ascii_case(name)) {
            return Some(tag_end(bytes, lt + 2 + name.len()));
        }
        at = lt + 2;
    }
    Some(bytes.len())
}

/// Elements that never have content.
fn is_void(name: &Name) -> bool {
    matches!(
        name.as_bytes(),
        b"area"
            | b"base"
            | b"br"
            | b"col"
            | b"embed"
            | b"hr"
            | b"img"
            | b"input"
            | b"link"
            | b"meta"
            | b"param"
            | b"source"
            | b"track"
            | b"wbr"
            | b"keygen"
            | b"basefont"
            | b"bgsound"
            | b"frame"
            | b"image"
    )
}

/// Pops the open elements that a start tag `name` implicitly closes.
fn close_implied(stack: &mut Vec<Name>, name: &Name) {
    let closes: &[&[u8]] = match name.as_bytes() {
        b"li" => &[b"li", b"p"],
        b"dt" | b"dd" => &[b"dt", b"dd", b"p"],
        b"td" | b"th" => &[b"td", b"th"],
        b"tr" => &[b"tr", b"td", b"th"],
        b"option" => &[b"option"],
        b"p" | b"div" | b"ul" | b"ol" | b"dl" | b"h1" | b"h2" | b"h3" | b"h4" | b"h5" | b"h6"
        | b"table" | b"section" | b"article" | b"aside" | b"header" | b"footer" | b"nav"
        | b"blockquote" | b"pre" | b"figure" | b"form" | b"main" | b"address" | b"hr"
        | b"fieldset" | b"details" | b"menu" => &[b"p"],
        _ => return,
    };
    while let Some(top) = stack.last() {
        if closes.contains(&top.as_bytes()) {
            stack.pop();
        } else {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(max_elements: usize, max_depth: usize) -> HtmlLimits {
        HtmlLimits {
            max_elements,
            max_depth,
        }
    }

    #[test]
    fn ordinary_page_is_borrowed_unchanged() {
        let html = "<html><head><title>a<b</title><script>if (a<div) {}</script></head>\
                    <body><p>one<p>two<ul><li>x<li>y</ul><img src=x><br>\
                    <table><tr><td>1<td>2<tr><td>3</table></body></html>";
        let b = bound(html, &HtmlLimits::default());
        assert!(matches!(b.html, Cow::Borrowed(_)));
        assert!(b.warnings.is_empty());
        // html > body > table > tr > td: p, li, td and tr close their siblings.
        assert_eq!(b.depth, 5);
        assert_eq!(b.elements, 18);
    }

    #[test]
    fn element_cap_cuts_the_page() {
        let b = bound("<p>one</p><p>two</p><p>three</p>", &limits(2, 100));
        assert_eq!(b.html, "<p>one</p><p>two</p>");
        assert_eq!(
            b.warnings
                .iter()
                .map(|w| w.message.as_str())
                .collect::<Vec<_>>(),
            ["HTML has more than 2 elements; text after element 2 was ignored"]
        );
    }

    #[test]
    fn over_deep_tags_are_dropped_and_their_text_kept() {
        let html = "<div><div><div><b>deep</b> text</div></div></div><p>after</p>";
        let b = bound(html, &limits(100, 2));
        assert_eq!(b.html, "<div><div>deep text</div></div><p>after</p>");
        assert_eq!(b.depth, 2);
        assert_eq!(b.warnings.len(), 1);
        assert!(
            b.warnings[0].message.contains("deeper than 2"),
            "{:?}",
            b.warnings
        );
    }

    #[test]
    fn quoted_attributes_and_raw_text_hide_markup() {
        let html = "<a title='x > <div>'>link</a><style>div>p{}</style><textarea><div></textarea>";
        let b = bound(html, &limits(100, 1));
        assert!(b.warnings.is_empty(), "{:?}", b.warnings);
        assert_eq!(b.elements, 3);
    }

    #[test]
    fn hostile_shapes_stay_linear_and_bounded() {
        let n = 200_000;
        for html in [
            "<div>".repeat(n),
            "<table><tr><td>".repeat(n / 3),
            "<b><i>".repeat(n / 2),
            "</div>".repeat(n),
            format!("<a title=\"{}\">x", "y".repeat(1 << 20)),
            "<a title='".repeat(n),
            "<!--".repeat(n),
            "<script>".repeat(n),
        ] {
            let b = bound(&html, &limits(1_000_000, 64));
            assert!(b.depth <= 64);
            assert!(b.html.len() <= html.len());
        }
    }

    #[test]
    fn truncated_input_never_panics() {
        for html in [
            "<",
            "</",
            "<a",
            "<a b='",
            "<!--",
            "<!",
            "<?",
            "<script>x",
            "</x",
        ] {
            let b = bound(html, &limits(10, 10));
            assert!(b.html.len() <= html.len());
        }
    }
}
