//! The response-size limit (`--max-response-bytes`): every reply message the
//! server sends fits in it, so clients at their default receive limit
//! (4 MiB for grpc-go, grpc-java, grpcio, tonic, buf curl and grpcurl) can
//! read every reply.
//!
//! A record over the limit is trimmed, in this order, each step only if the
//! record still does not fit after the one before:
//!
//! 1. the `text` of every entity mention (its span still locates it in
//!    `EnrichedArticle.text`);
//! 2. the `text` of every quote and every temporal expression (likewise);
//! 3. the `paragraphs` list, when it is exactly the text split at blank
//!    lines (`"\n\n"`, true of every cleaned text), so a reader rebuilds
//!    it from `text`;
//! 4. removed boilerplate blocks, the last first, then corrections, the
//!    last first;
//! 5. entity mentions past the first 10 of each entity, then past the first;
//! 6. quotes, the lowest confidence first;
//! 7. temporal expressions, the last first;
//! 8. entities, the lowest salience first (no quote is left by then, so no
//!    speaker link can point at a dropped one).
//!
//! Steps 1 to 3 lose nothing a reader cannot rebuild; steps 4, 6, 7 and 8
//! stop as soon as the record fits. A trimmed record
//! carries one `RESPONSE_TRIMMED` warning (stage `response`) saying what
//! was cut. If the record does not fit even with all of that gone (the body
//! text and paragraphs alone are too large), the article fails with
//! [`Error::ResponseTooLarge`] (RESOURCE_EXHAUSTED).
//!
//! A batch reply must fit as a whole: records are kept in request order
//! while they fit, with room kept for the results after them; an article
//! whose record no longer fits gets a RESOURCE_EXHAUSTED `ArticleError`
//! instead (send it alone or in a smaller batch). If even the errors cannot
//! fit, the call fails with RESOURCE_EXHAUSTED.
//!
//! Cost: each step recomputes the record's encoded length once (linear in
//! the number of its items), and dropping items one by one uses their
//! exact encoded sizes, so trimming is O(n log n) in the items (sorting by
//! confidence or salience) and never re-encodes per item.

use prost::Message;
use prost::encoding::{encoded_len_varint, message};

use crate::api::v1;
use crate::error::Error;

/// Smallest accepted `--max-response-bytes`.
pub const MIN_RESPONSE_BYTES: usize = 4096;

/// Mentions kept per entity by the first mention-trimming step.
pub const MENTIONS_KEPT: usize = 10;

/// Room kept for the RESPONSE_TRIMMED warning while trimming; its message
/// is always shorter (see the test `the_warning_fits_its_reserve`).
const WARNING_RESERVE: usize = 768;

/// The largest record (its encoded length) that fits in a reply of `limit`
/// bytes in every method: the batch result wraps a record twice (the
/// result in the response, the record in the result), each with a one-byte
/// key and a length.
pub fn record_budget(limit: usize) -> usize {
    let length_prefix = encoded_len_varint(limit as u64);
    limit.saturating_sub(2 * (1 + length_prefix))
}

/// What trimming removed, for the warning.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Trimmed {
    /// Mentions whose text was cleared.
    pub mention_texts: usize,
    /// Quotes whose text was cleared.
    pub quote_texts: usize,
    /// Temporal expressions whose text was cleared.
    pub date_texts: usize,
    /// Paragraph spans dropped (rebuilt by splitting the text at blank
    /// lines).
    pub paragraphs: usize,
    /// Removed blocks dropped.
    pub removed_blocks: usize,
    /// Corrections dropped.
    pub corrections: usize,
    /// Mentions dropped past the first [`MENTIONS_KEPT`] of their entity.
    pub mentions_past_kept: usize,
    /// Mentions dropped past the first of their entity.
    pub mentions_past_first: usize,
    /// Quotes dropped.
    pub quotes: usize,
    /// Temporal expressions dropped.
    pub dates: usize,
    /// Entities dropped.
    pub entities: usize,
}

impl Trimmed {
    /// The warning's message.
    pub fn message(&self, limit: usize) -> String {
        let mut cleared = Vec::new();
        let mut dropped = Vec::new();
        let say = |list: &mut Vec<String>, n: usize, what: &str| {
            if n > 0 {
                list.push(format!("{n} {what}"));
            }
        };
        say(&mut cleared, self.mention_texts, "mentions");
        say(&mut cleared, self.quote_texts, "quotes");
        say(&mut cleared, self.date_texts, "dates");
        say(
            &mut dropped,
            self.paragraphs,
            "paragraph spans (split the text at blank lines to rebuild them)",
        );
        say(
            &mut dropped,
            self.removed_blocks,
            "removed blocks (last first)",
        );
        say(&mut dropped, self.corrections, "corrections (last first)");
        say(
            &mut dropped,
            self.mentions_past_kept,
            &format!("mentions past the first {MENTIONS_KEPT} of their entity"),
        );
        say(
            &mut dropped,
            self.mentions_past_first,
            "mentions past the first of their entity",
        );
        say(
            &mut dropped,
            self.quotes,
            "quotes (lowest confidence first)",
        );
        say(&mut dropped, self.dates, "dates (last first)");
        say(
            &mut dropped,
            self.entities,
            "entities (lowest salience first)",
        );
        let mut m =
            format!("the record was trimmed to fit the maximum response size of {limit} bytes");
        if !cleared.is_empty() {
            m.push_str(": cleared the text of ");
            m.push_str(&cleared.join(", "));
            m.push_str(" (their spans locate it)");
        }
        if !dropped.is_empty() {
            m.push_str(if cleared.is_empty() {
                ": dropped "
            } else {
                "; dropped "
            });
            m.push_str(&dropped.join(", "));
        }
        m
    }
}

/// Makes `record` fit in a reply of `limit` bytes (see the module
/// documentation for the order), adding a RESPONSE_TRIMMED warning when
/// anything was cut. Returns what was cut, or [`Error::ResponseTooLarge`].
///
/// `paragraphs` is asked only when the record is over the limit (it looks
/// at the whole text).
pub fn fit_record(
    record: &mut v1::EnrichedArticle,
    limit: usize,
    paragraphs: impl FnOnce() -> Paragraphs,
) -> Result<Trimmed, Error> {
    fit_record_counted(record, limit, paragraphs, &mut 0)
}

/// Whether a record's paragraph spans can be rebuilt from its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paragraphs {
    /// They are the text split at `"\n\n"`
    /// ([`crate::pipeline::Document::paragraphs_are_blank_line_split`]):
    /// trimming may drop them.
    BlankLineSplit,
    /// They carry information of their own: kept.
    Own,
}

/// [`fit_record`], counting in `passes` how many times the whole record's
/// size was computed (each pass is linear in the record's items; their
/// number is bounded whatever the record's size).
fn fit_record_counted(
    record: &mut v1::EnrichedArticle,
    limit: usize,
    paragraphs: impl FnOnce() -> Paragraphs,
    passes: &mut usize,
) -> Result<Trimmed, Error> {
    let mut measure = |r: &v1::EnrichedArticle| {
        *passes += 1;
        r.encoded_len()
    };
    let budget = record_budget(limit);
    let mut size = measure(record);
    let mut t = Trimmed::default();
    if size <= budget {
        return Ok(t);
    }
    let target = budget.saturating_sub(WARNING_RESERVE);

    // 1-2: texts that the spans make redundant.
    if size > target {
        for m in record
            .entities
            .iter_mut()
            .flat_map(|e| e.mentions.iter_mut())
        {
            t.mention_texts += usize::from(!m.text.is_empty());
            m.text = String::new();
        }
        size = measure(record);
    }
    if size > target {
        for q in &mut record.quotes {
            t.quote_texts += usize::from(!q.text.is_empty());
            q.text = String::new();
        }
        for d in &mut record.dates {
            t.date_texts += usize::from(!d.text.is_empty());
            d.text = String::new();
        }
        size = measure(record);
    }
    // 3: paragraph spans that the text makes redundant.
    if size > target && paragraphs() == Paragraphs::BlankLineSplit {
        t.paragraphs = record.paragraphs.len();
        record.paragraphs = Vec::new();
        size = measure(record);
    }
    // 4: boilerplate, the last first.
    if size > target {
        let order: Vec<usize> = (0..record.removed.len()).rev().collect();
        (size, t.removed_blocks) = drop_items(&mut record.removed, 10, &order, size, target);
    }
    // 4b: corrections of the text, the last first.
    if size > target {
        let order: Vec<usize> = (0..record.corrections.len()).rev().collect();
        (size, t.corrections) = drop_items(&mut record.corrections, 20, &order, size, target);
    }
    // 5: mentions past the first few, then past the first.
    for (keep, count) in [
        (MENTIONS_KEPT, &mut t.mentions_past_kept),
        (1, &mut t.mentions_past_first),
    ] {
        if size > target {
            for e in &mut record.entities {
                *count += e.mentions.len().saturating_sub(keep);
                e.mentions.truncate(keep);
            }
            size = measure(record);
        }
    }
    // 6: quotes, the lowest confidence first (the later one first on ties).
    if size > target {
        let mut order: Vec<usize> = (0..record.quotes.len()).collect();
        order.sort_by(|&a, &b| {
            let (qa, qb) = (&record.quotes[a], &record.quotes[b]);
            qa.confidence.total_cmp(&qb.confidence).then(b.cmp(&a))
        });
        (size, t.quotes) = drop_items(&mut record.quotes, 12, &order, size, target);
    }
    // 7: dates, the last first.
    if size > target {
        let order: Vec<usize> = (0..record.dates.len()).rev().collect();
        (size, t.dates) = drop_items(&mut record.dates, 13, &order, size, target);
    }
    // 8: entities, the lowest salience first. Every quote is gone by now,
    // so no speaker link can point at a dropped entity.
    if size > target {
        debug_assert!(record.quotes.is_empty());
        let mut order: Vec<usize> = (0..record.entities.len()).collect();
        order.sort_by(|&a, &b| {
            let (ea, eb) = (&record.entities[a], &record.entities[b]);
            ea.salience.total_cmp(&eb.salience).then(b.cmp(&a))
        });
        (size, t.entities) = drop_items(&mut record.entities, 11, &order, size, target);
    }
    if size > target {
        return Err(Error::ResponseTooLarge { bytes: size, limit });
    }
    record.warnings.push(v1::Warning {
        code: v1::WarningCode::ResponseTrimmed as i32,
        stage: "response".to_string(),
        message: t.message(limit),
    });
    debug_assert!(record.encoded_len() <= budget);
    Ok(t)
}

/// Drops items of the repeated field `tag` of a record, in `order`, until
/// the record's encoded size falls to `target`; returns the new size and
/// how many were dropped. Each item's share of the record is exact: its
/// key, its length and its body.
fn drop_items<M: Message>(
    items: &mut Vec<M>,
    tag: u32,
    order: &[usize],
    mut size: usize,
    target: usize,
) -> (usize, usize) {
    let mut gone = vec![false; items.len()];
    let mut dropped = 0;
    for &i in order {
        if size <= target {
            break;
        }
        size -= message::encoded_len(tag, &items[i]);
        gone[i] = true;
        dropped += 1;
    }
    if dropped > 0 {
        let mut i = 0;
        items.retain(|_| {
            i += 1;
            !gone[i - 1]
        });
    }
    (size, dropped)
}

/// Makes a batch reply fit in `limit` bytes: in request order, a record is
/// kept if it fits with room left for the smallest form (an error) of every
/// result after it; otherwise the article gets a RESOURCE_EXHAUSTED
/// `ArticleError`. Fails with [`Error::ResponseTooLarge`] when even the
/// smallest forms of all results exceed the limit.
pub fn fit_batch(results: &mut [v1::BatchEnrichArticlesResult], limit: usize) -> Result<(), Error> {
    use v1::batch_enrich_articles_result::Result as R;
    let entry = |r: &v1::BatchEnrichArticlesResult| message::encoded_len(1, r);
    // Each result's size as it is, and in its smallest form.
    let mut full = Vec::with_capacity(results.len());
    let mut fallback: Vec<Option<v1::BatchEnrichArticlesResult>> =
        Vec::with_capacity(results.len());
    let mut smallest = Vec::with_capacity(results.len());
    for r in results.iter() {
        let size = entry(r);
        full.push(size);
        match &r.result {
            Some(R::Article(record)) => {
                let error = too_large_in_batch(&record.id, record.encoded_len(), limit);
                let error = v1::BatchEnrichArticlesResult {
                    result: Some(R::Error(error)),
                };
                smallest.push(entry(&error).min(size));
                fallback.push(Some(error));
            }
            _ => {
                smallest.push(size);
                fallback.push(None);
            }
        }
    }
    let total: usize = full.iter().sum();
    if total <= limit {
        return Ok(());
    }
    // rest[i]: the smallest size of the results from i on.
    let mut rest = vec![0usize; results.len() + 1];
    for i in (0..results.len()).rev() {
        rest[i] = rest[i + 1] + smallest[i];
    }
    if rest[0] > limit {
        return Err(Error::ResponseTooLarge {
            bytes: rest[0],
            limit,
        });
    }
    let mut used = 0;
    for (i, r) in results.iter_mut().enumerate() {
        if used + full[i] + rest[i + 1] <= limit {
            used += full[i];
        } else if let Some(error) = fallback[i].take() {
            *r = error;
            used += smallest[i];
        } else {
            used += full[i];
        }
    }
    debug_assert!(results.iter().map(entry).sum::<usize>() <= limit);
    Ok(())
}

/// The error of an article whose record does not fit in the rest of a
/// batch reply.
fn too_large_in_batch(id: &str, record_bytes: usize, limit: usize) -> v1::ArticleError {
    let err = Error::ResponseTooLarge {
        bytes: record_bytes,
        limit,
    };
    v1::ArticleError {
        message: format!(
            "its record ({record_bytes} bytes) does not fit in what is left of the batch reply, whose maximum size is {limit} bytes; send it alone or in a smaller batch"
        ),
        ..crate::api::convert::article_error(id, &err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(start: u32, end: u32) -> Option<v1::TextSpan> {
        Some(v1::TextSpan { start, end })
    }

    /// A record with `n` entities of `m` mentions each, `n` quotes, `n`
    /// dates and `n` removed blocks, every text `w` bytes long.
    fn record(n: usize, m: usize, w: usize) -> v1::EnrichedArticle {
        let word = "x".repeat(w);
        v1::EnrichedArticle {
            id: "a".into(),
            text: "body ".repeat(100),
            paragraphs: vec![v1::TextSpan { start: 0, end: 500 }],
            removed: (0..n)
                .map(|i| v1::RemovedBlock {
                    text: format!("{word}{i}"),
                    kind: 1,
                })
                .collect(),
            entities: (0..n)
                .map(|i| v1::Entity {
                    id: format!("e{i}"),
                    name: format!("Name {i}"),
                    salience: i as f32 / n as f32,
                    mentions: (0..m)
                        .map(|j| v1::Mention {
                            span: span(j as u32, j as u32 + 4),
                            text: word.clone(),
                        })
                        .collect(),
                    ..Default::default()
                })
                .collect(),
            quotes: (0..n)
                .map(|i| v1::Quote {
                    text: word.clone(),
                    span: span(0, 4),
                    confidence: ((i * 7) % n) as f32 / n as f32,
                    speaker_entity_id: format!("e{}", i % n),
                    ..Default::default()
                })
                .collect(),
            dates: (0..n)
                .map(|i| v1::TemporalExpression {
                    text: word.clone(),
                    span: span(i as u32, i as u32 + 2),
                    value: "2024-01-01".into(),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }
    }

    fn trimmed_warning(r: &v1::EnrichedArticle) -> Option<&v1::Warning> {
        r.warnings
            .iter()
            .find(|w| w.code == v1::WarningCode::ResponseTrimmed as i32)
    }

    #[test]
    fn a_record_that_fits_is_left_alone() {
        let mut r = record(20, 5, 10);
        let before = r.clone();
        let limit = r.encoded_len() + 12;
        let t = fit_record(&mut r, limit, || Paragraphs::Own).unwrap();
        assert_eq!(t, Trimmed::default());
        assert_eq!(r, before);
    }

    #[test]
    fn mention_texts_go_first_and_nothing_else_when_that_suffices() {
        let mut r = record(20, 50, 30);
        let mention_text: usize = 20 * 50 * 30;
        let limit = r.encoded_len() - mention_text / 2;
        let t = fit_record(&mut r, limit, || Paragraphs::Own).unwrap();
        assert_eq!(t.mention_texts, 1000);
        assert_eq!(
            Trimmed {
                mention_texts: 0,
                ..t.clone()
            },
            Trimmed::default(),
            "only mention texts: {t:?}"
        );
        assert!(r.entities.iter().all(|e| e.mentions.len() == 50));
        assert!(r.quotes.iter().all(|q| !q.text.is_empty()));
        assert!(r.encoded_len() <= record_budget(limit));
        let w = trimmed_warning(&r).expect("a RESPONSE_TRIMMED warning");
        assert_eq!(w.stage, "response");
        assert!(
            w.message.contains("cleared the text of 1000 mentions"),
            "{}",
            w.message
        );
    }

    #[test]
    fn the_order_is_texts_paragraphs_removed_blocks_mentions_quotes_dates_entities() {
        // Shrinking limits must cut strictly further along the documented
        // order; each later step only happens once the earlier ones are done.
        let full = record(40, 40, 40);
        let mut previous_stage = 0;
        let mut saw = [false; 10];
        let base = full.encoded_len();
        for k in 1..=200 {
            let limit = base * (200 - k) / 200;
            let mut r = full.clone();
            let Ok(t) = fit_record(&mut r, limit, || Paragraphs::BlankLineSplit) else {
                // Past step 8 only the body is left: it must be over the limit.
                let mut bare = full.clone();
                bare.entities.clear();
                bare.quotes.clear();
                bare.dates.clear();
                bare.removed.clear();
                bare.paragraphs.clear();
                assert!(bare.encoded_len() + WARNING_RESERVE > record_budget(limit));
                continue;
            };
            assert!(r.encoded_len() <= record_budget(limit), "limit {limit}");
            let stages = [
                t.mention_texts > 0,
                t.quote_texts + t.date_texts > 0,
                t.paragraphs > 0,
                t.removed_blocks > 0,
                t.mentions_past_kept > 0,
                t.mentions_past_first > 0,
                t.quotes > 0,
                t.dates > 0,
                t.entities > 0,
            ];
            let last = stages.iter().rposition(|&s| s).map_or(0, |p| p + 1);
            // Every step before the last one taken was taken in full.
            for (i, &s) in stages.iter().enumerate().take(last.saturating_sub(1)) {
                assert!(s, "step {} skipped before step {last}: {t:?}", i + 1);
            }
            if last >= 5 {
                assert_eq!(t.removed_blocks, 40, "all removed blocks before mentions");
            }
            if last >= 8 {
                assert_eq!(t.quotes, 40, "all quotes before dates");
            }
            assert!(last >= previous_stage, "a smaller limit never cuts less");
            previous_stage = last;
            saw[last] = true;
        }
        assert!(
            saw[1] && saw[2] && saw[4] && saw[7] && saw[9],
            "every step reached: {saw:?}"
        );
    }

    #[test]
    fn quotes_go_by_lowest_confidence_and_entities_by_lowest_salience() {
        // Nothing to clear or cut before the quotes; room for about half.
        let mut r = record(100, 1, 0);
        r.removed.clear();
        r.dates.clear();
        let quotes: usize = r.quotes.iter().map(|q| message::encoded_len(12, q)).sum();
        let limit = r.encoded_len() - quotes / 2 + 2 * 12 + WARNING_RESERVE;
        let before = r.quotes.clone();
        let t = fit_record(&mut r, limit, || Paragraphs::Own).unwrap();
        assert!(t.quotes > 0 && t.quotes < 100, "{t:?}");
        let min_kept = r
            .quotes
            .iter()
            .map(|q| q.confidence)
            .fold(f32::MAX, f32::min);
        let dropped: Vec<_> = before.iter().filter(|q| !r.quotes.contains(q)).collect();
        // Texts were cleared first; compare by confidence.
        assert!(
            before.iter().filter(|q| q.confidence < min_kept).count() == dropped.len(),
            "every dropped quote had a lower confidence than every kept one"
        );
        assert_eq!(t.entities, 0);

        // Entities go last, after every quote (so no speaker link dangles).
        let mut r = record(40, 1, 40);
        let t = fit_record(&mut r, 2000, || Paragraphs::Own).unwrap();
        assert!(t.entities > 0 && t.entities < 40, "{t:?}");
        assert!(r.quotes.is_empty() && r.dates.is_empty() && r.removed.is_empty());
        let min_kept = r
            .entities
            .iter()
            .map(|e| e.salience)
            .fold(f32::MAX, f32::min);
        assert_eq!(r.entities.len(), 40 - t.entities);
        assert!(
            (min_kept - t.entities as f32 / 40.0).abs() < 1e-6,
            "the lowest saliences went first"
        );
        assert!(r.encoded_len() <= record_budget(2000));
    }

    #[test]
    fn paragraph_spans_go_only_when_the_text_rebuilds_them() {
        // 100,000 one-word paragraphs: the spans outweigh the text.
        let n = 100_000;
        let mut r = record(0, 0, 0);
        r.text = vec!["Hi."; n].join("\n\n");
        r.paragraphs = (0..n as u32)
            .map(|i| v1::TextSpan {
                start: 5 * i,
                end: 5 * i + 3,
            })
            .collect();
        let limit = r.text.len() + 64 * 1024;
        let mut own = r.clone();
        assert!(matches!(
            fit_record(&mut own, limit, || Paragraphs::Own),
            Err(Error::ResponseTooLarge { .. })
        ));
        let t = fit_record(&mut r, limit, || Paragraphs::BlankLineSplit).unwrap();
        assert_eq!(t.paragraphs, n);
        assert!(r.paragraphs.is_empty());
        let w = trimmed_warning(&r).expect("a RESPONSE_TRIMMED warning");
        assert!(
            w.message.contains("100000 paragraph spans"),
            "{}",
            w.message
        );
    }

    #[test]
    fn a_body_too_large_for_the_limit_is_resource_exhausted() {
        let mut r = record(0, 0, 0);
        r.text = "y".repeat(10_000);
        let err = fit_record(&mut r, 4096, || Paragraphs::BlankLineSplit).unwrap_err();
        assert!(
            matches!(err, Error::ResponseTooLarge { limit: 4096, .. }),
            "{err}"
        );
        assert_eq!(
            crate::api::convert::grpc_code(&err),
            tonic::Code::ResourceExhausted
        );
    }

    #[test]
    fn the_warning_fits_its_reserve() {
        let t = Trimmed {
            mention_texts: usize::MAX,
            quote_texts: usize::MAX,
            date_texts: usize::MAX,
            paragraphs: usize::MAX,
            removed_blocks: usize::MAX,
            corrections: usize::MAX,
            mentions_past_kept: usize::MAX,
            mentions_past_first: usize::MAX,
            quotes: usize::MAX,
            dates: usize::MAX,
            entities: usize::MAX,
        };
        let w = v1::Warning {
            code: v1::WarningCode::ResponseTrimmed as i32,
            stage: "response".into(),
            message: t.message(usize::MAX),
        };
        assert!(
            message::encoded_len(18, &w) <= WARNING_RESERVE,
            "{}",
            w.message.len()
        );
    }

    #[test]
    fn trimming_cost_grows_linearly() {
        // Work is counted, not timed: each size pass is linear in the
        // record's items, dropping uses per-item sizes, and the number of
        // passes is the same for n and 8n items, whatever has to go.
        for cut in [2, 4, 50] {
            let small = record(10, 20, 20);
            let large = record(80, 20, 20);
            let (mut s, mut l) = (small.clone(), large.clone());
            let (mut ps, mut pl) = (0, 0);
            let ts = fit_record_counted(
                &mut s,
                small.encoded_len() / cut,
                || Paragraphs::Own,
                &mut ps,
            );
            let tl = fit_record_counted(
                &mut l,
                large.encoded_len() / cut,
                || Paragraphs::Own,
                &mut pl,
            );
            assert!(ps <= 5 && pl <= 5, "passes {ps} / {pl} for 1/{cut}");
            if let (Ok(ts), Ok(tl)) = (ts, tl) {
                assert_eq!(tl.mention_texts, 8 * ts.mention_texts);
                assert!(l.encoded_len() <= record_budget(large.encoded_len() / cut));
            }
        }
    }

    fn batch_of(records: Vec<v1::EnrichedArticle>) -> Vec<v1::BatchEnrichArticlesResult> {
        use v1::batch_enrich_articles_result::Result as R;
        records
            .into_iter()
            .map(|r| v1::BatchEnrichArticlesResult {
                result: Some(R::Article(r)),
            })
            .collect()
    }

    fn is_error(r: &v1::BatchEnrichArticlesResult) -> bool {
        matches!(
            r.result,
            Some(v1::batch_enrich_articles_result::Result::Error(_))
        )
    }

    #[test]
    fn a_batch_keeps_records_in_order_while_they_fit() {
        let one = record(10, 10, 20);
        let size = message::encoded_len(1, &batch_of(vec![one.clone()])[0]);
        let mut batch = batch_of(vec![one.clone(); 5]);
        let limit = 3 * size + 1000;
        fit_batch(&mut batch, limit).unwrap();
        let kinds: Vec<bool> = batch.iter().map(is_error).collect();
        assert_eq!(kinds, [false, false, false, true, true]);
        let reply = v1::BatchEnrichArticlesResponse { results: batch };
        assert!(reply.encoded_len() <= limit);
        let Some(v1::batch_enrich_articles_result::Result::Error(e)) = &reply.results[3].result
        else {
            unreachable!()
        };
        assert_eq!(e.code, tonic::Code::ResourceExhausted as i32);
        assert!(e.message.contains("smaller batch"), "{}", e.message);
    }

    #[test]
    fn a_batch_that_fits_is_untouched_and_one_that_cannot_fails() {
        let mut batch = batch_of(vec![record(2, 2, 2); 3]);
        let before = batch.clone();
        fit_batch(&mut batch, 1 << 20).unwrap();
        assert_eq!(batch, before);
        let mut many = batch_of(vec![record(2, 2, 2); 100]);
        let err = fit_batch(&mut many, MIN_RESPONSE_BYTES).unwrap_err();
        assert_eq!(
            crate::api::convert::grpc_code(&err),
            tonic::Code::ResourceExhausted
        );
    }
}
