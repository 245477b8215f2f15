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
//! - Attributes of one element past [`MAX_ATTRIBUTES`] are dropped (the
//!   parser behind the extractor is quadratic in them).
//! - A tag that the input ends inside is cut off with what follows, as
//!   parsers do.
//!
//! Every byte and tag read is a step of the [`Meter`], so the scan is
//! linear by count; it stops early only when the caller cancels.
//!
//! The depth estimate follows the parts of the HTML tree-construction rules
//! that matter for depth: void elements (`br`, `img`, ...) have no content,
//! raw-text elements (`script`, `style`, `textarea`, ...) hold no markup,
//! `p`, `li`, `dt`/`dd`, `td`/`th`, `tr` and `option` close an open sibling
//! of their kind, a block element closes an open `p`, an end tag closes
//! only what the parser closes (not an inline element across a block, not
//! a block across a table or cell), and a cell or row with no table open
//! is ignored. It mostly errs on the deep side (an end tag is only matched
//! against the few innermost open elements), which only makes the bound
//! safer; where it cannot follow the parser (foster parenting, the rows
//! and `tbody` the parser adds), the parsed tree's depth is checked again
//! before the extractor runs (`super::main_content`).

use super::scan::{StopOn, find_byte, find_str};
use crate::pipeline::budget::Meter;
use crate::pipeline::warning::{Warning, WarningCode};
use std::borrow::Cow;

/// Limits on the HTML a page may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HtmlLimits {
    /// Most elements (start tags) read; the rest of the page is ignored.
    pub max_elements: usize,
    /// Deepest element nesting kept; deeper markup is flattened, and a page
    /// whose parsed tree still nests deeper skips the extractor.
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

/// Most attributes kept on one element; the rest of its attributes are
/// dropped. Real pages stay far below it (a few dozen `data-` attributes at
/// most); the HTML parser behind the extractor checks every attribute of an
/// element against the ones before it for duplicates, so its cost grows
/// with the square of this number (220,000 attributes on one `<p>` took it
/// 47 s; with this cap the worst 2 MiB page of short distinct attributes
/// costs it a few tenths of a second).
pub const MAX_ATTRIBUTES: usize = 128;

/// The markup after the limits are applied, and what was changed.
#[derive(Debug, Clone)]
pub struct Bounded<'a> {
    /// The HTML to parse: the input itself when it is within the limits.
    pub html: Cow<'a, str>,
    /// Start tags seen (at most `max_elements + 1`).
    pub elements: usize,
    /// The start tags kept, each counted once plus once per inline element
    /// or table around it (see [`HtmlLimits::max_elements`]).
    pub weight: usize,
    /// Deepest nesting seen, after dropping over-deep tags.
    pub depth: usize,
    /// One warning per limit that was hit.
    pub warnings: Vec<Warning>,
    /// Where the input was cut off because the caller cancelled, if it was.
    pub stopped_at: Option<usize>,
}

/// How far up the open elements an end tag is matched.
const END_TAG_REACH: usize = 12;

/// Applies `limits` to `html` (see the module documentation), with no time
/// limit.
pub fn bound<'a>(html: &'a str, limits: &HtmlLimits) -> Bounded<'a> {
    let budget = crate::pipeline::Budget::unlimited();
    bound_metered(html, limits, &mut budget.meter())
}

/// Applies `limits` to `html`, counting one step per byte and per tag on
/// `meter`. The scan is linear and what follows needs it, so only
/// cancellation stops it (not the time budget): the page is then cut off
/// at the tag being read and [`Bounded::stopped_at`] says where.
pub fn bound_metered<'a>(html: &'a str, limits: &HtmlLimits, meter: &mut Meter<'_>) -> Bounded<'a> {
    let bytes = html.as_bytes();
    let mut stack = Stack::default();
    let mut elements = 0usize;
    let mut weight = 0usize;
    let mut weighted_cut = false;
    let mut deepest = 0usize;
    let mut dropped = 0usize;
    let mut inline_dropped = 0usize;
    let mut tables_dropped = 0usize;
    let mut trimmed = 0usize;
    let mut most_attributes = 0usize;
    // Byte ranges to replace, in order: dropped (over-deep tags, stray end
    // tags, the attributes of an element past the cap) or renamed
    // (formatting elements to `span`); and where the page is cut off.
    let mut edits: Vec<(usize, usize, &'static str)> = Vec::new();
    let mut cut: Option<usize> = None;
    let mut unclosed: Option<usize> = None;
    let mut stopped_at = None;
    let mut pos = 0;
    while let Some(lt) = find_byte(bytes, pos, b'<') {
        // One step per byte skipped and per tag.
        if StopOn::Cancel.add(meter, (lt - pos) as u64 + 1) {
            cut = Some(lt);
            stopped_at = Some(lt);
            break;
        }
        let next = bytes.get(lt + 1).copied();
        let from = lt;
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
                let Some(tag) = scan_attributes(bytes, end) else {
                    unclosed = Some(lt);
                    break;
                };
                match stack.end_tag_target(&name) {
                    // Matches nothing open: parsers ignore it.
                    EndTag::Unmatched => edits.push((lt, tag.end, "")),
                    // When blocked, the parser ignores it (or, for a link,
                    // moves what is open inside it but keeps that open):
                    // the model keeps its stack and the tag stays.
                    target => {
                        if let EndTag::Closes(i) = target {
                            stack.truncate(i);
                        }
                        if is_formatting(&name) {
                            edits.push((lt + 2, end, "span"));
                        }
                    }
                }
                pos = tag.end;
            }
            Some(c) if c.is_ascii_alphabetic() => {
                elements += 1;
                if elements > limits.max_elements {
                    cut = Some(lt);
                    break;
                }
                // The extractor copies an element once per inline element
                // or table it unwraps around it: that is what it costs.
                weight += 1 + stack.top().map_or(0, |t| usize::from(t.inline + t.tables));
                if weight > limits.max_elements {
                    cut = Some(lt);
                    weighted_cut = true;
                    break;
                }
                let (name, end) = tag_name(bytes, lt + 1);
                let Some(tag) = scan_attributes(bytes, end) else {
                    // The input ends inside the tag: parsers drop it.
                    unclosed = Some(lt);
                    break;
                };
                pos = tag.end;
                let mut tag_edits = 0;
                if is_formatting(&name) {
                    edits.push((lt + 1, end, "span"));
                    tag_edits += 1;
                }
                if let Some(kept_end) = tag.kept_end {
                    // Keep the first attributes and the closing `>`.
                    trimmed += 1;
                    most_attributes = most_attributes.max(tag.attributes);
                    edits.push((kept_end, tag.end - 1, ""));
                    tag_edits += 1;
                }
                if let Some(raw_end) = raw_text_end(bytes, tag.end, &name) {
                    // No markup inside; the element opens and closes here.
                    pos = raw_end;
                } else if !is_void(&name) && !stack.close_implied(&name) {
                    // (A table part outside any table is ignored by the
                    // parser, and so by the model.)
                    let over = if stack.len() >= limits.max_depth {
                        Some(&mut dropped)
                    } else if stack.over_inline(&name) {
                        Some(&mut inline_dropped)
                    } else if stack.over_tables(&name) {
                        Some(&mut tables_dropped)
                    } else {
                        None
                    };
                    if let Some(count) = over {
                        *count += 1;
                        edits.truncate(edits.len() - tag_edits);
                        edits.push((lt, tag.end, ""));
                    } else {
                        stack.push(effective(name));
                        deepest = deepest.max(stack.len());
                    }
                }
            }
            _ => pos = lt + 1,
        }
        // The bytes of the tag, comment or raw text just read.
        if StopOn::Cancel.add(meter, pos.saturating_sub(from + 1) as u64) && pos < bytes.len() {
            cut = Some(pos);
            stopped_at = Some(pos);
            break;
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
    if inline_dropped > 0 {
        warnings.push(Warning::new(
            WarningCode::InputLimit,
            "html",
            format!(
                "inline HTML elements nest deeper than {MAX_INLINE_DEPTH}; {inline_dropped} deeper tags were dropped and their text kept"
            ),
        ));
    }
    if tables_dropped > 0 {
        warnings.push(Warning::new(
            WarningCode::InputLimit,
            "html",
            format!(
                "HTML tables nest deeper than {MAX_TABLE_DEPTH}; {tables_dropped} deeper tables were unwrapped and their text kept"
            ),
        ));
    }
    if trimmed > 0 {
        warnings.push(Warning::new(
            WarningCode::InputLimit,
            "html",
            format!(
                "{trimmed} HTML elements have more than {MAX_ATTRIBUTES} attributes (up to {most_attributes}); the others were dropped"
            ),
        ));
    }
    if let Some(at) = cut
        && stopped_at.is_none()
    {
        let n = limits.max_elements;
        warnings.push(Warning::new(
            WarningCode::InputLimit,
            "html",
            if weighted_cut {
                format!(
                    "HTML has more than {n} elements, counting an element once more for every inline element or table around it; text after byte {at} was ignored"
                )
            } else {
                format!("HTML has more than {n} elements; text after element {n} was ignored")
            },
        ));
    }
    if let Some(at) = unclosed {
        // Browsers ignore a tag the input ends in, and all that follows it.
        cut = Some(at);
        warnings.push(Warning::new(
            WarningCode::MalformedInput,
            "html",
            format!("HTML ends inside a tag that starts at byte {at}; the rest was ignored"),
        ));
    }
    let html = if edits.is_empty() && cut.is_none() {
        Cow::Borrowed(html)
    } else {
        let end = cut.unwrap_or(html.len());
        let mut out = String::with_capacity(end + edits.len() * 3);
        let mut from = 0;
        for (start, stop, replacement) in edits {
            if start >= end {
                break;
            }
            out.push_str(html.get(from..start).unwrap_or_default());
            out.push_str(replacement);
            from = stop.min(end);
        }
        out.push_str(html.get(from..end).unwrap_or_default());
        Cow::Owned(out)
    };
    Bounded {
        html,
        elements,
        weight,
        depth: deepest,
        warnings,
        stopped_at,
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

/// A start or end tag read up to its `>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct TagScan {
    /// Index just past the `>`.
    end: usize,
    /// Attributes read.
    attributes: usize,
    /// When the tag has more than [`MAX_ATTRIBUTES`] attributes, the index
    /// just past the last one kept.
    kept_end: Option<usize>,
}

/// Reads the attributes of a tag from `from` (just past its name) to its
/// `>`, as the HTML tokenizer does: names run to white space, `/`, `>` or
/// `=`; a value is quoted (and may hold `>`) or runs to white space or
/// `>`. `None` when the input ends first. Linear, no backtracking.
fn scan_attributes(bytes: &[u8], from: usize) -> Option<TagScan> {
    let mut i = from;
    let mut attributes = 0usize;
    let mut after_last_kept = from;
    loop {
        // Before an attribute name: white space and stray slashes.
        while bytes
            .get(i)
            .is_some_and(|&b| b.is_ascii_whitespace() || b == b'/')
        {
            i += 1;
        }
        if *bytes.get(i)? == b'>' {
            return Some(TagScan {
                end: i + 1,
                attributes,
                kept_end: (attributes > MAX_ATTRIBUTES).then_some(after_last_kept),
            });
        }
        // The name; its first character may be `=`.
        i += 1;
        while bytes
            .get(i)
            .is_some_and(|&b| !b.is_ascii_whitespace() && !matches!(b, b'/' | b'>' | b'='))
        {
            i += 1;
        }
        let mut j = i;
        while bytes.get(j).is_some_and(u8::is_ascii_whitespace) {
            j += 1;
        }
        if bytes.get(j) == Some(&b'=') {
            j += 1;
            while bytes.get(j).is_some_and(u8::is_ascii_whitespace) {
                j += 1;
            }
            match *bytes.get(j)? {
                quote @ (b'"' | b'\'') => i = find_byte(bytes, j + 1, quote)? + 1,
                b'>' => i = j,
                _ => {
                    i = j;
                    while bytes
                        .get(i)
                        .is_some_and(|&b| !b.is_ascii_whitespace() && b != b'>')
                    {
                        i += 1;
                    }
                }
            }
        }
        attributes += 1;
        if attributes <= MAX_ATTRIBUTES {
            after_last_kept = i;
        }
    }
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
            return Some(
                scan_attributes(bytes, lt + 2 + name.len()).map_or(bytes.len(), |t| t.end),
            );
        }
        at = lt + 2;
    }
    Some(bytes.len())
}

/// The HTML parser's *formatting elements* other than `a`: when one is
/// closed implicitly (its paragraph or list item ends first), the parser
/// keeps it in its list of active formatting elements and re-creates it,
/// with every other one in the list, in each following paragraph. Hostile
/// pages use that to grow the tree without bound (240 `<b id=N>` left open
/// in a paragraph made 256 KiB of `<p>x</p>` take 74 s and 7.8 GB). They
/// are renamed to `span`, which is never re-created and whose text is the
/// same. (`a` is re-created too, but the parser keeps at most one open `a`
/// per table cell, so it cannot pile up.)
fn is_formatting(name: &Name) -> bool {
    matches!(
        name.as_bytes(),
        b"b" | b"big"
            | b"code"
            | b"em"
            | b"font"
            | b"i"
            | b"nobr"
            | b"s"
            | b"small"
            | b"strike"
            | b"strong"
            | b"tt"
            | b"u"
    )
}

/// The name the parser sees: formatting elements are renamed to `span`
/// in the output, so their end tags close spans as `</span>` does.
fn effective(name: Name) -> Name {
    if is_formatting(&name) {
        tag_name(b"span", 0).0
    } else {
        name
    }
}

/// The tree builder's special elements that hold content: an end tag of
/// an ordinary element (`span`) does not close across one of them.
fn is_special(name: &[u8]) -> bool {
    is_special_block(name)
        || matches!(
            name,
            b"head"
                | b"html"
                | b"tbody"
                | b"thead"
                | b"tfoot"
                | b"colgroup"
                | b"select"
                | b"frameset"
                | b"noscript"
                | b"noembed"
                | b"noframes"
                | b"iframe"
                | b"dir"
        )
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

/// Most inline elements (anything but the block and table structure of
/// [`is_structure`]) open at once: a deeper inline start tag is dropped, its
/// text kept. The extractor unwraps inline elements (`span`, `a`, empty
/// ones inside a paragraph, ...) by copying their content into their
/// parent, so a chain of k nested ones costs k copies of what they hold
/// (240 nested `<q>` around 256 KiB of text took 4.8 s and 2.7 GB; 8 around
/// 2 MiB, 1.9 s and 0.5 GB). Real pages nest a handful (a link in a span in
/// bold).
pub const MAX_INLINE_DEPTH: u16 = 8;

/// Most tables open at once (with `address`, `hgroup` and `template`,
/// which the extractor also unwraps): the parser gives every table a
/// `tbody` that the extractor unwraps, with the same cost as inline
/// chains (60 nested tables around 256 KiB took 1.6 GB). A deeper table
/// start tag is dropped; its rows and text stay in the enclosing table.
pub const MAX_TABLE_DEPTH: u16 = 8;

/// What an end tag does to the depth model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EndTag {
    /// It closes the open element at this index and all above it.
    Closes(usize),
    /// An element of its name is open, but the parser does not close it
    /// from here (a special element or a scope boundary is in between).
    Blocked,
    /// No element of its name is open (among the last few).
    Unmatched,
}

/// One element the depth model holds open.
#[derive(Debug, Clone, Copy)]
struct Open {
    name: Name,
    /// Index of the nearest `p` at or below this entry with no scope
    /// boundary (a table, cell, button, ...) in between: the paragraph a
    /// block start tag closes.
    p_in_scope: Option<usize>,
    /// Inline elements at or below this entry.
    inline: u16,
    /// Tables (and address, hgroup, template) at or below this entry.
    tables: u16,
    /// Inside `svg` or `math`, whose content the extractor drops whole.
    foreign: bool,
}

/// The open elements of the depth model.
#[derive(Debug, Default)]
struct Stack {
    open: Vec<Open>,
}

impl Stack {
    fn len(&self) -> usize {
        self.open.len()
    }

    fn truncate(&mut self, len: usize) {
        self.open.truncate(len);
    }

    fn top(&self) -> Option<&Open> {
        self.open.last()
    }

    fn push(&mut self, name: Name) {
        let index = self.open.len();
        let parent = self.top().copied();
        let foreign = parent.is_some_and(|p| p.foreign) || is_foreign_root(&name);
        let counted = !foreign;
        self.open.push(Open {
            name,
            p_in_scope: if name.as_bytes() == b"p" {
                Some(index)
            } else if is_scope_boundary(&name) {
                None
            } else {
                parent.and_then(|p| p.p_in_scope)
            },
            inline: parent.map_or(0, |p| p.inline) + u16::from(counted && !is_structure(&name)),
            tables: parent.map_or(0, |p| p.tables)
                + u16::from(counted && is_unwrapped_block(&name)),
            foreign,
        });
    }

    /// Whether opening `name` would nest inline elements past
    /// [`MAX_INLINE_DEPTH`].
    fn over_inline(&self, name: &Name) -> bool {
        let top = self.top();
        !is_structure(name)
            && !top.is_some_and(|t| t.foreign)
            && !is_foreign_root(name)
            && top.is_some_and(|t| t.inline >= MAX_INLINE_DEPTH)
    }

    /// Whether opening `name` would nest tables past [`MAX_TABLE_DEPTH`].
    fn over_tables(&self, name: &Name) -> bool {
        let top = self.top();
        is_unwrapped_block(name)
            && !top.is_some_and(|t| t.foreign)
            && top.is_some_and(|t| t.tables >= MAX_TABLE_DEPTH)
    }

    /// The index of the innermost open element, among the
    /// [`END_TAG_REACH`] innermost, that is `want` (walking down and
    /// stopping at one that is `stop`).
    fn find_down(
        &self,
        want: impl Fn(&[u8]) -> bool,
        stop: impl Fn(&[u8]) -> bool,
    ) -> Option<usize> {
        let reach = self.open.len().saturating_sub(END_TAG_REACH);
        for i in (reach..self.open.len()).rev() {
            let name = self.open.get(i)?.name;
            if want(name.as_bytes()) {
                return Some(i);
            }
            if stop(name.as_bytes()) {
                return None;
            }
        }
        None
    }

    /// What an end tag `name` does to the model's stack, as the tree
    /// builder decides it: a `p` closes the paragraph in scope; a table
    /// part closes up to its table; a special element (a block, a list
    /// item, a heading) only when in scope, with no table or cell in
    /// between; any other element (`a`, `span`, and the formatting elements
    /// renamed to it) only with no special element in between. Only the
    /// last few open elements are searched, so the model errs on the deep
    /// side.
    fn end_tag_target(&self, name: &Name) -> EndTag {
        let name = effective(*name);
        let n = name.as_bytes();
        let found = match n {
            b"p" => self.top().and_then(|t| t.p_in_scope),
            b"table" => self.find_down(|o| o == n, |_| false),
            b"tr" | b"td" | b"th" | b"tbody" | b"thead" | b"tfoot" | b"caption" => {
                self.find_down(|o| o == n, |o| o == b"table")
            }
            b"li" => self.find_down(
                |o| o == n,
                |o| is_scope_boundary_bytes(o) || matches!(o, b"ol" | b"ul"),
            ),
            b"h1" | b"h2" | b"h3" | b"h4" | b"h5" | b"h6" => self.find_down(
                |o| matches!(o, b"h1" | b"h2" | b"h3" | b"h4" | b"h5" | b"h6"),
                is_scope_boundary_bytes,
            ),
            _ if is_special(n) => self.find_down(|o| o == n, is_scope_boundary_bytes),
            // A link's end tag (the adoption agency) leaves the blocks
            // opened inside it open, as any other end tag does.
            _ => self.find_down(|o| o == n, is_special),
        };
        match found {
            Some(i) => EndTag::Closes(i),
            None if self.find_down(|o| o == n, |_| false).is_some() => EndTag::Blocked,
            None => EndTag::Unmatched,
        }
    }

    /// Pops the open elements that a start tag `name` implicitly closes, as
    /// the HTML tree builder does in the cases that matter for depth: a
    /// block closes the paragraph in scope (and what is open inside it), a
    /// list item, definition, row or cell closes its open sibling, a
    /// heading closes an open heading, a link closes an open link with no
    /// block in between. True when the parser ignores the start tag
    /// altogether: a cell or row with no table open.
    fn close_implied(&mut self, name: &Name) -> bool {
        let n = name.as_bytes();
        if closes_paragraph(n)
            && let Some(p) = self.top().and_then(|t| t.p_in_scope)
        {
            self.truncate(p);
        }
        let special_stop =
            |o: &[u8]| is_special_block(o) && !matches!(o, b"address" | b"div" | b"p");
        let found = match n {
            b"li" => self.find_down(|o| o == b"li", special_stop),
            b"dt" | b"dd" => self.find_down(|o| matches!(o, b"dt" | b"dd"), special_stop),
            b"td" | b"th" => {
                match self.find_down(|o| matches!(o, b"td" | b"th" | b"tr" | b"table"), |_| false) {
                    Some(i)
                        if matches!(
                            self.open.get(i).map(|o| o.name.as_bytes()),
                            Some(b"td" | b"th")
                        ) =>
                    {
                        Some(i)
                    }
                    Some(i) => Some(i + 1),
                    None => return true,
                }
            }
            b"tr" => match self.find_down(
                |o| matches!(o, b"tr" | b"table" | b"tbody" | b"thead" | b"tfoot"),
                |_| false,
            ) {
                Some(i) if self.open.get(i).map(|o| o.name.as_bytes()) == Some(b"tr") => Some(i),
                Some(i) => Some(i + 1),
                None => return true,
            },
            b"option" => self.find_down(|o| o == b"option", |_| true),
            b"h1" | b"h2" | b"h3" | b"h4" | b"h5" | b"h6" => self.find_down(
                |o| matches!(o, b"h1" | b"h2" | b"h3" | b"h4" | b"h5" | b"h6"),
                |_| true,
            ),
            // The adoption agency closes an open link, but not the blocks
            // opened inside it: those stay open.
            b"a" => self.find_down(|o| o == b"a", is_special),
            _ => None,
        };
        if let Some(i) = found {
            self.truncate(i);
        }
        false
    }
}

/// Start tags that close an open paragraph in scope.
fn closes_paragraph(name: &[u8]) -> bool {
    matches!(
        name,
        b"p" | b"div"
            | b"ul"
            | b"ol"
            | b"dl"
            | b"li"
            | b"dd"
            | b"dt"
            | b"h1"
            | b"h2"
            | b"h3"
            | b"h4"
            | b"h5"
            | b"h6"
            | b"table"
            | b"section"
            | b"article"
            | b"aside"
            | b"header"
            | b"footer"
            | b"nav"
            | b"blockquote"
            | b"pre"
            | b"listing"
            | b"figure"
            | b"figcaption"
            | b"form"
            | b"main"
            | b"address"
            | b"hr"
            | b"fieldset"
            | b"details"
            | b"summary"
            | b"dialog"
            | b"menu"
            | b"center"
            | b"hgroup"
            | b"search"
    )
}

/// The scope boundaries of a paragraph or link: an element opened inside
/// one of these is not closed by what happens outside it.
fn is_scope_boundary(name: &Name) -> bool {
    is_scope_boundary_bytes(name.as_bytes())
}

fn is_scope_boundary_bytes(name: &[u8]) -> bool {
    matches!(
        name,
        b"html"
            | b"table"
            | b"td"
            | b"th"
            | b"caption"
            | b"button"
            | b"template"
            | b"object"
            | b"marquee"
            | b"applet"
            | b"svg"
            | b"math"
    )
}

/// Blocks the parser's list-item rule does not walk past.
fn is_special_block(name: &[u8]) -> bool {
    closes_paragraph(name) || is_scope_boundary_bytes(name) || matches!(name, b"body" | b"tr")
}

/// The block and table structure of a page; every other element counts
/// as inline for [`MAX_INLINE_DEPTH`].
fn is_structure(name: &Name) -> bool {
    let n = name.as_bytes();
    closes_paragraph(n)
        || matches!(
            n,
            b"html"
                | b"head"
                | b"body"
                | b"thead"
                | b"tbody"
                | b"tfoot"
                | b"tr"
                | b"td"
                | b"th"
                | b"caption"
                | b"colgroup"
                | b"legend"
                | b"select"
                | b"optgroup"
                | b"option"
                | b"frameset"
                | b"noframes"
                | b"template"
                | b"object"
                | b"marquee"
                | b"applet"
                | b"button"
        )
}

/// Elements the extractor unwraps that are not inline: tables (through
/// the `tbody` the parser gives each), `address`, `hgroup`, `template`.
fn is_unwrapped_block(name: &Name) -> bool {
    matches!(
        name.as_bytes(),
        b"table" | b"address" | b"hgroup" | b"template"
    )
}

/// `svg` and `math`, whose content the extractor removes whole.
fn is_foreign_root(name: &Name) -> bool {
    matches!(name.as_bytes(), b"svg" | b"math")
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

    /// Attributes of each start tag of `html`, as the tokenizer counts them.
    fn attribute_counts(html: &str) -> Vec<usize> {
        let bytes = html.as_bytes();
        let mut counts = Vec::new();
        let mut pos = 0;
        while let Some(lt) = find_byte(bytes, pos, b'<') {
            pos = lt + 1;
            if bytes.get(lt + 1).is_some_and(u8::is_ascii_alphabetic) {
                let (_, end) = tag_name(bytes, lt + 1);
                if let Some(scan) = scan_attributes(bytes, end) {
                    counts.push(scan.attributes);
                    pos = scan.end;
                }
            }
        }
        counts
    }

    #[test]
    fn attributes_past_the_cap_are_dropped() {
        let many: String = (0..220_000).map(|i| format!(" a{i}=\"x\"")).collect();
        let html = format!("<html><body><p{many}>hello world</p><p b=1>next</p></body></html>");
        let b = bound(&html, &HtmlLimits::default());
        let kept: String = (0..MAX_ATTRIBUTES)
            .map(|i| format!(" a{i}=\"x\""))
            .collect();
        assert_eq!(
            b.html,
            format!("<html><body><p{kept}>hello world</p><p b=1>next</p></body></html>")
        );
        assert_eq!(attribute_counts(&b.html), [0, 0, MAX_ATTRIBUTES, 1]);
        assert_eq!(b.warnings.len(), 1, "{:?}", b.warnings);
        assert_eq!(b.warnings[0].code, WarningCode::InputLimit);
        assert!(b.warnings[0].message.contains("more than 128 attributes"));

        // Up to the cap nothing changes; quoted `>` and `=` stay inside values.
        let fewer: String = (1..MAX_ATTRIBUTES).map(|i| format!(" a{i}")).collect();
        let html = format!("<p{fewer} title='a > b = c'>x</p>");
        let b = bound(&html, &HtmlLimits::default());
        assert!(matches!(b.html, Cow::Borrowed(_)));
        assert!(b.warnings.is_empty());
        // Past it, a self-closing slash goes with the dropped attributes.
        let html = format!("<img{kept} extra=1 more />after");
        assert_eq!(
            bound(&html, &HtmlLimits::default()).html,
            format!("<img{kept}>after")
        );
    }

    #[test]
    fn a_tag_the_input_ends_in_is_dropped_with_the_rest() {
        let b = bound(
            "<p>kept</p><a href='x' title=\"never closed <p>lost",
            &HtmlLimits::default(),
        );
        assert_eq!(b.html, "<p>kept</p>");
        assert_eq!(b.warnings.len(), 1);
        assert_eq!(b.warnings[0].code, WarningCode::MalformedInput);
        // Hundreds of thousands of attributes and no `>`: one linear scan.
        let html = format!("<p>x</p><p {}", "ab cd ".repeat(200_000));
        let b = bound(&html, &limits(10, 10));
        assert_eq!(b.html, "<p>x</p>");
    }

    #[test]
    fn cancellation_cuts_the_page_where_it_is_seen() {
        let flag = crate::pipeline::budget::CancelFlag::new();
        let budget = crate::pipeline::Budget::new(None, flag.clone());
        flag.cancel();
        let mut meter = budget.meter();
        let html = "<p>text</p>".repeat(10_000);
        let b = bound_metered(&html, &HtmlLimits::default(), &mut meter);
        assert_eq!(b.stopped_at, Some(0));
        assert_eq!(b.html, "");
        assert!(meter.steps() <= 2, "{}", meter.steps());
    }

    #[test]
    fn the_time_budget_does_not_cut_the_bounds_scan() {
        let budget = crate::pipeline::Budget::new(
            Some(std::time::Duration::ZERO),
            crate::pipeline::budget::CancelFlag::new(),
        );
        std::thread::sleep(std::time::Duration::from_millis(2));
        let html = "<p>text</p>".repeat(10_000);
        let b = bound_metered(&html, &HtmlLimits::default(), &mut budget.meter());
        assert_eq!(b.stopped_at, None);
        assert_eq!(b.html, html);
    }

    #[test]
    fn formatting_elements_become_spans() {
        let b = bound(
            "<p><B class=x>bold</B> <em>it</em> <a href=y>link</a><nobr>n</nobr></p>",
            &HtmlLimits::default(),
        );
        assert_eq!(
            b.html,
            "<p><span class=x>bold</span> <span>it</span> <a href=y>link</a><span>n</span></p>"
        );
        assert!(b.warnings.is_empty());
    }

    #[test]
    fn inline_and_table_nesting_is_capped() {
        let html = format!("<p>{}deep{}</p>", "<q>".repeat(20), "</q>".repeat(20));
        let b = bound(&html, &HtmlLimits::default());
        // The 12 deepest start tags go; their end tags match nothing open.
        assert_eq!(
            b.html,
            format!("<p>{}deep{}</p>", "<q>".repeat(8), "</q>".repeat(8))
        );
        assert_eq!(b.warnings.len(), 1, "{:?}", b.warnings);
        assert!(
            b.warnings[0]
                .message
                .contains("inline HTML elements nest deeper than 8; 12 deeper")
        );
        // svg content is dropped whole by the extractor: not counted.
        let svg = format!(
            "<div><svg>{}x{}</svg></div>",
            "<g>".repeat(20),
            "</g>".repeat(20)
        );
        assert!(bound(&svg, &HtmlLimits::default()).warnings.is_empty());
        // Tables: the ninth nested one is unwrapped.
        let html = format!("{}x", "<table><tr><td>".repeat(10));
        let b = bound(&html, &HtmlLimits::default());
        assert_eq!(b.html.matches("<table>").count(), 8);
        assert!(
            b.warnings[0]
                .message
                .contains("tables nest deeper than 8; 2 deeper")
        );
    }

    #[test]
    fn elements_count_once_more_per_inline_element_around_them() {
        // p 1, q 1 + 0, q 1 + 1, q 1 + 2, ten br 1 + 3 each.
        let html = format!("<p>{}{}", "<q>".repeat(3), "<br>".repeat(10));
        assert_eq!(bound(&html, &limits(1000, 256)).weight, 1 + 1 + 2 + 3 + 40);
        let b = bound(&html, &limits(40, 256));
        assert!(b.html.len() < html.len());
        assert!(
            b.warnings[0]
                .message
                .contains("counting an element once more"),
            "{:?}",
            b.warnings
        );
    }

    #[test]
    fn blocks_close_the_paragraph_and_what_is_open_in_it() {
        // As in the parser: <p> and <div> close the open paragraph in
        // scope with the span inside it; a cell is a scope of its own.
        let html = "<p><span>a<p><span>b<div>c</div>".repeat(1000);
        let b = bound(&html, &limits(usize::MAX, 256));
        assert!(b.depth <= 3, "{}", b.depth);
        assert!(b.warnings.is_empty());
        // The table closes the outer paragraph; inside the cell, the div
        // closes the inner one: table > tr > td > div.
        let html = "<p>outer<table><tr><td><p>inner<div>x</div></td></tr></table>";
        assert_eq!(bound(html, &limits(100, 256)).depth, 4);
        // A paragraph outside a button is out of the button's scope.
        let html = "<p>outer<button><div>y</div></button>";
        assert_eq!(bound(html, &limits(100, 256)).depth, 3);
        // A new link closes the open one; list items close their sibling
        // through inline elements.
        let html = "<a href=1><span>x<a href=2><span>y".repeat(100);
        assert!(bound(&html, &limits(usize::MAX, 256)).depth <= 2);
        let html = format!("<ul>{}</ul>", "<li><span>item".repeat(100));
        assert!(bound(&html, &limits(usize::MAX, 256)).depth <= 3);
    }

    #[test]
    fn the_depth_model_follows_the_parser_where_tag_soup_goes_deep() {
        // Each shape nests one level deeper per repeat in the parser's tree
        // (checked against the tree the extractor parses): an end tag does
        // not close an inline element across a block, a formatting element
        // renamed to span is closed as a span, a cell outside any table is
        // ignored, and a link closing another leaves the blocks open in it.
        // The model used to close them and see a shallow page.
        let shapes = [
            "<div><span>a<div>b</span>c",
            "<b>x<div>y</b>z",
            "<div><td>x",
            "<a href=1><div>x<a href=2><div>y",
        ];
        for shape in shapes {
            let html = shape.repeat(20);
            let b = bound(&html, &limits(usize::MAX, 256));
            let doc = trafilatura::dom::Document::parse(&b.html);
            let budget = crate::pipeline::Budget::unlimited();
            let parsed = super::super::tree_depth(&doc, &mut budget.meter()).unwrap();
            // The parsed depth counts the document node and `html`.
            assert!(parsed >= 20, "{shape}: parsed {parsed}");
            assert!(
                b.depth + 2 >= parsed,
                "{shape}: the model says {}, the parser nests {parsed}",
                b.depth
            );
            // So the depth cap now holds on the parsed tree too.
            let html = shape.repeat(200);
            let b = bound(&html, &limits(usize::MAX, 64));
            let doc = trafilatura::dom::Document::parse(&b.html);
            let parsed = super::super::tree_depth(&doc, &mut budget.meter()).unwrap();
            assert!(parsed <= 64 + 2, "{shape}: parsed {parsed}");
        }
        // A block end tag stops at a table: the div stays open.
        let b = bound("<div><table><tr><td>x</div>y", &HtmlLimits::default());
        assert_eq!(b.depth, 4);
    }

    #[test]
    fn work_grows_linearly() {
        use crate::pipeline::html::scan::testing::{Shape, assert_linear, random_html};
        let shapes: [Shape; 6] = [
            ("attributes on one element", |n| {
                format!("<p {}>hello</p>", "a=\"x\" ".repeat(n / 6))
            }),
            ("random bytes", |n| random_html(n, 7)),
            ("deep nesting", |n| {
                format!("{}text{}", "<div>".repeat(n / 11), "</div>".repeat(n / 11))
            }),
            ("many elements", |n| "<p>x</p>".repeat(n / 8)),
            ("stray end tags", |n| {
                format!("{}{}", "<b>".repeat(n / 8), "</i>".repeat(n / 8))
            }),
            ("unclosed attribute quotes", |n| "<a title='".repeat(n / 10)),
        ];
        let lim = limits(usize::MAX, 256);
        for (what, shape) in shapes {
            let work = |n: usize| {
                let budget = crate::pipeline::Budget::unlimited();
                let mut meter = budget.meter();
                let html = shape(n);
                let b = bound_metered(&html, &lim, &mut meter);
                assert!(b.depth <= 256);
                // Never more than the cap of attributes on an element.
                assert!(
                    attribute_counts(&b.html)
                        .iter()
                        .all(|&c| c <= MAX_ATTRIBUTES),
                    "{what}"
                );
                (meter.steps(), b.html.len() as u64)
            };
            let (steps, out) = work(50_000);
            let (steps_8, out_8) = work(400_000);
            assert_linear(&format!("{what}: steps"), steps, steps_8);
            assert_linear(&format!("{what}: bytes out"), out, out_8);
        }
    }
}
