//! CoNLL-2003 files: one token per line (`TOKEN POS CHUNK NER`), a blank
//! line between sentences, `-DOCSTART-` lines between documents. Also
//! reads any CoNLL-style file whose last column is the entity tag (IOB1 or
//! IOB2), so users can train and evaluate on their own corpora.

use std::path::Path;

use super::EvalError;

/// One sentence: its tokens and their entity tags as written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sentence {
    /// Tokens.
    pub words: Vec<String>,
    /// Tags (`O`, `I-PER`, `B-LOC`, ...).
    pub tags: Vec<String>,
}

/// One document: its sentences.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Doc {
    /// Sentences.
    pub sentences: Vec<Sentence>,
}

/// Parses CoNLL text (`#` lines before the first token are a header); a line with one column, or a tag that is neither
/// `O` nor `X-TYPE`, is an error naming the line.
pub fn parse(text: &str) -> Result<Vec<Doc>, String> {
    let mut docs = vec![Doc::default()];
    let mut sentence = Sentence::default();
    let flush = |sentence: &mut Sentence, docs: &mut Vec<Doc>| {
        if !sentence.words.is_empty()
            && let Some(doc) = docs.last_mut()
        {
            doc.sentences.push(std::mem::take(sentence));
        }
    };
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_end();
        if line.is_empty() {
            flush(&mut sentence, &mut docs);
            continue;
        }
        // A header of `#` lines before the first token (the GMB file has
        // one) is a comment.
        let started = !sentence.words.is_empty() || docs.iter().any(|d| !d.sentences.is_empty());
        if !started && line.starts_with('#') {
            continue;
        }
        if line.starts_with("-DOCSTART-") {
            flush(&mut sentence, &mut docs);
            if docs.last().is_some_and(|d| !d.sentences.is_empty()) {
                docs.push(Doc::default());
            }
            continue;
        }
        let mut cols = line.split_whitespace();
        let (Some(word), Some(tag)) = (cols.next(), line.split_whitespace().last()) else {
            continue;
        };
        if cols.next().is_none() {
            return Err(format!(
                "line {}: expected a token and a tag: {line:?}",
                n + 1
            ));
        }
        let valid = tag == "O"
            || tag.split_once('-').is_some_and(|(p, t)| {
                matches!(p, "B" | "I" | "E" | "S" | "L" | "U") && !t.is_empty()
            });
        if !valid {
            return Err(format!("line {}: {tag:?} is not an entity tag", n + 1));
        }
        sentence.words.push(word.to_owned());
        sentence.tags.push(tag.to_owned());
    }
    flush(&mut sentence, &mut docs);
    docs.retain(|d| !d.sentences.is_empty());
    Ok(docs)
}

/// Reads and parses a CoNLL file.
pub fn read(path: &Path) -> Result<Vec<Doc>, EvalError> {
    let text = std::fs::read_to_string(path).map_err(|source| EvalError::Io {
        path: path.to_owned(),
        source,
    })?;
    parse(&text).map_err(|problem| EvalError::Format {
        path: path.to_owned(),
        problem,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_before_the_first_token_is_skipped_but_hash_tokens_are_kept() {
        let text = "# a corpus, columns: TOKEN POS IOB-TAG; no document breaks\n\n\
                    London NNP B-geo\n\n# NN O\n";
        let docs = parse(text).expect("parses");
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].sentences.len(), 2);
        assert_eq!(docs[0].sentences[0].tags, ["B-geo"]);
        assert_eq!(docs[0].sentences[1].words, ["#"]);
    }

    #[test]
    fn documents_sentences_and_tags() {
        let text = "-DOCSTART- -X- O O\n\nEU NNP I-NP I-ORG\nrejects VBZ I-VP O\n\n\
                    Peter NNP I-NP I-PER\n\n-DOCSTART- -X- O O\n\nBonn NNP I-NP I-LOC\n";
        let docs = parse(text).expect("parses");
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].sentences.len(), 2);
        assert_eq!(docs[0].sentences[0].words, ["EU", "rejects"]);
        assert_eq!(docs[0].sentences[0].tags, ["I-ORG", "O"]);
        assert_eq!(docs[1].sentences[0].tags, ["I-LOC"]);
    }

    #[test]
    fn bad_lines_name_the_line() {
        let err = parse("EU\n").expect_err("one column");
        assert!(err.starts_with("line 1"), "{err}");
        let err = parse("EU NNP PERSON\n").expect_err("bad tag");
        assert!(err.contains("PERSON"), "{err}");
    }
}
