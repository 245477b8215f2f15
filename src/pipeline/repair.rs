//! Repairs of the clean body text, made before any analysis reads it, so
//! that the stored text, the entities, quotes and dates all see the same
//! words: words glued together by a broken HTML-to-text step ("Putinand",
//! "Peskovcalled", "Zelenskywho") get their space back.
//!
//! Where to cut is the entity stage's knowledge
//! ([`EntityStage::glued_words`]): one part a name the article writes on
//! its own or the gazetteers know, the other an ordinary English word. So
//! the repair runs on English articles only (elsewhere an English word
//! inside a compound, "Berlinale", would read as glued), and never on a
//! text the caller sent with `skip_cleaning`. Every repair is reported as a
//! [`Correction`] with its span in the repaired text.

use super::budget::Meter;
use super::document::{Document, Span};
use super::entities::{EntityStage, GluedWord};

/// What kind of repair a [`Correction`] made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CorrectionKind {
    /// A space put back between words glued together.
    GluedWords,
}

/// One repair of the body text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    /// The repaired words in the record's text ("Putin and").
    pub span: Span,
    /// What the text had there before ("Putinand").
    pub original: String,
    /// The kind of repair.
    pub kind: CorrectionKind,
}

/// Whether glued words are repaired in an article of `language` (a BCP-47
/// tag): English only, the language of the word lists.
pub fn repairs_language(language: &str) -> bool {
    language
        .split('-')
        .next()
        .is_some_and(|l| l.eq_ignore_ascii_case("en"))
}

/// `document` with the glued words the entity stage finds split by a
/// space, and the corrections made. The paragraphs keep covering the same
/// words. Linear in the text; when the meter stops, the words found so far
/// are repaired.
pub fn repair_glued_words(
    stage: &EntityStage,
    document: Document,
    meter: &mut Meter<'_>,
) -> (Document, Vec<Correction>) {
    // Most articles have no glued word: a byte scan says so before any
    // tokenisation.
    if !may_have_glued_words(document.text()) {
        return (document, Vec::new());
    }
    let glued = stage.glued_words(document.text(), meter);
    if glued.is_empty() {
        return (document, Vec::new());
    }
    insert_spaces(document, &glued)
}

/// Whether `text` has a word that [`EntityStage::glued_words`] could cut:
/// a lower-case letter followed by a capital ("andRyan"), or a
/// capitalised word that ends in one of the words a name is cut from
/// ("Putinand"). A necessary condition, checked in one pass.
fn may_have_glued_words(text: &str) -> bool {
    use super::entities::{AFTER_NAME, BEFORE_NAME};
    let longest = AFTER_NAME.iter().map(|w| w.len()).max().unwrap_or(0);
    text.split(|c: char| !c.is_alphabetic()).any(|word| {
        let Some(first) = word.chars().next() else {
            return false;
        };
        let mut prev_lower = false;
        for (at, c) in word.char_indices() {
            if prev_lower && c.is_uppercase() && BEFORE_NAME.iter().any(|w| word[..at].ends_with(w))
            {
                return true;
            }
            prev_lower = c.is_lowercase();
        }
        first.is_uppercase()
            && word.len() > 4
            && word.len() <= longest + 64
            && AFTER_NAME
                .iter()
                .any(|w| word.len() > w.len() + 2 && word.ends_with(w))
    })
}

/// `document` with a space at every cut of `glued` (in text order, cuts
/// inside their word and on character boundaries).
fn insert_spaces(document: Document, glued: &[GluedWord]) -> (Document, Vec<Correction>) {
    let old = document.text();
    let cuts: usize = glued.iter().map(|g| g.cuts.len()).sum();
    let mut text = String::with_capacity(old.len() + cuts);
    let mut corrections = Vec::with_capacity(glued.len());
    let mut copied = 0;
    for word in glued {
        let Some(before) = old.get(copied..word.span.start) else {
            continue;
        };
        text.push_str(before);
        let start = text.len();
        let mut at = word.span.start;
        for &cut in &word.cuts {
            text.push_str(old.get(at..cut).unwrap_or_default());
            text.push(' ');
            at = cut;
        }
        text.push_str(old.get(at..word.span.end).unwrap_or_default());
        copied = word.span.end;
        corrections.push(Correction {
            span: Span::new(start, text.len()),
            original: old.get(word.span.range()).unwrap_or_default().to_string(),
            kind: CorrectionKind::GluedWords,
        });
    }
    text.push_str(old.get(copied..).unwrap_or_default());
    // A paragraph boundary moves by the spaces put in before it (cuts are
    // inside words, never on a boundary): one sweep over both lists.
    let all_cuts: Vec<usize> = glued.iter().flat_map(|g| g.cuts.iter().copied()).collect();
    let shifted = |pos: usize, k: &mut usize| {
        while *k < all_cuts.len() && all_cuts[*k] < pos {
            *k += 1;
        }
        pos + *k
    };
    let (mut k_start, mut k_end) = (0, 0);
    let paragraphs = document
        .paragraphs()
        .iter()
        .map(|p| Span::new(shifted(p.start, &mut k_start), shifted(p.end, &mut k_end)))
        .collect();
    (Document::new(text, paragraphs), corrections)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::Budget;

    fn stage() -> EntityStage {
        EntityStage::load().expect("entity stage loads")
    }

    fn repaired(text: &str) -> (Document, Vec<Correction>) {
        let paragraphs = crate::pipeline::normalize::paragraph_spans(text);
        let budget = Budget::unlimited();
        repair_glued_words(
            &stage(),
            Document::new(text.to_string(), paragraphs),
            &mut budget.meter(),
        )
    }

    #[test]
    fn glued_names_and_words_get_their_space_back() {
        let text = "Vladimir Putin met the envoy. Putinand his spokesman Dmitry Peskovcalled it useful.\n\nPresident Volodymyr Zelensky said Zelenskywho spoke first was right.";
        let (doc, corrections) = repaired(text);
        assert_eq!(
            doc.text(),
            "Vladimir Putin met the envoy. Putin and his spokesman Dmitry Peskov called it useful.\n\nPresident Volodymyr Zelensky said Zelensky who spoke first was right."
        );
        let got: Vec<(&str, &str)> = corrections
            .iter()
            .map(|c| (c.original.as_str(), doc.slice(c.span)))
            .collect();
        assert_eq!(
            got,
            [
                ("Putinand", "Putin and"),
                ("Peskovcalled", "Peskov called"),
                ("Zelenskywho", "Zelensky who")
            ]
        );
        // The paragraphs still cover their words.
        let paragraphs: Vec<&str> = doc.paragraphs().iter().map(|&p| doc.slice(p)).collect();
        assert!(paragraphs[0].ends_with("it useful."), "{paragraphs:?}");
        assert!(paragraphs[1].starts_with("President"), "{paragraphs:?}");
        assert!(paragraphs[1].ends_with("was right."), "{paragraphs:?}");
    }

    #[test]
    fn names_words_and_brands_stay_whole() {
        for text in [
            "Anderson and Johnson bought an iPhone at McDonald's in Holland; YouTube and LinkedIn were down. Jane Doe, who was there, said so.",
            // Compounds the entity stage cuts for tagging's sake, which the
            // stored text keeps (from a scan of the evaluation pages).
            "Coinbase and Docker users: the Dockerfile on macOS calls toString. Nostrand and Deutschland, Iraqis and Rabbits, Textphone, Foraging, Spiceland, Obamacare.",
        ] {
            let (doc, corrections) = repaired(text);
            assert_eq!(doc.text(), text);
            assert!(corrections.is_empty(), "{corrections:?}");
        }
        let (doc, _) = repaired("The talks were led by Jane Ryan. Officials andRyan agreed.");
        assert!(
            doc.text().ends_with("Officials and Ryan agreed."),
            "{}",
            doc.text()
        );
    }

    #[test]
    fn the_byte_scan_lets_every_glued_word_through() {
        for glued in [
            "Putinand",
            "Peskovcalled",
            "Zelenskywho",
            "andRyan",
            "itselfJavedsaid",
        ] {
            assert!(may_have_glued_words(&format!("x {glued}, y")), "{glued}");
        }
        assert!(!may_have_glued_words(
            "Jane Doe bought an iPhone in Paris, and the shop said so."
        ));
    }

    #[test]
    fn only_english_articles_are_repaired() {
        assert!(repairs_language("en"));
        assert!(repairs_language("en-GB"));
        assert!(!repairs_language("de"));
        assert!(!repairs_language("und"));
    }

    #[test]
    fn work_grows_linearly() {
        use crate::pipeline::html::scan::testing::{Shape, assert_linear};
        let stage = stage();
        let shapes: [Shape; 2] = [
            ("glued words", |n| {
                "Putin met them. Putinand ".repeat(n / 25)
            }),
            ("one long token", |n| "a".repeat(n)),
        ];
        for (what, shape) in shapes {
            let steps = |n: usize| {
                let text = shape(n);
                let budget = Budget::unlimited();
                let mut meter = budget.meter();
                let doc = Document::new(text.clone(), vec![Span::new(0, text.len())]);
                let (doc, _) = repair_glued_words(&stage, doc, &mut meter);
                (meter.steps(), doc.text().len() as u64)
            };
            let (s1, b1) = steps(20_000);
            let (s8, b8) = steps(160_000);
            assert_linear(&format!("{what}: steps"), s1, s8);
            assert_linear(&format!("{what}: bytes"), b1, b8);
        }
    }
}
