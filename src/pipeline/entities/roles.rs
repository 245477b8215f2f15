//! Roles of PERSON entities, read from the words around their mentions: a
//! title phrase right before a mention ("Kremlin spokesman Dmitry Peskov",
//! "Ukraine's top general, Valery Zaluzhniy") and an apposition right after
//! one ("Javed Ali, a University of Michigan professor,").
//!
//! A role phrase is built around a role head noun from a lexicon
//! (`president`, `minister`, `spokesman`, `general`, `professor`, `CEO`, ...;
//! also as the last part of a hyphenated word: `then-president`):
//! - before a mention, the head is the token right before it (or right before
//!   a comma right before it), and the phrase extends left over modifiers —
//!   capitalised words (`Kremlin`, `Belarusian`, `U.S.`), a possessive
//!   `X's`, lower-case modifiers (`top`, `former`, `deputy`, `foreign`, ...,
//!   adjectives ending in `-al`, `-ic`, `-ary`, `-ian`, hyphenated words) and
//!   other head nouns — for at most 8 tokens, stopping at a line break, an
//!   article, a function word (`On`, `But`, `Monday`, ...), a verb-like
//!   lower-case word or punctuation;
//! - after a mention, the apposition is `, [a|an|the] PHRASE` ended by `,`
//!   `.` `;` `:` `!` `?` `)` a dash, a line break or the end of the text,
//!   at most 8 tokens, without a verb or relative pronoun (`said`, `who`,
//!   ...), whose first head noun is preceded only by modifiers (and `of`,
//!   `for`, `and`, `the`, `de`, `&` before a capitalised word, as in
//!   "University of Michigan professor"); the article is dropped.
//!
//! Roles are added to the entity's in first-found order (mentions in text
//! order, the phrase before a mention first), whitespace collapsed and
//! deduplicated case-insensitively. Mentions that do not start (end) at a
//! token boundary, like the halves of `Putin-Lukashenko`, get no role before
//! (after) them.
//!
//! Not handled: roles in other sentences ("The spokesman ... He"), roles
//! after a verb ("Peskov, who is the Kremlin spokesman"), role phrases
//! without a head noun from the lexicon.

use rustc_hash::FxHashSet;

use super::types::{Entity, EntityType, Token};
use crate::pipeline::Span;
use crate::pipeline::budget::Meter;

/// Tokens in a role phrase, at most.
const MAX_ROLE_TOKENS: usize = 8;

/// Role head nouns, lower-case.
const HEADS: &[&str] = &[
    "president",
    "president-elect",
    "vice-president",
    "minister",
    "premier",
    "chancellor",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "secretary",
    "secretary-general",
    "leader",
    "chief",
    "head",
    "director",
    "director-general",
    "professor",
    "analyst",
    "ambassador",
    "envoy",
    "governor",
    "mayor",
    "senator",
    "congressman",
    "congresswoman",
    "lawmaker",
    "legislator",
    "ceo",
    "cfo",
    "coo",
    "chairman",
    "chairwoman",
    "chairperson",
    "chair",
    "commander",
    "commander-in-chief",
    "general",
    "colonel",
    "lieutenant",
    "captain",
    "admiral",
    "marshal",
    "sergeant",
    "officer",
    "adviser",
    "advisor",
    "official",
    "founder",
    "co-founder",
    "executive",
    "economist",
    "researcher",
    "scientist",
    "expert",
    "historian",
    "lawyer",
    "attorney",
    "prosecutor",
    "judge",
    "diplomat",
    "negotiator",
    "correspondent",
    "editor",
    "reporter",
    "journalist",
    "columnist",
    "king",
    "queen",
    "prince",
    "princess",
    "emperor",
    "pope",
    "cardinal",
    "archbishop",
    "bishop",
    "coach",
    "manager",
    "striker",
    "midfielder",
    "defender",
    "goalkeeper",
    "dean",
    "rector",
    "ombudsman",
    "commissioner",
    "candidate",
    "nominee",
    "mediator",
    "strategist",
    "fellow",
    "partner",
    "owner",
    "physician",
    "surgeon",
];

/// Lower-case words that may stand before a head in a role phrase.
const MODIFIERS: &[&str] = &[
    "top",
    "former",
    "deputy",
    "senior",
    "acting",
    "interim",
    "vice",
    "assistant",
    "associate",
    "lead",
    "new",
    "current",
    "outgoing",
    "incoming",
    "longtime",
    "veteran",
    "chief",
    "head",
    "security",
    "defense",
    "defence",
    "foreign",
    "finance",
    "health",
    "justice",
    "interior",
    "economy",
    "trade",
    "state",
    "army",
    "intelligence",
    "press",
    "communications",
    "executive",
    "managing",
    "legislative",
    "representative",
    "prime",
    "general",
    "opposition",
    "government",
    "party",
    "union",
    "team",
    "club",
    "research",
    "policy",
    "affairs",
    "war",
    "energy",
    "environment",
    "education",
    "transport",
    "agriculture",
    "culture",
    "labour",
    "labor",
    "business",
    "campaign",
    "development",
    "emergency",
    "military",
    "navy",
    "air",
    "force",
    "police",
    "border",
    "prison",
    "court",
    "supreme",
    "district",
    "city",
    "county",
    "regional",
    "national",
    "federal",
    "local",
    "provincial",
    "ex",
];

/// Words that end a role phrase going left (compared lower-case): articles,
/// and capitalised words that are not names.
const STOPS: &[&str] = &[
    "a",
    "an",
    "the",
    "on",
    "in",
    "at",
    "by",
    "but",
    "and",
    "or",
    "nor",
    "neither",
    "either",
    "both",
    "when",
    "while",
    "after",
    "before",
    "as",
    "meanwhile",
    "however",
    "also",
    "then",
    "now",
    "if",
    "so",
    "for",
    "with",
    "without",
    "from",
    "to",
    "of",
    "this",
    "that",
    "these",
    "those",
    "his",
    "her",
    "their",
    "its",
    "our",
    "my",
    "your",
    "he",
    "she",
    "they",
    "it",
    "we",
    "i",
    "you",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "yesterday",
    "today",
    "tonight",
    "tomorrow",
    "last",
    "earlier",
    "later",
    "since",
    "until",
    "during",
    "under",
    "about",
    "according",
    "said",
    "says",
    "told",
];

/// Words that reject an apposition: verbs and relative pronouns.
const VERBS: &[&str] = &[
    "said", "says", "say", "told", "tells", "added", "adds", "is", "was", "were", "are", "be",
    "been", "has", "had", "have", "will", "would", "could", "should", "can", "may", "might", "did",
    "does", "do", "who", "whom", "whose", "which", "that", "where", "when", "but",
];

/// Words that may join capitalised words inside an apposition's modifiers.
const CONNECTORS: &[&str] = &["of", "for", "and", "the", "de", "&"];

/// Fills the roles of the PERSON entities from the text around their
/// mentions; other entities are left alone. `tokens` are the tokens of
/// `text`, in order; spans that are not ranges of `text` are skipped.
pub fn roles(text: &str, tokens: &[Token], entities: &mut [Entity]) {
    let budget = crate::pipeline::Budget::unlimited();
    roles_metered(text, tokens, entities, &mut budget.meter());
}

/// [`roles`], one meter step per mention and role; when the meter stops,
/// the roles found so far (entities after the stop get none). The phrase
/// searches are bounded ([`MAX_ROLE_TOKENS`]) and roles are deduplicated
/// through hash sets, so the cost is linear in the mentions.
pub fn roles_metered(text: &str, tokens: &[Token], entities: &mut [Entity], meter: &mut Meter<'_>) {
    let mut seen: FxHashSet<String> = FxHashSet::default();
    let mut suffixes: FxHashSet<String> = FxHashSet::default();
    for entity in entities.iter_mut().filter(|e| e.kind == EntityType::Person) {
        if meter.is_stopped() {
            return;
        }
        let mut spans = entity.mentions.clone();
        spans.sort();
        seen.clear();
        seen.extend(entity.roles.iter().map(|r| r.to_lowercase()));
        for span in spans {
            if meter.tick() {
                break;
            }
            let found = [
                role_before(text, tokens, span),
                role_after(text, tokens, span),
            ];
            for role in found.into_iter().flatten() {
                if seen.insert(role.to_lowercase()) {
                    entity.roles.push(role);
                }
            }
        }
        // A bare role that a fuller one ends with adds nothing
        // ("spokesman" beside "Kremlin spokesman"): drop every role that
        // is the tail, after a space, of another.
        suffixes.clear();
        for r in &entity.roles {
            meter.tick();
            let lower = r.to_lowercase();
            for (at, _) in lower.match_indices(' ') {
                suffixes.insert(lower[at + 1..].to_string());
            }
        }
        entity
            .roles
            .retain(|r| !suffixes.contains(&r.to_lowercase()));
    }
}

/// The text of token `k`, empty when out of range.
fn tok<'a>(text: &'a str, tokens: &[Token], k: usize) -> &'a str {
    tokens
        .get(k)
        .and_then(|t| text.get(t.start..t.end))
        .unwrap_or("")
}

/// Whether a line break separates tokens `k` and `k + 1`.
fn line_break(text: &str, tokens: &[Token], k: usize) -> bool {
    match (tokens.get(k), tokens.get(k + 1)) {
        (Some(a), Some(b)) => text
            .get(a.end..b.start)
            .is_none_or(|gap| gap.contains(['\n', '\r', '\u{2028}', '\u{2029}'])),
        _ => true,
    }
}

/// The phrase `tokens[first..=last]` with whitespace collapsed.
fn phrase(text: &str, tokens: &[Token], first: usize, last: usize) -> Option<String> {
    let s = text.get(tokens.get(first)?.start..tokens.get(last)?.end)?;
    Some(s.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn is_head(word: &str) -> bool {
    let lower = word.to_lowercase();
    HEADS.contains(&lower.as_str())
        || lower
            .rsplit_once('-')
            .is_some_and(|(_, last)| HEADS.contains(&last))
}

fn is_possessive(word: &str) -> bool {
    matches!(word, "'s" | "’s" | "'S" | "’S" | "'" | "’")
}

fn starts_upper(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_uppercase)
}

/// A lower-case word that reads as an adjective: `political`, `economic`,
/// `military`, `Ukrainian`-like forms.
fn adjective(lower: &str) -> bool {
    let n = lower.chars().count();
    (n >= 6
        && lower.ends_with("al")
        && !matches!(lower, "reveal" | "appeal" | "conceal" | "repeal"))
        || (n >= 5 && (lower.ends_with("ic") || lower.ends_with("ary") || lower.ends_with("ian")))
}

/// Whether `word` may stand before a head noun in a role phrase.
fn is_modifier(word: &str) -> bool {
    let lower = word.to_lowercase();
    if STOPS.contains(&lower.as_str()) {
        return false;
    }
    let word_like = |c: char| c.is_alphabetic() || matches!(c, '.' | '-' | '&' | '\'' | '’');
    if starts_upper(word) {
        return word.chars().all(word_like);
    }
    word.chars().all(word_like)
        && word.chars().any(char::is_alphabetic)
        && (MODIFIERS.contains(&lower.as_str())
            || is_head(word)
            || adjective(&lower)
            || (lower.contains('-') && !lower.starts_with('-') && !lower.ends_with('-')))
}

/// The index of the first token of `span` when it starts at a token start.
fn first_token(tokens: &[Token], span: Span) -> Option<usize> {
    let i = tokens.partition_point(|t| t.end <= span.start);
    (tokens.get(i)?.start == span.start).then_some(i)
}

/// The index of the last token of `span` when it ends at a token end.
fn last_token(tokens: &[Token], span: Span) -> Option<usize> {
    let j = tokens
        .partition_point(|t| t.start < span.end)
        .checked_sub(1)?;
    (tokens.get(j)?.end == span.end).then_some(j)
}

/// The title phrase right before a mention.
fn role_before(text: &str, tokens: &[Token], span: Span) -> Option<String> {
    let i = first_token(tokens, span)?;
    let mut head = i.checked_sub(1)?;
    if line_break(text, tokens, head) {
        return None;
    }
    if tok(text, tokens, head) == "," {
        head = head.checked_sub(1)?;
        if line_break(text, tokens, head) {
            return None;
        }
    }
    if !is_head(tok(text, tokens, head)) {
        return None;
    }
    let mut first = head;
    let mut count = 1;
    while count < MAX_ROLE_TOKENS {
        let Some(p) = first.checked_sub(1) else {
            break;
        };
        if line_break(text, tokens, p) {
            break;
        }
        let word = tok(text, tokens, p);
        if is_possessive(word) {
            // The owner must be glued to the possessive and be a name.
            let Some(owner) = p.checked_sub(1) else {
                break;
            };
            if tokens[owner].end != tokens[p].start || !starts_upper(tok(text, tokens, owner)) {
                break;
            }
            first = owner;
            count += 2;
            continue;
        }
        if !is_modifier(word) {
            break;
        }
        first = p;
        count += 1;
    }
    phrase(text, tokens, first, head)
}

/// The apposition right after a mention.
fn role_after(text: &str, tokens: &[Token], span: Span) -> Option<String> {
    let last = last_token(tokens, span)?;
    let comma = last + 1;
    if tok(text, tokens, comma) != "," || line_break(text, tokens, last) {
        return None;
    }
    let mut start = comma + 1;
    if line_break(text, tokens, comma) {
        return None;
    }
    if matches!(
        tok(text, tokens, start).to_lowercase().as_str(),
        "a" | "an" | "the"
    ) {
        if line_break(text, tokens, start) {
            return None;
        }
        start += 1;
    }
    let mut end = start;
    while end < tokens.len() {
        let word = tok(text, tokens, end);
        if matches!(
            word,
            "," | "." | ";" | ":" | "!" | "?" | ")" | "—" | "–" | "-" | "--"
        ) {
            break;
        }
        let lower = word.to_lowercase();
        // A participle or relative clause after the head ends the
        // apposition: "a University of Michigan professor specializing in".
        let clause = end > start
            && (lower.ends_with("ing") && lower.len() > 5
                || matches!(lower.as_str(), "who" | "which" | "whose"))
            && is_head(tok(text, tokens, end - 1));
        if clause {
            break;
        }
        if VERBS.contains(&lower.as_str()) {
            return None;
        }
        end += 1;
        if end - start > MAX_ROLE_TOKENS {
            return None;
        }
        if line_break(text, tokens, end - 1) {
            break;
        }
    }
    if end == start {
        return None;
    }
    // The first head must come after modifiers only.
    let mut has_head = false;
    for k in start..end {
        let word = tok(text, tokens, k);
        if is_head(word) {
            has_head = true;
            break;
        }
        let connector = CONNECTORS.contains(&word.to_lowercase().as_str())
            && k > start
            && starts_upper(tok(text, tokens, k + 1));
        if !(is_modifier(word) || is_possessive(word) || connector) {
            break;
        }
    }
    if !has_head {
        return None;
    }
    phrase(text, tokens, start, end - 1)
}

#[cfg(test)]
mod tests {
    use super::super::merge::merge;
    use super::super::tokens::tokenize;
    use super::super::types::Mention;
    use super::*;

    /// Roles of the entities for the `(needle, nth)` PERSON mentions of
    /// `text`, one entity per needle group as merged.
    fn run(text: &str, specs: &[(&str, usize)]) -> Vec<Entity> {
        let (tokens, _) = tokenize(text);
        let mentions: Vec<Mention> = specs
            .iter()
            .map(|&(needle, nth)| {
                let start = text
                    .match_indices(needle)
                    .nth(nth)
                    .map(|(i, _)| i)
                    .unwrap_or_else(|| panic!("{needle:?} not in text"));
                let span = Span::new(start, start + needle.len());
                Mention {
                    span,
                    kind: EntityType::Person,
                    first_token: tokens.partition_point(|t| t.end <= span.start),
                    end_token: tokens.partition_point(|t| t.start < span.end),
                }
            })
            .collect();
        let mut entities = merge(text, &tokens, &mentions);
        roles(text, &tokens, &mut entities);
        entities
    }

    fn roles_of(text: &str, needle: &str) -> Vec<String> {
        run(text, &[(needle, 0)]).remove(0).roles
    }

    #[test]
    fn title_phrases_before_a_name() {
        assert_eq!(
            roles_of(
                "Kremlin spokesman Dmitry Peskov said on Monday.",
                "Dmitry Peskov"
            ),
            ["Kremlin spokesman"]
        );
        assert_eq!(
            roles_of(
                "On Friday, Belarusian President Alexander Lukashenko spoke.",
                "Alexander Lukashenko"
            ),
            ["Belarusian President"]
        );
        assert_eq!(
            roles_of(
                "The talks were led by Russian Foreign Minister Sergei Lavrov.",
                "Sergei Lavrov"
            ),
            ["Russian Foreign Minister"]
        );
        assert_eq!(
            roles_of(
                "He met Vladimir Putin's spokesman Dmitry Peskov.",
                "Dmitry Peskov"
            ),
            ["Vladimir Putin's spokesman"]
        );
    }

    #[test]
    fn title_phrase_with_a_comma() {
        assert_eq!(
            roles_of(
                "Ukraine's top general, Valery Zaluzhniy, said the front held.",
                "Valery Zaluzhniy"
            ),
            ["Ukraine's top general"]
        );
    }

    #[test]
    fn appositions_after_a_name() {
        assert_eq!(
            roles_of(
                "Javed Ali, a University of Michigan professor, said it was unclear.",
                "Javed Ali"
            ),
            ["University of Michigan professor"]
        );
        assert_eq!(
            roles_of("Peskov, the Kremlin spokesman, declined.", "Peskov"),
            ["Kremlin spokesman"]
        );
        assert_eq!(
            roles_of("He quoted Peskov, spokesman for the Kremlin.", "Peskov"),
            ["spokesman for the Kremlin"]
        );
    }

    #[test]
    fn no_role_without_a_head_noun_or_with_a_verb() {
        for (text, needle) in [
            ("Peskov, who is the Kremlin spokesman, declined.", "Peskov"),
            ("Biden, Macron and Scholz met.", "Biden"),
            ("Smith, a friend of the president, spoke.", "Smith"),
            ("The president said Smith would go.", "Smith"),
            ("Officials met Smith.", "Smith"),
            ("Smith", "Smith"),
            ("general\nSmith left.", "Smith"),
        ] {
            assert!(roles_of(text, needle).is_empty(), "{text:?}");
        }
    }

    #[test]
    fn roles_from_all_mentions_deduplicated() {
        let text = "Kremlin spokesman Dmitry Peskov said no. Peskov, the Kremlin spokesman, \
                    added more. Peskov, a former journalist, left.";
        let es = run(text, &[("Dmitry Peskov", 0), ("Peskov", 1), ("Peskov", 2)]);
        assert_eq!(es.len(), 1);
        assert_eq!(es[0].roles, ["Kremlin spokesman", "former journalist"]);
    }

    #[test]
    fn stripped_title_is_a_role() {
        let es = run(
            "U.S. President Joe Biden spoke.",
            &[("President Joe Biden", 0)],
        );
        assert_eq!(es[0].name, "Joe Biden");
        assert_eq!(es[0].roles, ["U.S. President"]);
    }

    #[test]
    fn many_roles_of_one_person_cost_linear_work() {
        // One person with a different role at every mention: the role
        // list grows with the text, and its deduplication must not square
        // the work.
        let roles_and_steps = |n: usize| {
            let text: String = (0..n)
                .map(|i| {
                    let place: String = format!("{i:x}")
                        .chars()
                        .map(|c| char::from(b'a' + c.to_digit(16).unwrap_or(0) as u8))
                        .collect();
                    format!("V{place} spokesman Peskov spoke. ")
                })
                .collect();
            let (tokens, _) = tokenize(&text);
            let mentions: Vec<Mention> = text
                .match_indices("Peskov")
                .map(|(start, _)| {
                    let span = Span::new(start, start + "Peskov".len());
                    Mention {
                        span,
                        kind: EntityType::Person,
                        first_token: tokens.partition_point(|t| t.end <= span.start),
                        end_token: tokens.partition_point(|t| t.start < span.end),
                    }
                })
                .collect();
            let mut entities = merge(&text, &tokens, &mentions);
            let budget = crate::pipeline::Budget::unlimited();
            let mut meter = budget.meter();
            roles_metered(&text, &tokens, &mut entities, &mut meter);
            (entities[0].roles.len(), meter.steps())
        };
        let (roles_small, small) = roles_and_steps(200);
        let (roles_large, large) = roles_and_steps(1600);
        assert_eq!((roles_small, roles_large), (200, 1600));
        assert!(
            large as f64 <= small as f64 * 8.0 * 1.25,
            "{small} steps for n, {large} for 8n"
        );
    }

    #[test]
    fn non_persons_and_bad_spans_are_left_alone() {
        let text = "Kremlin spokesman Peskov";
        let (tokens, _) = tokenize(text);
        let mut entities = vec![Entity {
            id: String::new(),
            kind: EntityType::Location,
            name: "Peskov".into(),
            aliases: vec![],
            mentions: vec![Span::new(18, 24)],
            roles: vec![],
            salience: 0.0,
            place: None,
        }];
        roles(text, &tokens, &mut entities);
        assert!(entities[0].roles.is_empty());
        entities[0].kind = EntityType::Person;
        entities[0].mentions = vec![Span::new(18, 24), Span::new(500, 600), Span::new(0, 0)];
        roles(text, &tokens, &mut entities);
        assert_eq!(entities[0].roles, ["Kremlin spokesman"]);
        roles("", &[], &mut entities);
    }
}
