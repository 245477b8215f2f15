//! The naive HTML-to-text flattener: every visible text of the page, a line
//! break at every block element, no main-content scoring. This is what a
//! naive crawler produces; the evaluation's text mode feeds pages through it,
//! and [`super::extract_page`] falls back to it when the extractor finds
//! nothing or the time budget is gone (it is linear and needs no DOM).
//!
//! [`extract`] is one linear pass of a simplified HTML tokenizer (no DOM,
//! no recursion, no backtracking):
//!
//! - the contents of `<script>`, `<style>`, `<noscript>`, `<template>`,
//!   `<svg>` and `<head>` are dropped, as are those of the other raw-text
//!   elements (`<iframe>`, `<textarea>`, `<xmp>`, `<noembed>`,
//!   `<noframes>`), comments, doctypes and processing instructions; the
//!   head ends, as in browsers, at `</head>`, `<body>`, or the first
//!   element or text that cannot be in a head;
//! - the first `<title>` outside `<svg>`/`<template>` becomes
//!   [`ExtractedPage::title`], and `<html lang="...">` becomes
//!   [`ExtractedPage::lang`] (unvalidated);
//! - block-level elements end lines: `p`, `div`, `h1`–`h6`, `section`,
//!   `article`, `header`, `footer`, `blockquote`, `ul`, `ol`, `dl`,
//!   `table`, `figure`, `figcaption`, `pre`, `hr`, `main`, `aside`, `nav`,
//!   `form` and similar give a blank line (a paragraph break); `br`, `li`,
//!   `tr`, `td`, `th`, `dd`, `dt` and `option` give a line break, and two
//!   `br` in a row a blank line;
//! - runs of HTML white space collapse to one space (inside `<pre>` line
//!   breaks are kept);
//! - character references are decoded: every HTML5 named reference (the
//!   WHATWG table shipped by `html-escape`) when it ends with `;`, the
//!   legacy `&amp` `&lt` `&gt` `&quot` `&nbsp` `&copy` `&reg` also without
//!   it, and numeric references (`&#8220;`, `&#x201C;`), with the HTML
//!   replacements (windows-1252 for 0x80–0x9F, U+FFFD for 0, surrogates
//!   and values past U+10FFFF).
//!
//! It counts start tags and stops after `max_elements`, with a warning.
//! Malformed markup is handled like browsers do, without error: a stray
//! `<` is text, an unclosed tag or comment at the end of the input hides
//! the rest of it (with a warning when that rest holds markup).
//!
//! Every byte and tag read is a step of a [`Meter`]; a metered run
//! ([`extract_metered`]) that stops returns the text read so far.
//!
//! The text is meant for [`crate::pipeline::normalize::clean_text`], which does the
//! final white-space and paragraph clean-up.

use html_escape::NAMED_ENTITIES;

use super::scan::StopOn;
use crate::pipeline::budget::Meter;
use crate::pipeline::warning::{Warning, WarningCode};

/// The text and metadata of an HTML page.
#[derive(Debug, Clone, Default)]
pub struct ExtractedPage {
    /// The visible text, paragraphs separated by blank lines.
    pub text: String,
    /// The `<title>`, white space collapsed; `None` when absent or blank.
    pub title: Option<String>,
    /// The `lang` attribute of `<html>`, as written (trimmed).
    pub lang: Option<String>,
    /// What was ignored, and why.
    pub warnings: Vec<Warning>,
}

/// Extracts the text of `html` (see the module documentation), reading at
/// most `max_elements` start tags.
pub fn extract(html: &str, max_elements: usize) -> ExtractedPage {
    let budget = crate::pipeline::Budget::unlimited();
    extract_metered(html, max_elements, &mut budget.meter(), StopOn::Any)
}

/// [`extract`], counting a step per byte and per tag on `meter` and
/// stopping as `stop` says; when stopped, the text read so far.
pub fn extract_metered(
    html: &str,
    max_elements: usize,
    meter: &mut Meter<'_>,
    stop: StopOn,
) -> ExtractedPage {
    let mut extractor = Extractor {
        meter,
        stop,
        html,
        max_elements,
        elements: 0,
        page: ExtractedPage {
            text: String::with_capacity(html.len() / 4),
            ..ExtractedPage::default()
        },
        pending_break: 0,
        pending_space: false,
        in_head: false,
        svg_depth: 0,
        template_depth: 0,
        pre_depth: 0,
    };
    extractor.run();
    extractor.page
}

/// What the tokenizer knows about an element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    Html,
    Head,
    Body,
    Title,
    /// Raw text whose content is dropped: script, style, noscript, ...
    RawText,
    Svg,
    Template,
    /// Allowed in a head, no content: meta, link, base.
    HeadVoid,
    Pre,
    Br,
    /// Ends a line.
    Line,
    /// Ends a paragraph.
    Block,
    Other,
}

/// Classifies a tag name (any case).
fn classify(name: &[u8]) -> Tag {
    let mut lower = [0u8; 10];
    let Some(buffer) = lower.get_mut(..name.len()) else {
        return Tag::Other;
    };
    for (l, &b) in buffer.iter_mut().zip(name) {
        *l = b.to_ascii_lowercase();
    }
    match &*buffer {
        b"html" => Tag::Html,
        b"head" => Tag::Head,
        b"body" => Tag::Body,
        b"title" => Tag::Title,
        b"script" | b"style" | b"noscript" | b"iframe" | b"textarea" | b"xmp" | b"noembed"
        | b"noframes" => Tag::RawText,
        b"svg" => Tag::Svg,
        b"template" => Tag::Template,
        b"meta" | b"link" | b"base" => Tag::HeadVoid,
        b"pre" | b"listing" => Tag::Pre,
        b"br" => Tag::Br,
        b"li" | b"tr" | b"td" | b"th" | b"dd" | b"dt" | b"option" => Tag::Line,
        b"p" | b"div" | b"h1" | b"h2" | b"h3" | b"h4" | b"h5" | b"h6" | b"section" | b"article"
        | b"header" | b"footer" | b"blockquote" | b"ul" | b"ol" | b"dl" | b"table" | b"figure"
        | b"figcaption" | b"hr" | b"main" | b"aside" | b"nav" | b"form" | b"address"
        | b"details" | b"summary" | b"fieldset" | b"legend" | b"caption" | b"center"
        | b"hgroup" | b"menu" | b"dialog" => Tag::Block,
        _ => Tag::Other,
    }
}

/// HTML's ASCII white space.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0C')
}

/// Position of the first `needle` in `haystack` at or after `from`.
fn find(haystack: &[u8], from: usize, needle: u8) -> Option<usize> {
    haystack
        .get(from..)?
        .iter()
        .position(|&b| b == needle)
        .map(|i| from + i)
}

/// The tokenizer's state.
struct Extractor<'a, 'm, 'b> {
    meter: &'m mut Meter<'b>,
    stop: StopOn,
    html: &'a str,
    max_elements: usize,
    elements: usize,
    page: ExtractedPage,
    /// Line breaks owed before the next text: 0, 1 (new line) or 2 (blank line).
    pending_break: u8,
    /// A space is owed before the next text.
    pending_space: bool,
    in_head: bool,
    svg_depth: u32,
    template_depth: u32,
    pre_depth: u32,
}

/// A parsed start or end tag.
struct TagToken {
    tag: Tag,
    self_closing: bool,
    /// Byte range of the `lang` attribute's value, for `<html>`.
    lang: Option<(usize, usize)>,
    /// Byte range of the tag name.
    name: (usize, usize),
    /// Just past the closing `>`.
    end: usize,
}

impl Extractor<'_, '_, '_> {
    fn run(&mut self) {
        let bytes = self.html.as_bytes();
        let mut pos = 0;
        while pos < bytes.len() {
            let lt = find(bytes, pos, b'<').unwrap_or(bytes.len());
            // A step per byte of text and per tag; the markup's bytes are
            // counted once its end is known.
            if self.stop.add(self.meter, (lt - pos) as u64 + 1) {
                break;
            }
            if lt > pos {
                self.text(pos, lt);
            }
            if lt >= bytes.len() {
                break;
            }
            match self.markup(lt) {
                Some(next) => {
                    if self
                        .stop
                        .add(self.meter, next.saturating_sub(lt + 1) as u64)
                    {
                        break;
                    }
                    pos = next;
                }
                None => break,
            }
        }
    }

    /// Handles the markup that starts with the `<` at `lt`; returns where
    /// to continue, `None` to stop.
    fn markup(&mut self, lt: usize) -> Option<usize> {
        let bytes = self.html.as_bytes();
        match bytes.get(lt + 1).copied() {
            Some(b'!') if bytes.get(lt + 2..lt + 4) == Some(b"--") => self.comment(lt),
            Some(b'!' | b'?') => self.bogus_comment(lt, lt + 2),
            Some(b'/') => match bytes.get(lt + 2).copied() {
                Some(c) if c.is_ascii_alphabetic() => {
                    let Some(token) = self.tag(lt + 2) else {
                        return self.cut_off(lt, "a tag");
                    };
                    self.end_tag(token.tag);
                    Some(token.end)
                }
                Some(b'>') => Some(lt + 3),
                Some(_) => self.bogus_comment(lt, lt + 2),
                None => {
                    self.text(lt, bytes.len());
                    None
                }
            },
            Some(c) if c.is_ascii_alphabetic() => {
                self.elements += 1;
                if self.elements > self.max_elements {
                    let n = self.max_elements;
                    self.page.warnings.push(Warning::new(
                        WarningCode::InputLimit,
                        "html",
                        format!(
                            "HTML has more than {n} elements; text after element {n} was ignored"
                        ),
                    ));
                    return None;
                }
                let Some(token) = self.tag(lt + 1) else {
                    return self.cut_off(lt, "a tag");
                };
                self.start_tag(&token)
            }
            _ => {
                // A stray `<` is text.
                self.text(lt, lt + 1);
                Some(lt + 1)
            }
        }
    }

    /// A comment starting at `lt` (`<!--`); ends at `-->` or `--!>`, and
    /// `<!-->`, `<!--->` are empty comments.
    fn comment(&mut self, lt: usize) -> Option<usize> {
        let bytes = self.html.as_bytes();
        let body = lt + 4;
        match bytes.get(body..body + 2) {
            Some([b'>', _]) => return Some(body + 1),
            Some(b"->") => return Some(body + 2),
            _ if bytes.get(body) == Some(&b'>') => return Some(body + 1),
            _ => {}
        }
        let mut from = body;
        while let Some(dash) = find(bytes, from, b'-') {
            if bytes.get(dash + 1) == Some(&b'-') {
                match bytes.get(dash + 2) {
                    Some(b'>') => return Some(dash + 3),
                    Some(b'!') if bytes.get(dash + 3) == Some(&b'>') => return Some(dash + 4),
                    _ => {}
                }
            }
            from = dash + 1;
        }
        self.page.warnings.push(Warning::new(
            WarningCode::MalformedInput,
            "html",
            format!("HTML comment at byte {lt} is not closed; text after it was ignored"),
        ));
        None
    }

    /// `<!DOCTYPE ...>`, `<?...>`, `</ ...>`: skipped up to the next `>`.
    fn bogus_comment(&mut self, lt: usize, from: usize) -> Option<usize> {
        match find(self.html.as_bytes(), from, b'>') {
            Some(gt) => Some(gt + 1),
            None => self.cut_off(lt, "a comment or declaration"),
        }
    }

    /// The input ends inside markup that starts at `lt`: the rest is
    /// ignored, as in browsers; warns when the rest holds more markup.
    fn cut_off(&mut self, lt: usize, what: &str) -> Option<usize> {
        let rest = self.html.as_bytes().get(lt + 1..).unwrap_or_default();
        if rest.iter().any(|&b| b == b'<' || b == b'>') {
            self.page.warnings.push(Warning::new(
                WarningCode::MalformedInput,
                "html",
                format!(
                    "HTML ends inside {what} that starts at byte {lt}; text after it was ignored"
                ),
            ));
        }
        None
    }

    /// Parses the tag whose name starts at `name_start` up to its `>`;
    /// `None` when the input ends first.
    fn tag(&self, name_start: usize) -> Option<TagToken> {
        let bytes = self.html.as_bytes();
        let mut i = name_start;
        while bytes
            .get(i)
            .is_some_and(|&b| !is_space(b) && b != b'/' && b != b'>')
        {
            i += 1;
        }
        let name = (name_start, i);
        let tag = classify(bytes.get(name_start..i)?);
        let mut self_closing = false;
        let mut lang = None;
        loop {
            while bytes.get(i).copied().is_some_and(is_space) {
                i += 1;
            }
            match *bytes.get(i)? {
                b'>' => {
                    return Some(TagToken {
                        tag,
                        self_closing,
                        lang,
                        name,
                        end: i + 1,
                    });
                }
                b'/' => {
                    i += 1;
                    self_closing = bytes.get(i) == Some(&b'>');
                    continue;
                }
                _ => self_closing = false,
            }
            // Attribute name; its first character may be anything, `=` too.
            let name_start = i;
            i = super::scan::attribute_name_end(bytes, i);
            let name = bytes.get(name_start..i)?;
            while bytes.get(i).copied().is_some_and(is_space) {
                i += 1;
            }
            if bytes.get(i) != Some(&b'=') {
                continue;
            }
            i += 1;
            while bytes.get(i).copied().is_some_and(is_space) {
                i += 1;
            }
            let value = match *bytes.get(i)? {
                quote @ (b'"' | b'\'') => {
                    let close = find(bytes, i + 1, quote)?;
                    let value = (i + 1, close);
                    i = close + 1;
                    value
                }
                b'>' => continue,
                _ => {
                    let start = i;
                    while bytes.get(i).is_some_and(|&b| !is_space(b) && b != b'>') {
                        i += 1;
                    }
                    (start, i)
                }
            };
            if tag == Tag::Html && lang.is_none() && name.eq_ignore_ascii_case(b"lang") {
                lang = Some(value);
            }
        }
    }

    fn start_tag(&mut self, token: &TagToken) -> Option<usize> {
        if self.in_head
            && !matches!(
                token.tag,
                Tag::Title | Tag::RawText | Tag::Template | Tag::HeadVoid | Tag::Html | Tag::Head
            )
        {
            self.in_head = false;
        }
        match token.tag {
            Tag::Html => {
                if self.page.lang.is_none()
                    && let Some((start, end)) = token.lang
                {
                    let value = decode_collapsed(self.html.get(start..end).unwrap_or_default());
                    self.page.lang = (!value.is_empty()).then_some(value);
                }
            }
            Tag::Head => self.in_head = true,
            Tag::Body => self.in_head = false,
            Tag::Title => return Some(self.title(token.end)),
            Tag::RawText => return self.skip_raw_text(token),
            Tag::Svg if !token.self_closing => self.svg_depth = self.svg_depth.saturating_add(1),
            Tag::Template if !token.self_closing => {
                self.template_depth = self.template_depth.saturating_add(1)
            }
            Tag::Pre => {
                self.pre_depth = self.pre_depth.saturating_add(1);
                self.line_break(2);
            }
            Tag::Br => self.pending_break = (self.pending_break + 1).min(2),
            Tag::Line => self.line_break(1),
            Tag::Block => self.line_break(2),
            Tag::Svg | Tag::Template | Tag::HeadVoid | Tag::Other => {}
        }
        Some(token.end)
    }

    fn end_tag(&mut self, tag: Tag) {
        match tag {
            Tag::Head => self.in_head = false,
            Tag::Svg => self.svg_depth = self.svg_depth.saturating_sub(1),
            Tag::Template => self.template_depth = self.template_depth.saturating_sub(1),
            Tag::Pre => {
                self.pre_depth = self.pre_depth.saturating_sub(1);
                self.line_break(2);
            }
            // `</br>` is a `<br>` in browsers.
            Tag::Br => self.pending_break = (self.pending_break + 1).min(2),
            Tag::Line => self.line_break(1),
            Tag::Block => self.line_break(2),
            Tag::Html | Tag::Body | Tag::Title | Tag::RawText | Tag::HeadVoid | Tag::Other => {}
        }
    }

    /// Reads the title whose text starts at `from`; returns the position
    /// of its end tag (or the end of the input).
    fn title(&mut self, from: usize) -> usize {
        let end = self.raw_text_end(from, b"title");
        if self.page.title.is_none() && self.svg_depth == 0 && self.template_depth == 0 {
            let title = decode_collapsed(self.html.get(from..end).unwrap_or_default());
            self.page.title = (!title.is_empty()).then_some(title);
        }
        end
    }

    /// Skips the content of a raw-text element, up to its end tag.
    fn skip_raw_text(&mut self, token: &TagToken) -> Option<usize> {
        let bytes = self.html.as_bytes();
        let (name_start, name_end) = token.name;
        let end = self.raw_text_end(token.end, bytes.get(name_start..name_end)?);
        if end >= bytes.len() {
            // `name_start - 1` is the start tag's `<`.
            return self.cut_off(name_start.saturating_sub(1), "an unclosed raw-text element");
        }
        Some(end)
    }

    /// Position of the first `</name` (any case) at or after `from` that
    /// is followed by white space, `/`, `>` or the end; else the length.
    fn raw_text_end(&self, from: usize, name: &[u8]) -> usize {
        super::scan::end_tag_at(self.html.as_bytes(), from, name)
    }

    /// Owes `n` line breaks (1 or 2) before the next text.
    fn line_break(&mut self, n: u8) {
        self.pending_break = self.pending_break.max(n);
    }

    /// Appends the text `start..end` of the input, decoding references.
    fn text(&mut self, start: usize, end: usize) {
        if self.svg_depth > 0 || self.template_depth > 0 {
            return;
        }
        let html = self.html;
        let text = html.get(start..end).unwrap_or_default();
        if self.in_head {
            if text.bytes().all(is_space) {
                return;
            }
            // Text cannot be in a head: the body has started.
            self.in_head = false;
        }
        decode_chars(text, |c| self.push_char(c));
    }

    /// Appends one character of text, collapsing white space.
    fn push_char(&mut self, c: char) {
        if c.is_ascii() && is_space(c as u8) {
            if self.pre_depth > 0 && c == '\n' {
                self.pending_break = (self.pending_break + 1).min(2);
            } else {
                self.pending_space = true;
            }
            return;
        }
        let out = &mut self.page.text;
        if self.pending_break > 0 {
            if !out.is_empty() {
                out.push_str(if self.pending_break > 1 { "\n\n" } else { "\n" });
            }
            self.pending_break = 0;
        } else if self.pending_space && !out.is_empty() {
            out.push(' ');
        }
        self.pending_space = false;
        out.push(c);
    }
}

/// A decoded character reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decoded {
    Char(char),
    Str(&'static str),
}

/// Longest name in the named-reference table (`CounterClockwiseContourIntegral`).
const MAX_NAME_LEN: usize = 31;

/// Decodes the character reference at the start of `s` (which starts with
/// `&`); returns it with its length in bytes, `None` when `s` does not
/// start with one.
fn decode_reference(s: &str) -> Option<(Decoded, usize)> {
    let bytes = s.as_bytes();
    if bytes.get(1) == Some(&b'#') {
        let (radix, digits) = match bytes.get(2) {
            Some(b'x' | b'X') => (16, 3),
            _ => (10, 2),
        };
        let mut i = digits;
        let mut value: u32 = 0;
        while let Some(digit) = bytes.get(i).and_then(|&b| char::from(b).to_digit(radix)) {
            // Saturates past the last code point: any longer number is invalid.
            value = value
                .saturating_mul(radix)
                .saturating_add(digit)
                .min(0x11_0000);
            i += 1;
        }
        if i == digits {
            return None;
        }
        if bytes.get(i) == Some(&b';') {
            i += 1;
        }
        return Some((Decoded::Char(numeric_reference(value)), i));
    }
    let name_len = bytes
        .get(1..)?
        .iter()
        .take(MAX_NAME_LEN + 1)
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    let name = bytes.get(1..1 + name_len)?;
    if name.is_empty() || name_len > MAX_NAME_LEN {
        return None;
    }
    if bytes.get(1 + name_len) == Some(&b';')
        && let Ok(index) = NAMED_ENTITIES.binary_search_by(|&(n, _)| n.cmp(name))
    {
        let (_, value) = NAMED_ENTITIES.get(index)?;
        return Some((Decoded::Str(value), name_len + 2));
    }
    // The legacy references that browsers also accept without `;`.
    let value = match name {
        b"amp" | b"AMP" => "&",
        b"lt" | b"LT" => "<",
        b"gt" | b"GT" => ">",
        b"quot" | b"QUOT" => "\"",
        b"nbsp" => "\u{A0}",
        b"copy" | b"COPY" => "\u{A9}",
        b"reg" | b"REG" => "\u{AE}",
        _ => return None,
    };
    let len = if bytes.get(1 + name_len) == Some(&b';') {
        name_len + 2
    } else {
        name_len + 1
    };
    Some((Decoded::Str(value), len))
}

/// The character of a numeric reference, with HTML's replacements.
fn numeric_reference(value: u32) -> char {
    const WINDOWS_1252: [u16; 32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
        0x2039, 0x0152, 0x8D, 0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013,
        0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
    ];
    let value = match value {
        0x80..=0x9F => value
            .checked_sub(0x80)
            .and_then(|i| WINDOWS_1252.get(i as usize))
            .map_or(value, |&v| u32::from(v)),
        _ => value,
    };
    match value {
        0 => char::REPLACEMENT_CHARACTER,
        v => char::from_u32(v).unwrap_or(char::REPLACEMENT_CHARACTER),
    }
}

/// Calls `f` with every character of `s`, character references decoded.
fn decode_chars(s: &str, mut f: impl FnMut(char)) {
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        let (plain, reference) = rest.split_at_checked(amp).unwrap_or((rest, ""));
        plain.chars().for_each(&mut f);
        match decode_reference(reference) {
            Some((Decoded::Char(c), len)) => {
                f(c);
                rest = reference.get(len..).unwrap_or_default();
            }
            Some((Decoded::Str(value), len)) => {
                value.chars().for_each(&mut f);
                rest = reference.get(len..).unwrap_or_default();
            }
            None => {
                f('&');
                rest = reference.get(1..).unwrap_or_default();
            }
        }
    }
    rest.chars().for_each(f);
}

/// `s` with character references decoded.
pub(crate) fn decode_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    decode_chars(s, |c| out.push(c));
    out
}

/// `s` with references decoded and HTML white space collapsed and trimmed
/// (for the title and attribute values).
fn decode_collapsed(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    decode_chars(s, |c| {
        if c.is_ascii() && is_space(c as u8) {
            space = true;
        } else {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const PAGE: &str = r#"<!DOCTYPE html>
<html lang="en-GB" class="no-js">
<head>
  <meta charset="utf-8">
  <title>Council &amp; Mayor   agree
    budget</title>
  <style>p { color: red; } /* STYLE TEXT */</style>
  <script>var x = "<p>SCRIPT TEXT</p>"; if (a < b) {}</script>
</head>
<body>
  <nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li></ul></nav>
  <article>
    <h1>Council approves&nbsp;budget</h1>
    <p>The council voted on <b>Tuesday</b> to approve the
       budget &amp; cut costs.</p>
    <!-- <p>COMMENT TEXT</p> -->
    <p>&#8220;It&rsquo;s a good day,&#x201D; the mayor said&hellip;</p>
    <noscript><p>NOSCRIPT TEXT</p></noscript>
    <svg viewBox="0 0 1 1"><title>SVG TITLE</title><text>SVG TEXT</text></svg>
    <template><p>TEMPLATE TEXT</p></template>
    <p>Line one<br>line two<br><br>after a blank line</p>
  </article>
  <footer>&copy; 2025 Example News</footer>
</body>
</html>"#;

    #[test]
    fn article_page() {
        let page = extract(PAGE, 10_000);
        assert_eq!(page.title.as_deref(), Some("Council & Mayor agree budget"));
        assert_eq!(page.lang.as_deref(), Some("en-GB"));
        assert!(page.warnings.is_empty(), "{:?}", page.warnings);
        for hidden in [
            "STYLE", "SCRIPT", "COMMENT", "NOSCRIPT", "SVG", "TEMPLATE", "charset", "agree",
        ] {
            assert!(
                !page.text.contains(hidden),
                "{hidden} leaked: {:?}",
                page.text
            );
        }
        assert_eq!(
            page.text,
            "Home\nNews\n\n\
             Council approves\u{A0}budget\n\n\
             The council voted on Tuesday to approve the budget & cut costs.\n\n\
             \u{201C}It\u{2019}s a good day,\u{201D} the mayor said\u{2026}\n\n\
             Line one\nline two\n\nafter a blank line\n\n\
             \u{A9} 2025 Example News"
        );
    }

    #[test]
    fn head_ends_at_body_content() {
        // No </head>, no <body>: the first body element ends the head.
        let page = extract(
            "<html><head><title>T</title><meta x=y><div>Body text</div>",
            100,
        );
        assert_eq!(page.title.as_deref(), Some("T"));
        assert_eq!(page.text, "Body text");
        // Text ends the head too.
        assert_eq!(
            extract("<head><link rel=x>Loose text", 100).text,
            "Loose text"
        );
        // Without markup at all, text is text.
        assert_eq!(extract("just text", 100).text, "just text");
    }

    #[test]
    fn inline_tags_do_not_split_words() {
        let page = extract(
            "<p>multi<b>part</b><i>word</i> and <a href='#'>link</a>.</p>",
            100,
        );
        assert_eq!(page.text, "multipartword and link.");
    }

    #[test]
    fn named_reference_table_is_sorted() {
        // `decode_reference` binary-searches it.
        assert!(NAMED_ENTITIES.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(
            NAMED_ENTITIES
                .iter()
                .all(|(name, _)| name.len() <= MAX_NAME_LEN)
        );
    }

    #[test]
    fn raw_text_end_tag_is_found_after_tricky_attributes() {
        let page = extract("<script data-x=\"a<b>\">if (a</b) x()</script>shown", 100);
        assert_eq!(page.text, "shown");
        let page = extract("<style>a{}</styles></style >shown", 100);
        assert_eq!(page.text, "shown");
    }

    #[test]
    fn pre_keeps_line_breaks() {
        let page = extract(
            "<p>before</p><pre>line 1\n  line 2\n\nline 4</pre>after",
            100,
        );
        assert_eq!(page.text, "before\n\nline 1\nline 2\n\nline 4\n\nafter");
    }

    #[test]
    fn references() {
        let page = extract(
            "&lt;b&gt; &quot;q&quot; &apos; &eacute;&Eacute; &ndash;&mdash; &laquo;&raquo; \
             &lsquo;&rsquo;&ldquo;&rdquo; &reg; &CounterClockwiseContourIntegral; \
             &#233;&#xE9;&#XE9; &#150; &#0; &#xD800; &#99999999999; &#x1F600; \
             &amp &ampx &unknown; &; &# &#x; & bare AT&T",
            100,
        );
        assert_eq!(
            page.text,
            "<b> \"q\" ' \u{E9}\u{C9} \u{2013}\u{2014} \u{AB}\u{BB} \
             \u{2018}\u{2019}\u{201C}\u{201D} \u{AE} \u{2233} \
             \u{E9}\u{E9}\u{E9} \u{2013} \u{FFFD} \u{FFFD} \u{FFFD} \u{1F600} \
             & &ampx &unknown; &; &# &#x; & bare AT&T"
        );
    }

    #[test]
    fn malformed_input() {
        let page = extract("<p>unclosed <b", 100);
        assert_eq!(page.text, "unclosed");
        assert!(page.warnings.is_empty());

        let page = extract("<p>before</p><!-- never closed <p>hidden</p>", 100);
        assert_eq!(page.text, "before");
        assert_eq!(page.warnings.len(), 1);
        assert!(
            page.warnings[0].message.contains("comment"),
            "{:?}",
            page.warnings
        );

        assert_eq!(extract("<<<>>>", 100).text, "<<<>>>");
        assert_eq!(
            extract("a < b and c <= d, 1<2", 100).text,
            "a < b and c <= d, 1<2"
        );
        assert_eq!(extract("x</>y</ z>w<!>v<?php echo ?>u", 100).text, "xywvu");
        assert_eq!(
            extract("<!---->a<!-->b<!--->c<!-- x --!>d", 100).text,
            "abcd"
        );

        let page = extract("<p>kept</p><a href=\"unterminated>lost <p>text</p>", 100);
        assert_eq!(page.text, "kept");
        assert_eq!(page.warnings.len(), 1, "{:?}", page.warnings);

        let page = extract("<p>kept</p><script>lost <p>text</p>", 100);
        assert_eq!(page.text, "kept");
        assert_eq!(page.warnings.len(), 1, "{:?}", page.warnings);

        // `<script/>` is not self-closing in HTML; `</script >` ends it.
        assert_eq!(extract("<script/>hidden</SCRIPT >shown", 100).text, "shown");
        // An unclosed svg hides the rest, as in browsers.
        assert_eq!(extract("a<svg><p>b</p>", 100).text, "a");
        assert_eq!(extract("a<svg/>b", 100).text, "ab");
    }

    #[test]
    fn element_cap() {
        let html = "<p>one</p><p>two</p><p>three</p><p>four</p>";
        let page = extract(html, 2);
        assert_eq!(page.text, "one\n\ntwo");
        assert_eq!(
            page.warnings
                .iter()
                .map(|w| w.message.as_str())
                .collect::<Vec<_>>(),
            ["HTML has more than 2 elements; text after element 2 was ignored"]
        );
        let page = extract(html, 4);
        assert_eq!(page.text, "one\n\ntwo\n\nthree\n\nfour");
        assert!(page.warnings.is_empty());
        assert_eq!(extract(html, 0).text, "");
    }

    #[test]
    fn lang_is_decoded_and_trimmed() {
        assert_eq!(
            extract("<HTML LANG = ' de-AT '>x", 10).lang.as_deref(),
            Some("de-AT")
        );
        assert_eq!(extract("<html lang=fr>x", 10).lang.as_deref(), Some("fr"));
        assert_eq!(extract("<html lang=\"\">x", 10).lang, None);
        assert_eq!(extract("<body lang=fr>x", 10).lang, None);
    }

    #[test]
    fn pathological_inputs_are_linear() {
        // Each would be quadratic with a backtracking scanner; 256 KiB each.
        let n = 1 << 16;
        for html in [
            "<!--".repeat(n),
            "<a ".repeat(n),
            "</".repeat(n),
            "&#".repeat(n),
            "&amp".repeat(n),
            "<script>".repeat(n),
            "<svg>".repeat(n),
            "<a b='".repeat(n),
            "<".repeat(4 * n),
            "-".repeat(4 * n),
        ] {
            let page = extract(&html, usize::MAX);
            assert!(page.text.len() <= html.len() * 3);
        }
    }

    #[test]
    fn work_grows_linearly() {
        use crate::pipeline::html::scan::testing::{Shape, assert_linear, random_html};
        let shapes: [Shape; 4] = [
            ("random bytes", |n| random_html(n, 11)),
            ("attributes on one element", |n| {
                format!("<p {}>hello</p>", "a=\"x\" ".repeat(n / 6))
            }),
            ("many elements", |n| "<p>x</p>".repeat(n / 8)),
            ("references", |n| "&amp;&#x201C;&bogus".repeat(n / 19)),
        ];
        for (what, shape) in shapes {
            let work = |n: usize| {
                let budget = crate::pipeline::Budget::unlimited();
                let mut meter = budget.meter();
                let page = extract_metered(&shape(n), usize::MAX, &mut meter, StopOn::Any);
                (meter.steps(), page.text.len() as u64)
            };
            let ((steps, out), (steps_8, out_8)) = (work(40_000), work(320_000));
            assert_linear(&format!("{what}: steps"), steps, steps_8);
            assert_linear(&format!("{what}: bytes out"), out, out_8);
        }
    }

    #[test]
    fn a_stopped_meter_keeps_the_text_read_so_far() {
        let flag = crate::pipeline::budget::CancelFlag::new();
        let budget = crate::pipeline::Budget::new(None, flag.clone());
        let html = "<p>one two</p>".repeat(100_000);
        let mut meter = budget.meter();
        flag.cancel();
        let page = extract_metered(&html, usize::MAX, &mut meter, StopOn::Cancel);
        // Seen at the first look at the flag, within a stride of steps.
        assert!(meter.steps() <= 2 * crate::pipeline::budget::Meter::STRIDE);
        assert!(page.text.len() < 1000, "{}", page.text.len());
        assert!(page.text.starts_with("one two"));
    }

    fn html_like() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("<"),
            Just(">"),
            Just("</"),
            Just("/>"),
            Just("<!--"),
            Just("-->"),
            Just("<!"),
            Just("<?"),
            Just("<p>"),
            Just("</p>"),
            Just("<br>"),
            Just("<script>"),
            Just("</script>"),
            Just("<svg>"),
            Just("</svg>"),
            Just("<title>"),
            Just("</title>"),
            Just("<head>"),
            Just("<pre>"),
            Just("</pre>"),
            Just("<html lang='"),
            Just("\""),
            Just("'"),
            Just("="),
            Just("&"),
            Just("&#"),
            Just("&#x"),
            Just(";"),
            Just("amp"),
            Just("nbsp"),
            Just("1F600"),
            Just(" "),
            Just("\n"),
            Just("text"),
            Just("é日😀"),
        ];
        prop::collection::vec(piece, 0..80).prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn arbitrary_strings_never_panic(input in any::<String>(), cap in 0usize..20) {
            let page = extract(&input, cap);
            prop_assert!(page.warnings.len() <= 1);
        }

        #[test]
        fn html_like_strings_never_panic(input in html_like(), cap in 0usize..40) {
            let page = extract(&input, cap);
            prop_assert!(page.warnings.len() <= 1);
            let html_space = [' ', '\t', '\n', '\r', '\x0C'];
            prop_assert!(!page.text.starts_with(html_space));
            prop_assert!(!page.text.ends_with(html_space));
            prop_assert!(!page.text.contains("\n\n\n"));
            prop_assert!(!page.text.contains("  "));
            let starts = input.matches('<').count();
            if page.warnings.iter().any(|w| w.message.contains("elements")) {
                prop_assert!(starts > cap);
            }
        }
    }
}
