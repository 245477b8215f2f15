//! Throughput of the whole pipeline on one core (criterion).
//!
//! Inputs: the sample articles in `../shared/seeds` when present, else a
//! synthetic article of similar shape. Run with `cargo bench --bench pipeline`.

mod common;

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use newsenrich::pipeline::{
    ArticleInput, Budget, Content, EnrichOptions, Enricher, Pipeline, PipelineConfig,
};

fn article(text: &str) -> ArticleInput {
    ArticleInput {
        id: String::new(),
        url: None,
        title: None,
        content: Content::Text(text.to_string()),
        published_at: None,
        language: None,
        time_zone: chrono_tz::Tz::UTC,
    }
}

fn bench(c: &mut Criterion) {
    let pipeline = Pipeline::new(PipelineConfig::default()).expect("pipeline loads");
    let texts = common::seed_texts();
    let bytes: usize = texts.iter().map(String::len).sum();
    let articles: Vec<ArticleInput> = texts.iter().map(|t| article(t)).collect();
    let options = EnrichOptions::default();
    let mut group = c.benchmark_group("pipeline");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("enrich_corpus", |b| {
        b.iter(|| {
            for a in &articles {
                let e = pipeline
                    .enrich(black_box(a), &options, &Budget::unlimited())
                    .expect("enriches");
                black_box(e.simhash);
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
