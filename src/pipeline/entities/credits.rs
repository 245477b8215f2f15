//! Credit lines are not names: "(Graphic: Jane Doe)", "(Photo: Reuters)",
//! "Reporting by Olena Harmash; Editing by Mark Heinrich". The label word
//! of such a line ("Graphic", "Photo", "Reporting") starts a line or
//! follows a bracket, `;`, `|` or `/`, and is followed by `:` or by the
//! word "by". The tagger, seeing a capitalised word before a name, may
//! type the label as part of a person ("Graphic" as PERSON); this rule
//! takes the label (and a `:` or "by" after it) out of every mention that
//! starts with it, and drops a mention that held nothing else. The name
//! after the label (the photographer, the reporter) stays.
//!
//! The labels are a small closed class of words newsrooms print in credit
//! and byline lines ([`CREDIT_LABELS`]); a label word elsewhere ("Graphic
//! designs were shown") is left alone.

use super::types::{Mention, Token};
use crate::pipeline::Span;

/// Words that label a credit or byline line, lower case.
pub const CREDIT_LABELS: &[&str] = &[
    "graphic",
    "graphics",
    "infographic",
    "photo",
    "photos",
    "photograph",
    "photographs",
    "photography",
    "picture",
    "pictures",
    "image",
    "images",
    "illustration",
    "illustrations",
    "video",
    "footage",
    "audio",
    "animation",
    "map",
    "chart",
    "design",
    "caption",
    "credit",
    "credits",
    "source",
    "sources",
    "reporting",
    "editing",
    "writing",
    "additional",
    "compiled",
    "produced",
    "research",
    "text",
];

/// Whether token `i` is the label word of a credit line: a credit label
/// (capitalised or all capitals), at the start of a line or after `(`,
/// `[`, `;`, `|` or `/`, followed by `:` or by "by" (after "Additional",
/// "reporting by").
pub fn is_credit_label(text: &str, tokens: &[Token], i: usize) -> bool {
    let Some(word) = tokens.get(i).map(|t| t.text(text)) else {
        return false;
    };
    if !word.chars().next().is_some_and(char::is_uppercase)
        || !CREDIT_LABELS.contains(&word.to_lowercase().as_str())
    {
        return false;
    }
    let before = text[..tokens[i].start].trim_end_matches([' ', '\t']);
    let starts_line = before.is_empty()
        || before.ends_with(['\n', '\r', '(', '[', ';', '|', '/'])
        || before.ends_with('.');
    let next = |k: usize| tokens.get(i + k).map(|t| t.text(text));
    let labelled = match next(1) {
        Some(":") | Some("by") => true,
        Some(w) if w.eq_ignore_ascii_case("reporting") => next(2) == Some("by"),
        _ => false,
    };
    starts_line && labelled
}

/// `mentions` without credit labels: a mention that starts with a label
/// word (see [`is_credit_label`]) loses it and the `:` or "by" after it; a
/// mention with nothing left is dropped.
pub fn remove_credit_labels(text: &str, tokens: &[Token], mentions: &mut Vec<Mention>) {
    mentions.retain_mut(|m| {
        let mut first = m.first_token;
        while first < m.end_token && is_credit_label(text, tokens, first) {
            first += 1;
            while first < m.end_token
                && matches!(
                    tokens[first].text(text),
                    ":" | "by" | "reporting" | "Reporting"
                )
            {
                first += 1;
            }
        }
        if first == m.first_token {
            return true;
        }
        if first >= m.end_token {
            return false;
        }
        m.first_token = first;
        m.span = Span::new(tokens[first].start, m.span.end);
        true
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::entities::merge::tests::mention;
    use crate::pipeline::entities::tokens::tokenize;
    use crate::pipeline::entities::types::EntityType;

    fn labels(text: &str) -> Vec<&str> {
        let (tokens, _) = tokenize(text);
        (0..tokens.len())
            .filter(|&i| is_credit_label(text, &tokens, i))
            .map(|i| tokens[i].text(text))
            .collect()
    }

    #[test]
    fn credit_labels_are_found_by_their_place_and_punctuation() {
        assert_eq!(labels("Prices rose. (Graphic: Jane Doe)"), ["Graphic"]);
        assert_eq!(labels("(Photo: Reuters)"), ["Photo"]);
        assert_eq!(labels("Graphic: Jane Doe"), ["Graphic"]);
        assert_eq!(
            labels("Reporting by Olena Harmash; Editing by Mark Heinrich"),
            ["Reporting", "Editing"]
        );
        assert_eq!(
            labels("Additional reporting by Tom Balmforth"),
            ["Additional"]
        );
        assert!(labels("Graphic designs by Ann Lee were shown").is_empty());
        assert!(labels("He saw the Photo: it was old").is_empty());
    }

    #[test]
    fn a_credit_label_is_taken_out_of_the_mention_it_starts() {
        let text = "Kyiv was shelled. (Graphic: Jane Doe)\nReporting by Olena Harmash";
        let (tokens, _) = tokenize(text);
        let mut mentions: Vec<Mention> = ["Graphic", "Jane Doe", "Reporting by Olena Harmash"]
            .iter()
            .map(|name| mention(text, &tokens, name, 0, EntityType::Person))
            .collect();
        remove_credit_labels(text, &tokens, &mut mentions);
        let names: Vec<&str> = mentions.iter().map(|m| &text[m.span.range()]).collect();
        assert_eq!(names, ["Jane Doe", "Olena Harmash"]);
    }
}
