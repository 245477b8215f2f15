//! Name particles: the lower-case words inside names ("Osama bin Laden",
//! "Vincent van Gogh", "Ursula von der Leyen", "Abu Bakr al-Baghdadi").
//! The tagger, which leans on capitals, often stops at the particle and
//! starts again after it, so one name became two or three mentions
//! (PERSON "Osama", PERSON "Laden", and a sentence-initial "Bin Laden" as
//! a LOCATION). Three rules on the tagged mentions:
//!
//! 1. two mentions separated only by particles, one a PERSON and the other
//!    a PERSON or MISC, are one PERSON: "Osama" + "bin" + "Laden";
//! 2. a PERSON mention extends over particles before it ("bin Laden": a
//!    surname with its particle), and then over a capitalised word before
//!    those that no mention holds and that is not an everyday word
//!    ("Osama"); and over particles after it followed by such a word;
//! 3. a mention whose text, in any case, is the particle-and-surname tail
//!    of a PERSON mention ("Bin Laden" of "Osama bin Laden") is a PERSON.
//!
//! Merging then treats "bin Laden" as the surname of "Osama bin Laden"
//! (see [`super::merge`]). A word joined to a particle by a hyphen
//! ("al-Baghdadi") is a name word, not a lower-case tail
//! ([`is_particle_name`]).

use rustc_hash::FxHashSet;

use super::types::{EntityType, Mention, Token};
use crate::pipeline::Span;

/// Particles that sit inside personal names, lower case.
pub const PARTICLES: &[&str] = &[
    "bin", "ibn", "al", "el", "abu", "van", "von", "de", "da", "der", "la", "di", "du", "dos",
    "ter",
];

/// Most particles between two name words ("von der").
const MAX_PARTICLES: usize = 2;

/// Whether `word` is a lower-case name particle.
pub fn is_particle(word: &str) -> bool {
    PARTICLES.contains(&word)
}

/// Whether `word` is a name word that starts with a particle and a hyphen
/// and goes on with a capital: "al-Baghdadi", "el-Sisi", "bin-Salman".
pub fn is_particle_name(word: &str) -> bool {
    word.split_once('-').is_some_and(|(particle, rest)| {
        is_particle(&particle.to_lowercase()) && rest.chars().next().is_some_and(char::is_uppercase)
    })
}

fn capitalised(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_uppercase) || is_particle_name(word)
}

/// Applies the three rules of the module documentation to `mentions` (in
/// text order, not overlapping). `is_everyday` tells an everyday word (a
/// capitalised sentence start such as "Then") from a name word.
pub fn join_particles(
    text: &str,
    tokens: &[Token],
    mentions: &mut Vec<Mention>,
    is_everyday: &dyn Fn(&str) -> bool,
) {
    join_across_particles(text, tokens, mentions);
    let mut held = vec![false; tokens.len()];
    for m in mentions.iter() {
        for h in held.iter_mut().take(m.end_token).skip(m.first_token) {
            *h = true;
        }
    }
    let word = |i: usize| tokens[i].text(text);
    let free_name = |i: usize, held: &[bool]| {
        !held[i] && capitalised(word(i)) && !is_everyday(&word(i).to_lowercase())
    };
    for m in mentions.iter_mut().filter(|m| m.kind == EntityType::Person) {
        // Particles before, then a free name word before those.
        let mut first = m.first_token;
        while first > 0 && m.first_token - first < MAX_PARTICLES && is_particle(word(first - 1)) {
            first -= 1;
        }
        if first < m.first_token && first > 0 && free_name(first - 1, &held) {
            first -= 1;
        }
        // Particles after, when a free name word follows them.
        let mut end = m.end_token;
        let mut k = end;
        while k < tokens.len() && k - end < MAX_PARTICLES && is_particle(word(k)) {
            k += 1;
        }
        if k > end && k < tokens.len() && free_name(k, &held) {
            end = k + 1;
        }
        let same_line = !text[tokens[first].start..tokens[end - 1].end].contains('\n');
        if same_line && (first, end) != (m.first_token, m.end_token) {
            for h in held.iter_mut().take(end).skip(first) {
                *h = true;
            }
            *m = Mention {
                span: Span::new(tokens[first].start, tokens[end - 1].end),
                kind: EntityType::Person,
                first_token: first,
                end_token: end,
            };
        }
    }
    particle_surnames_are_people(text, tokens, mentions);
}

/// Whether mentions of these types can be one name across a particle: a
/// PERSON and a PERSON or MISC ("Osama" + "bin" + "Laden"), never a place
/// or an organisation ("Alberto Fernandez de Madrid" names the city).
fn joinable(a: EntityType, b: EntityType) -> bool {
    use EntityType::*;
    matches!((a, b), (Person, Person) | (Person, Misc) | (Misc, Person))
}

/// Rule 1: a mention, particles, a mention, one of the two a PERSON and
/// the other a PERSON or MISC.
fn join_across_particles(text: &str, tokens: &[Token], mentions: &mut Vec<Mention>) {
    let mut out: Vec<Mention> = Vec::with_capacity(mentions.len());
    for &m in mentions.iter() {
        if let Some(last) = out.last_mut() {
            let between = last.end_token..m.first_token;
            let joins = (1..=MAX_PARTICLES).contains(&between.len())
                && m.first_token <= tokens.len()
                && between.clone().all(|i| is_particle(tokens[i].text(text)))
                && joinable(last.kind, m.kind)
                && !text[last.span.end..m.span.start].contains('\n');
            if joins {
                last.span = Span::new(last.span.start, m.span.end);
                last.end_token = m.end_token;
                last.kind = EntityType::Person;
                continue;
            }
        }
        out.push(m);
    }
    *mentions = out;
}

/// Rule 3: a mention that reads as the particle-and-surname tail of a
/// PERSON mention, in any case, is a PERSON.
fn particle_surnames_are_people(text: &str, tokens: &[Token], mentions: &mut [Mention]) {
    let mut tails: FxHashSet<String> = FxHashSet::default();
    for m in mentions.iter().filter(|m| m.kind == EntityType::Person) {
        if let Some(p) =
            (m.first_token + 1..m.end_token).find(|&i| is_particle(tokens[i].text(text)))
        {
            tails.insert(text[tokens[p].start..m.span.end].to_lowercase());
        }
    }
    if tails.is_empty() {
        return;
    }
    for m in mentions.iter_mut() {
        if m.kind != EntityType::Person && tails.contains(&text[m.span.range()].to_lowercase()) {
            m.kind = EntityType::Person;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::entities::merge::tests::mention;
    use crate::pipeline::entities::tokens::tokenize;

    fn run(text: &str, specs: &[(&str, EntityType)]) -> Vec<(String, EntityType)> {
        let (tokens, _) = tokenize(text);
        let mut mentions: Vec<Mention> = specs
            .iter()
            .map(|&(name, kind)| mention(text, &tokens, name, 0, kind))
            .collect();
        join_particles(text, &tokens, &mut mentions, &|w| w == "then");
        mentions
            .iter()
            .map(|m| (text[m.span.range()].to_string(), m.kind))
            .collect()
    }

    #[test]
    fn a_name_split_at_its_particle_is_one_person() {
        use EntityType::*;
        let text = "Osama bin Laden was killed in 2011. Bin Laden had hidden in Abbottabad.";
        let got = run(
            text,
            &[
                ("Osama", Person),
                ("Laden", Person),
                ("Bin Laden", Location),
                ("Abbottabad", Location),
            ],
        );
        let want = [
            ("Osama bin Laden", Person),
            ("Bin Laden", Person),
            ("Abbottabad", Location),
        ];
        assert_eq!(got, want.map(|(n, k)| (n.to_string(), k)));
    }

    #[test]
    fn particles_and_an_untagged_name_word_join_a_person() {
        use EntityType::*;
        let text = "Then bin Laden spoke. Ursula von der Leyen and Vincent van Gogh.";
        let got = run(
            text,
            &[("Laden", Person), ("Ursula", Person), ("Vincent", Person)],
        );
        let names: Vec<&str> = got.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            ["bin Laden", "Ursula von der Leyen", "Vincent van Gogh"]
        );
    }

    #[test]
    fn a_surname_with_its_particle_merges_with_the_full_name() {
        use crate::pipeline::entities::merge::tests::run;
        use EntityType::Person;
        let text = "Osama bin Laden hid. Bin Laden left. Laden was found.";
        let es = run(
            text,
            &[
                ("Osama bin Laden", 0, Person),
                ("Bin Laden", 0, Person),
                ("Laden", 2, Person),
            ],
        );
        assert_eq!(es.len(), 1, "{es:?}");
        assert_eq!(es[0].name, "Osama bin Laden");
        assert_eq!(es[0].mentions.len(), 3);
    }

    #[test]
    fn particles_without_a_person_join_nothing() {
        use EntityType::*;
        let text = "Banco de Portugal and Rio de Janeiro.";
        let got = run(text, &[("Banco", Organization), ("Portugal", Location)]);
        assert_eq!(got.len(), 2);
        let text = "Alberto Fernandez de Madrid spoke.";
        let got = run(text, &[("Alberto Fernandez", Person), ("Madrid", Location)]);
        assert_eq!(got.len(), 2);
        assert!(is_particle_name("al-Baghdadi"));
        assert!(!is_particle_name("al-"));
        assert!(!is_particle_name("all-time"));
    }
}
