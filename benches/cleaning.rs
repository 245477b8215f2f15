//! Throughput of plain-text cleaning on one core (criterion): Unicode
//! normalisation and paragraph splitting, then boilerplate classification
//! with metadata extraction, over the sample articles (or a synthetic
//! article when ../shared/seeds is absent). Language is given, as with a
//! request's hint: identification is measured in the pipeline benchmark.
//!
//! Run with `cargo bench --bench cleaning`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use newsenrich::pipeline::{cleaning, normalize};

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
        let para = "MINSK, Dec 19 (Reuters) – Russian President Vladimir Putin said on Monday that \u{201c}both countries\u{201d} would deepen ties.\nRead also: another story\n";
        texts.push(para.repeat(25));
    }
    texts
}

fn bench(c: &mut Criterion) {
    let texts = corpus();
    let bytes: usize = texts.iter().map(String::len).sum();
    let ctx = cleaning::Context {
        language: "en",
        title_hint: None,
        time_zone: chrono_tz::Tz::UTC,
        statistics: true,
    };
    let mut group = c.benchmark_group("cleaning");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("text", |b| {
        b.iter(|| {
            for t in &texts {
                let (clean, spans) = normalize::clean_text(black_box(t));
                let blocks: Vec<&str> = spans.iter().map(|s| &clean[s.range()]).collect();
                black_box(cleaning::classify(&blocks, &ctx));
            }
        })
    });
    group.bench_function("normalize_only", |b| {
        b.iter(|| {
            for t in &texts {
                black_box(normalize::clean_text(black_box(t)));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
