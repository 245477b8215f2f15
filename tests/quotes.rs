//! The sample articles through the real server: every direct and mixed
//! quote with its speaker entity, no scare quotes, and spans that slice
//! the text. Expectations live in `tests/golden/seeds_quotes.tsv`.

mod common;

use common::*;
use newsenrich::api::v1;

fn slice(chars: &[char], span: Option<v1::TextSpan>) -> String {
    let s = span.expect("span is set");
    chars[s.start as usize..s.end as usize].iter().collect()
}

#[tokio::test]
async fn seed_direct_and_mixed_quotes_with_speakers() {
    let golden = include_str!("golden/seeds_quotes.tsv");
    for (prefix, expected, a) in golden_seed_records(golden, 5).await {
        let chars: Vec<char> = a.text.chars().collect();
        for q in &a.quotes {
            // Spans (code points by default) slice the text to what the
            // quote reports.
            assert_eq!(slice(&chars, q.span), q.text, "{prefix}: {q:?}");
            if q.speaker_span.is_some() {
                assert_eq!(slice(&chars, q.speaker_span), q.speaker, "{prefix}: {q:?}");
            }
            if q.cue_span.is_some() {
                assert_eq!(slice(&chars, q.cue_span), q.cue, "{prefix}: {q:?}");
            }
            if let Some(by) = &q.reported_by {
                assert_eq!(slice(&chars, by.span), by.text, "{prefix}: {q:?}");
            }
            assert!((0.0..=1.0).contains(&q.confidence), "{prefix}: {q:?}");
        }
        let quoted: Vec<&v1::Quote> = a
            .quotes
            .iter()
            .filter(|q| q.kind() != v1::QuoteKind::Indirect)
            .collect();
        for row in &expected {
            let (kind, entity, speaker, start) = (row[0], row[1], row[2], row[3]);
            let Some(q) = quoted.iter().find(|q| q.text.starts_with(start)) else {
                panic!("{prefix}: no quote {start:?} in {quoted:#?}");
            };
            assert_eq!(
                q.kind().as_str_name(),
                format!("QUOTE_KIND_{kind}"),
                "{prefix}: {start:?}"
            );
            if entity == "-" {
                assert!(q.speaker_entity_id.is_empty(), "{prefix}: {q:?}");
                assert_eq!(q.speaker, speaker, "{prefix}: {start:?}");
            } else {
                let e = a
                    .entities
                    .iter()
                    .find(|e| e.id == q.speaker_entity_id)
                    .unwrap_or_else(|| panic!("{prefix}: {start:?} has no speaker entity: {q:?}"));
                assert_eq!(e.name, entity, "{prefix}: {start:?}");
            }
        }
        // Nothing else: scare quotes are left out.
        assert_eq!(
            quoted.len(),
            expected.len(),
            "{prefix}: exactly the expected direct and mixed quotes: {:#?}",
            quoted.iter().map(|q| &q.text).collect::<Vec<_>>()
        );
    }
}
