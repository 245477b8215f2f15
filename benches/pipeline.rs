//! Throughput of the whole pipeline on one core (criterion).
//!
//! Inputs: the sample articles in `../shared/seeds` when present, else a
//! synthetic article of similar shape. Run with `cargo bench --bench pipeline`.
//!
//! `long_article` is the linearity check of issue 13: the seeds concatenated
//! 120 times into one article of about 1.9 MB against the same bytes as 600
//! separate articles. With every stage linear the two throughputs are close
//! (the target is at most a factor of two).

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

fn long_article(c: &mut Criterion) {
    let pipeline = Pipeline::new(PipelineConfig {
        max_article_bytes: usize::MAX,
        ..PipelineConfig::default()
    })
    .expect("pipeline loads");
    let texts = common::seed_texts();
    let joined = texts.join("\n\n");
    let long = article(&vec![joined.as_str(); 120].join("\n\n"));
    let separate: Vec<ArticleInput> = (0..120)
        .flat_map(|_| texts.iter().map(|t| article(t)))
        .collect();
    let options = EnrichOptions::default();
    let mut group = c.benchmark_group("long_article");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(long.content.as_str().len() as u64));
    group.bench_function("one_article", |b| {
        b.iter(|| {
            let e = pipeline
                .enrich(black_box(&long), &options, &Budget::unlimited())
                .expect("enriches");
            black_box(e.simhash);
        })
    });
    group.bench_function("separate_articles", |b| {
        b.iter(|| {
            for a in &separate {
                let e = pipeline
                    .enrich(black_box(a), &options, &Budget::unlimited())
                    .expect("enriches");
                black_box(e.simhash);
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench, long_article);
criterion_main!(benches);
