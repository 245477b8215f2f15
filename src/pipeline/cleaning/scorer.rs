//! The learned block classifier of plain text: after the rule passes of
//! [`super::classify_metered`] (cues, jusText block quality with its
//! context revision, list/caption/tag shapes, title and byline), every
//! block is scored by a linear model over what those passes measured and
//! decided — its length, stop-word density, punctuation and shape, the
//! cue verdict, its quality class before and after the revision, the
//! rules' final verdict — the same facts of its neighbours, its position
//! in the text and its distance to the longest good block, whether its
//! text is repeated, and the language. Blocks scoring above the model's
//! threshold are body; the title and byline stay metadata, and the cue
//! verdicts and the caption and tag shapes stand.
//!
//! The model is the HTML path's [`ContentModel`] type (one or two passes
//! of sparse linear weights, a threshold) over this feature set, trained
//! by `newsenrich train text-content` on the trafilatura evaluation set
//! flattened to text (`src/train/content.rs`), and embedded from
//! `models/text-content.bin`.
//!
//! Features cost a constant per block plus its length (the pattern cues
//! read it once; lower-casing is bounded), so scoring is linear in the
//! text.

use std::sync::LazyLock;

use rustc_hash::FxHashMap;

use super::features::Features;
use super::{Class, Verdict};
use crate::pipeline::RemovedKind;
use crate::pipeline::entities::features::{pack, text as hash_text};
use crate::pipeline::first_pass::{self, FirstPass};
use crate::pipeline::html::scorer::{ContentModel, bucket, cues, log2};
use crate::pipeline::linear::ModelError;

/// The embedded model file.
pub static EMBEDDED: &[u8] = include_bytes!("../../../models/text-content.bin");

/// First bytes of a model file: a [`ContentModel`] of this kind (the
/// header of [`crate::pipeline::linear`], the second pass's weights as its
/// own section).
pub const MAGIC: &[u8; 8] = b"NEWSTXT1";

/// The error for bytes that are no text classifier.
const MISSING: &str = "no trained text block classifier (run `newsenrich train text-content`)";

/// The model embedded in the binary, if one was trained.
pub fn embedded() -> Option<&'static ContentModel> {
    static MODEL: LazyLock<Option<ContentModel>> =
        LazyLock::new(|| ContentModel::trained(EMBEDDED, MAGIC, MISSING));
    MODEL.as_ref()
}

/// Reads a text classifier's model file.
pub fn from_bytes(bytes: &[u8]) -> Result<ContentModel, ModelError> {
    ContentModel::read(bytes, MAGIC, MISSING)
}

/// Feature templates.
mod t {
    pub const BIAS: u8 = 0;
    pub const LEN: u8 = 1;
    pub const WORDS: u8 = 2;
    pub const STOP: u8 = 3;
    pub const SHAPE: u8 = 4;
    pub const NUMBERS: u8 = 5;
    pub const CAPS: u8 = 6;
    pub const PATTERN: u8 = 7;
    pub const LAST_CHAR: u8 = 8;
    pub const CUE: u8 = 9;
    pub const CLASS: u8 = 10;
    pub const RULE: u8 = 11;
    pub const NB_CLASS: u8 = 12;
    pub const NB_SHAPE: u8 = 13;
    pub const NB_RULE: u8 = 14;
    pub const TRIGRAM: u8 = 15;
    pub const POSITION: u8 = 16;
    pub const LONGEST: u8 = 17;
    pub const REGION: u8 = 18;
    pub const GOOD_SHARE: u8 = 19;
    pub const REPEAT: u8 = 20;
    pub const SHORT_TEXT: u8 = 21;
    pub const FIRST_WORD: u8 = 22;
    pub const LANG: u8 = 23;
    pub const GAP: u8 = 24;
    pub const RUN: u8 = 25;
    pub const GOOD_AROUND: u8 = 26;
}

/// Groups of features, to switch off for ablation (`train text-content
/// --without`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Group {
    /// The block's own text: length, stop words, punctuation, shape,
    /// pattern cues.
    Text,
    /// The rule cleaner's evidence and verdicts: cue kind, quality class
    /// before and after revision, final verdict.
    Rules,
    /// The same facts of the two blocks either side.
    Neighbours,
    /// Position, distance to the longest good block, the body region, the
    /// share of good text, repetition.
    Position,
    /// Words: a short block's whole text, the first word.
    Words,
    /// The article's language.
    Language,
    /// The distance to the nearest good block either side, the run of
    /// short blocks the block is in, the good text before and after it.
    Structure,
}

impl Group {
    fn of(template: u8) -> Group {
        match template {
            t::BIAS
            | t::LEN
            | t::WORDS
            | t::STOP
            | t::SHAPE
            | t::NUMBERS
            | t::CAPS
            | t::PATTERN
            | t::LAST_CHAR => Group::Text,
            t::CUE | t::CLASS | t::RULE => Group::Rules,
            t::NB_CLASS | t::NB_SHAPE | t::NB_RULE | t::TRIGRAM => Group::Neighbours,
            t::SHORT_TEXT | t::FIRST_WORD => Group::Words,
            t::LANG => Group::Language,
            t::GAP | t::RUN | t::GOOD_AROUND => Group::Structure,
            _ => Group::Position,
        }
    }
}

/// What the rule passes found, per block.
pub(super) struct Evidence<'a> {
    pub blocks: &'a [&'a str],
    pub feats: &'a [Features],
    /// The cue verdict alone.
    pub cues: &'a [Option<RemovedKind>],
    /// Quality class before the context revision.
    pub initial: &'a [Class],
    /// Quality class after it.
    pub classes: &'a [Class],
    /// The rules' final verdict.
    pub rule: &'a [Verdict],
    /// The article's language tag.
    pub language: &'a str,
}

fn verdict_code(v: Verdict) -> u64 {
    match v {
        Verdict::Body => 0,
        Verdict::Title => 1,
        Verdict::Byline => 2,
        Verdict::Removed(k) => 3 + k as u64,
    }
}

/// Code of a position outside the text.
const OUTSIDE: u64 = 99;

/// The features of every block, as lists of hashes; groups in `without`
/// are left out (ablation, training).
pub(super) fn page_features(ev: &Evidence<'_>, without: &[Group]) -> Vec<Vec<u64>> {
    let mut all: Vec<Vec<u64>> = Vec::with_capacity(ev.blocks.len());
    each_feature(ev, without, &mut |i, template, parts| {
        if all.len() <= i {
            all.resize_with(i + 1, Vec::new);
        }
        all[i].push(feature(template, parts));
    });
    all.resize_with(ev.blocks.len(), Vec::new);
    all
}

/// The scores of every block under a model ([`block_scores`]).
pub(super) struct Scores {
    /// The model's score of each block.
    pub total: Vec<f32>,
    /// The part of each score that the block's place in the text gives
    /// ([`PLACE`]); zero under a two-pass model.
    pub place: Vec<f32>,
}

/// The templates that say where a block stands rather than what it is:
/// its position, its distance to the longest good block, the body region,
/// the gaps to the nearest good blocks and the share of good text before
/// it. `total - place` is what the model makes of the block wherever it
/// stood.
const PLACE: [u8; 5] = [t::POSITION, t::LONGEST, t::REGION, t::GAP, t::GOOD_AROUND];

/// The score of every block under `model`, and its place part. A one-pass
/// model (the shipped one) sums each feature's weight as it is made,
/// looked up in the model's flat table: no feature list, no string; a
/// two-pass model needs the lists for its second pass.
pub(super) fn block_scores(model: &ContentModel, ev: &Evidence<'_>) -> Scores {
    let n = ev.blocks.len();
    if !model.second.is_empty() {
        return Scores {
            total: scores(model, &page_features(ev, &[])),
            place: vec![0.0; n],
        };
    }
    let weights = model.flat();
    let mut total = vec![0.0f32; n];
    let mut place = vec![0.0f32; n];
    each_feature(ev, &[], &mut |i, template, parts| {
        let w = weights.get(feature(template, parts));
        total[i] += w;
        if PLACE.contains(&template) {
            place[i] += w;
        }
    });
    Scores { total, place }
}

/// Multiplier of the folds below (rustc-hash 2's).
const FOLD: u64 = 0xf135_7aea_2e62_a9c5;

/// A feature's hash: its template and parts folded in, each step a
/// bijection of the next part for a fixed template and prefix (so two
/// features of a template collide only by chance), a multiply and a
/// rotation a part: no string, no allocation.
#[inline]
fn feature(template: u8, parts: &[u64]) -> u64 {
    let mut h = (u64::from(template) + 1).wrapping_mul(FOLD);
    for &p in parts {
        h = (h ^ p).wrapping_mul(FOLD).rotate_left(26);
    }
    h
}

/// A hash of `text` lower-cased, its first `max` characters, folded
/// character by character (no string is built).
fn lower_hash(text: &str, max: usize) -> u64 {
    let fold = |h: u64, c: char| (h ^ u64::from(c)).wrapping_mul(FOLD).rotate_left(26);
    if text.is_ascii() {
        // One byte a character, and its lower case is one byte too.
        let take = &text.as_bytes()[..text.len().min(max)];
        return take
            .iter()
            .fold(0, |h, b| fold(h, char::from(b.to_ascii_lowercase())));
    }
    text.chars()
        .take(max)
        .flat_map(char::to_lowercase)
        .fold(0, fold)
}

/// Gives `emit` every feature of every block, as `(block, template,
/// parts)`, blocks in order; groups in `without` are left out.
fn each_feature(ev: &Evidence<'_>, without: &[Group], emit: &mut impl FnMut(usize, u8, &[u64])) {
    let n = ev.blocks.len();
    let feats = ev.feats;
    let total_chars: usize = feats.iter().map(|f| f.chars).sum::<usize>().max(1);
    let good = |i: usize| ev.classes[i] == Class::Good && ev.rule[i] == Verdict::Body;
    let good_chars: usize = (0..n).filter(|&i| good(i)).map(|i| feats[i].chars).sum();
    let good_share = bucket(
        good_chars as f32 / total_chars as f32,
        &[0.05, 0.15, 0.3, 0.5, 0.7],
    );
    let longest = (0..n)
        .filter(|&i| good(i))
        .max_by_key(|&i| (feats[i].chars, std::cmp::Reverse(i)));
    let first_body = ev.rule.iter().position(|v| *v == Verdict::Body);
    let last_body = ev.rule.iter().rposition(|v| *v == Verdict::Body);
    let mut seen: FxHashMap<u64, u32> = FxHashMap::default();
    seen.reserve(n);
    let hashes: Vec<u64> = ev
        .blocks
        .iter()
        .map(|b| {
            let h = hash_text(b.as_bytes());
            *seen.entry(h).or_default() += 1;
            h
        })
        .collect();
    let lang = pack(
        ev.language
            .split(['-', '_'])
            .next()
            .unwrap_or_default()
            .as_bytes(),
    );
    let stop_bucket = |f: &Features| bucket(f.stop_density(), &[0.01, 0.1, 0.2, 0.3, 0.4, 0.5]);
    let class_at = |i: Option<usize>, classes: &[Class]| {
        i.filter(|&i| i < n).map_or(OUTSIDE, |i| classes[i] as u64)
    };
    // Per block: blocks since the last good block and until the next one,
    // good characters before it, and the run of short blocks it is in.
    let far = usize::MAX;
    let mut since = vec![far; n];
    let mut good_before = vec![0usize; n];
    let (mut last, mut chars) = (None, 0usize);
    for i in 0..n {
        since[i] = last.map_or(far, |l| i - l);
        good_before[i] = chars;
        if good(i) {
            last = Some(i);
            chars += feats[i].chars;
        }
    }
    let mut until = vec![far; n];
    let mut next = None;
    for i in (0..n).rev() {
        until[i] = next.map_or(far, |l: usize| l - i);
        if good(i) {
            next = Some(i);
        }
    }
    let short = |i: usize| feats[i].chars < super::LENGTH_LOW;
    let mut run = vec![0usize; n];
    let mut i = 0;
    while i < n {
        let start = i;
        while i < n && short(i) {
            i += 1;
        }
        for slot in &mut run[start..i] {
            *slot = i - start;
        }
        i = i.max(start + 1);
    }
    // What a block's neighbours read of it: length, sentence end, stop
    // words (made once, read by four neighbours).
    let shapes: Vec<(u64, u64, u64)> = feats
        .iter()
        .map(|g| {
            (
                log2(g.chars as u32, 9) / 2,
                u64::from(g.ends_sentence),
                stop_bucket(g),
            )
        })
        .collect();
    let mut before_chars = 0usize;
    for i in 0..n {
        let f = &feats[i];
        let text = ev.blocks[i];
        let mut push = |template: u8, parts: &[u64]| {
            if without.is_empty() || !without.contains(&Group::of(template)) {
                emit(i, template, parts);
            }
        };
        let len = log2(f.chars as u32, 12);
        let long = u64::from(f.words >= 10);
        push(t::BIAS, &[]);
        push(t::LEN, &[len]);
        push(t::WORDS, &[log2(f.words as u32, 9)]);
        push(t::STOP, &[shapes[i].2, long]);
        push(
            t::SHAPE,
            &[
                u64::from(f.ends_sentence),
                u64::from(f.inner_punctuation),
                u64::from(f.starts_upper),
                u64::from(f.has_quote),
            ],
        );
        let words = f.words.max(1) as f32;
        push(
            t::NUMBERS,
            &[bucket(f.numbers as f32 / words, &[0.01, 0.2, 0.5])],
        );
        push(
            t::CAPS,
            &[bucket(f.capitalised as f32 / words, &[0.2, 0.4, 0.7, 0.95])],
        );
        cues(text, &mut |c| push(t::PATTERN, &[c]));
        let last = text.chars().next_back().map_or(0, |c| match c {
            '.' | '!' | '?' | '…' => 1,
            ':' => 2,
            '|' | '»' | '›' | '>' => 3,
            ')' | ']' => 4,
            c if c.is_ascii_digit() => 5,
            c if c.is_alphabetic() => 6,
            _ => 7,
        });
        push(t::LAST_CHAR, &[last, long]);
        push(
            t::CUE,
            &[ev.cues[i].map_or(OUTSIDE, |k| k as u64), len.min(7)],
        );
        push(t::CLASS, &[ev.initial[i] as u64, ev.classes[i] as u64]);
        push(
            t::RULE,
            &[verdict_code(ev.rule[i]), ev.classes[i] as u64, long],
        );
        for d in [-2i64, -1, 1, 2] {
            let j = usize::try_from(i as i64 + d).ok().filter(|&j| j < n);
            let d = d as u64;
            match j {
                Some(j) => {
                    push(
                        t::NB_CLASS,
                        &[d, ev.initial[j] as u64, ev.classes[j] as u64],
                    );
                    let (len, ends, stop) = shapes[j];
                    push(t::NB_SHAPE, &[d, len, ends, stop]);
                    push(t::NB_RULE, &[d, verdict_code(ev.rule[j])]);
                }
                None => push(t::NB_CLASS, &[d, OUTSIDE]),
            }
        }
        push(
            t::TRIGRAM,
            &[
                class_at(i.checked_sub(1), ev.initial),
                ev.initial[i] as u64,
                class_at(Some(i + 1), ev.initial),
            ],
        );
        // Position in quarters past the first tenth: no bucket of its own
        // for the last tenth, where the model learned that a page's tail
        // is comments and dropped the end of long articles (docs/cleaning.md).
        let quarters = [0.1, 0.25, 0.5, 0.75];
        push(
            t::POSITION,
            &[
                bucket((i as f32 + 0.5) / n as f32, &quarters),
                bucket(before_chars as f32 / total_chars as f32, &quarters),
            ],
        );
        before_chars += f.chars;
        let distance = |d: usize| bucket(d as f32, &[1.0, 2.0, 3.0, 5.0, 10.0, 20.0, 50.0]);
        match longest {
            Some(l) => push(
                t::LONGEST,
                &[u64::from(i < l), u64::from(i > l), distance(i.abs_diff(l))],
            ),
            None => push(t::LONGEST, &[OUTSIDE]),
        }
        let region = match (first_body, last_body) {
            (Some(a), Some(_)) if i < a => 0,
            (Some(_), Some(b)) if i > b => 2,
            (Some(_), Some(_)) => 1,
            _ => OUTSIDE,
        };
        push(t::REGION, &[region, ev.classes[i] as u64]);
        push(t::GOOD_SHARE, &[good_share, ev.classes[i] as u64]);
        let repeats = seen.get(&hashes[i]).copied().unwrap_or(1);
        push(t::REPEAT, &[u64::from(repeats > 1), len.min(7)]);
        if f.words <= 4 && text.len() <= 48 {
            push(t::SHORT_TEXT, &[lower_hash(text, usize::MAX)]);
        }
        if let Some(first) = text.split_whitespace().next() {
            push(t::FIRST_WORD, &[lower_hash(first, 16), long]);
        }
        push(t::LANG, &[lang, long]);
        let gap = |d: usize| {
            if d == far {
                OUTSIDE
            } else {
                bucket(d as f32, &[2.0, 3.0, 4.0, 6.0, 10.0, 20.0])
            }
        };
        push(t::GAP, &[gap(since[i]), gap(until[i])]);
        push(
            t::RUN,
            &[
                bucket(run[i] as f32, &[1.0, 2.0, 3.0, 5.0, 10.0, 30.0]),
                len.min(7),
            ],
        );
        // Likewise no bucket of its own for "all the good text is before
        // it".
        let share = |c: usize| bucket(c as f32 / good_chars.max(1) as f32, &[0.01, 0.2, 0.5, 0.8]);
        push(
            t::GOOD_AROUND,
            &[share(good_before[i]), ev.classes[i] as u64],
        );
    }
}

/// Blocks either side that the second pass's window covers.
const WINDOW: usize = 3;

/// The second pass's features of every block beyond the first pass's:
/// the first-pass scores (`first`) of the block, its neighbours, the best
/// of the two blocks either side, and the mean over [`WINDOW`] blocks
/// either side. Linear in the blocks (a running sum for the mean).
pub fn context_features(first: &[f32]) -> Vec<Vec<u64>> {
    use first_pass::template as c;
    let n = first.len();
    let pass = FirstPass(first);
    let mut prefix = Vec::with_capacity(n + 1);
    prefix.push(0.0f64);
    for &s in first {
        prefix.push(prefix[prefix.len() - 1] + f64::from(s));
    }
    (0..n)
        .map(|i| {
            let own = first_pass::bucket(first[i]);
            let (lo, hi) = (i.saturating_sub(WINDOW), (i + WINDOW + 1).min(n));
            let mean = ((prefix[hi] - prefix[lo]) / (hi - lo) as f64) as f32;
            let mut f = Vec::with_capacity(7);
            f.push(feature(c::OWN, &[own]));
            f.extend(pass.neighbours(i, n, own, feature));
            f.push(feature(c::AREA, &[first_pass::bucket(mean), own]));
            f
        })
        .collect()
}

/// The score of every block under `model`, given their features.
pub fn scores(model: &ContentModel, features: &[Vec<u64>]) -> Vec<f32> {
    model.scores_with(features, context_features)
}

#[cfg(test)]
mod tests {
    use super::super::{Context, block_features, classify};
    use super::*;
    use crate::pipeline::linear::{LinearModel, Weights};

    const P1: &str = "The committee met on Tuesday to discuss the budget for the coming fiscal year, and members of both parties said they expected a vote before the end of the month, although several details were still open.";
    const P2: &str = "Officials said the plan would cut spending on some programmes while raising it for others, and that the final figures would be published once the negotiations with the regional governments had come to an end.";

    fn ctx(model: Option<&ContentModel>) -> Context<'_> {
        Context {
            language: "en",
            title_hint: None,
            time_zone: chrono_tz::Tz::UTC,
            statistics: true,
            model,
        }
    }

    #[test]
    fn every_block_has_features_and_groups_can_be_left_out() {
        let blocks = ["Home", "World", P1, "Share this article", P2, "Home"];
        let (all, rules) = block_features(&blocks, &ctx(None), &[]);
        assert_eq!(all.len(), blocks.len());
        assert_eq!(rules.len(), blocks.len());
        assert!(all.iter().all(|f| f.len() >= 20), "{all:?}");
        // Deterministic, and a block's features depend on its text.
        assert_eq!(block_features(&blocks, &ctx(None), &[]).0, all);
        assert_ne!(all[2], all[3]);
        // The repeated "Home" has the repetition feature the single
        // "World" lacks, so the first and last blocks differ only in
        // context, not in repetition.
        let without_words = block_features(&blocks, &ctx(None), &[Group::Words]).0;
        assert!(without_words[0].len() < all[0].len());
        let none = block_features(
            &blocks,
            &ctx(None),
            &[
                Group::Text,
                Group::Rules,
                Group::Neighbours,
                Group::Position,
                Group::Words,
                Group::Language,
                Group::Structure,
            ],
        )
        .0;
        assert!(none.iter().all(Vec::is_empty), "{none:?}");
    }

    #[test]
    fn lower_hash_reads_ascii_as_the_characters_do() {
        let slow = |text: &str, max: usize| {
            let mut h = 0u64;
            for c in text.chars().take(max).flat_map(char::to_lowercase) {
                h = (h ^ u64::from(c)).wrapping_mul(FOLD).rotate_left(26);
            }
            h
        };
        for text in [
            "",
            "Home",
            "SHARE this",
            "Ünïcode Ärger",
            "İstanbul",
            "a\u{212A}b",
        ] {
            for max in [0, 1, 3, 16, usize::MAX] {
                assert_eq!(lower_hash(text, max), slow(text, max), "{text:?} {max}");
            }
        }
    }

    #[test]
    fn context_features_see_the_neighbours_scores() {
        let first = [-5.0, 4.0, 4.0, -5.0];
        let c = context_features(&first);
        assert_eq!(c.len(), 4);
        assert!(c.iter().all(|f| f.len() == 7));
        // The two middle blocks have the same own score but different
        // neighbours.
        assert_eq!(c[1][0], c[2][0]);
        assert_ne!(c[1][1], c[2][1]);
        assert!(context_features(&[]).is_empty());
    }

    #[test]
    fn a_model_decides_but_keeps_the_title_and_an_article_is_never_emptied() {
        let blocks = [
            "Senate passes the budget after long talks",
            P1,
            "Latest news",
            P2,
        ];
        let (features, rules) = block_features(&blocks, &ctx(None), &[]);
        assert_eq!(rules[0], Verdict::Title);
        // A model that keeps everything: every block but the title is body.
        let mut weights = Weights::default();
        weights.insert(feature(t::BIAS, &[]), 1.0);
        let keep = ContentModel::from_linear(LinearModel::new(MAGIC, "keep", 0.0, weights));
        assert!(
            scores(&keep, &features)
                .iter()
                .all(|s| *s > keep.threshold())
        );
        let c = classify(&blocks, &ctx(Some(&keep)));
        assert_eq!(c.verdicts[0], Verdict::Title);
        // The cue verdict ("Latest news") stands; the rest is body.
        assert_eq!(rules[2], Verdict::Removed(RemovedKind::RelatedLinks));
        assert_eq!(&c.verdicts[1..], &[Verdict::Body, rules[2], Verdict::Body]);
        // One that removes everything leaves the rules' verdicts.
        let mut drop = keep.clone();
        drop.linear.weights.insert(feature(t::BIAS, &[]), -1.0);
        assert_eq!(classify(&blocks, &ctx(Some(&drop))).verdicts, rules);
    }

    #[test]
    fn the_embedded_model_keeps_prose_and_drops_furniture() {
        let Some(model) = embedded() else { return };
        assert!(!model.linear.version.is_empty());
        assert_eq!(model.linear.magic, MAGIC);
        // The file reads back to the same bytes, and is no HTML scorer.
        let back = from_bytes(EMBEDDED).expect("reads");
        assert_eq!(back.to_bytes(), EMBEDDED);
        assert!(ContentModel::from_bytes(EMBEDDED).is_err());
        assert!(from_bytes(crate::pipeline::html::scorer::EMBEDDED).is_err());
        let blocks = [
            "Home",
            "World",
            "Business",
            "Sport",
            P1,
            P2,
            "Share this article",
            "Most read",
            "Central bank raises rates again",
            "Storm hits the coast: what we know",
            "© 2024 Example News. All rights reserved.",
        ];
        let c = classify(&blocks, &ctx(Some(model)));
        assert_eq!(&c.verdicts[4..6], &[Verdict::Body, Verdict::Body]);
        for (b, v) in blocks.iter().zip(&c.verdicts) {
            if ![P1, P2].contains(b) {
                assert!(matches!(v, Verdict::Removed(_)), "{b}: {v:?}");
            }
        }
    }

    #[test]
    fn feature_work_grows_linearly() {
        use crate::pipeline::html::scan::testing::{Shape, assert_linear};
        let shapes: [Shape; 3] = [
            ("lines of Hi.", |n| "Hi.\n\n".repeat(n / 5)),
            ("menu and prose", |n| {
                format!("Home\n\nWorld News\n\n{P1}\n\n").repeat(n / 230)
            }),
            ("one long line", |n| "word ".repeat(n / 5)),
        ];
        let work = |text: &str| {
            let (clean, spans) = crate::pipeline::normalize::clean_text(text);
            let blocks: Vec<&str> = spans.iter().map(|s| &clean[s.range()]).collect();
            let (features, _) = block_features(&blocks, &ctx(None), &[]);
            let first: Vec<f32> = (0..features.len()).map(|i| (i % 7) as f32 - 3.0).collect();
            let context: usize = context_features(&first).iter().map(Vec::len).sum();
            features.iter().map(Vec::len).sum::<usize>() as u64 + context as u64
        };
        for (what, shape) in shapes {
            assert_linear(what, work(&shape(20_000)), work(&shape(160_000)));
        }
    }
}
