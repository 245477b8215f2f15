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
//! - [`word_classes`]: the words never tagged as nouns, from
//!   part-of-speech-tagged corpora, for the quotation stage's speakers.

mod averaged;
pub mod brown;
pub mod confidence;
pub mod content;
pub mod cues;
pub mod ner;
pub mod polnear;
pub mod quotes;
pub mod speech;
pub mod text_content;
pub mod word_classes;

use crate::cli::{TrainArgs, TrainTask};
use crate::eval::EvalError;

/// The fold among `k` of the item (a document, a site) with key `key`, in
/// the assignment `seed` (`--fold-seed` of the trainers): 0 is the key
/// modulo `k`, the split every documented figure was measured with; any
/// other seed deals the keys out anew.
pub(crate) fn fold_of(key: u64, k: usize, seed: u64) -> usize {
    let key = if seed == 0 {
        key
    } else {
        // A SplitMix64 finaliser of the key and the seed: each seed deals
        // the keys out independently of the others.
        let mut z = key ^ seed.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    (key % k.max(2) as u64) as usize
}

/// Writes `bytes`, the file of `model`, to `path`, and says what was
/// written.
fn write_linear(
    path: &std::path::Path,
    bytes: &[u8],
    model: &crate::pipeline::linear::LinearModel,
) -> Result<String, EvalError> {
    write_model(path, bytes)?;
    Ok(format!(
        "wrote {} ({} weights, {} bytes, version {})\n",
        path.display(),
        model.weights.len(),
        bytes.len(),
        model.version
    ))
}

/// Writes a text resource to `path`, creating its folder first (the
/// `data/...` outputs of `train clusters` and `train word-classes`).
fn write_creating_folder(path: &std::path::Path, bytes: &[u8]) -> Result<(), EvalError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| EvalError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    write_model(path, bytes)
}

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
        TrainTask::Confidence(confidence_args) => confidence::run_command(confidence_args, out),
        TrainTask::Cues(cues_args) => cues::run_command(cues_args, out),
        TrainTask::Speech(speech_args) => speech::run_command(speech_args, out),
        TrainTask::Content(content_args) => content::run_command(content_args, out),
        TrainTask::TextContent(text_args) => text_content::run_command(text_args, out),
        TrainTask::WordClasses(word_args) => word_classes::run_command(word_args, out),
    }
}

#[cfg(test)]
mod tests {
    use super::fold_of;

    #[test]
    fn fold_seeds_deal_keys_out_anew() {
        // Seed 0 is the key modulo k, the split of the documented figures.
        assert!((0..100u64).all(|key| fold_of(key, 5, 0) == (key % 5) as usize));
        for seed in 0..4 {
            // Every fold gets keys, and a key's fold depends only on it.
            let f: Vec<usize> = (0..200u64).map(|key| fold_of(key, 5, seed)).collect();
            assert!(
                (0..5).all(|k| f.iter().filter(|&&x| x == k).count() >= 20),
                "{f:?}"
            );
            assert_eq!(fold_of(7, 5, seed), f[7]);
        }
        // Another seed moves most keys to another fold.
        let moved = (0..200u64)
            .filter(|&key| fold_of(key, 5, 1) != fold_of(key, 5, 2))
            .count();
        assert!(moved > 100, "{moved}");
    }
}
