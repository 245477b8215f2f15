//! `newsenrich train word-classes`: the words that are never nouns and
//! those that are never verbs, read off part-of-speech-tagged corpora, for
//! the quotation stage's check that a speaker is something that can speak
//! (`quotes::speaker::can_speak`: "Eventually", "provide additional", "the
//! stark" are no speakers) and that a learned cue is a verb
//! (`View::never_a_verb`: "now", "already", "since" report no speech).
//!
//! A word (lower-cased, letters, apostrophes and hyphens only) is listed
//! when it occurs at least `--min-count` times in the corpora and at most
//! `--max-noun-share` of its occurrences are tagged as a noun or a pronoun
//! (NN, NNS, NNP, NNPS, PRP, WP, FW): adverbs, adjectives, verbs, numbers
//! written out, determiners, prepositions. The share allows for tagging
//! slips; a word tagged a noun more often than that ("official", "chief")
//! stays out of the list. The output is sorted, one word a line after a
//! header saying how it was made, so a rebuild is byte for byte the same.
//! The second list is made the same way with the verb tags (VB, VBD, VBG,
//! VBN, VBP, VBZ, MD) and `--max-verb-share`.

use std::collections::BTreeSet;
use std::io::BufRead;
use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;

use crate::eval::EvalError;

/// Flags of `newsenrich train word-classes`.
#[derive(Debug, clap::Args)]
pub struct TrainWordClassesArgs {
    /// A part-of-speech-tagged corpus: one token a line, the word in the
    /// first column and its Penn Treebank tag in the second (CoNLL-2003's
    /// `eng.train`, GMB's `ner_dataset.conll`); blank lines, `#` comments
    /// and `-DOCSTART-` lines are skipped. Repeat for several corpora.
    #[arg(long, required = true)]
    pub tagged: Vec<PathBuf>,
    /// Words seen fewer times than this are left out.
    #[arg(long, default_value_t = 3)]
    pub min_count: u32,
    /// The largest share of a listed word's occurrences tagged as a noun.
    #[arg(long, default_value_t = 0.01)]
    pub max_noun_share: f64,
    /// Where to write the list.
    #[arg(long, default_value = "data/words/not-nouns.txt")]
    pub out: PathBuf,
    /// The largest share of a word's occurrences tagged as a verb for the
    /// list of words that are never verbs.
    #[arg(long, default_value_t = 0.01)]
    pub max_verb_share: f64,
    /// Where to write the list of words that are never verbs.
    #[arg(long, default_value = "data/words/not-verbs.txt")]
    pub verbs_out: PathBuf,
}

/// Tags of nouns and of the pronouns that can stand for one.
const NOUN_TAGS: &[&str] = &["NN", "NNS", "NNP", "NNPS", "PRP", "WP", "FW"];

/// Tags of verbs, modals included.
const VERB_TAGS: &[&str] = &["VB", "VBD", "VBG", "VBN", "VBP", "VBZ", "MD"];

/// Per word: occurrences, those tagged as a noun and those tagged as a
/// verb.
type Counts = FxHashMap<String, (u32, u32, u32)>;

/// Adds the tokens of one tagged corpus to `counts`.
fn count(path: &Path, counts: &mut Counts) -> Result<(), EvalError> {
    let io = |source| EvalError::Io {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    for line in std::io::BufReader::new(file).lines() {
        let line = line.map_err(io)?;
        if line.starts_with('#') || line.starts_with("-DOCSTART-") {
            continue;
        }
        let mut columns = line.split_whitespace();
        let (Some(word), Some(tag)) = (columns.next(), columns.next()) else {
            continue;
        };
        add(counts, word, tag);
    }
    Ok(())
}

/// Counts one tagged token, if it is a word the list can hold.
fn add(counts: &mut Counts, word: &str, tag: &str) {
    let listable = word.starts_with(|c: char| c.is_ascii_alphabetic())
        && word
            .chars()
            .all(|c| c.is_ascii_alphabetic() || c == '\'' || c == '-');
    if !listable {
        return;
    }
    let entry = counts.entry(word.to_ascii_lowercase()).or_default();
    entry.0 += 1;
    entry.1 += u32::from(NOUN_TAGS.contains(&tag));
    entry.2 += u32::from(VERB_TAGS.contains(&tag));
}

/// The words seen at least `min_count` times whose share of occurrences
/// in the class `of` counts (nouns or verbs) is at most `max_share`,
/// sorted.
fn rarely(
    counts: &Counts,
    min_count: u32,
    max_share: f64,
    of: impl Fn(&(u32, u32, u32)) -> u32,
) -> BTreeSet<&str> {
    counts
        .iter()
        .filter(|(_, c)| c.0 >= min_count && f64::from(of(c)) <= max_share * f64::from(c.0))
        .map(|(w, _)| w.as_str())
        .collect()
}

/// The words never (or almost never) tagged as a noun, sorted.
fn not_nouns(counts: &Counts, min_count: u32, max_noun_share: f64) -> BTreeSet<&str> {
    rarely(counts, min_count, max_noun_share, |c| c.1)
}

/// The words never (or almost never) tagged as a verb, sorted.
fn not_verbs(counts: &Counts, min_count: u32, max_verb_share: f64) -> BTreeSet<&str> {
    rarely(counts, min_count, max_verb_share, |c| c.2)
}

/// A list file: a header saying what it holds and how it was made, then
/// one word a line.
fn list_text(
    what: &str,
    args: &TrainWordClassesArgs,
    share: (&str, f64),
    words: &BTreeSet<&str>,
    seen: usize,
) -> String {
    let mut text = format!(
        "# {what} Built by\n\
         # `newsenrich train word-classes` (src/train/word_classes.rs) from:\n",
    );
    for path in &args.tagged {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        text.push_str(&format!("#   {name}\n"));
    }
    text.push_str(&format!(
        "# min count {}, max {} share {}; {} of {} words.\n",
        args.min_count,
        share.0,
        share.1,
        words.len(),
        seen
    ));
    for w in words {
        text.push_str(w);
        text.push('\n');
    }
    text
}

/// Runs `newsenrich train word-classes`.
pub fn run_command(
    args: &TrainWordClassesArgs,
    out: &mut dyn std::io::Write,
) -> Result<(), EvalError> {
    let mut counts = Counts::default();
    for path in &args.tagged {
        count(path, &mut counts)?;
    }
    let nouns = not_nouns(&counts, args.min_count, args.max_noun_share);
    let text = list_text(
        "Words (lower case) never or almost never tagged as a noun or pronoun: the\n\
         # quotation stage's check that a speaker can speak.",
        args,
        ("noun", args.max_noun_share),
        &nouns,
        counts.len(),
    );
    super::write_creating_folder(&args.out, text.as_bytes())?;
    let verbs = not_verbs(&counts, args.min_count, args.max_verb_share);
    let text = list_text(
        "Words (lower case) never or almost never tagged as a verb: the quotation\n\
         # stage's check that a learned cue is a verb.",
        args,
        ("verb", args.max_verb_share),
        &verbs,
        counts.len(),
    );
    super::write_creating_folder(&args.verbs_out, text.as_bytes())?;
    writeln!(
        out,
        "wrote {} ({} words never tagged as nouns, of {}) and {} ({} never tagged as verbs)",
        args.out.display(),
        nouns.len(),
        counts.len(),
        args.verbs_out.display(),
        verbs.len(),
    )
    .map_err(EvalError::Output)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The embedded list is what the command builds from the development
    /// data beside the checkout, byte for byte (skipped without it).
    #[test]
    fn the_embedded_list_is_what_the_command_builds() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let tagged = [
            root.join("../shared/data/conll2003/eng.train"),
            root.join("../shared/data/gmb/ner_dataset.conll"),
        ];
        if let Some(missing) = tagged.iter().find(|p| !p.is_file()) {
            eprintln!(
                "skipped: {} is absent (the development data lives beside the checkout)",
                missing.display()
            );
            return;
        }
        let dir = tempfile::tempdir().expect("a temporary folder");
        let args = TrainWordClassesArgs {
            tagged: tagged.to_vec(),
            min_count: 3,
            max_noun_share: 0.01,
            out: dir.path().join("not-nouns.txt"),
            max_verb_share: 0.01,
            verbs_out: dir.path().join("not-verbs.txt"),
        };
        let mut report = Vec::new();
        run_command(&args, &mut report).expect("builds");
        let built = |path: &Path| std::fs::read_to_string(path).expect("written");
        assert_eq!(
            built(&args.out),
            include_str!("../../data/words/not-nouns.txt"),
            "rebuild data/words/not-nouns.txt with `newsenrich train word-classes`"
        );
        assert_eq!(
            built(&args.verbs_out),
            include_str!("../../data/words/not-verbs.txt"),
            "rebuild data/words/not-verbs.txt with `newsenrich train word-classes`"
        );
        assert!(String::from_utf8_lossy(&report).contains("4370 words"));
    }

    #[test]
    fn words_mostly_tagged_as_nouns_or_rare_words_are_left_out() {
        let mut counts = Counts::default();
        for _ in 0..200 {
            add(&mut counts, "Eventually", "RB");
            add(&mut counts, "official", "JJ");
        }
        // Three noun tags in 203: more than 1%, a noun it can be.
        for _ in 0..3 {
            add(&mut counts, "official", "NN");
        }
        // One slip in 201: still never a noun.
        add(&mut counts, "eventually", "NN");
        add(&mut counts, "rarely", "RB");
        add(&mut counts, "69", "CD");
        add(&mut counts, "U.S.", "NNP");
        let words = not_nouns(&counts, 3, 0.01);
        assert_eq!(words.into_iter().collect::<Vec<_>>(), vec!["eventually"]);
        assert_eq!(counts["eventually"], (201, 1, 0));
        assert!(!counts.contains_key("69") && !counts.contains_key("u.s."));
    }

    #[test]
    fn words_never_tagged_as_verbs_are_listed_and_modals_count_as_verbs() {
        let mut counts = Counts::default();
        for _ in 0..100 {
            add(&mut counts, "now", "RB");
            add(&mut counts, "says", "VBZ");
            add(&mut counts, "will", "MD");
            add(&mut counts, "statement", "NN");
        }
        // "reports" is a verb often enough ("the paper reports that").
        for _ in 0..90 {
            add(&mut counts, "reports", "NNS");
        }
        for _ in 0..10 {
            add(&mut counts, "reports", "VBZ");
        }
        let words = not_verbs(&counts, 3, 0.01);
        assert_eq!(
            words.into_iter().collect::<Vec<_>>(),
            vec!["now", "statement"]
        );
        assert_eq!(counts["will"], (100, 0, 100));
    }
}
