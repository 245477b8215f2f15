//! Throughput of plain-text cleaning on one core (criterion): Unicode
//! normalisation and paragraph splitting, then boilerplate classification
//! with metadata extraction, over the sample articles (or a synthetic
//! article when ../shared/seeds is absent). Language is given, as with a
//! request's hint: identification is measured in the pipeline benchmark.
//!
//! `cleaning/text` runs with the learned block classifier embedded in the
//! build, `cleaning/text_rules_only` without it (the rules alone).
//!
//! `cleaning/repair_glued_words` measures the glued-word repair that runs
//! after cleaning on English articles.
//!
//! The `cleaning_hostile` group runs the same path over 500,000 lines of
//! "Hi." (2 MB), which used to be quadratic in the classifier.
//!
//! Run with `cargo bench --bench cleaning`.

mod common;

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use newsenrich::pipeline::{cleaning, normalize};

/// Normalises and classifies every text in `ctx`.
fn clean_all(texts: &[String], ctx: &cleaning::Context<'_>) {
    for t in texts {
        let (clean, spans) = normalize::clean_text(black_box(t));
        let blocks: Vec<&str> = spans.iter().map(|s| &clean[s.range()]).collect();
        black_box(cleaning::classify(&blocks, ctx));
    }
}

fn bench(c: &mut Criterion) {
    let texts = common::seed_texts();
    let bytes: usize = texts.iter().map(String::len).sum();
    let ctx = cleaning::Context {
        language: "en",
        title_hint: None,
        time_zone: chrono_tz::Tz::UTC,
        statistics: true,
        model: cleaning::scorer::embedded(),
    };
    let mut group = c.benchmark_group("cleaning");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("text", |b| b.iter(|| clean_all(&texts, &ctx)));
    // The same without the learned block classifier: the rules alone.
    let rules = cleaning::Context { model: None, ..ctx };
    group.bench_function("text_rules_only", |b| b.iter(|| clean_all(&texts, &rules)));
    group.bench_function("normalize_only", |b| {
        b.iter(|| {
            for t in &texts {
                black_box(normalize::clean_text(black_box(t)));
            }
        })
    });
    // The glued-word repair that follows cleaning for English articles
    // (tokens and the entity stage's splits over the clean text).
    let stage = newsenrich::pipeline::entities::EntityStage::load().expect("entity stage");
    let cleaned: Vec<(String, Vec<newsenrich::pipeline::Span>)> =
        texts.iter().map(|t| normalize::clean_text(t)).collect();
    group.bench_function("repair_glued_words", |b| {
        b.iter(|| {
            for (text, spans) in &cleaned {
                let doc = newsenrich::pipeline::Document::new(text.clone(), spans.clone());
                let budget = newsenrich::pipeline::Budget::unlimited();
                black_box(newsenrich::pipeline::repair::repair_glued_words(
                    &stage,
                    black_box(doc),
                    &mut budget.meter(),
                ));
            }
        })
    });
    group.finish();

    let hi = "Hi.\n".repeat(500_000);
    let mut group = c.benchmark_group("cleaning_hostile");
    group.throughput(Throughput::Bytes(hi.len() as u64));
    group.sample_size(10);
    group.bench_function("short_lines", |b| {
        b.iter(|| {
            let (clean, spans) = normalize::clean_text(black_box(&hi));
            let blocks: Vec<&str> = spans.iter().map(|s| &clean[s.range()]).collect();
            black_box(cleaning::classify(&blocks, &ctx));
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
