//! Word clusters: lexical classes learnt from unlabelled text, a feature of
//! the entity tagger (Ratinov & Roth 2009 used Brown clusters the same way).
//! A name the training data never had ("Zelensky") shares a class with
//! names it had, so the tagger generalises past its training vocabulary.
//!
//! The classes come from the word vectors of spaCy's `en_core_web_md`
//! (CC0 vectors from web, Wikipedia and news text), pruned there to 20,000
//! rows; `scripts/build_word_clusters.py` writes the word -> row table and
//! spherical k-means classes of the rows at four granularities to
//! `data/clusters/`, which are embedded in the binary. The tables are
//! parsed without copying: keys borrow from the embedded text.

use std::sync::LazyLock;

use rustc_hash::FxHashMap;

/// Number of granularities per word: the row itself and four k-means
/// levels (32, 128, 512, 2048 classes).
pub const LEVELS: usize = 5;

/// The classes of one word, coarse to fine; the last is the vector row.
pub type Classes = [u16; LEVELS];

pub const WORDS: &str = include_str!("../../../data/clusters/words.txt");
pub const ROWS: &str = include_str!("../../../data/clusters/rows.txt");

/// The word classes of one token: the vector classes above and its Brown
/// path ([`super::brown`]), each `None` when the word is not in the table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TokenClusters {
    /// Vector classes, coarse to fine.
    pub vectors: Option<Classes>,
    /// Path in the Brown merge tree.
    pub brown: Option<super::brown::BrownPath>,
}

/// The word -> classes table.
#[derive(Debug, Default)]
pub struct WordClusters {
    words: FxHashMap<&'static str, u16>,
    rows: Vec<[u16; LEVELS - 1]>,
}

impl WordClusters {
    /// The embedded tables, parsed once.
    pub fn embedded() -> &'static WordClusters {
        static CLUSTERS: LazyLock<WordClusters> =
            LazyLock::new(|| WordClusters::parse(WORDS, ROWS));
        &CLUSTERS
    }

    /// Parses the two tables (`word<TAB>row` and `row<TAB>c c c c`);
    /// malformed lines are skipped.
    pub fn parse(words: &'static str, rows: &str) -> WordClusters {
        let mut table: Vec<[u16; LEVELS - 1]> = Vec::new();
        for line in rows.lines().filter(|l| !l.starts_with('#')) {
            let Some((row, classes)) = line.split_once('\t') else {
                continue;
            };
            let (Ok(row), mut parsed) = (row.parse::<usize>(), [0u16; LEVELS - 1]) else {
                continue;
            };
            for (slot, c) in parsed.iter_mut().zip(classes.split(' ')) {
                *slot = c.parse().unwrap_or(0);
            }
            if table.len() <= row {
                table.resize(row + 1, [0; LEVELS - 1]);
            }
            table[row] = parsed;
        }
        let mut map = FxHashMap::with_capacity_and_hasher(words.len() / 14, Default::default());
        for line in words.lines().filter(|l| !l.starts_with('#')) {
            if let Some((word, row)) = line.split_once('\t')
                && let Ok(row) = row.parse::<u16>()
                && usize::from(row) < table.len()
            {
                map.insert(word, row);
            }
        }
        WordClusters {
            words: map,
            rows: table,
        }
    }

    /// The classes of `word`: looked up as written, then in lower case.
    pub fn get(&self, word: &str) -> Option<Classes> {
        if self.words.contains_key(word) || !word.chars().any(char::is_uppercase) {
            return self.get_lower(word, word);
        }
        self.get_lower(word, &word.to_lowercase())
    }

    /// [`WordClusters::get`] when the caller has `word` lower-cased too.
    pub fn get_lower(&self, word: &str, lower: &str) -> Option<Classes> {
        self.classes(*self.words.get(word).or_else(|| self.words.get(lower))?)
    }

    /// The classes of a row.
    fn classes(&self, row: u16) -> Option<Classes> {
        let c = self.rows.get(usize::from(row))?;
        Some([c[0], c[1], c[2], c[3], row])
    }

    /// Number of words in the table.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }
}

/// Both cluster tables in one map by written form, what the tagger looks
/// words up in: a token's clusters cost one lookup (two when the written
/// form lacks one of them and its lower-case form differs) instead of two
/// to four, and the separate tables are not kept.
#[derive(Debug, Default)]
pub struct Lexicon {
    words: FxHashMap<&'static str, TokenClusters>,
}

impl Lexicon {
    /// The embedded tables, merged once.
    pub fn embedded() -> &'static Lexicon {
        static LEXICON: LazyLock<Lexicon> = LazyLock::new(|| {
            Lexicon::new(
                &WordClusters::parse(WORDS, ROWS),
                &super::brown::BrownClusters::parse(super::brown::PATHS),
            )
        });
        &LEXICON
    }

    /// Merges a vector-class table and a Brown table.
    pub fn new(vectors: &WordClusters, brown: &super::brown::BrownClusters) -> Lexicon {
        let mut words: FxHashMap<&'static str, TokenClusters> =
            FxHashMap::with_capacity_and_hasher(vectors.len() + brown.len(), Default::default());
        for (&word, &row) in &vectors.words {
            words.entry(word).or_default().vectors = vectors.classes(row);
        }
        for (word, path) in brown.iter() {
            words.entry(word).or_default().brown = Some(path);
        }
        Lexicon { words }
    }

    /// The clusters of a word written `word`, `lower` lower-cased: per
    /// table, the written form's entry, else the lower-case form's (as
    /// [`WordClusters::get_lower`] and
    /// [`super::brown::BrownClusters::get_lower`] each give them).
    pub fn get_lower(&self, word: &str, lower: &str) -> TokenClusters {
        let mut clusters = self.words.get(word).copied().unwrap_or_default();
        if (clusters.vectors.is_none() || clusters.brown.is_none())
            && word != lower
            && let Some(l) = self.words.get(lower)
        {
            clusters.vectors = clusters.vectors.or(l.vectors);
            clusters.brown = clusters.brown.or(l.brown);
        }
        clusters
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_tries_the_written_form_then_lower_case() {
        let c = WordClusters::parse(
            "# header\nUS\t1\nputin\t0\nus\t2\nbad line\n",
            "# header\n0\t3 4 5 6\n1\t7 8 9 10\n2\t1 1 1 1\n",
        );
        assert_eq!(c.len(), 3);
        assert_eq!(c.get("Putin"), Some([3, 4, 5, 6, 0]));
        assert_eq!(c.get("putin"), Some([3, 4, 5, 6, 0]));
        // A cased form with its own row wins over the lower-case one.
        assert_eq!(c.get("US"), Some([7, 8, 9, 10, 1]));
        assert_eq!(c.get("us"), Some([1, 1, 1, 1, 2]));
        assert_eq!(c.get("zelensky"), None);
    }

    #[test]
    fn the_lexicon_gives_what_each_table_gives() {
        use super::super::brown::BrownClusters;
        let vectors = WordClusters::parse(
            "US\t1\nputin\t0\nus\t2\n",
            "0\t3 4 5 6\n1\t7 8 9 10\n2\t1 1 1 1\n",
        );
        let brown = BrownClusters::parse("10\tPutin\t5\n0110\tus\t9\n111\tkyiv\t3\n");
        let lexicon = Lexicon::new(&vectors, &brown);
        for (word, lower) in [
            ("Putin", "putin"),
            ("putin", "putin"),
            ("US", "us"),
            ("us", "us"),
            ("Kyiv", "kyiv"),
            ("Zelensky", "zelensky"),
        ] {
            let expected = TokenClusters {
                vectors: vectors.get_lower(word, lower),
                brown: brown.get_lower(word, lower),
            };
            assert_eq!(lexicon.get_lower(word, lower), expected, "{word}");
        }
        // Written form first, per table: "Putin" has its own Brown path but
        // takes its vector classes from "putin".
        let putin = lexicon.get_lower("Putin", "putin");
        assert_eq!(putin.vectors, Some([3, 4, 5, 6, 0]));
        assert_eq!(putin.brown, brown.get_lower("Putin", "x"));
        assert!(lexicon.get_lower("Zelensky", "zelensky").vectors.is_none());
    }

    #[test]
    fn embedded_tables_put_names_with_names() {
        let c = WordClusters::embedded();
        assert!(c.len() > 100_000, "{} words", c.len());
        let class = |w: &str| c.get(w).unwrap_or_else(|| panic!("{w} is listed"));
        let (berlin, paris, said, told) = (
            class("Berlin"),
            class("Paris"),
            class("said"),
            class("told"),
        );
        // Two capitals share a class at k = 2048, and so do two reporting
        // verbs; a capital and a verb differ already at k = 32.
        assert_eq!(berlin[3], paris[3]);
        assert_eq!(said[3], told[3]);
        assert_ne!(berlin[0], said[0]);
    }
}
