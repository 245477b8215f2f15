//! Shared code of the fuzz targets: how a target reads its input (a flag
//! byte, then the content), the one pipeline the whole-pipeline targets
//! share, the panic hook, and the invariant checks every target asserts.
//!
//! The checks panic (and so make libFuzzer report a crash) when an
//! invariant of the library is broken:
//! - every span of a record is a range of `document.text()` on character
//!   boundaries, and the record's message gives, in each of the three
//!   offset encodings, spans that slice the text to the same string;
//! - every list of a record is within its cap in [`newsenrich::pipeline::limits`];
//! - the pipeline returns within its time budget plus a margin (CPU time
//!   of the thread, see [`check_time`]);
//! - a rejected request is `InvalidArgument` with a well-formed field path
//!   and a message of bounded length.

use std::sync::{LazyLock, Once};
use std::time::Duration;

use chrono_tz::Tz;
use newsenrich::api::convert;
use newsenrich::api::v1;
use newsenrich::error::Error;
use newsenrich::pipeline::budget::CancelFlag;
use newsenrich::pipeline::limits;
use newsenrich::pipeline::{
    ArticleInput, Budget, Content, EnrichOptions, Enriched, Enricher, Feature, Features,
    OffsetEncoding, Pipeline, PipelineConfig, Span, WarningCode,
};

/// Time budget of one article in the whole-pipeline targets.
pub const BUDGET: Duration = Duration::from_secs(2);

/// Slack on top of the budget before a run counts as over it: stages look
/// at the clock every `Meter::STRIDE` steps, and the machine is shared.
pub const BUDGET_MARGIN: Duration = Duration::from_secs(1);

/// Longest `Display` of a request error, in bytes: the field path plus a
/// problem that echoes at most a short prefix of the caller's value.
pub const MAX_ERROR_MESSAGE_BYTES: usize = 512;

/// The pipeline of the whole-pipeline targets, loaded once per process.
pub static PIPELINE: LazyLock<Pipeline> =
    LazyLock::new(|| Pipeline::new(PipelineConfig::default()).expect("pipeline loads"));

/// What the first byte of an input selects. The rest of the input is the
/// content, so a mutation of the first byte explores the options and the
/// seeds (`fuzz/seed-corpora` prepends a zero byte) start from defaults.
#[derive(Debug, Clone, Copy)]
pub struct Flags(pub u8);

impl Flags {
    /// Splits an input into its flag byte and its content bytes.
    pub fn split(data: &[u8]) -> (Flags, &[u8]) {
        match data.split_first() {
            Some((&f, rest)) => (Flags(f), rest),
            None => (Flags(0), &[]),
        }
    }

    fn bit(self, n: u8) -> bool {
        self.0 & (1 << n) != 0
    }

    /// Language of the article: the hint given to the pipeline, or the
    /// language the cleaner is told (`None`: identify it).
    pub fn language(self) -> Option<&'static str> {
        match self.0 & 0b11 {
            0 => None,
            1 => Some("en"),
            2 => Some("de"),
            _ => Some("zh-Hant"),
        }
    }

    /// Whether the caller gave a publication time (2023-02-25T00:00:00Z).
    pub fn published(self) -> bool {
        !self.bit(2)
    }

    /// The article's time zone.
    pub fn time_zone(self) -> Tz {
        let name = if self.bit(3) { "Asia/Kolkata" } else { "" };
        convert::parse_time_zone(name).expect("known zone")
    }

    /// Text kept as given (`skip_cleaning`), for text input.
    pub fn skip_cleaning(self) -> bool {
        self.bit(4)
    }

    /// A spent budget (zero), so every budget path runs.
    pub fn zero_budget(self) -> bool {
        self.bit(5)
    }

    /// Quotes alone (the entity stage runs for the speakers, its entities
    /// are not returned), instead of every feature.
    pub fn quotes_only(self) -> bool {
        self.bit(6)
    }

    /// Block statistics on, for the cleaner target.
    pub fn statistics(self) -> bool {
        !self.bit(7)
    }
}

/// Installs a panic hook that aborts (a crash for libFuzzer) on every
/// panic except those raised inside the `trafilatura` crate, which
/// `html::main_content` catches on purpose (one bad page must not take the
/// service down); those are printed and counted, and the run goes on.
/// libfuzzer-sys's own hook aborts on every panic, caught or not.
pub fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let trace = std::backtrace::Backtrace::force_capture().to_string();
            if trace.contains("trafilatura::") && trace.contains("main_content") {
                eprintln!(
                    "tolerated panic inside trafilatura (caught by html::main_content): {info}"
                );
                return;
            }
            eprintln!("{info}\n{trace}");
            std::process::abort();
        }));
    });
}

/// Asserts that `span` is a char-boundary range of `text`.
pub fn assert_span(text: &str, span: Span, what: &str) {
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "{what}: span {span:?} outside the text of {} bytes",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{what}: span {span:?} not on character boundaries"
    );
}

/// Every span of `record`, with a name for messages.
pub fn spans(record: &Enriched) -> Vec<(String, Span)> {
    let mut out = Vec::new();
    for (i, &p) in record.document.paragraphs().iter().enumerate() {
        out.push((format!("paragraphs[{i}]"), p));
    }
    for (i, e) in record.entities.iter().enumerate() {
        for (j, &m) in e.mentions.iter().enumerate() {
            out.push((format!("entities[{i}].mentions[{j}]"), m));
        }
    }
    for (i, q) in record.quotes.iter().enumerate() {
        out.push((format!("quotes[{i}].span"), q.span));
        if let Some(s) = q.speaker_span {
            out.push((format!("quotes[{i}].speaker_span"), s));
        }
        if let Some(s) = q.cue_span {
            out.push((format!("quotes[{i}].cue_span"), s));
        }
        if let Some(by) = &q.reported_by {
            out.push((format!("quotes[{i}].reported_by.span"), by.span));
        }
    }
    for (i, d) in record.dates.iter().enumerate() {
        out.push((format!("dates[{i}]"), d.span));
    }
    for (i, c) in record.corrections.iter().enumerate() {
        out.push((format!("corrections[{i}]"), c.span));
    }
    out
}

/// Asserts every invariant of an enriched record: spans, order, caps,
/// speaker links, and the spans of its message in all three encodings.
pub fn check_record(record: &Enriched) {
    let text = record.document.text();
    let spans = spans(record);
    for (what, span) in &spans {
        assert_span(text, *span, what);
    }
    // Paragraphs are in text order and do not overlap.
    for pair in record.document.paragraphs().windows(2) {
        assert!(
            pair[0].end <= pair[1].start,
            "paragraphs out of order: {pair:?}"
        );
    }
    for pair in record.quotes.windows(2) {
        assert!(
            pair[0].span.start <= pair[1].span.start,
            "quotes out of text order: {:?} then {:?}",
            pair[0].span,
            pair[1].span
        );
    }
    for pair in record.dates.windows(2) {
        assert!(
            pair[0].span.start <= pair[1].span.start,
            "dates out of text order: {:?} then {:?}",
            pair[0].span,
            pair[1].span
        );
    }
    check_caps(record);
    for encoding in [
        OffsetEncoding::Utf8,
        OffsetEncoding::CodePoints,
        OffsetEncoding::Utf16,
    ] {
        check_message(record, &spans, encoding);
    }
}

/// Asserts that every list of `record` is within its documented cap.
pub fn check_caps(record: &Enriched) {
    let chars = |s: &str| s.chars().count();
    assert!(record.entities.len() <= limits::MAX_ENTITIES);
    for e in &record.entities {
        assert!(e.mentions.len() <= limits::MAX_MENTIONS_PER_ENTITY);
        assert!(e.aliases.len() <= limits::MAX_ALIASES_PER_ENTITY);
        assert!(e.roles.len() <= limits::MAX_ALIASES_PER_ENTITY);
    }
    assert!(record.quotes.len() <= limits::MAX_QUOTES);
    for q in &record.quotes {
        assert!(chars(&q.text) <= limits::MAX_QUOTE_CHARS);
    }
    assert!(record.dates.len() <= limits::MAX_DATES);
    assert!(record.removed.len() <= limits::MAX_REMOVED_BLOCKS);
    assert!(record.corrections.len() <= limits::MAX_CORRECTIONS);
    for c in &record.corrections {
        // A repair only puts spaces back: the original is the repaired
        // words without them.
        let repaired = &record.document.text()[c.span.range()];
        assert_eq!(repaired.replace(' ', ""), c.original, "{c:?}");
    }
    for r in &record.removed {
        assert!(chars(&r.text) <= limits::MAX_REMOVED_BLOCK_CHARS);
    }
    assert!(record.authors.len() <= limits::MAX_AUTHORS);
    assert!(record.warnings.len() <= limits::MAX_WARNINGS);
    for q in &record.quotes {
        if let Some(id) = &q.speaker_entity_id {
            assert!(
                record.entities.iter().any(|e| &e.id == id),
                "speaker link {id} names no entity of the record"
            );
        }
    }
}

/// Offsets of every character boundary of `text` in `encoding`: entry `b`
/// is the offset of byte `b` (meaningful on boundaries only).
fn offsets(text: &str, encoding: OffsetEncoding) -> Vec<u32> {
    let mut out = vec![0u32; text.len() + 1];
    let mut at = 0u32;
    for (b, c) in text.char_indices() {
        out[b] = at;
        at += match encoding {
            OffsetEncoding::Utf8 => c.len_utf8() as u32,
            OffsetEncoding::CodePoints => 1,
            OffsetEncoding::Utf16 => c.len_utf16() as u32,
        };
    }
    out[text.len()] = at;
    out
}

/// Converts `record` to its message in `encoding` and asserts that its
/// spans are exactly the record's, counted in that unit, and that the texts
/// it carries (mentions, dates) are the slices of its text.
fn check_message(record: &Enriched, spans: &[(String, Span)], encoding: OffsetEncoding) {
    let mut record = record.clone();
    record.offset_encoding = encoding;
    let message = convert::enriched_to_proto(&record);
    let text = record.document.text();
    assert_eq!(message.text, text, "message text differs from the document");
    let table = offsets(text, encoding);
    let expect = |s: Span| v1::TextSpan {
        start: table[s.start],
        end: table[s.end],
    };
    let mut got: Vec<v1::TextSpan> = message.paragraphs.clone();
    for e in &message.entities {
        for m in &e.mentions {
            got.push(m.span.expect("mention span"));
        }
    }
    for q in &message.quotes {
        got.push(q.span.expect("quote span"));
        got.extend(q.speaker_span);
        got.extend(q.cue_span);
        got.extend(q.reported_by.as_ref().and_then(|by| by.span));
    }
    for d in &message.dates {
        got.push(d.span.expect("date span"));
    }
    for c in &message.corrections {
        got.push(c.span.expect("correction span"));
    }
    assert_eq!(got.len(), spans.len(), "{encoding:?}: span count");
    for ((what, span), got) in spans.iter().zip(&got) {
        assert_eq!(*got, expect(*span), "{encoding:?}: {what}");
        // Back to bytes through the document's own index.
        let doc = &record.document;
        assert_eq!(
            doc.byte_offset(got.start, encoding),
            Some(span.start),
            "{encoding:?}: {what} start back to bytes"
        );
        assert_eq!(
            doc.byte_offset(got.end, encoding),
            Some(span.end),
            "{encoding:?}: {what} end back to bytes"
        );
    }
    for (e, m) in record.entities.iter().zip(&message.entities) {
        for (&s, mm) in e.mentions.iter().zip(&m.mentions) {
            assert_eq!(mm.text, &text[s.range()]);
        }
    }
    for (d, m) in record.dates.iter().zip(&message.dates) {
        assert_eq!(m.text, &text[d.span.range()]);
    }
}

/// Asserts that a request error is `InvalidArgument` (by the gRPC mapping
/// too), with a field path that starts at one of `roots` and is made of
/// `name` or `name[index]` segments, and a message of bounded length.
pub fn check_request_error(err: &Error, roots: &[&str]) {
    let Error::InvalidArgument {
        field,
        problem,
        reason,
    } = err
    else {
        panic!("request error is not InvalidArgument: {err:?}");
    };
    assert!(
        !reason.is_empty()
            && reason
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'),
        "reason {reason:?} is not UPPER_SNAKE_CASE"
    );
    assert_eq!(
        convert::grpc_code(err),
        tonic::Code::InvalidArgument,
        "{err:?}"
    );
    assert!(
        roots.iter().any(|r| field == r
            || field
                .strip_prefix(r)
                .is_some_and(|rest| rest.starts_with('.'))),
        "field path {field:?} does not start at {roots:?}"
    );
    for segment in field.split('.') {
        let name = match segment.split_once('[') {
            Some((name, index)) => {
                let digits = index.strip_suffix(']').unwrap_or("x");
                assert!(
                    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()),
                    "bad index in field path {field:?}"
                );
                name
            }
            None => segment,
        };
        assert!(
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
            "bad segment {segment:?} in field path {field:?}"
        );
    }
    assert!(!problem.is_empty(), "empty problem for {field}");
    let message = err.to_string();
    assert!(
        message.len() <= MAX_ERROR_MESSAGE_BYTES,
        "error message of {} bytes (over {MAX_ERROR_MESSAGE_BYTES}): {:?}",
        message.len(),
        message.chars().take(200).collect::<String>()
    );
    let status = convert::to_status(err);
    assert_eq!(status.message(), message);
}

/// Enriches `content` with the options `flags` select, under [`BUDGET`]
/// (or a spent budget), and asserts every invariant of the outcome.
pub fn enrich_and_check(content: Content, flags: Flags) {
    use chrono::TimeZone;
    let article = ArticleInput {
        id: "fuzz".to_owned(),
        url: None,
        title: None,
        content,
        published_at: flags
            .published()
            .then(|| chrono::Utc.with_ymd_and_hms(2023, 2, 25, 0, 0, 0).unwrap()),
        language: flags.language().map(str::to_owned),
        time_zone: flags.time_zone(),
    };
    let features = if flags.quotes_only() {
        [Feature::Quotes].into_iter().collect()
    } else {
        Features::all()
    };
    let options = EnrichOptions {
        offset_encoding: OffsetEncoding::CodePoints,
        skip_cleaning: flags.skip_cleaning() && matches!(article.content, Content::Text(_)),
        features,
    };
    let limit = if flags.zero_budget() {
        Duration::ZERO
    } else {
        BUDGET
    };
    let pipeline = &*PIPELINE;
    let cpu_started = thread_cpu_time();
    let budget = Budget::new(Some(limit), CancelFlag::new());
    let result = pipeline.enrich(&article, &options, &budget);
    let elapsed = budget.elapsed();
    match result {
        Ok(record) => {
            check_record(&record);
            if flags.quotes_only() {
                assert!(record.entities.is_empty(), "entities returned unasked");
                assert!(record.dates.is_empty(), "dates returned unasked");
            }
            if flags.zero_budget() {
                assert!(
                    record
                        .warnings
                        .iter()
                        .any(|w| w.code == WarningCode::TimeBudget),
                    "a spent budget gave no TIME_BUDGET warning: {:?}",
                    record.warnings
                );
                assert!(record.entities.is_empty() && record.quotes.is_empty());
                assert!(record.dates.is_empty());
            }
        }
        Err(err) => {
            assert!(
                matches!(err, Error::InvalidArgument { .. })
                    && article.content.as_str().trim().is_empty(),
                "enrich failed on non-blank content: {err:?}"
            );
            check_request_error(&err, &["text", "html"]);
        }
    }
    check_time(cpu_started, elapsed, limit);
}

/// CPU time of the calling thread.
pub fn thread_cpu_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant
    // Linux supports.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// Asserts that one call kept to its time budget `limit` plus
/// [`BUDGET_MARGIN`]. The work is measured in CPU time of this thread (the
/// pipeline is single-threaded), which a loaded machine does not inflate:
/// wall time on a shared machine can stall for seconds and would report
/// overruns that are not there. A CPU time over the limit means a wall time
/// over it too, so an overrun found this way is real. Setting
/// `NEWSENRICH_FUZZ_WALL_TIME=1` checks wall time instead (an idle machine).
pub fn check_time(cpu_started: Duration, wall: Duration, limit: Duration) {
    let cpu = thread_cpu_time().saturating_sub(cpu_started);
    assert!(
        cpu <= limit + BUDGET_MARGIN,
        "the call used {cpu:?} of CPU, over its budget of {limit:?} plus {BUDGET_MARGIN:?}"
    );
    if std::env::var_os("NEWSENRICH_FUZZ_WALL_TIME").is_some() {
        assert!(
            wall <= limit + BUDGET_MARGIN,
            "the call took {wall:?}, over its budget of {limit:?} plus {BUDGET_MARGIN:?}"
        );
    }
}
