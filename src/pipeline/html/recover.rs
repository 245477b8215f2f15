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

use super::{BlockKind, PageBlock};
use crate::pipeline::RemovedBlock;
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

/// Adds to `blocks` the prose lines of `flat` (the page's flattened text)
/// next to them that the extractor left out; see the module documentation.
pub fn recover(
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
}
