//! The SimHash fingerprint of an article's clean text, for near-duplicate
//! detection: texts that differ in a few words have fingerprints that
//! differ in a few bits ([`hamming`]).
//!
//! The definition is part of the API (clients store fingerprints and
//! compare them across releases) and is pinned by a golden test; changing
//! it needs a version bump:
//!
//! - words are maximal runs of alphanumeric characters
//!   ([`char::is_alphanumeric`]), lower-cased with [`char::to_lowercase`];
//! - features are word 3-shingles (the three words joined by a single
//!   space), or the words themselves when the text has fewer than three
//!   words;
//! - each feature is hashed with XXH3-64 (seed 0) of its UTF-8 bytes;
//! - bit `i` of the fingerprint is set when more features have bit `i` set
//!   than not (ties leave it unset); a text without words hashes to 0.

use xxhash_rust::xxh3::xxh3_64;

/// 64-bit SimHash of `text` (see the module documentation).
pub fn simhash(text: &str) -> u64 {
    let mut state = State {
        recent: Default::default(),
        words: 0,
        shingle: String::new(),
        features: 0,
        set_bits: [0; 64],
    };
    let mut word = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() {
            if c.is_ascii() {
                word.push(c.to_ascii_lowercase());
            } else {
                word.extend(c.to_lowercase());
            }
        } else if !word.is_empty() {
            state.push_word(&word);
            word.clear();
        }
    }
    if !word.is_empty() {
        state.push_word(&word);
    }
    state.finish()
}

/// Number of differing bits.
pub fn hamming(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

/// The running sums of a SimHash.
struct State {
    /// The last three words, `recent[words % 3]` the oldest; the Strings
    /// keep their capacity, so a long text allocates only a few times.
    recent: [String; 3],
    /// Words seen.
    words: usize,
    /// The current shingle.
    shingle: String,
    /// Features hashed.
    features: u64,
    /// Per bit: features with the bit set.
    set_bits: [u64; 64],
}

impl State {
    fn push_word(&mut self, word: &str) {
        let slot = &mut self.recent[self.words % 3];
        slot.clear();
        slot.push_str(word);
        self.words += 1;
        if self.words >= 3 {
            let oldest = self.words % 3;
            self.shingle.clear();
            for k in 0..3 {
                if k > 0 {
                    self.shingle.push(' ');
                }
                self.shingle.push_str(&self.recent[(oldest + k) % 3]);
            }
            self.add(xxh3_64(self.shingle.as_bytes()));
        }
    }

    fn finish(mut self) -> u64 {
        if self.words < 3 {
            // Fewer than three words: they are the features (in slots 0, 1).
            for k in 0..self.words {
                self.add(xxh3_64(self.recent[k].as_bytes()));
            }
        }
        // Set where more features have the bit than not (ties: unset).
        self.set_bits
            .iter()
            .enumerate()
            .filter(|&(_, &set)| set > self.features - set)
            .fold(0, |hash, (bit, _)| hash | (1 << bit))
    }

    /// Counts one feature's hash (branch-free, so it vectorises).
    fn add(&mut self, hash: u64) {
        self.features += 1;
        for (bit, set) in self.set_bits.iter_mut().enumerate() {
            *set += hash >> bit & 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reference implementation that follows the documented definition
    /// literally, with allocations.
    fn reference(text: &str) -> u64 {
        let words: Vec<String> = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| w.chars().flat_map(char::to_lowercase).collect())
            .collect();
        let features: Vec<String> = if words.len() < 3 {
            words
        } else {
            words.windows(3).map(|w| w.join(" ")).collect()
        };
        let mut hash = 0u64;
        for bit in 0..64 {
            let set = features
                .iter()
                .filter(|f| xxh3_64(f.as_bytes()) >> bit & 1 == 1)
                .count();
            if set * 2 > features.len() {
                hash |= 1 << bit;
            }
        }
        hash
    }

    #[test]
    fn golden_values() {
        // These constants pin the documented definition: if this test
        // fails, the fingerprint changed and needs a version bump.
        assert_eq!(
            simhash("The quick brown fox jumps over the lazy dog."),
            GOLDEN_FOX
        );
        assert_eq!(
            simhash("Ökonomen erwarten für 2025 ein Wachstum von 1,5 Prozent — „mindestens“."),
            GOLDEN_UNICODE
        );
    }

    const GOLDEN_FOX: u64 = 0x5CC1_C8EF_C0C9_B905;
    const GOLDEN_UNICODE: u64 = 0x161B_2C0B_1E8B_28A1;

    #[test]
    fn matches_the_reference_definition() {
        for text in [
            "",
            "one",
            "two words",
            "exactly three words",
            "İstanbul ΣΊΣΥΦΟΣ straße DŽungla ǅ 日本語のテキスト ١٢٣ x²",
            "The quick brown fox jumps over the lazy dog. The quick brown fox!",
        ] {
            assert_eq!(simhash(text), reference(text), "{text:?}");
        }
    }

    #[test]
    fn case_and_punctuation_do_not_matter() {
        assert_eq!(simhash("Hello, World!"), simhash("hello world"));
        assert_eq!(
            simhash("“Stocks FELL,” she said — sharply."),
            simhash("stocks fell she said sharply")
        );
    }

    #[test]
    fn no_words_hash_to_zero() {
        assert_eq!(simhash(""), 0);
        assert_eq!(simhash("  ... — !!! “” \n"), 0);
    }

    #[test]
    fn few_words_use_the_words_as_features() {
        assert_eq!(simhash("word"), xxh3_64(b"word"));
        assert_eq!(simhash("Word."), xxh3_64(b"word"));
        // Two features: a bit is set only where both agree.
        assert_eq!(simhash("alpha beta"), xxh3_64(b"alpha") & xxh3_64(b"beta"));
        // Three words: one shingle.
        assert_eq!(simhash("a b c"), xxh3_64(b"a b c"));
    }

    #[test]
    fn hamming_counts_differing_bits() {
        assert_eq!(hamming(0, 0), 0);
        assert_eq!(hamming(0, u64::MAX), 64);
        assert_eq!(hamming(0b1011, 0b0110), 3);
    }

    #[test]
    fn near_duplicates_are_close() {
        let original = "The city council voted on Tuesday evening to approve a new budget \
            that increases spending on public transport and road repairs while cutting \
            administrative costs across several departments, according to officials who \
            spoke after the meeting. The mayor said the plan would be reviewed again in \
            the spring once updated revenue figures become available from the state capital next week.";
        let edited = original.replace("Tuesday", "Wednesday");
        let unrelated = "Scientists studying coral reefs off the northern coast reported \
            that warmer water temperatures this summer caused widespread bleaching, \
            although some colonies showed signs of recovery by autumn. Researchers plan \
            to return next year with underwater drones to map the damage in detail and \
            measure how quickly the affected reefs regrow after the heat wave.";
        assert_eq!(original.split_whitespace().count(), 60);
        let near = hamming(simhash(original), simhash(&edited));
        let far = hamming(simhash(original), simhash(unrelated));
        assert!(near > 0, "one changed word changes some shingles");
        assert!(near <= 12, "near-duplicate distance {near}");
        assert!(far >= 20, "unrelated distance {far}");
        assert!(near * 2 < far, "near {near} vs far {far}");
    }
}
