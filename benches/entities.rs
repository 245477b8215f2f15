//! Throughput of the entity stage on one core (criterion), in bytes of
//! clean body text per second: tokenisation, glued-token splitting, the
//! two tagger passes, merging, roles and salience.
//!
//! Inputs: the body texts of the sample articles in `../shared/seeds`
//! (cleaned by the pipeline first), else a synthetic article. Run with
//! `cargo bench --bench entities`.

mod common;

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use newsenrich::pipeline::entities::EntityStage;

fn bench(c: &mut Criterion) {
    let bodies = common::seed_bodies();
    let bytes: usize = bodies.iter().map(String::len).sum();
    let stage = EntityStage::load().expect("the model is embedded");
    let mut group = c.benchmark_group("entities");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("recognize", |b| {
        b.iter(|| {
            for body in &bodies {
                black_box(stage.recognize(black_box(body)));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
