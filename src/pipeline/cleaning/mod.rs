//! Boilerplate removal for plain text: every block (paragraph or line) is
//! classified as body or as a kind of boilerplate, and the title, byline,
//! dateline and a printed publication date are taken out as metadata.
//!
//! The classifier combines, in this order:
//! 1. **Cues** ([`cues`]): short blocks that announce their kind (share
//!    labels, "Read also:", sign-up prompts, comment forms, reading-time
//!    and date lines, photo credits, tag labels, machine-translation
//!    disclaimers), in the major news languages.
//! 2. **Block quality** as in jusText (Pomikálek 2011): length and
//!    stop-word density make a block *good*, *near-good*, *short* or *bad*;
//!    short and near-good blocks then take the class of their neighbours,
//!    so a subheading between two paragraphs stays and a menu item between
//!    two menu items goes. A block in another language than the article has
//!    few of the article's stop words and so reads as *bad*.
//! 3. **Shapes**: runs of three or more title-like lines (headline lists
//!    and menus), the lines under a related-links label, a line of
//!    capitalised keywords without function words (tags), the block before
//!    a credit line or with "(left)"-style markers (captions).
//! 4. **Metadata** ([`metadata`]): a title-like first line is the title; a
//!    name-shaped line before the body is the byline; a dateline opening the
//!    first paragraph is cut off; a date in a metadata line or the byline is
//!    the publication date.
//!
//! 5. **The learned classifier** ([`scorer`]), when the pipeline has one:
//!    a linear model over what the passes above measured and decided, of
//!    the block and of its neighbours, with its position in the text,
//!    makes the final body/boilerplate decision (title and byline stay
//!    metadata; an article it would empty keeps the rules' verdicts).
//!
//! When the quality classes would leave no body at all (unusual text, a
//! language without a stop-word list), only cue, shape and metadata
//! verdicts apply, so an article is never emptied by the statistics.

pub mod cues;
pub mod features;
pub mod metadata;
pub mod scorer;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::budget::Meter;
use super::{Dateline, RemovedKind};
use crate::pipeline::html::scorer::ContentModel;
use features::Features;

/// Blocks shorter than this (characters) are *short* (jusText LENGTH_LOW).
const LENGTH_LOW: usize = 70;
/// Near-good blocks longer than this with dense stop words are *good*.
const LENGTH_HIGH: usize = 200;
/// Stop-word density below which a block is *bad*.
const STOP_LOW: f32 = 0.30;
/// Stop-word density from which a block is *good* (when long).
const STOP_HIGH: f32 = 0.32;
/// Stop-word density from which a block that ends like a sentence is
/// near-good even below [`STOP_LOW`].
const STOP_SENTENCE: f32 = 0.10;
/// Characters of near-good prose in a row that count as a good block.
const PROSE_RUN_CHARS: usize = 250;
/// Fewest consecutive title-like lines that make a list.
const MIN_LIST_RUN: usize = 3;

/// What the classifier needs to know about the article.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// BCP-47 tag of the article's language (`und` when unknown).
    pub language: &'a str,
    /// The caller's title, if any.
    pub title_hint: Option<&'a str>,
    /// The article's time zone, for dates printed without one.
    pub time_zone: Tz,
    /// Whether block statistics (length, stop words, neighbours) may remove
    /// blocks. Off for blocks that a main-content extractor already chose:
    /// then only cues, shapes and metadata apply.
    pub statistics: bool,
    /// The learned block classifier ([`scorer`]), deciding body and
    /// boilerplate after the rules when `statistics` is on; `None` keeps
    /// the rules' verdicts.
    pub model: Option<&'a ContentModel>,
}

/// The verdict on one block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Article body.
    Body,
    /// The article's title (metadata).
    Title,
    /// The byline (metadata).
    Byline,
    /// Boilerplate of this kind.
    Removed(RemovedKind),
}

/// The outcome of cleaning.
#[derive(Debug, Clone, Default)]
pub struct Cleaned {
    /// One verdict per input block.
    pub verdicts: Vec<Verdict>,
    /// Title from the first line.
    pub title: Option<String>,
    /// Authors from the byline.
    pub authors: Vec<String>,
    /// Dateline: the block it opens, the byte length of its prefix there,
    /// and its parts.
    pub dateline: Option<(usize, usize, Dateline)>,
    /// Publication date printed in a metadata line or the byline.
    pub published_at: Option<DateTime<Utc>>,
    /// Credit lines in brackets closing a body block ("... (Reporting by
    /// Jane Doe; Editing by John Roe)"): the block and the byte offset at
    /// which its credit starts.
    pub credits: Vec<(usize, usize)>,
    /// Hover cards inside body blocks ([`hover_cards`]): the block and the
    /// byte range of the card, in block order.
    pub hover_cards: Vec<(usize, usize, usize)>,
}

/// jusText block classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Good,
    NearGood,
    Short,
    Bad,
}

/// Classifies `blocks` (paragraphs of normalised text, in order).
pub fn classify(blocks: &[&str], ctx: &Context<'_>) -> Cleaned {
    let budget = super::Budget::unlimited();
    classify_metered(blocks, ctx, &mut budget.meter())
}

/// Bytes of a block that count as one step of the meter (measuring a block
/// costs its length).
const BYTES_PER_STEP: usize = 64;

/// [`classify`], counting its steps on `meter`: one per block and per
/// [`BYTES_PER_STEP`] bytes measured, and one per block in each of the
/// later passes (each is a single sweep over the blocks). When the meter
/// stops, the blocks measured so far keep their cue verdicts and every
/// other block is body: nothing is removed that was not looked at, and no
/// title, byline or dateline is taken.
pub fn classify_metered(blocks: &[&str], ctx: &Context<'_>, meter: &mut Meter<'_>) -> Cleaned {
    classify_with(blocks, ctx, meter, &mut |evidence| {
        ctx.model.map(|model| scorer::block_scores(model, evidence))
    })
}

/// The learned classifier's features of every block of `blocks` (groups
/// in `without` left out) and the rules' verdicts, exactly as
/// [`classify_metered`] computes them before the model decides; empty
/// features when the rules did not get that far (statistics off).
pub fn block_features(
    blocks: &[&str],
    ctx: &Context<'_>,
    without: &[scorer::Group],
) -> (Vec<Vec<u64>>, Vec<Verdict>) {
    let mut features = Vec::new();
    let budget = super::Budget::unlimited();
    let rules = Context {
        model: None,
        ..*ctx
    };
    let cleaned = classify_with(blocks, &rules, &mut budget.meter(), &mut |evidence| {
        features = scorer::page_features(evidence, without);
        None
    });
    (features, cleaned.verdicts)
}

/// [`classify_metered`], the learned decision given by `learned` (per
/// block, whether it is body; `None` keeps the rules' verdicts).
fn classify_with(
    blocks: &[&str],
    ctx: &Context<'_>,
    meter: &mut Meter<'_>,
    learned: &mut dyn FnMut(&scorer::Evidence<'_>) -> Option<scorer::Scores>,
) -> Cleaned {
    let n = blocks.len();
    let primary = ctx.language.split('-').next().unwrap_or("und");
    let has_list = stop_words::lookup(primary).is_some();
    let stop = features::stop_words(if has_list { primary } else { "en" });
    let mut feats: Vec<Features> = Vec::with_capacity(n);
    let mut verdicts: Vec<Option<Verdict>> = Vec::with_capacity(n);
    for b in blocks {
        if meter.add(1 + (b.len() / BYTES_PER_STEP) as u64) {
            return only_cues(&verdicts, n);
        }
        let f = Features::of(b, stop);
        verdicts.push(cues::kind_of(b, f.chars).map(Verdict::Removed));
        feats.push(f);
    }
    let cue_kinds: Vec<Option<RemovedKind>> = verdicts
        .iter()
        .map(|v| match v {
            Some(Verdict::Removed(k)) => Some(*k),
            _ => None,
        })
        .collect();

    if ctx.statistics {
        mark_lists(&feats, &mut verdicts);
    }
    mark_captions_and_tags(blocks, &feats, &mut verdicts);
    // Each of the passes below is one sweep over the blocks.
    if meter.add(4 * n as u64) {
        return only_cues(&verdicts, n);
    }

    // Block quality with context, on what the cues left.
    let initial: Vec<Class> = feats
        .iter()
        .zip(&verdicts)
        .map(|(f, v)| match v {
            Some(_) => Class::Bad,
            None => quality(f, has_list),
        })
        .collect();
    let initial = promote_prose_runs(&initial, &feats);
    let classes = revise(&initial);
    let statistics_usable = ctx.statistics
        && classes
            .iter()
            .zip(&verdicts)
            .any(|(c, v)| v.is_none() && *c == Class::Good);

    let mut out = Cleaned::default();
    // Title and byline: before the first block that is good on its own.
    let first_good = (0..n).find(|&i| verdicts[i].is_none() && initial[i] == Class::Good);
    let head_end = first_good.unwrap_or(n.min(3));
    let mut head = (0..head_end).filter(|&i| verdicts[i].is_none());
    if let Some(i) = head.next() {
        let f = &feats[i];
        let same_as_hint = ctx.title_hint.is_some_and(|t| same_text(t, blocks[i]));
        let title_shaped =
            f.title_like() && f.words >= 2 && metadata::dateline(blocks[i]).is_none();
        if same_as_hint || (ctx.statistics && ctx.title_hint.is_none() && title_shaped && i + 1 < n)
        {
            verdicts[i] = Some(Verdict::Title);
            out.title = Some(blocks[i].to_string());
        }
    }
    for i in (0..head_end.min(4)).filter(|&i| verdicts[i].is_none()) {
        if let Some(authors) = metadata::byline(blocks[i], stop) {
            verdicts[i] = Some(Verdict::Byline);
            out.authors = authors;
            out.published_at = metadata::find_date(blocks[i], ctx.time_zone);
            break;
        }
    }

    // Final verdicts.
    out.verdicts = (0..n)
        .map(|i| match verdicts[i] {
            Some(v) => v,
            None if !statistics_usable => Verdict::Body,
            None => match classes[i] {
                Class::Good | Class::NearGood => Verdict::Body,
                Class::Short | Class::Bad => Verdict::Removed(if feats[i].title_like() {
                    RemovedKind::Navigation
                } else {
                    RemovedKind::Other
                }),
            },
        })
        .collect();

    // The learned classifier, over what the rules measured and decided:
    // it decides body and boilerplate, except for the title and byline,
    // the cue verdicts and the caption and tag shapes; an emptied article
    // keeps the rules' verdicts. One more sweep, plus
    // the blocks' bytes (pattern cues read each block once).
    let bytes: usize = blocks.iter().map(|b| b.len()).sum();
    if ctx.statistics && !meter.add(n as u64 + (bytes / BYTES_PER_STEP) as u64) {
        let evidence = scorer::Evidence {
            blocks,
            feats: &feats,
            cues: &cue_kinds,
            initial: &initial,
            classes: &classes,
            rule: &out.verdicts,
            language: ctx.language,
        };
        // Like the statistics, the model decides nothing in a text they
        // cannot judge (no good block: a few short lines).
        if let Some(scores) = learned(&evidence)
            && statistics_usable
            && scores
                .total
                .iter()
                .any(|b| *b > ctx.model.map_or(0.0, ContentModel::threshold))
        {
            let threshold = ctx.model.map_or(0.0, ContentModel::threshold);
            let body = &scores.total;
            let rule_verdicts = out.verdicts.clone();
            for (i, v) in out.verdicts.iter_mut().enumerate() {
                // Cue verdicts and the caption and tag shapes stand (by
                // CV, letting the model override them too scores 0.8878
                // against 0.8850, but it undoes rules the sample articles
                // check); the model decides the rest.
                let shape = matches!(
                    verdicts[i],
                    Some(Verdict::Removed(RemovedKind::Caption | RemovedKind::Tags))
                );
                if cue_kinds[i].is_some() || shape {
                    continue;
                }
                *v = match (*v, body[i] > threshold) {
                    (Verdict::Title | Verdict::Byline, _) => *v,
                    (_, true) => Verdict::Body,
                    (Verdict::Removed(_), false) => *v,
                    (Verdict::Body, false) => Verdict::Removed(if feats[i].title_like() {
                        RemovedKind::Navigation
                    } else {
                        RemovedKind::Other
                    }),
                };
            }
            // Good prose, and whether the model keeps it wherever it
            // stands (its score without the place features).
            let prose: Vec<bool> = classes.iter().map(|c| *c == Class::Good).collect();
            let placeless: Vec<bool> = (0..n)
                .map(|i| prose[i] && body[i] - scores.place[i] > threshold)
                .collect();
            keep_prose_runs(&rule_verdicts, &prose, &placeless, &mut out.verdicts);
        }
    }

    // Dateline: opening one of the first body blocks.
    out.dateline = (0..n)
        .filter(|&i| out.verdicts[i] == Verdict::Body)
        .take(2)
        .find_map(|i| metadata::dateline(blocks[i]).map(|(d, len)| (i, len, d)));
    // Credit lines closing a body block, and the authors they name when
    // there is no byline.
    for (i, block) in blocks.iter().enumerate() {
        if out.verdicts[i] != Verdict::Body {
            continue;
        }
        if let Some(at) = cues::credit_suffix(block) {
            out.credits.push((i, at));
        }
        for (start, end) in hover_cards(block) {
            out.hover_cards.push((i, start, end));
        }
    }
    if out.authors.is_empty() {
        let credit_lines = (0..n)
            .filter(|&i| out.verdicts[i] == Verdict::Removed(RemovedKind::Credit))
            .map(|i| blocks[i])
            .chain(out.credits.iter().map(|&(i, at)| &blocks[i][at..]));
        for line in credit_lines {
            out.authors = metadata::credit_authors(line, stop);
            if !out.authors.is_empty() {
                break;
            }
        }
    }
    if out.published_at.is_none() {
        out.published_at = (0..n)
            .filter(|&i| out.verdicts[i] == Verdict::Removed(RemovedKind::MetadataLine))
            .find_map(|i| metadata::find_date(blocks[i], ctx.time_zone));
    }
    out
}

/// Longest name repeated by a hover card, in bytes.
const MAX_CARD_NAME: usize = 60;
/// Farthest the "MORE" link of a hover card is from its start, in bytes.
const MAX_CARD_BYTES: usize = 400;

/// Hover cards flattened into a sentence: a link to a person followed by a
/// card that repeats the name, gives a headline and ends with a "MORE"
/// link, all glued to the name ("Rep. Jane DoeJane DoeSenate passes the
/// budget MORE (D-Ohio) said"). Each card's byte range (from the repeated
/// name to the end of "MORE"), so the sentence keeps the name once.
///
/// Only a block that has a " MORE" is read; a card starts where a
/// lower-case letter is glued to a capital and the one to four capitalised
/// words before that point come again right after it. Each check is
/// bounded, so the scan is linear in the block.
pub fn hover_cards(block: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    if !block.contains(" MORE") {
        return out;
    }
    let mut prev: Option<char> = None;
    let mut resume = 0;
    for (at, c) in block.char_indices() {
        let glued = prev.is_some_and(char::is_lowercase) && c.is_uppercase();
        prev = Some(c);
        if !glued || at < resume {
            continue;
        }
        let Some(name_len) = repeated_name(block, at) else {
            continue;
        };
        let search_end = floor_boundary(block, (at + MAX_CARD_BYTES).min(block.len()));
        let Some(more) = block[at + name_len..search_end]
            .match_indices("MORE")
            .map(|(k, _)| at + name_len + k)
            .find(|&k| {
                block[..k].ends_with(' ')
                    && !block[k + 4..]
                        .chars()
                        .next()
                        .is_some_and(char::is_alphanumeric)
            })
        else {
            continue;
        };
        out.push((at, more + 4));
        resume = more + 4;
    }
    out
}

/// The byte length of the name that ends at `at` and comes again right
/// after it (one to four capitalised words, at most [`MAX_CARD_NAME`]
/// bytes), if any; the longest such name.
fn repeated_name(block: &str, at: usize) -> Option<usize> {
    let window = floor_boundary(block, at.saturating_sub(MAX_CARD_NAME));
    let window = ceil_boundary(block, window);
    let before = &block[window..at];
    let after = &block[at..];
    // Start points of the last four words before `at`.
    let mut starts: Vec<usize> = Vec::with_capacity(4);
    let mut in_word = false;
    for (k, c) in before.char_indices().rev() {
        if c == ' ' {
            if in_word {
                starts.push(k + 1);
                if starts.len() == 4 {
                    break;
                }
            }
            in_word = false;
        } else {
            in_word = true;
        }
    }
    if in_word && starts.len() < 4 && window == 0 {
        starts.push(0);
    }
    starts
        .iter()
        .rev()
        .map(|&s| &before[s..])
        .find(|name| {
            name.split(' ')
                .all(|w| w.chars().next().is_some_and(char::is_uppercase))
                && name.len() >= 4
                && after.starts_with(*name)
        })
        .map(str::len)
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(s: &str, mut i: usize) -> usize {
    while i < s.len() && !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// After the learned classifier: a run of good prose (`prose`) that the
/// rules kept (`rules`) and the model dropped stays body when the block
/// before it is body and either the block after it is body too (prose
/// between kept blocks) or no prose the rules kept follows it (the
/// article's closing paragraphs, with only boilerplate after them: a
/// comment form, a footer), and when the run is a single block or the
/// model keeps every block of it by what the block is, its place aside
/// (`placeless`): the end of a long article that the model dropped for
/// standing near the end of the text stays, a run of comments that reads
/// as comments goes. One sweep from the end, one from the start.
fn keep_prose_runs(
    rules: &[Verdict],
    prose: &[bool],
    placeless: &[bool],
    verdicts: &mut [Verdict],
) {
    let n = verdicts
        .len()
        .min(rules.len())
        .min(prose.len())
        .min(placeless.len());
    // Whether the rules kept any block from i on.
    let mut prose_from = vec![false; n + 1];
    for i in (0..n).rev() {
        prose_from[i] = prose_from[i + 1] || rules[i] == Verdict::Body;
    }
    let dropped = |i: usize, verdicts: &[Verdict]| {
        rules[i] == Verdict::Body && verdicts[i] != Verdict::Body && prose[i]
    };
    let mut i = 1;
    while i < n {
        if !(dropped(i, verdicts) && verdicts[i - 1] == Verdict::Body) {
            i += 1;
            continue;
        }
        let start = i;
        while i < n && dropped(i, verdicts) {
            i += 1;
        }
        let closing = !prose_from[i];
        let between = i < n && verdicts[i] == Verdict::Body;
        let kept = i - start == 1 || placeless[start..i].iter().all(|k| *k);
        if kept && (closing || between) {
            for v in &mut verdicts[start..i] {
                *v = Verdict::Body;
            }
        }
    }
}

/// The verdicts of a classification cut short: what the passes so far
/// decided, body for the rest (of `n` blocks).
fn only_cues(verdicts: &[Option<Verdict>], n: usize) -> Cleaned {
    Cleaned {
        verdicts: (0..n)
            .map(|i| verdicts.get(i).copied().flatten().unwrap_or(Verdict::Body))
            .collect(),
        ..Cleaned::default()
    }
}

/// Compares two texts ignoring case and white space.
fn same_text(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.split_whitespace()
            .map(str::to_lowercase)
            .collect::<Vec<_>>()
            .join(" ")
    };
    norm(a) == norm(b)
}

/// The context-free class of a block.
fn quality(f: &Features, has_list: bool) -> Class {
    if !has_list {
        // No stop words to judge by: length alone.
        return match f.chars {
            c if c >= LENGTH_HIGH => Class::Good,
            c if c >= LENGTH_LOW || f.ends_sentence => Class::NearGood,
            _ => Class::Short,
        };
    }
    let density = f.stop_density();
    if f.chars < LENGTH_LOW {
        // A short full sentence of prose (a one-line quote, a closing line)
        // is near-good, not merely short.
        if f.ends_sentence && f.words >= 5 && density >= STOP_LOW {
            Class::NearGood
        } else {
            Class::Short
        }
    } else if density >= STOP_HIGH {
        if f.chars > LENGTH_HIGH {
            Class::Good
        } else {
            Class::NearGood
        }
    } else if density >= STOP_LOW {
        Class::NearGood
    } else if f.ends_sentence && f.words >= 8 && density >= STOP_SENTENCE {
        // Whole sentences with many names (news prose) have fewer function
        // words than jusText's web prose, but menus and link lists do not
        // end in full stops.
        Class::NearGood
    } else {
        Class::Bad
    }
}

/// For every block, the nearest class before it and after it that is not
/// *short* (nor *near-good*, with `skip_near_good`); the document's edges
/// count as bad. One sweep each way, so a long run of short blocks (500,000
/// lines of "Hi.") costs its length, not its square.
fn neighbours(classes: &[Class], skip_near_good: bool) -> (Vec<Class>, Vec<Class>) {
    let skipped = |c: Class| c == Class::Short || (skip_near_good && c == Class::NearGood);
    let mut before = Vec::with_capacity(classes.len());
    let mut seen = Class::Bad;
    for &c in classes {
        before.push(seen);
        if !skipped(c) {
            seen = c;
        }
    }
    let mut after = vec![Class::Bad; classes.len()];
    let mut seen = Class::Bad;
    for (slot, &c) in after.iter_mut().zip(classes).rev() {
        *slot = seen;
        if !skipped(c) {
            seen = c;
        }
    }
    (before, after)
}

/// Several near-good blocks in a row (short paragraphs of prose, forum
/// posts, one-sentence news paragraphs), with only short blocks between
/// them, are as good as one long paragraph: when their near-good blocks
/// add up to [`PROSE_RUN_CHARS`] characters, they are good.
fn promote_prose_runs(initial: &[Class], feats: &[Features]) -> Vec<Class> {
    let mut out = initial.to_vec();
    let mut i = 0;
    while i < initial.len() {
        if initial[i] != Class::NearGood {
            i += 1;
            continue;
        }
        let start = i;
        let mut chars = 0;
        let mut near_good = 0;
        while i < initial.len() && matches!(initial[i], Class::NearGood | Class::Short) {
            if initial[i] == Class::NearGood {
                chars += feats[i].chars;
                near_good += 1;
            }
            i += 1;
        }
        if near_good >= 2 && chars >= PROSE_RUN_CHARS {
            for k in start..i {
                if initial[k] == Class::NearGood {
                    out[k] = Class::Good;
                }
            }
        }
    }
    out
}

/// jusText's context-sensitive revision of short and near-good blocks.
fn revise(initial: &[Class]) -> Vec<Class> {
    let mut out = initial.to_vec();
    let (prev_far, next_far) = neighbours(initial, true);
    let (prev_near, next_near) = neighbours(initial, false);
    for i in 0..initial.len() {
        if initial[i] != Class::Short {
            continue;
        }
        let (prev, next) = (prev_far[i], next_far[i]);
        out[i] = match (prev, next) {
            (Class::Good, Class::Good) => Class::Good,
            (Class::Bad, Class::Bad) => Class::Bad,
            _ => {
                let bad_side_near_good = (prev == Class::Bad && prev_near[i] == Class::NearGood)
                    || (next == Class::Bad && next_near[i] == Class::NearGood);
                if bad_side_near_good {
                    Class::Good
                } else {
                    Class::Bad
                }
            }
        };
    }
    let (prev_far, next_far) = neighbours(&out, true);
    for i in 0..initial.len() {
        if initial[i] != Class::NearGood {
            continue;
        }
        out[i] = if prev_far[i] == Class::Bad && next_far[i] == Class::Bad {
            Class::Bad
        } else {
            Class::Good
        };
    }
    out
}

/// Runs of title-like lines (headline lists, menus), and the lines that
/// follow a related-links or navigation label.
fn mark_lists(feats: &[Features], verdicts: &mut [Option<Verdict>]) {
    let n = feats.len();
    let listy = |i: usize, verdicts: &[Option<Verdict>]| match verdicts[i] {
        None => feats[i].title_like() && !feats[i].has_quote,
        Some(Verdict::Removed(RemovedKind::RelatedLinks | RemovedKind::Navigation)) => true,
        Some(_) => false,
    };
    let mut i = 0;
    while i < n {
        if !listy(i, verdicts) {
            i += 1;
            continue;
        }
        let start = i;
        while i < n && listy(i, verdicts) {
            i += 1;
        }
        let run = start..i;
        let labelled = run
            .clone()
            .any(|k| verdicts[k] == Some(Verdict::Removed(RemovedKind::RelatedLinks)));
        if run.len() < MIN_LIST_RUN && !labelled {
            continue;
        }
        if labelled {
            // Only what follows the label belongs to the list.
            let label = run
                .clone()
                .find(|&k| verdicts[k] == Some(Verdict::Removed(RemovedKind::RelatedLinks)))
                .unwrap_or(start);
            for v in &mut verdicts[label..run.end] {
                v.get_or_insert(Verdict::Removed(RemovedKind::RelatedLinks));
            }
            continue;
        }
        let words: usize = run.clone().map(|k| feats[k].words).sum();
        let kind = if words / run.len() >= 4 {
            RemovedKind::RelatedLinks
        } else {
            RemovedKind::Navigation
        };
        for k in run {
            verdicts[k].get_or_insert(Verdict::Removed(kind));
        }
    }
}

/// Photo captions (before a credit line, or with position markers) and
/// keyword tag lines.
fn mark_captions_and_tags(blocks: &[&str], feats: &[Features], verdicts: &mut [Option<Verdict>]) {
    for i in 0..blocks.len() {
        if verdicts[i].is_some() {
            continue;
        }
        let f = &feats[i];
        // A photo credit, not a reporting credit ("Reporting by ..."),
        // which follows the story's last paragraph.
        let before_credit = verdicts.get(i + 1)
            == Some(&Some(Verdict::Removed(RemovedKind::Credit)))
            && !blocks
                .get(i + 1)
                .is_some_and(|b| cues::is_credit_line(b, feats[i + 1].chars));
        if f.words <= 70
            && !f.has_quote
            && (before_credit || f.words <= 60 && has_position_marker(blocks[i]))
        {
            verdicts[i] = Some(Verdict::Removed(RemovedKind::Caption));
            continue;
        }
        // Capitalised keywords, no function words, no sentence punctuation.
        if i > 0
            && f.words >= 4
            && f.words <= 12
            && f.stop_words == 0
            && f.capitalised == f.words
            && !f.ends_sentence
            && !blocks[i].contains([':', '.', ';', '“', '"'])
        {
            verdicts[i] = Some(Verdict::Removed(RemovedKind::Tags));
        }
    }
}

fn has_position_marker(block: &str) -> bool {
    if !block.contains('(') {
        return false;
    }
    const MARKERS: &[&str] = &[
        "(left)",
        "(right)",
        "(center)",
        "(centre)",
        "(l)",
        "(r)",
        "(c)",
        "(l-r)",
        "(from left)",
        "(izquierda)",
        "(derecha)",
        "(à gauche)",
        "(à droite)",
        "(links)",
        "(rechts)",
        "(a sinistra)",
        "(a destra)",
        "(kiri)",
        "(kanan)",
    ];
    let lower = block.to_lowercase();
    MARKERS.iter().any(|m| lower.contains(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The context of an English article without a title hint.
    fn english(model: Option<&ContentModel>) -> Context<'_> {
        Context {
            language: "en",
            title_hint: None,
            time_zone: Tz::UTC,
            statistics: true,
            model,
        }
    }

    fn run(blocks: &[&str]) -> Cleaned {
        classify(blocks, &english(None))
    }

    const P1: &str = "The committee met on Tuesday to discuss the budget for the coming fiscal year, and members of both parties said they expected a vote before the end of the month, although several details were still open.";
    const P2: &str = "Officials said the plan would cut spending on some programmes while raising it for others, and that the final figures would be published once the negotiations with the regional governments had come to an end.";

    fn prose(classes: &[Class]) -> Vec<bool> {
        classes.iter().map(|c| *c == Class::Good).collect()
    }

    #[test]
    fn good_prose_between_or_closing_kept_blocks_stays_body() {
        use RemovedKind::{Comments, Other};
        use Verdict::{Body, Removed};
        let good = Class::Good;
        // The closing paragraph before a comment form: kept.
        let rules = [Body, Body, Body, Removed(Comments), Removed(Comments)];
        let classes = [good, good, good, Class::Bad, Class::Bad];
        let mut v = [
            Body,
            Body,
            Removed(Other),
            Removed(Comments),
            Removed(Comments),
        ];
        keep_prose_runs(&rules, &prose(&classes), &[false; 5], &mut v);
        assert_eq!(v[2], Body);
        // A paragraph between two kept ones: kept.
        let rules = [Body, Body, Body];
        let mut v = [Body, Removed(Other), Body];
        keep_prose_runs(&rules, &prose(&classes[..3]), &[false; 3], &mut v);
        assert_eq!(v, [Body, Body, Body]);
        // Prose after a removed block (a comment after its metadata line)
        // and blocks that are not good prose stay removed.
        let rules = [Body, Removed(Other), Body, Body, Body];
        let classes = [good, Class::Short, good, good, Class::NearGood];
        let mut v = [
            Body,
            Removed(Other),
            Removed(Other),
            Removed(Other),
            Removed(Other),
        ];
        let before = v;
        keep_prose_runs(&rules, &prose(&classes), &[false; 5], &mut v);
        assert_eq!(v, before);
        // A run of closing prose: kept when the model keeps every block
        // of it but for its place, dropped when it reads as boilerplate
        // wherever it stands (comments).
        let rules = [Body, Body, Body];
        let mut v = [Body, Removed(Other), Removed(Other)];
        keep_prose_runs(&rules, &[true; 3], &[true, false, true], &mut v);
        assert_eq!(v, [Body, Removed(Other), Removed(Other)]);
        keep_prose_runs(&rules, &[true; 3], &[true; 3], &mut v);
        assert_eq!(v, [Body; 3]);
        // ... and likewise between kept blocks.
        let rules = [Body; 5];
        let mut v = [Body, Removed(Other), Removed(Other), Removed(Other), Body];
        keep_prose_runs(&rules, &[true; 5], &[true; 5], &mut v);
        assert_eq!(v, [Body; 5]);
        // Not a run that prose the rules kept follows, nor one after a
        // removed block.
        let rules = [Body, Body, Body, Removed(Comments), Body];
        let mut v = [
            Body,
            Removed(Other),
            Removed(Other),
            Removed(Comments),
            Removed(Other),
        ];
        let before = v;
        keep_prose_runs(&rules, &[true; 5], &[true; 5], &mut v);
        assert_eq!(v, before);
        // Nothing to do on empty input.
        keep_prose_runs(&[], &[], &[], &mut []);
    }

    /// A long article of uniform prose: `paragraphs` paragraphs of five
    /// sentences, every sentence unique ("X met Y in Z on DAY for talk
    /// number i, officials said."), the names varied.
    fn uniform_article(paragraphs: usize) -> Vec<String> {
        const PEOPLE: [&str; 7] = [
            "Angela Merkel",
            "Emmanuel Macron",
            "Joe Biden",
            "Olaf Scholz",
            "Giorgia Meloni",
            "Pedro Sanchez",
            "Mark Rutte",
        ];
        const PLACES: [&str; 9] = [
            "Paris",
            "Berlin",
            "London",
            "Washington",
            "Madrid",
            "Rome",
            "Vienna",
            "Warsaw",
            "Lisbon",
        ];
        const DAYS: [&str; 5] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"];
        (0..paragraphs)
            .map(|p| {
                let sentences: Vec<String> = (5 * p..5 * p + 5)
                    .map(|k| {
                        format!(
                            "{} met {} in {} on {} for talk number {}, officials said.",
                            PEOPLE[k % 7],
                            PEOPLE[(k + 1 + (k / 7) % 6) % 7],
                            PLACES[k % 9],
                            DAYS[k % 5],
                            k + 1
                        )
                    })
                    .collect();
                sentences.join(" ")
            })
            .collect()
    }

    /// The verdicts on `text` (paragraphs separated by blank lines) with
    /// the embedded classifier, as the text path cleans it.
    fn with_model(text: &str) -> (Vec<String>, Vec<Verdict>) {
        let (clean, spans) = crate::pipeline::normalize::clean_text(text);
        let blocks: Vec<&str> = spans.iter().map(|s| &clean[s.range()]).collect();
        let model = scorer::embedded().expect("a trained text classifier is embedded");
        let cleaned = classify(&blocks, &english(Some(model)));
        let blocks = blocks.iter().map(|b| (*b).to_owned()).collect();
        (blocks, cleaned.verdicts)
    }

    /// Cleans `article` followed by `tail` (one block each) with the
    /// embedded classifier, asserts that every paragraph of the article is
    /// body, and gives the verdicts on the tail.
    fn assert_article_kept(article: &[String], tail: &[&str], what: &str) -> Vec<Verdict> {
        let text: Vec<&str> = article
            .iter()
            .map(String::as_str)
            .chain(tail.iter().copied())
            .collect();
        let (blocks, verdicts) = with_model(&text.join("\n\n"));
        assert_eq!(blocks.len(), text.len(), "{what}");
        let dropped: Vec<(usize, String)> = (0..article.len())
            .filter(|&i| verdicts[i] != Verdict::Body)
            .map(|i| (i, blocks[i].chars().take(40).collect()))
            .collect();
        assert!(dropped.is_empty(), "{what}: {dropped:?}");
        verdicts[article.len()..].to_vec()
    }

    #[test]
    fn every_paragraph_of_a_long_uniform_article_stays() {
        // The learned classifier alone dropped the last paragraphs of such
        // an article (its position features learned that page tails are
        // comments); the prose-run rule keeps them.
        for paragraphs in [40, 43, 47, 50, 55, 60] {
            let article = uniform_article(paragraphs);
            assert_article_kept(&article, &[], &format!("{paragraphs} paragraphs"));
        }
    }

    #[test]
    fn a_boilerplate_tail_after_a_long_uniform_article_still_goes() {
        let tail = [
            "Share this article",
            "Comments (12)",
            "Related: Storm hits the coast: what we know",
            "© 2024 Example News. All rights reserved.",
        ];
        for paragraphs in [40, 50, 60] {
            let article = uniform_article(paragraphs);
            let verdicts =
                assert_article_kept(&article, &tail, &format!("{paragraphs} paragraphs"));
            for (b, v) in tail.iter().zip(&verdicts) {
                assert!(matches!(v, Verdict::Removed(_)), "{b}: {v:?}");
            }
        }
    }

    #[test]
    fn uniform_articles_of_any_length_keep_every_paragraph() {
        // About 10 KB, 40 KB and 160 KB (a paragraph is about 440 bytes).
        for bytes in [10_000, 40_000, 160_000] {
            let article = uniform_article(bytes / 440);
            let len = article.iter().map(|p| p.len() + 2).sum::<usize>();
            assert!(len.abs_diff(bytes) < bytes / 10, "{len}");
            assert_article_kept(&article, &[], &format!("{bytes} bytes"));
        }
    }

    #[test]
    fn subheading_between_paragraphs_stays() {
        let c = run(&[P1, "Budget talks continue", P2]);
        assert_eq!(c.verdicts[1], Verdict::Body);
    }

    #[test]
    fn headline_list_after_a_label_goes() {
        let c = run(&[
            P1,
            P2,
            "Related articles...",
            "Latest news",
            "Central bank raises rates again",
            "Storm hits the coast: what we know",
            "Ten years after the crisis",
        ]);
        assert_eq!(&c.verdicts[..2], &[Verdict::Body, Verdict::Body]);
        for v in &c.verdicts[2..] {
            assert_eq!(*v, Verdict::Removed(RemovedKind::RelatedLinks));
        }
    }

    #[test]
    fn title_byline_and_dateline_become_metadata() {
        let opening = format!("WASHINGTON (AP) — {P1}");
        let c = run(&[
            "Senate passes the budget after long talks",
            "By Jane Doe",
            &opening,
            P2,
        ]);
        assert_eq!(c.verdicts[0], Verdict::Title);
        assert_eq!(c.verdicts[1], Verdict::Byline);
        assert_eq!(
            c.title.as_deref(),
            Some("Senate passes the budget after long talks")
        );
        assert_eq!(c.authors, ["Jane Doe"]);
        let (block, len, d) = c.dateline.unwrap();
        assert_eq!((block, len), (2, "WASHINGTON (AP) — ".len()));
        assert_eq!(d.source, "AP");
    }

    #[test]
    fn caption_before_credit_and_tag_line_go() {
        let c = run(&[
            P1,
            "Budget Senate Congress Taxes Vote",
            "Senator Jane Doe (left) speaks to reporters in Washington on Tuesday",
            "Jane Roe/Getty Images",
            P2,
        ]);
        assert_eq!(c.verdicts[1], Verdict::Removed(RemovedKind::Tags));
        assert_eq!(c.verdicts[2], Verdict::Removed(RemovedKind::Caption));
        assert_eq!(c.verdicts[3], Verdict::Removed(RemovedKind::Credit));
        assert_eq!(c.verdicts[4], Verdict::Body);
    }

    #[test]
    fn menus_around_the_article_go_and_the_article_stays() {
        let c = run(&[
            "Home",
            "World",
            "Business",
            "Sport",
            P1,
            P2,
            "Contact us",
            "Privacy policy",
            "Terms of use",
        ]);
        assert!(
            c.verdicts[..4]
                .iter()
                .all(|v| matches!(v, Verdict::Removed(RemovedKind::Navigation))),
            "{:?}",
            c.verdicts
        );
        assert_eq!(&c.verdicts[4..6], &[Verdict::Body, Verdict::Body]);
        assert!(
            c.verdicts[6..]
                .iter()
                .all(|v| matches!(v, Verdict::Removed(_)))
        );
    }

    #[test]
    fn short_closing_sentence_stays() {
        let c = run(&[P1, P2, "The vote is expected on Friday."]);
        assert_eq!(c.verdicts[2], Verdict::Body);
    }

    #[test]
    fn text_without_usable_statistics_is_kept() {
        let c = classify(
            &["短い文。", "もう一つの文。"],
            &Context {
                language: "ja",
                title_hint: None,
                time_zone: Tz::UTC,
                statistics: true,
                model: None,
            },
        );
        assert!(
            c.verdicts.iter().all(|v| *v == Verdict::Body),
            "{:?}",
            c.verdicts
        );
        let c = run(&["Just one short line"]);
        assert_eq!(c.verdicts, [Verdict::Body]);
    }

    #[test]
    fn hover_cards_go_and_the_name_stays() {
        let block = "Rep. Jane DoeJane DoeSenate panel backs the budget plan after long talks MORE (D-Ohio) said the vote would come on Friday.";
        let cards = hover_cards(block);
        assert_eq!(cards.len(), 1);
        let (from, to) = cards[0];
        assert_eq!(
            &block[from..to],
            "Jane DoeSenate panel backs the budget plan after long talks MORE"
        );
        assert_eq!(
            format!("{}{}", &block[..from], &block[to..]),
            "Rep. Jane Doe (D-Ohio) said the vote would come on Friday."
        );
        // Two in one sentence, a single-word name, and no card without its
        // MORE link or without the name repeated.
        let two = "Sen. John RoeJohn RoeHeadline one here MORE (R-Utah) and OmarOmarHeadline two MORE agreed.";
        assert_eq!(hover_cards(two).len(), 2);
        assert!(hover_cards("Jane DoeJane Doe said nothing more.").is_empty());
        assert!(hover_cards("The iPhone MORE sales").is_empty());
        assert!(hover_cards("McDonald MORE").is_empty());
        // Linear and safe on long and odd input.
        let long = "aB".repeat(100_000) + " MORE";
        assert!(hover_cards(&long).is_empty());
        let odd = "éÉ".repeat(1000) + " MORE é";
        let _ = hover_cards(&odd);
    }

    #[test]
    fn printed_date_fills_published_at() {
        let c = run(&["date 2023-02-25 Reading Time: 2 minutes", P1, P2]);
        assert_eq!(c.verdicts[0], Verdict::Removed(RemovedKind::MetadataLine));
        assert_eq!(
            c.published_at.unwrap().to_rfc3339(),
            "2023-02-25T00:00:00+00:00"
        );
    }

    /// The first implementation of the revision, walking to the neighbours
    /// from every block (quadratic on long runs of short blocks): the
    /// reference the linear one must agree with.
    fn neighbour_naive(classes: &[Class], i: usize, forward: bool, skip_near_good: bool) -> Class {
        let mut j = i;
        loop {
            let next = if forward {
                j.checked_add(1).filter(|&k| k < classes.len())
            } else {
                j.checked_sub(1)
            };
            let Some(k) = next else { return Class::Bad };
            j = k;
            match classes[k] {
                Class::Short => continue,
                Class::NearGood if skip_near_good => continue,
                c => return c,
            }
        }
    }
    fn revise_naive(initial: &[Class]) -> Vec<Class> {
        let mut out = initial.to_vec();
        for i in 0..initial.len() {
            if initial[i] != Class::Short {
                continue;
            }
            let prev = neighbour_naive(initial, i, false, true);
            let next = neighbour_naive(initial, i, true, true);
            out[i] = match (prev, next) {
                (Class::Good, Class::Good) => Class::Good,
                (Class::Bad, Class::Bad) => Class::Bad,
                _ => {
                    let bad_side_near_good = (prev == Class::Bad
                        && neighbour_naive(initial, i, false, false) == Class::NearGood)
                        || (next == Class::Bad
                            && neighbour_naive(initial, i, true, false) == Class::NearGood);
                    if bad_side_near_good {
                        Class::Good
                    } else {
                        Class::Bad
                    }
                }
            };
        }
        let after_short = out.clone();
        for i in 0..initial.len() {
            if initial[i] != Class::NearGood {
                continue;
            }
            let prev = neighbour_naive(&after_short, i, false, true);
            let next = neighbour_naive(&after_short, i, true, true);
            out[i] = if prev == Class::Bad && next == Class::Bad {
                Class::Bad
            } else {
                Class::Good
            };
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn revision_agrees_with_the_naive_walk(classes in proptest::collection::vec(0u8..4, 0..60)) {
            let classes: Vec<Class> = classes
                .iter()
                .map(|c| [Class::Good, Class::NearGood, Class::Short, Class::Bad][*c as usize])
                .collect();
            proptest::prop_assert_eq!(revise(&classes), revise_naive(&classes));
        }
    }

    fn steps_and_bytes(text: &str, statistics: bool) -> (u64, u64) {
        let budget = crate::pipeline::Budget::unlimited();
        let mut meter = budget.meter();
        let (clean, spans) = crate::pipeline::normalize::clean_text_metered(text, &mut meter);
        let blocks: Vec<&str> = spans.iter().map(|s| &clean[s.range()]).collect();
        let cleaned = classify_metered(
            &blocks,
            &Context {
                language: "en",
                title_hint: None,
                time_zone: Tz::UTC,
                statistics,
                model: scorer::embedded(),
            },
            &mut meter,
        );
        let body: usize = blocks
            .iter()
            .zip(&cleaned.verdicts)
            .filter(|(_, v)| **v == Verdict::Body)
            .map(|(b, _)| b.len())
            .sum();
        (meter.steps(), clean.len() as u64 + body as u64)
    }

    #[test]
    fn work_grows_linearly() {
        use crate::pipeline::html::scan::testing::{Shape, assert_linear};
        // 500,000 lines of "Hi." were quadratic: every short block walked
        // the whole run of short blocks to find its neighbours.
        let shapes: [Shape; 4] = [
            ("lines of Hi.", |n| "Hi.\n".repeat(n / 4)),
            ("one long line", |n| "word ".repeat(n / 5)),
            ("menu lines", |n| "Home\nWorld News\nSport\n".repeat(n / 22)),
            ("prose and short lines", |n| {
                format!("{P1}\nHi.\n").repeat(n / 210)
            }),
        ];
        for (what, shape) in shapes {
            for statistics in [true, false] {
                let (steps, out) = steps_and_bytes(&shape(20_000), statistics);
                let (steps_8, out_8) = steps_and_bytes(&shape(160_000), statistics);
                assert_linear(&format!("{what}: steps"), steps, steps_8);
                assert_linear(&format!("{what}: bytes out"), out, out_8);
            }
        }
    }

    #[test]
    fn a_spent_budget_keeps_every_block_it_did_not_reach() {
        let budget = crate::pipeline::Budget::new(
            Some(std::time::Duration::ZERO),
            crate::pipeline::budget::CancelFlag::new(),
        );
        std::thread::sleep(std::time::Duration::from_millis(2));
        let blocks = ["Home", "World", "Sport", P1, P2, "Share this article"];
        let cleaned = classify_metered(&blocks, &english(None), &mut budget.meter());
        assert_eq!(cleaned.verdicts, [Verdict::Body; 6]);
        assert_eq!(cleaned.title, None);
    }
}
