//! `newsenrich train ner`: trains the two-pass entity tagger on a
//! CoNLL-format corpus and writes the model file.
//!
//! 1. The lower-case word counts of the training text are collected (a
//!    feature of the tagger).
//! 2. The first pass is trained for up to `--epochs` epochs (greedy
//!    decoding, perceptron updates on every wrong token, sentences shuffled
//!    with a fixed seed); after each epoch the averaged weights are scored
//!    on the development file and the best epoch is kept.
//! 3. The second pass needs first-pass labels on its training documents
//!    that were not learnt from them: the training documents are split into
//!    `--folds` parts and each part is labelled by a first pass trained on
//!    the others (jackknifing), for the best epoch count of step 2.
//! 4. The second pass is trained like the first, with the document-level
//!    features added, and the best epoch on the development file is kept.
//!
//! Each pass is an ensemble of `--ensemble` perceptrons trained on
//! different shuffles and averaged into one table.
//!
//! Passes are trained, averaged and scored on the development file as dense
//! `f32` tables ([`Dense`]); only the model file gets them packed and
//! quantised to 16 bits.
//!
//! Training is deterministic: the same data and flags give the same model.

use std::path::PathBuf;

use crate::eval::EvalError;
use crate::eval::conll::{self, Doc};
use crate::eval::ner::{Score, evaluate};
use crate::pipeline::entities::features::{DocumentCasing, Extractor, LowerCounts};
use crate::pipeline::entities::gazetteer::Gazetteers;
use crate::pipeline::entities::labels::{
    Label, labels_from_spans, spans_from_iob, spans_from_labels,
};
use crate::pipeline::entities::model::{Dense, Trainer};
use crate::pipeline::entities::tagger::{
    NerModel, Training, decode_sentence, with_document_features,
};

/// Flags of `newsenrich train ner`.
#[derive(Debug, clap::Args)]
pub struct TrainNerArgs {
    /// Training corpus in CoNLL format (token first, entity tag last);
    /// repeat the flag to train on several files (`--cv` splits all of
    /// them into folds).
    #[arg(long, required = true)]
    pub train: Vec<PathBuf>,
    /// Development corpus, used to pick the number of epochs per pass.
    /// Without it each pass runs exactly `--epochs` epochs.
    #[arg(long)]
    pub dev: Option<PathBuf>,
    /// Extra training corpora (CoNLL-style, tag last): added to the
    /// training data of the model and of every cross-validation fold, never
    /// scored. A file without `-DOCSTART-` lines is cut into documents of
    /// `--extra-doc-sentences` sentences.
    #[arg(long)]
    pub extra: Vec<PathBuf>,
    /// How the extra corpora's entity types map to ours, as
    /// `theirs=OURS` pairs separated by commas (`per=PER,geo=LOC`); a type
    /// not listed becomes `O`. Empty: types are kept as written.
    #[arg(long, default_value = "")]
    pub extra_types: String,
    /// Sentences per document for extra corpora without document breaks.
    #[arg(long, default_value_t = 20)]
    pub extra_doc_sentences: usize,
    /// Instead of writing a model, score the recipe by document-level
    /// cross-validation on `--train`: K folds (document d in fold d mod K),
    /// each tagged by a model trained on the others for exactly `--epochs`
    /// epochs per pass (no development file is read), and the pooled
    /// conlleval scores printed.
    #[arg(long, value_name = "K", value_parser = clap::value_parser!(u16).range(2..=20))]
    pub cv: Option<u16>,
    /// Where to write the model.
    #[arg(long, default_value = "models/ner.bin")]
    pub out: PathBuf,
    /// Version string stored in the model and reported by GetServiceInfo.
    #[arg(long)]
    pub version: String,
    /// Most epochs per pass.
    #[arg(long, default_value_t = 15)]
    pub epochs: usize,
    /// Jackknife folds for the second pass's training labels.
    #[arg(long, default_value_t = 5)]
    pub folds: usize,
    /// Perceptrons trained per pass on different shuffles of the data and
    /// averaged into one.
    #[arg(long, default_value_t = 3)]
    pub ensemble: usize,
}

/// One training sentence: words, gold labels, static features.
struct Example {
    words: Vec<String>,
    gold: Vec<Label>,
    features: Vec<Vec<u64>>,
}

/// Documents as examples.
type Corpus = Vec<Vec<Example>>;

/// Log2 bucket of a count (1..=8).
fn bucket(count: u32) -> u8 {
    (32 - count.leading_zeros()).min(8) as u8
}

/// Lower-case word counts of the training text: words written in lower
/// case, by log2 bucket.
fn lower_counts(docs: &[Doc]) -> LowerCounts {
    let mut counts: rustc_hash::FxHashMap<&str, u32> = Default::default();
    for w in docs
        .iter()
        .flat_map(|d| &d.sentences)
        .flat_map(|s| &s.words)
    {
        if w.chars().any(char::is_alphabetic) && !w.chars().any(char::is_uppercase) {
            *counts.entry(w.as_str()).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .filter(|(_, c)| *c >= 2)
        .map(|(w, c)| (w.to_owned(), bucket(c)))
        .collect()
}

/// Builds the examples of `docs` with first-pass static features.
fn corpus(model: &NerModel<Dense>, gazetteers: &Gazetteers, docs: &[Doc]) -> Corpus {
    let mut extractor = Extractor::default();
    docs.iter()
        .map(|d| {
            let sentences: Vec<&[String]> =
                d.sentences.iter().map(|s| s.words.as_slice()).collect();
            let casing = DocumentCasing::new(&sentences);
            d.sentences
                .iter()
                .map(|s| Example {
                    words: s.words.clone(),
                    gold: labels_from_spans(s.words.len(), &spans_from_iob(&s.tags)),
                    features: model.sentence_features(
                        &mut extractor,
                        gazetteers,
                        &casing,
                        &s.words,
                    ),
                })
                .collect()
        })
        .collect()
}

/// A fixed-seed xorshift generator for shuffling.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub(crate) fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

/// One epoch of perceptron training over the examples in `order`.
fn epoch(
    trainer: &mut Trainer,
    extractor: &mut Extractor,
    examples: &[&Example],
    order: &[usize],
) -> usize {
    let mut mistakes = 0;
    for &k in order {
        let ex = examples[k];
        let mut training = Training {
            trainer: &mut *trainer,
            gold: &ex.gold,
            mistakes: 0,
        };
        decode_sentence(&mut training, extractor, &ex.words, &ex.features);
        mistakes += training.mistakes;
    }
    mistakes
}

/// Trains one pass for up to `epochs` epochs on `train`, keeping the
/// averaged weights that score best by `score_dev`; returns them with the
/// best epoch count. With `fixed`, trains exactly that many epochs.
fn train_pass(
    train: &[&Example],
    epochs: usize,
    ensemble: usize,
    mut score_dev: Option<&mut dyn FnMut(&Dense) -> f64>,
    log: &mut dyn FnMut(String),
) -> (Dense, usize) {
    let ensemble = ensemble.max(1);
    let mut members: Vec<(Trainer, Vec<usize>, Rng)> = (0..ensemble)
        .map(|k| {
            (
                Trainer::new(),
                (0..train.len()).collect(),
                Rng(0x9E37_79B9_7F4A_7C15 ^ (k as u64 + 1).wrapping_mul(0xD1B5_4A32_D192_ED03)),
            )
        })
        .collect();
    let mut extractor = Extractor::default();
    let mut best = (Dense::default(), 0usize, f64::NEG_INFINITY);
    let averaged = |members: &[(Trainer, Vec<usize>, Rng)]| {
        let tables: Vec<Dense> = members.iter().map(|(t, _, _)| t.averaged(1e-4)).collect();
        Dense::mean(&tables)
    };
    for e in 1..=epochs {
        let mut mistakes = 0;
        for (trainer, order, rng) in &mut members {
            rng.shuffle(order);
            mistakes += epoch(trainer, &mut extractor, train, order);
        }
        match score_dev.as_mut() {
            Some(score) => {
                let weights = averaged(&members);
                let f1 = score(&weights);
                log(format!(
                    "  epoch {e}: {mistakes} training mistakes, dev F1 {f1:.2}"
                ));
                if f1 > best.2 {
                    best = (weights, e, f1);
                }
            }
            None => log(format!("  epoch {e}: {mistakes} training mistakes")),
        }
    }
    if score_dev.is_none() {
        return (averaged(&members), epochs);
    }
    (best.0, best.1)
}

/// Reads every `--train` file, documents in order.
fn read_train(args: &TrainNerArgs) -> Result<Vec<Doc>, EvalError> {
    let mut docs = Vec::new();
    for path in &args.train {
        docs.extend(conll::read(path)?);
    }
    Ok(docs)
}

/// Parses `--extra-types` (`theirs=OURS,...`).
fn type_map(spec: &str) -> Result<Vec<(String, String)>, String> {
    spec.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (theirs, ours) = pair
                .split_once('=')
                .ok_or_else(|| format!("--extra-types: {pair:?} is not theirs=OURS"))?;
            if !matches!(ours, "PER" | "ORG" | "LOC" | "MISC" | "O") {
                return Err(format!(
                    "--extra-types: {ours:?} is not one of PER, ORG, LOC, MISC, O"
                ));
            }
            Ok((theirs.to_owned(), ours.to_owned()))
        })
        .collect()
}

/// `tag` with its type mapped by `map` (a type not listed becomes `O`;
/// an empty map keeps every tag).
fn map_tag(tag: &str, map: &[(String, String)]) -> String {
    let Some((prefix, kind)) = tag.split_once('-') else {
        return tag.to_owned();
    };
    if map.is_empty() {
        return tag.to_owned();
    }
    match map.iter().find(|(theirs, _)| theirs == kind) {
        Some((_, ours)) if ours != "O" => format!("{prefix}-{ours}"),
        _ => "O".to_owned(),
    }
}

/// Reads the `--extra` corpora with their types mapped, a file without
/// document breaks cut into documents of `--extra-doc-sentences`.
fn read_extra(args: &TrainNerArgs) -> Result<Vec<Doc>, EvalError> {
    let map = type_map(&args.extra_types).map_err(|problem| EvalError::Format {
        path: PathBuf::from("--extra-types"),
        problem,
    })?;
    let per_doc = args.extra_doc_sentences.max(1);
    let mut out = Vec::new();
    for path in &args.extra {
        let mut docs = conll::read(path)?;
        for s in docs.iter_mut().flat_map(|d| &mut d.sentences) {
            for tag in &mut s.tags {
                *tag = map_tag(tag, &map);
            }
        }
        if let [doc] = docs.as_mut_slice() {
            let sentences = std::mem::take(&mut doc.sentences);
            out.extend(sentences.chunks(per_doc).map(|c| Doc {
                sentences: c.to_vec(),
            }));
        } else {
            out.extend(docs);
        }
    }
    Ok(out)
}

/// Trains the model; `log` receives progress lines. With `--dev`, returns
/// its score on the development file too.
pub fn train(
    args: &TrainNerArgs,
    log: &mut dyn FnMut(String),
) -> Result<(NerModel<Dense>, Option<Score>), EvalError> {
    let mut train_docs = read_train(args)?;
    train_docs.extend(read_extra(args)?);
    let dev_docs = args.dev.as_deref().map(conll::read).transpose()?;
    let model = train_on(&train_docs, dev_docs.as_deref(), args, log);
    let score = dev_docs.map(|dev| evaluate(&model, Gazetteers::embedded(), &dev));
    Ok((model, score))
}

/// Document-level cross-validation of the training recipe on `docs`:
/// returns the pooled score and each fold's.
pub fn cross_validate(
    docs: &[Doc],
    extra: &[Doc],
    k: usize,
    args: &TrainNerArgs,
    log: &mut dyn FnMut(String),
) -> (Score, Vec<Score>) {
    use rayon::prelude::*;
    // Folds train in parallel; each fold's log lines are printed when it
    // ends, in fold order.
    let folds: Vec<(Score, Vec<String>)> = (0..k)
        .into_par_iter()
        .map(|fold| {
            let mut lines = Vec::new();
            let in_fold = |d: usize| d % k == fold;
            let pick = |held: bool| -> Vec<Doc> {
                docs.iter()
                    .enumerate()
                    .filter(|&(d, _)| in_fold(d) == held)
                    .map(|(_, doc)| doc.clone())
                    .collect()
            };
            let (mut rest, held) = (pick(false), pick(true));
            lines.push(format!(
                "cv fold {}/{k}: training on {} documents (+{} extra), scoring {}",
                fold + 1,
                rest.len(),
                extra.len(),
                held.len()
            ));
            rest.extend_from_slice(extra);
            let model = train_on(&rest, None, args, &mut |_| {});
            let score = evaluate(&model, Gazetteers::embedded(), &held);
            lines.push(format!(
                "cv fold {}/{k}: F1 {:.2}",
                fold + 1,
                score.overall.f1()
            ));
            (score, lines)
        })
        .collect();
    let mut pooled = Score::default();
    let mut per_fold = Vec::with_capacity(k);
    for (score, lines) in folds {
        lines.into_iter().for_each(&mut *log);
        pooled.merge(&score);
        per_fold.push(score);
    }
    (pooled, per_fold)
}

/// Trains on `train_docs`; with `dev_docs` each pass keeps its best epoch
/// on them, without it each pass runs exactly `--epochs` epochs.
fn train_on(
    train_docs: &[Doc],
    dev_docs: Option<&[Doc]>,
    args: &TrainNerArgs,
    log: &mut dyn FnMut(String),
) -> NerModel<Dense> {
    let gazetteers = Gazetteers::embedded();
    let mut model = NerModel {
        version: args.version.clone(),
        lower_counts: lower_counts(train_docs),
        ..NerModel::default()
    };
    log(format!(
        "{} training documents, {} development documents, {} lower-case words",
        train_docs.len(),
        dev_docs.map_or(0, <[Doc]>::len),
        model.lower_counts.len()
    ));
    let train = corpus(&model, gazetteers, train_docs);
    let all: Vec<&Example> = train.iter().flatten().collect();

    // First pass, epochs chosen on dev (second pass empty: score the first
    // pass alone by copying it into both slots).
    log("first pass".into());
    let mut dev_first = dev_docs.map(|dev| {
        let model = &model;
        move |w: &Dense| {
            let m = NerModel {
                first: w.clone(),
                second: Dense::default(),
                ..model.clone()
            };
            first_pass_score(&m, gazetteers, dev)
        }
    });
    let (first, first_epochs) = train_pass(
        &all,
        args.epochs,
        args.ensemble,
        dev_first
            .as_mut()
            .map(|f| f as &mut dyn FnMut(&Dense) -> f64),
        log,
    );
    model.first = first;
    log(format!("first pass: best after {first_epochs} epochs"));

    // Jackknifed first-pass labels for the second pass's training data.
    let folds = args.folds.max(2);
    let mut first_labels: Vec<Vec<Vec<Label>>> = vec![Vec::new(); train.len()];
    for fold in 0..folds {
        let rest: Vec<&Example> = train
            .iter()
            .enumerate()
            .filter(|(d, _)| d % folds != fold)
            .flat_map(|(_, doc)| doc)
            .collect();
        log(format!("fold {}/{folds}", fold + 1));
        let (weights, _) = train_pass(&rest, first_epochs, args.ensemble, None, &mut |_| {});
        let mut extractor = Extractor::default();
        for (d, doc) in train.iter().enumerate().filter(|(d, _)| d % folds == fold) {
            first_labels[d] = doc
                .iter()
                .map(|ex| decode_sentence(&mut &weights, &mut extractor, &ex.words, &ex.features))
                .collect();
        }
    }

    // Second pass.
    let mut extractor = Extractor::default();
    let second_train: Corpus = train
        .into_iter()
        .zip(&first_labels)
        .map(|(doc, labels)| {
            let sentences: Vec<&[String]> = doc.iter().map(|e| e.words.as_slice()).collect();
            let statics: Vec<Vec<Vec<u64>>> = doc.iter().map(|e| e.features.clone()).collect();
            let statics = with_document_features(&mut extractor, &sentences, statics, labels);
            doc.into_iter()
                .zip(statics)
                .map(|(e, features)| Example { features, ..e })
                .collect()
        })
        .collect();
    let all: Vec<&Example> = second_train.iter().flatten().collect();
    log("second pass".into());
    let mut dev_second = dev_docs.map(|dev| {
        let model = &model;
        move |w: &Dense| {
            let m = NerModel {
                second: w.clone(),
                ..model.clone()
            };
            evaluate(&m, gazetteers, dev).overall.f1()
        }
    });
    let (second, second_epochs) = train_pass(
        &all,
        args.epochs,
        args.ensemble,
        dev_second
            .as_mut()
            .map(|f| f as &mut dyn FnMut(&Dense) -> f64),
        log,
    );
    model.second = second;
    log(format!("second pass: best after {second_epochs} epochs"));
    model
}

/// F1 of the first pass alone on `docs`.
fn first_pass_score(model: &NerModel<Dense>, gazetteers: &Gazetteers, docs: &[Doc]) -> f64 {
    let mut score = Score::default();
    let mut extractor = Extractor::default();
    for doc in docs {
        let sentences: Vec<&[String]> = doc.sentences.iter().map(|s| s.words.as_slice()).collect();
        let (_, first) = model.first_pass(&mut extractor, gazetteers, &sentences);
        for (s, labels) in doc.sentences.iter().zip(&first) {
            score.add(&spans_from_labels(labels), &spans_from_iob(&s.tags));
        }
    }
    score.overall.f1()
}

/// Runs `newsenrich train ner`.
pub fn run_command(args: &TrainNerArgs, out: &mut dyn std::io::Write) -> Result<(), EvalError> {
    let io = |path: PathBuf| move |source| EvalError::Io { path, source };
    let mut log = |line: String| {
        let _ = writeln!(out, "{line}");
    };
    if let Some(k) = args.cv {
        let docs = read_train(args)?;
        let extra = read_extra(args)?;
        let (pooled, folds) = cross_validate(&docs, &extra, usize::from(k), args, &mut log);
        let f1s: Vec<String> = folds
            .iter()
            .map(|s| format!("{:.2}", s.overall.f1()))
            .collect();
        writeln!(
            out,
            "{k}-fold document-level cross-validation on {} ({} documents, {} epochs per pass, ensemble {}, jackknife folds {}); fold F1 {}; pooled:\n{}",
            args.train
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(" + "),
            docs.len(),
            args.epochs,
            args.ensemble,
            args.folds,
            f1s.join(" "),
            pooled.table()
        )
        .map_err(io(PathBuf::from("<stdout>")))?;
        return Ok(());
    }
    let (model, score) = train(args, &mut log)?;
    let bytes = model.pack().to_bytes();
    std::fs::write(&args.out, &bytes).map_err(io(args.out.clone()))?;
    writeln!(
        out,
        "wrote {} ({} bytes; {} + {} features)\n{}",
        args.out.display(),
        bytes.len(),
        model.first.len(),
        model.second.len(),
        score.map_or_else(
            || "no development file: each pass trained for exactly --epochs epochs".to_owned(),
            |s| s.table()
        )
    )
    .map_err(io(PathBuf::from("<stdout>")))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(epochs: usize) -> TrainNerArgs {
        TrainNerArgs {
            train: vec![PathBuf::from("<test>")],
            dev: None,
            extra: Vec::new(),
            extra_types: String::new(),
            extra_doc_sentences: 20,
            cv: Some(3),
            out: PathBuf::from("/dev/null"),
            version: "test".into(),
            epochs,
            folds: 2,
            ensemble: 1,
        }
    }

    /// Six small documents in which persons always follow "Mr." and places
    /// "in": learnable, so cross-validation must find most of them.
    fn corpus() -> Vec<Doc> {
        let names = ["Smith", "Jones", "Brown", "Taylor", "Wilson", "Evans"];
        let places = ["Paris", "Berlin", "Madrid", "Rome", "Vienna", "Oslo"];
        let mut text = String::new();
        for d in 0..6 {
            text.push_str("-DOCSTART- O\n\n");
            for s in 0..4 {
                let name = names[(d + s) % 6];
                let place = places[(d + 2 * s) % 6];
                text.push_str(&format!(
                    "Mr. O\n{name} I-PER\nspoke O\nin O\n{place} I-LOC\n. O\n\n"
                ));
            }
        }
        conll::parse(&text).expect("valid CoNLL")
    }

    #[test]
    fn cross_validation_scores_every_document_once_and_pools_the_folds() {
        let docs = corpus();
        let mut lines = Vec::new();
        let (pooled, folds) = cross_validate(&docs, &[], 3, &args(3), &mut |l| lines.push(l));
        assert_eq!(folds.len(), 3);
        // Every gold entity of the corpus is scored exactly once.
        assert_eq!(pooled.overall.gold, 6 * 4 * 2);
        let summed: usize = folds.iter().map(|s| s.overall.gold).sum();
        assert_eq!(summed, pooled.overall.gold);
        assert!(
            pooled.overall.f1() > 50.0,
            "a learnable pattern is learnt: {}",
            pooled.table()
        );
        assert!(
            lines.iter().any(|l| l.starts_with("cv fold 3/3: F1")),
            "{lines:?}"
        );
    }

    #[test]
    fn extra_types_map_to_ours_and_unlisted_types_become_outside() {
        let map = type_map("per=PER, geo=LOC,gpe=MISC,tim=O").expect("valid");
        assert_eq!(map_tag("B-per", &map), "B-PER");
        assert_eq!(map_tag("I-geo", &map), "I-LOC");
        assert_eq!(map_tag("B-gpe", &map), "B-MISC");
        assert_eq!(map_tag("B-tim", &map), "O");
        assert_eq!(map_tag("B-art", &map), "O");
        assert_eq!(map_tag("O", &map), "O");
        assert_eq!(map_tag("I-art", &[]), "I-art");
        assert!(type_map("per=PERSON").is_err());
        assert!(type_map("per").is_err());
    }
}
