//! Document-level consistency for people's surnames: once an article
//! gives a person's full name ("Vladimir Putin", "George Will", "Ian
//! Read"), the surname written alone later is that person. [`surnames`]
//! gathers the full names' surnames once, then makes two passes, each
//! linear:
//!
//! - [`surnames_are_people`]: a one-token mention the tagger typed
//!   otherwise (a leader's name read as his capital) becomes a person;
//! - [`untagged_surnames`]: a surname the tagger left out because it is
//!   also an everyday word ("Will wrote", "Read said", "May told") becomes
//!   a mention of its own, so it joins its person when mentions merge.

use rustc_hash::FxHashSet;

use super::types::{EntityType, Mention, Sentence, Token};
use crate::pipeline::Span;
use crate::pipeline::budget::Meter;

/// The surnames of the full person names among `mentions`: the last word
/// of each person mention of two tokens or more.
fn full_name_surnames<'t>(text: &'t str, mentions: &[Mention]) -> FxHashSet<&'t str> {
    mentions
        .iter()
        .filter(|m| m.kind == EntityType::Person && m.end_token - m.first_token >= 2)
        .filter_map(|m| text[m.span.range()].rsplit(' ').next())
        .collect()
}

/// Both passes over `mentions` (sorted by position, and kept so), with the
/// surnames of the article's full person names gathered once: retyping
/// lone surnames, then adding the untagged ones.
pub fn surnames(
    text: &str,
    tokens: &[Token],
    sentences: &[Sentence],
    mentions: &mut Vec<Mention>,
    meter: &mut Meter<'_>,
) {
    if meter.add(2 * mentions.len() as u64) {
        return;
    }
    // Retyping touches one-token mentions only: the set stays right for
    // the second pass.
    let surnames = full_name_surnames(text, mentions);
    if surnames.is_empty() {
        return;
    }
    surnames_are_people(text, &surnames, mentions);
    untagged_surnames(text, &surnames, tokens, sentences, mentions, meter);
}

/// A one-token mention written as the last word of a full name the article
/// gives a person ("Vladimir Putin" ... "beholden to Putin") is that
/// person, whatever type the tagger gave it on its own (word vectors put a
/// leader's name near his capital's).
fn surnames_are_people(text: &str, surnames: &FxHashSet<&str>, mentions: &mut [Mention]) {
    for m in mentions.iter_mut() {
        if m.kind != EntityType::Person
            && m.end_token - m.first_token == 1
            && surnames.contains(&text[m.span.range()])
        {
            m.kind = EntityType::Person;
        }
    }
}

/// A token outside every mention that is written exactly as the surname of
/// a full person name of the article ("George Will" ... "Will wrote")
/// becomes a person mention. The tagger leaves such a surname out when it
/// is also an everyday word: a modal, a verb, a month. Only where its
/// capital says it is a name:
///
/// - not the first word of its sentence (quotation marks and brackets
///   before it do not count as words): "Will he run?" keeps its modal;
/// - no capitalised word right before or after it: a title-case headline
///   ("Will Trump Win") or a longer name ("Consumer Price Index") is not
///   the surname alone.
///
/// Mentions stay sorted by position.
fn untagged_surnames(
    text: &str,
    surnames: &FxHashSet<&str>,
    tokens: &[Token],
    sentences: &[Sentence],
    mentions: &mut Vec<Mention>,
    meter: &mut Meter<'_>,
) {
    let covered = super::covered_tokens(tokens.len(), mentions);
    let capitalised = |i: usize| {
        tokens
            .get(i)
            .is_some_and(|t| t.text(text).chars().next().is_some_and(char::is_uppercase))
    };
    let before = mentions.len();
    for sentence in sentences {
        // Whether a word has been seen in the sentence before the token.
        let mut after_a_word = false;
        for i in sentence.first..sentence.end.min(tokens.len()) {
            if meter.tick() {
                break;
            }
            let word = tokens[i].text(text);
            if after_a_word
                && !covered[i]
                && surnames.contains(word)
                && !(i > 0 && capitalised(i - 1))
                && !capitalised(i + 1)
            {
                mentions.push(Mention {
                    span: Span::new(tokens[i].start, tokens[i].end),
                    kind: EntityType::Person,
                    first_token: i,
                    end_token: i + 1,
                });
            }
            after_a_word |= word.chars().any(char::is_alphanumeric);
        }
    }
    if mentions.len() > before {
        mentions.sort_by_key(|m| m.span.start);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::Budget;
    use crate::pipeline::entities::tokens;

    fn mention(
        start: usize,
        end: usize,
        kind: EntityType,
        first: usize,
        end_token: usize,
    ) -> Mention {
        Mention {
            span: Span::new(start, end),
            kind,
            first_token: first,
            end_token,
        }
    }

    #[test]
    fn a_lone_surname_of_a_named_person_is_that_person() {
        let text = "Vladimir Putin met them. Putin left.";
        let mut mentions = vec![
            mention(0, 14, EntityType::Person, 0, 2),
            mention(25, 30, EntityType::Location, 5, 6),
        ];
        let (toks, sentences) = tokens::tokenize(text);
        let budget = Budget::unlimited();
        surnames(text, &toks, &sentences, &mut mentions, &mut budget.meter());
        assert_eq!(mentions[1].kind, EntityType::Person);
        // Without the full name nothing changes.
        let mut alone = vec![mention(25, 30, EntityType::Location, 5, 6)];
        surnames(text, &toks, &sentences, &mut alone, &mut budget.meter());
        assert_eq!(alone[0].kind, EntityType::Location);
    }

    /// The mentions [`surnames`] adds to `given` in `text`.
    fn added_to<'t>(text: &'t str, given: &[Mention]) -> Vec<&'t str> {
        let (toks, sentences) = tokens::tokenize(text);
        let mut mentions = given.to_vec();
        surnames(
            text,
            &toks,
            &sentences,
            &mut mentions,
            &mut Budget::unlimited().meter(),
        );
        assert!(
            mentions
                .windows(2)
                .all(|w| w[0].span.start <= w[1].span.start)
        );
        mentions
            .iter()
            .filter(|m| !given.contains(m))
            .map(|m| {
                assert_eq!(m.kind, EntityType::Person);
                assert_eq!(m.end_token - m.first_token, 1);
                &text[m.span.range()]
            })
            .collect()
    }

    /// The mentions [`surnames`] adds to the one mention "George
    /// Will" at the start of `text`.
    fn added(text: &str) -> Vec<&str> {
        let end = text.find("Will").expect("the full name") + 4;
        added_to(text, &[mention(0, end, EntityType::Person, 0, 2)])
    }

    #[test]
    fn a_surname_that_is_an_everyday_word_is_found_where_its_capital_says_so() {
        // From a column's report (PolNeAR's George Will article, paraphrased).
        let text = "George Will wrote an op-ed. Instead, Will called for calm, \
                    which Will claims is “conservative,” Will wrote.";
        assert_eq!(added(text), ["Will", "Will", "Will"]);
        // After an opening quotation mark it is still a sentence's first word.
        assert!(added("George Will spoke. “Will they come?” he asked.").is_empty());
        // The first word of a sentence: the capital says nothing.
        assert!(added("George Will spoke. Will he run? No.").is_empty());
        // Beside another capitalised word: a headline or a longer name.
        assert!(added("George Will spoke. After Will Trump Win, we left.").is_empty());
        // Lower case is the word, not the name.
        assert!(added("George Will spoke. He will run.").is_empty());
    }

    #[test]
    fn without_a_full_name_no_surname_is_added() {
        let text = "He left. Then Will wrote. Will Smith came, as Smith said.";
        assert!(added_to(text, &[]).is_empty());
        // A one-word person mention is no full name to take a surname from.
        assert!(added_to(text, &[mention(14, 18, EntityType::Person, 4, 5)]).is_empty());
        // Nor is an organisation of two words; a person of two words is.
        let smith = |kind| added_to(text, &[mention(26, 36, kind, 7, 9)]);
        assert!(smith(EntityType::Organization).is_empty());
        assert_eq!(smith(EntityType::Person), ["Smith"]);
    }
}
