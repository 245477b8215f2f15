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
//! overlaps that Source. A ranking perceptron (Collins 2002, averaged;
//! on a mistake the best-scoring right candidate's features gain, the
//! wrongly chosen one's lose) is trained for `--epochs` passes in a
//! shuffled order with a fixed seed.
//!
//! `--cv K` reports K-fold document-level cross-validation (document `d`
//! in fold `d mod K`) of speaker accuracy against the rules' choices on
//! the same quotes, as `eval quotes` counts it; without it the model is
//! trained on the whole split and written to `--out`.

use std::path::PathBuf;

use crate::eval::EvalError;
use crate::eval::quotes::{GoldAttribution, overlaps};
use crate::pipeline::linear::LinearModel;
use crate::pipeline::quotes::cue_model::CueModel;
use crate::pipeline::quotes::ranker::{self, CandidateSet, SpeakerModel, choose};
use crate::pipeline::quotes::speech::SpeechModel;
use crate::pipeline::quotes::{Models, QuoteKind, extract_ranked};
use crate::pipeline::{Budget, Span};

use super::averaged::Averaged;
use super::ner::Rng;
use super::polnear::{PolnearSplit, entity_docs};

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
    #[arg(long, default_value = "quotes-polnear-1")]
    pub version: String,
}

/// Margins cross-validation reports.
const MARGINS: [f32; 7] = [0.0, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0];

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
    /// Each candidate's features.
    features: Vec<Vec<u64>>,
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
        let right = set
            .spans
            .iter()
            .map(|&s| {
                let s = char_span(&starts, s);
                sources.iter().any(|src| overlaps(s, src))
            })
            .collect();
        out.push(Example {
            doc,
            quoted: quoted && quoted_sources,
            rule: set.rule.iter().position(|&r| r),
            rule_named: set.rule.iter().zip(&set.named).any(|(&r, &n)| r && n),
            right,
            features: set.features,
        });
    }
    out
}

/// Averaged ranking perceptron.
struct Ranker(Averaged);

impl Ranker {
    fn best(&self, features: &[Vec<u64>], only: Option<&[bool]>) -> Option<usize> {
        let mut best: Option<(usize, f32)> = None;
        for (i, f) in features.iter().enumerate() {
            if only.is_some_and(|o| !o[i]) {
                continue;
            }
            let s = self.0.score(f);
            if best.is_none_or(|(_, b)| s > b) {
                best = Some((i, s));
            }
        }
        best.map(|(i, _)| i)
    }

    fn train(examples: &[&Example], epochs: usize) -> Ranker {
        let mut r = Ranker(Averaged::new());
        let mut order: Vec<usize> = (0..examples.len()).collect();
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..epochs {
            rng.shuffle(&mut order);
            for &i in &order {
                let e = examples[i];
                if e.right.iter().any(|&r| r)
                    && let Some(p) = r.best(&e.features, None)
                    && !e.right[p]
                    && let Some(g) = r.best(&e.features, Some(&e.right))
                {
                    r.0.add(&e.features[g], 1.0);
                    r.0.add(&e.features[p], -1.0);
                }
                r.0.tick();
            }
        }
        r
    }

    fn averaged(&self, version: &str) -> SpeakerModel {
        let linear = LinearModel::new(ranker::MAGIC, version, 0.0, self.0.averaged());
        SpeakerModel { linear }
    }
}

/// Right and scored counts, for the quoted set and for all.
#[derive(Default, Clone, Copy)]
struct Accuracy {
    quoted: (usize, usize),
    all: (usize, usize),
}

impl Accuracy {
    fn add(&mut self, e: &Example, pick: Option<usize>) {
        let right = usize::from(pick.is_some_and(|p| e.right[p]));
        self.all.0 += right;
        self.all.1 += 1;
        if e.quoted {
            self.quoted.0 += right;
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

/// Runs `newsenrich train quotes`.
pub fn run_command(args: &TrainQuotesArgs, out: &mut dyn std::io::Write) -> Result<(), EvalError> {
    let mut say = |s: String| out.write_all(s.as_bytes()).map_err(EvalError::Output);
    let docs = entity_docs(&args.split)?;
    let mut examples = Vec::new();
    for (d, doc) in docs.iter().enumerate() {
        let mut sets = Vec::new();
        let budget = Budget::unlimited();
        extract_ranked(
            &doc.text,
            &doc.entities,
            &mut budget.meter(),
            Models {
                cues: CueModel::embedded(),
                speech: SpeechModel::embedded(),
                speaker: None,
            },
            Some(&mut sets),
        );
        examples.extend(examples_of(d, &doc.text, &doc.gold, sets));
    }
    let reachable = examples
        .iter()
        .filter(|e| e.right.iter().any(|&r| r))
        .count();
    say(format!(
        "{} articles, {} quotes with a gold Source ({} with a right candidate)\n",
        docs.len(),
        examples.len(),
        reachable
    ))?;
    if let Some(k) = args.split.cv {
        let k = usize::from(k.max(2));
        let (mut rules, mut oracle) = (Accuracy::default(), Accuracy::default());
        let mut ranked = [Accuracy::default(); MARGINS.len()];
        let mut named_kept = Accuracy::default();
        for fold in 0..k {
            let train: Vec<&Example> = examples.iter().filter(|e| e.doc % k != fold).collect();
            let model = Ranker::train(&train, args.split.epochs).averaged(&args.version);
            let models: Vec<SpeakerModel> = MARGINS
                .iter()
                .map(|&margin| {
                    let mut m = model.clone();
                    m.linear.parameter = margin;
                    m
                })
                .collect();
            for e in examples.iter().filter(|e| e.doc % k == fold) {
                rules.add(e, e.rule);
                oracle.add(e, e.right.iter().position(|&r| r));
                for (acc, model) in ranked.iter_mut().zip(&models) {
                    acc.add(e, choose(model, &e.features, e.rule));
                }
                let keep = if e.rule_named {
                    e.rule
                } else {
                    choose(&model, &e.features, e.rule)
                };
                named_kept.add(e, keep);
            }
        }
        let mut lines = rules.line("rules");
        for (acc, margin) in ranked.iter().zip(MARGINS) {
            lines.push_str(&acc.line(&format!("margin {margin}")));
        }
        lines.push_str(&named_kept.line("named kept"));
        lines.push_str(&oracle.line("ceiling"));
        say(format!(
            "{k}-fold document-level cross-validation on {} ({} epochs): speaker accuracy of the rules, of the ranker overriding them by at least each margin, and of the best candidate\n{lines}",
            args.split.train.display(),
            args.split.epochs,
        ))?;
        return Ok(());
    }
    let all: Vec<&Example> = examples.iter().collect();
    let mut model = Ranker::train(&all, args.split.epochs).averaged(&args.version);
    model.linear.parameter = args.margin;
    let bytes = model.linear.to_bytes();
    super::write_model(&args.out, &bytes)?;
    say(format!(
        "wrote {} ({} weights, {} bytes, version {})\n",
        args.out.display(),
        model.linear.weights.len(),
        bytes.len(),
        model.linear.version
    ))
}
