//! Quote extraction against the entity stage it depends on, over the clean
//! bodies of the sample articles in `../shared/seeds` (cleaned by the
//! pipeline first): `quotes/entities` is the entity stage, `quotes/extract`
//! the quote stage given its entities. The target is quote extraction
//! adding at most 20% to the entity stage's time; the ratio is printed.

mod common;

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
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
    // The ratio, measured directly over many passes.
    let passes = 50;
    let t = Instant::now();
    for _ in 0..passes {
        for body in &bodies {
            black_box(stage.recognize(body));
        }
    }
    let ent = t.elapsed();
    let t = Instant::now();
    for _ in 0..passes {
        for (body, e) in bodies.iter().zip(&entities) {
            black_box(quotes::extract(body, e));
        }
    }
    let q = t.elapsed();
    println!(
        "quote stage / entity stage: {:.1}% ({:?} vs {:?} per pass)",
        100.0 * q.as_secs_f64() / ent.as_secs_f64(),
        q / passes,
        ent / passes
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
