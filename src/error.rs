//! The library's error type. Every failure a caller can see is one of these;
//! the server maps them to gRPC status codes in exactly one function
//! (`server::status::to_status`).

use std::borrow::Cow;

/// What went wrong while serving an article or a call.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The request is malformed; `field` names the offending field
    /// (`article.time_zone`, `articles[3].content.text`, ...).
    #[error("{field}: {problem}")]
    InvalidArgument {
        /// Path of the field in the request.
        field: String,
        /// What is wrong with it.
        problem: String,
    },
    /// The server has no room for more work right now; retry later.
    #[error("server overloaded: {0}")]
    Overloaded(Cow<'static, str>),
    /// The caller's deadline passed before the work finished.
    #[error("deadline exceeded after {0} ms")]
    DeadlineExceeded(u128),
    /// The caller cancelled, so the work was dropped.
    #[error("cancelled by the caller")]
    Cancelled,
    /// The server is shutting down and takes no new work.
    #[error("server is shutting down; retry on another instance")]
    ShuttingDown,
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
}

impl Error {
    /// An [`Error::InvalidArgument`] for `field`.
    pub fn invalid(field: impl Into<String>, problem: impl Into<String>) -> Self {
        Error::InvalidArgument {
            field: field.into(),
            problem: problem.into(),
        }
    }

    /// Prefixes the field path of an [`Error::InvalidArgument`] with
    /// `prefix` (e.g. `article` or `articles[3]`); other errors pass through.
    pub fn in_field(self, prefix: &str) -> Self {
        match self {
            Error::InvalidArgument { field, problem } => Error::InvalidArgument {
                field: format!("{prefix}.{field}"),
                problem,
            },
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_prefix_builds_a_path() {
        let e = Error::invalid("time_zone", "unknown").in_field("articles[2]");
        assert_eq!(e.to_string(), "articles[2].time_zone: unknown");
    }

    #[test]
    fn prefix_leaves_other_errors_alone() {
        let e = Error::Cancelled.in_field("article");
        assert!(matches!(e, Error::Cancelled));
    }
}
