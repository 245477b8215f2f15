//! Language identification of the clean text (whatlang trigram profiles)
//! and validation of the caller's BCP-47 language hint (RFC 5646).
//!
//! Detected languages are reported as BCP-47 primary language subtags: the
//! ISO 639-1 two-letter code where one exists, else the ISO 639-3 code
//! (mapping by isolang). Two of whatlang's languages are *individual*
//! languages of a macrolanguage that has a two-letter code, and are
//! reported under that code, as CLDR's language aliases do and as most
//! consumers expect: Mandarin `cmn` is `zh`, Iranian Persian `pes` is `fa`.

use isolang::Language;
use language_tags::LanguageTag;
use whatlang::Lang;

/// Version of the language-identification model, reported by the service.
pub const MODEL_VERSION: &str = "whatlang-0.18";

/// Most characters of the text the detector reads. A thousand characters
/// of body text decide the language as well as a whole article does, and
/// whatlang's cost grows with the sample (measured on the sample articles:
/// about 160 µs for 300 characters, 265 µs for 1,000, 290 µs for 2,000).
pub const MAX_CHARS: usize = 1_000;

/// Fewest letters (alphabetic characters) a text needs to be identified.
pub const MIN_LETTERS: usize = 10;

/// A detected language.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Detected {
    /// BCP-47 primary language subtag.
    pub tag: &'static str,
    /// whatlang's confidence, in `0.0..=1.0`.
    pub confidence: f64,
}

/// Identifies the language of `text` with whatlang; `None` when the text
/// has fewer than [`MIN_LETTERS`] letters or whatlang's result is not
/// reliable. Reads at most the first [`MAX_CHARS`] characters.
pub fn detect(text: &str) -> Option<Detected> {
    let end = text
        .char_indices()
        .nth(MAX_CHARS)
        .map_or(text.len(), |(i, _)| i);
    let sample = text.get(..end).unwrap_or(text);
    let letters = sample
        .chars()
        .filter(|c| c.is_alphabetic())
        .take(MIN_LETTERS)
        .count();
    if letters < MIN_LETTERS {
        return None;
    }
    let info = whatlang::detect(sample)?;
    if !info.is_reliable() {
        return None;
    }
    Some(Detected {
        tag: tag_of(info.lang()),
        confidence: info.confidence(),
    })
}

/// BCP-47 tags (ISO 639-1 two-letter where one exists, else the 639-3
/// code) of every language [`detect`] can return, sorted.
pub fn supported_languages() -> Vec<&'static str> {
    let mut tags: Vec<_> = Lang::all().iter().map(|&lang| tag_of(lang)).collect();
    tags.sort_unstable();
    tags.dedup();
    tags
}

/// Validates a caller's BCP-47 language hint (RFC 5646 well-formedness)
/// and returns it in canonical case (`"EN-us"` is `"en-US"`); the error is
/// a description of the problem.
pub fn parse_hint(tag: &str) -> Result<String, String> {
    LanguageTag::parse(tag)
        .map(LanguageTag::into_string)
        .map_err(|_| {
            format!(
                "{} is not a well-formed BCP-47 tag",
                crate::error::Echo(tag)
            )
        })
}

/// ISO 639-1 where it exists, else ISO 639-3 (see the module docs for the
/// two macrolanguage aliases).
fn tag_of(lang: Lang) -> &'static str {
    match lang.code() {
        "cmn" => "zh",
        "pes" => "fa",
        code => Language::from_639_3(code)
            .and_then(|l| l.to_639_1())
            .unwrap_or(code),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(text: &str) -> Option<&'static str> {
        detect(text).map(|d| d.tag)
    }

    #[test]
    fn detects_common_languages() {
        assert_eq!(
            tag(
                "The government announced on Monday that it would raise taxes on \
                 imported goods, a move that economists said could slow growth."
            ),
            Some("en")
        );
        assert_eq!(
            tag(
                "El gobierno anunció el lunes que subirá los impuestos a los productos \
                 importados, una medida que según los economistas podría frenar el crecimiento."
            ),
            Some("es")
        );
        assert_eq!(
            tag(
                "Die Regierung kündigte am Montag an, die Steuern auf importierte Waren \
                 zu erhöhen, was nach Ansicht von Ökonomen das Wachstum bremsen könnte."
            ),
            Some("de")
        );
        assert_eq!(
            tag(
                "Правительство объявило в понедельник, что повысит налоги на импортные \
                 товары, что, по мнению экономистов, может замедлить рост."
            ),
            Some("ru")
        );
        assert_eq!(
            tag("中华人民共和国国务院总理今天在北京会见了来访的外国代表团。"),
            Some("zh")
        );
    }

    #[test]
    fn confidence_is_reported() {
        let detected = detect("This is clearly an English sentence about the weather today.");
        assert!(detected.is_some_and(|d| d.tag == "en" && d.confidence > 0.9));
    }

    #[test]
    fn short_or_letterless_text_is_undecided() {
        assert_eq!(detect("x"), None);
        assert_eq!(detect(""), None);
        assert_eq!(detect("Hello"), None);
        assert_eq!(detect("12345 67890 !!! ??? 2024-01-01"), None);
    }

    #[test]
    fn long_text_is_sampled() {
        // Only the (Spanish) head is read.
        let text = "La ciudad amaneció cubierta de nieve y las escuelas cerraron. ".repeat(40)
            + &"The city woke up under snow and the schools were closed. ".repeat(200);
        assert_eq!(tag(&text), Some("es"));
    }

    #[test]
    fn supported_languages_are_sorted_tags() {
        let tags = supported_languages();
        assert_eq!(tags.len(), Lang::all().len());
        assert!(tags.windows(2).all(|w| w[0] < w[1]), "sorted and unique");
        for expected in ["en", "es", "de", "ru", "zh", "fa", "ar", "ja"] {
            assert!(tags.contains(&expected), "{expected}");
        }
        for tag in &tags {
            assert!(matches!(tag.len(), 2 | 3), "{tag}");
            assert_eq!(parse_hint(tag).as_deref(), Ok(*tag));
        }
    }

    #[test]
    fn hints_are_canonicalised() {
        assert_eq!(parse_hint("EN-us").as_deref(), Ok("en-US"));
        assert_eq!(parse_hint("zh-hant-tw").as_deref(), Ok("zh-Hant-TW"));
        assert_eq!(parse_hint("fr").as_deref(), Ok("fr"));
    }

    #[test]
    fn malformed_hints_are_rejected() {
        for bad in ["en_US", "", "123456789", "en--US", "english language"] {
            let err = parse_hint(bad).expect_err(bad);
            assert_eq!(err, format!("{bad:?} is not a well-formed BCP-47 tag"));
        }
        assert_eq!(
            parse_hint(&"x".repeat(500)).expect_err("too long"),
            format!(
                "{:?}…(500 bytes) is not a well-formed BCP-47 tag",
                "x".repeat(64)
            )
        );
    }
}
