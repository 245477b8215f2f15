//! Throughput of the whole pipeline on one core (criterion).
//!
//! Inputs: the sample articles in `../shared/seeds` when present, else a
//! synthetic article of similar shape. Run with `cargo bench --bench pipeline`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use newsenrich::pipeline::{
    ArticleInput, Budget, Content, EnrichOptions, Enricher, Pipeline, PipelineConfig,
};

fn corpus() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seeds");
    let mut texts: Vec<String> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "txt"))
                .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                .collect()
        })
        .unwrap_or_default();
    if texts.is_empty() {
        let para = "MINSK, Dec 19 (Reuters) – Russian President Vladimir Putin said on Monday that \u{201c}both countries\u{201d} would deepen ties.\n";
        texts.push(para.repeat(25));
    }
    texts
}

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
    let texts = corpus();
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
