//! Throughput of the temporal-expression stage on one core (criterion), in
//! bytes of clean body text per second: tokens, patterns at candidate
//! tokens, tense and resolution against the publication date.
//!
//! Inputs: the body texts of the sample articles in `../shared/seeds`
//! (cleaned by the pipeline first), else a synthetic article. Run with
//! `cargo bench --bench dates`.

mod common;

use std::hint::black_box;

use chrono::TimeZone;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use newsenrich::pipeline::dates;
use newsenrich::pipeline::{
    ArticleInput, Budget, Content, EnrichOptions, Enricher, Features, Pipeline, PipelineConfig,
};

fn bench(c: &mut Criterion) {
    let pipeline = Pipeline::new(PipelineConfig::default()).expect("pipeline loads");
    let options = EnrichOptions {
        features: Features::none(),
        ..EnrichOptions::default()
    };
    let bodies: Vec<String> = common::seed_texts()
        .into_iter()
        .map(|text| {
            let article = ArticleInput {
                id: "bench".into(),
                url: None,
                title: None,
                content: Content::Text(text),
                published_at: None,
                language: None,
                time_zone: chrono_tz::Tz::UTC,
            };
            pipeline
                .enrich(&article, &options, &Budget::unlimited())
                .expect("enriches")
                .document
                .text()
                .to_owned()
        })
        .collect();
    let bytes: usize = bodies.iter().map(String::len).sum();
    let published = chrono::Utc.with_ymd_and_hms(2022, 12, 19, 9, 0, 0).unwrap();
    let mut group = c.benchmark_group("dates");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("tag", |b| {
        b.iter(|| {
            for body in &bodies {
                black_box(dates::tag(
                    black_box(body),
                    Some(published),
                    chrono_tz::Tz::Europe__Madrid,
                ));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
