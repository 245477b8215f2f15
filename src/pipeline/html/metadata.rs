//! Page metadata read from the markup in one linear scan (no DOM): title,
//! authors, publication time, language, canonical URL and site name.
//!
//! Sources, best first:
//! - **title**: `og:title`, JSON-LD `headline`, `twitter:title`, the first
//!   `<h1>`, `<title>`;
//! - **authors**: JSON-LD `author` (names of `Person`s, or strings), then
//!   `<meta name="author">`, `article:author` (when not a URL),
//!   `<meta name="byl">`, `<a rel="author">`;
//! - **publication time**: JSON-LD `datePublished` of an article-type
//!   object (`NewsArticle`, `Article`, `BlogPosting`, ...),
//!   `article:published_time`, other common `<meta>` dates
//!   (`datePublished`, `pubdate`, `date`, `DC.date.issued`, ...), then the
//!   first `<time datetime>` (the visible text of a `<time>` without one
//!   is kept in [`PageMetadata::time_text`], read later with the
//!   article's time zone);
//! - **language**: `<html lang>`, then `og:locale`, `content-language`;
//! - **canonical URL**: `<link rel="canonical">`, then `og:url`;
//! - **site name**: `og:site_name`, then JSON-LD `publisher.name`,
//!   `application-name`.
//!
//! The scan is linear: every byte is read once (an unclosed `<h1>` or
//! author link is read for at most a few kilobytes), and each is a step of
//! the [`Meter`]; only cancellation stops it.

use super::scan::{find_byte, find_str};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde_json::Value;

use super::flatten::decode_text;
use super::scan::StopOn;
use crate::pipeline::budget::Meter;

/// Metadata of a page; every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageMetadata {
    /// Title.
    pub title: Option<String>,
    /// Authors, in page order, without duplicates.
    pub authors: Vec<String>,
    /// Publication time.
    pub published_at: Option<DateTime<Utc>>,
    /// Language tag as written.
    pub language: Option<String>,
    /// Canonical URL.
    pub canonical_url: Option<String>,
    /// Name of the site.
    pub site_name: Option<String>,
    /// The visible text of the first `<time>` element without a
    /// `datetime` attribute ("4 December 2007"), for a publication date
    /// when the markup gives none (read with the article's time zone).
    pub time_text: Option<String>,
}

/// Most bytes of a JSON-LD script parsed (larger ones are skipped).
const MAX_JSON_LD_BYTES: usize = 256 * 1024;
/// Most `<h1>` bytes read for a title.
const MAX_H1_BYTES: usize = 2048;
/// Most authors kept.
const MAX_AUTHORS: usize = 16;
/// JSON-LD nesting walked at most (the walk uses an explicit stack).
const MAX_JSON_NODES: usize = 10_000;

/// What the scan collects before choosing.
#[derive(Default)]
struct Found {
    meta: Vec<(String, String)>,
    html_lang: Option<String>,
    canonical: Option<String>,
    title: Option<String>,
    h1: Option<String>,
    time: Option<String>,
    time_text: Option<String>,
    rel_authors: Vec<String>,
    json_ld: Vec<Value>,
}

/// Reads the metadata of `html`, looking at no more than `max_elements`
/// start tags.
pub fn read_metadata(html: &str, max_elements: usize) -> PageMetadata {
    let budget = crate::pipeline::Budget::unlimited();
    read_metadata_metered(html, max_elements, &mut budget.meter())
}

/// [`read_metadata`], counting a step per byte and per tag read on `meter`.
/// The scan is linear and cheap, and the metadata is part of the record, so
/// only cancellation stops it (with what it found so far).
pub fn read_metadata_metered(
    html: &str,
    max_elements: usize,
    meter: &mut Meter<'_>,
) -> PageMetadata {
    let found = scan(html, max_elements, meter);
    choose(found)
}

fn scan(html: &str, max_elements: usize, meter: &mut Meter<'_>) -> Found {
    let bytes = html.as_bytes();
    let mut found = Found::default();
    let mut elements = 0usize;
    let mut pos = 0;
    while let Some(lt) = find_byte(bytes, pos, b'<') {
        // A step per byte skipped, and per byte of the markup read below.
        if StopOn::Cancel.add(meter, (lt - pos) as u64 + 1) {
            break;
        }
        pos = lt + 1;
        match bytes.get(lt + 1) {
            Some(b'!') => {
                pos = if bytes.get(lt + 2..lt + 4) == Some(b"--") {
                    find_str(bytes, lt + 4, b"-->").map_or(bytes.len(), |i| i + 3)
                } else {
                    find_byte(bytes, lt + 2, b'>').map_or(bytes.len(), |i| i + 1)
                };
                continue;
            }
            Some(c) if c.is_ascii_alphabetic() => {}
            _ => continue,
        }
        elements += 1;
        if elements > max_elements {
            break;
        }
        let Some(tag) = parse_tag(html, lt + 1) else {
            break;
        };
        pos = tag.end;
        meter.add((tag.end - lt) as u64);
        match tag.name.as_str() {
            "html" if found.html_lang.is_none() => {
                found.html_lang = tag.attr("lang").filter(|l| !l.is_empty());
            }
            "meta" => {
                let key = tag
                    .attr("property")
                    .or_else(|| tag.attr("name"))
                    .or_else(|| tag.attr("itemprop"))
                    .or_else(|| tag.attr("http-equiv"));
                let value = tag.attr("content").or_else(|| tag.attr("datetime"));
                if let (Some(key), Some(value)) = (key, value)
                    && !value.is_empty()
                    && found.meta.len() < 1000
                {
                    found.meta.push((key.to_ascii_lowercase(), value));
                }
            }
            "link" => {
                let rel = tag.attr("rel").unwrap_or_default().to_ascii_lowercase();
                if found.canonical.is_none() && rel.split_whitespace().any(|r| r == "canonical") {
                    found.canonical = tag.attr("href").filter(|h| !h.is_empty());
                }
            }
            "a" => {
                let rel = tag.attr("rel").unwrap_or_default().to_ascii_lowercase();
                if rel.split_whitespace().any(|r| r == "author")
                    && found.rel_authors.len() < MAX_AUTHORS
                {
                    let text = element_text(html, tag.end, "a", 512, meter);
                    if !text.is_empty() {
                        found.rel_authors.push(text);
                    }
                }
            }
            "time" if found.time.is_none() => {
                found.time = tag.attr("datetime").filter(|d| !d.is_empty());
                if found.time.is_none() && found.time_text.is_none() {
                    let text = element_text(html, tag.end, "time", 256, meter);
                    if !text.is_empty() {
                        found.time_text = Some(text);
                    }
                }
            }
            "h1" if found.h1.is_none() => {
                let text = element_text(html, tag.end, "h1", MAX_H1_BYTES, meter);
                if !text.is_empty() {
                    found.h1 = Some(text);
                }
            }
            "title" | "script" | "style" | "textarea" | "xmp" | "iframe" | "noembed"
            | "noframes" | "noscript" | "template" | "svg" => {
                let close = find_end_tag(bytes, tag.end, tag.name.as_bytes());
                let content = html.get(tag.end..close.0).unwrap_or_default();
                meter.add((close.1 - tag.end) as u64);
                if tag.name == "title" && found.title.is_none() {
                    let text = collapse(&decode_text(content));
                    if !text.is_empty() {
                        found.title = Some(text);
                    }
                } else if tag.name == "script"
                    && tag
                        .attr("type")
                        .is_some_and(|t| t.eq_ignore_ascii_case("application/ld+json"))
                    && content.len() <= MAX_JSON_LD_BYTES
                    && found.json_ld.len() < 16
                    && let Ok(value) = serde_json::from_str::<Value>(content.trim())
                {
                    found.json_ld.push(value);
                }
                // svg and template hold markup, but nothing of the page's metadata.
                pos = close.1;
            }
            _ => {}
        }
    }
    found
}

/// Article-like schema.org types, whose `datePublished` and `author` are the page's.
fn is_article_type(object: &serde_json::Map<String, Value>) -> bool {
    let is = |t: &str| {
        let t = t.rsplit('/').next().unwrap_or(t);
        t.ends_with("Article")
            || matches!(
                t,
                "BlogPosting" | "Report" | "LiveBlogPosting" | "SocialMediaPosting" | "WebPage"
            )
    };
    match object.get("@type") {
        Some(Value::String(t)) => is(t),
        Some(Value::Array(types)) => types.iter().filter_map(Value::as_str).any(is),
        _ => false,
    }
}

/// Every JSON object in the JSON-LD scripts, breadth first, bounded.
fn json_objects(json_ld: &[Value]) -> Vec<&serde_json::Map<String, Value>> {
    let mut out = Vec::new();
    let mut queue: std::collections::VecDeque<&Value> = json_ld.iter().collect();
    let mut visited = 0;
    while let Some(value) = queue.pop_front() {
        visited += 1;
        if visited > MAX_JSON_NODES {
            break;
        }
        match value {
            Value::Object(map) => {
                out.push(map);
                queue.extend(map.values());
            }
            Value::Array(items) => queue.extend(items),
            _ => {}
        }
    }
    out
}

fn choose(found: Found) -> PageMetadata {
    let meta = |keys: &[&str]| -> Option<String> {
        keys.iter().find_map(|key| {
            found
                .meta
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| collapse(v))
                .filter(|v| !v.is_empty())
        })
    };
    let objects = json_objects(&found.json_ld);
    // Article objects first, then the rest (WebPage is article-like but weaker).
    let mut articles: Vec<&serde_json::Map<String, Value>> = objects
        .iter()
        .copied()
        .filter(|o| is_article_type(o))
        .collect();
    articles.sort_by_key(|o| {
        o.get("@type")
            .and_then(Value::as_str)
            .is_some_and(|t| t == "WebPage")
    });
    let ld_str = |key: &str| -> Option<String> {
        articles.iter().find_map(|o| {
            o.get(key)
                .and_then(Value::as_str)
                .map(collapse)
                .filter(|s| !s.is_empty())
        })
    };

    let title = meta(&["og:title"])
        .or_else(|| ld_str("headline"))
        .or_else(|| meta(&["twitter:title"]))
        .or(found.h1)
        .or(found.title);

    let mut authors = Vec::new();
    for object in &articles {
        if let Some(author) = object.get("author") {
            collect_names(author, &mut authors);
        }
        if !authors.is_empty() {
            break;
        }
    }
    if authors.is_empty() {
        for (key, value) in &found.meta {
            if matches!(
                key.as_str(),
                "author" | "article:author" | "byl" | "dc.creator" | "sailthru.author"
            ) && !value.starts_with("http")
            {
                let value = value.trim_start_matches("By ").trim_start_matches("by ");
                push_name(&mut authors, value);
            }
        }
    }
    if authors.is_empty() {
        for name in &found.rel_authors {
            push_name(&mut authors, name);
        }
    }

    let published_at = ld_str("datePublished")
        .as_deref()
        .and_then(parse_date)
        .or_else(|| {
            [
                "article:published_time",
                "og:article:published_time",
                "datepublished",
                "date",
                "pubdate",
                "publishdate",
                "publish-date",
                "dc.date.issued",
                "dc.date",
                "dcterms.date",
                "sailthru.date",
                "parsely-pub-date",
                "date_published",
            ]
            .iter()
            .find_map(|key| meta(&[key]).as_deref().and_then(parse_date))
        })
        .or_else(|| found.time.as_deref().and_then(parse_date));

    let language = found
        .html_lang
        .map(|l| collapse(&l))
        .filter(|l| !l.is_empty())
        .or_else(|| meta(&["og:locale", "content-language", "language"]));

    let canonical_url = found
        .canonical
        .map(|c| collapse(&c))
        .filter(|c| !c.is_empty())
        .or_else(|| meta(&["og:url"]));

    let site_name = meta(&["og:site_name"])
        .or_else(|| {
            articles.iter().find_map(|o| {
                o.get("publisher")
                    .and_then(|p| p.get("name"))
                    .and_then(Value::as_str)
                    .map(collapse)
                    .filter(|s| !s.is_empty())
            })
        })
        .or_else(|| meta(&["application-name"]));

    PageMetadata {
        title,
        authors,
        published_at,
        language,
        canonical_url,
        site_name,
        time_text: found.time_text,
    }
}

/// Adds the names in a JSON-LD `author` value (a string, a Person or
/// Organization, or a list of them).
fn collect_names(value: &Value, out: &mut Vec<String>) {
    let items: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    for item in items {
        match item {
            Value::String(name) => push_name(out, name),
            Value::Object(map) => {
                if let Some(name) = map.get("name").and_then(Value::as_str) {
                    push_name(out, name);
                }
            }
            _ => {}
        }
    }
}

fn push_name(out: &mut Vec<String>, name: &str) {
    let name = collapse(&decode_text(name));
    if !name.is_empty()
        && name.chars().count() <= 100
        && out.len() < MAX_AUTHORS
        && !out.contains(&name)
    {
        out.push(name);
    }
}

/// Parses the date formats pages use: RFC 3339 / ISO 8601 with or
/// without offset (none means UTC), with a space instead of `T`, or a date.
pub fn parse_date(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M%z",
        "%Y-%m-%d %H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S %z",
    ] {
        if let Ok(t) = DateTime::parse_from_str(s, format) {
            return Some(t.with_timezone(&Utc));
        }
    }
    if let Ok(t) = DateTime::parse_from_rfc2822(s) {
        return Some(t.with_timezone(&Utc));
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, format) {
            return Some(t.and_utc());
        }
    }
    let date_part = s.get(..10).unwrap_or(s);
    for format in ["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(date_part, format) {
            return d.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
        }
    }
    None
}

/// A start tag with the attributes metadata reads.
struct Tag {
    name: String,
    attrs: Vec<(&'static str, String)>,
    /// Index just past `>`.
    end: usize,
}

impl Tag {
    fn attr(&self, name: &str) -> Option<String> {
        self.attrs
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.trim().to_owned())
    }
}

/// The attributes metadata reads; only these are decoded and kept.
const KEPT_ATTRIBUTES: [&str; 10] = [
    "lang",
    "property",
    "name",
    "itemprop",
    "http-equiv",
    "content",
    "datetime",
    "rel",
    "href",
    "type",
];

/// Parses the start tag whose name starts at `start`; `None` when the input
/// ends inside it. Allocates only for the tag name and the attributes it
/// keeps (at most 32).
fn parse_tag(html: &str, start: usize) -> Option<Tag> {
    let bytes = html.as_bytes();
    let mut i = start;
    while bytes
        .get(i)
        .is_some_and(|&b| !b.is_ascii_whitespace() && b != b'/' && b != b'>')
    {
        i += 1;
    }
    let name = html.get(start..i)?.to_ascii_lowercase();
    let mut attrs = Vec::new();
    loop {
        while bytes
            .get(i)
            .is_some_and(|&b| b.is_ascii_whitespace() || b == b'/')
        {
            i += 1;
        }
        if *bytes.get(i)? == b'>' {
            return Some(Tag {
                name,
                attrs,
                end: i + 1,
            });
        }
        let name_start = i;
        i += 1;
        while bytes
            .get(i)
            .is_some_and(|&b| !b.is_ascii_whitespace() && !matches!(b, b'/' | b'>' | b'='))
        {
            i += 1;
        }
        let attr_name = bytes.get(name_start..i)?;
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        let mut value = (i, i);
        if bytes.get(i) == Some(&b'=') {
            i += 1;
            while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
                i += 1;
            }
            match bytes.get(i) {
                Some(&q @ (b'"' | b'\'')) => {
                    let close = find_byte(bytes, i + 1, q)?;
                    value = (i + 1, close);
                    i = close + 1;
                }
                _ => {
                    let s = i;
                    while bytes
                        .get(i)
                        .is_some_and(|&b| !b.is_ascii_whitespace() && b != b'>')
                    {
                        i += 1;
                    }
                    value = (s, i);
                }
            }
        }
        if attrs.len() < 32
            && let Some(kept) = KEPT_ATTRIBUTES
                .iter()
                .find(|k| k.as_bytes().eq_ignore_ascii_case(attr_name))
        {
            attrs.push((*kept, decode_text(html.get(value.0..value.1)?)));
        }
    }
}

/// The text of the element whose content starts at `from`, up to its end
/// tag `name` (tags stripped, references decoded, white space collapsed),
/// reading at most `max` bytes: the end tag is only looked for that far,
/// so an element that is never closed costs `max`, not the rest of the page.
fn element_text(html: &str, from: usize, name: &str, max: usize, meter: &mut Meter<'_>) -> String {
    let mut end = from.saturating_add(max).min(html.len());
    while end > from && !html.is_char_boundary(end) {
        end -= 1;
    }
    let window = html.as_bytes().get(..end).unwrap_or_default();
    let (close, _) = find_end_tag(window, from, name.as_bytes());
    meter.add((close.min(end) - from) as u64);
    let inner = html.get(from..close.min(end)).unwrap_or_default();
    let mut text = String::with_capacity(inner.len());
    let mut in_tag = false;
    for c in inner.chars() {
        match c {
            '<' => {
                in_tag = true;
                text.push(' ');
            }
            '>' if in_tag => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    collapse(&decode_text(&text))
}

/// Where the end tag `</name` after `from` starts, and the index after its
/// `>`; the end of input for both when there is none.
fn find_end_tag(bytes: &[u8], from: usize, name: &[u8]) -> (usize, usize) {
    let mut at = from;
    while let Some(lt) = find_str(bytes, at, b"</") {
        if bytes
            .get(lt + 2..lt + 2 + name.len())
            .is_some_and(|c| c.eq_ignore_ascii_case(name))
        {
            let gt = find_byte(bytes, lt, b'>').map_or(bytes.len(), |i| i + 1);
            return (lt, gt);
        }
        at = lt + 2;
    }
    (bytes.len(), bytes.len())
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<!doctype html><html lang="de-DE"><head>
<title>Fallback title | Site</title>
<meta property="og:title" content="Rat beschließt Haushalt &amp; Sparplan">
<meta property="og:site_name" content="Beispiel Zeitung">
<meta property="article:published_time" content="2024-03-05T09:30:00+01:00">
<link rel="canonical" href="https://example.org/rat-haushalt">
<script type="application/ld+json">
{"@context":"https://schema.org","@graph":[
 {"@type":"WebSite","name":"Beispiel"},
 {"@type":"NewsArticle","headline":"LD headline","datePublished":"2024-03-05T08:00:00Z",
  "author":[{"@type":"Person","name":"Anna Muster"},{"@type":"Person","name":"Ben Beispiel"}],
  "publisher":{"@type":"Organization","name":"Beispiel Verlag"}}]}
</script>
</head><body><h1>Der <b>Rat</b> beschließt</h1><time datetime="2020-01-01">alt</time></body></html>"#;

    #[test]
    fn reads_every_field_from_the_best_source() {
        let m = read_metadata(PAGE, 1000);
        assert_eq!(
            m.title.as_deref(),
            Some("Rat beschließt Haushalt & Sparplan")
        );
        assert_eq!(m.authors, ["Anna Muster", "Ben Beispiel"]);
        // JSON-LD datePublished wins over article:published_time and <time>.
        assert_eq!(
            m.published_at.map(|t| t.to_rfc3339()),
            Some("2024-03-05T08:00:00+00:00".to_string())
        );
        assert_eq!(m.language.as_deref(), Some("de-DE"));
        assert_eq!(
            m.canonical_url.as_deref(),
            Some("https://example.org/rat-haushalt")
        );
        assert_eq!(m.site_name.as_deref(), Some("Beispiel Zeitung"));
    }

    #[test]
    fn falls_back_in_order() {
        let html = "<html><head><title> Only  title </title>\
                    <meta name=author content='By Jane Roe'>\
                    <meta property='og:url' content='https://x.test/a'></head>\
                    <body><h1>Heading <i>one</i></h1><p>x</p>\
                    <time datetime='2023-07-01T12:00:00+02:00'>1 July</time></body></html>";
        let m = read_metadata(html, 1000);
        assert_eq!(m.title.as_deref(), Some("Heading one"));
        assert_eq!(m.authors, ["Jane Roe"]);
        assert_eq!(
            m.published_at.map(|t| t.to_rfc3339()),
            Some("2023-07-01T10:00:00+00:00".to_string())
        );
        assert_eq!(m.canonical_url.as_deref(), Some("https://x.test/a"));
        assert_eq!(m.language, None);
        let m = read_metadata("<title>T</title><p>no h1</p>", 1000);
        assert_eq!(m.title.as_deref(), Some("T"));
    }

    #[test]
    fn a_time_element_without_datetime_gives_its_text() {
        let m = read_metadata(
            "<html><body><p class=date><time>4 December 2007, 23:57 GMT</time></p></body></html>",
            1000,
        );
        assert_eq!(m.published_at, None);
        assert_eq!(m.time_text.as_deref(), Some("4 December 2007, 23:57 GMT"));
        let m = read_metadata("<time datetime='2023-07-01'>1 July</time>", 1000);
        assert_eq!(m.time_text, None, "the attribute is the date");
    }

    #[test]
    fn date_formats() {
        let utc = |s: &str| parse_date(s).map(|t| t.to_rfc3339());
        assert_eq!(utc("2024-01-02"), Some("2024-01-02T00:00:00+00:00".into()));
        assert_eq!(
            utc("2024-01-02T03:04:05.123+0100"),
            Some("2024-01-02T02:04:05.123+00:00".into())
        );
        assert_eq!(
            utc("2024-01-02 03:04:05"),
            Some("2024-01-02T03:04:05+00:00".into())
        );
        assert_eq!(
            utc("Tue, 02 Jan 2024 03:04:05 GMT"),
            Some("2024-01-02T03:04:05+00:00".into())
        );
        assert_eq!(utc("yesterday"), None);
        assert_eq!(utc(""), None);
        assert_eq!(utc("2024-13-45"), None);
    }

    #[test]
    fn rel_author_and_meta_author_url_is_ignored() {
        let html = "<meta property='article:author' content='https://fb.com/x'>\
                    <p>By <a rel='author' href='/a'>Max <b>Mustermann</b></a></p>";
        assert_eq!(read_metadata(html, 100).authors, ["Max Mustermann"]);
    }

    #[test]
    fn malformed_input_never_panics() {
        for html in [
            "",
            "<",
            "<meta content='x",
            "<script type=application/ld+json>{\"@type\":",
            "<script type=application/ld+json>[[[[[[[[[[]]]]]]]]]]</script>",
            "<h1>never closed",
            "<title>",
            "<html lang>",
            "<a rel=author>",
            "<!--",
        ] {
            let _ = read_metadata(html, 100);
        }
        let deep = format!(
            "<script type=application/ld+json>{}{}</script>",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        // serde_json refuses nesting past 128 levels: no stack overflow.
        assert_eq!(read_metadata(&deep, 100), PageMetadata::default());
    }

    #[test]
    fn an_unclosed_heading_or_author_link_is_read_a_bounded_way() {
        let html = format!("<h1>Title{}", " word".repeat(1000));
        let title = read_metadata(&html, 100).title.unwrap_or_default();
        assert!(title.starts_with("Title word"), "{title}");
        assert!(title.len() <= MAX_H1_BYTES, "{}", title.len());
    }

    #[test]
    fn work_grows_linearly() {
        use crate::pipeline::html::scan::testing::{Shape, assert_linear, random_html};
        // Each unclosed <h1> or author link used to be read to the end of
        // the page: quadratic.
        let shapes: [Shape; 5] = [
            ("unclosed h1", |n| "<h1> ".repeat(n / 5)),
            ("unclosed author links", |n| {
                "<a rel=author> ".repeat(n / 15)
            }),
            ("attributes on one element", |n| {
                format!("<meta {}>", "a=\"x\" ".repeat(n / 6))
            }),
            ("metas", |n| {
                "<meta property='og:title' content='A title &amp; more'>".repeat(n / 55)
            }),
            ("random bytes", |n| random_html(n, 3)),
        ];
        for (what, shape) in shapes {
            let work = |n: usize| {
                let budget = crate::pipeline::Budget::unlimited();
                let mut meter = budget.meter();
                read_metadata_metered(&shape(n), usize::MAX, &mut meter);
                meter.steps()
            };
            assert_linear(what, work(40_000), work(320_000));
        }
    }
}
