//! A government named by its building or its capital: "the Kremlin said",
//! "Downing Street denied", "Kremlin spokesman Dmitry Peskov", "Washington
//! warned". News conventions (ACE, OntoNotes) type such a speaking
//! government as an organisation; CoNLL-2003, which the tagger is trained
//! and scored on, annotates it as a place (in `eng.train` "Kremlin" is
//! I-LOC 11 times of 11, "White House" 12 times of 13). So this is a rule
//! on the stage's output only, after merging and place linking: the
//! tagger, and `newsenrich eval ner` which scores it, never see it.
//!
//! This module owns that rule ([`retype_speaking_governments`]):
//!
//! - a LOCATION entity whose canonical name is a seat of government (the
//!   curated `seats_of_government` list, `data/gazetteers/
//!   seats_of_government.txt`: the Kremlin, the White House, Downing
//!   Street, the Élysée, Zhongnanhai, ...; with or without "the") becomes
//!   an ORGANIZATION when at least one of its mentions speaks or acts as a
//!   government; a building that only stands ("tourists queued outside
//!   the Kremlin") stays a LOCATION;
//! - a LOCATION entity that is a national capital (a GeoNames `PPLC` row
//!   of the place table: the resolved place, or a candidate of an
//!   unresolved name such as "Washington") becomes an ORGANIZATION only
//!   when every one of its mentions speaks as a government: one mention
//!   as a place ("he flew to Washington") keeps it a LOCATION with its
//!   GeoNames place.
//!
//! A mention speaks ([`speaks`]) when it is the subject of a speech or act
//! verb right after it ("said", "denied", "warned", ...; with at most two
//! auxiliaries or adverbs between: "has said", "also denied",
//! "immediately rejected"), when a spokesman title follows it, directly or
//! after a possessive ("Kremlin spokesman", "the White House press
//! secretary", "Downing Street's officials"), or when it follows
//! "according to"; never after a preposition of place ("officials in
//! Washington said", "officials at the Kremlin said": the speakers are in
//! the place). A retyped entity loses its `place` and takes the id of
//! its new type ([`merge::entity_id`]: type and canonical name, stable
//! across articles); an organisation of the same id already in the
//! article takes its mentions. The work is one pass over the mentions
//! with hash-set look-ups (and a binary search of the tokens per mention).

use std::sync::LazyLock;

use rustc_hash::{FxHashMap, FxHashSet};

use super::merge;
use super::places::{self, PlaceTable};
use super::types::{Entity, EntityType, Token};
use crate::pipeline::Span;
use crate::pipeline::budget::Meter;

/// The curated list of seats of government (see the module documentation).
const SEATS: &str = include_str!("../../../data/gazetteers/seats_of_government.txt");

/// The seats' match keys ([`places::key`]: lower case, no leading "the").
fn seats() -> &'static FxHashSet<String> {
    static SET: LazyLock<FxHashSet<String>> = LazyLock::new(|| {
        SEATS
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(places::key)
            .collect()
    });
    &SET
}

/// Whether `name` is a seat of government ("the Kremlin", "WHITE HOUSE").
pub fn is_seat_of_government(name: &str) -> bool {
    seats().contains(&places::key(name))
}

/// Verbs whose subject speaks or acts as a government, lower case: past,
/// present and base forms ("Moscow will respond").
const SPEECH_VERBS: &[&str] = &[
    "said",
    "says",
    "say",
    "told",
    "tells",
    "tell",
    "warned",
    "warns",
    "warn",
    "announced",
    "announces",
    "announce",
    "denied",
    "denies",
    "deny",
    "insisted",
    "insists",
    "insist",
    "added",
    "adds",
    "stated",
    "states",
    "claimed",
    "claims",
    "confirmed",
    "confirms",
    "confirm",
    "rejected",
    "rejects",
    "reject",
    "accused",
    "accuses",
    "accuse",
    "called",
    "calls",
    "urged",
    "urges",
    "urge",
    "responded",
    "responds",
    "respond",
    "declined",
    "declines",
    "decline",
    "dismissed",
    "dismisses",
    "condemned",
    "condemns",
    "condemn",
    "welcomed",
    "welcomes",
    "welcome",
    "criticised",
    "criticized",
    "demanded",
    "demands",
    "demand",
    "threatened",
    "threatens",
    "vowed",
    "vows",
    "reiterated",
    "stressed",
    "stresses",
    "noted",
    "replied",
    "acknowledged",
    "refused",
    "refuses",
    "refuse",
    "signalled",
    "signaled",
    "insisting",
    "saying",
    "declared",
    "declares",
    "protested",
    "objected",
    "retorted",
    "commented",
    "explained",
    "suggested",
    "hinted",
    "admitted",
    "ordered",
    "approved",
    "announcing",
];

/// Words allowed between a subject and its verb: auxiliaries, modals and
/// common adverbs ("has said", "also denied", "would not comment"
/// excluded: no verb of the list follows).
const BETWEEN: &[&str] = &[
    "has",
    "have",
    "had",
    "was",
    "is",
    "will",
    "would",
    "could",
    "may",
    "might",
    "also",
    "again",
    "later",
    "earlier",
    "then",
    "already",
    "repeatedly",
    "previously",
    "swiftly",
    "quickly",
    "immediately",
    "promptly",
    "since",
    "itself",
    "too",
];

/// Titles of people who speak for a government, one word, lower case.
const TITLES: &[&str] = &[
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "spokespeople",
    "spokespersons",
    "official",
    "officials",
    "aide",
    "aides",
    "adviser",
    "advisers",
    "advisor",
    "advisors",
];

/// Prepositions of place: a mention after one is no speaker.
const PREPOSITIONS: &[&str] = &[
    "in", "at", "from", "to", "into", "inside", "outside", "near", "around", "across", "toward",
    "towards", "between", "within", "via", "through", "over", "on",
];

/// Second words of two-word titles after "press" ("press secretary",
/// "press service", "press office").
const PRESS_TITLES: &[&str] = &["secretary", "service", "office", "officer", "spokesman"];

/// The look-up sets, built once.
struct Words {
    verbs: FxHashSet<&'static str>,
    between: FxHashSet<&'static str>,
    titles: FxHashSet<&'static str>,
}

fn words() -> &'static Words {
    static WORDS: LazyLock<Words> = LazyLock::new(|| Words {
        verbs: SPEECH_VERBS.iter().copied().collect(),
        between: BETWEEN.iter().copied().collect(),
        titles: TITLES.iter().copied().collect(),
    });
    &WORDS
}

/// Whether the mention at `span` speaks or acts as a government (see the
/// module documentation). `tokens` are the article's tokens, in text
/// order.
pub fn speaks(text: &str, tokens: &[Token], span: Span) -> bool {
    let w = words();
    let lower = |i: usize| tokens.get(i).map(|t| t.text(text).to_lowercase());
    // The first token after the mention, and the one of its first word.
    let after = tokens.partition_point(|t| t.start < span.end);
    let first = tokens.partition_point(|t| t.start < span.start);
    // "according to (the) X".
    let before = |k: usize| first.checked_sub(k).and_then(lower);
    let mut back = 1;
    if before(back).as_deref() == Some("the") {
        back += 1;
    }
    if before(back).as_deref() == Some("to") && before(back + 1).as_deref() == Some("according") {
        return true;
    }
    // A place after a preposition is where the speaker is ("officials in
    // Washington said"), not the speaker.
    if before(back).is_some_and(|p| PREPOSITIONS.contains(&p.as_str())) {
        return false;
    }
    let mut i = after;
    // A possessive before a title: "the Kremlin's spokesman".
    let possessive = matches!(
        lower(i).as_deref(),
        Some("'s" | "\u{2019}s" | "'" | "\u{2019}")
    );
    if possessive {
        i += 1;
    }
    match lower(i).as_deref() {
        Some(t) if w.titles.contains(t) => return true,
        Some("press") => {
            return lower(i + 1).is_some_and(|t| PRESS_TITLES.contains(&t.as_str()));
        }
        _ if possessive => return false,
        _ => {}
    }
    // A verb, after at most two auxiliaries or adverbs.
    for _ in 0..3 {
        let Some(word) = lower(i) else {
            return false;
        };
        if w.verbs.contains(word.as_str()) {
            return true;
        }
        let adverb =
            word.len() >= 5 && word.ends_with("ly") && word.chars().all(char::is_alphabetic);
        if !(w.between.contains(word.as_str()) || adverb) {
            return false;
        }
        i += 1;
    }
    false
}

/// Whether the LOCATION `e` is a national capital: its resolved place, or
/// (unresolved) one of the places its name may be, is a GeoNames `PPLC`.
fn is_capital(table: &PlaceTable, e: &Entity) -> bool {
    match &e.place {
        Some(p) => table.row(p.geonames_id).is_some_and(|r| r.code == "PPLC"),
        None => table.candidates(&e.name).iter().any(|r| r.code == "PPLC"),
    }
}

/// Retypes as ORGANIZATION every LOCATION entity that is a seat of
/// government with a speaking mention, or a national capital all of whose
/// mentions speak (see the module documentation). Run after merging and
/// place linking, before roles and salience. Ticks `meter` once per
/// mention; stops (leaving the rest as they are) when it says so.
pub fn retype_speaking_governments(
    table: &PlaceTable,
    text: &str,
    tokens: &[Token],
    entities: &mut Vec<Entity>,
    meter: &mut Meter<'_>,
) {
    let mut retyped = Vec::new();
    for (n, e) in entities.iter().enumerate() {
        if meter.is_stopped() {
            return;
        }
        if e.kind != EntityType::Location {
            continue;
        }
        let turn = if is_seat_of_government(&e.name) {
            e.mentions
                .iter()
                .any(|&m| !meter.tick() && speaks(text, tokens, m))
        } else {
            !e.mentions.is_empty()
                && e.mentions
                    .iter()
                    .all(|&m| !meter.tick() && speaks(text, tokens, m))
                && is_capital(table, e)
        };
        if turn && !meter.is_stopped() {
            retyped.push(n);
        }
    }
    if retyped.is_empty() {
        return;
    }
    for &n in &retyped {
        let e = &mut entities[n];
        e.kind = EntityType::Organization;
        e.place = None;
        e.id = merge::entity_id(EntityType::Organization, &e.name);
    }
    // An organisation of the same id already in the article ("Kremlin"
    // tagged ORG once) takes the retyped entity's mentions.
    let mut first: FxHashMap<String, usize> = FxHashMap::default();
    let mut gone = vec![false; entities.len()];
    for n in 0..entities.len() {
        if entities[n].kind != EntityType::Organization {
            continue;
        }
        match first.get(&entities[n].id) {
            None => {
                first.insert(entities[n].id.clone(), n);
            }
            Some(&keep) => {
                let e = std::mem::take(&mut entities[n].mentions);
                let aliases = std::mem::take(&mut entities[n].aliases);
                let roles = std::mem::take(&mut entities[n].roles);
                let k = &mut entities[keep];
                k.mentions.extend(e);
                k.mentions.sort_by_key(|s| (s.start, s.end));
                k.mentions.dedup();
                for a in aliases {
                    if a != k.name && !k.aliases.contains(&a) {
                        k.aliases.push(a);
                    }
                }
                for r in roles {
                    if !k.roles.contains(&r) {
                        k.roles.push(r);
                    }
                }
                gone[n] = true;
            }
        }
    }
    let mut n = 0;
    entities.retain(|_| {
        n += 1;
        !gone[n - 1]
    });
}

#[cfg(test)]
mod tests {
    use super::super::EntityStage;
    use super::super::tokens::tokenize;
    use super::*;
    use crate::pipeline::Budget;

    /// Runs the rule over hand-built entities of `text`.
    fn apply(text: &str, es: &mut Vec<Entity>) {
        let (tokens, _) = tokenize(text);
        let budget = Budget::unlimited();
        retype_speaking_governments(
            PlaceTable::embedded(),
            text,
            &tokens,
            es,
            &mut budget.meter(),
        );
    }

    /// The entity `name` of `text` after the rule, built by hand as one
    /// LOCATION entity of every occurrence of `name`.
    fn retyped(text: &str, name: &str) -> Entity {
        let mut es = vec![Entity::location_in(text, name)];
        apply(text, &mut es);
        es.remove(0)
    }

    #[test]
    fn seats_list_holds_the_usual_buildings() {
        for s in [
            "Kremlin",
            "the Kremlin",
            "White House",
            "the White House",
            "Downing Street",
            "Elysee",
            "Élysée",
            "Pentagon",
            "Zhongnanhai",
            "Blue House",
            "Quai d'Orsay",
            "Quai d’Orsay",
            "Whitehall",
            "Foggy Bottom",
            "Bankova",
            "Capitol Hill",
        ] {
            assert!(is_seat_of_government(s), "{s}");
        }
        assert!(!is_seat_of_government("Moscow"));
        assert!(!is_seat_of_government("House"));
    }

    #[test]
    fn the_kremlin_said_is_an_organisation() {
        let text = "The Kremlin said on Monday that the talks would go ahead. Tourists \
                    queued outside the Kremlin.";
        let e = retyped(text, "Kremlin");
        assert_eq!(e.kind, EntityType::Organization);
        assert_eq!(e.id, merge::entity_id(EntityType::Organization, "Kremlin"));
        assert_eq!(e.mentions.len(), 2);
        assert!(e.place.is_none());
    }

    #[test]
    fn spokesmen_possessives_and_auxiliaries_speak() {
        for text in [
            "Kremlin spokesman Dmitry Peskov declined to comment.",
            "The White House press secretary took questions.",
            "Downing Street's spokeswoman denied the report.",
            "The Kremlin has denied the report.",
            "The Kremlin immediately rejected the accusations through its spokesman.",
            "The Pentagon also said it had no plans.",
            "Nothing was decided, according to the Kremlin.",
        ] {
            let (tokens, _) = tokenize(text);
            let name = ["Kremlin", "White House", "Downing Street", "Pentagon"]
                .into_iter()
                .find(|n| text.contains(n))
                .unwrap();
            let at = text.find(name).unwrap();
            assert!(
                speaks(text, &tokens, Span::new(at, at + name.len())),
                "{text}"
            );
        }
    }

    #[test]
    fn a_building_that_only_stands_stays_a_location() {
        for text in [
            "Tourists queued outside the Kremlin on Sunday.",
            "Officials at the Kremlin said the walls would be repaired.",
            "The talks were held inside the Kremlin.",
            "He was received at the White House, where he met aides.",
            "The Kremlin walls were lit up.",
            "The Kremlin's walls were lit up.",
        ] {
            let name = if text.contains("Kremlin") {
                "Kremlin"
            } else {
                "White House"
            };
            assert_eq!(retyped(text, name).kind, EntityType::Location, "{text}");
        }
    }

    #[test]
    fn a_capital_speaking_everywhere_is_an_organisation() {
        let text = "Washington said it would impose new sanctions. Washington has warned \
                    Minsk before.";
        let e = retyped(text, "Washington");
        assert_eq!(e.kind, EntityType::Organization);
        assert_eq!(
            e.id,
            merge::entity_id(EntityType::Organization, "Washington")
        );
        let text = "Beijing warned of consequences.";
        assert_eq!(retyped(text, "Beijing").kind, EntityType::Organization);
    }

    #[test]
    fn a_capital_that_is_also_a_place_stays_a_location() {
        let text = "Washington said it would impose new sanctions. He flew to Washington \
                    on Tuesday.";
        assert_eq!(retyped(text, "Washington").kind, EntityType::Location);
        // The speakers are in the place: "officials in Washington said".
        let text = "Officials in Washington said the talks would resume on Monday.";
        assert_eq!(retyped(text, "Washington").kind, EntityType::Location);
        // Not a capital: a city speaking is left alone.
        let text = "Chicago said it would appeal.";
        assert_eq!(retyped(text, "Chicago").kind, EntityType::Location);
    }

    #[test]
    fn a_retyped_seat_joins_an_organisation_of_its_name() {
        let text = "The Kremlin said no. The Kremlin denied it.";
        let mut org = Entity::location_in(text, "Kremlin");
        org.kind = EntityType::Organization;
        org.id = merge::entity_id(EntityType::Organization, "Kremlin");
        let second = org.mentions.split_off(1);
        let mut loc = Entity::location_in(text, "Kremlin");
        loc.mentions = second;
        let mut es = vec![org, loc];
        apply(text, &mut es);
        assert_eq!(es.len(), 1);
        assert_eq!(es[0].mentions.len(), 2);
    }

    #[test]
    fn the_stage_types_a_speaking_kremlin_as_an_organisation() {
        let stage = EntityStage::load().expect("the model is embedded");
        let text = "The Kremlin said on Monday that Russia would not attend the talks. \
                    Kremlin spokesman Dmitry Peskov told reporters the decision was final.";
        let es = stage.recognize(text);
        let k = es
            .iter()
            .find(|e| e.name.ends_with("Kremlin"))
            .unwrap_or_else(|| panic!("no Kremlin in {es:#?}"));
        assert_eq!(k.kind, EntityType::Organization, "{k:?}");
        assert!(k.id.starts_with("org:"), "{k:?}");
        assert!(k.place.is_none());
        let text = "Tourists queued outside the Kremlin on Sunday, and crowds gathered \
                    in Red Square.";
        let es = stage.recognize(text);
        if let Some(k) = es.iter().find(|e| e.name.ends_with("Kremlin")) {
            assert_eq!(k.kind, EntityType::Location, "{k:?}");
        }
    }

    #[test]
    fn the_stage_keeps_a_capital_that_is_a_place() {
        let stage = EntityStage::load().expect("the model is embedded");
        let text = "Washington said it would impose new sanctions on Minsk. The foreign \
                    minister flew to Washington on Tuesday.";
        let es = stage.recognize(text);
        if let Some(w) = es.iter().find(|e| e.name == "Washington") {
            assert_eq!(w.kind, EntityType::Location, "{w:?}");
        }
    }

    #[test]
    fn odd_text_does_not_panic() {
        for text in [
            "",
            "’",
            "Kremlin",
            "the Kremlin ’s",
            "Kremlin\u{0301} said",
            "é said",
        ] {
            let (tokens, _) = tokenize(text);
            for start in 0..=text.len() {
                for end in start..=text.len() {
                    if text.is_char_boundary(start) && text.is_char_boundary(end) {
                        speaks(text, &tokens, Span::new(start, end));
                    }
                }
            }
            if let Some(name) = ["Kremlin", "é"].into_iter().find(|n| text.contains(n)) {
                retyped(text, name);
            }
        }
    }
}
