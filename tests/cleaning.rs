//! The sample articles through the real server: every boilerplate block the
//! issue lists is removed with its kind, titles, bylines and datelines
//! become metadata, and everything else stays. Expectations live in
//! `tests/golden/seeds_cleaning.tsv`.

mod common;

use common::*;
use newsenrich::api::v1;

#[tokio::test]
async fn seeds_come_out_clean_with_their_metadata() {
    if seeds_dir().is_none() {
        return;
    }
    let golden = include_str!("golden/seeds_cleaning.tsv");
    let checks = golden_rows(golden, 3);
    assert_eq!(checks.len(), 5, "every seed has expectations");

    let ts = start(test_config()).await;
    let mut client = ts.client().await;
    for (prefix, expectations) in checks {
        let text = seed(prefix).unwrap();
        let a = enrich(&mut client, text_article(prefix, &text)).await;
        let paragraphs = paragraph_texts(&a);
        let dateline = a.dateline.clone().unwrap_or_default();
        for row in expectations {
            let (check, value) = (row[0], row[1]);
            let ok = match check {
                "kept" => paragraphs.iter().any(|p| p.starts_with(value)),
                "body-starts" => a.text.starts_with(value),
                "title" => a.title == value,
                "author" => a.authors.iter().any(|x| x == value),
                "dateline-location" => dateline.location == value,
                "dateline-source" => dateline.source == value,
                "dateline-date" => dateline.date == value,
                "published" => {
                    published_is(&a, value)
                        && a.published_at_source == v1::PublishedAtSource::ArticleContent as i32
                }
                removed if removed.starts_with("removed:") => {
                    removed_as(&a, &removed["removed:".len()..], value)
                }
                other => panic!("unknown check {other}"),
            };
            assert!(
                ok,
                "{prefix}: {check} {value:?} failed; removed: {:#?}; paragraphs: {paragraphs:#?}",
                a.removed
            );
        }
        // Nothing removed is still in the body (so no later stage can take
        // an entity, quote or date from it).
        assert_removed_not_in_body(prefix, &a);
        // Nothing is lost: every non-blank input line is in the body (as it
        // was before glued words were repaired) or removed.
        let unrepaired = undo_corrections(&a);
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let in_body = unrepaired.contains(line)
                || unrepaired
                    .split("\n\n")
                    .any(|p| !p.is_empty() && line.ends_with(p));
            let removed = a.removed.iter().any(|r| line.starts_with(r.text.as_str()));
            assert!(in_body || removed, "{prefix}: line lost: {line:?}");
        }
    }
}

/// The body text with every correction undone (code-point offsets).
fn undo_corrections(a: &v1::EnrichedArticle) -> String {
    let chars: Vec<char> = a.text.chars().collect();
    let mut out = String::with_capacity(a.text.len());
    let mut at = 0;
    for c in &a.corrections {
        let span = c.span.unwrap();
        out.extend(&chars[at..span.start as usize]);
        out.push_str(&c.original);
        at = span.end as usize;
    }
    out.extend(&chars[at..]);
    out
}

#[tokio::test]
async fn the_requests_publication_date_wins_over_the_printed_one() {
    let Some(text) = seed("000_") else { return };
    let ts = start(test_config()).await;
    let mut article = text_article("000", &text);
    article.published_at = Some(newsenrich::api::Timestamp {
        seconds: 1_677_300_000,
        nanos: 0,
    });
    let a = enrich(&mut ts.client().await, article).await;
    assert_eq!(a.published_at.unwrap().seconds, 1_677_300_000);
    assert_eq!(a.published_at_source, v1::PublishedAtSource::Request as i32);
}
