//! Gazetteers: the name lists of `data/gazetteers/` (built from registry
//! packages by `scripts/build_gazetteers.py`, embedded in the binary), and
//! matching them against a token sequence.
//!
//! Matching is case-insensitive and longest-first: for every list, each
//! token learns its BILOU position in the longest phrase of that list that
//! covers it (leftmost match first). The tagger turns those positions into
//! features; how much to trust a list, and in which casing, is learned.

use std::sync::LazyLock;

use rustc_hash::FxHashMap;

use super::labels::Position;

/// The embedded lists: (name, file contents). One entry per line; lines
/// starting with `#` are comments.
pub const EMBEDDED: &[(&str, &str)] = &[
    (
        "countries",
        include_str!("../../../data/gazetteers/countries.txt"),
    ),
    (
        "cities",
        include_str!("../../../data/gazetteers/cities.txt"),
    ),
    (
        "regions",
        include_str!("../../../data/gazetteers/regions.txt"),
    ),
    (
        "demonyms",
        include_str!("../../../data/gazetteers/demonyms.txt"),
    ),
    (
        "given_names",
        include_str!("../../../data/gazetteers/given_names.txt"),
    ),
    (
        "surnames",
        include_str!("../../../data/gazetteers/surnames.txt"),
    ),
    (
        "org_suffixes",
        include_str!("../../../data/gazetteers/org_suffixes.txt"),
    ),
    (
        "org_words",
        include_str!("../../../data/gazetteers/org_words.txt"),
    ),
    (
        "news_agencies",
        include_str!("../../../data/gazetteers/news_agencies.txt"),
    ),
    (
        "common_words",
        include_str!("../../../data/gazetteers/common_words.txt"),
    ),
];

/// Longest phrase matched, in tokens.
const MAX_PHRASE_TOKENS: usize = 6;

/// Bit of a phrase-table value saying that longer entries start with the
/// phrase (the other 31 bits are lists).
const PREFIX: u32 = 1 << 31;

/// A set of named phrase lists (at most 31).
#[derive(Debug, Default)]
pub struct Gazetteers {
    names: Vec<String>,
    /// Lower-cased phrase (tokens joined by one space) -> bit set of lists.
    phrases: FxHashMap<String, u32>,
    /// Longest phrase, in tokens.
    max_tokens: usize,
}

/// The matches covering one token: (list index, position in the phrase).
pub type TokenMatches = smallvec::SmallVec<[(u8, Position); 6]>;

impl Gazetteers {
    /// The lists embedded in the binary, parsed once.
    pub fn embedded() -> &'static Gazetteers {
        static GAZETTEERS: LazyLock<Gazetteers> =
            LazyLock::new(|| Gazetteers::from_lists(EMBEDDED));
        &GAZETTEERS
    }

    /// Lists from (name, contents) pairs; see [`EMBEDDED`] for the format.
    /// Entries longer than six tokens, or with commas or brackets (formal
    /// forms such as "Korea, Republic of"), are skipped.
    pub fn from_lists(lists: &[(&str, &str)]) -> Gazetteers {
        let mut g = Gazetteers::default();
        for (index, (name, contents)) in lists.iter().take(31).enumerate() {
            g.names.push((*name).to_owned());
            for line in contents.lines() {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') || line.contains([',', '(', ')']) {
                    continue;
                }
                let tokens: Vec<String> = line.split_whitespace().map(str::to_lowercase).collect();
                if tokens.len() > MAX_PHRASE_TOKENS {
                    continue;
                }
                g.max_tokens = g.max_tokens.max(tokens.len());
                *g.phrases.entry(tokens.join(" ")).or_default() |= 1 << index;
                // Every shorter start of the phrase is marked, so matching
                // stops extending a phrase as soon as no entry starts so.
                for k in 1..tokens.len() {
                    *g.phrases.entry(tokens[..k].join(" ")).or_default() |= PREFIX;
                }
            }
        }
        g
    }

    /// The list names, in index order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Bit set of the lists holding `phrase` (case-insensitive; tokens
    /// separated by single spaces).
    pub fn lists_of(&self, phrase: &str) -> u32 {
        let lower = phrase.to_lowercase();
        self.phrases.get(lower.as_str()).copied().unwrap_or(0) & !PREFIX
    }

    /// For each of `tokens`, the lists whose longest leftmost match covers
    /// it, with the token's position in that match.
    pub fn annotate<S: AsRef<str>>(&self, tokens: &[S]) -> Vec<TokenMatches> {
        let lower: Vec<String> = tokens.iter().map(|t| t.as_ref().to_lowercase()).collect();
        self.annotate_lower(&lower)
    }

    /// [`Gazetteers::annotate`] for tokens already lower-cased.
    pub fn annotate_lower<S: AsRef<str>>(&self, lower: &[S]) -> Vec<TokenMatches> {
        let mut out: Vec<TokenMatches> = vec![TokenMatches::new(); lower.len()];
        // Per list, the token up to which a match already covers.
        let mut covered_until = [0usize; 32];
        let mut key = String::new();
        for start in 0..lower.len() {
            if !lower[start]
                .as_ref()
                .chars()
                .next()
                .is_some_and(char::is_alphanumeric)
            {
                continue;
            }
            // The phrases starting here, shortest first: extend while some
            // entry starts with the tokens so far.
            let longest = self.max_tokens.min(lower.len() - start);
            let mut hits = [0u32; MAX_PHRASE_TOKENS + 1];
            key.clear();
            for len in 1..=longest {
                if len > 1 {
                    key.push(' ');
                }
                key.push_str(lower[start + len - 1].as_ref());
                let Some(&lists) = self.phrases.get(key.as_str()) else {
                    break;
                };
                hits[len] = lists & !PREFIX;
                if lists & PREFIX == 0 {
                    break;
                }
            }
            let mut found: u32 = 0;
            for len in (1..=longest).rev() {
                let lists = hits[len];
                if lists == 0 {
                    continue;
                }
                // Only lists without a longer match from this start.
                let new = lists & !found;
                found |= lists;
                let lists = covered_until.iter_mut().enumerate().take(self.names.len());
                for (list, covered) in lists {
                    if new & (1 << list) == 0 || *covered > start {
                        continue;
                    }
                    *covered = start + len;
                    for (k, matches) in out[start..start + len].iter_mut().enumerate() {
                        let position = match (k, len) {
                            (_, 1) => Position::Unit,
                            (0, _) => Position::Begin,
                            (k, len) if k + 1 == len => Position::Last,
                            _ => Position::Inside,
                        };
                        matches.push((list as u8, position));
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Gazetteers {
        Gazetteers::from_lists(&[
            ("cities", "# comment\nNew York\nYork\nKyiv\n"),
            ("countries", "United States\nKorea, Republic of\n"),
            ("given_names", "Vladimir\n"),
        ])
    }

    #[test]
    fn longest_match_wins_per_list() {
        let g = sample();
        let m = g.annotate(&["in", "NEW", "York", "and", "kyiv"]);
        assert!(m[0].is_empty());
        assert_eq!(m[1].as_slice(), [(0, Position::Begin)]);
        assert_eq!(m[2].as_slice(), [(0, Position::Last)]);
        assert_eq!(m[4].as_slice(), [(0, Position::Unit)]);
    }

    #[test]
    fn lists_are_independent_and_formal_forms_skipped() {
        let g = sample();
        assert_eq!(g.lists_of("united states"), 0b010);
        assert_eq!(g.lists_of("Korea, Republic of"), 0);
        let m = g.annotate(&["Vladimir", "visited", "the", "United", "States"]);
        assert_eq!(m[0].as_slice(), [(2, Position::Unit)]);
        assert_eq!(m[3].as_slice(), [(1, Position::Begin)]);
        assert_eq!(m[4].as_slice(), [(1, Position::Last)]);
    }

    #[test]
    fn embedded_lists_load() {
        let g = Gazetteers::embedded();
        assert_eq!(g.names().len(), EMBEDDED.len());
        assert_ne!(g.lists_of("germany"), 0);
        assert_ne!(g.lists_of("reuters"), 0);
    }
}
