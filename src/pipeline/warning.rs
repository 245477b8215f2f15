//! Structured warnings of an enriched record: a machine-readable code, the
//! stage that raised it and a human-readable text. A caller detects a
//! partial record by its codes, never by matching the text.

/// What kind of thing a [`Warning`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WarningCode {
    /// The article's time budget ran out: the named stage was cut short
    /// (its output is partial) or skipped (its output is empty).
    TimeBudget,
    /// A list of the record reached its documented cap; the rest was
    /// dropped (see [`super::limits`]).
    ListCapped,
    /// The input went past a structural limit (HTML elements or nesting
    /// depth, a sentence or quote longer than the stage reads); the part
    /// past the limit was ignored or flattened.
    InputLimit,
    /// The input is malformed (an unclosed HTML comment or tag); the text
    /// after the fault was ignored.
    MalformedInput,
    /// Main-content extraction failed or found nothing; the page's whole
    /// text was kept.
    ExtractionFallback,
    /// The record was trimmed to fit the server's maximum response size.
    ResponseTrimmed,
}

impl WarningCode {
    /// The code's name, as in the API's `WarningCode` enum without its prefix.
    pub fn as_str(self) -> &'static str {
        match self {
            WarningCode::TimeBudget => "TIME_BUDGET",
            WarningCode::ListCapped => "LIST_CAPPED",
            WarningCode::InputLimit => "INPUT_LIMIT",
            WarningCode::MalformedInput => "MALFORMED_INPUT",
            WarningCode::ExtractionFallback => "EXTRACTION_FALLBACK",
            WarningCode::ResponseTrimmed => "RESPONSE_TRIMMED",
        }
    }
}

/// One warning of a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// What happened.
    pub code: WarningCode,
    /// The stage that raised it: `clean`, `html`, `repair`, `entities`,
    /// `quotes`, `dates`, `limits` or `response`.
    pub stage: &'static str,
    /// What happened, for people.
    pub message: String,
}

impl Warning {
    /// A warning of `code` raised by `stage`.
    pub fn new(code: WarningCode, stage: &'static str, message: impl Into<String>) -> Self {
        Warning {
            code,
            stage,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({}): {}",
            self.code.as_str(),
            self.stage,
            self.message
        )
    }
}
