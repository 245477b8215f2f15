//! The documented caps on every list of an enriched record, and the pass
//! that enforces them. The caps bound a record's size whatever the input:
//! with the article size limit they make every reply's size linear in its
//! article, with a constant no worse than these numbers. Each cap that is
//! hit adds a [`WarningCode::ListCapped`] warning naming the list.

use super::Enriched;
use super::warning::{Warning, WarningCode};

/// Most entities in a record; past it the least salient are dropped.
pub const MAX_ENTITIES: usize = 1_000;
/// Most mentions listed per entity; the first ones in text order are kept.
pub const MAX_MENTIONS_PER_ENTITY: usize = 200;
/// Most aliases and most roles listed per entity.
pub const MAX_ALIASES_PER_ENTITY: usize = 32;
/// Most quotations in a record; the first ones in text order are kept.
pub const MAX_QUOTES: usize = 1_000;
/// Most characters of one quotation's text (its span still covers it all).
pub const MAX_QUOTE_CHARS: usize = 2_000;
/// Most temporal expressions in a record; the first ones are kept.
pub const MAX_DATES: usize = 2_000;
/// Most removed blocks listed; the first ones in document order are kept.
pub const MAX_REMOVED_BLOCKS: usize = 1_000;
/// Most characters of one removed block's text.
pub const MAX_REMOVED_BLOCK_CHARS: usize = 2_000;
/// Most corrections listed (glued words repaired); the first ones in text
/// order are kept (the text is repaired all the same). A correction's
/// original text is one glued word, at most 64 bytes.
pub const MAX_CORRECTIONS: usize = 1_000;
/// Most authors listed.
pub const MAX_AUTHORS: usize = 32;
/// Most warnings in a record (the caps' own warnings included).
pub const MAX_WARNINGS: usize = 64;

/// Enforces every cap on `record`, warning about each one hit. Runs last,
/// so speaker links are cleared for entities the cap dropped.
pub fn enforce(record: &mut Enriched) {
    let mut warnings = Vec::new();
    let capped = |warnings: &mut Vec<Warning>, list: &str, cap: usize, had: usize| {
        warnings.push(Warning::new(
            WarningCode::ListCapped,
            "limits",
            format!("{list}: {had} found, the first {cap} kept"),
        ));
    };

    if record.entities.len() > MAX_ENTITIES {
        let had = record.entities.len();
        // Keep the most salient, in their order of first mention.
        let mut order: Vec<usize> = (0..had).collect();
        order.sort_by(|&a, &b| {
            record.entities[b]
                .salience
                .total_cmp(&record.entities[a].salience)
                .then(a.cmp(&b))
        });
        let mut keep = vec![false; had];
        for &i in &order[..MAX_ENTITIES] {
            keep[i] = true;
        }
        let mut i = 0;
        record.entities.retain(|_| {
            i += 1;
            keep[i - 1]
        });
        warnings.push(Warning::new(
            WarningCode::ListCapped,
            "limits",
            format!("entities: {had} found, the {MAX_ENTITIES} most salient kept"),
        ));
    }
    let mut mentions_cut = 0usize;
    let mut names_cut = 0usize;
    for entity in &mut record.entities {
        if entity.mentions.len() > MAX_MENTIONS_PER_ENTITY {
            mentions_cut += 1;
            entity.mentions.truncate(MAX_MENTIONS_PER_ENTITY);
        }
        if entity.aliases.len() > MAX_ALIASES_PER_ENTITY
            || entity.roles.len() > MAX_ALIASES_PER_ENTITY
        {
            names_cut += 1;
            entity.aliases.truncate(MAX_ALIASES_PER_ENTITY);
            entity.roles.truncate(MAX_ALIASES_PER_ENTITY);
        }
    }
    if mentions_cut > 0 {
        warnings.push(Warning::new(
            WarningCode::ListCapped,
            "limits",
            format!(
                "entities[].mentions: {mentions_cut} entities had more than {MAX_MENTIONS_PER_ENTITY} mentions; the first {MAX_MENTIONS_PER_ENTITY} of each kept"
            ),
        ));
    }
    if names_cut > 0 {
        capped(
            &mut warnings,
            "entities[].aliases and roles",
            MAX_ALIASES_PER_ENTITY,
            names_cut,
        );
    }

    cap_list(&mut record.quotes, "quotes", MAX_QUOTES, &mut warnings);
    let mut long_quotes = 0;
    for quote in &mut record.quotes {
        if truncate_chars(&mut quote.text, MAX_QUOTE_CHARS) {
            long_quotes += 1;
        }
    }
    if long_quotes > 0 {
        capped(
            &mut warnings,
            "quotes[].text (characters)",
            MAX_QUOTE_CHARS,
            long_quotes,
        );
    }
    cap_list(&mut record.dates, "dates", MAX_DATES, &mut warnings);
    cap_list(
        &mut record.removed,
        "removed",
        MAX_REMOVED_BLOCKS,
        &mut warnings,
    );
    let mut long_removed = 0;
    for block in &mut record.removed {
        if truncate_chars(&mut block.text, MAX_REMOVED_BLOCK_CHARS) {
            long_removed += 1;
        }
    }
    if long_removed > 0 {
        capped(
            &mut warnings,
            "removed[].text (characters)",
            MAX_REMOVED_BLOCK_CHARS,
            long_removed,
        );
    }
    cap_list(
        &mut record.corrections,
        "corrections",
        MAX_CORRECTIONS,
        &mut warnings,
    );
    cap_list(&mut record.authors, "authors", MAX_AUTHORS, &mut warnings);

    // A speaker link (and a reporting source's) always names an entity of
    // the record.
    let ids: rustc_hash::FxHashSet<&str> = record.entities.iter().map(|e| e.id.as_str()).collect();
    let dangling = |id: &Option<String>| id.as_deref().is_some_and(|id| !ids.contains(id));
    for quote in &mut record.quotes {
        if dangling(&quote.speaker_entity_id) {
            quote.speaker_entity_id = None;
        }
        if let Some(by) = &mut quote.reported_by
            && dangling(&by.entity_id)
        {
            by.entity_id = None;
        }
    }

    record.warnings.append(&mut warnings);
    if record.warnings.len() > MAX_WARNINGS {
        let had = record.warnings.len();
        record.warnings.truncate(MAX_WARNINGS - 1);
        record.warnings.push(Warning::new(
            WarningCode::ListCapped,
            "limits",
            format!(
                "warnings: {had} raised, the first {} kept",
                MAX_WARNINGS - 1
            ),
        ));
    }
}

/// Keeps the first `cap` items of `list`, warning when it had more.
fn cap_list<T>(list: &mut Vec<T>, name: &str, cap: usize, warnings: &mut Vec<Warning>) {
    if list.len() > cap {
        warnings.push(Warning::new(
            WarningCode::ListCapped,
            "limits",
            format!("{name}: {} found, the first {cap} kept", list.len()),
        ));
        list.truncate(cap);
    }
}

/// Cuts `s` to at most `max` characters (on a character boundary); `true`
/// when it was cut.
pub fn truncate_chars(s: &mut String, max: usize) -> bool {
    match s.char_indices().nth(max) {
        Some((at, _)) => {
            s.truncate(at);
            true
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::entities::{Entity, EntityType};
    use crate::pipeline::quotes::{Quote, QuoteKind};
    use crate::pipeline::{Document, OffsetEncoding, PublishedAtSource, Span};

    fn record() -> Enriched {
        Enriched {
            id: "a".into(),
            url: None,
            site_name: None,
            title: None,
            authors: Vec::new(),
            dateline: None,
            published_at: None,
            published_at_source: PublishedAtSource::Unknown,
            language: "en".into(),
            document: Document::new("x".repeat(10), vec![Span::new(0, 10)]),
            removed: Vec::new(),
            corrections: Vec::new(),
            entities: Vec::new(),
            dates: Vec::new(),
            quotes: Vec::new(),
            simhash: 0,
            warnings: Vec::new(),
            offset_encoding: OffsetEncoding::CodePoints,
            stage_timings: Vec::new(),
        }
    }

    fn entity(i: usize, salience: f32, mentions: usize) -> Entity {
        Entity {
            id: format!("e{i}"),
            kind: EntityType::Person,
            name: format!("P{i}"),
            aliases: Vec::new(),
            mentions: vec![Span::new(0, 1); mentions],
            roles: Vec::new(),
            salience,
            place: None,
        }
    }

    fn quote(speaker: Option<&str>) -> Quote {
        Quote {
            text: "q".into(),
            span: Span::new(0, 1),
            kind: QuoteKind::Direct,
            speaker: String::new(),
            speaker_span: None,
            speaker_entity_id: speaker.map(str::to_owned),
            cue: String::new(),
            cue_span: None,
            reported_by: None,
            confidence: 0.5,
            stance: false,
        }
    }

    fn codes(r: &Enriched) -> Vec<WarningCode> {
        r.warnings.iter().map(|w| w.code).collect()
    }

    #[test]
    fn a_record_within_every_cap_is_left_alone() {
        let mut r = record();
        r.entities = vec![entity(0, 1.0, 3)];
        r.quotes = vec![quote(Some("e0"))];
        enforce(&mut r);
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
        assert_eq!(r.entities[0].mentions.len(), 3);
        assert_eq!(r.quotes[0].speaker_entity_id.as_deref(), Some("e0"));
    }

    #[test]
    fn entities_over_the_cap_keep_the_most_salient_in_text_order() {
        let mut r = record();
        // Salience rises with the index: the last MAX_ENTITIES are kept.
        r.entities = (0..MAX_ENTITIES + 5)
            .map(|i| entity(i, i as f32 / 10_000.0, 1))
            .collect();
        // A quote by a dropped entity and one by a kept one, each
        // reported by the other.
        r.quotes = vec![quote(Some("e0")), quote(Some("e1004"))];
        let by = |id: &str| {
            Some(crate::pipeline::quotes::ReportedBy {
                text: "the Times".into(),
                span: crate::pipeline::Span { start: 0, end: 9 },
                entity_id: Some(id.into()),
            })
        };
        r.quotes[0].reported_by = by("e1004");
        r.quotes[1].reported_by = by("e0");
        enforce(&mut r);
        let reporter = |i: usize| {
            r.quotes[i]
                .reported_by
                .as_ref()
                .and_then(|b| b.entity_id.as_deref())
        };
        assert_eq!((reporter(0), reporter(1)), (Some("e1004"), None));
        assert_eq!(r.entities.len(), MAX_ENTITIES);
        assert_eq!(r.entities[0].id, "e5");
        assert_eq!(r.entities.last().unwrap().id, "e1004");
        assert_eq!(r.quotes[0].speaker_entity_id, None);
        assert_eq!(r.quotes[1].speaker_entity_id.as_deref(), Some("e1004"));
        assert_eq!(codes(&r), [WarningCode::ListCapped]);
        assert!(r.warnings[0].message.starts_with("entities:"));
    }

    #[test]
    fn every_list_cap_is_enforced_with_a_warning() {
        let mut r = record();
        r.entities = vec![entity(0, 1.0, MAX_MENTIONS_PER_ENTITY + 1)];
        r.quotes = vec![quote(None); MAX_QUOTES + 1];
        r.quotes[0].text = "é".repeat(MAX_QUOTE_CHARS + 1);
        r.removed = vec![
            crate::pipeline::RemovedBlock {
                text: "r".into(),
                kind: crate::pipeline::RemovedKind::Other,
            };
            MAX_REMOVED_BLOCKS + 1
        ];
        r.authors = vec!["A".into(); MAX_AUTHORS + 1];
        r.corrections = vec![
            crate::pipeline::repair::Correction {
                span: Span::new(0, 3),
                original: "ab".into(),
                kind: crate::pipeline::repair::CorrectionKind::GluedWords,
            };
            MAX_CORRECTIONS + 1
        ];
        enforce(&mut r);
        assert_eq!(r.corrections.len(), MAX_CORRECTIONS);
        assert_eq!(r.entities[0].mentions.len(), MAX_MENTIONS_PER_ENTITY);
        assert_eq!(r.quotes.len(), MAX_QUOTES);
        assert_eq!(r.quotes[0].text.chars().count(), MAX_QUOTE_CHARS);
        assert_eq!(r.removed.len(), MAX_REMOVED_BLOCKS);
        assert_eq!(r.authors.len(), MAX_AUTHORS);
        assert_eq!(r.warnings.len(), 6, "{:?}", r.warnings);
        assert!(codes(&r).iter().all(|&c| c == WarningCode::ListCapped));
    }

    #[test]
    fn warnings_themselves_are_capped() {
        let mut r = record();
        r.warnings = vec![Warning::new(WarningCode::InputLimit, "html", "w"); 500];
        enforce(&mut r);
        assert_eq!(r.warnings.len(), MAX_WARNINGS);
        assert_eq!(r.warnings.last().unwrap().code, WarningCode::ListCapped);
    }

    #[test]
    fn truncation_respects_character_boundaries() {
        let mut s = "aé€😀".to_string();
        assert!(truncate_chars(&mut s, 3));
        assert_eq!(s, "aé€");
        assert!(!truncate_chars(&mut s, 3));
    }
}
