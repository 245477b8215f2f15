//! Fuzz target `clean_text`: `normalize::clean_text` then
//! `cleaning::classify` on its paragraphs, as the pipeline runs them on
//! text input. The first byte selects the language, time zone, title hint
//! and whether block statistics apply (see `Flags`); the rest is the text
//! (lossy UTF-8).
//!
//! Asserts the documented output of `clean_text`: paragraphs are
//! non-empty char-boundary ranges in order, the text is exactly the
//! paragraphs joined by one blank line, no paragraph holds a line break,
//! a tab, a control character, a removed invisible character, a space
//! separator other than U+0020, a doubled space or surrounding white
//! space; cleaning the clean text again changes nothing. Of `classify`:
//! one verdict per block, and the dateline, when found, is a
//! char-boundary prefix of a body block.
#![no_main]

use libfuzzer_sys::fuzz_target;
use newsenrich::pipeline::cleaning::{self, Context, Verdict};
use newsenrich::pipeline::normalize::clean_text;
use newsenrich_fuzz::{Flags, assert_span, install_panic_hook};

/// Characters `clean_text` removes or replaces, which its output never holds.
fn is_forbidden(c: char) -> bool {
    matches!(
        c,
        '\u{FEFF}'
            | '\u{200B}'
            | '\u{200C}'
            | '\u{200D}'
            | '\u{2060}'
            | '\u{AD}'
            | '\t'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{85}'
    ) || (c.is_control() && c != '\n')
        || (c != ' ' && c != '\n' && is_space_separator(c))
}

/// General category Zs.
fn is_space_separator(c: char) -> bool {
    matches!(
        c,
        '\u{20}' | '\u{A0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}'
    )
}

fuzz_target!(
    init: install_panic_hook(),
    |data: &[u8]| {
        let (flags, content) = Flags::split(data);
        let input = String::from_utf8_lossy(content);
        let (clean, spans) = clean_text(&input);

        let mut joined = String::with_capacity(clean.len());
        for (i, span) in spans.iter().enumerate() {
            assert_span(&clean, *span, "paragraph");
            let p = &clean[span.range()];
            assert!(!p.is_empty(), "paragraph {i} is empty");
            assert_eq!(p.trim(), p, "paragraph {i} is not trimmed");
            assert!(!p.contains('\n'), "paragraph {i} holds a line break");
            assert!(!p.contains("  "), "paragraph {i} holds a doubled space");
            if let Some(c) = p.chars().find(|&c| is_forbidden(c)) {
                panic!("paragraph {i} holds {c:?}");
            }
            if i > 0 {
                joined.push_str("\n\n");
            }
            assert_eq!(span.start, joined.len(), "paragraph {i} does not follow a blank line");
            joined.push_str(p);
        }
        assert_eq!(joined, clean, "text is not the paragraphs joined by blank lines");

        let (again, again_spans) = clean_text(&clean);
        assert_eq!(again, clean, "cleaning the clean text changed it");
        assert_eq!(again_spans, spans, "cleaning the clean text moved its paragraphs");

        let blocks: Vec<&str> = spans.iter().map(|s| &clean[s.range()]).collect();
        let title_hint = if flags.skip_cleaning() { blocks.first().copied() } else { None };
        let cleaned = cleaning::classify(
            &blocks,
            &Context {
                language: flags.language().unwrap_or("und"),
                title_hint,
                time_zone: flags.time_zone(),
                statistics: flags.statistics(),
                model: cleaning::scorer::embedded(),
            },
        );
        assert_eq!(cleaned.verdicts.len(), blocks.len(), "one verdict per block");
        if let Some((at, len, _)) = &cleaned.dateline {
            assert!(*at < blocks.len(), "dateline in block {at} of {}", blocks.len());
            assert_eq!(cleaned.verdicts[*at], Verdict::Body, "dateline opens a non-body block");
            assert!(
                blocks[*at].is_char_boundary(*len) && *len <= blocks[*at].len(),
                "dateline length {len} is not a char-boundary prefix of {:?}",
                blocks[*at]
            );
        }
    }
);
