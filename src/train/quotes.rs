//! `newsenrich train quotes`: the speaker ranker of the quotation stage
//! ([`crate::pipeline::quotes::ranker`]), learned from PolNeAR.
//!
//! Every article of the split goes through the pipeline as text with
//! cleaning skipped (entities, then the quotation rules with the embedded
//! cue detector and speech filter, `models/cues.bin` and
//! `models/speech.bin`, so train those first); each quote the
//! stage finds that overlaps a gold content with a Source becomes an
//! example: its candidate speakers (the rules' choice and the names and
//! pronouns near it) with their features, a candidate being right when it
//! overlaps that Source. A conditional log-linear ranker is trained
//! ([`train_log_linear`]: the probability of the right candidates among a
//! quote's, by a softmax over their scores, maximised by AdaGrad,
//! weights averaged over every step) for `--epochs` passes in a shuffled
//! order with a fixed seed; quotes in quotation marks count
//! [`QUOTED_WEIGHT`] times. The model written is the average of [`BAGS`]
//! such rankers, each with its own shuffle seed. (Until
//! `quotes-polnear-6` it was a ranking perceptron; the log-linear ranker
//! is 0.4 point better by cross-validation on the same features, see
//! `docs/quotes.md`.)
//!
//! `--cv K` reports K-fold document-level cross-validation (document `d`
//! in fold `d mod K`) of speaker accuracy against the rules' choices on
//! the same quotes, as `eval quotes` counts it (with `--verbose`, every
//! wrong speaker of a quoted content at `--margin` and the counts by
//! category); without it the model is trained on the whole split and
//! written to `--out`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::eval::EvalError;
use crate::eval::quotes::{GoldAttribution, by_annotator, overlaps};
use crate::pipeline::linear::LinearModel;
use crate::pipeline::quotes::ranker::{self, CandidateSet, SpeakerModel, choose};
use crate::pipeline::quotes::{Models, QuoteKind, extract_ranked};
use crate::pipeline::{Budget, Span};

use rustc_hash::FxHashMap;

use super::ner::Rng;
use super::polnear::{EntityDoc, PolnearSplit, Upstream, UpstreamFiles, entity_docs};
use super::speech::through_held_out_stage;

/// Flags of `newsenrich train quotes`.
#[derive(Debug, clap::Args)]
pub struct TrainQuotesArgs {
    /// The split, cross-validation and passes.
    #[command(flatten)]
    pub split: PolnearSplit,
    /// Where to write the model.
    #[arg(long, default_value = "models/quotes.bin")]
    pub out: PathBuf,
    /// How much better than the rules' speaker a candidate must score to
    /// replace it (stored in the model; chosen by `--cv`).
    #[arg(long, default_value_t = 0.0)]
    pub margin: f32,
    /// Version string stored in the model (reported by `GetServiceInfo`).
    #[arg(long, default_value = "quotes-polnear-20")]
    pub version: String,
    /// With `--cv`: print every wrong speaker of a quoted content (at
    /// `--margin`) with its category, and the counts by category.
    #[arg(long)]
    pub verbose: bool,
    /// The cue detector and speech filter to train over, if not the
    /// embedded ones.
    #[command(flatten)]
    pub upstream: UpstreamFiles,
    /// With `--cv`: score each fold on the quotes a cue detector and speech
    /// filter trained on the other folds find (as the shipped ones are
    /// trained, `stage_trained_on`), not the embedded ones, which learned
    /// from every article: the shipped ranker's accuracy on articles no
    /// model of the stage saw. The ranker still learns from the embedded
    /// stage's quotes, as the shipped one does.
    #[arg(long, requires = "cv")]
    pub held_out_stage: bool,
}

/// Margins cross-validation reports.
const MARGINS: [f32; 7] = [0.0, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0];

/// AdaGrad's learning rate.
const LEARNING_RATE: f32 = 0.1;

/// How many times a quote in quotation marks counts in training (the
/// speaker accuracy that matters is on those; indirect speech is twice as
/// many examples). By cross-validation: 1 gives 0.9216, 2 0.9224, 3 0.9228.
const QUOTED_WEIGHT: f32 = 2.0;

/// How many models, each trained on its own order of the examples, the
/// ranker averages. By cross-validation (five fold seeds, with the
/// `NEIGHBOURS` features): one gives quoted 0.9258 / over all 0.7935, four
/// 0.9271 / 0.7948, eight 0.9270 / 0.7946.
const BAGS: u64 = 4;

/// One quote matched to gold attributions with a Source.
struct Example {
    /// Document index.
    doc: usize,
    /// Direct or mixed, and matched to a quoted gold content with a Source.
    quoted: bool,
    /// The rules' choice among the candidates.
    rule: Option<usize>,
    /// Whether the rules' choice is a mention of an entity.
    rule_named: bool,
    /// Which candidates overlap a Source of the matched gold.
    right: Vec<bool>,
    /// Which candidates overlap a Source of a matched quoted gold.
    right_quoted: Vec<bool>,
    /// Whether each candidate can speak: the ranker chooses among those.
    speaks: Vec<bool>,
    /// For a report nested in another (`Quote::reported_by`), whether
    /// the outer source overlaps a Source of the matched gold, and of a
    /// matched quoted gold: the speaker is then not what PolNeAR scores
    /// (it annotates the outermost attribution only), so the ranker does
    /// not learn from the quote and its accuracy is the outer source's.
    outer: Option<(bool, bool)>,
    /// Each candidate's features.
    features: Vec<Vec<u64>>,
    /// What `--verbose` prints.
    info: Info,
}

/// What `--verbose` prints of an example.
#[derive(Default)]
struct Info {
    /// The quote's first 90 characters.
    quote: String,
    /// Its cue, empty when none.
    cue: String,
    /// `cue`, `continued` (no cue, a speaker handed on) or `no-cue`.
    kind: &'static str,
    /// The candidates' texts.
    candidates: Vec<String>,
    /// Whether each candidate is a mention of an entity.
    named: Vec<bool>,
    /// The quote's bytes.
    quote_span: (usize, usize),
    /// The candidates' bytes.
    spans: Vec<(usize, usize)>,
    /// The texts of the quoted gold sources, pieces joined by " … ".
    gold: Vec<String>,
}

/// Character offsets of a byte span of `text`.
pub(super) fn char_span(starts: &[usize], span: Span) -> (usize, usize) {
    let c = |b: usize| starts.partition_point(|&s| s < b);
    (c(span.start), c(span.end))
}

/// The examples of one article.
fn examples_of(
    doc: usize,
    text: &str,
    gold: &[GoldAttribution],
    sets: Vec<CandidateSet>,
) -> Vec<Example> {
    let starts: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
    let mut out = Vec::new();
    for set in sets {
        let span = char_span(&starts, set.quote.span);
        let quoted = set.quote.kind != QuoteKind::Indirect;
        let matched: Vec<&GoldAttribution> =
            gold.iter().filter(|g| overlaps(span, &g.content)).collect();
        let sources: Vec<_> = matched.iter().filter_map(|g| g.source.as_ref()).collect();
        if sources.is_empty() {
            continue;
        }
        // The quoted set counts only quoted gold contents.
        let quoted_sources = matched.iter().any(|g| g.quoted && g.source.is_some());
        let right_of = |sources: &[&crate::eval::quotes::Pieces]| -> Vec<bool> {
            set.spans
                .iter()
                .map(|&s| {
                    let s = char_span(&starts, s);
                    sources.iter().any(|src| overlaps(s, src))
                })
                .collect()
        };
        let right: Vec<bool> = right_of(&sources);
        // The quoted set scores a quote against the quoted gold contents
        // it overlaps only.
        let quoted_only: Vec<_> = matched
            .iter()
            .filter(|g| g.quoted)
            .filter_map(|g| g.source.as_ref())
            .collect();
        let right_quoted = right_of(&quoted_only);
        let outer = set.quote.reported_by.as_ref().map(|by| {
            let by = char_span(&starts, by.span);
            let hits = |sources: &[&crate::eval::quotes::Pieces]| {
                sources.iter().any(|src| overlaps(by, src))
            };
            (hits(&sources), hits(&quoted_only))
        });
        let info = Info {
            quote: set.quote.text.chars().take(90).collect(),
            cue: set.quote.cue.clone(),
            kind: match (set.quote.cue.is_empty(), set.quote.speaker.is_empty()) {
                (false, _) => "cue",
                (true, false) => "continued",
                (true, true) => "no-cue",
            },
            candidates: set
                .spans
                .iter()
                .map(|s| text[s.range()].to_owned())
                .collect(),
            named: set.named.clone(),
            quote_span: (set.quote.span.start, set.quote.span.end),
            spans: set.spans.iter().map(|s| (s.start, s.end)).collect(),
            gold: quoted_only
                .iter()
                .map(|pieces| {
                    let piece = |&(a, b): &(usize, usize)| {
                        let byte = |c: usize| starts.get(c).copied().unwrap_or(text.len());
                        text.get(byte(a)..byte(b)).unwrap_or("").to_owned()
                    };
                    pieces.iter().map(piece).collect::<Vec<_>>().join(" … ")
                })
                .collect(),
        };
        out.push(Example {
            doc,
            quoted: quoted && quoted_sources,
            rule: set.rule.iter().position(|&r| r),
            right_quoted,
            rule_named: set.rule.iter().zip(&set.named).any(|(&r, &n)| r && n),
            right,
            speaks: set.speaks,
            features: set.features,
            outer,
            info,
        });
    }
    out
}

/// A conditional log-linear ranker over a quote's candidates: the
/// probability of candidate `i` is `exp(s_i) / Σ exp(s_j)`, `s` the sum of
/// its features' weights, and training maximises the log of the summed
/// probability of the right candidates (any overlapping a gold Source),
/// each quote weighted [`QUOTED_WEIGHT`] when it is quoted. Per-feature
/// AdaGrad steps; the weights returned are the average over every step
/// (as the averaged perceptron's), near-zero ones left out. Quotes with no
/// right candidate teach nothing. `seed` varies the order of the examples.
fn train_log_linear(
    examples: &[&Example],
    epochs: usize,
    seed: u64,
) -> crate::pipeline::linear::Weights {
    // Per feature: weight, sum of squared gradients, step-weighted sum of
    // updates.
    let mut w: FxHashMap<u64, (f32, f32, f64)> = FxHashMap::default();
    let mut step = 1.0f64;
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ seed.wrapping_mul(0x2545_f491_4f6c_dd1d));
    let mut grad: FxHashMap<u64, f32> = FxHashMap::default();
    let mut probabilities: Vec<f32> = Vec::new();
    for _ in 0..epochs {
        rng.shuffle(&mut order);
        for &i in &order {
            let e = examples[i];
            if e.right.iter().any(|&r| r) {
                probabilities.clear();
                probabilities.extend(
                    e.features
                        .iter()
                        .map(|c| c.iter().filter_map(|k| w.get(k)).map(|x| x.0).sum::<f32>()),
                );
                let max = probabilities.iter().copied().fold(f32::MIN, f32::max);
                for p in &mut probabilities {
                    *p = (*p - max).exp();
                }
                let all: f32 = probabilities.iter().sum();
                let right: f32 = probabilities
                    .iter()
                    .zip(&e.right)
                    .filter(|(_, r)| **r)
                    .map(|(p, _)| p)
                    .sum();
                let weight = if e.quoted { QUOTED_WEIGHT } else { 1.0 };
                // The gradient of the log-likelihood by a candidate's
                // score: its share among the right ones minus its share
                // among all.
                grad.clear();
                for (j, c) in e.features.iter().enumerate() {
                    let target = if e.right[j] {
                        probabilities[j] / right
                    } else {
                        0.0
                    };
                    let g = (target - probabilities[j] / all) * weight;
                    if g.abs() < 1e-7 {
                        continue;
                    }
                    for &k in c {
                        *grad.entry(k).or_default() += g;
                    }
                }
                for (&k, &g) in &grad {
                    let x = w.entry(k).or_default();
                    x.1 += g * g;
                    let delta = LEARNING_RATE * g / (x.1.sqrt() + 1e-6);
                    x.0 += delta;
                    x.2 += step * f64::from(delta);
                }
            }
            step += 1.0;
        }
    }
    w.iter()
        .map(|(&k, &(x, _, u))| (k, (f64::from(x) - u / step) as f32))
        .filter(|&(_, x)| x.abs() > 1e-6)
        .collect()
}

/// The ranker trained on `train`, with margin 0.
fn train_model(train: &[&Example], epochs: usize, version: &str) -> SpeakerModel {
    // A nested report's speaker is not what the gold annotates.
    let train: Vec<&Example> = train
        .iter()
        .copied()
        .filter(|e| e.outer.is_none())
        .collect();
    // The average of BAGS models, each trained on its own order of the
    // examples.
    let mut weights = crate::pipeline::linear::Weights::default();
    for bag in 0..BAGS {
        for (k, x) in train_log_linear(&train, epochs, bag) {
            *weights.entry(k).or_default() += x / BAGS as f32;
        }
    }
    SpeakerModel::new(LinearModel::new(ranker::MAGIC, version, 0.0, weights))
}

/// Right and scored counts, for the quoted set and for all.
#[derive(Default, Clone, Copy)]
struct Accuracy {
    quoted: (usize, usize),
    all: (usize, usize),
}

impl Example {
    /// Whether picking candidate `pick` is right, against any gold Source
    /// and against a quoted gold's: a nested report is scored by its
    /// outer source, whatever the pick.
    fn scored(&self, pick: Option<usize>) -> (bool, bool) {
        match self.outer {
            Some(outer) => outer,
            None => (
                pick.is_some_and(|p| self.right[p]),
                pick.is_some_and(|p| self.right_quoted[p]),
            ),
        }
    }
}

impl Accuracy {
    fn add(&mut self, e: &Example, pick: Option<usize>) {
        let (right, right_quoted) = e.scored(pick);
        self.all.0 += usize::from(right);
        self.all.1 += 1;
        if e.quoted {
            self.quoted.0 += usize::from(right_quoted);
            self.quoted.1 += 1;
        }
    }

    fn line(&self, label: &str) -> String {
        let r = |(a, b): (usize, usize)| a as f64 / b.max(1) as f64;
        format!(
            "{label:<8} quoted {:.4} ({}/{})  all {:.4} ({}/{})\n",
            r(self.quoted),
            self.quoted.0,
            self.quoted.1,
            r(self.all),
            self.all.0,
            self.all.1
        )
    }
}

/// Each fold's quoted speaker accuracy at `margin` and their standard
/// deviation: how far a sample of a fold's size (and, by the square root
/// of the size ratio, a smaller one such as dev) strays from the mean.
fn fold_line(folds: &[Accuracy], margin: f32) -> String {
    let rates: Vec<f64> = folds
        .iter()
        .map(|a| a.quoted.0 as f64 / a.quoted.1.max(1) as f64)
        .collect();
    let n = rates.len().max(1) as f64;
    let mean = rates.iter().sum::<f64>() / n;
    let sd = (rates.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0)).sqrt();
    let each: Vec<String> = rates.iter().map(|r| format!("{r:.4}")).collect();
    format!(
        "folds at margin {margin}: quoted {} (standard deviation {sd:.4})\n",
        each.join(" / ")
    )
}

/// Runs `newsenrich train quotes`.
pub fn run_command(args: &TrainQuotesArgs, out: &mut dyn std::io::Write) -> Result<(), EvalError> {
    let mut say = |s: String| out.write_all(s.as_bytes()).map_err(EvalError::Output);
    let docs = entity_docs(&args.split)?;
    let upstream = Upstream::load(&args.upstream)?;
    let examples: Vec<Example> = docs
        .iter()
        .enumerate()
        .flat_map(|(d, doc)| doc_examples(d, doc, upstream.models()))
        .collect();
    let held_out = match args.split.cv {
        Some(k) if args.held_out_stage => {
            Some(cross_fitted(&docs, usize::from(k.max(2)), &args.split))
        }
        _ => None,
    };
    let summary = |examples: &[Example], what: &str| {
        let reachable = examples
            .iter()
            .filter(|e| e.right.iter().any(|&r| r))
            .count();
        format!(
            "{} articles, {} quotes with a gold Source ({} with a right candidate){what}\n",
            docs.len(),
            examples.len(),
            reachable
        )
    };
    say(summary(&examples, ""))?;
    if let Some(held_out) = &held_out {
        say(summary(
            held_out,
            " found by a stage trained on the other folds: the folds are scored on those",
        ))?;
    }
    if let Some(k) = args.split.cv {
        let k = usize::from(k.max(2));
        let (mut rules, mut oracle) = (Accuracy::default(), Accuracy::default());
        let mut ranked = [Accuracy::default(); MARGINS.len()];
        let mut named_kept = Accuracy::default();
        let mut errors: Vec<(String, String)> = Vec::new();
        let mut per_fold = vec![Accuracy::default(); k];
        // Quoted speaker accuracy at `--margin` by annotator.
        let mut annotators: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        for (fold, fold_accuracy) in per_fold.iter_mut().enumerate() {
            let train: Vec<&Example> = examples
                .iter()
                .filter(|e| args.split.fold(e.doc, k) != fold)
                .collect();
            let model = train_model(&train, args.split.epochs, &args.version);
            let with_margin = |margin: f32| {
                let mut m = model.clone();
                m.linear.parameter = margin;
                m
            };
            let models: Vec<SpeakerModel> = MARGINS.iter().map(|&m| with_margin(m)).collect();
            let at_margin = with_margin(args.margin);
            for e in held_out
                .as_ref()
                .unwrap_or(&examples)
                .iter()
                .filter(|e| args.split.fold(e.doc, k) == fold)
            {
                rules.add(e, e.rule);
                let any_right = |right: &[bool]| right.iter().position(|&r| r);
                oracle.add(e, any_right(&e.right_quoted).or(any_right(&e.right)));
                for (acc, model) in ranked.iter_mut().zip(&models) {
                    acc.add(e, choose(model, &e.features, e.rule, &e.speaks));
                }
                let keep = if e.rule_named {
                    e.rule
                } else {
                    choose(&model, &e.features, e.rule, &e.speaks)
                };
                named_kept.add(e, keep);
                let pick = choose(&at_margin, &e.features, e.rule, &e.speaks);
                fold_accuracy.add(e, pick);
                if e.quoted {
                    let counts = annotators.entry(docs[e.doc].annotator.clone()).or_default();
                    counts.0 += usize::from(e.scored(pick).1);
                    counts.1 += 1;
                }
                if args.verbose && e.quoted && !e.scored(pick).1 {
                    // Wrong where a right pick was possible, or with no
                    // right candidate at all.
                    let reachable = e.outer.is_some() || e.right_quoted.iter().any(|&r| r);
                    errors.push(if reachable {
                        describe(e, pick, &at_margin)
                    } else {
                        describe_no_candidate(e, pick)
                    });
                }
            }
        }
        let mut lines = rules.line("rules");
        for (acc, margin) in ranked.iter().zip(MARGINS) {
            lines.push_str(&acc.line(&format!("margin {margin}")));
        }
        lines.push_str(&named_kept.line("named kept"));
        lines.push_str(&oracle.line("ceiling"));
        lines.push_str(&fold_line(&per_fold, args.margin));
        lines.push_str(&by_annotator(
            &format!("by annotator at margin {}: quoted", args.margin),
            &annotators,
        ));
        if args.verbose {
            say(error_report(&errors))?;
        }
        say(format!(
            "{k}-fold document-level cross-validation on {} ({} epochs): speaker accuracy of the rules, of the ranker overriding them by at least each margin, and of the best candidate\n{lines}",
            args.split.train.display(),
            args.split.epochs,
        ))?;
        return Ok(());
    }
    let all: Vec<&Example> = examples.iter().collect();
    let mut model = train_model(&all, args.split.epochs, &args.version);
    model.linear.parameter = args.margin;
    let bytes = model.linear.to_bytes();
    say(super::write_linear(&args.out, &bytes, &model.linear)?)
}

/// The examples of article `d` with the stage's `models`.
fn doc_examples(d: usize, doc: &EntityDoc, models: Models<'_>) -> Vec<Example> {
    let mut sets = Vec::new();
    let budget = Budget::unlimited();
    extract_ranked(
        &doc.text,
        &doc.entities,
        &mut budget.meter(),
        models,
        Some(&mut sets),
    );
    examples_of(d, &doc.text, &doc.gold, sets)
}

/// The examples of every article, each of `k` folds (the folds of `--cv
/// k` with the same `--fold-seed`) run through a cue detector and speech
/// filter trained on the others: the stage the ranker meets on articles
/// neither model saw.
fn cross_fitted(docs: &[EntityDoc], k: usize, split: &PolnearSplit) -> Vec<Example> {
    let mut examples = Vec::new();
    let fold_of = |d: usize| split.fold(d, k);
    through_held_out_stage(docs, k, fold_of, split.epochs, |models, d, doc| {
        examples.extend(doc_examples(d, doc, models));
    });
    examples.sort_by_key(|e| e.doc);
    examples
}

/// What `--verbose` prints: every error (category, tab, line), then the
/// counts by each part of the category and by whole category.
fn error_report(errors: &[(String, String)]) -> String {
    let mut report = String::new();
    let mut whole: BTreeMap<&str, usize> = BTreeMap::new();
    let mut parts: BTreeMap<(usize, &str), usize> = BTreeMap::new();
    for (category, line) in errors {
        report.push_str(&format!("{category}\t{line}\n"));
        *whole.entry(category.as_str()).or_default() += 1;
        for part in category.split(' ').enumerate() {
            *parts.entry(part).or_default() += 1;
        }
    }
    report.push_str(&format!(
        "{} wrong speakers of quoted contents; by cue (cue, continued, no-cue), by what the ranker did (no-candidate: the gold source is none), by chosen>gold candidate:\n",
        errors.len()
    ));
    for ((i, part), n) in parts {
        report.push_str(&format!("part {i} {part}: {n}\n"));
    }
    let mut whole: Vec<_> = whole.into_iter().collect();
    whole.sort_by_key(|&(c, n)| (std::cmp::Reverse(n), c));
    for (c, n) in whole {
        report.push_str(&format!("category {c}: {n}\n"));
    }
    report
}

/// The category and the line `--verbose` prints for a quote whose gold
/// source is no candidate.
fn describe_no_candidate(e: &Example, pick: Option<usize>) -> (String, String) {
    let info = &e.info;
    let text = |i: usize| info.candidates.get(i).map_or("", String::as_str);
    let line = format!(
        "doc {} at {:?}\tquote «{}» cue «{}» chose «{}» gold «{}»",
        e.doc,
        info.quote_span,
        info.quote,
        info.cue,
        pick.map_or("", text),
        info.gold.join(" | "),
    );
    (format!("{} no-candidate", info.kind), line)
}

/// The category and the line `--verbose` prints for a wrong speaker.
fn describe(e: &Example, pick: Option<usize>, model: &SpeakerModel) -> (String, String) {
    let info = &e.info;
    // What a candidate is: a name, a pronoun or another phrase.
    let shape = |i: usize| {
        let t = info
            .candidates
            .get(i)
            .map(|c| c.to_lowercase())
            .unwrap_or_default();
        if info.named.get(i).copied().unwrap_or(false) {
            "name"
        } else if matches!(
            t.as_str(),
            "he" | "she" | "they" | "it" | "i" | "we" | "who" | "which" | "him" | "her" | "them"
        ) {
            "pronoun"
        } else {
            "phrase"
        }
    };
    let gold = (0..e.right.len())
        .filter(|&i| e.right[i])
        .max_by(|&a, &b| {
            model
                .linear
                .score(&e.features[a])
                .total_cmp(&model.linear.score(&e.features[b]))
        })
        .unwrap_or(0);
    let action = match (pick, e.rule) {
        (None, _) => "none",
        (Some(p), Some(r)) if p == r => "kept-rule",
        (Some(_), Some(r)) if e.right[r] => "overrode-right-rule",
        (Some(_), Some(_)) => "overrode-wrong-rule",
        (Some(_), None) => "no-rule",
    };
    let chosen = pick.map_or("-", shape);
    let category = match e.outer {
        // The outer source of a nested report was wrong.
        Some(_) => format!("{} outer", info.kind),
        None => format!("{} {action} {chosen}>{}", info.kind, shape(gold)),
    };
    let text = |i: usize| info.candidates.get(i).map_or("", String::as_str);
    let line = format!(
        "doc {} at {:?} chose-at {:?} gold-at {:?}\tquote «{}» cue «{}» chose «{}» gold «{}» rule «{}» scores {:.2}>{:.2}",
        e.doc,
        info.quote_span,
        pick.and_then(|p| info.spans.get(p)),
        info.spans.get(gold),
        info.quote,
        info.cue,
        pick.map_or("", text),
        text(gold),
        e.rule.map_or("", text),
        pick.map_or(f32::NAN, |p| model.linear.score(&e.features[p])),
        model.linear.score(&e.features[gold]),
    );
    (category, line)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An article of one quotation, "Smith" its annotated Source.
    fn smith_doc(n: usize) -> EntityDoc {
        let text = format!("“We will win vote number {n},” Smith said on Monday.\n");
        let at = |w: &str| {
            let b = text.find(w).unwrap();
            let s = text[..b].chars().count();
            (s, s + w.chars().count())
        };
        let (content, source, cue) = (at("We will win"), at("Smith"), at("said"));
        let content = (content.0, at(",”").0);
        let ann = format!(
            "T1\tContent {} {}\tx\nT2\tSource {} {}\tSmith\nT3\tCue {} {}\tsaid\nE1\tAttribution:T3 Content:T1 Cue:T3 Source:T2\n",
            content.0, content.1, source.0, source.1, cue.0, cue.1
        );
        let gold = crate::eval::quotes::parse_ann(&ann, &text);
        EntityDoc {
            text,
            entities: Vec::new(),
            gold,
            annotator: format!("a{}", n % 2),
        }
    }

    #[test]
    fn every_article_is_run_once_through_a_stage_trained_on_the_other_folds() {
        let docs: Vec<EntityDoc> = (0..6).map(smith_doc).collect();
        assert!(
            docs.iter()
                .all(|d| d.gold.len() == 1 && d.gold[0].source.is_some())
        );
        let split = PolnearSplit {
            train: PathBuf::new(),
            cv: Some(3),
            epochs: 2,
            fold_seed: 0,
        };
        let examples = cross_fitted(&docs, 3, &split);
        // One quote an article, in article order, each with "Smith" among
        // its candidates.
        let order: Vec<usize> = examples.iter().map(|e| e.doc).collect();
        assert_eq!(order, (0..6).collect::<Vec<_>>());
        assert!(
            examples
                .iter()
                .all(|e| e.quoted && e.right.iter().any(|&r| r))
        );
    }

    fn example(doc: usize, quoted: bool, right: [bool; 2]) -> Example {
        Example {
            doc,
            quoted,
            rule: Some(1),
            rule_named: false,
            right: right.to_vec(),
            right_quoted: right.to_vec(),
            speaks: vec![true, true],
            // Candidate 0 has feature 10, candidate 1 feature 20; both
            // the bias 1.
            features: vec![vec![1, 10], vec![1, 20]],
            outer: None,
            info: Info::default(),
        }
    }

    /// The log-linear ranker learns which feature marks the right
    /// candidate, and quoted examples weigh more: with as many indirect
    /// quotes saying the opposite, the quoted ones win.
    #[test]
    fn the_log_linear_ranker_learns_and_weighs_quoted_examples_more() {
        let examples: Vec<Example> = (0..20).map(|d| example(d, true, [true, false])).collect();
        let refs: Vec<&Example> = examples.iter().collect();
        let model = train_model(&refs, 5, "test");
        assert!(model.linear.score(&[1, 10]) > model.linear.score(&[1, 20]));
        assert_eq!(
            choose(&model, &examples[0].features, Some(1), &examples[0].speaks),
            Some(0)
        );
        // A margin above the gap keeps the rules' choice.
        let gap = model.linear.score(&[10]) - model.linear.score(&[20]);
        let mut cautious = model.clone();
        cautious.linear.parameter = gap + 1.0;
        assert_eq!(
            choose(&cautious, &examples[0].features, Some(1), &[]),
            Some(1)
        );

        let mut mixed: Vec<Example> = (0..20).map(|d| example(d, true, [true, false])).collect();
        mixed.extend((20..40).map(|d| example(d, false, [false, true])));
        let refs: Vec<&Example> = mixed.iter().collect();
        let model = train_model(&refs, 5, "test");
        assert!(model.linear.score(&[10]) > model.linear.score(&[20]));
        // Examples with no right candidate teach nothing.
        let none = [example(0, true, [false, false])];
        let refs: Vec<&Example> = none.iter().collect();
        assert!(train_model(&refs, 3, "test").linear.weights.is_empty());
    }

    /// The model is the mean of [`BAGS`] rankers trained on their own
    /// orders of the examples: each weight is the average of theirs, and
    /// the orders differ (so do the rankers).
    #[test]
    fn the_model_averages_rankers_trained_in_different_orders() {
        let mut examples: Vec<Example> = (0..30)
            .map(|d| example(d, d % 3 != 0, [true, false]))
            .collect();
        examples.extend((30..45).map(|d| example(d, false, [false, true])));
        let refs: Vec<&Example> = examples.iter().collect();
        let model = train_model(&refs, 2, "test");
        let each: Vec<_> = (0..BAGS).map(|b| train_log_linear(&refs, 2, b)).collect();
        assert_ne!(
            each[0].get(&10),
            each[1].get(&10),
            "another order, another ranker"
        );
        for k in [1u64, 10, 20] {
            let mean = each.iter().filter_map(|w| w.get(&k)).sum::<f32>() / BAGS as f32;
            let got = model.linear.weights.get(&k).copied().unwrap_or(0.0);
            assert!(
                (got - mean).abs() < 1e-6,
                "feature {k}: {got} against {mean}"
            );
        }
    }

    /// As `eval quotes` counts: a quoted quote's speaker is right for the
    /// quoted set only when it is the Source of a quoted gold content it
    /// overlaps, and right over all attributions when it is any overlapped
    /// content's Source (an unquoted outer report's, say).
    #[test]
    fn the_fold_line_gives_each_fold_and_their_spread() {
        let fold = |right, of| Accuracy {
            quoted: (right, of),
            all: (0, 0),
        };
        let line = fold_line(&[fold(9, 10), fold(7, 10), fold(8, 10)], 0.0);
        assert_eq!(
            line,
            "folds at margin 0: quoted 0.9000 / 0.7000 / 0.8000 (standard deviation 0.1000)\n"
        );
    }

    #[test]
    fn quoted_accuracy_counts_the_sources_of_quoted_contents_only() {
        let mut e = example(0, true, [true, true]);
        e.right_quoted = vec![false, true];
        let mut acc = Accuracy::default();
        acc.add(&e, Some(0));
        assert_eq!((acc.quoted, acc.all), ((0, 1), (1, 1)));
        acc.add(&e, Some(1));
        assert_eq!((acc.quoted, acc.all), ((1, 2), (2, 2)));
        acc.add(&e, None);
        assert_eq!((acc.quoted, acc.all), ((1, 3), (2, 3)));
    }

    /// A report nested in another ("..., according to the Times") is
    /// scored by its outer source, whatever the ranker picks, and teaches
    /// the ranker nothing: its gold Source is not the speaker.
    #[test]
    fn a_nested_report_is_scored_by_its_outer_source_and_not_learned_from() {
        let mut e = example(0, true, [false, true]);
        e.outer = Some((true, true));
        let mut acc = Accuracy::default();
        acc.add(&e, Some(0));
        assert_eq!((acc.quoted, acc.all), ((1, 1), (1, 1)));
        e.outer = Some((true, false));
        acc.add(&e, Some(1));
        assert_eq!((acc.quoted, acc.all), ((1, 2), (2, 2)));
        let nested: Vec<Example> = (0..20)
            .map(|d| {
                let mut e = example(d, true, [true, false]);
                e.outer = Some((false, false));
                e
            })
            .collect();
        let refs: Vec<&Example> = nested.iter().collect();
        assert!(train_model(&refs, 3, "test").linear.weights.is_empty());
    }
}
