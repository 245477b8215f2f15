//! Speakers: finding the speaker phrase around a cue and resolving it to
//! an entity of the article. Owns the noun-phrase heuristics (the subject
//! left of a cue, skipping auxiliaries, adverbs, parenthetical commas,
//! prepositional phrases, relative clauses and the objects of verbs; the
//! phrase right of an inverted cue or of "according to") and the
//! resolution rules: a name (mention or a word of an entity's name), a
//! pronoun (the most recent compatible speaker or mention: person for
//! he/she, organisation or group for they and it; "I"/"we" the writer), a
//! nominal through entity roles and the words written before an entity's
//! mentions ("the Belarusian president"), and a sentence opened by a
//! relative pronoun ("Who stated ..."). Also owns the check that a phrase
//! can name a speaker at all ([`View::can_speak`], over the embedded list
//! of words never tagged as nouns, `data/words/not-nouns.txt`).
//!
//! Every search is bounded by a constant, whatever the article's length:
//! the subject is looked for at most [`MAX_SUBJECT_TOKENS`] tokens left of
//! its cue, pronouns look back over the speakers and mentions of the last
//! [`ANTECEDENT_BYTES`] bytes (at most [`MAX_RECENT_LOOKBACK`] speakers),
//! names and nominals are looked up in indexes built once per article, and
//! a nominal weighs at most [`MAX_NOMINAL_CANDIDATES`] entities per word.

use std::sync::LazyLock;

use rustc_hash::{FxHashMap, FxHashSet};

use super::text::{Tok, TokKind};
use crate::pipeline::entities::{Entity, EntityType};

/// How far left of its cue a subject is looked for, in tokens: room for a
/// subject with long appositions and parentheticals.
pub const MAX_SUBJECT_TOKENS: usize = 48;

/// How far back a pronoun looks for its antecedent, in bytes.
pub const ANTECEDENT_BYTES: usize = 1500;

/// How many recent speakers a pronoun weighs at most.
pub const MAX_RECENT_LOOKBACK: usize = 64;

/// How many entities one word of a nominal ("president") may point to;
/// past it the first ones of the article are kept.
pub const MAX_NOMINAL_CANDIDATES: usize = 64;

/// Conjunctions that coordinate two clauses after a comma ("..., and
/// Trump said").
const COORDINATORS: &[&str] = &["and", "but", "while", "whereas", "yet"];

/// Words that sit between a subject and its verb.
const SKIP: &[&str] = &[
    "has",
    "have",
    "had",
    "was",
    "were",
    "is",
    "are",
    "will",
    "would",
    "also",
    "did",
    "does",
    "do",
    "not",
    "then",
    "later",
    "earlier",
    "again",
    "once",
    "already",
    "yet",
    "still",
    "never",
    "always",
    "just",
    "now",
    "had",
    "may",
    "might",
    "could",
    "should",
    "can",
    "been",
    "being",
    "further",
    "first",
    "last",
    "often",
    "even",
    "too",
    "simply",
    "ultimately",
];

/// Words that end a noun phrase going left.
const STOP: &[&str] = &[
    "of",
    "to",
    "in",
    "on",
    "at",
    "for",
    "with",
    "from",
    "by",
    "about",
    "between",
    "against",
    "into",
    "over",
    "under",
    "after",
    "before",
    "during",
    "than",
    "like",
    "as",
    "and",
    "or",
    "but",
    "that",
    "who",
    "which",
    "whom",
    "whose",
    "where",
    "when",
    "while",
    "if",
    "because",
    "so",
    "since",
    "although",
    "though",
    "not",
    "no",
    "be",
    "been",
    "being",
    "is",
    "are",
    "was",
    "were",
    "has",
    "have",
    "had",
    "will",
    "would",
    "can",
    "could",
    "should",
    "may",
    "might",
    "must",
    "do",
    "does",
    "did",
    "it",
    "this",
    "these",
    "those",
    "there",
    "here",
    "what",
    "how",
    "why",
    "him",
    "them",
    "me",
    "us",
    "you",
    "we",
    "i",
    "per",
    "thus",
    "however",
    "meanwhile",
    "instead",
    "therefore",
    "moreover",
    "separately",
    "hence",
    "when",
    "via",
    "without",
    "through",
    "across",
    "toward",
    "towards",
    "upon",
    "within",
    "among",
    "amid",
    "despite",
    "also",
    "then",
    "up",
    "out",
    "down",
    "off",
];

/// Words in -ly that are nouns or adjectives, not adverbs.
const LY_NOUNS: &[&str] = &[
    "daily", "weekly", "monthly", "yearly", "family", "ally", "rally", "assembly", "italy", "july",
    "early", "only", "elderly", "friendly", "deputy",
];

/// Irregular verb forms that are never nouns; a noun phrase after one is
/// its object ("made the following comment:", "has had choice words").
const IRREGULAR_VERBS: &[&str] = &[
    "made", "makes", "gave", "gives", "took", "takes", "began", "begins", "got", "gets", "held",
    "holds", "sent", "sends", "brought", "brings", "won", "lost", "kept", "keeps", "led", "ran",
    "paid", "pays", "spent", "struck", "sought", "seeks", "threw", "drew", "knew", "chose",
    "spoke", "had", "has", "have", "uses", "offers",
];

/// Times, which open sentences ("On Tuesday, ...") but never speak.
const TIME_WORDS: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "today",
    "yesterday",
    "tomorrow",
    "tonight",
    "week",
    "weeks",
    "month",
    "months",
    "year",
    "years",
    "day",
    "days",
    "hour",
    "hours",
    "minute",
    "minutes",
    "night",
    "morning",
    "afternoon",
    "evening",
    "weekend",
    "time",
    "times",
    "later",
    "ago",
    "recently",
];

/// Prepositions: a phrase right after one is not a subject.
pub const PREPOSITIONS: &[&str] = &[
    "of", "to", "in", "on", "at", "for", "with", "from", "by", "about", "between", "against",
    "into", "over", "under", "after", "before", "during", "than", "like", "as", "without",
    "through", "across", "toward", "towards", "upon", "within", "among", "amid", "despite", "via",
];

/// Determiners: the left edge of a noun phrase.
const DETERMINERS: &[&str] = &[
    "the", "a", "an", "his", "her", "its", "their", "our", "my", "your", "another", "some", "many",
    "several", "one", "two", "three", "both", "each", "every", "other", "most", "few",
];

/// Subject pronouns and what they can refer to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pronoun {
    /// he, she, him, her, who.
    Person,
    /// they, them.
    Group,
    /// it, which: a thing; "it" before a cue speaks for the last
    /// organisation ("“...,” it added"), "which" is relative.
    Thing,
    /// I, we outside a quote: the writer, a speaker with no entity.
    Author,
    /// you: never a speaker.
    Deictic,
}

/// The pronoun `w` is, if any (any case; no allocation).
pub fn pronoun(w: &str) -> Option<Pronoun> {
    let mut buf = [0u8; 5];
    let bytes = w.as_bytes();
    if bytes.len() > buf.len() {
        return None;
    }
    let lower = &mut buf[..bytes.len()];
    lower.copy_from_slice(bytes);
    lower.make_ascii_lowercase();
    match &*lower {
        b"he" | b"she" | b"him" | b"her" | b"who" => Some(Pronoun::Person),
        b"they" | b"them" => Some(Pronoun::Group),
        b"it" | b"which" => Some(Pronoun::Thing),
        b"i" | b"we" => Some(Pronoun::Author),
        b"you" => Some(Pronoun::Deictic),
        _ => None,
    }
}

/// The subject pronoun of the possessive determiner `w` ("his" → "he",
/// "their" → "they", "its" → "it", "my" → "i", "our" → "we"), if it is
/// one (any case). PolNeAR takes the possessive as the Source of "his
/// description of ...", "their chant of “...”"; "her" is already a
/// [`pronoun`] and "your" speaks for nobody.
pub fn possessive(w: &str) -> Option<&'static str> {
    const PAIRS: [(&str, &str); 5] = [
        ("his", "he"),
        ("their", "they"),
        ("its", "it"),
        ("my", "i"),
        ("our", "we"),
    ];
    PAIRS
        .iter()
        .find(|(p, _)| w.eq_ignore_ascii_case(p))
        .map(|&(_, base)| base)
}

/// What a word can stand for as a speaker candidate of the ranker: read
/// once a token by the tokenizer, since every quote's candidate window
/// reads the tokens around it again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SpeakerWord {
    /// Nothing of the below.
    #[default]
    None,
    /// A [`pronoun`].
    Pronoun(Pronoun),
    /// A [`possessive`] determiner.
    Possessive,
    /// A quantifier standing for a group ([`GROUP_WORDS`]: "another",
    /// "some", "two").
    Group,
}

/// What word `w` (any case; `classes` those of its lower case,
/// [`classes_of`]) can stand for as a speaker.
pub fn speaker_word(w: &str, classes: u16) -> SpeakerWord {
    if let Some(p) = pronoun(w) {
        SpeakerWord::Pronoun(p)
    } else if possessive(w).is_some() {
        SpeakerWord::Possessive
    } else if GROUP_WORD_SET.within(classes) {
        SpeakerWord::Group
    } else {
        SpeakerWord::None
    }
}

/// `w` without a trailing clitic after an apostrophe ("you’ll" → "you",
/// "there's" → "there"; "n't" is left on), if it has one: the entity
/// tokenizer's clitics.
fn without_clitic(w: &str) -> Option<&str> {
    crate::pipeline::entities::tokens::clitic_split(w)
        .filter(|&at| w[at..].starts_with(['\'', '’']))
        .map(|at| &w[..at])
}

/// A word list, one bit of the word classes every token carries
/// ([`Tok::classes`], looked up once by the tokenizer), so membership of a
/// token is a bit test.
pub struct WordSet {
    bit: u16,
}

impl WordSet {
    /// Whether a token's word is one of the set's words (what
    /// [`classes_of`] says of its lower-case hash).
    #[inline]
    pub fn has(&self, t: &Tok) -> bool {
        self.within(t.classes)
    }

    /// Whether word classes ([`classes_of`]) hold this set.
    #[inline]
    pub fn within(&self, classes: u16) -> bool {
        classes & self.bit != 0
    }
}

/// The word lists' lower-case hashes, each with the bit of its [`WordSet`].
fn word_lists() -> [(u16, FxHashSet<u64>); 11] {
    [
        (SKIP_SET.bit, hashes(SKIP)),
        (STOP_SET.bit, hashes(STOP)),
        (DETERMINER_SET.bit, hashes(DETERMINERS)),
        (TIME_WORD_SET.bit, hashes(TIME_WORDS)),
        (IRREGULAR_VERB_SET.bit, hashes(IRREGULAR_VERBS)),
        (LY_NOUN_SET.bit, hashes(LY_NOUNS)),
        (NOT_NOUN_SET.bit, listed(NOT_NOUNS)),
        (NOT_VERB_SET.bit, listed(NOT_VERBS)),
        (GROUP_WORD_SET.bit, hashes(GROUP_WORDS)),
        (PREPOSITION_SET.bit, hashes(PREPOSITIONS)),
        (COORDINATOR_SET.bit, hashes(COORDINATORS)),
    ]
}

/// The classes ([`WordSet`] bits) of the word whose lower-case hash is
/// `lower`: 0 for a word on no list.
pub fn classes_of(lower: u64) -> u16 {
    static CLASSES: LazyLock<FxHashMap<u64, u16>> = LazyLock::new(|| {
        let mut map = FxHashMap::default();
        for (bit, words) in word_lists() {
            for w in words {
                *map.entry(w).or_default() |= bit;
            }
        }
        map
    });
    CLASSES.get(&lower).copied().unwrap_or(0)
}

/// Whether `w` ends with `suffix`, ASCII case ignored.
fn ends_with_ignore_case(w: &str, suffix: &str) -> bool {
    w.len() >= suffix.len()
        && w.as_bytes()[w.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
}

/// The lower-case hashes of `words`.
fn hashes(words: &[&str]) -> FxHashSet<u64> {
    words
        .iter()
        .map(|w| crate::pipeline::entities::features::text(w.to_ascii_lowercase().as_bytes()))
        .collect()
}

static SKIP_SET: WordSet = WordSet { bit: 1 };
static STOP_SET: WordSet = WordSet { bit: 1 << 1 };
static DETERMINER_SET: WordSet = WordSet { bit: 1 << 2 };
static TIME_WORD_SET: WordSet = WordSet { bit: 1 << 3 };
static IRREGULAR_VERB_SET: WordSet = WordSet { bit: 1 << 4 };
static LY_NOUN_SET: WordSet = WordSet { bit: 1 << 5 };
/// Words part-of-speech-tagged corpora never tag as nouns ("eventually",
/// "additional", "provide"), one a line after `#` comments: built by
/// `newsenrich train word-classes` (src/train/word_classes.rs).
const NOT_NOUNS: &str = include_str!("../../../data/words/not-nouns.txt");

static NOT_NOUN_SET: WordSet = WordSet { bit: 1 << 6 };

/// The words of a list file, one a line after `#` comments.
fn listed(file: &str) -> FxHashSet<u64> {
    let words: Vec<&str> = file
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    hashes(&words)
}

/// Words part-of-speech-tagged corpora never tag as verbs ("now",
/// "already", "since", "statements"), one a line after `#` comments:
/// built by `newsenrich train word-classes` with the list above.
const NOT_VERBS: &str = include_str!("../../../data/words/not-verbs.txt");

static NOT_VERB_SET: WordSet = WordSet { bit: 1 << 7 };

/// Quantifiers and demonstratives that stand for a group that speaks
/// ("some said", "those surveyed", "both told", "the two"), though the
/// corpora tag them as determiners or numbers.
const GROUP_WORDS: &[&str] = &[
    "some",
    "those",
    "these",
    "both",
    "another",
    "most",
    "many",
    "few",
    "several",
    "all",
    "each",
    "either",
    "neither",
    "none",
    "other",
    "others",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "dozen",
    "dozens",
    "hundreds",
    "thousands",
    "millions",
];
pub static GROUP_WORD_SET: WordSet = WordSet { bit: 1 << 8 };

/// [`PREPOSITIONS`] as a [`WordSet`].
pub static PREPOSITION_SET: WordSet = WordSet { bit: 1 << 9 };

/// [`COORDINATORS`] as a [`WordSet`].
pub static COORDINATOR_SET: WordSet = WordSet { bit: 1 << 10 };

/// The token view the speaker finder works on.
pub struct View<'a> {
    /// The text.
    pub text: &'a str,
    /// Its tokens.
    pub toks: &'a [Tok],
}

impl View<'_> {
    /// A token's text.
    pub fn word(&self, i: usize) -> &str {
        let t = &self.toks[i];
        &self.text[t.start..t.end]
    }

    /// Token `i` is a word outside any mention, one of `set`'s.
    fn lower_is(&self, i: usize, set: &WordSet) -> bool {
        let t = &self.toks[i];
        t.kind == TokKind::Word && t.mention == 0 && set.has(t)
    }

    /// Whether tokens `a..b` can name a speaker: some word of them is a
    /// name the entity stage found, a pronoun, a quantifier standing for a
    /// group ("some", "those", "the two"), a number with other words
    /// ("42%", "six in 10") or a word that can be a noun. A phrase of
    /// adverbs, adjectives, verbs and bare numbers ("Eventually", "provide
    /// additional", "the stark", "69") cannot: issue 15 wants a speaker to
    /// be a person, a group, an organisation or a document, "never a verb,
    /// an adjective, a number".
    pub fn can_speak(&self, a: usize, b: usize) -> bool {
        let b = b.min(self.toks.len());
        for i in a..b {
            let t = &self.toks[i];
            if t.mention != 0 {
                return true;
            }
            if t.kind != TokKind::Word {
                continue;
            }
            let w = self.word(i);
            if w.starts_with(|c: char| c.is_ascii_digit()) {
                if b - a > 1 {
                    return true;
                }
                continue;
            }
            // What the word can stand for as a speaker, as the tokenizer
            // read it; a contraction ("you’ll", "there's") is judged by
            // its first part (rare: the lower-cased copy is made for these
            // only).
            let (speaker, classes) = match without_clitic(w) {
                Some(stem) => {
                    let classes = classes_of(crate::pipeline::entities::features::text(
                        stem.to_ascii_lowercase().as_bytes(),
                    ));
                    (speaker_word(stem, classes), classes)
                }
                None => (t.speaker, t.classes),
            };
            match speaker {
                // "you" is never a speaker.
                SpeakerWord::Pronoun(Pronoun::Deictic) => continue,
                SpeakerWord::Pronoun(_) | SpeakerWord::Group => return true,
                SpeakerWord::Possessive | SpeakerWord::None => {}
            }
            if !NOT_NOUN_SET.within(classes) {
                return true;
            }
        }
        false
    }

    /// Whether phrase `a..b` names or determines what it refers to: it
    /// holds a name, or opens with a determiner or a capital ("the
    /// report", "her lawyers", "Farley’s account"), unlike a bare common
    /// noun ("statements", "reports"), which hedges more than it names.
    pub fn is_determined(&self, a: usize, b: usize) -> bool {
        let b = b.min(self.toks.len());
        a < b
            && ((a..b).any(|k| self.toks[k].mention != 0)
                || self.lower_is(a, &DETERMINER_SET)
                || self.is_upper(a))
    }

    /// The pronoun token `i` is, as the tokenizer read it
    /// ([`speaker_word`]): what [`pronoun`] says of its word.
    pub fn pronoun_at(&self, i: usize) -> Option<Pronoun> {
        match self.toks[i].speaker {
            SpeakerWord::Pronoun(p) => Some(p),
            _ => None,
        }
    }

    /// The token starts with a capital.
    pub fn is_upper(&self, i: usize) -> bool {
        self.word(i).chars().next().is_some_and(char::is_uppercase)
    }

    /// A word that can be part of a noun phrase.
    fn np_word(&self, i: usize) -> bool {
        let t = &self.toks[i];
        if t.quote != 0 {
            return false;
        }
        let upper = self.is_upper(i);
        if TIME_WORD_SET.has(t) || (upper && STOP_SET.has(t)) {
            return false;
        }
        if t.mention != 0 {
            return true;
        }
        if t.kind != TokKind::Word {
            return false;
        }
        let w = self.word(i);
        if upper {
            return self.pronoun_at(i).is_none();
        }
        if STOP_SET.has(t) || SKIP_SET.has(t) || self.pronoun_at(i).is_some() {
            return false;
        }
        // `t.verb` is the reporting-verb strength of the lower-cased word.
        !(ends_with_ignore_case(w, "ed")
            || IRREGULAR_VERB_SET.has(t)
            || ends_with_ignore_case(w, "n't")
            || ends_with_ignore_case(w, "n’t")
            || (ends_with_ignore_case(w, "ly") && !LY_NOUN_SET.has(t))
            || t.verb != 0)
    }

    /// Token `k` is a verb taking the noun phrase after it as its object:
    /// a lower-case past form or a reporting verb after a word, not used as
    /// an adjective after a determiner ("the embattled senator").
    fn is_transitive_verb(&self, lo: usize, k: usize) -> bool {
        let t = &self.toks[k];
        if t.kind != TokKind::Word || t.mention != 0 || t.quote != 0 || self.is_upper(k) {
            return false;
        }
        let verb =
            ends_with_ignore_case(self.word(k), "ed") || IRREGULAR_VERB_SET.has(t) || t.verb != 0;
        // A verb has its subject before it; a participle opening the
        // clause ("retired general Lloyd Newton said") is an adjective.
        verb && k > lo
            && self.toks[k - 1].kind == TokKind::Word
            && self.toks[k - 1].quote == 0
            && !self.lower_is(k - 1, &DETERMINER_SET)
    }

    /// Token `k` is a verb after "to" whose object is the determined noun
    /// phrase starting at `a` ("sought to calm his supporters, saying",
    /// "refused to release his taxes, calling").
    fn is_infinitive(&self, lo: usize, a: usize, k: usize) -> bool {
        k > lo
            && self.lower_is(a, &DETERMINER_SET)
            && self.toks[k].kind == TokKind::Word
            && self.toks[k].mention == 0
            && !self.is_upper(k)
            && !self.lower_is(k, &STOP_SET)
            && self.toks[k - 1].kind == TokKind::Word
            && self.toks[k - 1].mention == 0
            && self.word(k - 1).eq_ignore_ascii_case("to")
    }

    /// Whether token `k` is a word the tagged corpora never tag as a verb
    /// ("now", "already", "since", "statements"; `data/words/not-verbs.txt`).
    pub fn never_a_verb(&self, k: usize) -> bool {
        self.toks
            .get(k)
            .is_some_and(|t| t.kind == TokKind::Word && NOT_VERB_SET.has(t))
    }

    /// A lower-case word in -ly that is not a name ("swiftly", "later").
    pub fn is_adverb(&self, k: usize) -> bool {
        let w = self.word(k);
        self.toks[k].kind == TokKind::Word
            && self.toks[k].mention == 0
            && !self.is_upper(k)
            && w.len() > 4
            && w.ends_with("ly")
    }

    /// Skips auxiliaries and adverbs leftwards from `j` (exclusive).
    fn skip_left(&self, lo: usize, mut j: usize) -> usize {
        while j > lo {
            let k = j - 1;
            if self.lower_is(k, &SKIP_SET) || self.is_adverb(k) {
                j -= 1;
            } else {
                break;
            }
        }
        j
    }

    /// The subject phrase left of a cue starting at token `cue`, within
    /// tokens `lo..cue`: a half-open token range.
    /// At most [`MAX_SUBJECT_TOKENS`] tokens left of the cue are read.
    pub fn subject_left(&self, lo: usize, cue: usize) -> Option<(usize, usize)> {
        let lo = lo.max(cue.saturating_sub(MAX_SUBJECT_TOKENS));
        let mut j = self.skip_left(lo, cue);
        let first = j;
        for _ in 0..10 {
            if j <= lo {
                return None;
            }
            let k = j - 1;
            let t = self.toks[k];
            if t.quote != 0 {
                return None;
            }
            let w = self.word(k);
            if t.kind == TokKind::Punct {
                match w {
                    "," | "—" | "–" => {
                        // A parenthetical or an apposition: go to the comma
                        // before it.
                        // With no comma before it, the subject is right
                        // before this one ("Lukashenko, at one point called").
                        let prev = (lo..k).rev().find(|&p| {
                            self.toks[p].quote == 0 && matches!(self.word(p), "," | "—" | "–")
                        });
                        j = match prev {
                            Some(p) => self.skip_left(lo, p),
                            None => k,
                        };
                        continue;
                    }
                    ")" => {
                        let open = (lo..k).rev().find(|&p| self.word(p) == "(")?;
                        j = open;
                        continue;
                    }
                    _ => return None,
                }
            }
            if t.kind != TokKind::Word {
                return None;
            }
            if t.mention == 0 {
                match self.pronoun_at(k) {
                    Some(Pronoun::Person | Pronoun::Group | Pronoun::Thing | Pronoun::Author) => {
                        // A relative pronoun after a name: the name is the
                        // subject; so is the subject of an object pronoun's
                        // verb ("called them on it:").
                        let object = w.eq_ignore_ascii_case("him")
                            || w.eq_ignore_ascii_case("them")
                            || (k > lo
                                && (self.lower_is(k - 1, &PREPOSITION_SET)
                                    || self.is_transitive_verb(lo, k - 1)));
                        let relative =
                            w.eq_ignore_ascii_case("who") || w.eq_ignore_ascii_case("which");
                        if (relative || object) && k > lo {
                            j = k;
                            continue;
                        }
                        return Some((k, j));
                    }
                    Some(Pronoun::Deictic) => return None,
                    None => {}
                }
            }
            let mut a = j;
            while a > lo && (self.np_word(a - 1) || self.lower_is(a - 1, &DETERMINER_SET)) {
                a -= 1;
                if self.toks[a].mention == 0 && self.lower_is(a, &DETERMINER_SET) {
                    break;
                }
            }
            // A determiner alone ("a swiftly called meeting") is no phrase.
            let lone_determiner = a + 1 == j && self.lower_is(a, &DETERMINER_SET);
            if a == j || lone_determiner {
                // A verb or a function word: the subject is further left.
                j = k;
                continue;
            }
            // "As Michael Dell said": "as" is no preposition there.
            let as_clause = a > lo
                && j == first
                && self.toks.get(cue).is_some_and(|t| t.kind == TokKind::Word)
                && self.word(a - 1).eq_ignore_ascii_case("as");
            if a > lo && self.lower_is(a - 1, &PREPOSITION_SET) && !as_clause {
                j = a - 1;
                continue;
            }
            if a > lo
                && matches!(
                    self.word(a - 1).to_ascii_lowercase().as_str(),
                    "who" | "which"
                )
            {
                j = a - 1;
                continue;
            }
            // The object of a verb ("mocked the complaint, saying", "issued
            // a statement calling"): the subject is left of the verb. A name
            // right before the cue is its subject all the same ("the story
            // John F. Kennedy told").
            let name_at_cue = j == first && self.toks[j - 1].mention != 0;
            if a > lo
                && !name_at_cue
                && (self.is_transitive_verb(lo, a - 1) || self.is_infinitive(lo, a, a - 1))
            {
                j = self.skip_left(lo, a - 1);
                continue;
            }
            return Some((a, j));
        }
        None
    }

    /// The subject of the reporting verb at token `k` when it comes after
    /// the verb, inverted after a clause or a quote ("..., said Nargis
    /// Kassenova, an expert", "“...,” said election lawyer Joe
    /// Birkenstock"): the noun phrase right after the verb, when a comma,
    /// a dash or a closing mark stands right before the verb and the
    /// phrase ends the clause (punctuation, a preposition, "who", or
    /// `hi`, the sentence's end). Reads at most 14 tokens.
    pub fn subject_inverted(&self, k: usize, hi: usize) -> Option<(usize, usize)> {
        let before = self.toks.get(k.checked_sub(1)?)?;
        let after_clause = before.kind == TokKind::Close
            || (before.quote == 0 && matches!(self.word(k - 1), "," | "—" | "–"));
        if !after_clause || k + 1 >= hi {
            return None;
        }
        let phrase = self.phrase_right(k + 1, hi)?;
        let ends_clause = phrase.1 >= hi
            || self.toks[phrase.1].kind != TokKind::Word
            || self.lower_is(phrase.1, &PREPOSITION_SET)
            || self.word(phrase.1).eq_ignore_ascii_case("who");
        ends_clause.then_some(phrase)
    }

    /// The preposition heading the noun phrase that holds the phrase
    /// starting at token `a`, with at most four noun-phrase words between:
    /// the "by" of a passive's agent ("called “...” by Joshua Hendrick",
    /// "was asked by host Bill Maher"), the "with" of an absolute clause
    /// ("with the American Federation of Teachers calling her"). Reads at
    /// most five tokens.
    pub fn preposition_of(&self, a: usize) -> Option<usize> {
        let lo = a.saturating_sub(5);
        let mut k = a;
        while k > lo {
            let p = k - 1;
            if self.toks[p].quote == 0 && self.lower_is(p, &PREPOSITION_SET) {
                return Some(p);
            }
            if !(self.np_word(p) || self.lower_is(p, &DETERMINER_SET)) {
                return None;
            }
            k = p;
        }
        None
    }

    /// The phrase right after token `from` (exclusive end `hi`): after an
    /// inverted cue ("said X") or "according to".
    pub fn phrase_right(&self, from: usize, hi: usize) -> Option<(usize, usize)> {
        let mut b = from;
        while b < hi && b - from < 12 {
            let t = &self.toks[b];
            if t.quote != 0 {
                break;
            }
            if t.mention != 0 {
                b += 1;
                continue;
            }
            if t.kind != TokKind::Word {
                break;
            }
            let w = self.word(b);
            if b == from && self.pronoun_at(b).is_some() {
                return Some((b, b + 1));
            }
            if self.lower_is(b, &STOP_SET) && !(b > from && w.eq_ignore_ascii_case("of")) {
                break;
            }
            if !(self.np_word(b) || self.lower_is(b, &DETERMINER_SET)) {
                break;
            }
            b += 1;
        }
        // A trailing "of" belongs to what follows.
        while b > from && self.word(b - 1).eq_ignore_ascii_case("of") {
            b -= 1;
        }
        (b > from).then_some((from, b))
    }
}

/// What a speaker phrase was resolved to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// An entity (index into the article's entities).
    Entity(usize),
    /// A speaker with no entity ("Ukrainian officials").
    Unnamed,
    /// A pronoun with no antecedent.
    Unresolved,
    /// Not a speaker ("you", "which" with nothing before it).
    NotSpeaker,
}

/// An entity speaker recently seen, for pronouns.
#[derive(Debug, Clone, Copy)]
pub struct Recent {
    /// The entity.
    pub entity: usize,
    /// Byte offset where it was seen.
    pub at: usize,
}

/// Facts about the article's entities the resolver needs.
pub struct Resolver<'a> {
    /// The entities.
    pub entities: &'a [Entity],
    /// Mentions, sorted and non-overlapping: byte range and entity index.
    pub mentions: &'a [(usize, usize, usize)],
    /// Lower-case words written before each entity's mentions and in its
    /// roles, per entity.
    pub context: Vec<FxHashSet<String>>,
    /// Whether an entity's context has a proper modifier ("Belarusian").
    proper_context: Vec<bool>,
    /// Person entities by context word (at most
    /// [`MAX_NOMINAL_CANDIDATES`] each, in entity order).
    by_context: FxHashMap<String, Vec<usize>>,
    /// The first person entity with each word in its name or aliases.
    by_name_word: FxHashMap<&'a str, usize>,
    /// Each entity's mention starts, in text order.
    starts: Vec<Vec<usize>>,
}

/// A nationality or proper modifier ("Belarusian", "Chinese", "British").
fn proper(w: &str) -> bool {
    w.ends_with("ian") || w.ends_with("ean") || w.ends_with("ese") || w.ends_with("ish")
}

impl<'a> Resolver<'a> {
    /// Builds the resolver's per-entity context words and indexes, one
    /// pass over the tokens and one over the mentions.
    pub fn new(
        text: &str,
        toks: &[Tok],
        entities: &'a [Entity],
        mentions: &'a [(usize, usize, usize)],
    ) -> Self {
        let mut context: Vec<FxHashSet<String>> = entities
            .iter()
            .map(|e| {
                e.roles
                    .iter()
                    .flat_map(|r| r.split_whitespace())
                    .map(str::to_lowercase)
                    .collect()
            })
            .collect();
        // Up to three words right before each mention ("its Belarusian
        // counterpart, Alexander Lukashenko"), across one comma.
        for (i, t) in toks.iter().enumerate() {
            if t.mention == 0 || (i > 0 && toks[i - 1].mention == t.mention) {
                continue;
            }
            let e = mentions[t.mention as usize - 1].2;
            let mut k = i;
            let mut taken = 0;
            let mut comma = false;
            while k > 0 && taken < 3 {
                k -= 1;
                let w = &text[toks[k].start..toks[k].end];
                if w == "," && taken == 0 && !comma {
                    comma = true;
                    continue;
                }
                // Nationalities (MISC mentions) are context; other names end it.
                let name = toks[k].mention != 0
                    && entities[mentions[toks[k].mention as usize - 1].2].kind != EntityType::Misc;
                if toks[k].kind != TokKind::Word || name {
                    break;
                }
                if !context[e].contains(w) {
                    context[e].insert(w.to_lowercase());
                }
                taken += 1;
            }
        }
        let proper_context = context
            .iter()
            .map(|c| c.iter().any(|w| proper(w)))
            .collect();
        let mut by_context: FxHashMap<String, Vec<usize>> = FxHashMap::default();
        for (e, ctx) in context.iter().enumerate() {
            if entities[e].kind != EntityType::Person {
                continue;
            }
            for w in ctx {
                let list = by_context.entry(w.clone()).or_default();
                if list.len() < MAX_NOMINAL_CANDIDATES {
                    list.push(e);
                }
            }
        }
        let mut by_name_word: FxHashMap<&'a str, usize> = FxHashMap::default();
        for (i, e) in entities.iter().enumerate() {
            if e.kind != EntityType::Person {
                continue;
            }
            for w in std::iter::once(&e.name)
                .chain(&e.aliases)
                .flat_map(|n| n.split_whitespace())
            {
                by_name_word.entry(w).or_insert(i);
            }
        }
        let mut starts = vec![Vec::new(); entities.len()];
        for m in mentions {
            starts[m.2].push(m.0);
        }
        Resolver {
            entities,
            mentions,
            context,
            proper_context,
            by_context,
            by_name_word,
            starts,
        }
    }

    fn is_person(&self, e: usize) -> bool {
        self.entities[e].kind == EntityType::Person
    }

    /// Resolves the phrase of tokens `a..b`. `recent` lists the entity
    /// speakers seen so far, most recent last.
    pub fn resolve(&self, view: &View, a: usize, b: usize, recent: &[Recent]) -> Resolution {
        let at = view.toks[a].start;
        // A possessive alone ("his" of "his description of ...") stands
        // for its pronoun.
        let word = (b == a + 1)
            .then(|| possessive(view.word(a)))
            .flatten()
            .unwrap_or_else(|| view.word(a));
        if b == a + 1
            && view.toks[a].mention == 0
            && let Some(p) = pronoun(word)
        {
            return match p {
                // A relative pronoun opening a sentence continues the
                // person just named; other pronouns prefer the last
                // speaker.
                Pronoun::Person if word.eq_ignore_ascii_case("who") => {
                    self.antecedent(at, &[], true)
                }
                Pronoun::Person => self.antecedent(at, recent, true),
                Pronoun::Group => self.antecedent(at, recent, false),
                Pronoun::Author => Resolution::Unnamed,
                // "it added": a publication or an organisation.
                Pronoun::Thing if word.eq_ignore_ascii_case("it") => {
                    match self.antecedent(at, recent, false) {
                        Resolution::Entity(e) => Resolution::Entity(e),
                        _ => Resolution::Unnamed,
                    }
                }
                Pronoun::Thing | Pronoun::Deictic => Resolution::NotSpeaker,
            };
        }
        // The head: the last word of the phrase.
        let last = view.toks[b - 1];
        let head = view.word(b - 1);
        let mention_entity = (last.mention != 0)
            .then(|| self.mentions[last.mention as usize - 1].2)
            .filter(|&e| self.entities[e].kind != EntityType::Misc);
        if let Some(e) = mention_entity
            && self.entities[e].kind != EntityType::Location
        {
            return Resolution::Entity(e);
        }
        let head_lower = head.to_lowercase();
        // A capitalised head that is a word of a person's name ("Putin"
        // the tagger missed or typed as a place).
        if view.is_upper(b - 1)
            && let Some(&e) = self.by_name_word.get(head)
        {
            return Resolution::Entity(e);
        }
        if let Some(e) = mention_entity {
            return Resolution::Entity(e);
        }
        // A nominal: a person whose roles or mention context share its
        // words, without a conflicting proper modifier.
        if last.kind == TokKind::Word && !view.is_upper(b - 1) {
            let words: Vec<String> = (a..b)
                .filter(|&i| view.toks[i].kind == TokKind::Word)
                .map(|i| view.word(i).to_lowercase())
                .filter(|w| !DETERMINERS.contains(&w.as_str()))
                .collect();
            // Only persons whose context has the head or a proper modifier
            // of the phrase can match: those of the index, in entity order.
            let mut candidates: Vec<usize> = Vec::new();
            for w in std::iter::once(&head_lower).chain(words.iter().filter(|w| proper(w))) {
                if let Some(list) = self.by_context.get(w.as_str()) {
                    candidates.extend_from_slice(list);
                }
            }
            candidates.sort_unstable();
            candidates.dedup();
            let mut best: Option<(usize, usize, usize)> = None;
            for e in candidates {
                let ctx = &self.context[e];
                let conflict =
                    self.proper_context[e] && words.iter().any(|w| proper(w) && !ctx.contains(w));
                if conflict {
                    continue;
                }
                let has_head = ctx.contains(&head_lower);
                let shared = words.iter().filter(|w| ctx.contains(*w)).count();
                let modifier = words.iter().any(|w| proper(w) && ctx.contains(w));
                if !(has_head || modifier) || shared == 0 {
                    continue;
                }
                let score = shared + usize::from(has_head);
                let starts = &self.starts[e];
                let seen = starts.partition_point(|&s| s < at);
                let last_seen = if seen > 0 { starts[seen - 1] + 1 } else { 0 };
                if best.is_none_or(|(s, l, _)| (score, last_seen) > (s, l)) {
                    best = Some((score, last_seen, e));
                }
            }
            if let Some((_, _, e)) = best {
                return Resolution::Entity(e);
            }
        }
        // An organisation named inside the phrase ("the Kremlin's press office").
        Resolution::Unnamed
    }

    /// The most recent person (or organisation, for `person == false`)
    /// before byte `at`: a recent speaker first, else a mention.
    fn antecedent(&self, at: usize, recent: &[Recent], person: bool) -> Resolution {
        let fits = |e: usize| {
            self.is_person(e) == person
                && (person || self.entities[e].kind == EntityType::Organization)
        };
        let speaker = recent
            .iter()
            .rev()
            .take(MAX_RECENT_LOOKBACK)
            .take_while(|r| at.saturating_sub(r.at) < ANTECEDENT_BYTES)
            .find(|r| fits(r.entity));
        if let Some(r) = speaker {
            return Resolution::Entity(r.entity);
        }
        // Mentions are sorted and do not overlap, so their ends are sorted:
        // those ending before `at`, going back until too far.
        let before = self.mentions.partition_point(|m| m.1 <= at);
        self.mentions[..before]
            .iter()
            .rev()
            .take_while(|m| at - m.1 < ANTECEDENT_BYTES)
            .find(|m| fits(m.2))
            .map_or(Resolution::Unresolved, |m| Resolution::Entity(m.2))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::pipeline::entities::features::text;

    /// The tokens of `text` with `mentions` marked, as the stage makes them.
    pub(crate) fn tokens_of(text: &str, mentions: &[crate::pipeline::Span]) -> Vec<Tok> {
        let marked = super::super::marks::scan(text);
        let budget = crate::pipeline::Budget::unlimited();
        super::super::text::tokenize(text, &marked, mentions, &mut budget.meter())
    }

    /// Every word list has a bit of its own, every word of a list has its
    /// list's bit, and a token's carried classes are those of its
    /// lower-case hash.
    #[test]
    fn each_word_list_is_one_bit_of_every_tokens_classes() {
        let lists = word_lists();
        let all = lists.iter().fold(0u16, |seen, (bit, words)| {
            assert_eq!(bit.count_ones(), 1);
            assert_eq!(seen & bit, 0, "bit {bit} given twice");
            assert!(!words.is_empty());
            for &w in words {
                assert_ne!(classes_of(w) & bit, 0);
            }
            seen | bit
        });
        assert_eq!(all.count_ones() as usize, lists.len());
        let text_ = "Despite THE rain, some of them said they were eventually \
            there; and Reuters reported it yesterday.";
        let toks = tokens_of(text_, &[]);
        for t in &toks {
            assert_eq!(t.classes, classes_of(t.lower));
        }
        let k = index_of(text_, &toks, "THE");
        assert!(DETERMINER_SET.has(&toks[k]));
        assert!(PREPOSITION_SET.has(&toks[0]));
        assert!(!PREPOSITION_SET.has(&toks[k]));
        assert!(GROUP_WORD_SET.has(&toks[index_of(text_, &toks, "some")]));
    }

    /// The word lists match a token by the lower-case hash it carries, and
    /// the pronoun and suffix tests ignore case, all without allocating.
    #[test]
    fn word_lists_and_pronouns_match_in_any_case() {
        assert_eq!(pronoun("He"), Some(Pronoun::Person));
        assert_eq!(pronoun("THEM"), Some(Pronoun::Group));
        assert_eq!(pronoun("which"), Some(Pronoun::Thing));
        assert_eq!(pronoun("whichever"), None);
        assert_eq!(pronoun("its"), None);
        assert_eq!(pronoun(""), None);
        assert!(STOP_SET.within(classes_of(text(b"of"))));
        assert!(DETERMINER_SET.within(classes_of(text(b"the"))));
        assert!(!DETERMINER_SET.within(classes_of(text(b"then"))));
        assert!(PREPOSITION_SET.within(classes_of(text(b"despite"))));
        assert_eq!(without_clitic("you’ll"), Some("you"));
        assert_eq!(without_clitic("There'S"), Some("There"));
        assert_eq!(without_clitic("rock'n'roll"), None);
        assert_eq!(without_clitic("’s"), None);
        assert_eq!(without_clitic("said"), None);
        assert_eq!(without_clitic("don't"), None);
        assert!(ends_with_ignore_case("WANTED", "ed"));
        assert!(ends_with_ignore_case("doesn’t", "n’t"));
        assert!(!ends_with_ignore_case("d", "ed"));

        // A token's hash is of its lower-cased text: "Of" is a stop word.
        let text_ = "Of the people";
        let toks = tokens_of(text_, &[]);
        let view = View {
            text: text_,
            toks: &toks,
        };
        assert!(view.lower_is(0, &STOP_SET));
        assert!(view.lower_is(1, &DETERMINER_SET));
        assert!(!view.lower_is(2, &STOP_SET));
    }

    /// A possessive alone resolves as its pronoun: "his" to the last
    /// person, "its" to the last organisation, "our" to the writer; the
    /// rules' pronoun list does not change.
    /// The tokenizer reads once what each word can stand for as a
    /// speaker; punctuation and names' words are nothing of the kind.
    #[test]
    fn every_token_knows_what_it_can_stand_for_as_a_speaker() {
        let text = "They said his plan, another added; its staff and Bill agreed.";
        let toks = tokens_of(text, &[]);
        let of = |w: &str| toks[index_of(text, &toks, w)].speaker;
        assert_eq!(of("They"), SpeakerWord::Pronoun(Pronoun::Group));
        assert_eq!(of("his"), SpeakerWord::Possessive);
        assert_eq!(of("its"), SpeakerWord::Possessive);
        assert_eq!(of("another"), SpeakerWord::Group);
        assert_eq!(of("said"), SpeakerWord::None);
        assert_eq!(of("Bill"), SpeakerWord::None);
        assert_eq!(of(","), SpeakerWord::None);
        assert_eq!(
            speaker_word(
                "YOU",
                classes_of(crate::pipeline::entities::features::text(b"you"))
            ),
            SpeakerWord::Pronoun(Pronoun::Deictic)
        );
        // What the view reads from the tokens is what `pronoun` says of
        // each word, punctuation included; a contraction ("we’ll") is one
        // token and no pronoun (`can_speak` judges its first part).
        let text = "“WHO knows?” she asked them — we’ll see, It said; you'd agree.";
        let toks = tokens_of(text, &[]);
        let view = View { text, toks: &toks };
        let pronouns: Vec<_> = (0..toks.len()).filter_map(|i| view.pronoun_at(i)).collect();
        assert_eq!(pronouns.len(), 4, "{pronouns:?}");
        for i in 0..toks.len() {
            assert_eq!(
                view.pronoun_at(i),
                pronoun(view.word(i)),
                "{}",
                view.word(i)
            );
        }
    }

    #[test]
    fn a_possessive_resolves_as_its_pronoun() {
        assert_eq!(possessive("His"), Some("he"));
        assert_eq!(possessive("ITS"), Some("it"));
        assert_eq!(possessive("her"), None, "already a pronoun");
        assert_eq!(possessive("your"), None);
        assert_eq!(pronoun("his"), None);
        let text = "Maria Lopez spoke. Acme Corp agreed. Critics cited his words, its figures and our view.";
        let entities = super::super::tests::many_mentions(
            text,
            &[
                ("Maria Lopez", EntityType::Person),
                ("Acme Corp", EntityType::Organization),
            ],
        );
        let (mentions, spans) = super::super::tests::mention_table(&entities);
        let toks = tokens_of(text, &spans);
        let view = View { text, toks: &toks };
        let resolver = Resolver::new(text, &toks, &entities, &mentions);
        let resolve = |w: &str| {
            let k = index_of(text, &toks, w);
            resolver.resolve(&view, k, k + 1, &[])
        };
        assert_eq!(resolve("his"), Resolution::Entity(0));
        assert_eq!(resolve("its"), Resolution::Entity(1));
        assert_eq!(resolve("our"), Resolution::Unnamed);
    }

    /// A speaker phrase needs a word that can name one: a noun, a
    /// pronoun, a quantifier standing for a group, a number with other
    /// words; adverbs, adjectives, verbs and bare numbers cannot.
    #[test]
    fn only_phrases_with_a_word_that_can_name_a_speaker_can_speak() {
        let cases = [
            ("Eventually", false),
            ("provide additional", false),
            ("The malicious", false),
            ("very important", false),
            ("69", false),
            ("until", false),
            ("the smoke", true),
            ("officials", true),
            ("The spokeswoman", true),
            ("he", true),
            ("Those surveyed", true),
            ("the two", true),
            ("42 %", true),
            ("Obama", true),
            ("you", false),
            ("you’ll", false),
            ("There's", false),
            ("I’m", true),
            ("the company's", true),
        ];
        for (phrase, speaks) in cases {
            let toks = tokens_of(phrase, &[]);
            let view = View {
                text: phrase,
                toks: &toks,
            };
            assert_eq!(view.can_speak(0, toks.len()), speaks, "{phrase}");
        }
        // A name the entity stage found speaks, whatever its words are.
        let phrase = "Early";
        let toks = tokens_of(phrase, &[crate::pipeline::Span { start: 0, end: 5 }]);
        let view = View {
            text: phrase,
            toks: &toks,
        };
        assert!(view.can_speak(0, 1));
    }

    /// The text of tokens `a..b`.
    fn span_text<'t>(text: &'t str, toks: &[Tok], (a, b): (usize, usize)) -> &'t str {
        &text[toks[a].start..toks[b - 1].end]
    }

    /// The index of the first token that reads `w`.
    pub(crate) fn index_of(text: &str, toks: &[Tok], w: &str) -> usize {
        toks.iter()
            .position(|t| &text[t.start..t.end] == w)
            .unwrap_or_else(|| panic!("{w} is a token"))
    }

    /// A reporting verb after a comma or a closing mark has its subject
    /// after it when the phrase there ends the clause; a pronoun followed
    /// by a verb is the subject of a clause of its own, and a verb with
    /// no comma before it is not inverted.
    #[test]
    fn an_inverted_verb_has_its_subject_after_it() {
        let cases = [
            (
                "It has used “velvet gloves”, said Nargis Kassenova, an expert.",
                Some("Nargis Kassenova"),
            ),
            (
                "“It is a yellow light,” said election lawyer Joe Birkenstock.",
                Some("election lawyer Joe Birkenstock"),
            ),
            (
                "“It was very worked up,” said a source close to the campaign.",
                Some("a source close"),
            ),
            (
                "The paradox of Nancy, says Carl Anthony, is that",
                Some("Carl Anthony"),
            ),
            ("He lost, said he would run again.", None),
            ("Officials said Tuesday that it was over.", None),
        ];
        for (text, subject) in cases {
            let toks = tokens_of(text, &[]);
            let view = View { text, toks: &toks };
            let verb = toks
                .iter()
                .position(|t| matches!(&text[t.start..t.end], "said" | "says"))
                .expect("a verb");
            let found = view.subject_inverted(verb, toks.len());
            assert_eq!(found.map(|p| span_text(text, &toks, p)), subject, "{text}");
        }
    }

    /// The preposition heading a candidate's noun phrase is found across
    /// a title and a determiner, and not across a verb.
    #[test]
    fn the_preposition_heading_a_phrase_is_found() {
        let cases = [
            (
                "It has been called “strategic ambiguity” by Joshua Hendrick.",
                "Joshua",
                Some("by"),
            ),
            (
                "Rubio was asked by host Bill Maher whether",
                "Bill",
                Some("by"),
            ),
            (
                "with the American Federation of Teachers calling her",
                "American",
                Some("with"),
            ),
            ("Clinton said the party would win.", "party", None),
            ("Clinton said it.", "Clinton", None),
        ];
        for (text, word, preposition) in cases {
            let toks = tokens_of(text, &[]);
            let view = View { text, toks: &toks };
            let found = view.preposition_of(index_of(text, &toks, word));
            assert_eq!(found.map(|p| view.word(p)), preposition, "{text}");
        }
    }
}
