//! Named entities: tokenisation, the trained tagger, and the merging of
//! mentions into entities with canonical names, aliases, roles and salience.
//!
//! [`EntityStage::recognize`] runs the stage over a clean body text:
//!
//! 1. [`tokens`]: Penn-Treebank-style tokens and sentences; tokens glued
//!    together by a broken HTML-to-text step ("Putinand") are split where
//!    one part is a name known to the article or the gazetteers and the
//!    other an ordinary word;
//! 2. [`tagger`]: the trained two-pass perceptron labels every token
//!    (BILOU over PER, ORG, LOC, MISC; features in [`features`], name lists
//!    in [`gazetteer`], weights in [`model`]);
//! 3. rules on the tagged mentions: instrument codes cut off a name,
//!    [`credits`] labels out, names joined across [`particles`], "Al X"
//!    names that are no people typed as organisations ([`arabic_article`]),
//!    organisation names continued over "of" ([`org_of`]); a person's
//!    surname written alone is that person ([`surnames`]), typed so when
//!    the tagger typed it otherwise and a mention when it left it out;
//! 4. [`merge`]: mentions become entities (surname and title forms, acronyms,
//!    case and spelling variants, [`variants`] by nickname and middle
//!    initial, the names of one country ([`countries`]), hyphenated pairs),
//!    with canonical names ([`acronyms`] keep their capitals), aliases and
//!    stable ids;
//! 5. [`places`]: LOCATION entities resolved to GeoNames features (ids
//!    `geo:<id>`), demonyms to their country;
//! 6. [`metonymy`]: a seat of government or a capital speaking as a
//!    government ("the Kremlin said", "Washington warned") typed as an
//!    organisation, on the output only (the tagger keeps CoNLL's LOC);
//! 7. [`roles`] from titles and appositions, and [`salience`].

pub mod acronyms;
pub mod arabic_article;
pub mod brown;
pub mod clusters;
pub mod countries;
pub mod credits;
pub mod features;
pub mod gazetteer;
pub mod labels;
pub mod merge;
pub mod metonymy;
pub mod model;
pub mod org_of;
pub mod particles;
pub mod places;
pub mod roles;
pub mod salience;
pub mod surnames;
pub mod tagger;
pub mod tokens;
pub mod types;
pub mod variants;

pub use types::{Entity, EntityType, Mention, Place, PlaceFeature, Sentence, Token};

use rustc_hash::FxHashSet;

use crate::pipeline::Span;
use crate::pipeline::budget::Meter;
use gazetteer::Gazetteers;
use tagger::NerModel;

/// A word glued together from two or more ("Putinand"), found by
/// [`EntityStage::glued_words`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GluedWord {
    /// The glued word in the text.
    pub span: Span,
    /// Byte offsets in the text, inside `span`, where a space belongs.
    pub cuts: Vec<usize>,
}

/// The entity stage with its embedded model and gazetteers.
#[derive(Clone, Copy)]
pub struct EntityStage {
    model: &'static NerModel,
    gazetteers: &'static Gazetteers,
    /// Bit set of the gazetteer lists that hold names.
    name_lists: u32,
    /// Bit of the list of everyday words.
    word_list: u32,
    /// Bit set of the place lists.
    place_lists: u32,
    /// Bit of the news-agency list.
    agency_list: u32,
    /// GeoNames places.
    places: &'static places::PlaceTable,
    /// Bit set of the given-name and surname lists.
    person_lists: u32,
    /// Bit of the list of words of organisation names.
    org_word_list: u32,
}

impl std::fmt::Debug for EntityStage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EntityStage")
            .field("model", &self.model.version)
            .finish_non_exhaustive()
    }
}

impl EntityStage {
    /// Loads the embedded model and gazetteers; an error when the binary
    /// holds no trained model.
    pub fn load() -> Result<EntityStage, String> {
        let model = NerModel::embedded()?;
        let gazetteers = Gazetteers::embedded();
        let bit = |name: &str| {
            gazetteers
                .names()
                .iter()
                .position(|n| n == name)
                .map_or(0, |i| 1u32 << i)
        };
        Ok(EntityStage {
            model,
            gazetteers,
            name_lists: bit("given_names")
                | bit("surnames")
                | bit("cities")
                | bit("countries")
                | bit("regions")
                | bit("news_agencies"),
            word_list: bit("common_words"),
            place_lists: bit("cities") | bit("countries") | bit("regions"),
            agency_list: bit("news_agencies"),
            places: places::PlaceTable::embedded(),
            person_lists: bit("given_names") | bit("surnames"),
            org_word_list: bit("org_words"),
        })
    }

    /// Names written in lower case by a careless or machine-translated
    /// text ("an offensive on kyiv", "collected by efe"): the tagger, which
    /// leans on capitals, misses them. A lower-case token outside any
    /// mention becomes one when a place or news-agency list holds it and it
    /// is not an everyday word (not in the everyday-words list, never seen
    /// in lower case in the training text).
    fn add_lower_case_names(
        &self,
        text: &str,
        tokens: &[Token],
        mentions: &mut Vec<Mention>,
        meter: &mut Meter<'_>,
    ) {
        if meter.is_stopped() {
            return;
        }
        let covered = covered_tokens(tokens.len(), mentions);
        meter.add(mentions.len() as u64);
        for (i, token) in tokens.iter().enumerate() {
            if meter.tick() {
                break;
            }
            let word = token.text(text);
            if covered[i]
                || word.chars().count() < 3
                || !word.chars().all(char::is_lowercase)
                || self.model.lower_counts.contains_key(word)
            {
                continue;
            }
            let lists = self.gazetteers.lists_of(word);
            if lists & self.word_list != 0 {
                continue;
            }
            let kind = if lists & self.agency_list != 0 {
                EntityType::Organization
            } else if lists & self.place_lists != 0 {
                EntityType::Location
            } else {
                continue;
            };
            mentions.push(Mention {
                span: Span::new(token.start, token.end),
                kind,
                first_token: i,
                end_token: i + 1,
            });
        }
        mentions.sort_by_key(|m| m.span.start);
    }

    /// The rules on the tagged mentions (each in its own module): credit
    /// labels out, names joined across their particles, "Al X" names that
    /// are no people typed as organisations, organisation names continued
    /// over "of" and capitalised words. Each is one pass over the tokens
    /// or the mentions.
    fn apply_name_rules(
        &self,
        text: &str,
        tokens: &[Token],
        mentions: &mut Vec<Mention>,
        meter: &mut Meter<'_>,
    ) {
        if meter.add(4 * (tokens.len() + mentions.len()) as u64) {
            return;
        }
        let lists = |w: &str| self.gazetteers.lists_of(w);
        credits::remove_credit_labels(text, tokens, mentions);
        particles::join_particles(text, tokens, mentions, &|w| {
            lists(w) & self.word_list != 0 || self.model.lower_counts.contains_key(w)
        });
        arabic_article::article_names_are_organisations(text, tokens, mentions, &|w| {
            lists(w) & self.person_lists != 0
        });
        org_of::extend_organisations(text, tokens, mentions, &|w| {
            lists(w) & self.org_word_list != 0
        });
    }

    /// `tokens` of `text` with the words glued together by a broken
    /// HTML-to-text step split ("Putinand" → "Putin" "and"): where one part
    /// is a name the article writes on its own or the gazetteers know and
    /// the other an ordinary word, then, more strictly, names the article
    /// writes only glued ("Dmitry Peskovcalled") before a function word or a
    /// past-tense verb. One meter step per token in each pass.
    fn split_glued(&self, text: &str, tokens: &[Token], meter: &mut Meter<'_>) -> Vec<Token> {
        // Capitalised words the article writes on their own are names it
        // knows, for splitting glued tokens; a token that is itself a known
        // name followed by an ordinary word ("Putinand") is not one.
        let is_word = |w: &str| {
            self.gazetteers.lists_of(w) & self.word_list != 0
                || self.model.lower_counts.contains_key(w)
        };
        let mut capitalised: FxHashSet<&str> = FxHashSet::default();
        for t in tokens {
            if meter.tick() {
                break;
            }
            let w = t.text(text);
            if w.chars().next().is_some_and(char::is_uppercase) {
                capitalised.insert(w);
            }
        }
        let glued = |w: &str| {
            w.char_indices().skip(2).any(|(i, c)| {
                c.is_lowercase()
                    && capitalised.contains(&w[..i])
                    && w.len() - i >= 2
                    && is_word(&w[i..].to_lowercase())
            })
        };
        let is_name = |w: &str| {
            (capitalised.contains(w) && !glued(w))
                || self.gazetteers.lists_of(w) & self.name_lists != 0
        };
        let tokens = tokens::split_glued_metered(text, tokens, &is_name, &is_word, meter);
        // A second, stricter pass for names the article writes only glued
        // ("Dmitry Peskovcalled"): any capitalised part of four letters or
        // more that is not an everyday word, but only before a function
        // word or a past-tense verb, which names do not end in (unlike
        // "-man" or "-son").
        // Words that follow a subject; short function words ("in", "all",
        // "her") are not here: too many names end in them.
        let verb_or_function_word = |w: &str| {
            matches!(
                w,
                "and"
                    | "its"
                    | "his"
                    | "the"
                    | "who"
                    | "was"
                    | "has"
                    | "had"
                    | "said"
                    | "says"
                    | "told"
                    | "will"
                    | "would"
                    | "also"
            ) || (w.len() >= 5 && w.ends_with("ed") && is_word(w))
        };
        let ends_glued = |w: &str| {
            w.char_indices()
                .skip(4)
                .any(|(i, _)| verb_or_function_word(&w[i..]))
        };
        let unknown_name = |w: &str| {
            w.chars().count() >= 4
                && w.chars().next().is_some_and(char::is_uppercase)
                && !is_word(&w.to_lowercase())
                && !ends_glued(w)
        };
        // Only tokens that end in such a word, and are neither a known name
        // nor an everyday word themselves ("Holland" is not "Holl" + "and"),
        // are tried; and only tokens short enough to be split at all (the
        // suffix test is quadratic in the token's length).
        let candidate = |w: &str| {
            w.len() <= tokens::MAX_GLUED_BYTES
                && ends_glued(w)
                && !is_word(&w.to_lowercase())
                && self.gazetteers.lists_of(w) & self.name_lists == 0
        };
        let mut split = Vec::with_capacity(tokens.len());
        for &t in &tokens {
            if meter.tick() {
                break;
            }
            if candidate(t.text(text)) {
                split.extend(tokens::split_glued(
                    text,
                    &[t],
                    &unknown_name,
                    &verb_or_function_word,
                ));
            } else {
                split.push(t);
            }
        }
        split
    }

    /// The words of `text` glued together by a broken HTML-to-text step
    /// that are safe to repair in the stored text: each glued word's span
    /// with the byte offsets (inside it) where a space belongs, in text
    /// order. Linear in `text`.
    ///
    /// The candidates are the entity stage's own splits
    /// ([`EntityStage::split_glued`]), which may cut a compound ("Coinbase",
    /// "Dockerfile") for tagging's sake; only the cuts that read as glue
    /// are kept (see [`glue_cut_is_safe`]): a known name followed by one of
    /// a few function words and verbs that follow a subject ("Putinand",
    /// "Zelenskywho"), any unknown capitalised word before a reporting verb
    /// ("Peskovcalled"), or a function word before a known name
    /// ("andRyan").
    pub fn glued_words(&self, text: &str, meter: &mut Meter<'_>) -> Vec<GluedWord> {
        let tokens = tokens::tokens_metered(text, meter);
        let split = self.split_glued(text, &tokens, meter);
        let mut candidates: Vec<GluedWord> = Vec::new();
        // Both lists are in text order and every split token lies inside
        // one original token: a split token ending before its original's
        // end is a cut.
        let mut originals = tokens.iter().peekable();
        for piece in &split {
            while originals.next_if(|o| o.end < piece.end).is_some() {}
            let Some(original) = originals.peek() else {
                break;
            };
            if piece.end < original.end && piece.start >= original.start {
                match candidates.last_mut() {
                    Some(last) if last.span.start == original.start => last.cuts.push(piece.end),
                    _ => candidates.push(GluedWord {
                        span: Span::new(original.start, original.end),
                        cuts: vec![piece.end],
                    }),
                }
            }
        }
        if candidates.is_empty() {
            return candidates;
        }
        // Capitalised words the article writes on their own (uncut).
        let mut alone: FxHashSet<&str> = FxHashSet::default();
        let mut cut = candidates.iter().map(|g| g.span.start).peekable();
        for t in &tokens {
            if meter.tick() {
                return Vec::new();
            }
            while cut.next_if(|&start| start < t.start).is_some() {}
            let w = t.text(text);
            if cut.peek() != Some(&t.start) && w.chars().next().is_some_and(char::is_uppercase) {
                alone.insert(w);
            }
        }
        let common = |w: &str| {
            let lower = w.to_lowercase();
            self.gazetteers.lists_of(&lower) & self.word_list != 0
                || self.model.lower_counts.contains_key(lower.as_str())
        };
        let known_name = |w: &str| {
            w.chars().count() >= 3
                && (alone.contains(w) || self.gazetteers.lists_of(w) & self.name_lists != 0)
                && !common(w)
        };
        for glued in &mut candidates {
            let bounds: Vec<usize> = std::iter::once(glued.span.start)
                .chain(glued.cuts.iter().copied())
                .chain(std::iter::once(glued.span.end))
                .collect();
            let mut kept = Vec::new();
            for k in 1..bounds.len() - 1 {
                let left = text.get(bounds[k - 1]..bounds[k]).unwrap_or_default();
                let right = text.get(bounds[k]..bounds[k + 1]).unwrap_or_default();
                if glue_cut_is_safe(left, right, &known_name, &common) {
                    kept.push(bounds[k]);
                }
            }
            glued.cuts = kept;
        }
        candidates.retain(|g| !g.cuts.is_empty());
        candidates
    }

    /// The model's version.
    pub fn version(&self) -> &str {
        &self.model.version
    }

    /// The entities of `text` (see the module documentation), with no
    /// time limit.
    pub fn recognize(&self, text: &str) -> Vec<Entity> {
        let budget = crate::pipeline::Budget::unlimited();
        self.recognize_metered(text, &mut budget.meter())
    }

    /// The entities of `text`, counting work on `meter` and stopping early
    /// when it says so. Every pass ticks once per token (or mention, or
    /// entity), so the work grows linearly with the text. A stopped stage
    /// returns the entities of the part it tagged: tokens and sentences
    /// read so far, the tagger's labels so far (see
    /// [`NerModel::tag_document_metered`]), mentions merged by their form
    /// at least; name-variant merging, roles and lower-case names are left
    /// out past the stop. Every mention is a span of `text` either way.
    pub fn recognize_metered(&self, text: &str, meter: &mut Meter<'_>) -> Vec<Entity> {
        self.recognize_placed(text, None, meter)
    }

    /// [`EntityStage::recognize_metered`] for an article whose dateline
    /// names `dateline` (its place as written, "KYIV"), which helps resolve
    /// its places ([`places`]).
    pub fn recognize_placed(
        &self,
        text: &str,
        dateline: Option<&str>,
        meter: &mut Meter<'_>,
    ) -> Vec<Entity> {
        let tokens = tokens::tokens_metered(text, meter);
        let tokens = self.split_glued(text, &tokens, meter);
        let sentences = tagger_sentences(tokens::split_sentences_metered(text, &tokens, meter));
        let mut words: Vec<&str> = Vec::with_capacity(tokens.len());
        for t in &tokens {
            if meter.tick() {
                break;
            }
            words.push(tagger_form(t.text(text)));
        }
        let sentences: Vec<Sentence> = sentences
            .into_iter()
            .take_while(|s| s.end <= words.len())
            .collect();
        let views: Vec<&[&str]> = sentences.iter().map(|s| &words[s.first..s.end]).collect();
        let labels = self
            .model
            .tag_document_metered(self.gazetteers, &views, meter);
        let mut mentions = Vec::new();
        for (sentence, labels) in sentences.iter().zip(&labels) {
            meter.add(labels.len() as u64);
            for span in labels::spans_from_labels(labels) {
                let first = sentence.first + span.first;
                let end = first + trimmed_end(text, &tokens[first..sentence.first + span.end]);
                let end = first + without_instrument_code(text, &tokens[first..end]);
                if end == first {
                    continue;
                }
                mentions.push(Mention {
                    span: Span::new(tokens[first].start, tokens[end - 1].end),
                    kind: span.kind,
                    first_token: first,
                    end_token: end,
                });
            }
        }
        meter.add(mentions.len() as u64);
        mentions.retain(|m| !is_instrument_code(text, m.span));
        self.apply_name_rules(text, &tokens, &mut mentions, meter);
        self.add_lower_case_names(text, &tokens, &mut mentions, meter);
        surnames::surnames(text, &tokens, &sentences, &mut mentions, meter);
        let mut entities = merge::merge_metered(text, &tokens, &mentions, meter);
        places::link_metered(self.places, text, &mut entities, dateline, meter);
        metonymy::retype_speaking_governments(self.places, text, &tokens, &mut entities, meter);
        roles::roles_metered(text, &tokens, &mut entities, meter);
        salience::salience_metered(text.len(), &mut entities, meter);
        salience::lower_descriptive(&mut entities, self.gazetteers, meter);
        entities
    }
}

/// Most tokens the tagger reads as one sentence: a longer run without a
/// sentence end (a list, a text without punctuation) is cut into pieces of
/// this many tokens, so the tagger's features (about 1 KB a token) are
/// held for a bounded stretch at a time and its meter ticks often enough.
/// The cut only changes the features of the few tokens around it; news
/// sentences are far shorter (the longest of CoNLL-2003 `eng.testa` has
/// 109 tokens).
pub const MAX_SENTENCE_TOKENS: usize = 256;

/// Function words and verbs that follow a subject, which a name glued to
/// them ("Putinand", "Zelenskywho") is cut from. Short endings many words
/// share ("is", "an", "its", "or", "the") are not here: "Iraqis",
/// "Titan", "Rabbits", "Connor", "Blythe".
pub const AFTER_NAME: &[&str] = &[
    "and", "who", "whom", "whose", "which", "that", "was", "were", "has", "had", "have", "said",
    "says", "told", "called", "added", "also", "will", "would", "could", "should",
];

/// Reporting verbs: no name ends in them, so an unknown capitalised word
/// glued to one ("Peskovcalled") is cut too.
const REPORTING: &[&str] = &["said", "says", "told", "called", "added"];

/// Function words that a name glued after them ("andRyan") is cut from.
pub const BEFORE_NAME: &[&str] = &[
    "and", "of", "in", "on", "at", "by", "for", "with", "from", "to", "the", "that", "who", "said",
    "says", "told", "itself", "himself", "herself", "after", "before",
];

/// Whether a cut of the entity stage between `left` and `right` is glue
/// to repair in the stored text: a known name (written on its own in the
/// article or in the name lists, and no everyday word) and a word of
/// [`AFTER_NAME`]; an unknown capitalised word of four letters or more
/// and a [`REPORTING`] verb; or a word of [`BEFORE_NAME`] and a known
/// name written as one capitalised word ("Ryan", not "OwnProperty").
fn glue_cut_is_safe(
    left: &str,
    right: &str,
    known_name: &dyn Fn(&str) -> bool,
    common: &dyn Fn(&str) -> bool,
) -> bool {
    let capitalised_word = |w: &str| {
        let mut chars = w.chars();
        chars.next().is_some_and(char::is_uppercase) && chars.all(char::is_lowercase)
    };
    if capitalised_word(left) && AFTER_NAME.contains(&right) {
        return known_name(left)
            || (REPORTING.contains(&right) && left.chars().count() >= 4 && !common(left));
    }
    BEFORE_NAME.contains(&left) && capitalised_word(right) && known_name(right)
}

/// `sentences` with every one longer than [`MAX_SENTENCE_TOKENS`] cut into
/// pieces of that many tokens.
fn tagger_sentences(sentences: Vec<Sentence>) -> Vec<Sentence> {
    if sentences
        .iter()
        .all(|s| s.end - s.first <= MAX_SENTENCE_TOKENS)
    {
        return sentences;
    }
    let mut out = Vec::with_capacity(sentences.len());
    for s in sentences {
        let mut first = s.first;
        while first < s.end {
            let end = (first + MAX_SENTENCE_TOKENS).min(s.end);
            out.push(Sentence { first, end });
            first = end;
        }
    }
    out
}

/// Whether the mention at `span` is written as an instrument code of
/// market data (Reuters instrument codes, as market stories print them):
/// capitals and digits glued to a leading dot (".IXIC", ".SPX", "(.DXY)")
/// or followed by "=" ("XAU=", "EUR="). They name an index, a currency or
/// a commodity's price, not an organisation, so they are no entity. A dot
/// glued to a word before it ("rose.IBM", a sentence end run into the next
/// one) does not count.
fn is_instrument_code(text: &str, span: Span) -> bool {
    let name = &text[span.range()];
    let code = !name.is_empty()
        && name.len() <= 12
        && name
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if !code {
        return false;
    }
    let dotted = text[..span.start].strip_suffix('.').is_some_and(|before| {
        before
            .chars()
            .next_back()
            .is_none_or(|c| c.is_whitespace() || c == '(')
    });
    dotted || text[span.end..].starts_with('=')
}

/// The length of a mention's tokens once an instrument code at its end is
/// cut off, with the punctuation around it: "Nasdaq Composite .IXIC" and
/// "dollar index (.DXY)" end before the code (see [`is_instrument_code`]).
fn without_instrument_code(text: &str, tokens: &[Token]) -> usize {
    let punctuation = |t: &Token| t.text(text).chars().all(|c| !c.is_alphanumeric());
    let mut end = tokens.len();
    while end > 0 && punctuation(&tokens[end - 1]) {
        end -= 1;
    }
    if end == 0 || !is_instrument_code(text, Span::new(tokens[end - 1].start, tokens[end - 1].end))
    {
        return tokens.len();
    }
    end -= 1;
    while end > 0 && punctuation(&tokens[end - 1]) {
        end -= 1;
    }
    end
}

/// Which of `n` tokens lie inside one of `mentions`.
pub(crate) fn covered_tokens(n: usize, mentions: &[Mention]) -> Vec<bool> {
    let mut covered = vec![false; n];
    for m in mentions {
        for c in &mut covered[m.first_token.min(n)..m.end_token.min(n)] {
            *c = true;
        }
    }
    covered
}

/// The token as the tagger sees it: typographic quotation marks and
/// apostrophes as the ASCII ones of its training text (CoNLL-2003 writes
/// `"` and `'s`), so "Ukraine’s" and “Union State” read like the news it
/// learnt from.
fn tagger_form(word: &str) -> &str {
    match word {
        "\u{201c}" | "\u{201d}" | "\u{201e}" | "\u{201f}" | "\u{ab}" | "\u{bb}" => "\"",
        "\u{2018}" | "\u{2019}" | "\u{201a}" | "\u{2039}" | "\u{203a}" => "'",
        "\u{2019}s" => "'s",
        "\u{2019}S" => "'S",
        _ => word,
    }
}

/// The length of a mention's tokens once a tail of lower-case words is cut
/// off: greedy decoding that opened an entity on a lone name ("the West")
/// must close it with a last token, and may drag it over the words after
/// it ("West of funding protesters"). Names have lower-case words only
/// inside ("Bank of England", "Leonardo da Vinci"), never at the end, and
/// never hold a quotation mark: a mention is cut before one.
fn trimmed_end(text: &str, tokens: &[Token]) -> usize {
    let lower = |t: &Token| {
        let word = t.text(text);
        word.chars().next().is_some_and(char::is_lowercase) && !particles::is_particle_name(word)
    };
    let quote = |t: &Token| {
        t.text(text).chars().all(|c| {
            matches!(
                c,
                '"' | '\'' | '\u{2018}'
                    ..='\u{201f}' | '\u{2039}' | '\u{203a}' | '\u{ab}' | '\u{bb}'
            )
        })
    };
    let mut end = tokens
        .iter()
        .skip(1)
        .position(quote)
        .map_or(tokens.len(), |p| p + 1);
    while end > 1 && lower(&tokens[end - 1]) {
        end -= 1;
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instrument_codes_are_recognised_by_their_notation() {
        let code = |text: &str, name: &str| {
            let start = text.find(name).expect("name in text");
            is_instrument_code(text, Span::new(start, start + name.len()))
        };
        assert!(code("The Nasdaq Composite .IXIC fell", "IXIC"));
        assert!(code("the dollar index (.DXY) rose", "DXY"));
        assert!(code(".SPX closed higher", "SPX"));
        assert!(code("spot gold XAU= was up", "XAU"));
        assert!(!code("shares of IBM rose", "IBM"), "a plain acronym");
        assert!(!code("prices rose.IBM said", "IBM"), "a glued sentence end");
        assert!(
            !code("NATO. The alliance", "NATO"),
            "a dot after, not before"
        );
        assert!(!code("at .Reuters", "Reuters"), "not all capitals");
    }

    #[test]
    fn instrument_codes_are_no_entities() {
        let text = "Wall Street fell on Monday. The Nasdaq Composite .IXIC lost 2% and the S&P 500 .SPX fell 1.5%, \
                    while spot gold XAU= rose and the dollar index .DXY was flat, said Jerome Powell.";
        let entities = EntityStage::load()
            .expect("the model is embedded")
            .recognize(text);
        for code in ["IXIC", "SPX", "XAU", "DXY"] {
            assert!(
                !entities.iter().any(|e| e.name == code),
                "{code} in {:?}",
                entities.iter().map(|e| &e.name).collect::<Vec<_>>()
            );
        }
        assert!(entities.iter().any(|e| e.name == "Jerome Powell"));
    }

    #[test]
    fn an_instrument_code_after_a_name_is_split_off() {
        let text = "The Nasdaq Composite .IXIC lost 2% and the dollar index (.DXY) rose.";
        let (tokens, _) = tokens::tokenize(text);
        let at = |w: &str| tokens.iter().position(|t| t.text(text) == w).unwrap();
        let nasdaq = &tokens[at("Nasdaq")..=at("IXIC")];
        assert_eq!(without_instrument_code(text, nasdaq), 2);
        let index = &tokens[at("dollar")..=at(")")];
        assert_eq!(without_instrument_code(text, index), 2);
        let plain = &tokens[at("Nasdaq")..=at("Composite")];
        assert_eq!(without_instrument_code(text, plain), 2);
        let entities = EntityStage::load()
            .expect("the model is embedded")
            .recognize(text);
        let names: Vec<&str> = entities.iter().map(|e| e.name.as_str()).collect();
        assert!(names.contains(&"Nasdaq Composite"), "{names:?}");
        assert!(!names.iter().any(|n| n.contains("IXIC")), "{names:?}");
    }

    #[test]
    fn typographic_quotes_read_as_ascii_and_end_mentions() {
        assert_eq!(tagger_form("\u{201d}"), "\"");
        assert_eq!(tagger_form("\u{2019}s"), "'s");
        assert_eq!(tagger_form("Kyiv"), "Kyiv");
        let text = "Union State\u{201d} in which Moscow";
        let (tokens, _) = tokens::tokenize(text);
        assert_eq!(tokens[2].text(text), "\u{201d}");
        assert_eq!(trimmed_end(text, &tokens), 2);
    }

    #[test]
    fn people_places_and_organisations_with_mentions() {
        let stage = EntityStage::load().expect("the model is embedded");
        let text = "Kremlin spokesman Dmitry Peskov said on Monday that Russia would not \
                    attend the talks in Geneva.\nPeskov added that the United Nations had \
                    not been told.";
        let entities = stage.recognize(text);
        let find = |name: &str| entities.iter().find(|e| e.name == name);
        let peskov = find("Dmitry Peskov").unwrap_or_else(|| panic!("{entities:#?}"));
        assert_eq!(peskov.kind, EntityType::Person);
        assert_eq!(peskov.mentions.len(), 2, "{peskov:?}");
        for m in &peskov.mentions {
            assert!(text[m.range()].ends_with("Peskov"));
        }
        assert!(
            peskov.roles.iter().any(|r| r == "Kremlin spokesman"),
            "{peskov:?}"
        );
        assert_eq!(find("Geneva").map(|e| e.kind), Some(EntityType::Location));
        assert_eq!(find("Russia").map(|e| e.kind), Some(EntityType::Location));
        assert_eq!(
            find("United Nations").map(|e| e.kind),
            Some(EntityType::Organization)
        );
    }

    #[test]
    fn glued_names_are_split_and_reported_alone() {
        let stage = EntityStage::load().expect("the model is embedded");
        let text = "Russian President Vladimir Putin met Belarusian leader Alexander \
                    Lukashenko on Monday.\nThe meeting of Vladimir Putinand its outcome \
                    were discussed.";
        let entities = stage.recognize(text);
        let putin = entities
            .iter()
            .find(|e| e.name == "Vladimir Putin")
            .unwrap_or_else(|| panic!("{entities:#?}"));
        assert_eq!(putin.mentions.len(), 2, "{putin:?}");
        assert_eq!(&text[putin.mentions[1].range()], "Vladimir Putin");
        // A name written only glued, before a verb.
        let text = "Kremlin spokesman Dmitry Peskovcalled the report unfounded.";
        let entities = stage.recognize(text);
        let peskov = entities
            .iter()
            .find(|e| e.kind == EntityType::Person)
            .unwrap_or_else(|| panic!("{entities:#?}"));
        assert_eq!(peskov.name, "Dmitry Peskov");
        // Names ending in a word are left alone.
        let text = "The analyst Artyom Shraibman said the plan would fail.";
        let entities = stage.recognize(text);
        assert!(
            entities.iter().any(|e| e.name == "Artyom Shraibman"),
            "{entities:#?}"
        );
    }

    #[test]
    fn lower_case_places_and_agencies_are_found_and_merged() {
        let stage = EntityStage::load().expect("the model is embedded");
        let text = "Troops moved towards Kyiv on Monday.\nMoscow may launch another offensive \
                    on kyiv, according to statements collected by efe.\nThe new offensive \
                    was reported by the agency.";
        let entities = stage.recognize(text);
        let kyiv = entities
            .iter()
            .find(|e| e.name == "Kyiv")
            .unwrap_or_else(|| panic!("{entities:#?}"));
        assert_eq!(kyiv.kind, EntityType::Location);
        assert_eq!(kyiv.mentions.len(), 2, "{kyiv:?}");
        let efe = entities
            .iter()
            .find(|e| e.name.eq_ignore_ascii_case("efe"))
            .unwrap_or_else(|| panic!("{entities:#?}"));
        assert_eq!(efe.kind, EntityType::Organization);
        // Everyday words that are also place names are left alone.
        assert!(
            !entities
                .iter()
                .any(|e| e.name.eq_ignore_ascii_case("offensive"))
        );
        assert!(
            !entities
                .iter()
                .any(|e| e.name.eq_ignore_ascii_case("agency"))
        );
    }

    /// Meter steps and mentions of recognising `text`.
    fn work(stage: &EntityStage, text: &str) -> (u64, usize) {
        let budget = crate::pipeline::Budget::unlimited();
        let mut meter = budget.meter();
        let entities = stage.recognize_metered(text, &mut meter);
        assert_eq!(meter.stopped(), None);
        for e in &entities {
            for m in &e.mentions {
                assert!(text.get(m.range()).is_some_and(|s| !s.is_empty()));
            }
        }
        let mentions = entities.iter().map(|e| e.mentions.len()).sum();
        (meter.steps(), mentions)
    }

    /// Asserts that `make(8n)` costs at most 8 × 1.25 times the steps of
    /// `make(n)`, and that its output grows with it (so the whole text was
    /// read).
    fn assert_linear(stage: &EntityStage, what: &str, n: usize, make: impl Fn(usize) -> String) {
        let (small, out_small) = work(stage, &make(n));
        let (large, out_large) = work(stage, &make(8 * n));
        let ratio = large as f64 / small as f64;
        assert!(
            small > 0 && ratio <= 8.0 * 1.25,
            "{what}: {small} steps for n, {large} for 8n (x{ratio:.2})"
        );
        let grown = out_large as f64 / out_small.max(1) as f64;
        assert!(
            out_small > 0 && (8.0 / 1.25..=8.0 * 1.25).contains(&grown),
            "{what}: {out_small} mentions for n, {out_large} for 8n"
        );
    }

    /// A distinct capitalised name for `i`.
    fn made_up(i: usize) -> String {
        const SYLLABLES: [&str; 16] = [
            "ba", "ko", "ri", "mu", "te", "sa", "lo", "ne", "vi", "da", "pe", "zu", "ga", "hi",
            "jo", "fa",
        ];
        let mut s = String::from("V");
        let mut k = i;
        loop {
            s.push_str(SYLLABLES[k % 16]);
            k /= 16;
            if k == 0 {
                break;
            }
        }
        s + "ov"
    }

    #[test]
    fn the_stage_is_linear_in_the_text() {
        let stage = EntityStage::load().expect("the model is embedded");
        assert_linear(&stage, "distinct names", 150, |n| {
            (0..n)
                .map(|i| {
                    let (first, last) = (made_up(i), made_up(7 * i + 5));
                    format!("{first} {last} met {last}a. {last} said. ")
                })
                .collect()
        });
        assert_linear(&stage, "one name repeated", 400, |n| {
            "Vladimir Putin met Putin in Moscow. ".repeat(n)
        });
        assert_linear(&stage, "a paragraph repeated", 60, |n| {
            "Kremlin spokesman Dmitry Peskov said on Monday that Russia would not attend \
             the talks in Geneva, the Institute for the Study of War (ISW) said. The United \
             Nations had not been told, Peskov told Reuters.\n"
                .repeat(n)
        });
        // One sentence with no end: cut into pieces for the tagger.
        assert_linear(&stage, "no sentence end", 500, |n| "Bob said ".repeat(n));
        assert_linear(&stage, "one-word lines", 500, |n| "Hi.\nBob.\n".repeat(n));
    }

    #[test]
    fn long_runs_are_tagged_in_pieces() {
        let cut = tagger_sentences(vec![
            Sentence { first: 0, end: 3 },
            Sentence {
                first: 3,
                end: 3 + 2 * MAX_SENTENCE_TOKENS + 1,
            },
        ]);
        let lengths: Vec<usize> = cut.iter().map(|s| s.end - s.first).collect();
        assert_eq!(lengths, [3, MAX_SENTENCE_TOKENS, MAX_SENTENCE_TOKENS, 1]);
        assert!(cut.windows(2).all(|w| w[0].end == w[1].first));
    }

    #[test]
    fn cancellation_stops_the_stage_with_valid_mentions() {
        use crate::pipeline::budget::{CancelFlag, Interrupted};
        let stage = EntityStage::load().expect("the model is embedded");
        let text = "Kremlin spokesman Dmitry Peskov said on Monday that Russia would not \
                    attend the talks in Geneva. Peskov told Reuters.\n"
            .repeat(if cfg!(debug_assertions) { 3000 } else { 30_000 });
        // Cancelled before it starts: nothing, at once.
        let flag = CancelFlag::new();
        flag.cancel();
        let budget = crate::pipeline::Budget::new(None, flag);
        let mut meter = budget.meter();
        assert!(stage.recognize_metered(&text, &mut meter).is_empty());
        assert_eq!(meter.stopped(), Some(Interrupted::Cancelled));
        assert!(
            meter.steps() < 16,
            "{} steps after cancellation",
            meter.steps()
        );
        // Cancelled while it runs: a part, every mention a span of the text.
        let (full_steps, _) = work(&stage, &text);
        let flag = CancelFlag::new();
        let budget = crate::pipeline::Budget::new(None, flag.clone());
        let canceller = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(20));
            flag.cancel();
        });
        let mut meter = budget.meter();
        let entities = stage.recognize_metered(&text, &mut meter);
        canceller.join().expect("the canceller ran");
        assert_eq!(meter.stopped(), Some(Interrupted::Cancelled));
        assert!(
            meter.steps() < full_steps,
            "{} of {full_steps}",
            meter.steps()
        );
        for e in &entities {
            for m in &e.mentions {
                assert!(text[m.range()].ends_with(char::is_alphabetic), "{e:?}");
            }
        }
    }

    /// The rules on the mentions (step 3, with the surname passes) scored on a CoNLL file, against
    /// the tagger's spans alone: `NER_RULES_CONLL=../shared/data/conll2003/
    /// eng.testa cargo test --release --lib rules_on_conll -- --ignored
    /// --nocapture`. A report, not a choice: the rules were not tuned on it.
    #[test]
    #[ignore]
    fn rules_on_conll() {
        use crate::eval::ner::Score;
        use labels::{spans_from_iob, spans_from_labels};
        let Ok(path) = std::env::var("NER_RULES_CONLL") else {
            return;
        };
        let docs = crate::eval::conll::read(std::path::Path::new(&path)).expect("a CoNLL file");
        let stage = EntityStage::load().expect("the model is embedded");
        let (mut before, mut after) = (Score::default(), Score::default());
        let mut changed = Vec::new();
        let budget = crate::pipeline::Budget::unlimited();
        for doc in &docs {
            let mut text = String::new();
            let mut tokens = Vec::new();
            let mut firsts = Vec::new();
            for s in &doc.sentences {
                firsts.push(tokens.len());
                for w in &s.words {
                    tokens.push(Token {
                        start: text.len(),
                        end: text.len() + w.len(),
                    });
                    text.push_str(w);
                    text.push(' ');
                }
                text.push('\n');
            }
            let views: Vec<&[String]> = doc.sentences.iter().map(|s| s.words.as_slice()).collect();
            // With NER_RULES_GOLD set, the rules run on the gold spans: every
            // change they make is then a change away from the annotation.
            let tagged: Vec<Vec<labels::Label>> = if std::env::var_os("NER_RULES_GOLD").is_some() {
                doc.sentences
                    .iter()
                    .map(|s| labels::labels_from_spans(s.words.len(), &spans_from_iob(&s.tags)))
                    .collect()
            } else {
                stage.model.tag_document(stage.gazetteers, &views)
            };
            let mut mentions = Vec::new();
            for (&first, l) in firsts.iter().zip(&tagged) {
                for span in spans_from_labels(l) {
                    mentions.push(Mention {
                        span: Span::new(
                            tokens[first + span.first].start,
                            tokens[first + span.end - 1].end,
                        ),
                        kind: span.kind,
                        first_token: first + span.first,
                        end_token: first + span.end,
                    });
                }
            }
            stage.apply_name_rules(&text, &tokens, &mut mentions, &mut budget.meter());
            // The surname passes read the whole document, as in `recognize`.
            let sentences: Vec<Sentence> = firsts
                .iter()
                .zip(&doc.sentences)
                .map(|(&first, s)| Sentence {
                    first,
                    end: first + s.words.len(),
                })
                .collect();
            surnames::surnames(
                &text,
                &tokens,
                &sentences,
                &mut mentions,
                &mut budget.meter(),
            );
            for (k, (s, l)) in doc.sentences.iter().zip(&tagged).enumerate() {
                let (lo, hi) = (firsts[k], firsts[k] + s.words.len());
                let ruled: Vec<labels::TokenSpan> = mentions
                    .iter()
                    .filter(|m| m.first_token >= lo && m.end_token <= hi)
                    .map(|m| labels::TokenSpan {
                        first: m.first_token - lo,
                        end: m.end_token - lo,
                        kind: m.kind,
                    })
                    .collect();
                let gold = spans_from_iob(&s.tags);
                for r in ruled.iter().filter(|r| !gold.contains(r)) {
                    changed.push(format!(
                        "{:?} {}",
                        r.kind,
                        s.words[r.first..r.end].join(" ")
                    ));
                }
                before.add(&spans_from_labels(l), &gold);
                after.add(&ruled, &gold);
            }
        }
        eprintln!(
            "tagger alone:\n{}\nwith the rules:\n{}",
            before.table(),
            after.table()
        );
        if std::env::var_os("NER_RULES_GOLD").is_some() {
            for line in &changed {
                eprintln!("changed: {line}");
            }
        }
    }

    #[test]
    fn empty_and_odd_text_gives_no_entities_and_no_panic() {
        let stage = EntityStage::load().expect("the model is embedded");
        assert!(stage.recognize("").is_empty());
        assert!(stage.recognize("... !!! ???").is_empty());
        let _ = stage.recognize("ÄÖÜ «»„“ 日本語 \u{0}\u{FEFF}");
        // The rules on the mentions at the text's edges and with odd
        // characters: particles, credit labels, "Al", "of", codes.
        for text in [
            "bin",
            "Graphic:",
            "(Photo",
            "Al",
            "Al-",
            "al-Ä",
            "Ministry of",
            "Bank of É",
            ".IXIC",
            "Osama bin",
            "bin Laden",
            "de la",
            "Émile de la Étoile said",
            "Reporting by",
            "Al Qaeda",
            "Ministry of Defense and",
            "Nasdaq .Ä",
        ] {
            let _ = stage.recognize(text);
        }
    }
}
