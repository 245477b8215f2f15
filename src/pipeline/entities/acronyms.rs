//! Acronyms keep their capitals in canonical names: "EFE", "NATO", "AFP",
//! not "Efe" or "Nato". A single word of 2 to 5 letters written in capitals
//! (3 for a LOCATION, so a dateline's "KYIV" or "ROME" still becomes
//! "Kyiv", "Rome", while "UAE" stays; never for a PERSON, so "PUTIN"
//! becomes "Putin") is an acronym form. Merging prefers it over the same
//! word in another case ("Efe", "Nato"), and, when the article writes the
//! name only in lower case ("collected by efe"), takes the capitals of
//! the `news_agencies` gazetteer ("EFE"). Longer all-caps headline forms
//! ("VLADIMIR PUTIN", "INSTITUTE FOR THE STUDY OF WAR") are title-cased as
//! before.

use std::sync::LazyLock;

use rustc_hash::FxHashMap;

use super::types::EntityType;

/// Whether `form` is an acronym written in capitals for a group of type
/// `kind` (see the module documentation).
pub fn is_acronym_form(form: &str, kind: EntityType) -> bool {
    let max_letters = match kind {
        EntityType::Person => 0,
        EntityType::Location => 3,
        EntityType::Organization | EntityType::Misc => 5,
    };
    let letters = form.chars().filter(|c| c.is_alphabetic()).count();
    !form.contains(' ')
        && (2..=max_letters).contains(&letters)
        && form.chars().all(|c| !c.is_lowercase())
}

/// The capitals of a news agency's short form, by its lower-case form:
/// "efe" -> "EFE" (the all-caps one-word entries of the `news_agencies`
/// gazetteer).
pub fn agency_capitals(lower: &str) -> Option<&'static str> {
    static TABLE: LazyLock<FxHashMap<String, &'static str>> = LazyLock::new(|| {
        include_str!("../../../data/gazetteers/news_agencies.txt")
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter(|l| is_acronym_form(l, EntityType::Organization))
            .map(|l| (l.to_lowercase(), l))
            .collect()
    });
    TABLE.get(lower).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acronym_forms_by_type() {
        use EntityType::*;
        assert!(is_acronym_form("EFE", Organization));
        assert!(is_acronym_form("NATO", Organization));
        assert!(is_acronym_form("UAE", Location));
        assert!(!is_acronym_form("KYIV", Location));
        assert!(!is_acronym_form("PUTIN", Person));
        assert!(!is_acronym_form("Efe", Organization));
        assert!(!is_acronym_form("X", Organization));
        assert!(!is_acronym_form("REUTERS", Organization), "7 letters");
        assert_eq!(agency_capitals("efe"), Some("EFE"));
        assert_eq!(agency_capitals("reuters"), None);
    }

    #[test]
    fn canonical_names_keep_an_acronym_s_capitals() {
        use crate::pipeline::entities::merge::tests::run;
        use EntityType::*;
        let text = "EFE reported it, Efe said. Nato met; NATO agreed. Collected by efe. \
                    VLADIMIR PUTIN spoke.";
        let es = run(
            text,
            &[
                ("EFE", 0, Organization),
                ("Efe", 0, Organization),
                ("Nato", 0, Organization),
                ("NATO", 0, Organization),
                ("VLADIMIR PUTIN", 0, Person),
            ],
        );
        let names: Vec<&str> = es.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["EFE", "NATO", "Vladimir Putin"]);
        assert_eq!(es[1].aliases, ["Nato"]);
        // Only in lower case: the agency's capitals from the gazetteer.
        let es = run("Collected by efe.", &[("efe", 0, Organization)]);
        assert_eq!(es[0].name, "EFE");
    }
}
