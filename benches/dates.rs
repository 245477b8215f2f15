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

fn bench(c: &mut Criterion) {
    let bodies = common::seed_bodies();
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
