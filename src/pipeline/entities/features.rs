//! Feature extraction for the entity tagger: every feature is a 64-bit
//! XXH3 hash of a template id and its values (XXH3 is frozen by its
//! specification, so trained models stay valid across releases).
//!
//! The templates follow the feature-based taggers that did best on
//! CoNLL-2003 (Ratinov & Roth 2009; Zhang & Johnson 2003):
//!
//! - **local**: the word, its lower-cased form, the lower-cased words two
//!   to the left and right, word bigrams, the word shape of the token and
//!   its neighbours, prefixes and suffixes up to four characters, the
//!   capitalisation pattern of the five-token window, the position in the
//!   sentence, whether the sentence is an all-caps headline, and how often
//!   the lower-cased word was seen written in lower case in the training
//!   text (a name written in capitals in a headline is rarely a common
//!   word);
//! - **gazetteers**: the token's BILOU position in a match of each list, for
//!   the token and its two neighbours, and combined with capitalisation;
//! - **previous predictions**: the labels of the two previous tokens, alone,
//!   together, and with the current word;
//! - **document level** (second pass only): the first pass's labels around
//!   the token, and how the first pass typed the same word elsewhere in the
//!   article (the "extended prediction history" of Ratinov & Roth), which
//!   carries a confident tag of "Peskov" in "Dmitry Peskov said" to a
//!   headline's "PESKOV".

use rustc_hash::FxHashMap;
use xxhash_rust::xxh3::xxh3_64;

use super::EntityType;
use super::clusters::TokenClusters;
use super::gazetteer::TokenMatches;
use super::labels::{self, Label};
use crate::pipeline::budget::Meter;

/// Template ids (the first byte hashed).
mod t {
    pub const BIAS: u8 = 0;
    pub const WORD: u8 = 1;
    pub const LOWER: u8 = 2;
    pub const LOWER_AT: u8 = 3;
    pub const BIGRAM_LEFT: u8 = 4;
    pub const BIGRAM_RIGHT: u8 = 5;
    pub const SHAPE_AT: u8 = 6;
    pub const SHAPE_BIGRAM: u8 = 7;
    pub const PREFIX: u8 = 8;
    pub const SUFFIX: u8 = 9;
    pub const CAPS_WINDOW: u8 = 10;
    pub const FIRST: u8 = 11;
    pub const HEADLINE: u8 = 12;
    pub const LOWER_SEEN: u8 = 13;
    pub const GAZ_AT: u8 = 14;
    pub const GAZ_CAPS: u8 = 15;
    pub const PREV1: u8 = 16;
    pub const PREV2: u8 = 17;
    pub const PREV12: u8 = 18;
    pub const PREV1_WORD: u8 = 19;
    pub const L1_AT: u8 = 20;
    pub const HISTORY: u8 = 21;
    pub const HISTORY_MAJORITY: u8 = 22;
    pub const HISTORY_NONE: u8 = 23;
    pub const SHAPE_WORD_LEFT: u8 = 24;
    pub const DOC_CASING: u8 = 25;
    pub const SHAPE_FAR: u8 = 26;
    pub const WORD_NEXT_SHAPE: u8 = 27;
    pub const L1_WORD: u8 = 28;
    pub const CAPS_RUN: u8 = 29;
    pub const GAZ_NUMERIC: u8 = 30;
    pub const CLUSTER: u8 = 31;
    pub const CLUSTER_NONE: u8 = 32;
    pub const CLUSTER_CAPS: u8 = 33;
    pub const BROWN: u8 = 34;
}

/// Lengths of the Brown-path prefixes used as classes (Ratinov & Roth).
const BROWN_PREFIXES: [u8; 4] = [4, 6, 10, 20];

/// MurmurHash3's 64-bit finaliser: a bijection that spreads every input
/// bit over the output.
#[inline]
fn fmix(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// A feature: its template and parts, each part a string's XXH3 hash or a
/// few bytes packed into a `u64`, folded together with [`fmix`]. For a fixed
/// template and prefix the fold is a bijection of the next part, so two
/// features collide only by chance (2^-64). Both XXH3 and this fold are
/// fixed, so trained models stay valid across releases.
#[inline]
pub(crate) fn feature(template: u8, parts: &[u64]) -> u64 {
    let mut h = fmix(u64::from(template) + 1);
    for &p in parts {
        h = fmix(h ^ p);
    }
    h
}

/// Up to eight bytes packed into a `u64` part.
#[inline]
pub(crate) fn pack(bytes: &[u8]) -> u64 {
    let mut v = 0u64;
    for &b in bytes.iter().take(8) {
        v = (v << 8) | u64::from(b);
    }
    v | ((bytes.len() as u64) << 60)
}

/// The part for a string.
#[inline]
pub(crate) fn text(bytes: &[u8]) -> u64 {
    xxh3_64(bytes)
}

/// The part for a position outside the sentence.
const OUTSIDE: u64 = 0x3c73_3e00_0000_0001;

/// The word shape: upper-case letters become `X`, lower-case `x`, digits
/// `d`, other characters stay; runs longer than two are cut to two, so
/// `Putin` and `Lukashenko` share `Xxx`, and `NATO` and `ISW` share `XX`.
pub fn shape(word: &str) -> String {
    let mut out = String::with_capacity(8);
    shape_into(word, &mut out);
    out
}

/// [`shape`] of `word`, written into `out` (cleared first).
fn shape_into(word: &str, out: &mut String) {
    out.clear();
    let mut last = '\0';
    let mut run = 0;
    for c in word.chars() {
        let s = if c.is_uppercase() {
            'X'
        } else if c.is_lowercase() {
            'x'
        } else if c.is_numeric() {
            'd'
        } else {
            c
        };
        if s == last {
            run += 1;
            if run > 2 {
                continue;
            }
        } else {
            run = 1;
            last = s;
        }
        out.push(s);
    }
}

/// Capitalisation class of one token: `C` capitalised, `A` all caps,
/// `l` lower case, `d` has a digit, `p` punctuation or other.
fn caps_class(word: &str) -> u8 {
    let mut chars = word.chars();
    let Some(first) = chars.next() else {
        return b'p';
    };
    if word.chars().any(|c| c.is_ascii_digit()) {
        b'd'
    } else if first.is_uppercase() {
        if word
            .chars()
            .filter(|c| c.is_alphabetic())
            .all(char::is_uppercase)
            && word.chars().count() > 1
        {
            b'A'
        } else {
            b'C'
        }
    } else if first.is_lowercase() {
        b'l'
    } else {
        b'p'
    }
}

/// Per-sentence inputs that do not depend on predictions, with what every
/// token's features need computed once per sentence (lower-cased form,
/// shape, capitalisation class, place in its run of capitalised words).
pub struct SentenceView<'a, S: AsRef<str>> {
    /// The tokens.
    pub words: &'a [S],
    /// Gazetteer matches per token.
    pub gazetteer: &'a [TokenMatches],
    /// How the document writes each word.
    pub casing: &'a DocumentCasing,
    /// Word-cluster classes per token.
    pub clusters: &'a [TokenClusters],
    lower: Vec<String>,
    /// XXH3 of each token as written, lower-cased, and of its shape.
    word_hash: Vec<u64>,
    lower_hash: Vec<u64>,
    shape_hash: Vec<u64>,
    classes: Vec<u8>,
    /// Per token: (place, length) in its run of capitalised words.
    runs: Vec<Option<(u8, u8)>>,
    headline: bool,
    numeric: u8,
}

impl<'a, S: AsRef<str>> SentenceView<'a, S> {
    /// The view of one sentence.
    pub fn new(
        words: &'a [S],
        gazetteer: &'a [TokenMatches],
        casing: &'a DocumentCasing,
        clusters: &'a [TokenClusters],
    ) -> Self {
        let lower = words.iter().map(|w| w.as_ref().to_lowercase()).collect();
        Self::with_lower(words, lower, gazetteer, casing, clusters)
    }

    /// The view of one sentence whose lower-cased words (`lower`, one per
    /// word) the caller already has.
    pub fn with_lower(
        words: &'a [S],
        lower: Vec<String>,
        gazetteer: &'a [TokenMatches],
        casing: &'a DocumentCasing,
        clusters: &'a [TokenClusters],
    ) -> Self {
        let word_hash = words.iter().map(|w| text(w.as_ref().as_bytes())).collect();
        let lower_hash = lower.iter().map(|w| text(w.as_bytes())).collect();
        let mut buf = String::new();
        let shape_hash = words
            .iter()
            .map(|w| {
                shape_into(w.as_ref(), &mut buf);
                text(buf.as_bytes())
            })
            .collect();
        let classes: Vec<u8> = words.iter().map(|w| caps_class(w.as_ref())).collect();
        // The token's place in its run of capitalised words (a cheap
        // stand-in for a noun-phrase chunk), and the run's length.
        let mut runs = vec![None; words.len()];
        let capitalised = |c: u8| matches!(c, b'C' | b'A');
        let mut first = 0;
        while first < words.len() {
            if !capitalised(classes[first]) {
                first += 1;
                continue;
            }
            let mut end = first + 1;
            while end < words.len() && capitalised(classes[end]) {
                end += 1;
            }
            let len = (end - first).min(5) as u8;
            for (i, run) in runs.iter_mut().enumerate().take(end).skip(first) {
                let place = match (i == first, i + 1 == end) {
                    (true, true) => b'U',
                    (true, false) => b'B',
                    (false, true) => b'L',
                    (false, false) => b'I',
                };
                *run = Some((place, len));
            }
            first = end;
        }
        // Sentences of numbers (results tables, scores): a city there is
        // usually a team.
        let numbers = words
            .iter()
            .filter(|w| w.as_ref().bytes().any(|b| b.is_ascii_digit()))
            .count();
        let numeric = (numbers * 4 / words.len().max(1)).min(3) as u8;
        SentenceView {
            words,
            gazetteer,
            casing,
            clusters,
            lower,
            word_hash,
            lower_hash,
            shape_hash,
            classes,
            runs,
            headline: is_headline(words),
            numeric,
        }
    }

    /// The lower-cased words, given back for reuse.
    pub fn into_lower(self) -> Vec<String> {
        self.lower
    }

    /// The part for token `i` lower-cased.
    pub fn lower_hash(&self, i: usize) -> u64 {
        self.lower_hash[i]
    }

    /// The lower-cased token at `i + k` as a part.
    fn lower_at(&self, i: usize, k: isize) -> u64 {
        self.at(i, k).map_or(OUTSIDE, |j| self.lower_hash[j])
    }

    /// The shape of the token at `i + k` as a part.
    fn shape_at(&self, i: usize, k: isize) -> u64 {
        self.at(i, k).map_or(OUTSIDE, |j| self.shape_hash[j])
    }

    fn at(&self, i: usize, k: isize) -> Option<usize> {
        let j = i as isize + k;
        (j >= 0 && (j as usize) < self.words.len()).then_some(j as usize)
    }
}

/// How a document writes each lower-cased word: in lower case, and
/// capitalised other than at the start of a sentence. A capitalised word
/// at the start of a sentence or in an all-caps headline is a name when the
/// rest of the article capitalises it too, and not when it writes it in
/// lower case.
#[derive(Debug, Default)]
pub struct DocumentCasing {
    counts: FxHashMap<String, [u8; 2]>,
}

impl DocumentCasing {
    /// Counts the casing of every word of a document's sentences.
    pub fn new<S: AsRef<str>>(sentences: &[&[S]]) -> DocumentCasing {
        let budget = crate::pipeline::Budget::unlimited();
        Self::new_metered(sentences, &mut budget.meter())
    }

    /// [`DocumentCasing::new`], one meter step per word; when the meter
    /// stops, the counts of the sentences read so far.
    pub fn new_metered<S: AsRef<str>>(sentences: &[&[S]], meter: &mut Meter<'_>) -> DocumentCasing {
        let mut counts: FxHashMap<String, [u8; 2]> = FxHashMap::default();
        let mut lower = String::new();
        for words in sentences {
            if meter.add(words.len() as u64) {
                break;
            }
            let headline = is_headline(words);
            for (i, w) in words.iter().enumerate() {
                let w = w.as_ref();
                let slot = match caps_class(w) {
                    b'l' => 0,
                    b'C' if i > 0 && !headline => 1,
                    _ => continue,
                };
                let c = &mut entry(&mut counts, lower_into(&mut lower, w))[slot];
                *c = c.saturating_add(1);
            }
        }
        DocumentCasing { counts }
    }

    fn get(&self, lower: &str) -> [u8; 2] {
        self.counts.get(lower).copied().unwrap_or_default()
    }
}

/// Whether every word with letters is in capitals (a wire headline).
fn is_headline<S: AsRef<str>>(words: &[S]) -> bool {
    words.len() > 1
        && words
            .iter()
            .filter(|w| w.as_ref().chars().any(char::is_alphabetic))
            .all(|w| caps_class(w.as_ref()) == b'A')
}

/// How often each lower-cased word was written in lower case in the
/// training text, as a log2 bucket (1..=8).
pub type LowerCounts = FxHashMap<String, u8>;

/// Feature extractor with a reusable buffer.
#[derive(Default)]
pub struct Extractor {
    lower: String,
}

impl Extractor {
    /// The features of token `i` that do not depend on predictions.
    pub fn static_features<S: AsRef<str>>(
        &mut self,
        sentence: &SentenceView<'_, S>,
        i: usize,
        lower_counts: &LowerCounts,
        out: &mut Vec<u64>,
    ) {
        let word = sentence.words[i].as_ref();
        let lower = sentence.lower[i].as_str();
        let lower_at = |k: isize| sentence.lower_at(i, k);
        let shape_at = |k: isize| sentence.shape_at(i, k);
        let offset = |k: isize| k as u8 as u64;

        out.push(feature(t::BIAS, &[]));
        out.push(feature(t::WORD, &[sentence.word_hash[i]]));
        out.push(feature(t::LOWER, &[lower_at(0)]));
        for k in [-2isize, -1, 1, 2] {
            out.push(feature(t::LOWER_AT, &[offset(k), lower_at(k)]));
        }
        out.push(feature(t::BIGRAM_LEFT, &[lower_at(-1), lower_at(0)]));
        out.push(feature(t::BIGRAM_RIGHT, &[lower_at(0), lower_at(1)]));
        let shapes = [shape_at(-1), shape_at(0), shape_at(1)];
        for (k, &s) in shapes.iter().enumerate() {
            out.push(feature(t::SHAPE_AT, &[k as u64, s]));
        }
        out.push(feature(t::SHAPE_BIGRAM, &[0, shapes[0], shapes[1]]));
        out.push(feature(t::SHAPE_BIGRAM, &[1, shapes[1], shapes[2]]));
        for k in [-2isize, 2] {
            out.push(feature(t::SHAPE_FAR, &[offset(k), shape_at(k)]));
        }
        out.push(feature(t::WORD_NEXT_SHAPE, &[lower_at(0), shapes[2]]));
        out.push(feature(t::SHAPE_WORD_LEFT, &[lower_at(-1), shapes[1]]));
        // Prefixes and suffixes of one to four characters, of words longer
        // than that.
        let bytes = word.as_bytes();
        let mut starts = word.char_indices().map(|(b, _)| b);
        let mut ends = word.char_indices().rev().map(|(b, _)| b);
        let prefix_cuts = [starts.nth(1), starts.next(), starts.next(), starts.next()];
        let suffix_cuts = [ends.next(), ends.next(), ends.next(), ends.next()];
        let chars = word.chars().count();
        for n in 1..=4usize {
            if chars > n
                && let (Some(p), Some(s)) = (prefix_cuts[n - 1], suffix_cuts[n - 1])
            {
                out.push(feature(t::PREFIX, &[text(&bytes[..p])]));
                out.push(feature(t::SUFFIX, &[text(&bytes[s..])]));
            }
        }
        let mut window = [b'_'; 5];
        for (slot, k) in window.iter_mut().zip(-2isize..=2) {
            if let Some(j) = sentence.at(i, k) {
                *slot = sentence.classes[j];
            }
        }
        out.push(feature(t::CAPS_WINDOW, &[pack(&window)]));
        let class = sentence.classes[i];
        let first = u8::from(i == 0);
        if i == 0 {
            out.push(feature(t::FIRST, &[u64::from(class)]));
        }
        if sentence.headline {
            out.push(feature(t::HEADLINE, &[shapes[1]]));
        }
        let [in_lower, in_caps] = sentence.casing.get(lower);
        // This occurrence itself is not evidence.
        let (in_lower, in_caps) = match class {
            b'l' => (in_lower.saturating_sub(1), in_caps),
            b'C' => (in_lower, in_caps.saturating_sub(u8::from(i > 0))),
            _ => (in_lower, in_caps),
        };
        let casing = [class, in_lower.min(2), in_caps.min(2), first];
        out.push(feature(t::DOC_CASING, &[pack(&casing)]));
        let seen = lower_counts.get(lower).copied().unwrap_or(0);
        out.push(feature(t::LOWER_SEEN, &[pack(&[seen, class, first])]));
        if let Some((place, len)) = sentence.runs[i] {
            out.push(feature(t::CAPS_RUN, &[pack(&[place, len])]));
        }
        // Word clusters of the token and its neighbours, coarse levels for
        // the neighbours two away.
        for k in [-2isize, -1, 0, 1, 2] {
            let Some(j) = sentence.at(i, k) else {
                continue;
            };
            let levels: &[usize] = match k {
                -1..=1 => &[0, 1, 2, 3, 4],
                _ => &[1, 2],
            };
            if k.abs() <= 1
                && let Some(path) = sentence.clusters[j].brown
            {
                for n in BROWN_PREFIXES {
                    let at = pack(&[k as u8, n]);
                    out.push(feature(t::BROWN, &[at, path.prefix(n)]));
                }
            }
            match sentence.clusters[j].vectors {
                Some(c) => {
                    for &level in levels {
                        let at = pack(&[k as u8, level as u8]);
                        out.push(feature(t::CLUSTER, &[at, u64::from(c[level])]));
                    }
                    if k == 0 {
                        out.push(feature(
                            t::CLUSTER_CAPS,
                            &[u64::from(class), u64::from(c[3])],
                        ));
                    }
                }
                None if k == 0 => out.push(feature(t::CLUSTER_NONE, &[u64::from(class)])),
                None => {}
            }
        }
        // Gazetteer matches of the token and its neighbours; in sentences
        // of numbers (results tables, scores) a city is usually a team.
        let numeric = sentence.numeric;
        for k in [-1isize, 0, 1] {
            let Some(j) = sentence.at(i, k) else {
                continue;
            };
            for &(list, position) in &sentence.gazetteer[j] {
                let p = position as u8;
                if k == 0 {
                    out.push(feature(t::GAZ_NUMERIC, &[pack(&[list, numeric])]));
                    out.push(feature(t::GAZ_CAPS, &[pack(&[list, p, class])]));
                }
                out.push(feature(t::GAZ_AT, &[pack(&[k as u8, list, p])]));
            }
        }
    }

    /// The features of token `i` from the labels already given to the two
    /// tokens before it.
    pub fn history_features<S: AsRef<str>>(
        &mut self,
        words: &[S],
        i: usize,
        previous: &[Label],
        out: &mut Vec<u64>,
    ) {
        let lower = text(lower_into(&mut self.lower, words[i].as_ref()).as_bytes());
        history_features_of(lower, i, previous, out);
    }

    /// Second-pass features of token `i` of sentence `s`: the first pass's
    /// labels around it and the first pass's typing of the same word
    /// elsewhere in the document.
    pub fn document_features<S: AsRef<str>>(
        &mut self,
        words: &[S],
        i: usize,
        first_pass: &[Label],
        history: &DocumentHistory,
        out: &mut Vec<u64>,
    ) {
        let word = words[i].as_ref();
        let lower = lower_into(&mut self.lower, word);
        let label = u64::from(first_pass[i].0);
        out.push(feature(t::L1_WORD, &[label, text(lower.as_bytes())]));
        for k in [-2isize, -1, 0, 1, 2] {
            let j = i as isize + k;
            let l = if j < 0 || j as usize >= first_pass.len() {
                255
            } else {
                first_pass[j as usize].0
            };
            out.push(feature(t::L1_AT, &[pack(&[k as u8, l])]));
        }
        if !word.chars().next().is_some_and(char::is_alphabetic) {
            return;
        }
        let Some(counts) = history.counts.get(lower) else {
            return;
        };
        // Leave this occurrence out.
        let mut counts = *counts;
        let own = first_pass[i].kind().map_or(4, type_index);
        counts[own] = counts[own].saturating_sub(1);
        let total: u32 = counts.iter().sum();
        if total == 0 {
            return;
        }
        let class = u64::from(caps_class(word));
        let typed: u32 = counts[..4].iter().sum();
        if typed == 0 {
            out.push(feature(t::HISTORY_NONE, &[class]));
            return;
        }
        let mut best = 0;
        for (k, &c) in counts[..4].iter().enumerate() {
            if c > 0 {
                let share = (c * 4 / total).min(4) as u8;
                out.push(feature(t::HISTORY, &[pack(&[k as u8, share])]));
            }
            if c > counts[best] {
                best = k;
            }
        }
        out.push(feature(t::HISTORY_MAJORITY, &[best as u64, class]));
    }
}

/// [`Extractor::history_features`] of token `i`, whose lower-cased form
/// has the part `lower` (as [`SentenceView::lower_hash`] gives it).
pub fn history_features_of(lower: u64, i: usize, previous: &[Label], out: &mut Vec<u64>) {
    let p1 = if i >= 1 { previous[i - 1].0 } else { 255 };
    let p2 = if i >= 2 { previous[i - 2].0 } else { 255 };
    out.push(feature(t::PREV1, &[u64::from(p1)]));
    out.push(feature(t::PREV2, &[u64::from(p2)]));
    out.push(feature(t::PREV12, &[pack(&[p1, p2])]));
    out.push(feature(t::PREV1_WORD, &[u64::from(p1), lower]));
}

/// Lower-cases `word` into `buf` (no allocation once `buf` has grown), the
/// same way everywhere a lower-cased word is a key.
pub fn lower_into<'b>(buf: &'b mut String, word: &str) -> &'b str {
    buf.clear();
    if word.is_ascii() {
        buf.push_str(word);
        buf.make_ascii_lowercase();
    } else {
        buf.push_str(&word.to_lowercase());
    }
    buf.as_str()
}

/// The counts of `key` in `counts`, inserted as zeros when missing (the
/// key is copied only then).
fn entry<'m, V: Default>(counts: &'m mut FxHashMap<String, V>, key: &str) -> &'m mut V {
    if !counts.contains_key(key) {
        counts.insert(key.to_owned(), V::default());
    }
    counts.get_mut(key).expect("inserted above")
}

fn type_index(kind: EntityType) -> usize {
    EntityType::ALL.iter().position(|k| *k == kind).unwrap_or(0)
}

/// How the first pass labelled each lower-cased word of a document: counts
/// per type (PER, ORG, LOC, MISC) and outside any entity.
#[derive(Debug, Default)]
pub struct DocumentHistory {
    counts: FxHashMap<String, [u32; 5]>,
}

impl DocumentHistory {
    /// The history of a document's sentences and their first-pass labels.
    pub fn new<S: AsRef<str>>(sentences: &[&[S]], labels: &[Vec<Label>]) -> DocumentHistory {
        let budget = crate::pipeline::Budget::unlimited();
        Self::new_metered(sentences, labels, &mut budget.meter())
    }

    /// [`DocumentHistory::new`], one meter step per word; when the meter
    /// stops, the history of the sentences read so far.
    pub fn new_metered<S: AsRef<str>>(
        sentences: &[&[S]],
        labels: &[Vec<Label>],
        meter: &mut Meter<'_>,
    ) -> DocumentHistory {
        let mut counts: FxHashMap<String, [u32; 5]> = FxHashMap::default();
        let mut lower = String::new();
        let mut kinds = Vec::new();
        for (words, labels) in sentences.iter().zip(labels) {
            if meter.add(words.len() as u64) {
                break;
            }
            let spans = labels::spans_from_labels(labels);
            kinds.clear();
            kinds.resize(words.len(), 4usize);
            for s in spans {
                for k in &mut kinds[s.first..s.end.min(words.len())] {
                    *k = type_index(s.kind);
                }
            }
            for (w, &k) in words.iter().zip(&kinds) {
                let w = w.as_ref();
                if w.chars().next().is_some_and(char::is_alphabetic) {
                    entry(&mut counts, lower_into(&mut lower, w))[k] += 1;
                }
            }
        }
        DocumentHistory { counts }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::entities::clusters::TokenClusters;
    use crate::pipeline::entities::labels::Position;

    #[test]
    fn shapes_collapse_long_runs() {
        assert_eq!(shape("Putin"), "Xxx");
        assert_eq!(shape("NATO"), "XX");
        assert_eq!(shape("1996-08-22"), "dd-dd-dd");
        assert_eq!(shape("McDonald's"), "XxXxx'x");
    }

    #[test]
    fn features_are_deterministic_and_context_sensitive() {
        let words = ["Kremlin", "spokesman", "Dmitry", "Peskov", "said"];
        let mut gaz = vec![TokenMatches::new(); 5];
        gaz[2].push((4u8, Position::Unit));
        let casing = DocumentCasing::default();
        let clusters = vec![TokenClusters::default(); words.len()];
        let view = SentenceView::new(&words, &gaz, &casing, &clusters);
        let counts = LowerCounts::default();
        let mut x = Extractor::default();
        let (mut a, mut b, mut c) = (Vec::new(), Vec::new(), Vec::new());
        x.static_features(&view, 2, &counts, &mut a);
        x.static_features(&view, 2, &counts, &mut b);
        x.static_features(&view, 3, &counts, &mut c);
        assert_eq!(a, b);
        assert_ne!(a, c);
        // The gazetteer match of token 2 shows up on token 1 as its right
        // neighbour's, and not on token 0.
        let right_neighbour_match = feature(t::GAZ_AT, &[pack(&[1, 4, Position::Unit as u8])]);
        let mut left = Vec::new();
        x.static_features(&view, 1, &counts, &mut left);
        let mut none = Vec::new();
        x.static_features(&view, 0, &counts, &mut none);
        assert!(left.contains(&right_neighbour_match));
        assert!(!none.contains(&right_neighbour_match));
    }

    #[test]
    fn history_leaves_the_token_itself_out() {
        let s1 = ["Peskov", "said"];
        let s2 = ["PESKOV", "SPEAKS"];
        let per = Label::new(EntityType::Person, Position::Unit);
        let labels = vec![vec![per, Label::O], vec![Label::O, Label::O]];
        let sentences: Vec<&[&str]> = vec![&s1, &s2];
        let history = DocumentHistory::new(&sentences, &labels);
        let mut x = Extractor::default();
        let mut with_history = Vec::new();
        x.document_features(&s2, 0, &labels[1], &history, &mut with_history);
        let mut alone = Vec::new();
        x.document_features(&s1, 0, &labels[0], &history, &mut alone);
        // "PESKOV" sees the PER typing of "Peskov"; "Peskov" sees only an
        // untyped "PESKOV".
        assert!(with_history.len() > 3);
        assert_ne!(with_history[3..], alone[3..]);
    }
}
