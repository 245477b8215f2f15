//! Brown clusters of unlabelled news, a feature of the entity tagger:
//! each word's path in a binary merge tree, whose prefixes are classes
//! from coarse to fine (Ratinov & Roth 2009 use prefixes of 4, 6, 10 and
//! 20 bits). `newsenrich train clusters` learns them from news text (see
//! `src/train/brown.rs` and `data/brown/README.md`); the table is embedded
//! in the binary and parsed without copying the words.

use std::sync::LazyLock;

use rustc_hash::FxHashMap;

/// The embedded table: `path<TAB>word<TAB>count` lines.
pub const PATHS: &str = include_str!("../../../data/brown/paths.txt");

/// A word's path: its bits, the first step in the highest used bit, and
/// its length (at most 64).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BrownPath {
    bits: u64,
    len: u8,
}

impl BrownPath {
    /// Parses a string of `0` and `1`; `None` for anything else or more
    /// than 64 steps.
    pub fn parse(path: &str) -> Option<BrownPath> {
        if path.is_empty() || path.len() > 64 {
            return None;
        }
        let mut bits = 0u64;
        for b in path.bytes() {
            bits = (bits << 1)
                | match b {
                    b'0' => 0,
                    b'1' => 1,
                    _ => return None,
                };
        }
        Some(BrownPath {
            bits,
            len: path.len() as u8,
        })
    }

    /// The first `n` steps (the whole path when it is shorter), packed
    /// with their length so prefixes of different lengths differ.
    pub fn prefix(self, n: u8) -> u64 {
        let len = self.len.min(n);
        ((self.bits >> (self.len - len)) << 8) | u64::from(len)
    }
}

/// The word -> path table.
#[derive(Debug, Default)]
pub struct BrownClusters {
    words: FxHashMap<&'static str, BrownPath>,
}

impl BrownClusters {
    /// The embedded table, parsed once.
    pub fn embedded() -> &'static BrownClusters {
        static TABLE: LazyLock<BrownClusters> = LazyLock::new(|| BrownClusters::parse(PATHS));
        &TABLE
    }

    /// Parses `path<TAB>word<TAB>count` lines; malformed lines are skipped.
    pub fn parse(text: &'static str) -> BrownClusters {
        let mut words = FxHashMap::with_capacity_and_hasher(text.len() / 24, Default::default());
        for line in text.lines() {
            let mut cols = line.split('\t');
            if let (Some(path), Some(word)) = (cols.next(), cols.next())
                && let Some(path) = BrownPath::parse(path)
            {
                words.insert(word, path);
            }
        }
        BrownClusters { words }
    }

    /// The path of `word` as written, else of its lower-cased form
    /// `lower`.
    pub fn get_lower(&self, word: &str, lower: &str) -> Option<BrownPath> {
        self.words
            .get(word)
            .or_else(|| self.words.get(lower))
            .copied()
    }

    /// Every word and its path.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, BrownPath)> + '_ {
        self.words.iter().map(|(&w, &p)| (w, p))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_the_first_steps_and_short_paths_stay_whole() {
        let p = BrownPath::parse("1011").expect("valid");
        assert_eq!(
            p.prefix(2),
            BrownPath::parse("10").expect("valid").prefix(2)
        );
        assert_eq!(p.prefix(4), p.prefix(20));
        assert_ne!(
            p.prefix(3),
            BrownPath::parse("100").expect("valid").prefix(3)
        );
        // A prefix of length 2 differs from a whole path of length 2 only
        // when the bits differ.
        assert_ne!(
            p.prefix(2),
            BrownPath::parse("01").expect("valid").prefix(2)
        );
        assert_eq!(BrownPath::parse("10x"), None);
        assert_eq!(BrownPath::parse(""), None);
    }

    #[test]
    fn lookup_tries_the_written_form_then_lower_case() {
        let t = BrownClusters::parse("0\tApple\t9\n1\tapple\t5\nbad\n10\tsaid\t99\n");
        assert_eq!(t.len(), 3);
        assert_eq!(t.get_lower("Apple", "apple"), BrownPath::parse("0"));
        assert_eq!(t.get_lower("SAID", "said"), BrownPath::parse("10"));
        assert_eq!(t.get_lower("Zelensky", "zelensky"), None);
    }
}
