//! Throughput of HTML main-content extraction on one core (criterion), in
//! bytes of HTML per second: [`extract_page`] alone, and the whole HTML
//! cleaning path of the pipeline (extraction, prose recovery, the cue and
//! metadata passes, no analyses), which is what the service runs per page.
//!
//! Inputs: every 10th page of the trafilatura evaluation set in
//! `../shared/data/trafilatura-eval` when present (99 pages, about 14 MB),
//! else a synthetic article page. Run with `cargo bench --bench html`.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use newsenrich::eval::cleaning::load_pages;
use newsenrich::pipeline::html::{HtmlLimits, decode::decode_html, extract_page};
use newsenrich::pipeline::{
    ArticleInput, Budget, Content, EnrichOptions, Enricher, Features, Pipeline, PipelineConfig,
};

fn corpus() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/trafilatura-eval");
    let pages: Vec<String> = load_pages(&dir)
        .map(|pages| {
            pages
                .iter()
                .step_by(10)
                .filter_map(|p| std::fs::read(&p.path).ok())
                .map(|bytes| decode_html(&bytes))
                .collect()
        })
        .unwrap_or_default();
    if !pages.is_empty() {
        return pages;
    }
    eprintln!("{} is absent: benchmarking a synthetic page", dir.display());
    let para = "<p>The city council on Tuesday approved a budget that cuts spending on \
                roads and raises funding for schools, after a long debate.</p>\n";
    let nav = "<li><a href=\"/section\">Section</a></li>".repeat(40);
    vec![format!(
        "<html><head><title>T</title></head><body><nav><ul>{nav}</ul></nav>\
         <article><h1>Headline</h1>{}</article><footer>Footer</footer></body></html>",
        para.repeat(30)
    )]
}

fn bench(c: &mut Criterion) {
    let pages = corpus();
    let bytes: usize = pages.iter().map(String::len).sum();
    let limits = HtmlLimits::default();
    let mut group = c.benchmark_group("html");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(10);
    group.bench_function("extract_page", |b| {
        b.iter(|| {
            for page in &pages {
                black_box(extract_page(black_box(page), &limits, &Budget::unlimited()));
            }
        })
    });
    let pipeline = Pipeline::new(PipelineConfig::default()).expect("pipeline loads");
    let articles: Vec<ArticleInput> = pages
        .iter()
        .enumerate()
        .map(|(i, html)| ArticleInput {
            id: i.to_string(),
            url: None,
            title: None,
            content: Content::Html(html.clone()),
            published_at: None,
            language: None,
            time_zone: chrono_tz::Tz::UTC,
        })
        .collect();
    let options = EnrichOptions {
        features: Features::none(),
        ..EnrichOptions::default()
    };
    group.bench_function("clean_html", |b| {
        b.iter(|| {
            for article in &articles {
                let enriched = pipeline
                    .enrich(black_box(article), &options, &Budget::unlimited())
                    .expect("enriches");
                black_box(enriched.simhash);
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
