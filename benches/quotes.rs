//! Quote extraction against the entity stage it depends on, over the clean
//! bodies of the sample articles in `../shared/seeds` (cleaned by the
//! pipeline first): `quotes/entities` is the entity stage, `quotes/extract`
//! the quote stage given its entities. The target (issue 15) is the quote
//! stage costing at most 30% of the entity stage's time; the ratio is
//! printed, from alternating passes (`--bench nomatch` runs that alone).
//!
//! `quotes_long` runs the quote stage on one long article, the bodies
//! concatenated (with a paragraph break) until about 2 MB, against the same
//! bodies as separate articles: with linear work the two throughputs are
//! about the same.

mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use newsenrich::pipeline::entities::EntityStage;
use newsenrich::pipeline::quotes;
fn bench(c: &mut Criterion) {
    let stage = EntityStage::load().expect("model is embedded");
    let bodies = common::seed_bodies();
    let entities: Vec<_> = bodies.iter().map(|b| stage.recognize(b)).collect();
    let mut group = c.benchmark_group("quotes");
    group.bench_function("entities", |b| {
        b.iter(|| {
            for body in &bodies {
                black_box(stage.recognize(black_box(body)));
            }
        })
    });
    group.bench_function("extract", |b| {
        b.iter(|| {
            for (body, e) in bodies.iter().zip(&entities) {
                black_box(quotes::extract(black_box(body), e));
            }
        })
    });
    group.finish();
    // The ratio, measured directly: passes of the two stages alternate,
    // so a slow stretch of a shared machine falls on both, and the
    // median and the fastest pass of each are compared (a mean would
    // follow the outliers a noisy VM gives).
    let passes = 100;
    let (mut ent, mut q) = (Vec::with_capacity(passes), Vec::with_capacity(passes));
    for _ in 0..passes {
        let t = Instant::now();
        for body in &bodies {
            black_box(stage.recognize(body));
        }
        ent.push(t.elapsed());
        let t = Instant::now();
        for (body, e) in bodies.iter().zip(&entities) {
            black_box(quotes::extract(body, e));
        }
        q.push(t.elapsed());
    }
    ent.sort();
    q.sort();
    let ratio = |a: Duration, b: Duration| 100.0 * a.as_secs_f64() / b.as_secs_f64();
    println!(
        "quote stage / entity stage: median {:.1}% ({:?} vs {:?} per pass), fastest {:.1}% ({:?} vs {:?})",
        ratio(q[passes / 2], ent[passes / 2]),
        q[passes / 2],
        ent[passes / 2],
        ratio(q[0], ent[0]),
        q[0],
        ent[0]
    );
}

fn bench_long(c: &mut Criterion) {
    let stage = EntityStage::load().expect("model is embedded");
    let bodies = common::seed_bodies();
    let one: String = bodies.join("\n");
    let copies = (2_000_000 / one.len().max(1)).max(1);
    let long = vec![one.as_str(); copies].join("\n");
    let long_entities = stage.recognize(&long);
    let entities: Vec<_> = bodies.iter().map(|b| stage.recognize(b)).collect();
    let mut group = c.benchmark_group("quotes_long");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(long.len() as u64));
    group.bench_function("one_article", |b| {
        b.iter(|| black_box(quotes::extract(black_box(&long), &long_entities)))
    });
    group.bench_function("separate_articles", |b| {
        b.iter(|| {
            for _ in 0..copies {
                for (body, e) in bodies.iter().zip(&entities) {
                    black_box(quotes::extract(black_box(body), e));
                }
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench, bench_long);
criterion_main!(benches);
