//! The library's error type, the machine-readable reasons that go with it,
//! and [`Echo`], the one way to quote caller input in an error message or a
//! log line. Every failure a caller can see is an [`Error`]; the API maps it
//! to a gRPC status (code, message, google.rpc details) in exactly one place,
//! `api::convert::to_status` (and `article_error` for one article of a batch
//! or stream).

use std::borrow::Cow;
use std::fmt;

/// What went wrong while serving an article or a call.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The request is malformed; `field` names the offending field
    /// (`article.time_zone`, `articles[3].text`, ...).
    #[error("{}", field_problem(.field, .problem))]
    InvalidArgument {
        /// Path of the field in the request, proto field names joined by
        /// dots, zero-based indexes in brackets (google.rpc.BadRequest's
        /// form); empty when the fault is in no one field (a message that
        /// is not protobuf at all, a malformed header).
        field: String,
        /// What is wrong with it.
        problem: String,
        /// Why, for programs: one of the [`reason`] constants.
        reason: &'static str,
    },
    /// The server has no room for more work right now; retry later.
    #[error("server overloaded: {0}")]
    Overloaded(Cow<'static, str>),
    /// A request message over the server's size limit. Unlike overload,
    /// retrying the same message cannot succeed.
    #[error(
        "the request message is {}over this server's limit of {limit} bytes (GetServiceInfo: limits.max_message_bytes)",
        size.map(|n| format!("{n} bytes, ")).unwrap_or_default()
    )]
    MessageTooLarge {
        /// Its size, when known before decompression.
        size: Option<usize>,
        /// The limit.
        limit: usize,
    },
    /// No method of this server has this path.
    #[error("unknown method {}", Echo(.0))]
    UnknownMethod(String),
    /// A unary call whose request body held no message: the gRPC spec's
    /// request cardinality violation.
    #[error(
        "the request body holds no message, but this method takes exactly one (request cardinality violation)"
    )]
    MissingRequestMessage,
    /// The caller's deadline passed before the work finished.
    #[error("deadline exceeded after {0} ms")]
    DeadlineExceeded(u128),
    /// The caller cancelled, so the work was dropped.
    #[error("cancelled by the caller")]
    Cancelled,
    /// The server is shutting down and takes no new work.
    #[error("server is shutting down; retry on another instance")]
    ShuttingDown,
    /// The server began shutting down while a stream was open: every
    /// request it had read was answered, the rest were not read.
    #[error(
        "server is shutting down: all {answered} articles received were answered; send the rest to another instance"
    )]
    StreamShutDown {
        /// Requests read from the stream, all answered.
        answered: usize,
    },
    /// The server has started but its pipeline is still loading.
    #[error("server is not ready yet: the pipeline is still loading")]
    NotReady,
    /// The reply would exceed the server's maximum response size even with
    /// its record trimmed (see `server::reply`).
    #[error(
        "the reply would be {bytes} bytes even after trimming, over the maximum response size of {limit} bytes"
    )]
    ResponseTooLarge {
        /// Size the reply would have, in bytes.
        bytes: usize,
        /// The maximum response size, in bytes.
        limit: usize,
    },
    /// A bug: a panic or a broken invariant while enriching one article.
    #[error("internal error: {0}")]
    Internal(String),
    /// A compressed request message that does not decompress, or the
    /// compressed flag without `grpc-encoding`: the caller's fault, but
    /// the gRPC compression spec answers it with INTERNAL.
    #[error("{0}")]
    Compression(String),
}

/// The `reason` of google.rpc.ErrorInfo (and of BadRequest field
/// violations) for each kind of error, in the `newsenrich.v1` domain
/// ([`DOMAIN`]). UPPER_SNAKE_CASE, at most 63 characters (AIP-193).
/// Clients may branch on these; they do not change within `v1`.
pub mod reason {
    /// A required field is absent (`article`, the `text`/`html` content).
    pub const FIELD_MISSING: &str = "FIELD_MISSING";
    /// The content is empty or only white space.
    pub const FIELD_EMPTY: &str = "FIELD_EMPTY";
    /// `time_zone` is not an IANA time-zone name.
    pub const UNKNOWN_TIME_ZONE: &str = "UNKNOWN_TIME_ZONE";
    /// `language` is not a well-formed BCP-47 tag.
    pub const INVALID_LANGUAGE_TAG: &str = "INVALID_LANGUAGE_TAG";
    /// `published_at` is outside 0001-01-01..9999-12-31 or has bad nanos.
    pub const INVALID_TIMESTAMP: &str = "INVALID_TIMESTAMP";
    /// An enum field holds a number the API does not define.
    pub const UNKNOWN_ENUM_VALUE: &str = "UNKNOWN_ENUM_VALUE";
    /// Options that cannot go together (FEATURE_NONE with others, HTML
    /// with `skip_cleaning`).
    pub const CONFLICTING_OPTIONS: &str = "CONFLICTING_OPTIONS";
    /// The article content is over `--max-article-bytes`.
    pub const ARTICLE_TOO_LARGE: &str = "ARTICLE_TOO_LARGE";
    /// A batch has more articles than `--max-batch-size`.
    pub const BATCH_TOO_LARGE: &str = "BATCH_TOO_LARGE";
    /// Any other bad field value.
    pub const INVALID_FIELD: &str = "INVALID_FIELD";
    /// The request message is not valid protobuf for its type.
    pub const MALFORMED_MESSAGE: &str = "MALFORMED_MESSAGE";
    /// A string field of the request message is not valid UTF-8.
    pub const INVALID_UTF8: &str = "INVALID_UTF8";
    /// The request body ends inside a message.
    pub const TRUNCATED_MESSAGE: &str = "TRUNCATED_MESSAGE";
    /// The `grpc-timeout` header is malformed.
    pub const INVALID_TIMEOUT: &str = "INVALID_TIMEOUT";
    /// A request message is over `--max-message-bytes`; not retryable as is.
    pub const MESSAGE_TOO_LARGE: &str = "MESSAGE_TOO_LARGE";
    /// A record does not fit in `--max-response-bytes` even trimmed; not
    /// retryable as is.
    pub const RESPONSE_TOO_LARGE: &str = "RESPONSE_TOO_LARGE";
    /// Too many articles in flight; retry after the RetryInfo delay.
    pub const OVERLOADED: &str = "OVERLOADED";
    /// The pipeline is still loading; retry after the RetryInfo delay.
    pub const NOT_READY: &str = "NOT_READY";
    /// Shutdown has begun; retry on another instance.
    pub const SHUTTING_DOWN: &str = "SHUTTING_DOWN";
    /// The caller's deadline passed.
    pub const DEADLINE_EXCEEDED: &str = "DEADLINE_EXCEEDED";
    /// The caller went away.
    pub const CANCELLED: &str = "CANCELLED";
    /// A bug in this server.
    pub const INTERNAL_ERROR: &str = "INTERNAL_ERROR";
    /// No such method on this server.
    pub const UNKNOWN_METHOD: &str = "UNKNOWN_METHOD";
    /// A compressed request message that does not decompress (INTERNAL,
    /// as the gRPC compression spec requires).
    pub const COMPRESSION_ERROR: &str = "COMPRESSION_ERROR";
    /// A unary call whose body held no request message.
    pub const MISSING_REQUEST_MESSAGE: &str = "MISSING_REQUEST_MESSAGE";
}

/// The google.rpc.ErrorInfo domain of every error of this API.
pub const DOMAIN: &str = "newsenrich.v1";

impl Error {
    /// An [`Error::InvalidArgument`] for `field` with the generic reason
    /// [`reason::INVALID_FIELD`].
    pub fn invalid(field: impl Into<String>, problem: impl Into<String>) -> Self {
        Self::invalid_because(reason::INVALID_FIELD, field, problem)
    }

    /// An [`Error::InvalidArgument`] for `field` with a specific reason.
    pub fn invalid_because(
        reason: &'static str,
        field: impl Into<String>,
        problem: impl Into<String>,
    ) -> Self {
        Error::InvalidArgument {
            field: field.into(),
            problem: problem.into(),
            reason,
        }
    }

    /// Prefixes the field path of an [`Error::InvalidArgument`] with
    /// `prefix` (e.g. `article` or `articles[3]`); other errors pass through.
    pub fn in_field(self, prefix: &str) -> Self {
        match self {
            Error::InvalidArgument {
                field,
                problem,
                reason,
            } => Error::InvalidArgument {
                field: format!("{prefix}.{field}"),
                problem,
                reason,
            },
            other => other,
        }
    }

    /// The google.rpc.ErrorInfo reason of this error.
    pub fn reason(&self) -> &'static str {
        match self {
            Error::InvalidArgument { reason, .. } => reason,
            Error::Overloaded(_) => reason::OVERLOADED,
            Error::MessageTooLarge { .. } => reason::MESSAGE_TOO_LARGE,
            Error::ResponseTooLarge { .. } => reason::RESPONSE_TOO_LARGE,
            Error::UnknownMethod(_) => reason::UNKNOWN_METHOD,
            Error::MissingRequestMessage => reason::MISSING_REQUEST_MESSAGE,
            Error::DeadlineExceeded(_) => reason::DEADLINE_EXCEEDED,
            Error::Cancelled => reason::CANCELLED,
            Error::ShuttingDown | Error::StreamShutDown { .. } => reason::SHUTTING_DOWN,
            Error::NotReady => reason::NOT_READY,
            Error::Internal(_) => reason::INTERNAL_ERROR,
            Error::Compression(_) => reason::COMPRESSION_ERROR,
        }
    }
}

/// `FIELD: PROBLEM`, or the problem alone when no field is at fault.
fn field_problem(field: &str, problem: &str) -> String {
    if field.is_empty() {
        problem.to_owned()
    } else {
        format!("{field}: {problem}")
    }
}

/// Caller input quoted in an error message or a log line, bounded: the
/// first [`Echo::MAX_CHARS`] characters, Rust-quoted (control characters
/// escaped), then `…(N bytes)` when there was more. Requests can carry
/// megabytes in any string field; echoing one whole would blow up a
/// status (grpc-message and grpc-status-details-bin are HTTP/2 headers,
/// which clients cap at a few KiB) or a log line.
#[derive(Clone, Copy)]
pub struct Echo<'a>(pub &'a str);

impl Echo<'_> {
    /// Most characters quoted.
    pub const MAX_CHARS: usize = 64;
}

impl fmt::Display for Echo<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.char_indices().nth(Self::MAX_CHARS) {
            Some((end, _)) => write!(f, "{:?}…({} bytes)", &self.0[..end], self.0.len()),
            None => write!(f, "{:?}", self.0),
        }
    }
}

impl<'a> Echo<'a> {
    /// The same cut without the quotes and escapes, for a log field (the
    /// log format escapes it itself).
    pub fn plain(self) -> Plain<'a> {
        Plain(self.0)
    }
}

/// [`Echo::plain`]: the first [`Echo::MAX_CHARS`] characters as they are,
/// then `…(N bytes)` when there was more.
#[derive(Clone, Copy)]
pub struct Plain<'a>(&'a str);

impl fmt::Display for Plain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.char_indices().nth(Echo::MAX_CHARS) {
            Some((end, _)) => write!(f, "{}…({} bytes)", &self.0[..end], self.0.len()),
            None => f.write_str(self.0),
        }
    }
}

impl fmt::Debug for Echo<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_prefix_builds_a_path_and_keeps_the_reason() {
        let e = Error::invalid_because(reason::UNKNOWN_TIME_ZONE, "time_zone", "unknown")
            .in_field("articles[2]");
        assert_eq!(e.to_string(), "articles[2].time_zone: unknown");
        assert_eq!(e.reason(), "UNKNOWN_TIME_ZONE");
        assert_eq!(Error::invalid("a", "b").reason(), "INVALID_FIELD");
    }

    #[test]
    fn a_problem_in_no_field_is_the_message_alone() {
        let e = Error::invalid_because(reason::TRUNCATED_MESSAGE, "", "ends early");
        assert_eq!(e.to_string(), "ends early");
        let e = Error::MessageTooLarge {
            size: Some(20),
            limit: 10,
        };
        assert!(
            e.to_string().starts_with(
                "the request message is 20 bytes, over this server's limit of 10 bytes"
            ),
            "{e}"
        );
        let huge = format!("/{}", "m".repeat(100_000));
        assert!(Error::UnknownMethod(huge).to_string().len() < 200);
    }

    #[test]
    fn prefix_leaves_other_errors_alone() {
        let e = Error::Cancelled.in_field("article");
        assert!(matches!(e, Error::Cancelled));
    }

    #[test]
    fn reasons_are_upper_snake_case_and_short() {
        let all = [
            Error::invalid("a", "b"),
            Error::Overloaded("x".into()),
            Error::MessageTooLarge {
                size: None,
                limit: 1,
            },
            Error::UnknownMethod("/x/y".into()),
            Error::MissingRequestMessage,
            Error::DeadlineExceeded(1),
            Error::Cancelled,
            Error::ShuttingDown,
            Error::StreamShutDown { answered: 3 },
            Error::NotReady,
            Error::Internal("x".into()),
            Error::Compression("x".into()),
        ];
        let more = [
            reason::FIELD_MISSING,
            reason::MALFORMED_MESSAGE,
            reason::MISSING_REQUEST_MESSAGE,
            reason::UNKNOWN_METHOD,
            reason::MESSAGE_TOO_LARGE,
        ];
        for r in all.iter().map(Error::reason).chain(more) {
            let b = r.as_bytes();
            assert!(b.len() <= 63 && b.len() >= 3, "{r}");
            assert!(b[0].is_ascii_uppercase(), "{r}");
            assert!(
                b.iter()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'_'),
                "{r}"
            );
            assert_ne!(b[b.len() - 1], b'_', "{r}");
        }
    }

    #[test]
    fn echo_quotes_short_input_whole() {
        assert_eq!(Echo("Mars/Base").to_string(), "\"Mars/Base\"");
        assert_eq!(Echo("a\nb").to_string(), "\"a\\nb\"");
        let exactly = "x".repeat(Echo::MAX_CHARS);
        assert_eq!(Echo(&exactly).to_string(), format!("{exactly:?}"));
    }

    #[test]
    fn echo_cuts_long_input_and_says_how_long_it_was() {
        let big = "é".repeat(1 << 20);
        let shown = Echo(&big).to_string();
        assert_eq!(
            shown,
            format!("{:?}…(2097152 bytes)", "é".repeat(Echo::MAX_CHARS))
        );
        // Bounded whatever the input: at most 64 escaped characters (10
        // bytes each at worst) and the length note.
        let nasty = "\u{1}".repeat(1 << 20);
        assert!(Echo(&nasty).to_string().len() < 64 * 10 + 32);
        assert_eq!(
            Echo(&big).plain().to_string(),
            format!("{}…(2097152 bytes)", "é".repeat(Echo::MAX_CHARS))
        );
        assert_eq!(Echo("id-7").plain().to_string(), "id-7");
    }
}
