//! The page's text blocks with their DOM evidence, for the learned content
//! scorer ([`super::scorer`]).
//!
//! One linear pass of a simplified tokenizer (no DOM tree, no recursion)
//! keeps a bounded stack of open elements and cuts the visible text into
//! blocks at every block-level element, as [`super::flatten`] does. Each
//! block records what the scorer reads besides its text: the tag of its
//! innermost block element, how much of its text sits in links, how many
//! inline tags it holds, the landmarks it is inside (`nav`, `footer`,
//! `article`, a list, a table, ...), the tag path of its three nearest
//! block containers, the class and id words of its nearest ancestors, and
//! its three nearest block containers, whose text and link totals are known
//! when they close.
//!
//! Totals move up the stack when an element closes, so the pass is linear
//! in the page; class and id words live in one stack-shaped arena, and a
//! block copies at most [`MAX_BLOCK_TOKENS`] of them. Every byte and tag is
//! a step of a [`Meter`]; when the meter stops, the pass gives up (`None`).

use super::BlockKind;
use super::flatten::decode_text;
use super::scan::{TagName, attribute_name_end, end_tag_at, find_byte, tag_name};
use crate::pipeline::budget::Meter;
use crate::pipeline::entities::features::text as hash_text;

/// Most open elements tracked; deeper ones are not pushed.
const MAX_STACK: usize = 512;

/// Most class and id words a block copies from its nearest ancestors.
pub const MAX_BLOCK_TOKENS: usize = 24;

/// Most class and id words kept of one element.
const MAX_ELEMENT_TOKENS: usize = 8;

/// How far down the stack an end tag looks for its start tag.
const MAX_CLOSE_SEARCH: usize = 24;

/// Landmark flags of a block (set when an ancestor is one).
pub mod flag {
    /// In `<nav>` or `role=navigation`.
    pub const NAV: u32 = 1;
    /// In `<header>` or `role=banner`.
    pub const HEADER: u32 = 1 << 1;
    /// In `<footer>` or `role=contentinfo`.
    pub const FOOTER: u32 = 1 << 2;
    /// In `<aside>` or `role=complementary`.
    pub const ASIDE: u32 = 1 << 3;
    /// In `<article>`.
    pub const ARTICLE: u32 = 1 << 4;
    /// In `<main>` or `role=main`.
    pub const MAIN: u32 = 1 << 5;
    /// In `<form>`.
    pub const FORM: u32 = 1 << 6;
    /// In a list item.
    pub const LIST: u32 = 1 << 7;
    /// In a table.
    pub const TABLE: u32 = 1 << 8;
    /// In a figure.
    pub const FIGURE: u32 = 1 << 9;
    /// In a button, select, label or option.
    pub const CONTROL: u32 = 1 << 10;
    /// In an element marked `itemprop=articleBody` (or `articlebody`).
    pub const ARTICLE_BODY: u32 = 1 << 11;
    /// In an element with `hidden`, `aria-hidden=true` or `display:none`.
    pub const HIDDEN: u32 = 1 << 12;
    /// In a `<blockquote>`.
    pub const QUOTE: u32 = 1 << 13;
    /// In `<time>` or `<address>`.
    pub const META: u32 = 1 << 14;
    /// Number of flags.
    pub const COUNT: u32 = 15;
}

/// Totals of one block-level element, known when it closes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ElementStats {
    /// Non-space bytes of text in it.
    pub bytes: u32,
    /// Non-space bytes of text in links in it.
    pub link_bytes: u32,
    /// Blocks in it.
    pub blocks: u32,
    /// Start tags in it.
    pub tags: u32,
}

/// One block of visible text.
#[derive(Debug, Clone)]
pub struct DomBlock {
    /// Its text, references decoded, white space collapsed.
    pub text: String,
    /// Its kind (from its innermost specific block element).
    pub kind: BlockKind,
    /// Its innermost block element's tag.
    pub tag: TagName,
    /// Non-space bytes of its text.
    pub bytes: u32,
    /// Of which inside links.
    pub link_bytes: u32,
    /// Inline start tags inside it.
    pub tags: u32,
    /// Landmark flags ([`flag`]).
    pub flags: u32,
    /// Hash of the tags of its three nearest block containers.
    pub path: u64,
    /// Range of its class and id word hashes in [`DomPage::tokens`],
    /// nearest ancestor last.
    pub tokens: (u32, u32),
    /// Its three nearest block-level containers (indices in
    /// [`DomPage::elements`]), nearest first; `u32::MAX` when none.
    pub containers: [u32; 3],
    /// Open elements when it started.
    pub depth: u16,
}

/// The blocks of a page and the totals of its block-level elements.
#[derive(Debug, Clone, Default)]
pub struct DomPage {
    /// Blocks in page order.
    pub blocks: Vec<DomBlock>,
    /// Class and id word hashes of the blocks.
    pub tokens: Vec<u64>,
    /// Block-level elements' totals.
    pub elements: Vec<ElementStats>,
}

impl DomPage {
    /// The class and id word hashes of block `b`.
    pub fn tokens_of(&self, b: &DomBlock) -> &[u64] {
        self.tokens
            .get(b.tokens.0 as usize..b.tokens.1 as usize)
            .unwrap_or_default()
    }

    /// The totals of container `i` (zero when there is none).
    pub fn element(&self, i: u32) -> ElementStats {
        self.elements.get(i as usize).copied().unwrap_or_default()
    }
}

/// What the scanner knows about a tag name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// Its content is skipped (script, style, head, ...).
    Skip,
    /// No content, never pushed.
    Void,
    /// Ends a block.
    Block,
    /// Inline.
    Inline,
}

fn classify(name: &str) -> Class {
    match name {
        "script" | "style" | "noscript" | "iframe" | "textarea" | "xmp" | "noembed"
        | "noframes" | "title" | "template" | "svg" | "head" | "select" | "math" | "object" => {
            Class::Skip
        }
        "br" | "img" | "hr" | "input" | "meta" | "link" | "area" | "base" | "col" | "embed"
        | "param" | "source" | "track" | "wbr" => Class::Void,
        "p" | "div" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "section" | "article"
        | "header" | "footer" | "blockquote" | "ul" | "ol" | "dl" | "dt" | "dd" | "li"
        | "table" | "tr" | "td" | "th" | "tbody" | "thead" | "tfoot" | "caption" | "figure"
        | "figcaption" | "pre" | "main" | "aside" | "nav" | "form" | "address" | "details"
        | "summary" | "fieldset" | "legend" | "center" | "hgroup" | "menu" | "dialog" | "body"
        | "html" | "button" | "label" | "option" | "listing" => Class::Block,
        _ => Class::Inline,
    }
}

/// The landmark flag of a tag name.
fn tag_flag(name: &str) -> u32 {
    match name {
        "nav" | "menu" => flag::NAV,
        "header" => flag::HEADER,
        "footer" => flag::FOOTER,
        "aside" => flag::ASIDE,
        "article" => flag::ARTICLE,
        "main" => flag::MAIN,
        "form" | "fieldset" => flag::FORM,
        "li" | "dd" | "dt" => flag::LIST,
        "table" | "td" | "th" | "tr" => flag::TABLE,
        "figure" | "figcaption" => flag::FIGURE,
        "button" | "label" | "option" => flag::CONTROL,
        "blockquote" => flag::QUOTE,
        "time" | "address" => flag::META,
        _ => 0,
    }
}

/// The block kind of a block element, `None` for a plain container.
fn kind_of(name: &str) -> Option<BlockKind> {
    Some(match name {
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => BlockKind::Heading,
        "li" | "dd" | "dt" => BlockKind::ListItem,
        "blockquote" => BlockKind::Quote,
        "pre" | "listing" => BlockKind::Preformatted,
        "td" | "th" => BlockKind::TableCell,
        "figcaption" | "caption" => BlockKind::Caption,
        _ => return None,
    })
}

/// Elements closed by a start tag of the same name when they are the
/// innermost open block (`<p>a<p>b`, `<li>a<li>b`).
fn self_nesting_closes(name: &str) -> bool {
    matches!(
        name,
        "p" | "li" | "dt" | "dd" | "tr" | "td" | "th" | "option"
    )
}

/// An open element.
#[derive(Debug, Clone, Copy)]
struct Open {
    name: TagName,
    /// Index in `elements` for block-level elements.
    element: Option<u32>,
    /// Where its class and id words start in the arena.
    token_start: u32,
    /// Its flags and its ancestors'.
    flags: u32,
    /// Running totals of its subtree.
    stats: ElementStats,
    link: bool,
}

/// An attribute-derived view of a start tag.
#[derive(Default)]
struct Attributes {
    flags: u32,
}

struct Scanner<'h, 'm, 'b> {
    html: &'h str,
    meter: &'m mut Meter<'b>,
    page: DomPage,
    stack: Vec<Open>,
    arena: Vec<u64>,
    /// Raw text of the block being read.
    buf: String,
    bytes: u32,
    link_bytes: u32,
    tags: u32,
    links_open: u32,
}

/// The blocks of `html` (already bounded by [`super::bounds`]); `None` when
/// the meter stopped first.
pub fn scan(html: &str, meter: &mut Meter<'_>) -> Option<DomPage> {
    let mut s = Scanner {
        html,
        meter,
        page: DomPage::default(),
        stack: Vec::with_capacity(64),
        arena: Vec::with_capacity(256),
        buf: String::with_capacity(256),
        bytes: 0,
        link_bytes: 0,
        tags: 0,
        links_open: 0,
    };
    s.run()?;
    s.flush();
    while !s.stack.is_empty() {
        s.pop();
    }
    Some(s.page)
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0C')
}

impl Scanner<'_, '_, '_> {
    fn run(&mut self) -> Option<()> {
        let bytes = self.html.as_bytes();
        let mut pos = 0;
        while pos < bytes.len() {
            let lt = find_byte(bytes, pos, b'<').unwrap_or(bytes.len());
            if self.meter.add((lt - pos) as u64 + 1) {
                return None;
            }
            if lt > pos {
                self.text(pos, lt);
            }
            if lt >= bytes.len() {
                break;
            }
            let next = self.markup(lt);
            if self.meter.add(next.saturating_sub(lt) as u64) {
                return None;
            }
            pos = next.max(lt + 1);
        }
        Some(())
    }

    /// Handles the markup at `lt`; returns where to go on.
    fn markup(&mut self, lt: usize) -> usize {
        let bytes = self.html.as_bytes();
        let end_of = |from: usize| find_byte(bytes, from, b'>').map_or(bytes.len(), |g| g + 1);
        match bytes.get(lt + 1).copied() {
            Some(b'!') if bytes.get(lt + 2..lt + 4) == Some(b"--") => {
                super::scan::find_str(bytes, lt + 4, b"-->").map_or(bytes.len(), |e| e + 3)
            }
            Some(b'!' | b'?') => end_of(lt + 2),
            Some(b'/') => {
                let end = end_of(lt + 2);
                let name = tag_name(self.html.get(lt + 2..end).unwrap_or_default());
                if !name.is_empty() {
                    self.end_tag(name);
                }
                end
            }
            Some(c) if c.is_ascii_alphabetic() => self.start_tag(lt),
            _ => {
                self.text(lt, lt + 1);
                lt + 1
            }
        }
    }

    /// Parses a start tag at `lt`; returns where to go on.
    fn start_tag(&mut self, lt: usize) -> usize {
        let bytes = self.html.as_bytes();
        let mut i = lt + 1;
        while bytes
            .get(i)
            .is_some_and(|&b| !is_space(b) && b != b'/' && b != b'>')
        {
            i += 1;
        }
        let name = tag_name(self.html.get(lt + 1..i).unwrap_or_default());
        let token_start = self.arena.len() as u32;
        let mut attributes = Attributes::default();
        let mut self_closing = false;
        // Attributes, up to the closing `>`.
        let end = loop {
            while bytes.get(i).copied().is_some_and(is_space) {
                i += 1;
            }
            match bytes.get(i) {
                None => break bytes.len(),
                Some(b'>') => break i + 1,
                Some(b'/') => {
                    i += 1;
                    self_closing = bytes.get(i) == Some(&b'>');
                    continue;
                }
                _ => {}
            }
            let name_start = i;
            i = attribute_name_end(bytes, i);
            let attr = bytes.get(name_start..i).unwrap_or_default();
            while bytes.get(i).copied().is_some_and(is_space) {
                i += 1;
            }
            if bytes.get(i) != Some(&b'=') {
                if attr.eq_ignore_ascii_case(b"hidden") {
                    attributes.flags |= flag::HIDDEN;
                }
                continue;
            }
            i += 1;
            while bytes.get(i).copied().is_some_and(is_space) {
                i += 1;
            }
            let value = match bytes.get(i) {
                None => break bytes.len(),
                Some(&quote @ (b'"' | b'\'')) => {
                    let close = find_byte(bytes, i + 1, quote).unwrap_or(bytes.len());
                    let value = bytes.get(i + 1..close).unwrap_or_default();
                    i = close + 1;
                    value
                }
                Some(b'>') => continue,
                _ => {
                    let start = i;
                    while bytes.get(i).is_some_and(|&b| !is_space(b) && b != b'>') {
                        i += 1;
                    }
                    bytes.get(start..i).unwrap_or_default()
                }
            };
            self.attribute(attr, value, &mut attributes);
        };
        let name_str = name.as_str();
        let class = classify(name_str);
        if class == Class::Skip {
            self.arena.truncate(token_start as usize);
            if self_closing {
                return end;
            }
            return self.skip_to_end(end, name_str);
        }
        if class == Class::Block {
            self.flush();
            let lowest = self.stack.len().saturating_sub(MAX_CLOSE_SEARCH);
            if self_nesting_closes(name_str)
                && let Some(top) = self
                    .stack
                    .get(lowest..)
                    .and_then(|s| s.iter().rposition(|o| o.element.is_some()))
                    .map(|i| i + lowest)
                && self.stack.get(top).is_some_and(|o| o.name == name)
            {
                while self.stack.len() > top {
                    self.pop();
                }
            }
        } else {
            self.tags += 1;
        }
        if let Some(top) = self.stack.last_mut() {
            top.stats.tags += 1;
        }
        if class == Class::Void || self_closing || self.stack.len() >= MAX_STACK {
            if name_str == "br" {
                self.buf.push(' ');
            }
            self.arena.truncate(token_start as usize);
            return end;
        }
        let parent_flags = self.stack.last().map_or(0, |o| o.flags);
        let element = (class == Class::Block).then(|| {
            self.page.elements.push(ElementStats::default());
            (self.page.elements.len() - 1) as u32
        });
        let link = name_str == "a";
        if link {
            self.links_open += 1;
        }
        self.stack.push(Open {
            name,
            element,
            token_start,
            flags: parent_flags | tag_flag(name_str) | attributes.flags,
            stats: ElementStats::default(),
            link,
        });
        end
    }

    /// Reads one attribute: class and id words go to the arena, landmark
    /// roles and hiding to the flags.
    fn attribute(&mut self, name: &[u8], value: &[u8], attributes: &mut Attributes) {
        if name.eq_ignore_ascii_case(b"class") || name.eq_ignore_ascii_case(b"id") {
            let mut kept = 0;
            for word in value.split(|b| !b.is_ascii_alphanumeric()) {
                if kept >= MAX_ELEMENT_TOKENS {
                    break;
                }
                if word.len() < 2 || word.len() > 24 || word.iter().all(u8::is_ascii_digit) {
                    continue;
                }
                let mut lower = [0u8; 24];
                for (l, b) in lower.iter_mut().zip(word) {
                    *l = b.to_ascii_lowercase();
                }
                self.arena
                    .push(hash_text(lower.get(..word.len()).unwrap_or_default()));
                kept += 1;
            }
        } else if name.eq_ignore_ascii_case(b"role") {
            let v = value.to_ascii_lowercase();
            attributes.flags |= match v.as_slice() {
                b"navigation" | b"menu" | b"menubar" => flag::NAV,
                b"banner" => flag::HEADER,
                b"contentinfo" => flag::FOOTER,
                b"complementary" => flag::ASIDE,
                b"main" => flag::MAIN,
                b"article" => flag::ARTICLE,
                _ => 0,
            };
        } else if name.eq_ignore_ascii_case(b"itemprop") {
            if value.eq_ignore_ascii_case(b"articleBody") {
                attributes.flags |= flag::ARTICLE_BODY;
            }
        } else if name.eq_ignore_ascii_case(b"aria-hidden") {
            if value.eq_ignore_ascii_case(b"true") {
                attributes.flags |= flag::HIDDEN;
            }
        } else if name.eq_ignore_ascii_case(b"style") {
            let compact: Vec<u8> = value
                .iter()
                .filter(|b| !is_space(**b))
                .map(u8::to_ascii_lowercase)
                .collect();
            if memchr::memmem::find(&compact, b"display:none").is_some() {
                attributes.flags |= flag::HIDDEN;
            }
        }
    }

    /// Skips the content of a skipped element from `from` to just past its
    /// end tag (or to the end of the input).
    fn skip_to_end(&mut self, from: usize, name: &str) -> usize {
        let bytes = self.html.as_bytes();
        let lt = end_tag_at(bytes, from, name.as_bytes());
        find_byte(bytes, lt, b'>').map_or(bytes.len(), |g| g + 1)
    }

    fn end_tag(&mut self, name: TagName) {
        let name_str = name.as_str();
        let class = classify(name_str);
        if class == Class::Block {
            self.flush();
        }
        if name_str == "br" {
            self.buf.push(' ');
            return;
        }
        let lowest = self.stack.len().saturating_sub(MAX_CLOSE_SEARCH);
        if let Some(i) = self
            .stack
            .get(lowest..)
            .and_then(|s| s.iter().rposition(|o| o.name == name))
            .map(|i| i + lowest)
        {
            // Closing a block element also ends the block its inline
            // children were part of.
            if class != Class::Block
                && self
                    .stack
                    .get(i + 1..)
                    .is_some_and(|s| s.iter().any(|o| o.element.is_some()))
            {
                self.flush();
            }
            while self.stack.len() > i {
                self.pop();
            }
        }
    }

    /// Pops the top element, moving its totals to its parent.
    fn pop(&mut self) {
        let Some(open) = self.stack.pop() else {
            return;
        };
        if open.link {
            self.links_open = self.links_open.saturating_sub(1);
        }
        self.arena.truncate(open.token_start as usize);
        if let Some(e) = open.element
            && let Some(slot) = self.page.elements.get_mut(e as usize)
        {
            *slot = open.stats;
        }
        if let Some(parent) = self.stack.last_mut() {
            let s = &mut parent.stats;
            s.bytes += open.stats.bytes;
            s.link_bytes += open.stats.link_bytes;
            s.blocks += open.stats.blocks;
            s.tags += open.stats.tags;
        }
    }

    fn text(&mut self, start: usize, end: usize) {
        let Some(text) = self.html.get(start..end) else {
            return;
        };
        let solid = text.bytes().filter(|&b| !is_space(b)).count() as u32;
        self.bytes += solid;
        if self.links_open > 0 {
            self.link_bytes += solid;
        }
        self.buf.push_str(text);
    }

    /// Ends the block being read.
    fn flush(&mut self) {
        if self.bytes == 0 {
            self.buf.clear();
            self.tags = 0;
            return;
        }
        let decoded = decode_text(&self.buf);
        let mut text = String::with_capacity(decoded.len());
        for word in decoded.split_whitespace() {
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(word);
        }
        self.buf.clear();
        let (bytes, link_bytes, tags) = (self.bytes, self.link_bytes, self.tags);
        self.bytes = 0;
        self.link_bytes = 0;
        self.tags = 0;
        if text.is_empty() {
            return;
        }
        if let Some(top) = self.stack.last_mut() {
            top.stats.bytes += bytes;
            top.stats.link_bytes += link_bytes;
            top.stats.blocks += 1;
        }
        let mut containers = [u32::MAX; 3];
        let mut path: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut kind = None;
        let mut tag = TagName::default();
        let mut found = 0;
        for open in self.stack.iter().rev().take(MAX_CLOSE_SEARCH * 2) {
            let Some(e) = open.element else { continue };
            if found == 0 {
                tag = open.name;
            }
            if kind.is_none() {
                kind = kind_of(open.name.as_str());
            }
            if let Some(slot) = containers.get_mut(found) {
                *slot = e;
                path = path.rotate_left(17).wrapping_mul(0x100_0000_01b3)
                    ^ hash_text(open.name.as_str().as_bytes());
            }
            found += 1;
            if found >= 3 && kind.is_some() {
                break;
            }
            // Kinds come from near blocks only.
            if found >= 6 {
                break;
            }
        }
        let flags = self.stack.last().map_or(0, |o| o.flags);
        let from = self.arena.len().saturating_sub(MAX_BLOCK_TOKENS);
        let start = self.page.tokens.len() as u32;
        self.page
            .tokens
            .extend_from_slice(self.arena.get(from..).unwrap_or_default());
        let end = self.page.tokens.len() as u32;
        self.page.blocks.push(DomBlock {
            text,
            kind: kind.unwrap_or(BlockKind::Paragraph),
            tag,
            bytes,
            link_bytes,
            tags,
            flags,
            path,
            tokens: (start, end),
            containers,
            depth: self.stack.len().min(usize::from(u16::MAX)) as u16,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::Budget;

    fn page(html: &str) -> DomPage {
        let budget = Budget::unlimited();
        scan(html, &mut budget.meter()).expect("unlimited")
    }

    #[test]
    fn blocks_carry_links_landmarks_and_containers() {
        let p = page(
            "<html><head><title>T</title><script>var x = '<p>';</script></head><body>\
             <nav class='main-menu'><ul><li><a href=/>Home</a></li><li><a href=/w>World</a></li></ul></nav>\
             <article><div class=\"article-body\"><h1>Big news</h1>\
             <p>The council met on <b>Tuesday</b> &amp; agreed.<p>A second <a href=x>linked</a> paragraph.</div></article>\
             <footer>&copy; 2024</footer></body></html>",
        );
        let texts: Vec<&str> = p.blocks.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Home",
                "World",
                "Big news",
                "The council met on Tuesday & agreed.",
                "A second linked paragraph.",
                "© 2024"
            ]
        );
        let home = &p.blocks[0];
        assert_eq!(home.kind, BlockKind::ListItem);
        assert_eq!(home.link_bytes, home.bytes);
        assert!(home.flags & flag::NAV != 0 && home.flags & flag::LIST != 0);
        assert!(p.tokens_of(home).contains(&hash_text(b"menu")));
        let body = &p.blocks[3];
        assert_eq!(body.tag.as_str(), "p");
        assert_eq!(body.link_bytes, 0);
        assert_eq!(body.tags, 1, "one inline tag");
        assert!(body.flags & flag::ARTICLE != 0 && body.flags & flag::NAV == 0);
        assert!(p.tokens_of(body).contains(&hash_text(b"article")));
        assert_eq!(p.blocks[2].kind, BlockKind::Heading);
        assert!(p.blocks[5].flags & flag::FOOTER != 0);
        // The article body div holds three blocks, one link.
        let div = p.element(body.containers[1]);
        assert_eq!(div.blocks, 3);
        assert_eq!(div.link_bytes, "linked".len() as u32);
    }

    #[test]
    fn malformed_markup_never_panics() {
        for html in [
            "",
            "<",
            "<p",
            "</p></p>text",
            "<li>x",
            "a<b>c",
            "<h1>é",
            "<!--",
            "<a href='",
            "<script>",
            "<div class=>x",
            "&#xD800;<p>",
        ] {
            let _ = page(html);
        }
        assert_eq!(page("plain").blocks[0].text, "plain");
    }

    #[test]
    fn scanning_is_linear() {
        use crate::pipeline::html::scan::testing::{assert_linear, random_html};
        let shapes: [fn(usize) -> String; 3] = [
            |n| random_html(n, 3),
            |n| {
                format!(
                    "{}x{}",
                    "<div class='a b'>".repeat(n / 17),
                    "</div>".repeat(n / 17)
                )
            },
            |n| "<ul><li><a href=/x>Other</a></li></ul><p>Text &amp; more.</p>".repeat(n / 60),
        ];
        for shape in shapes {
            let work = |n: usize| {
                let budget = Budget::unlimited();
                let mut meter = budget.meter();
                let p = scan(&shape(n), &mut meter).expect("unlimited");
                (meter.steps(), (p.blocks.len() + p.tokens.len()) as u64)
            };
            let ((s1, o1), (s8, o8)) = (work(20_000), work(160_000));
            assert_linear("steps", s1, s8);
            assert_linear("output", o1, o8);
        }
    }
}
