//! The types the entity stage passes between its parts: tokens with byte
//! offsets, tagged mentions, and the merged entities it returns.

use crate::pipeline::Span;

/// Entity types (the CoNLL-2003 set).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntityType {
    /// A person.
    Person,
    /// An organisation: company, agency, party, team, government body.
    Organization,
    /// A place: country, city, region, geographic feature.
    Location,
    /// Nationalities, events, works, products and other names.
    Misc,
}

impl EntityType {
    /// Every type, in a fixed order (the order of the tagger's labels).
    pub const ALL: [EntityType; 4] = [
        EntityType::Person,
        EntityType::Organization,
        EntityType::Location,
        EntityType::Misc,
    ];

    /// The CoNLL tag suffix: `PER`, `ORG`, `LOC`, `MISC`.
    pub fn conll(self) -> &'static str {
        match self {
            EntityType::Person => "PER",
            EntityType::Organization => "ORG",
            EntityType::Location => "LOC",
            EntityType::Misc => "MISC",
        }
    }

    /// The type of a CoNLL tag suffix.
    pub fn from_conll(s: &str) -> Option<EntityType> {
        match s {
            "PER" => Some(EntityType::Person),
            "ORG" => Some(EntityType::Organization),
            "LOC" => Some(EntityType::Location),
            "MISC" => Some(EntityType::Misc),
            _ => None,
        }
    }
}

/// One token: a half-open UTF-8 byte range of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Token {
    /// The token's text in `text`.
    pub fn text<'a>(&self, text: &'a str) -> &'a str {
        &text[self.start..self.end]
    }
}

/// One sentence: a range of indexes into the token list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    /// First token.
    pub first: usize,
    /// One past the last token.
    pub end: usize,
}

/// A tagged mention: a run of tokens the tagger labelled with one type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mention {
    /// Byte range of the mention in the text (the name alone).
    pub span: Span,
    /// Its type.
    pub kind: EntityType,
    /// First token of the mention.
    pub first_token: usize,
    /// One past its last token.
    pub end_token: usize,
}

/// All the ways one article refers to one thing.
#[derive(Debug, Clone, PartialEq)]
pub struct Entity {
    /// Stable identifier from the type and the canonical name.
    pub id: String,
    /// Type.
    pub kind: EntityType,
    /// Canonical name: the most complete proper form in the article.
    pub name: String,
    /// The other forms the article uses (distinct, in first-use order).
    pub aliases: Vec<String>,
    /// Every mention, in text order.
    pub mentions: Vec<Span>,
    /// Roles held, e.g. "Kremlin spokesman".
    pub roles: Vec<String>,
    /// Importance in the article, 0 to 1.
    pub salience: f32,
    /// The GeoNames feature the entity names: on a LOCATION the place it
    /// was resolved to, on a MISC demonym the country it names; `None`
    /// when undecided (see [`super::places`]).
    pub place: Option<Place>,
}

#[cfg(test)]
impl Entity {
    /// A hand-made LOCATION entity named `name`, mentioned wherever `text`
    /// says it (what the rule tests over places start from).
    pub(crate) fn location_in(text: &str, name: &str) -> Entity {
        Entity {
            id: super::merge::entity_id(EntityType::Location, name),
            kind: EntityType::Location,
            name: name.to_owned(),
            aliases: Vec::new(),
            mentions: text
                .match_indices(name)
                .map(|(i, m)| Span::new(i, i + m.len()))
                .collect(),
            roles: Vec::new(),
            salience: 0.0,
            place: None,
        }
    }
}

/// Kinds of GeoNames feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlaceFeature {
    /// A country or dependent territory.
    Country,
    /// A first-level administrative region (a US state).
    Admin1,
    /// A city or town.
    PopulatedPlace,
    /// Anything else (a continent).
    Other,
}

/// A GeoNames feature (geonames.org, CC-BY 4.0) an entity resolves to.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    /// GeoNames id.
    pub geonames_id: u64,
    /// ISO 3166-1 alpha-2 code of its country; empty for a continent.
    pub country_code: String,
    /// GeoNames first-level administrative code; empty for a country.
    pub admin1_code: String,
    /// Latitude in degrees (a representative point).
    pub latitude: f64,
    /// Longitude in degrees.
    pub longitude: f64,
    /// The kind of feature.
    pub feature: PlaceFeature,
    /// Confidence in the resolution, 0 to 1.
    pub confidence: f32,
}
