//! Salience of the entities of one article: how central each is, in 0..=1,
//! from how often it is mentioned, how early it first appears and (for a
//! PERSON) whether the article gives it a role.
//!
//! For an entity with `n` mentions (distinct spans), in an article whose
//! most-mentioned entity has `n_max`, and whose first mention starts at byte
//! `s` of a text of `len` bytes:
//!
//! - frequency `f = ln(1 + n) / ln(1 + n_max)`, in 0..=1 (0 when no entity
//!   has a mention);
//! - position `x = s / len` (0 when `len` is 0, at most 1), and
//!   `p = 1` when `x <= 0.2` (the first fifth of the text), else
//!   `p = (1 - x) / 0.8`, falling linearly to 0 at the end; `p = 0` for an
//!   entity without mentions;
//! - role `r = 1` for a PERSON with at least one role, else 0;
//! - `base = 0.65 f + 0.35 p`, in 0..=1;
//! - `salience = base + 0.1 r (1 - base)`: a role closes a tenth of the gap
//!   to 1.
//!
//! A MISC entity whose every form is a nationality or language word
//! ("Belarusian", "Ukrainians", "Arabic": the `demonyms` gazetteer) keeps
//! only [`DESCRIPTIVE`] of that value: it describes the article's actors
//! rather than being one, however often the article repeats it.
//!
//! So the salience is within 0..=1, an entity that is the most mentioned and
//! first mentioned in the first fifth has `base = 1` and the highest value
//! (1.0), and with the other inputs equal more mentions, an earlier first
//! mention or a role never lower it. The computation is deterministic (no
//! state, no iteration-order dependence).

use super::gazetteer::Gazetteers;
use super::types::{Entity, EntityType};
use crate::pipeline::budget::Meter;

/// Weight of the frequency term.
const W_FREQUENCY: f64 = 0.65;
/// Weight of the position term.
const W_POSITION: f64 = 0.35;
/// Share of the remaining gap to 1 that a role closes.
const W_ROLE: f64 = 0.1;
/// Fraction of the text within which a first mention counts as fully early.
const EARLY: f64 = 0.2;
/// Share of its salience a nationality or language adjective keeps.
pub const DESCRIPTIVE: f32 = 0.25;

/// Sets the `salience` of every entity; `text_len` is the length in bytes of
/// the text the mention spans index.
pub fn salience(text_len: usize, entities: &mut [Entity]) {
    let budget = crate::pipeline::Budget::unlimited();
    salience_metered(text_len, entities, &mut budget.meter());
}

/// [`salience`], one meter step per mention. Every entity gets its
/// salience even when the meter has stopped: it is part of a consistent
/// record and costs one pass over the mentions.
pub fn salience_metered(text_len: usize, entities: &mut [Entity], meter: &mut Meter<'_>) {
    let n_max = entities.iter().map(mention_count).max().unwrap_or(0);
    for entity in entities.iter_mut() {
        meter.add(2 * entity.mentions.len() as u64 + 1);
        entity.salience = score(text_len, n_max, entity);
    }
}

/// Lowers the salience of MISC entities whose name and aliases are all
/// nationality or language words (see the module documentation). One
/// gazetteer lookup per form.
pub fn lower_descriptive(entities: &mut [Entity], gazetteers: &Gazetteers, meter: &mut Meter<'_>) {
    let Some(index) = gazetteers.names().iter().position(|n| n == "demonyms") else {
        return;
    };
    let demonym = 1u32 << index;
    for entity in entities.iter_mut().filter(|e| e.kind == EntityType::Misc) {
        meter.add(entity.aliases.len() as u64 + 1);
        let descriptive = std::iter::once(&entity.name)
            .chain(&entity.aliases)
            .all(|form| gazetteers.lists_of(form) & demonym != 0);
        if descriptive {
            entity.salience *= DESCRIPTIVE;
        }
    }
}

/// Mentions of an entity, counting each distinct span once.
fn mention_count(entity: &Entity) -> usize {
    let mut spans = entity.mentions.clone();
    spans.sort();
    spans.dedup();
    spans.len()
}

fn score(text_len: usize, n_max: usize, entity: &Entity) -> f32 {
    let n = mention_count(entity);
    let frequency = if n_max == 0 {
        0.0
    } else {
        (n as f64).ln_1p() / (n_max as f64).ln_1p()
    };
    let position = match entity.mentions.iter().map(|s| s.start).min() {
        None => 0.0,
        Some(start) => {
            let x = if text_len == 0 {
                0.0
            } else {
                (start as f64 / text_len as f64).min(1.0)
            };
            if x <= EARLY {
                1.0
            } else {
                (1.0 - x) / (1.0 - EARLY)
            }
        }
    };
    let role = if entity.kind == EntityType::Person && !entity.roles.is_empty() {
        1.0
    } else {
        0.0
    };
    let base = (W_FREQUENCY * frequency.clamp(0.0, 1.0) + W_POSITION * position.clamp(0.0, 1.0))
        .clamp(0.0, 1.0);
    let value = base + W_ROLE * role * (1.0 - base);
    (value as f32).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::Span;

    fn entity(kind: EntityType, starts: &[usize], roles: &[&str]) -> Entity {
        Entity {
            id: String::new(),
            kind,
            name: String::new(),
            aliases: vec![],
            mentions: starts.iter().map(|&s| Span::new(s, s + 3)).collect(),
            roles: roles.iter().map(|r| r.to_string()).collect(),
            salience: -1.0,
            place: None,
        }
    }

    #[test]
    fn nationality_adjectives_are_not_the_most_salient() {
        // "Belarusian" as often and as early as Putin (the page).
        let named = |kind, name: &str, aliases: &[&str]| Entity {
            name: name.into(),
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
            ..entity(kind, &[10, 200, 400, 600], &[])
        };
        let mut es = vec![
            named(EntityType::Person, "Vladimir Putin", &["Putin"]),
            named(EntityType::Misc, "Belarusian", &["Belarusians"]),
            named(EntityType::Misc, "Eurovision", &[]),
            named(EntityType::Misc, "Russian", &["Kremlin"]),
        ];
        let budget = crate::pipeline::Budget::unlimited();
        salience(1000, &mut es);
        assert_eq!(es[0].salience, es[1].salience, "tied before");
        lower_descriptive(&mut es, Gazetteers::embedded(), &mut budget.meter());
        assert!((es[1].salience - es[0].salience * DESCRIPTIVE).abs() < 1e-6);
        assert_eq!(
            es[2].salience, es[0].salience,
            "a MISC name that is not a demonym keeps its salience"
        );
        assert_eq!(
            es[3].salience, es[0].salience,
            "one form that is not a demonym is enough to keep it"
        );
    }

    #[test]
    fn most_mentioned_early_entity_is_highest() {
        let mut es = vec![
            entity(EntityType::Organization, &[10, 300, 500, 700, 900], &[]),
            entity(
                EntityType::Person,
                &[20, 400, 800, 950],
                &["Kremlin spokesman"],
            ),
            entity(EntityType::Location, &[600], &[]),
            entity(EntityType::Misc, &[990, 995], &[]),
        ];
        salience(1000, &mut es);
        assert!((es[0].salience - 1.0).abs() < 1e-6);
        for e in &es[1..] {
            assert!(e.salience < es[0].salience, "{}", e.salience);
        }
        // Fewer mentions, later: lower.
        assert!(es[2].salience < es[1].salience);
        // The late entity with two mentions beats neither early one.
        assert!(es[3].salience < es[1].salience);
    }

    #[test]
    fn exact_values_follow_the_formula() {
        let mut es = vec![
            entity(EntityType::Location, &[0, 10, 20], &[]),
            entity(EntityType::Location, &[600], &[]),
            entity(EntityType::Person, &[600], &["mayor"]),
        ];
        salience(1000, &mut es);
        let f = (2f64).ln() / (4f64).ln();
        let p = (1.0 - 0.6) / 0.8;
        let base = 0.65 * f + 0.35 * p;
        assert!((f64::from(es[1].salience) - base).abs() < 1e-6);
        let boosted = base + 0.1 * (1.0 - base);
        assert!((f64::from(es[2].salience) - boosted).abs() < 1e-6);
    }

    #[test]
    fn earlier_and_more_frequent_rank_higher() {
        let mut es = vec![
            entity(EntityType::Location, &[900], &[]),
            entity(EntityType::Location, &[500], &[]),
            entity(EntityType::Location, &[100], &[]),
            entity(EntityType::Location, &[100, 200], &[]),
        ];
        salience(1000, &mut es);
        assert!(es[0].salience < es[1].salience);
        assert!(es[1].salience < es[2].salience);
        assert!(es[2].salience < es[3].salience);
        // A role counts only for people.
        let mut a = vec![entity(EntityType::Organization, &[100], &["chief"])];
        let mut b = vec![entity(EntityType::Organization, &[100], &[])];
        salience(1000, &mut a);
        salience(1000, &mut b);
        assert_eq!(a[0].salience, b[0].salience);
    }

    #[test]
    fn always_within_bounds_and_deterministic() {
        let cases: Vec<(usize, Vec<Entity>)> = vec![
            (0, vec![entity(EntityType::Person, &[5, 6], &["x"])]),
            (0, vec![]),
            (
                10,
                vec![
                    entity(EntityType::Person, &[], &["x"]),
                    entity(EntityType::Misc, &[], &[]),
                ],
            ),
            (10, vec![entity(EntityType::Misc, &[usize::MAX - 3], &[])]),
            (usize::MAX, vec![entity(EntityType::Misc, &[1, 1, 1], &[])]),
        ];
        for (len, es) in cases {
            let mut first = es.clone();
            let mut second = es;
            salience(len, &mut first);
            salience(len, &mut second);
            for (a, b) in first.iter().zip(&second) {
                assert!((0.0..=1.0).contains(&a.salience), "{}", a.salience);
                assert_eq!(a.salience.to_bits(), b.salience.to_bits());
            }
        }
    }
}
