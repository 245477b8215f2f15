//! Name variants of one person: a hypocoristic first name ("Pat" for
//! "Patrick", "Bill" for "William", "Mike" for "Michael") and a middle
//! initial present or absent ("Patrick W. Carlineo", "Pat Carlineo").
//! Two full PERSON names are variants when, with their one-letter middle
//! words dropped, they have the same surname (and middle names) and their
//! first names are equal or one is listed as a nickname of the other by
//! the `nicknames` table (`data/gazetteers/nicknames.txt`, from the
//! nicknames package's hand-curated table, built by
//! `scripts/build_gazetteers.py`). Names that differ only in middle
//! initials merge unless two different initials compete; nickname
//! variants merge when each group is the other's only candidate. The
//! surname alone ("Carlineo") then finds one group and joins it.
//!
//! Indexed: full names by (first name, rest); each name looks up its own
//! first name and its nicknames (at most [`MAX_NICKNAMES`]), so the pass
//! is linear in the names.

use std::sync::LazyLock;

use rustc_hash::FxHashMap;

use super::merge::{Groups, MAX_CANDIDATES, Norm};
use super::types::EntityType;
use crate::pipeline::budget::Meter;

/// Most nicknames (or full names) looked up for one first name.
pub const MAX_NICKNAMES: usize = 32;

/// Lower-case first name -> the names it is a nickname of and its
/// nicknames (both directions of the table).
fn nickname_table() -> &'static FxHashMap<String, Vec<String>> {
    static TABLE: LazyLock<FxHashMap<String, Vec<String>>> =
        LazyLock::new(|| parse_nicknames(include_str!("../../../data/gazetteers/nicknames.txt")));
    &TABLE
}

/// The table from its text: a line per name, the name then its nicknames.
fn parse_nicknames(contents: &str) -> FxHashMap<String, Vec<String>> {
    let mut table: FxHashMap<String, Vec<String>> = FxHashMap::default();
    for line in contents.lines().filter(|l| !l.starts_with('#')) {
        let mut words = line.split_whitespace().map(str::to_lowercase);
        let Some(name) = words.next() else {
            continue;
        };
        for nick in words {
            table.entry(name.clone()).or_default().push(nick.clone());
            table.entry(nick).or_default().push(name.clone());
        }
    }
    for v in table.values_mut() {
        v.sort_unstable();
        v.dedup();
    }
    table
}

/// The nicknames and full forms of a lower-case first name.
pub fn nickname_variants(first: &str) -> &'static [String] {
    nickname_table()
        .get(first)
        .map_or(&[], |v| &v[..v.len().min(MAX_NICKNAMES)])
}

/// A full name's key without its first name and without one-letter middle
/// words: "patrick w carlineo" -> "carlineo".
fn rest_without_initials(key: &str) -> Option<String> {
    let mut words = key.split(' ');
    words.next()?;
    let words: Vec<&str> = words.collect();
    let (last, middle) = words.split_last()?;
    let mut rest: Vec<&str> = middle
        .iter()
        .copied()
        .filter(|w| w.chars().count() > 1)
        .collect();
    rest.push(last);
    Some(rest.join(" "))
}

/// Merges full PERSON names that are nickname or middle-initial variants
/// of each other (see the module documentation). `full` holds one mention
/// per distinct full-name key. First the names that differ only in middle
/// initials merge, unless two different initials compete ("Patrick W."
/// and "Patrick J. Carlineo"); then two groups merge through a nickname
/// when each is the other's only candidate ("Pat Carlineo" is not merged
/// when both "Patrick" and "Patience Carlineo" are there).
pub(super) fn merge_variants(
    norms: &[Norm],
    full: &[usize],
    groups: &mut Groups,
    meter: &mut Meter<'_>,
) {
    let mut index: FxHashMap<(&str, String), Vec<usize>> = FxHashMap::default();
    let mut rests: Vec<Option<String>> = Vec::with_capacity(full.len());
    for &f in full {
        meter.tick();
        let rest =
            rest_without_initials(&norms[f].key).filter(|_| groups.kind(f) == EntityType::Person);
        if let Some(rest) = &rest {
            index
                .entry((norms[f].first(), rest.clone()))
                .or_default()
                .push(f);
        }
        rests.push(rest);
    }
    for bucket in index.values() {
        if meter.add(bucket.len() as u64) {
            return;
        }
        let words = |&f: &usize| norms[f].key.split(' ').count();
        let longer = bucket.iter().filter(|f| words(f) > 2).count();
        if bucket.len() <= MAX_CANDIDATES && longer <= 1 {
            for &f in &bucket[1..] {
                groups.union(bucket[0], f);
            }
        }
    }
    // The other groups each group could be through a nickname.
    let mut candidates: FxHashMap<usize, Vec<usize>> = FxHashMap::default();
    for (&a, rest) in full.iter().zip(&rests) {
        if meter.tick() {
            return;
        }
        let Some(rest) = rest else { continue };
        let own = groups.find(a);
        let first = norms[a].first();
        for name in nickname_variants(first) {
            let Some(bucket) = index.get(&(name.as_str(), rest.clone())) else {
                continue;
            };
            meter.add(bucket.len() as u64);
            let found = candidates.entry(own).or_default();
            for &b in bucket.iter().take(MAX_CANDIDATES + 1) {
                let r = groups.find(b);
                if r != own && !found.contains(&r) && found.len() <= MAX_CANDIDATES {
                    found.push(r);
                }
            }
        }
    }
    let only = |root: usize| match candidates.get(&root).map(Vec::as_slice) {
        Some(&[r]) => Some(r),
        _ => None,
    };
    let pairs: Vec<(usize, usize)> = candidates
        .keys()
        .filter_map(|&a| {
            only(a)
                .filter(|&b| a < b && only(b) == Some(a))
                .map(|b| (a, b))
        })
        .collect();
    for (a, b) in pairs {
        groups.union(a, b);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nicknames_go_both_ways() {
        assert!(nickname_variants("pat").iter().any(|n| n == "patrick"));
        assert!(nickname_variants("patrick").iter().any(|n| n == "pat"));
        assert!(nickname_variants("bill").iter().any(|n| n == "william"));
        assert!(nickname_variants("mike").iter().any(|n| n == "michael"));
        assert!(nickname_variants("bob").iter().any(|n| n == "robert"));
        assert!(nickname_variants("qwzx").is_empty());
    }

    #[test]
    fn nickname_and_middle_initial_variants_are_one_person() {
        use crate::pipeline::entities::merge::tests::run;
        use EntityType::Person;
        let text = "Patrick W. Carlineo was charged. Pat Carlineo, 52, denied it. \
                    Carlineo said he would fight. Bill Smith met William Smith.";
        let es = run(
            text,
            &[
                ("Patrick W. Carlineo", 0, Person),
                ("Pat Carlineo", 0, Person),
                ("Carlineo", 2, Person),
                ("Bill Smith", 0, Person),
                ("William Smith", 0, Person),
            ],
        );
        let names: Vec<(&str, usize)> = es
            .iter()
            .map(|e| (e.name.as_str(), e.mentions.len()))
            .collect();
        assert_eq!(names, [("Patrick W. Carlineo", 3), ("Bill Smith", 2)]);
    }

    #[test]
    fn a_nickname_of_two_people_merges_with_neither() {
        use crate::pipeline::entities::merge::tests::run;
        use EntityType::Person;
        let text = "Patrick Carlineo and Patience Carlineo came; Pat Carlineo did not.";
        let es = run(
            text,
            &[
                ("Patrick Carlineo", 0, Person),
                ("Patience Carlineo", 0, Person),
                ("Pat Carlineo", 0, Person),
            ],
        );
        assert_eq!(es.len(), 3);
    }

    #[test]
    fn middle_initials_are_dropped_from_the_rest() {
        assert_eq!(
            rest_without_initials("patrick w carlineo").as_deref(),
            Some("carlineo")
        );
        assert_eq!(
            rest_without_initials("john paul jones").as_deref(),
            Some("paul jones")
        );
        assert_eq!(rest_without_initials("carlineo"), None);
    }
}
