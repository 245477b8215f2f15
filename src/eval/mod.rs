//! Evaluation commands: measure the pipeline against annotated development
//! data that lives outside the repository (`../shared/data`).
//!
//! - [`cleaning`]: main-content extraction and boilerplate removal, scored
//!   on the trafilatura evaluation set.
//! - [`ner`]: the entity tagger, scored on a CoNLL-format file
//!   ([`conll`] reads those).
//! - [`timex`]: temporal expressions, scored on TempEval-3 TimeML data.
//! - [`quotes`]: quotations and speakers, scored on PolNeAR.

pub mod cleaning;
pub mod conll;
pub mod ner;
pub mod quotes;
pub mod timex;

pub use cleaning::EvalError;

use crate::cli::{EvalArgs, EvalTask};

/// `num / den`, 0 when `den` is 0.
pub(crate) fn ratio(num: usize, den: usize) -> f64 {
    if den == 0 {
        0.0
    } else {
        num as f64 / den as f64
    }
}

/// F1 from precision and recall (their harmonic mean), 0 when both are 0.
pub(crate) fn harmonic_f1(p: f64, r: f64) -> f64 {
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

/// Runs `newsenrich eval`, writing the report to `out`.
pub fn run(args: &EvalArgs, out: &mut dyn std::io::Write) -> Result<(), EvalError> {
    match &args.task {
        EvalTask::Cleaning(cleaning_args) => cleaning::run_command(cleaning_args, out),
        EvalTask::Ner(ner_args) => ner::run_command(ner_args, out),
        EvalTask::Timex(timex_args) => timex::run_command(timex_args, out),
        EvalTask::Quotes(args) => quotes::run_command(args, out),
    }
}
