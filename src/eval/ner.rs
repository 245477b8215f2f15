//! `newsenrich eval ner`: entity-level exact-match precision, recall and F1
//! per type and overall on a CoNLL-format file, with conlleval semantics
//! (an entity counts when its first token, last token and type all match;
//! micro-averaged over entities).

use std::collections::HashSet;
use std::path::PathBuf;

use super::EvalError;
use super::conll::{self, Doc};
use crate::pipeline::entities::EntityType;
use crate::pipeline::entities::gazetteer::Gazetteers;
use crate::pipeline::entities::labels::{TokenSpan, spans_from_iob, spans_from_labels};
use crate::pipeline::entities::model::Table;
use crate::pipeline::entities::tagger::NerModel;

/// Flags of `newsenrich eval ner`.
#[derive(Debug, clap::Args)]
pub struct NerArgs {
    /// A CoNLL-format file (token first, entity tag last; IOB1 or IOB2).
    #[arg(long)]
    pub conll: PathBuf,
    /// A model file written by `newsenrich train ner` (default: the
    /// embedded model).
    #[arg(long)]
    pub model: Option<PathBuf>,
}

/// True positives, predicted and gold counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Exact matches.
    pub correct: usize,
    /// Entities predicted.
    pub predicted: usize,
    /// Entities in the gold standard.
    pub gold: usize,
}

impl Counts {
    /// Precision in percent.
    pub fn precision(&self) -> f64 {
        pct(self.correct, self.predicted)
    }

    /// Recall in percent.
    pub fn recall(&self) -> f64 {
        pct(self.correct, self.gold)
    }

    /// F1 in percent.
    pub fn f1(&self) -> f64 {
        super::harmonic_f1(self.precision(), self.recall())
    }
}

fn pct(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        100.0 * a as f64 / b as f64
    }
}

/// Scores per type (PER, ORG, LOC, MISC order) and overall.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Score {
    /// Per type, in [`EntityType::ALL`] order.
    pub per_type: [Counts; 4],
    /// All types.
    pub overall: Counts,
}

impl Score {
    /// Adds another score's counts (pooling folds).
    pub fn merge(&mut self, other: &Score) {
        for (a, b) in self.per_type.iter_mut().zip(&other.per_type) {
            a.correct += b.correct;
            a.predicted += b.predicted;
            a.gold += b.gold;
        }
        self.overall.correct += other.overall.correct;
        self.overall.predicted += other.overall.predicted;
        self.overall.gold += other.overall.gold;
    }

    /// Adds one sentence's predicted and gold spans.
    pub fn add(&mut self, predicted: &[TokenSpan], gold: &[TokenSpan]) {
        let gold_set: HashSet<&TokenSpan> = gold.iter().collect();
        let index = |k: EntityType| EntityType::ALL.iter().position(|t| *t == k).unwrap_or(0);
        for p in predicted {
            self.per_type[index(p.kind)].predicted += 1;
            self.overall.predicted += 1;
            if gold_set.contains(p) {
                self.per_type[index(p.kind)].correct += 1;
                self.overall.correct += 1;
            }
        }
        for g in gold {
            self.per_type[index(g.kind)].gold += 1;
            self.overall.gold += 1;
        }
    }

    /// The report table.
    pub fn table(&self) -> String {
        let mut out = format!(
            "{:<8} {:>6} {:>6} {:>6} {:>9} {:>7} {:>7}\n",
            "type", "gold", "pred", "right", "precision", "recall", "F1"
        );
        let rows = EntityType::ALL
            .iter()
            .map(|t| t.conll())
            .zip(self.per_type.iter())
            .chain(std::iter::once(("overall", &self.overall)));
        for (name, c) in rows {
            out.push_str(&format!(
                "{:<8} {:>6} {:>6} {:>6} {:>9.2} {:>7.2} {:>7.2}\n",
                name,
                c.gold,
                c.predicted,
                c.correct,
                c.precision(),
                c.recall(),
                c.f1()
            ));
        }
        out
    }
}

/// Tags every document of `docs` with `model` and scores it.
pub fn evaluate<W: Table>(model: &NerModel<W>, gazetteers: &Gazetteers, docs: &[Doc]) -> Score {
    let mut score = Score::default();
    for doc in docs {
        let sentences: Vec<&[String]> = doc.sentences.iter().map(|s| s.words.as_slice()).collect();
        let labels = model.tag_document(gazetteers, &sentences);
        for (s, l) in doc.sentences.iter().zip(&labels) {
            score.add(&spans_from_labels(l), &spans_from_iob(&s.tags));
        }
    }
    score
}

/// Loads the model named by `path`, else the embedded one.
pub fn load_model(
    path: Option<&std::path::Path>,
) -> Result<std::borrow::Cow<'static, NerModel>, EvalError> {
    match path {
        Some(p) => {
            let bytes = std::fs::read(p).map_err(|source| EvalError::Io {
                path: p.to_owned(),
                source,
            })?;
            NerModel::from_bytes(&bytes)
                .map(std::borrow::Cow::Owned)
                .map_err(|problem| EvalError::Format {
                    path: p.to_owned(),
                    problem,
                })
        }
        None => NerModel::embedded()
            .map(std::borrow::Cow::Borrowed)
            .map_err(|problem| EvalError::Format {
                path: PathBuf::from("<embedded model>"),
                problem,
            }),
    }
}

/// Runs `newsenrich eval ner`.
pub fn run_command(args: &NerArgs, out: &mut dyn std::io::Write) -> Result<(), EvalError> {
    let docs = conll::read(&args.conll)?;
    let model = load_model(args.model.as_deref())?;
    let score = evaluate(&model, Gazetteers::embedded(), &docs);
    let io = |source| EvalError::Io {
        path: PathBuf::from("<stdout>"),
        source,
    };
    writeln!(out, "model {} on {}", model.version, args.conll.display()).map_err(io)?;
    write!(out, "{}", score.table()).map_err(io)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_scores_pool_the_counts() {
        let gold = spans_from_iob(&["I-PER", "O", "I-LOC"]);
        let mut a = Score::default();
        a.add(&spans_from_iob(&["I-PER", "O", "O"]), &gold);
        let mut b = Score::default();
        b.add(&spans_from_iob(&["I-PER", "O", "I-ORG"]), &gold);
        let mut pooled = a;
        pooled.merge(&b);
        assert_eq!(
            pooled.overall,
            Counts {
                correct: 2,
                predicted: 3,
                gold: 4
            }
        );
        assert_eq!(pooled.per_type[0].correct, 2, "PER");
    }

    #[test]
    fn exact_match_counts_per_type() {
        let gold = spans_from_iob(&["I-PER", "I-PER", "O", "I-LOC", "I-ORG"]);
        // One right, one with the wrong extent, one with the wrong type.
        let predicted = spans_from_iob(&["I-PER", "I-PER", "O", "I-LOC", "I-MISC"]);
        let partial = spans_from_iob(&["I-PER", "O", "O", "O", "O"]);
        let mut s = Score::default();
        s.add(&predicted, &gold);
        assert_eq!(
            s.overall,
            Counts {
                correct: 2,
                predicted: 3,
                gold: 3
            }
        );
        assert_eq!(
            s.per_type[3],
            Counts {
                correct: 0,
                predicted: 1,
                gold: 0
            }
        );
        let mut p = Score::default();
        p.add(&partial, &gold);
        assert_eq!(p.overall.correct, 0);
        assert!((s.overall.f1() - 66.666).abs() < 0.01);
        assert!(s.table().contains("overall"));
    }
}
