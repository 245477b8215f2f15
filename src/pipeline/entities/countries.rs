//! The names of one country are one entity: "Russian Federation" and
//! "Russia"; "United States", "U.S." and "US"; "United Kingdom", "Britain"
//! and "UK". The `country_aliases` table (`data/gazetteers/
//! country_aliases.txt`, built by `scripts/build_gazetteers.py` from
//! pycountry, GeoNames, countryinfo and the curated short forms) gives
//! each country's names, its GeoNames name first: the common short name
//! ("Russia", "United States", "United Kingdom", "Iran"). Names shared by
//! two countries ("Congo", "Korea") are not in it.
//!
//! Merging joins the groups of every non-PERSON mention whose key names
//! the same country. The canonical name of such a group is the common
//! short name when the article writes it, so "Russian Federation" and
//! "Russia" give "Russia"; otherwise the usual choice (the most complete
//! form) stands, so "U.S." and "United States of America" give "United
//! States of America".

use std::sync::LazyLock;

use rustc_hash::FxHashMap;

use super::merge::{Groups, Norm, name_key};
use super::types::EntityType;
use crate::pipeline::budget::Meter;

/// One country name: which country (line of the table), and whether it is
/// the country's common short name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountryName {
    /// Index of the country in the table.
    pub country: u32,
    /// The country's common short name (its GeoNames name).
    pub short: bool,
}

fn table() -> &'static FxHashMap<String, CountryName> {
    static TABLE: LazyLock<FxHashMap<String, CountryName>> = LazyLock::new(|| {
        parse_country_aliases(include_str!("../../../data/gazetteers/country_aliases.txt"))
    });
    &TABLE
}

/// The table from its text: a line per country, tab-separated names, the
/// short name first. A key on two lines is left out.
fn parse_country_aliases(contents: &str) -> FxHashMap<String, CountryName> {
    let mut table: FxHashMap<String, CountryName> = FxHashMap::default();
    let mut shared: Vec<String> = Vec::new();
    let lines = contents.lines().filter(|l| !l.starts_with('#'));
    for (country, line) in (0u32..).zip(lines) {
        for (k, name) in line.split('\t').enumerate() {
            let key = name_key(name);
            if key.is_empty() {
                continue;
            }
            let entry = CountryName {
                country,
                short: k == 0,
            };
            match table.get(&key) {
                Some(e) if e.country != country => shared.push(key),
                Some(_) => {}
                None => {
                    table.insert(key, entry);
                }
            }
        }
    }
    for key in shared {
        table.remove(&key);
    }
    table
}

/// The country a merging key names, if it names one.
pub fn country_of(key: &str) -> Option<CountryName> {
    table().get(key).copied()
}

/// Joins the groups of the non-PERSON mentions whose keys name the same
/// country; `by_key` gives the first mention of each distinct key.
pub(super) fn merge_countries(
    norms: &[Norm],
    by_key: &FxHashMap<&str, usize>,
    groups: &mut Groups,
    meter: &mut Meter<'_>,
) {
    let mut first_of: FxHashMap<u32, usize> = FxHashMap::default();
    for (i, n) in norms.iter().enumerate() {
        if meter.tick() {
            return;
        }
        if by_key.get(n.key.as_str()) != Some(&i) || groups.kind(i) == EntityType::Person {
            continue;
        }
        let Some(name) = country_of(&n.key) else {
            continue;
        };
        match first_of.get(&name.country) {
            Some(&j) => groups.union(j, i),
            None => {
                first_of.insert(name.country, i);
            }
        }
    }
}

/// Whether `key` is the common short name of a country.
pub fn is_short_name(key: &str) -> bool {
    country_of(key).is_some_and(|c| c.short)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_and_short_names_of_a_country_share_it() {
        let country = |name: &str| country_of(&name_key(name)).map(|c| c.country);
        assert!(country("Russia").is_some());
        assert_eq!(country("Russian Federation"), country("Russia"));
        assert_eq!(country("U.S."), country("United States"));
        assert_eq!(country("US"), country("United States"));
        assert_eq!(country("UK"), country("United Kingdom"));
        assert_eq!(country("Britain"), country("United Kingdom"));
        assert_ne!(country("Britain"), country("United States"));
        assert_eq!(country("Wales"), None, "a part of a country");
        assert!(country_of("russia").is_some_and(|c| c.short));
        assert!(country_of("russian federation").is_some_and(|c| !c.short));
    }

    #[test]
    fn a_country_s_names_are_one_entity_under_its_short_name() {
        use crate::pipeline::entities::merge::tests::run;
        use EntityType::*;
        let text = "The Russian Federation said Russia would stay. The United States, \
                    the U.S. and the US; the United Kingdom, Britain and the UK.";
        let es = run(
            text,
            &[
                ("Russian Federation", 0, Location),
                ("Russia", 1, Location),
                ("United States", 0, Location),
                ("U.S.", 0, Location),
                ("US", 0, Organization),
                ("United Kingdom", 0, Location),
                ("Britain", 0, Location),
                ("UK", 0, Location),
            ],
        );
        let names: Vec<(&str, usize)> = es
            .iter()
            .map(|e| (e.name.as_str(), e.mentions.len()))
            .collect();
        assert_eq!(
            names,
            [("Russia", 2), ("United States", 3), ("United Kingdom", 3)]
        );
        // Without the short name, the most complete form stays canonical.
        let es = run(
            "The United States of America and the U.S.",
            &[
                ("United States of America", 0, Location),
                ("U.S.", 0, Location),
            ],
        );
        assert_eq!(es.len(), 1);
        assert_eq!(es[0].name, "United States of America");
    }
}
