//! Splits the clean HTML that the extractor returns (`<p>`, `<h2>`, `<ul><li>`,
//! `<blockquote>`, `<pre>`, `<table>`, ...) into typed text blocks, in one
//! linear pass with a bounded stack of open block elements; every byte and
//! tag is a step of a [`Meter`].

use super::flatten::decode_text;
use super::scan::{StopOn, tag_name};
use super::{BlockKind, PageBlock};
use crate::pipeline::budget::Meter;

/// Most open block elements tracked; deeper ones count as the innermost.
const MAX_STACK: usize = 64;

/// The blocks of `html`, in order; blank blocks are skipped.
pub fn split_blocks(html: &str) -> Vec<PageBlock> {
    let budget = crate::pipeline::Budget::unlimited();
    split_blocks_metered(html, &mut budget.meter())
}

/// [`split_blocks`], counting a step per byte and per tag on `meter`. Its
/// output is the article's text, so only cancellation stops it.
pub fn split_blocks_metered(html: &str, meter: &mut Meter<'_>) -> Vec<PageBlock> {
    let bytes = html.as_bytes();
    let mut blocks = Vec::new();
    let mut stack: Vec<BlockKind> = Vec::new();
    let mut text = String::new();
    let mut pos = 0;
    let flush = |text: &mut String, stack: &[BlockKind], blocks: &mut Vec<PageBlock>| {
        let decoded = decode_text(text);
        let collapsed = decoded.split_whitespace().collect::<Vec<_>>().join(" ");
        if !collapsed.is_empty() {
            blocks.push(PageBlock {
                text: collapsed,
                // The innermost specific kind: a <p> in a <blockquote> is a quote.
                kind: stack
                    .iter()
                    .rev()
                    .copied()
                    .find(|k| *k != BlockKind::Paragraph)
                    .unwrap_or(BlockKind::Paragraph),
            });
        }
        text.clear();
    };
    while pos < bytes.len() {
        let lt = bytes
            .get(pos..)
            .and_then(|rest| rest.iter().position(|&b| b == b'<'))
            .map_or(bytes.len(), |i| pos + i);
        text.push_str(html.get(pos..lt).unwrap_or_default());
        if lt >= bytes.len() {
            break;
        }
        let gt = bytes
            .get(lt..)
            .and_then(|rest| rest.iter().position(|&b| b == b'>'))
            .map_or(bytes.len(), |i| lt + i + 1);
        if StopOn::Cancel.add(meter, (gt - pos) as u64 + 1) {
            break;
        }
        let tag = html.get(lt + 1..gt.saturating_sub(1)).unwrap_or_default();
        let closing = tag.starts_with('/');
        let name = tag_name(tag);
        pos = gt;
        if name.as_str() == "br" {
            text.push(' ');
            continue;
        }
        let Some(kind) = block_kind(name.as_str()) else {
            // Inline markup: words on both sides stay together.
            continue;
        };
        flush(&mut text, &stack, &mut blocks);
        if closing {
            if let Some(i) = stack.iter().rposition(|k| *k == kind) {
                stack.truncate(i);
            }
        } else if stack.len() < MAX_STACK {
            stack.push(kind);
        }
    }
    flush(&mut text, &stack, &mut blocks);
    blocks
}

/// The kind of text a block element holds; `None` for inline elements.
fn block_kind(name: &str) -> Option<BlockKind> {
    Some(match name {
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => BlockKind::Heading,
        "li" | "dd" | "dt" => BlockKind::ListItem,
        "blockquote" | "q" => BlockKind::Quote,
        "pre" => BlockKind::Preformatted,
        "td" | "th" => BlockKind::TableCell,
        "figcaption" | "caption" => BlockKind::Caption,
        "p" | "div" | "ul" | "ol" | "dl" | "table" | "tr" | "section" | "article" | "main"
        | "body" | "figure" | "hr" | "header" | "footer" | "aside" | "details" | "summary" => {
            BlockKind::Paragraph
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(html: &str) -> Vec<(BlockKind, String)> {
        split_blocks(html)
            .into_iter()
            .map(|b| (b.kind, b.text))
            .collect()
    }

    #[test]
    fn typed_blocks_in_order() {
        let html = "<h2>Title &amp; more</h2><p>First <b>para</b>graph.</p>\
                    <ul><li>one</li><li>two</li></ul><blockquote><p>quoted</p></blockquote>\
                    <pre>code  x</pre><table><tr><td>cell</td></tr></table><p>a<br>b</p>";
        use BlockKind::*;
        assert_eq!(
            kinds(html),
            [
                (Heading, "Title & more".to_string()),
                (Paragraph, "First paragraph.".to_string()),
                (ListItem, "one".to_string()),
                (ListItem, "two".to_string()),
                (Quote, "quoted".to_string()),
                (Preformatted, "code x".to_string()),
                (TableCell, "cell".to_string()),
                (Paragraph, "a b".to_string()),
            ]
        );
    }

    #[test]
    fn malformed_markup_never_panics() {
        for html in ["", "<", "<p", "</p></p>text", "<li>x", "a<b>c", "<h1>é"] {
            let _ = split_blocks(html);
        }
        assert_eq!(
            kinds("plain"),
            [(BlockKind::Paragraph, "plain".to_string())]
        );
    }
}
