//! Prose recovery: paragraphs of the article that the extractor left out.
//!
//! Extractors score DOM containers, so a paragraph that sits in a sibling of
//! the chosen container is lost with it: the lead or standfirst in its own
//! `intro` element above the body, a paragraph in a wrapper the page gave a
//! teaser-like class. [`recover`] aligns the extracted blocks with the lines
//! of the page's flattened text (page order) and adds, from the lines next to
//! the extracted ones, those that read as prose in the article's language:
//! the lines just before the first extracted block (walking up until a line
//! is not prose) and the lines in the gaps between extracted blocks. Lines
//! after the last block are left alone: that is where teasers of other
//! articles and sign-up prompts sit, and they read as prose too.
//!
//! "Prose" is the jusText test for a good paragraph: long, dense in stop
//! words, ending like a sentence. Lines the DOM pass reported as boilerplate
//! are never recovered.

use super::needles::Needles;
use super::{BlockKind, PageBlock};
use crate::pipeline::RemovedBlock;
use crate::pipeline::budget::Meter;
use crate::pipeline::cleaning::features::{Features, StopWords};

/// Fewest characters of a recovered line (jusText's length of a good
/// paragraph is 200; leads are often shorter).
const MIN_CHARS: usize = 100;

/// Fewest characters for scripts written without spaces (CJK), where the
/// stop-word test does not apply.
const MIN_CHARS_UNSPACED: usize = 40;

/// Least share of stop words: jusText's low threshold (0.30), under which
/// a paragraph is never good. (Measured on trafilatura-eval: 0.25 to 0.32
/// move F1 by under 0.001.)
const MIN_STOP_DENSITY: f32 = 0.30;

/// Most lines of a gap between two extracted blocks that are searched:
/// longer gaps are page furniture between two parts the extractor chose.
/// (Measured: 2 lines, F1 0.9183; 6, 0.9179; 20, 0.9187.)
const MAX_GAP: usize = 20;

/// Most characters of an extracted block compared when aligning (blocks
/// are matched on their start: the extractor and the flattener break
/// inline content differently).
const KEY_CHARS: usize = 60;

/// Lines at least this long (bytes) also align with a block that starts
/// with them (the flattener broke the block's text earlier).
const MIN_PREFIX_LINE: usize = 20;

/// Adds to `blocks` the prose lines of `flat` (the page's flattened text)
/// next to them that the extractor left out; see the module documentation.
pub fn recover(
    blocks: &mut Vec<PageBlock>,
    flat: &str,
    removed: &[RemovedBlock],
    stop: &StopWords,
) {
    let budget = crate::pipeline::Budget::unlimited();
    recover_metered(blocks, flat, removed, stop, &mut budget.meter());
}

/// [`recover`], counting its steps on `meter` (bytes read, lines compared);
/// when the meter stops, `blocks` are left as they were.
///
/// Linear in the sizes of `flat`, `blocks` and `removed`: the alignment
/// walks each line through a trie of the blocks' keys once, and the
/// "already there" tests run through [`Needles`] automata instead of
/// comparing every line with every block.
pub fn recover_metered(
    blocks: &mut Vec<PageBlock>,
    flat: &str,
    removed: &[RemovedBlock],
    stop: &StopWords,
    meter: &mut Meter<'_>,
) {
    if blocks.is_empty() {
        return;
    }
    meter.add(flat.len() as u64);
    let lines: Vec<String> = flat
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect();
    let Some(at) = align(blocks, &lines, meter) else {
        return;
    };
    let prose = |line: &str, meter: &mut Meter<'_>| {
        meter.add(line.len() as u64);
        is_prose(line, stop)
    };

    // Candidates: the prose lines just before the first aligned block
    // (nearest first), and the prose lines of short gaps between two.
    let mut lead: Vec<usize> = Vec::new();
    let first = at.iter().enumerate().find_map(|(b, l)| l.map(|l| (b, l)));
    if let Some((_, first_line)) = first {
        for i in (0..first_line).rev() {
            if !prose(&lines[i], meter) {
                break;
            }
            lead.push(i);
        }
    }
    // (position in `blocks`, line)
    let mut gaps: Vec<(usize, usize)> = Vec::new();
    let mut previous: Option<usize> = None;
    for (b, line) in at.iter().enumerate() {
        let Some(line) = *line else { continue };
        if let Some(p) = previous
            && line > p + 1
            && line - p - 1 <= MAX_GAP
        {
            for (i, gap_line) in lines.iter().enumerate().take(line).skip(p + 1) {
                if prose(gap_line, meter) {
                    gaps.push((b, i));
                }
            }
        }
        previous = Some(line);
    }
    if meter.is_stopped() || (lead.is_empty() && gaps.is_empty()) {
        return;
    }

    // A candidate is new unless a block or a removed widget holds it, or
    // it holds a block.
    let candidates: Vec<&str> = lead
        .iter()
        .chain(gaps.iter().map(|(_, i)| i))
        .map(|&i| lines[i].as_str())
        .collect();
    let as_needles = Needles::new(candidates.iter().map(|c| c.as_bytes()), meter);
    let held = as_needles.occurring(
        blocks
            .iter()
            .map(|b| b.text.as_bytes())
            .chain(removed.iter().map(|r| r.text.as_bytes())),
        meter,
    );
    let block_needles = Needles::new(blocks.iter().map(|b| b.text.as_bytes()), meter);
    let is_new: Vec<bool> = candidates
        .iter()
        .zip(held)
        .map(|(c, held)| !held && !block_needles.found_in(c.as_bytes(), meter))
        .collect();
    if meter.is_stopped() {
        return;
    }

    // Insertions as (position in `blocks`, line), in page order: the lead
    // up to the first line that is not new, then the new gap lines.
    let (lead_new, gap_new) = is_new.split_at(lead.len());
    let lead_kept = lead_new.iter().take_while(|&&n| n).count();
    let mut inserts: Vec<(usize, usize)> = Vec::with_capacity(lead_kept + gaps.len());
    if let Some((first_block, _)) = first {
        inserts.extend(lead[..lead_kept].iter().rev().map(|&i| (first_block, i)));
    }
    inserts.extend(
        gaps.iter()
            .zip(gap_new)
            .filter(|(_, new)| **new)
            .map(|(&gap, _)| gap),
    );
    if inserts.is_empty() {
        return;
    }
    let old = std::mem::take(blocks);
    blocks.reserve(old.len() + inserts.len());
    let mut pending = inserts.into_iter().peekable();
    for (position, block) in old.into_iter().enumerate() {
        while let Some((_, line)) = pending.next_if(|&(p, _)| p == position) {
            blocks.push(PageBlock {
                text: lines[line].clone(),
                kind: BlockKind::Paragraph,
            });
        }
        blocks.push(block);
    }
}

/// The page-order line of each block, found monotonically: the first line
/// after the previous block's that starts with the block's first
/// [`KEY_CHARS`] characters, or that the key starts with (when it is at
/// least [`MIN_PREFIX_LINE`] bytes long). `None` when the meter stopped.
///
/// A naive search from the previous block's line costs the rest of the
/// page for every block that is not there. Here each line walks a trie of
/// the keys once, which gives every key the last line it matches; a block
/// whose last match is before the previous block's line is not searched
/// for, and the others are found by a forward search that only moves on,
/// so the whole alignment costs the lines plus the blocks.
fn align(
    blocks: &[PageBlock],
    lines: &[String],
    meter: &mut Meter<'_>,
) -> Option<Vec<Option<usize>>> {
    let keys: Vec<&str> = blocks.iter().map(|b| prefix(&b.text, KEY_CHARS)).collect();
    let trie = Needles::new(keys.iter().map(|k| k.as_bytes()), meter);
    let longest_key = keys.iter().map(|k| k.len()).max().unwrap_or(0);
    // Per node: the last line its string is a prefix of (exact), and the
    // last long line that spells it whole (so is a prefix of every key
    // under it).
    let mut exact: Vec<Option<usize>> = vec![None; trie.nodes()];
    let mut whole: Vec<Option<usize>> = vec![None; trie.nodes()];
    // Every line starts with the empty string.
    exact[trie.root() as usize] = lines.len().checked_sub(1);
    for (i, line) in lines.iter().enumerate() {
        let bytes = line.as_bytes();
        let mut node = trie.root();
        let mut read = 0;
        for &b in bytes.iter().take(longest_key) {
            match trie.child(node, b) {
                Some(next) => {
                    node = next;
                    read += 1;
                    exact[node as usize] = Some(i);
                }
                None => break,
            }
        }
        if read == bytes.len() && bytes.len() >= MIN_PREFIX_LINE {
            whole[node as usize] = Some(i);
        }
        if meter.add(read as u64 + 1) {
            return None;
        }
    }
    // A long line spelling a node is a prefix of every key below it.
    for &node in trie.breadth_first().iter().skip(1) {
        let up = trie.parent(node) as usize;
        whole[node as usize] = whole[node as usize].max(whole[up]);
    }
    let mut at = Vec::with_capacity(blocks.len());
    let mut next = 0;
    for (j, key) in keys.iter().enumerate() {
        let node = trie.node_of(j) as usize;
        let last = exact[node].max(whole[node]).filter(|&l| l >= next);
        let found = last.and_then(|last| {
            (next..=last).find(|&i| {
                meter.tick();
                lines[i].starts_with(key)
                    || (lines[i].len() >= MIN_PREFIX_LINE && key.starts_with(lines[i].as_str()))
            })
        });
        if let Some(i) = found {
            next = i + 1;
        }
        at.push(found);
    }
    (!meter.is_stopped()).then_some(at)
}

/// Whether `line` reads as a paragraph of prose.
fn is_prose(line: &str, stop: &StopWords) -> bool {
    let features = Features::of(line, stop);
    if !features.ends_sentence {
        return false;
    }
    // Prose in a spaced script has a space every few words.
    let unspaced = line.bytes().filter(|&b| b == b' ').count() * 20 < features.chars;
    if unspaced {
        features.chars >= MIN_CHARS_UNSPACED
    } else {
        features.chars >= MIN_CHARS && features.stop_density() >= MIN_STOP_DENSITY
    }
}

/// The first `chars` characters of `s`.
fn prefix(s: &str, chars: usize) -> &str {
    s.char_indices().nth(chars).map_or(s, |(i, _)| &s[..i])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::RemovedKind;
    use crate::pipeline::cleaning::features::stop_words;

    const LEAD: &str = "In the night to Saturday two young drivers crashed their sports cars in \
                        separate accidents, and both of the cars are now a total loss.";
    const BODY_1: &str = "The first accident happened shortly after midnight on the main road, \
                          where the driver lost control of the car in a bend.";
    const GAP: &str = "Police said that the second driver had been going much faster than the \
                       limit allows when he hit the wall of a house.";
    const BODY_2: &str = "Nobody was hurt in either accident, but the police have opened an \
                          inquiry into both of the drivers.";
    const AFTER: &str = "This is a teaser for another story that is written in the same way as \
                         the article and is long enough to be prose.";

    fn paragraph(text: &str) -> PageBlock {
        PageBlock {
            text: text.to_owned(),
            kind: BlockKind::Paragraph,
        }
    }

    fn texts(blocks: &[PageBlock]) -> Vec<&str> {
        blocks.iter().map(|b| b.text.as_str()).collect()
    }

    fn flat() -> String {
        [
            "Home",
            "Young drivers wreck two cars",
            "19.10.2019 11:36",
            LEAD,
            BODY_1,
            "Photo: Police",
            GAP,
            BODY_2,
            AFTER,
        ]
        .join("\n\n")
    }

    #[test]
    fn lead_and_gap_prose_is_recovered_in_page_order() {
        let mut blocks = vec![paragraph(BODY_1), paragraph(BODY_2)];
        recover(&mut blocks, &flat(), &[], stop_words("en"));
        // Not the title, date, credit or the teaser after the article.
        assert_eq!(texts(&blocks), [LEAD, BODY_1, GAP, BODY_2]);
    }

    #[test]
    fn boilerplate_found_in_the_dom_is_not_recovered() {
        let mut blocks = vec![paragraph(BODY_1), paragraph(BODY_2)];
        let removed = [RemovedBlock {
            text: GAP.to_owned(),
            kind: RemovedKind::RelatedLinks,
        }];
        recover(&mut blocks, &flat(), &removed, stop_words("en"));
        assert_eq!(texts(&blocks), [LEAD, BODY_1, BODY_2]);
    }

    #[test]
    fn blocks_not_in_the_page_text_change_nothing() {
        let mut blocks = vec![paragraph("Text the flattener never saw.")];
        recover(&mut blocks, &flat(), &[], stop_words("en"));
        assert_eq!(texts(&blocks), ["Text the flattener never saw."]);
        let mut none = Vec::new();
        recover(&mut none, &flat(), &[], stop_words("en"));
        assert!(none.is_empty());
    }

    #[test]
    fn prose_needs_length_stop_words_and_a_sentence_end() {
        let en = stop_words("en");
        assert!(is_prose(LEAD, en));
        assert!(!is_prose("Nobody was hurt in the accident.", en));
        assert!(!is_prose(LEAD.trim_end_matches('.'), en));
        assert!(!is_prose(
            "Corvette Audi Porsche Ferrari Lamborghini Maserati Bugatti Mercedes BMW Bentley \
             Jaguar Lotus McLaren Aston Martin Rolls Royce Tesla.",
            en
        ));
        // Unspaced scripts are judged on length and the sentence end.
        assert!(is_prose(
            "子どもへの虐待をなくすための法律ができて、親が子どもを教育するために、たたいたり蹴ったりする体罰を禁止することになりました。",
            stop_words("ja")
        ));
    }

    /// The first implementation, one comparison at a time (quadratic): the
    /// reference the linear one must agree with.
    fn recover_naive(
        blocks: &mut Vec<PageBlock>,
        flat: &str,
        removed: &[RemovedBlock],
        stop: &StopWords,
    ) {
        if blocks.is_empty() {
            return;
        }
        let lines: Vec<String> = flat
            .lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|l| !l.is_empty())
            .collect();
        // Page-order index of each extracted block's line, found monotonically.
        let mut at: Vec<Option<usize>> = Vec::with_capacity(blocks.len());
        let mut next = 0;
        for block in blocks.iter() {
            let key = prefix(&block.text, KEY_CHARS);
            let found = (next..lines.len()).find(|&i| {
                lines[i].starts_with(key)
                    || (lines[i].len() >= 20 && key.starts_with(lines[i].as_str()))
            });
            if let Some(i) = found {
                next = i + 1;
            }
            at.push(found);
        }
        let is_new = |line: &str, blocks: &[PageBlock]| {
            !blocks
                .iter()
                .any(|b| b.text.contains(line) || line.contains(b.text.as_str()))
                && !removed.iter().any(|r| r.text.contains(line))
        };
        let prose = |line: &str| is_prose(line, stop);

        // Insertions as (position in `blocks`, text), in page order.
        let mut inserts: Vec<(usize, String)> = Vec::new();
        if let Some((first_block, first_line)) =
            at.iter().enumerate().find_map(|(b, l)| l.map(|l| (b, l)))
        {
            let mut lead = Vec::new();
            for line in lines[..first_line].iter().rev() {
                if !prose(line) || !is_new(line, blocks) {
                    break;
                }
                lead.push(line.clone());
            }
            inserts.extend(lead.into_iter().rev().map(|l| (first_block, l)));
        }
        let mut previous: Option<usize> = None;
        for (b, line) in at.iter().enumerate() {
            let Some(line) = *line else { continue };
            if let Some(p) = previous
                && line > p + 1
                && line - p - 1 <= MAX_GAP
            {
                for gap_line in &lines[p + 1..line] {
                    if prose(gap_line) && is_new(gap_line, blocks) {
                        inserts.push((b, gap_line.clone()));
                    }
                }
            }
            previous = Some(line);
        }
        for (offset, (position, text)) in inserts.into_iter().enumerate() {
            blocks.insert(
                position + offset,
                PageBlock {
                    text,
                    kind: BlockKind::Paragraph,
                },
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_the_naive_implementation(
            flat_lines in proptest::collection::vec(0usize..9, 0..24),
            block_picks in proptest::collection::vec(0usize..12, 0..8),
            removed_picks in proptest::collection::vec(0usize..9, 0..2),
        ) {
            // Prose lines, short lines, and lines that are prefixes or
            // extensions of others, so every alignment rule is exercised.
            let pool = [
                LEAD.to_string(),
                BODY_1.to_string(),
                GAP.to_string(),
                BODY_2.to_string(),
                AFTER.to_string(),
                "Home".to_string(),
                "Photo: Police".to_string(),
                BODY_1[..40].to_string(),
                format!("{BODY_2} And more text after it, which is also prose."),
            ];
            let block_pool: Vec<String> = pool
                .iter()
                .cloned()
                .chain([
                    BODY_1[..25].to_string(),
                    "Home".to_string(),
                    format!("{GAP} Extra."),
                ])
                .collect();
            let flat = flat_lines.iter().map(|&i| pool[i].as_str()).collect::<Vec<_>>().join("\n\n");
            let blocks: Vec<PageBlock> = block_picks.iter().map(|&i| paragraph(&block_pool[i])).collect();
            let removed: Vec<RemovedBlock> = removed_picks
                .iter()
                .map(|&i| RemovedBlock { text: pool[i].clone(), kind: RemovedKind::Other })
                .collect();
            let mut fast = blocks.clone();
            recover(&mut fast, &flat, &removed, stop_words("en"));
            let mut naive = blocks;
            recover_naive(&mut naive, &flat, &removed, stop_words("en"));
            proptest::prop_assert_eq!(texts(&fast), texts(&naive));
        }
    }

    #[test]
    fn work_grows_linearly() {
        use crate::pipeline::html::scan::testing::assert_linear;
        // Blocks the page text does not have (each used to be searched for
        // to the end of the page), and long runs of prose gap lines (each
        // used to be compared with every block).
        let work = |n: usize| {
            let mut blocks: Vec<PageBlock> = (0..n)
                .map(|i| paragraph(&format!("Block {i} that the flattener never saw.")))
                .collect();
            let mut lines = Vec::new();
            for i in 0..n {
                lines.push(format!("Aligned paragraph number {i} of the page."));
                for k in 0..3 {
                    lines.push(format!("{GAP} Line {k} of gap {i}."));
                }
                blocks.push(paragraph(&format!(
                    "Aligned paragraph number {i} of the page."
                )));
            }
            let flat = lines.join("\n\n");
            let budget = crate::pipeline::Budget::unlimited();
            let mut meter = budget.meter();
            recover_metered(&mut blocks, &flat, &[], stop_words("en"), &mut meter);
            (meter.steps(), blocks.len() as u64)
        };
        let ((steps, out), (steps_8, out_8)) = (work(300), work(2400));
        assert_linear("steps", steps, steps_8);
        assert_linear("blocks out", out, out_8);
        // Every gap line was recovered.
        assert_eq!(out, 300 + 300 + 299 * 3);
    }
}
