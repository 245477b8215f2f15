//! The learned main-content scorer: every text block of the page
//! ([`super::dom`]) is scored by a linear model over what the text
//! classifier measures (length, stop-word density, punctuation, shape,
//! position, language), DOM evidence (link density, tag, tag path, class
//! and id words, landmarks, the totals of its containers, text density)
//! and the extractor's choice (whether the block is in trafilatura's
//! output, and whether its neighbours and siblings are) with a second
//! opinion, readability's choice and where it agrees with the extractor's,
//! so the model fuses its evidence with the extractors' decisions instead
//! of overriding them. Blocks scoring above the model's threshold are the
//! main content, in page order.
//!
//! The model is trained by `newsenrich train content` (a logistic
//! regression over blocks labelled from the trafilatura evaluation set,
//! `src/train/content.rs`) and embedded from `models/content.bin`.
//!
//! Features of a page cost its blocks times a constant (at most
//! [`super::dom::MAX_BLOCK_TOKENS`] class words a block; each extractor's
//! blocks are matched through one [`Needles`] automaton of block ends).

use std::sync::{LazyLock, OnceLock};

use rustc_hash::FxHashSet;

use super::PageBlock;
use super::dom::{DomBlock, DomPage, flag};
use super::needles::Needles;
use crate::pipeline::budget::Meter;
use crate::pipeline::cleaning::features::{Features, StopWords};
use crate::pipeline::entities::features::{feature, pack, text as hash_text};
use crate::pipeline::first_pass::{self, FirstPass};
use crate::pipeline::linear::{self, FlatWeights, LinearModel, ModelError, Reader, Weights};

/// The embedded model file.
pub static EMBEDDED: &[u8] = include_bytes!("../../../models/content.bin");

/// First bytes of a model file.
pub const MAGIC: &[u8; 8] = b"NEWSCNT1";

/// The error for bytes that are no content model.
const MISSING: &str = "no trained content model (run `newsenrich train content`)";

/// Bytes of a block's head and tail matched against the extractor's text.
const END_BYTES: usize = 64;

/// Feature templates.
mod t {
    pub const BIAS: u8 = 0;
    pub const TRAF: u8 = 1;
    pub const TRAF_LEN: u8 = 2;
    pub const LEN: u8 = 3;
    pub const WORDS: u8 = 4;
    pub const STOP: u8 = 5;
    pub const LINK: u8 = 6;
    pub const TAG: u8 = 7;
    pub const KIND: u8 = 8;
    pub const FLAG: u8 = 9;
    pub const PATH: u8 = 10;
    pub const TOKEN: u8 = 11;
    pub const SHAPE: u8 = 12;
    pub const NUMBERS: u8 = 13;
    pub const CAPS: u8 = 14;
    pub const NEIGHBOURS: u8 = 15;
    pub const DISTANCE: u8 = 16;
    pub const CONTAINER: u8 = 17;
    pub const POSITION: u8 = 18;
    pub const SHORT_TEXT: u8 = 19;
    pub const FIRST_WORD: u8 = 20;
    pub const LANG: u8 = 21;
    pub const DENSITY: u8 = 22;
    pub const CUE: u8 = 23;
    pub const COVERAGE: u8 = 24;
    pub const SIBLINGS: u8 = 25;
    pub const TRAF_FLAG: u8 = 26;
    pub const TRAF_STOP: u8 = 27;
    pub const TRAF_LINK: u8 = 28;
    pub const READABILITY: u8 = 29;
    pub const READABILITY_LEN: u8 = 30;
    pub const READABILITY_NEIGHBOURS: u8 = 31;
}

/// Groups of features, to switch off for ablation (`train content
/// --without`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Group {
    /// The extractor's choice: the block, its neighbours, siblings, coverage.
    Extractor,
    /// Text: length, stop words, punctuation, shape, cue patterns, words.
    Text,
    /// DOM: link density, tag, path, landmarks, containers, text density.
    Dom,
    /// Class and id words.
    Classes,
    /// Position in the page.
    Position,
    /// Readability's choice, and its agreement with the extractor's.
    Readability,
}

impl Group {
    fn of(template: u8) -> Group {
        match template {
            t::TRAF
            | t::TRAF_LEN
            | t::NEIGHBOURS
            | t::DISTANCE
            | t::COVERAGE
            | t::SIBLINGS
            | t::TRAF_FLAG
            | t::TRAF_STOP
            | t::TRAF_LINK => Group::Extractor,
            t::LEN
            | t::WORDS
            | t::STOP
            | t::SHAPE
            | t::NUMBERS
            | t::CAPS
            | t::SHORT_TEXT
            | t::FIRST_WORD
            | t::LANG
            | t::CUE => Group::Text,
            t::TOKEN => Group::Classes,
            t::POSITION => Group::Position,
            t::READABILITY | t::READABILITY_LEN | t::READABILITY_NEIGHBOURS => Group::Readability,
            _ => Group::Dom,
        }
    }
}

/// A trained content scorer: the linear model of the first pass (blocks
/// scoring above its parameter, the threshold, are main content) and the
/// weights of an optional second pass.
///
/// The first pass's weights are also kept as a [`FlatWeights`] table for
/// scoring a feature as it is made ([`ContentModel::flat`]), built at the
/// first call: change the weights before scoring with it, or clone it
/// (a clone builds its own table).
#[derive(Debug)]
pub struct ContentModel {
    /// The first pass's weights, the threshold and the version.
    pub linear: LinearModel,
    /// Weights of the second pass, over the first pass's features and the
    /// first-pass scores of the block's neighbours and container
    /// ([`context_features`]); empty for a one-pass model.
    pub second: Weights,
    /// The first pass's weights as a flat table, made at first use.
    flat: OnceLock<FlatWeights>,
}

impl Clone for ContentModel {
    fn clone(&self) -> ContentModel {
        ContentModel {
            linear: self.linear.clone(),
            second: self.second.clone(),
            flat: OnceLock::new(),
        }
    }
}

impl ContentModel {
    /// A one-pass model from its parts.
    pub fn new(version: impl Into<String>, threshold: f32, weights: Weights) -> ContentModel {
        ContentModel::from_linear(LinearModel::new(MAGIC, version, threshold, weights))
    }

    /// A one-pass model over `linear` (whose magic says which kind of
    /// block model it is: this scorer's, the text cleaner's).
    pub fn from_linear(linear: LinearModel) -> ContentModel {
        ContentModel {
            linear,
            second: Weights::default(),
            flat: OnceLock::new(),
        }
    }

    /// The model embedded in the binary, if one was trained.
    pub fn embedded() -> Option<&'static ContentModel> {
        static MODEL: LazyLock<Option<ContentModel>> =
            LazyLock::new(|| ContentModel::trained(EMBEDDED, MAGIC, MISSING));
        MODEL.as_ref()
    }

    /// The model of kind `magic` in `bytes` when they hold a trained one
    /// (weights, not an empty placeholder).
    pub fn trained(
        bytes: &[u8],
        magic: &'static [u8; 8],
        missing: &'static str,
    ) -> Option<ContentModel> {
        ContentModel::read(bytes, magic, missing)
            .ok()
            .filter(|m| m.linear.is_trained())
    }

    /// The first pass's weights as a flat table (made at the first call).
    pub fn flat(&self) -> &FlatWeights {
        self.flat
            .get_or_init(|| FlatWeights::new(&self.linear.weights))
    }

    /// Blocks scoring above this are main content.
    pub fn threshold(&self) -> f32 {
        self.linear.parameter
    }

    /// Serialises the model ([`LinearModel::to_bytes_with`]), its own
    /// section the second pass's weights.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.linear
            .to_bytes_with(|out| linear::write_weights(&self.second, out))
    }

    /// Reads what [`ContentModel::to_bytes`] wrote.
    pub fn from_bytes(bytes: &[u8]) -> Result<ContentModel, ModelError> {
        ContentModel::read(bytes, MAGIC, MISSING)
    }

    /// Reads what [`ContentModel::to_bytes`] wrote for a model of kind
    /// `magic`; `missing` is the error when the bytes are of another kind.
    pub fn read(
        bytes: &[u8],
        magic: &'static [u8; 8],
        missing: &'static str,
    ) -> Result<ContentModel, ModelError> {
        let (linear, second) =
            LinearModel::from_bytes_with(bytes, magic, missing, Reader::weights)?;
        Ok(ContentModel {
            second,
            ..ContentModel::from_linear(linear)
        })
    }

    /// The final score of every block, given their features.
    pub fn scores(&self, dom: &DomPage, features: &[Vec<u64>]) -> Vec<f32> {
        self.scores_with(features, |first| context_features(dom, first))
    }

    /// The final score of every block, given their features and how the
    /// second pass's features follow from the first pass's scores
    /// (`context`, used only by a two-pass model).
    pub fn scores_with(
        &self,
        features: &[Vec<u64>],
        context: impl FnOnce(&[f32]) -> Vec<Vec<u64>>,
    ) -> Vec<f32> {
        let first: Vec<f32> = features.iter().map(|f| self.linear.score(f)).collect();
        if self.second.is_empty() {
            return first;
        }
        let context = context(&first);
        features
            .iter()
            .zip(&context)
            .map(|(f, c)| linear::score(&self.second, f) + linear::score(&self.second, c))
            .collect()
    }

    /// The blocks of `dom` that score above the threshold, in page order,
    /// given their features ([`page_features`]).
    pub fn select(&self, dom: &DomPage, features: &[Vec<u64>]) -> Vec<PageBlock> {
        dom.blocks
            .iter()
            .zip(self.scores(dom, features))
            .filter(|(_, s)| *s > self.threshold())
            .map(|(b, _)| PageBlock {
                text: b.text.clone(),
                kind: b.kind,
            })
            .collect()
    }
}

/// The second pass's features of every block beyond the first pass's: the
/// first-pass scores (`first`) of the block, of its neighbours, of the
/// best of the two blocks either side, and the mean over its parent
/// container's blocks. Linear in the blocks.
pub fn context_features(dom: &DomPage, first: &[f32]) -> Vec<Vec<u64>> {
    use first_pass::template as c;
    let n = dom.blocks.len().min(first.len());
    let pass = FirstPass(first);
    let mut sums = vec![(0.0f32, 0u32); dom.elements.len()];
    for (block, &s) in dom.blocks.iter().zip(first) {
        if let Some(slot) = block
            .containers
            .get(1)
            .and_then(|&c| sums.get_mut(c as usize))
        {
            slot.0 += s;
            slot.1 += 1;
        }
    }
    (0..n)
        .map(|i| {
            let own = first_pass::bucket(first[i]);
            let kind = dom.blocks[i].kind as u64;
            let mean = dom.blocks[i]
                .containers
                .get(1)
                .and_then(|&c| sums.get(c as usize))
                .filter(|(_, k)| *k > 1)
                .map_or(FirstPass::NONE, |(s, k)| first_pass::bucket(s / *k as f32));
            let mut f = Vec::with_capacity(7);
            f.push(feature(c::OWN, &[own, kind]));
            f.extend(pass.neighbours(i, n, own, feature));
            f.push(feature(c::AREA, &[mean, own]));
            f
        })
        .collect()
}

/// How a DOM block stands in the extractor's output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub enum InExtractor {
    /// Neither end of it is there.
    No = 0,
    /// One end of it is there.
    Partly = 1,
    /// Both ends are there.
    Yes = 2,
    /// It is one of the extractor's blocks, exactly.
    Exact = 3,
}

/// Where each DOM block stands in the extractor's blocks; linear in both
/// (one automaton of the blocks' heads and tails). `None` when the meter
/// stopped.
pub fn in_extractor(
    dom: &DomPage,
    extracted: &[PageBlock],
    meter: &mut Meter<'_>,
) -> Option<Vec<InExtractor>> {
    fn head(t: &str) -> &[u8] {
        let b = t.as_bytes();
        b.get(..END_BYTES.min(b.len())).unwrap_or_default()
    }
    fn tail(t: &str) -> &[u8] {
        let b = t.as_bytes();
        b.get(b.len().saturating_sub(END_BYTES)..)
            .unwrap_or_default()
    }
    let needles = Needles::new(
        dom.blocks
            .iter()
            .flat_map(|b| [head(&b.text), tail(&b.text)]),
        meter,
    );
    let found = needles.occurring(extracted.iter().map(|b| b.text.as_bytes()), meter);
    let exact: FxHashSet<u64> = extracted
        .iter()
        .map(|b| hash_text(b.text.as_bytes()))
        .collect();
    if meter.is_stopped() {
        return None;
    }
    Some(
        dom.blocks
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let h = found.get(2 * i).copied().unwrap_or(false);
                let t = found.get(2 * i + 1).copied().unwrap_or(false);
                if exact.contains(&hash_text(b.text.as_bytes())) {
                    InExtractor::Exact
                } else if h && t {
                    InExtractor::Yes
                } else if h || t {
                    InExtractor::Partly
                } else {
                    InExtractor::No
                }
            })
            .collect(),
    )
}

/// `x` in buckets: the index of the first edge it is below.
pub(crate) fn bucket(x: f32, edges: &[f32]) -> u64 {
    edges.iter().position(|&e| x < e).unwrap_or(edges.len()) as u64
}

/// log2 of `n`, capped.
pub(crate) fn log2(n: u32, cap: u32) -> u64 {
    u64::from((32 - n.leading_zeros()).min(cap))
}

fn ratio(a: u32, b: u32) -> f32 {
    if b == 0 { 0.0 } else { a as f32 / b as f32 }
}

/// Cue patterns of boilerplate text: copyright, separators, dates alone.
/// No allocation: the head's words are matched ignoring ASCII case, which
/// is what lower-casing the head and matching finds (no other character
/// lower-cases to a letter of these words followed by the next one).
pub(crate) fn cues(text: &str, out: &mut impl FnMut(u64)) {
    let bytes = text.as_bytes();
    let head_end = text.char_indices().nth(80).map_or(text.len(), |(i, _)| i);
    let head = &bytes[..head_end];
    // The head's words in one sweep: a position is tried only where its
    // byte is the word's first letter in either case.
    let (mut copyright, mut http, mut www) = (false, false, false);
    for (i, &b) in head.iter().enumerate() {
        let at = |word: &[u8]| {
            head.get(i..i + word.len())
                .is_some_and(|w| w.eq_ignore_ascii_case(word))
        };
        match b | 0x20 {
            b'c' => copyright = copyright || at(b"copyright"),
            b'h' => http = http || at(b"http"),
            b'w' => www = www || at(b"www."),
            _ => {}
        }
    }
    // '|', and the lead bytes of ©, » (C2) and › (E2), in one sweep.
    let (mut bars, mut copy_sign, mut angle) = (0usize, false, false);
    for i in memchr::memchr3_iter(b'|', 0xC2, 0xE2, bytes) {
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'|', _, _) => bars += 1,
            (0xC2, Some(0xA9), _) => copy_sign = true,
            (0xC2, Some(0xBB), _) | (0xE2, Some(0x80), Some(0xBA)) => angle = true,
            _ => {}
        }
    }
    if copy_sign || copyright {
        out(1);
    }
    if bars > 0 {
        out(2 + (bars > 2) as u64);
    }
    if angle
        || memchr::memchr_iter(b'>', bytes)
            .any(|i| i > 0 && bytes[i - 1] == b' ' && bytes.get(i + 1) == Some(&b' '))
    {
        out(4);
    }
    if text.len() < 40 && text.bytes().filter(u8::is_ascii_digit).count() >= 4 {
        out(5);
    }
    if text.starts_with('@') || http || www {
        out(6);
    }
    if text.ends_with(':') {
        out(7);
    }
    if text.ends_with("...") || text.ends_with('…') {
        out(8);
    }
}

/// The features of every block of `dom`, given where the blocks stand in
/// the extractor's output and in readability's (when it ran), the page's
/// stop words and language tag. Groups in `without` are left out
/// (ablation; empty in the product).
pub fn page_features(
    dom: &DomPage,
    traf: &[InExtractor],
    readability: Option<&[InExtractor]>,
    stop: &StopWords,
    language: &str,
    without: &[Group],
    meter: &mut Meter<'_>,
) -> Option<Vec<Vec<u64>>> {
    let n = dom.blocks.len();
    let total_bytes: u64 = dom.blocks.iter().map(|b| u64::from(b.bytes)).sum();
    let traf_bytes: u64 = dom
        .blocks
        .iter()
        .zip(traf)
        .filter(|(_, s)| **s >= InExtractor::Yes)
        .map(|(b, _)| u64::from(b.bytes))
        .sum();
    let coverage = bucket(
        traf_bytes as f32 / total_bytes.max(1) as f32,
        &[0.02, 0.1, 0.25, 0.5, 0.8],
    );
    // Per container: blocks in the extractor's output.
    let mut container_traf = vec![0u32; dom.elements.len()];
    for (b, s) in dom.blocks.iter().zip(traf) {
        if *s >= InExtractor::Yes {
            for &c in &b.containers {
                if let Some(slot) = container_traf.get_mut(c as usize) {
                    *slot += 1;
                }
            }
        }
    }
    // Distance (in blocks) to the nearest extracted block, either side.
    let far = u32::MAX;
    let mut before = vec![far; n];
    let mut last = None;
    for (i, slot) in before.iter_mut().enumerate() {
        *slot = last.map_or(far, |l: usize| (i - l) as u32);
        if traf.get(i).is_some_and(|s| *s >= InExtractor::Yes) {
            last = Some(i);
        }
    }
    let mut after = vec![far; n];
    last = None;
    for (i, slot) in after.iter_mut().enumerate().rev() {
        *slot = last.map_or(far, |l: usize| (l - i) as u32);
        if traf.get(i).is_some_and(|s| *s >= InExtractor::Yes) {
            last = Some(i);
        }
    }
    let lang = pack(
        language
            .split(['-', '_'])
            .next()
            .unwrap_or_default()
            .as_bytes(),
    );
    let mut all = Vec::with_capacity(n);
    for (i, block) in dom.blocks.iter().enumerate() {
        if meter.add(block.text.len() as u64 + 32) {
            return None;
        }
        let state = traf.get(i).copied().unwrap_or(InExtractor::No) as u64;
        let mut f = Vec::with_capacity(64);
        let mut push = |template: u8, parts: &[u64]| {
            if !without.contains(&Group::of(template)) {
                f.push(feature(template, parts));
            }
        };
        block_features(
            dom,
            block,
            i,
            state,
            stop,
            &mut push,
            BlockContext {
                n,
                lang,
                coverage,
                before: before[i],
                after: after[i],
                prev: if i > 0 { traf.get(i - 1) } else { None }.map_or(9, |s| *s as u64),
                next: traf.get(i + 1).map_or(9, |s| *s as u64),
                readability: readability.map(|r| {
                    let at = |j: usize| r.get(j).map_or(9, |s| (*s).min(InExtractor::Yes) as u64);
                    (at(i), if i > 0 { at(i - 1) } else { 9 }, at(i + 1))
                }),
                siblings: block.containers.get(1).map_or((0, 0), |&c| {
                    (
                        container_traf.get(c as usize).copied().unwrap_or(0),
                        dom.element(c).blocks,
                    )
                }),
            },
        );
        all.push(f);
    }
    Some(all)
}

/// Page-level facts about one block.
struct BlockContext {
    n: usize,
    lang: u64,
    coverage: u64,
    before: u32,
    after: u32,
    prev: u64,
    next: u64,
    /// Blocks of the parent container in the extractor's output, and all.
    siblings: (u32, u32),
    /// Where the block, the previous and the next one stand in
    /// readability's output (exact matches counted as `Yes`; 9 past the
    /// page's ends), when readability ran.
    readability: Option<(u64, u64, u64)>,
}

fn block_features(
    dom: &DomPage,
    block: &DomBlock,
    i: usize,
    state: u64,
    stop: &StopWords,
    push: &mut impl FnMut(u8, &[u64]),
    cx: BlockContext,
) {
    let text = block.text.as_str();
    let tf = Features::of(text, stop);
    let len = log2(block.bytes, 13);
    let link = bucket(
        ratio(block.link_bytes, block.bytes),
        &[0.01, 0.2, 0.5, 0.8, 0.99],
    );
    let stop_d = bucket(
        tf.stop_density(),
        &[0.01, 0.1, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5],
    );
    let long = u64::from(tf.words >= 10);
    push(t::BIAS, &[]);
    push(t::TRAF, &[state]);
    push(t::TRAF_LEN, &[state, len]);
    push(t::TRAF_STOP, &[state.min(2), stop_d, long]);
    push(t::TRAF_LINK, &[state.min(2), link]);
    if let Some((at, prev, next)) = cx.readability {
        // Where the two extractors agree, and where they do not, by length.
        push(t::READABILITY, &[at, state]);
        push(t::READABILITY_LEN, &[at, state.min(2), len]);
        push(t::READABILITY_NEIGHBOURS, &[at, prev, next]);
    }
    push(t::LEN, &[len]);
    push(t::WORDS, &[log2(tf.words as u32, 9)]);
    push(t::STOP, &[stop_d, long]);
    push(t::LINK, &[link]);
    push(t::TAG, &[pack(block.tag.as_str().as_bytes())]);
    push(t::KIND, &[block.kind as u64, len.min(8)]);
    for bit in 0..flag::COUNT {
        if block.flags & (1 << bit) != 0 {
            push(t::FLAG, &[u64::from(bit)]);
            push(t::TRAF_FLAG, &[state.min(2), u64::from(bit)]);
        }
    }
    push(t::PATH, &[block.path]);
    for &token in dom.tokens_of(block) {
        push(t::TOKEN, &[token]);
    }
    push(
        t::SHAPE,
        &[
            u64::from(tf.ends_sentence),
            u64::from(tf.inner_punctuation),
            u64::from(tf.starts_upper),
            u64::from(tf.has_quote),
        ],
    );
    let words = tf.words.max(1) as f32;
    push(
        t::NUMBERS,
        &[bucket(tf.numbers as f32 / words, &[0.01, 0.2, 0.5])],
    );
    push(
        t::CAPS,
        &[bucket(
            tf.capitalised as f32 / words,
            &[0.2, 0.4, 0.7, 0.95],
        )],
    );
    push(t::NEIGHBOURS, &[cx.prev, cx.next]);
    let dist = |d: u32| bucket(d as f32, &[1.0, 2.0, 3.0, 5.0, 10.0, 30.0]);
    push(
        t::DISTANCE,
        &[state.min(2), dist(cx.before), dist(cx.after)],
    );
    for (k, &c) in block.containers.iter().enumerate().skip(1) {
        if c == u32::MAX {
            continue;
        }
        let e = dom.element(c);
        push(
            t::CONTAINER,
            &[
                k as u64,
                bucket(ratio(e.link_bytes, e.bytes), &[0.05, 0.2, 0.5, 0.8]),
                log2(e.blocks, 6),
            ],
        );
    }
    push(
        t::POSITION,
        &[bucket(
            (i as f32 + 0.5) / cx.n.max(1) as f32,
            &[0.1, 0.25, 0.5, 0.75, 0.9],
        )],
    );
    if tf.words <= 4 && text.len() <= 48 {
        let lower: String = text.chars().flat_map(char::to_lowercase).collect();
        push(t::SHORT_TEXT, &[hash_text(lower.as_bytes())]);
    }
    if let Some(first) = text.split_whitespace().next() {
        let lower: String = first
            .chars()
            .take(16)
            .flat_map(char::to_lowercase)
            .collect();
        push(t::FIRST_WORD, &[hash_text(lower.as_bytes()), long]);
    }
    push(t::LANG, &[cx.lang]);
    push(
        t::DENSITY,
        &[bucket(
            block.bytes as f32 / (block.tags + 1) as f32,
            &[5.0, 15.0, 40.0, 100.0],
        )],
    );
    cues(text, &mut |c| push(t::CUE, &[c]));
    push(t::COVERAGE, &[cx.coverage, state.min(2)]);
    let (in_traf, all) = cx.siblings;
    push(
        t::SIBLINGS,
        &[
            state.min(2),
            bucket(ratio(in_traf, all), &[0.01, 0.5, 0.99]),
            u64::from(all > 1),
        ],
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::Budget;
    use crate::pipeline::cleaning::features::stop_words;
    use crate::pipeline::html::BlockKind;
    use crate::pipeline::html::dom;

    /// [`cues`] as first written: the head lower-cased into a string.
    fn cues_by_lowercasing(text: &str) -> Vec<u64> {
        let lower_head: String = text.chars().take(80).flat_map(char::to_lowercase).collect();
        let mut out = Vec::new();
        if text.contains('©') || lower_head.contains("copyright") {
            out.push(1);
        }
        let bars = text.bytes().filter(|&b| b == b'|').count();
        if bars > 0 {
            out.push(2 + (bars > 2) as u64);
        }
        if text.contains('»') || text.contains('›') || text.contains(" > ") {
            out.push(4);
        }
        let digits = text.bytes().filter(u8::is_ascii_digit).count();
        if text.len() < 40 && digits >= 4 {
            out.push(5);
        }
        if text.starts_with('@') || lower_head.contains("http") || lower_head.contains("www.") {
            out.push(6);
        }
        if text.ends_with(':') {
            out.push(7);
        }
        if text.ends_with("...") || text.ends_with('…') {
            out.push(8);
        }
        out
    }

    fn cue_list(text: &str) -> Vec<u64> {
        let mut out = Vec::new();
        cues(text, &mut |c| out.push(c));
        out
    }

    #[test]
    fn cues_match_lower_casing_the_head() {
        for text in [
            "© 2024 Example",
            "COPYRIGHT Example",
            "CopyRİght",
            "Visit WWW.EXAMPLE.COM",
            "HTTPS link",
            "\u{212A}http",
            "İİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİİ copyright",
            "ééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé http",
            "a | b | c | d",
            "Home » News",
            "12.03.2024",
            "@handle",
            "Read more:",
            "and so on...",
            "",
        ] {
            assert_eq!(cue_list(text), cues_by_lowercasing(text), "{text:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn cues_match_lower_casing_anything(
            text in "[a-zA-Z0-9 .:|@>»›…©İıKkſ\u{212A}\u{130}wWhHtTpPcCoOyYrRiIgG]{0,100}"
        ) {
            proptest::prop_assert_eq!(cue_list(&text), cues_by_lowercasing(&text));
        }
    }

    #[test]
    fn model_bytes_round_trip() {
        let mut w = Weights::default();
        w.insert(7, 1.5);
        w.insert(3, -0.25);
        let m = ContentModel {
            second: w.clone(),
            ..ContentModel::new("content-test-1", 0.5, w)
        };
        let bytes = m.to_bytes();
        let back = ContentModel::from_bytes(&bytes).expect("reads");
        assert_eq!(back.linear.version, "content-test-1");
        assert_eq!(back.threshold(), 0.5);
        assert_eq!(back.to_bytes(), bytes);
        assert_eq!(back.linear.score(&[7, 3, 99]), 1.25);
        assert_eq!(back.second.len(), 2);
        assert!(ContentModel::from_bytes(&bytes[..bytes.len() - 3]).is_err());
        assert!(ContentModel::from_bytes(b"NEWSCNT1").is_err());
        assert!(ContentModel::from_bytes(b"garbage").is_err());
    }

    #[test]
    fn blocks_are_placed_in_the_extractor_output() {
        let budget = Budget::unlimited();
        let mut meter = budget.meter();
        let page = dom::scan(
            "<p>Home</p><p>A long paragraph that the extractor kept in full.</p>\
             <p>Split here</p><p>Nowhere</p>",
            &mut meter,
        )
        .expect("unlimited");
        let extracted = [
            PageBlock {
                text: "Home".into(),
                kind: BlockKind::Paragraph,
            },
            PageBlock {
                text: "Intro. A long paragraph that the extractor kept in full.".into(),
                kind: BlockKind::Paragraph,
            },
            PageBlock {
                text: "Split here and more".into(),
                kind: BlockKind::Paragraph,
            },
        ];
        let at = in_extractor(&page, &extracted, &mut meter).expect("unlimited");
        assert_eq!(
            at,
            [
                InExtractor::Exact,
                InExtractor::Yes,
                InExtractor::Yes,
                InExtractor::No
            ]
        );
    }

    /// A page's features, with the extractor having chosen `chosen`.
    fn features(html: &str, chosen: &[&str]) -> (DomPage, Vec<Vec<u64>>) {
        let budget = Budget::unlimited();
        let mut meter = budget.meter();
        let page = dom::scan(html, &mut meter).expect("unlimited");
        let extracted: Vec<PageBlock> = chosen
            .iter()
            .map(|t| PageBlock {
                text: (*t).into(),
                kind: BlockKind::Paragraph,
            })
            .collect();
        let at = in_extractor(&page, &extracted, &mut meter).expect("unlimited");
        let f = page_features(&page, &at, None, stop_words("en"), "en", &[], &mut meter)
            .expect("unlimited");
        (page, f)
    }

    #[test]
    fn the_embedded_model_drops_a_link_list_and_keeps_prose() {
        let Some(model) = ContentModel::embedded() else {
            return;
        };
        let prose = "The council approved the budget on Tuesday after a debate that \
                     lasted more than six hours, and the mayor said it was a fair compromise \
                     for the people of the city.";
        let html = format!(
            "<body><nav class=menu><ul><li><a href=/a>Politics</a></li><li><a href=/b>Sport\
             </a></li><li><a href=/c>Culture</a></li><li><a href=/d>Weather</a></li></ul></nav>\
             <article><div class=article-body><p>{prose}</p><p>{prose}</p></div></article>\
             <div class=related><ul><li><a href=/x>Read more: another story about the city</a></li>\
             </ul></div></body>"
        );
        let (page, f) = features(&html, &[prose]);
        let kept: Vec<String> = model
            .select(&page, &f)
            .into_iter()
            .map(|b| b.text)
            .collect();
        assert!(kept.iter().any(|t| t == prose), "{kept:?}");
        for menu in ["Politics", "Sport", "Culture", "Weather"] {
            assert!(!kept.iter().any(|t| t == menu), "{menu} kept: {kept:?}");
        }
    }

    #[test]
    fn scoring_work_is_linear() {
        let unit = "<div class=teaser><a href=/x>Other story</a></div>\
                    <p>Some prose of the article, with words and a full stop.</p>";
        let work = |n: usize| {
            let html = unit.repeat(n);
            let budget = Budget::unlimited();
            let mut meter = budget.meter();
            let page = dom::scan(&html, &mut meter).expect("unlimited");
            let extracted = vec![PageBlock {
                text: "Some prose of the article, with words and a full stop.".into(),
                kind: BlockKind::Paragraph,
            }];
            let before = meter.steps();
            let at = in_extractor(&page, &extracted, &mut meter).expect("unlimited");
            let f = page_features(&page, &at, None, stop_words("en"), "en", &[], &mut meter)
                .expect("unlimited");
            let count: usize = f.iter().map(Vec::len).sum();
            (meter.steps() - before, count as u64)
        };
        use crate::pipeline::html::scan::testing::assert_linear;
        let ((s1, f1), (s8, f8)) = (work(200), work(1600));
        assert_linear("steps", s1, s8);
        assert_linear("features", f1, f8);
    }
}
