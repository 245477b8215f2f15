//! Evaluation commands: measure the pipeline against annotated development
//! data that lives outside the repository (`../shared/data`).
//!
//! - [`cleaning`]: main-content extraction and boilerplate removal, scored
//!   on the trafilatura evaluation set.

pub mod cleaning;

use crate::cli::{EvalArgs, EvalTask};

/// Runs `newsenrich eval`, writing the report to `out`.
pub fn run(args: &EvalArgs, out: &mut dyn std::io::Write) -> Result<(), cleaning::EvalError> {
    match &args.task {
        EvalTask::Cleaning(cleaning_args) => cleaning::run_command(cleaning_args, out),
    }
}
