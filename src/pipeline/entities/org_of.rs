//! Organisation names that go on with "of", "for" or "and" and capitalised
//! words: "UK Ministry of Defense", "Bank of England", "University of
//! Michigan", "Ministry of Trade and Industry", "Institute for the Study
//! of War". The tagger sometimes closes the organisation before the
//! preposition ("UK Ministry") and leaves the rest untagged or as a
//! mention of its own ("Defense", "England" as a LOCATION). This rule
//! extends an ORGANIZATION mention whose last word is a word of
//! organisation names (the `org_words` gazetteer: Ministry, Bank,
//! University, Institute, Department, ...) over "of"/"for" (and an
//! optional "the") and the run of capitalised words after it, then over
//! "and" and more capitalised words, when no word of the run is in a
//! mention of another type (CoNLL-2003 annotates "Olympiakos of Greece",
//! "State Bank of Pakistan" and "Awami League of Prime Minister Sheikh
//! Hasina" as an organisation and a place or person); an organisation
//! mention that starts inside the run is absorbed. It runs on the mentions after the tagger, so the
//! tagger's own output (what `newsenrich eval ner` scores) is unchanged.

use super::types::{EntityType, Mention, Token};
use crate::pipeline::Span;

/// Most tokens an extension adds.
const MAX_EXTENSION: usize = 10;

/// Extends ORGANIZATION mentions as the module documentation says;
/// `is_org_word` tells a word of organisation names (give it the word as
/// written). `mentions` are in text order and stay so.
pub fn extend_organisations(
    text: &str,
    tokens: &[Token],
    mentions: &mut Vec<Mention>,
    is_org_word: &dyn Fn(&str) -> bool,
) {
    // The type of the mention holding each token.
    let mut held: Vec<Option<EntityType>> = vec![None; tokens.len()];
    for m in mentions.iter() {
        for h in held.iter_mut().take(m.end_token).skip(m.first_token) {
            *h = Some(m.kind);
        }
    }
    let mut out: Vec<Mention> = Vec::with_capacity(mentions.len());
    for &m in mentions.iter() {
        if let Some(last) = out.last()
            && m.first_token < last.end_token
        {
            // Absorbed by the extension of the mention before it.
            let last = out.last_mut().expect("checked");
            if m.end_token > last.end_token {
                last.end_token = m.end_token;
                last.span = Span::new(last.span.start, m.span.end);
            }
            continue;
        }
        let mut m = m;
        if m.kind == EntityType::Organization
            && m.end_token > 0
            && m.end_token <= tokens.len()
            && is_org_word(tokens[m.end_token - 1].text(text))
        {
            let end = extension_end(text, tokens, &held, m.end_token);
            if end > m.end_token {
                m.end_token = end;
                m.span = Span::new(m.span.start, tokens[end - 1].end);
            }
        }
        out.push(m);
    }
    *mentions = out;
}

/// The end of the "of X Y (and Z)" continuation starting at token `at`, or
/// `at` when there is none. A run of capitalised words that touches a
/// mention other than an ORGANIZATION (`held`: "Olympiakos of Greece",
/// "Awami League of Prime Minister Sheikh Hasina") ends the continuation
/// before its "of".
fn extension_end(text: &str, tokens: &[Token], held: &[Option<EntityType>], at: usize) -> usize {
    let other_type = |i: usize| held[i].is_some_and(|k| k != EntityType::Organization);
    let word = |i: usize| tokens.get(i).map_or("", |t| t.text(text));
    let capitalised = |i: usize| word(i).chars().next().is_some_and(char::is_uppercase);
    let same_line = |i: usize| !text[tokens[at - 1].end..tokens[i].start].contains('\n');
    let mut end = at;
    let mut i = at;
    let mut joined_of = false;
    while i < tokens.len() && i - at < MAX_EXTENSION {
        let joiner = match word(i) {
            "of" | "for" => true,
            "and" | "&" => joined_of,
            _ => false,
        };
        if !joiner {
            break;
        }
        let mut k = i + 1;
        if word(k) == "the" && word(i) != "and" {
            k += 1;
        }
        let run_start = k;
        while k < tokens.len() && capitalised(k) && same_line(k) && k - at < MAX_EXTENSION {
            k += 1;
        }
        if k == run_start || (run_start..k).any(other_type) {
            break;
        }
        joined_of = true;
        end = k;
        i = k;
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::entities::merge::tests::mention;
    use crate::pipeline::entities::tokens::tokenize;

    fn run(text: &str, specs: &[(&str, EntityType)]) -> Vec<String> {
        let (tokens, _) = tokenize(text);
        let mut mentions: Vec<Mention> = specs
            .iter()
            .map(|&(name, kind)| mention(text, &tokens, name, 0, kind))
            .collect();
        let org_word = |w: &str| matches!(w, "Ministry" | "Bank" | "University" | "Institute");
        extend_organisations(text, &tokens, &mut mentions, &org_word);
        mentions
            .iter()
            .map(|m| text[m.span.range()].to_string())
            .collect()
    }

    #[test]
    fn an_organisation_goes_on_over_of_and_capitalised_words() {
        use EntityType::*;
        assert_eq!(
            run(
                "The UK Ministry of Defense said on Friday.",
                &[("UK Ministry", Organization)]
            ),
            ["UK Ministry of Defense"]
        );
        assert_eq!(
            run(
                "The Bank of England raised rates.",
                &[("Bank", Organization)]
            ),
            ["Bank of England"]
        );
        assert_eq!(
            run(
                "the Ministry of Trade and Industry said",
                &[("Ministry", Organization)]
            ),
            ["Ministry of Trade and Industry"]
        );
        assert_eq!(
            run(
                "the Institute for the Study of War said",
                &[("Institute", Organization)]
            ),
            ["Institute for the Study of War"]
        );
    }

    #[test]
    fn other_organisations_and_lower_case_words_stay() {
        use EntityType::*;
        // Not a word of organisation names.
        assert_eq!(
            run("Gazprom of Russia said", &[("Gazprom", Organization)]),
            ["Gazprom"]
        );
        // A place or a person after "of".
        assert_eq!(
            run(
                "Olympiakos of Greece and the Awami League of Prime Minister Sheikh Hasina",
                &[
                    ("Olympiakos", Organization),
                    ("Greece", Location),
                    ("League", Organization),
                    ("Sheikh Hasina", Person),
                ]
            ),
            ["Olympiakos", "Greece", "League", "Sheikh Hasina"]
        );
        // Nothing capitalised after "of".
        assert_eq!(
            run("the Bank of last resort", &[("Bank", Organization)]),
            ["Bank"]
        );
        // "and" only after an "of" phrase.
        assert_eq!(
            run(
                "the Bank and Britain",
                &[("Bank", Organization), ("Britain", Location)]
            ),
            ["Bank", "Britain"]
        );
        // Not across a line break.
        assert_eq!(
            run("the Ministry of\nDefense", &[("Ministry", Organization)]),
            ["Ministry"]
        );
    }
}
