//! Names that begin with the Arabic article "Al" ("Al Qaeda", "Al
//! Jazeera", "Al Shabaab", "Al Ahly"): the tagger reads "Al" as the given
//! name of "Al Gore" and types them PERSON. The evidence that such a name
//! is not a person: the word after "Al" is not a known given name or
//! surname (the `given_names` and `surnames` gazetteers hold Gore and
//! Capone, not Qaeda or Jazeera), and the article never writes that word
//! on its own, as it would write a person's surname ("Sharpton said").
//! Such a PERSON mention, "Al X", "El X" or "Al-X", is an ORGANIZATION:
//! in news, names of this form that are not people are mostly groups,
//! broadcasters and clubs.

use rustc_hash::FxHashMap;

use super::types::{EntityType, Mention, Token};

/// The word after the article in a mention's text, if the mention is "Al
/// X", "El X", "Al-X" or "El-X" (any case of the article's first letter).
fn after_article(name: &str) -> Option<&str> {
    let rest = ["Al ", "El ", "Al-", "El-", "al-", "el-", "AL ", "EL "]
        .iter()
        .find_map(|article| name.strip_prefix(article))?;
    (!rest.contains(' ') && rest.chars().next().is_some_and(char::is_uppercase)).then_some(rest)
}

/// Retypes as ORGANIZATION every PERSON mention "Al X" whose X is not a
/// known name (`is_person_name`, case-insensitive: give it the lower-case
/// word) and is never a token of its own in the article, outside such a
/// name.
pub fn article_names_are_organisations(
    text: &str,
    tokens: &[Token],
    mentions: &mut [Mention],
    is_person_name: &dyn Fn(&str) -> bool,
) {
    let candidate = |m: &Mention| {
        m.kind == EntityType::Person && after_article(&text[m.span.range()]).is_some()
    };
    if !mentions.iter().any(candidate) {
        return;
    }
    // How often each word stands alone: not right after "Al"/"El".
    let mut alone: FxHashMap<&str, u32> = FxHashMap::default();
    for (i, t) in tokens.iter().enumerate() {
        let after_al = i > 0
            && matches!(
                tokens[i - 1].text(text).to_lowercase().as_str(),
                "al" | "el"
            );
        if !after_al {
            *alone.entry(t.text(text)).or_default() += 1;
        }
    }
    for m in mentions.iter_mut().filter(|m| candidate(m)) {
        let Some(word) = after_article(&text[m.span.range()]) else {
            continue;
        };
        if !is_person_name(&word.to_lowercase()) && !alone.contains_key(word) {
            m.kind = EntityType::Organization;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::entities::merge::tests::mention;
    use crate::pipeline::entities::tokens::tokenize;

    fn kinds(text: &str, names: &[&str]) -> Vec<EntityType> {
        let (tokens, _) = tokenize(text);
        let mut mentions: Vec<Mention> = names
            .iter()
            .map(|name| mention(text, &tokens, name, 0, EntityType::Person))
            .collect();
        let known = |w: &str| matches!(w, "gore" | "al");
        article_names_are_organisations(text, &tokens, &mut mentions, &known);
        mentions.iter().map(|m| m.kind).collect()
    }

    #[test]
    fn al_names_that_are_not_people_are_organisations() {
        use EntityType::*;
        let text = "Al Qaeda claimed the attack, Al Jazeera reported, citing al-Shabaab.";
        assert_eq!(
            kinds(text, &["Al Qaeda", "Al Jazeera", "al-Shabaab"]),
            [Organization, Organization, Organization]
        );
    }

    #[test]
    fn al_as_a_given_name_stays_a_person() {
        use EntityType::*;
        // A known surname.
        assert_eq!(kinds("Al Gore spoke.", &["Al Gore"]), [Person]);
        // An unknown one the article writes alone, as a surname.
        let text = "Al Sharpton led the march. Sharpton said it was peaceful.";
        assert_eq!(kinds(text, &["Al Sharpton"]), [Person]);
        // Not an "Al" name at all.
        assert_eq!(kinds("Alan Qaeda spoke.", &["Alan Qaeda"]), [Person]);
    }
}
