//! The sample articles through the real server: every temporal expression of
//! each clean body with its TIMEX3 type, value and mod, resolved against the
//! publication date of the seeds' README, and none from removed boilerplate.
//! Expectations live in `tests/golden/seeds_dates.tsv`.

mod common;

use common::*;
use newsenrich::api::v1;

fn type_name(t: i32) -> String {
    v1::TemporalType::try_from(t)
        .map(|k| {
            k.as_str_name()
                .trim_start_matches("TEMPORAL_TYPE_")
                .to_string()
        })
        .unwrap_or_default()
}

/// The publication date the seeds' README gives for the file with `prefix`.
fn published(prefix: &str) -> String {
    let readme = std::fs::read_to_string(seeds_dir().unwrap().join("README.md")).unwrap();
    let line = readme
        .lines()
        .find(|l| l.trim_start_matches('|').trim_start().starts_with(prefix))
        .unwrap_or_else(|| panic!("no README row for {prefix}"));
    let date = line
        .split('|')
        .map(str::trim)
        .find(|c| c.len() == 10 && c.as_bytes()[4] == b'-')
        .unwrap_or_else(|| panic!("no date in {line:?}"));
    date.to_string()
}

fn timestamp(date: &str) -> newsenrich::api::Timestamp {
    let d = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
    newsenrich::api::Timestamp {
        seconds: d.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp(),
        nanos: 0,
    }
}

/// Dates that only occur in removed boilerplate: seed, phrase, value.
const BOILERPLATE_DATES: &[(&str, &str, &str)] = &[
    ("000", "Reading Time: 2 minutes", "PT2M"),
    ("000", "Feb 25 (Reuters)", "2023-02-25"),
    ("001", "Kiev en 2023", "2023"),
    ("002", "June 2024", "2024-06"),
    ("003", "November 9 in Bishkek", "2022-11-09"),
];

#[tokio::test]
async fn seed_dates_with_their_values() {
    if seeds_dir().is_none() {
        return;
    }
    let golden = golden_rows(include_str!("golden/seeds_dates.tsv"), 5);
    assert_eq!(golden.len(), 5, "every seed has expectations");

    let ts = start(test_config()).await;
    let mut client = ts.client().await;
    for (prefix, expected) in golden {
        let text = seed(prefix).unwrap();
        let mut article = text_article(prefix, &text);
        article.published_at = Some(timestamp(&published(prefix)));
        let a = enrich(&mut client, article).await;
        let chars: Vec<char> = a.text.chars().collect();
        let found: Vec<Vec<String>> = a
            .dates
            .iter()
            .map(|d| {
                let m = if d.r#mod.is_empty() { "-" } else { &d.r#mod };
                vec![
                    d.text.clone(),
                    type_name(d.r#type),
                    d.value.clone(),
                    m.to_string(),
                ]
            })
            .collect();
        let expected: Vec<Vec<String>> = expected
            .iter()
            .map(|r| r.iter().map(|s| s.to_string()).collect())
            .collect();
        assert_eq!(found, expected, "{prefix}: the dates of the clean body");
        for d in &a.dates {
            // Offsets are code points by default and slice the text.
            let span = d.span.unwrap_or_default();
            let sliced: String = chars[span.start as usize..span.end as usize]
                .iter()
                .collect();
            assert_eq!(sliced, d.text, "{prefix}");
            // Calendar values carry their interval; durations and sets none.
            let calendar = d.value.starts_with(|c: char| c.is_ascii_digit());
            assert_eq!(d.start.is_some(), calendar, "{prefix}: {d:?}");
            assert_eq!(d.end.is_some(), calendar, "{prefix}: {d:?}");
            if let (Some(s), Some(e)) = (d.start, d.end) {
                assert!(s.seconds < e.seconds, "{prefix}: {d:?}");
            }
            // Relative expressions say so; written years do not.
            let relative = d.text.chars().any(char::is_alphabetic) && calendar;
            if relative {
                assert!(d.anchored, "{prefix}: {} is relative", d.text);
            }
            if d.text.chars().all(|c| c.is_ascii_digit()) {
                assert!(!d.anchored, "{prefix}: {} is absolute", d.text);
            }
        }
        // Dates written in boilerplate: the block was removed, and its
        // date is not in the record.
        for (p, phrase, value) in BOILERPLATE_DATES {
            if *p != prefix {
                continue;
            }
            assert!(
                a.removed.iter().any(|r| r.text.contains(phrase)),
                "{prefix}: {phrase:?} should be in a removed block"
            );
            assert!(
                a.dates.iter().all(|d| d.value != *value),
                "{prefix}: {value} from removed {phrase:?}"
            );
            // A dateline's date is metadata, resolved like any date.
            if let Some(d) = a
                .dateline
                .as_ref()
                .filter(|d| !d.date.is_empty() && phrase.starts_with(&d.date))
            {
                assert_eq!(
                    (
                        d.date_value.as_str(),
                        d.date_start.is_some(),
                        d.date_end.is_some()
                    ),
                    (*value, true, true),
                    "{prefix}: {d:?}"
                );
            }
        }
    }
}
#[tokio::test]
async fn dateline_date_is_found_when_the_text_is_kept() {
    let ts = start(test_config()).await;
    let mut client = ts.client().await;
    let mut article = text_article(
        "dl",
        "Feb 25 (Reuters) – Lukashenko said he would visit China on Tuesday.",
    );
    article.published_at = Some(timestamp("2023-02-25"));
    let request = v1::EnrichArticleRequest {
        article: Some(article),
        options: Some(v1::EnrichOptions {
            skip_cleaning: true,
            features: vec![v1::Feature::Dates as i32],
            ..Default::default()
        }),
    };
    let a = client
        .enrich_article(request)
        .await
        .unwrap()
        .into_inner()
        .article
        .unwrap();
    let values: Vec<(&str, &str)> = a
        .dates
        .iter()
        .map(|d| (d.text.as_str(), d.value.as_str()))
        .collect();
    assert_eq!(
        values,
        [("Feb 25", "2023-02-25"), ("Tuesday", "2023-02-28")]
    );
    assert!(a.entities.is_empty(), "only the dates feature ran");
}
