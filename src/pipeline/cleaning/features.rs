//! What the boilerplate classifier knows about one block of text: its
//! length, words, stop-word density (as in jusText: running prose is full
//! of function words, menus and link lists are not), and its shape (ends a
//! sentence, looks like a title, is capitalised like a list of names).

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use rustc_hash::FxHashSet;

/// Stop words of one language, lower-cased.
#[derive(Debug, Default)]
pub struct StopWords {
    set: FxHashSet<&'static str>,
    /// Longest word in bytes: longer words are not looked up.
    max_len: usize,
}

impl StopWords {
    /// A set of the given words.
    pub fn new(words: &[&'static str]) -> Self {
        StopWords {
            set: words.iter().copied().collect(),
            max_len: words.iter().map(|w| w.len()).max().unwrap_or(0),
        }
    }

    /// Whether `word` (lower-cased) is a stop word.
    pub fn contains(&self, word: &str) -> bool {
        word.len() <= self.max_len && self.set.contains(word)
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }
}

/// The stop-word set for a BCP-47 tag's primary language; English when the
/// language has no list. Built once per language and kept.
pub fn stop_words(language: &str) -> &'static StopWords {
    static CACHE: LazyLock<Mutex<HashMap<String, &'static StopWords>>> =
        LazyLock::new(|| Mutex::new(HashMap::new()));
    let primary = language
        .split(['-', '_'])
        .next()
        .unwrap_or("en")
        .to_ascii_lowercase();
    let mut cache = CACHE.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(set) = cache.get(&primary) {
        return set;
    }
    let words = stop_words::lookup(primary.as_str())
        .or_else(|| stop_words::lookup("en"))
        .unwrap_or(&[]);
    // Leaked once per language (a few dozen at most): the sets live as long
    // as the process, like the lists they come from.
    let set: &'static StopWords = Box::leak(Box::new(StopWords::new(words)));
    cache.insert(primary, set);
    set
}

/// Measurements of one block.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Features {
    /// Characters.
    pub chars: usize,
    /// Words (maximal runs of letters, digits and inner apostrophes).
    pub words: usize,
    /// Words in the stop-word list.
    pub stop_words: usize,
    /// Words that start with an upper-case letter.
    pub capitalised: usize,
    /// Words that are all digits.
    pub numbers: usize,
    /// The block ends with sentence-final punctuation (. ! ? … or a closing
    /// quote or bracket after one).
    pub ends_sentence: bool,
    /// The block has sentence-internal punctuation (, ; :).
    pub inner_punctuation: bool,
    /// First character is an upper-case letter or a digit.
    pub starts_upper: bool,
    /// The block holds a quotation mark.
    pub has_quote: bool,
}

impl Features {
    /// Measures `text` against `stop`.
    pub fn of(text: &str, stop: &StopWords) -> Features {
        let mut f = Features {
            chars: 0,
            ..Features::default()
        };
        let mut word = String::with_capacity(24);
        let mut in_word = false;
        let mut word_upper = false;
        let mut word_digits = true;
        let finish = |word: &mut String, upper: bool, digits: bool, f: &mut Features| {
            if word.is_empty() {
                return;
            }
            f.words += 1;
            if upper {
                f.capitalised += 1;
            }
            if digits {
                f.numbers += 1;
            }
            if stop.contains(word.as_str()) {
                f.stop_words += 1;
            }
            word.clear();
        };
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            // ASCII is decided on the byte; other characters are decoded.
            let c = if b < 0x80 {
                i += 1;
                b as char
            } else {
                let Some(c) = text[i..].chars().next() else {
                    break;
                };
                i += c.len_utf8();
                c
            };
            f.chars += 1;
            let letter_or_digit = if b < 0x80 {
                b.is_ascii_alphanumeric()
            } else {
                c.is_alphanumeric()
            };
            if letter_or_digit || (in_word && (c == '\'' || c == '’')) {
                if !in_word {
                    in_word = true;
                    word_upper = c.is_uppercase();
                    word_digits = true;
                }
                word_digits &= c.is_ascii_digit();
                if b < 0x80 {
                    word.push(b.to_ascii_lowercase() as char);
                } else if c == '’' {
                    word.push('\'');
                } else {
                    word.extend(c.to_lowercase());
                }
            } else {
                if in_word {
                    finish(&mut word, word_upper, word_digits, &mut f);
                    in_word = false;
                }
                match c {
                    ',' | ';' | ':' => f.inner_punctuation = true,
                    '"' | '“' | '”' | '«' | '»' | '„' | '‘' | '「' | '」' => {
                        f.has_quote = true
                    }
                    _ => {}
                }
            }
        }
        if in_word {
            finish(&mut word, word_upper, word_digits, &mut f);
        }
        f.starts_upper = text
            .chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit());
        f.ends_sentence = ends_sentence(text);
        f
    }

    /// Share of words that are stop words (0 when there are none).
    pub fn stop_density(&self) -> f32 {
        if self.words == 0 {
            0.0
        } else {
            self.stop_words as f32 / self.words as f32
        }
    }

    /// Looks like a title or menu item: short, no sentence end.
    pub fn title_like(&self) -> bool {
        !self.ends_sentence && self.words >= 1 && self.words <= 20 && self.chars <= 160
    }
}

/// Whether `text` ends like a sentence.
pub fn ends_sentence(text: &str) -> bool {
    let mut tail = text.trim_end().chars().rev();
    loop {
        match tail.next() {
            Some('.' | '!' | '?' | '…' | '。' | '！' | '？') => return true,
            // Closing quotes and brackets: look at what they close over.
            Some('"' | '”' | '’' | '»' | ')' | ']' | '」' | '\'') => continue,
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_has_dense_stop_words_and_menus_do_not() {
        let en = stop_words("en");
        let prose = Features::of(
            "The Kremlin has yet to provide any statement about the conversation.",
            en,
        );
        assert!(prose.stop_density() > 0.3, "{prose:?}");
        assert!(prose.ends_sentence);
        let menu = Features::of("Home World Business Markets Sport", en);
        assert_eq!(menu.stop_words, 0);
        assert_eq!(menu.capitalised, 5);
        assert!(menu.title_like());
    }

    #[test]
    fn languages_have_their_own_lists_and_unknown_ones_fall_back() {
        let es = Features::of(
            "Putin ambiciona invadir Kiev en 2023 desde la frontera",
            stop_words("es"),
        );
        assert!(es.stop_words >= 2, "{es:?}");
        assert_eq!(es.numbers, 1);
        assert!(std::ptr::eq(stop_words("en-GB"), stop_words("en")));
        assert!(!stop_words("zz").is_empty(), "falls back to English");
    }

    #[test]
    fn sentence_ends_look_through_closing_quotes() {
        assert!(ends_sentence("He said “no.”"));
        assert!(ends_sentence("(Reuters)."));
        assert!(!ends_sentence("Read also:"));
        assert!(!ends_sentence("Latest news"));
        assert!(!ends_sentence(""));
    }
}
