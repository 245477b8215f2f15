//! Named entities: tokenisation, the trained tagger, and the merging of
//! mentions into entities with canonical names, aliases, roles and salience.

pub mod features;
pub mod gazetteer;
pub mod labels;
pub mod merge;
pub mod model;
pub mod roles;
pub mod salience;
pub mod tagger;
pub mod tokens;
pub mod types;

pub use types::{Entity, EntityType, Mention, Sentence, Token};
