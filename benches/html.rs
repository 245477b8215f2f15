//! Throughput of HTML main-content extraction on one core (criterion), in
//! bytes of HTML per second: [`extract_page`] alone, and the whole HTML
//! cleaning path of the pipeline (extraction, prose recovery, the cue and
//! metadata passes, no analyses), which is what the service runs per page.
//!
//! Inputs: every 10th page of the trafilatura evaluation set in
//! `../shared/data/trafilatura-eval` when present (99 pages, about 14 MB),
//! else a synthetic article page. The `html_hostile` group runs the same
//! path over 2 MiB pages of the shapes that used to be superlinear (many
//! attributes on one element, random markup bytes, formatting elements left
//! open, a million tiny elements): their throughput should stay of the
//! order of the real pages'. Run with `cargo bench --bench html`.

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

    let mut group = c.benchmark_group("html_hostile");
    group.sample_size(10);
    for (name, html) in hostile_pages() {
        let article = ArticleInput {
            id: name.to_string(),
            url: None,
            title: None,
            content: Content::Html(html),
            published_at: None,
            language: None,
            time_zone: chrono_tz::Tz::UTC,
        };
        group.throughput(Throughput::Bytes(article.content.as_str().len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                let enriched = pipeline
                    .enrich(black_box(&article), &options, &Budget::unlimited())
                    .expect("enriches");
                black_box(enriched.simhash);
            })
        });
    }
    group.finish();
}

/// Pages of about 2 MiB (the service's default article limit) that were
/// superlinear before issue 13.
fn hostile_pages() -> Vec<(&'static str, String)> {
    const SIZE: usize = 2 * 1024 * 1024 - 1024;
    let fill = |head: &str, unit: &str| {
        let mut page = head.to_string();
        while page.len() + unit.len() <= SIZE {
            page.push_str(unit);
        }
        page
    };
    let attributes: String = (0..180_000).map(|i| format!(" a{i}=\"x\"")).collect();
    // Markup-heavy random bytes: a fixed xorshift generator.
    let alphabet = [
        "<", "<", ">", "=", "\"", "'", "&", "/", " ", "a", "p", "div", "é",
    ];
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut random = String::with_capacity(SIZE);
    while random.len() < SIZE - 4 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        random.push_str(alphabet[(state % alphabet.len() as u64) as usize]);
    }
    let open_bold: String = (0..240).map(|i| format!("<b id={i}>")).collect();
    vec![
        (
            "attributes",
            format!("<html><body><p{attributes}>hello world</p></body></html>"),
        ),
        ("random_markup", random),
        (
            "open_formatting",
            fill(&format!("<html><body><p>{open_bold}</p>"), "<p>x</p>"),
        ),
        ("tiny_elements", fill("<html><body>", "<p>x</p>")),
    ]
}

criterion_group!(benches, bench);
criterion_main!(benches);
