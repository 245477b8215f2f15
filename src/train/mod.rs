//! Training commands: build the statistical models the pipeline embeds.
//!
//! - [`ner`]: the two-pass entity tagger, from a CoNLL-format corpus.
//! - [`brown`]: Brown word clusters of unlabelled text, a resource of the
//!   tagger.
//! - [`quotes`]: the speaker ranker of the quotation stage, from PolNeAR.
//! - [`cues`]: the cue detector of the quotation stage, from PolNeAR.
//! - [`speech`]: the speech filter of the quotation stage, from PolNeAR.
//! - [`content`]: the main-content scorer of the HTML path, from the
//!   trafilatura evaluation set.
//! - [`text_content`]: the block classifier of the plain-text cleaner,
//!   from the same set flattened to text.

mod averaged;
pub mod brown;
pub mod content;
pub mod cues;
pub mod ner;
pub mod polnear;
pub mod quotes;
pub mod speech;
pub mod text_content;

use crate::cli::{TrainArgs, TrainTask};
use crate::eval::EvalError;

/// Writes a model file.
fn write_model(path: &std::path::Path, bytes: &[u8]) -> Result<(), EvalError> {
    std::fs::write(path, bytes).map_err(|source| EvalError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Runs `newsenrich train`, writing progress and the result to `out`.
pub fn run(args: &TrainArgs, out: &mut dyn std::io::Write) -> Result<(), EvalError> {
    match &args.task {
        TrainTask::Ner(ner_args) => ner::run_command(ner_args, out),
        TrainTask::Clusters(clusters_args) => brown::run_command(clusters_args, out),
        TrainTask::Quotes(quotes_args) => quotes::run_command(quotes_args, out),
        TrainTask::Cues(cues_args) => cues::run_command(cues_args, out),
        TrainTask::Speech(speech_args) => speech::run_command(speech_args, out),
        TrainTask::Content(content_args) => content::run_command(content_args, out),
        TrainTask::TextContent(text_args) => text_content::run_command(text_args, out),
    }
}
