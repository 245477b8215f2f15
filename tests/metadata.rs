//! Issue 16's examples through the real server: credit lines, widget labels
//! of older portals, bylines told apart from accessibility labels, dates
//! from "Last Updated" lines, hover cards, and glued words repaired in the
//! stored text with their corrections. The fixtures are written for these
//! tests (`tests/golden/pages/`), the expectations are in
//! `tests/golden/issue16_pages.tsv`.

mod common;

use common::*;
use newsenrich::api::v1;

fn fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/pages")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn article(name: &str) -> v1::Article {
    let content = fixture(name);
    if name.ends_with(".html") {
        v1::Article {
            id: name.to_string(),
            content: Some(v1::article::Content::Html(content)),
            ..Default::default()
        }
    } else {
        text_article(name, &content)
    }
}

/// `span` of `text` in code points (the default offset encoding).
fn slice(text: &str, span: &v1::TextSpan) -> String {
    text.chars()
        .skip(span.start as usize)
        .take((span.end - span.start) as usize)
        .collect()
}

#[tokio::test]
async fn fixtures_come_out_with_their_metadata_and_without_boilerplate() {
    let golden = include_str!("golden/issue16_pages.tsv");
    let checks = golden_rows(golden, 3);
    assert_eq!(checks.len(), 5, "every fixture has expectations");
    let ts = start(test_config()).await;
    let mut client = ts.client().await;
    for (name, rows) in checks {
        let a = enrich(&mut client, article(name)).await;
        for row in rows {
            let (check, value) = (row[0], row[1]);
            let ok = match check {
                "gone" => !a.text.contains(value),
                "in-body" => a.text.contains(value),
                "author" => a.authors.iter().any(|x| x == value),
                "no-author" => !a.authors.iter().any(|x| x == value),
                "published" => published_is(&a, value),
                "corrected" => {
                    let (original, repaired) = value.split_once('=').unwrap();
                    a.corrections.iter().any(|c| {
                        c.original == original
                            && c.kind == v1::CorrectionKind::GluedWords as i32
                            && c.span
                                .as_ref()
                                .is_some_and(|s| slice(&a.text, s) == repaired)
                    })
                }
                "no-entity" => !a
                    .entities
                    .iter()
                    .any(|e| e.name == value || e.mentions.iter().any(|m| m.text.contains(value))),
                removed if removed.starts_with("removed:") => {
                    removed_as(&a, &removed["removed:".len()..], value)
                }
                other => panic!("unknown check {other}"),
            };
            assert!(
                ok,
                "{name}: {check} {value:?} failed; authors {:?}; removed: {:#?}; text: {}",
                a.authors, a.removed, a.text
            );
        }
        // Nothing removed is still in the body.
        assert_removed_not_in_body(name, &a);
        // Every span is on the stored (repaired) text.
        for e in &a.entities {
            for m in &e.mentions {
                assert_eq!(slice(&a.text, m.span.as_ref().unwrap()), m.text, "{name}");
            }
        }
        for q in &a.quotes {
            assert_eq!(slice(&a.text, q.span.as_ref().unwrap()), q.text, "{name}");
        }
        for d in &a.dates {
            assert_eq!(slice(&a.text, d.span.as_ref().unwrap()), d.text, "{name}");
        }
    }
}

#[tokio::test]
async fn glued_words_are_the_callers_with_skip_cleaning() {
    let ts = start(test_config()).await;
    let mut client = ts.client().await;
    let text = fixture("glued_words.txt");
    let options = v1::EnrichOptions {
        skip_cleaning: true,
        ..Default::default()
    };
    let reply = enrich_with(&mut client, text_article("g", &text), Some(options)).await;
    assert_eq!(reply.text, text);
    assert!(reply.corrections.is_empty(), "{:?}", reply.corrections);
}

#[tokio::test]
async fn corrections_use_the_requested_offset_encoding() {
    let ts = start(test_config()).await;
    let mut client = ts.client().await;
    // A character outside the BMP before the glued word makes the three
    // encodings differ.
    let text = "Helen Brask met the envoy 😀 in Vesterhamn on Monday, and the talks went on for hours. Braskand her aides said nothing after the meeting ended late that night.";
    for (encoding, expect) in [
        (v1::OffsetEncoding::Utf8, text.find("Braskand").unwrap()),
        (
            v1::OffsetEncoding::Utf16,
            text[..text.find("Braskand").unwrap()]
                .encode_utf16()
                .count(),
        ),
        (
            v1::OffsetEncoding::CodePoints,
            text[..text.find("Braskand").unwrap()].chars().count(),
        ),
    ] {
        let article = v1::Article {
            language: "en".to_string(),
            ..text_article("e", text)
        };
        let options = v1::EnrichOptions {
            offset_encoding: encoding as i32,
            ..Default::default()
        };
        let reply = enrich_with(&mut client, article, Some(options)).await;
        assert!(reply.text.contains("Brask and her aides"), "{}", reply.text);
        let c = &reply.corrections[0];
        assert_eq!(c.original, "Braskand");
        let span = c.span.as_ref().unwrap();
        assert_eq!(span.start as usize, expect, "{encoding:?}");
        assert_eq!(
            (span.end - span.start) as usize,
            "Brask and".len(),
            "{encoding:?}"
        );
    }
}
