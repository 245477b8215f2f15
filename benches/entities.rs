//! Speed of the entity stage on one core (criterion):
//!
//! - `entities/recognize`: the whole stage over clean body text, in bytes
//!   per second: tokenisation, glued-token splitting, the two tagger passes,
//!   merging, roles and salience. Inputs: the body texts of the sample
//!   articles in `../shared/seeds` (cleaned by the pipeline first), else a
//!   synthetic article.
//! - `entities/tag`: the tagger alone (both passes, features included), in
//!   tokens per second, over the documents of CoNLL-2003 `eng.testa` when
//!   `../shared/data/conll2003` is present, else the seed bodies' tokens.
//! - `entities/load`: parsing the embedded model, gazetteers, word
//!   clusters and place table, what the server does once at start.
//!
//! Run with `cargo bench --bench entities`.

mod common;

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use newsenrich::pipeline::entities::brown::{self, BrownClusters};
use newsenrich::pipeline::entities::clusters::{self, Lexicon, WordClusters};
use newsenrich::pipeline::entities::gazetteer::{self, Gazetteers};
use newsenrich::pipeline::entities::places::{self, PlaceTable};
use newsenrich::pipeline::entities::tagger::{self, NerModel};
use newsenrich::pipeline::entities::{EntityStage, tokens};

/// Documents as sentences of words: eng.testa when present, else the
/// seed bodies tokenised by the entity stage's tokeniser.
fn tagger_documents(bodies: &[String]) -> Vec<Vec<Vec<String>>> {
    let testa =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/conll2003/eng.testa");
    if let Ok(docs) = newsenrich::eval::conll::read(&testa) {
        return docs
            .into_iter()
            .map(|d| d.sentences.into_iter().map(|s| s.words).collect())
            .collect();
    }
    bodies
        .iter()
        .map(|body| {
            let (tokens, sentences) = tokens::tokenize(body);
            sentences
                .iter()
                .map(|s| {
                    tokens[s.first..s.end]
                        .iter()
                        .map(|t| t.text(body).to_owned())
                        .collect()
                })
                .collect()
        })
        .collect()
}

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

    let docs = tagger_documents(&bodies);
    let token_count: usize = docs.iter().flatten().map(Vec::len).sum();
    let model = NerModel::embedded().expect("the model is embedded");
    let gazetteers = Gazetteers::embedded();
    group.throughput(Throughput::Elements(token_count as u64));
    group.bench_function("tag", |b| {
        b.iter(|| {
            for doc in &docs {
                let sentences: Vec<&[String]> = doc.iter().map(Vec::as_slice).collect();
                black_box(model.tag_document(gazetteers, black_box(&sentences)));
            }
        })
    });

    group.throughput(Throughput::Elements(1));
    group.sample_size(10);
    group.bench_function("load", |b| {
        b.iter(|| {
            let model = NerModel::from_bytes(black_box(tagger::EMBEDDED)).expect("model");
            let gazetteers = Gazetteers::from_lists(black_box(gazetteer::EMBEDDED));
            let clusters = Lexicon::new(
                &WordClusters::parse(black_box(clusters::WORDS), clusters::ROWS),
                &BrownClusters::parse(black_box(brown::PATHS)),
            );
            let places =
                PlaceTable::parse(black_box(places::PLACES), places::NAMES, places::DEMONYMS);
            black_box((model, gazetteers, clusters, places))
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
