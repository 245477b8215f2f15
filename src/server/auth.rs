//! Bearer tokens (`--auth-token-file`): the token file's format, the set of
//! tokens in use ([`Tokens`], swapped when the file changes), and the one
//! place that checks a request's `authorization: Bearer <token>` header:
//! [`AuthLayer`] in front of the gRPC routes, and [`Tokens::check`] for
//! `GET /metrics` under `--metrics-auth`.
//!
//! - **Open:** `grpc.health.v1.Health` (probes and load balancers carry no
//!   token). Every other path, the API, reflection and unknown paths alike,
//!   needs a token, so a caller without one learns nothing about what the
//!   server serves.
//! - **Refused:** a missing, malformed or unknown token gets
//!   UNAUTHENTICATED with one message whatever the cause
//!   ([`UNAUTHENTICATED_MESSAGE`]); the cause goes only to the metric
//!   `newsenrich_auth_refusals_total{endpoint, reason}` (`missing`,
//!   `invalid`) and an info log with the path and peer, never the token.
//! - **Stored hashed:** only the SHA-256 digest of each token is kept, and
//!   a presented token is hashed and compared with every digest in
//!   constant time (`subtle`), all of them each time, so neither the
//!   compare nor the tokens in memory give a token away.
//! - The `authorization` header is removed before the request reaches a
//!   handler, so nothing downstream can log it.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, RwLock};
use std::task::{Context, Poll};

use http::{HeaderMap, Request, Response, header};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tower_layer::Layer;
use tower_service::Service;

use super::metrics::Metrics;
use super::security::{NamedFile, SecurityError};
use crate::error::Echo;

/// Paths under this prefix need no token.
pub const OPEN_PREFIX: &str = "/grpc.health.v1.Health/";

/// The status message of every refused call, whatever the cause.
pub const UNAUTHENTICATED_MESSAGE: &str =
    "this call needs a valid bearer token (metadata authorization: Bearer <token>)";

/// Why a request was refused (metrics label only; callers are not told).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No `authorization` header, or not a Bearer one.
    Missing,
    /// A Bearer token that is not in the token file.
    Invalid,
}

impl Refusal {
    /// The `reason` label.
    pub fn as_str(self) -> &'static str {
        match self {
            Refusal::Missing => "missing",
            Refusal::Invalid => "invalid",
        }
    }
}

/// Whether `b` may appear in a token: RFC 6750's `b64token` characters
/// (letters, digits, `-._~+/`, and `=` at the end).
fn token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~+/=".contains(&b)
}

/// The SHA-256 digests of the tokens of one version of the token file.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenSet {
    digests: Vec<[u8; 32]>,
}

impl std::fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TokenSet({} tokens)", self.digests.len())
    }
}

impl TokenSet {
    /// Parses a token file: one token a line, surrounding white space
    /// ignored, blank lines and lines starting with `#` skipped. A token is
    /// RFC 6750 `b64token` characters; the file must hold at least one.
    /// Errors name the line, never its text.
    pub fn parse(file: &NamedFile, bytes: &[u8]) -> Result<TokenSet, SecurityError> {
        let text = std::str::from_utf8(bytes).map_err(|e| {
            let line = bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            file.invalid(format!("line {line}: not UTF-8"))
        })?;
        let mut digests = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let token = line.trim();
            if token.is_empty() || token.starts_with('#') {
                continue;
            }
            if !token.bytes().all(token_byte) {
                return Err(file.invalid(format!(
                    "line {}: a token is letters, digits and -._~+/= only (one token a line, no spaces; comments on lines of their own, starting with #)",
                    n + 1
                )));
            }
            let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
            if !digests.contains(&digest) {
                digests.push(digest);
            }
        }
        if digests.is_empty() {
            return Err(file.invalid("holds no token (only blank lines and # comments)"));
        }
        Ok(TokenSet { digests })
    }

    /// How many distinct tokens the set holds.
    pub fn len(&self) -> usize {
        self.digests.len()
    }

    /// Never true: a token file holds at least one token.
    pub fn is_empty(&self) -> bool {
        self.digests.is_empty()
    }

    /// Whether `presented` is one of the tokens, comparing its digest with
    /// every digest in constant time.
    pub fn contains(&self, presented: &[u8]) -> bool {
        let digest: [u8; 32] = Sha256::digest(presented).into();
        let mut found = subtle::Choice::from(0);
        for known in &self.digests {
            found |= known.ct_eq(&digest);
        }
        found.into()
    }
}

/// The token of an `authorization: Bearer <token>` header (scheme in any
/// case), if the request has one.
pub fn bearer(headers: &HeaderMap) -> Option<&[u8]> {
    let value = headers.get(header::AUTHORIZATION)?.as_bytes();
    let space = value.iter().position(|&b| b == b' ')?;
    let (scheme, rest) = value.split_at(space);
    if !scheme.eq_ignore_ascii_case(b"bearer") {
        return None;
    }
    let token = rest.trim_ascii();
    (!token.is_empty()).then_some(token)
}

/// The tokens in use, swapped when the token file changes.
pub struct Tokens {
    current: RwLock<Arc<TokenSet>>,
}

impl Tokens {
    /// Starts with `set`.
    pub fn new(set: TokenSet) -> Self {
        Tokens {
            current: RwLock::new(Arc::new(set)),
        }
    }

    /// Puts `set` in use for the requests that follow.
    pub fn replace(&self, set: TokenSet) {
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(set);
    }

    /// The set in use.
    pub fn current(&self) -> Arc<TokenSet> {
        Arc::clone(&self.current.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// Whether the request's headers carry a token in use.
    pub fn check(&self, headers: &HeaderMap) -> Result<(), Refusal> {
        let token = bearer(headers).ok_or(Refusal::Missing)?;
        if self.current().contains(token) {
            Ok(())
        } else {
            Err(Refusal::Invalid)
        }
    }
}

/// Checks tokens in front of the gRPC routes (a no-op without tokens).
#[derive(Clone)]
pub struct AuthLayer {
    tokens: Option<Arc<Tokens>>,
    metrics: Arc<Metrics>,
}

impl AuthLayer {
    /// Checks `tokens` (none: every call passes), counting refusals in
    /// `metrics`.
    pub fn new(tokens: Option<Arc<Tokens>>, metrics: Arc<Metrics>) -> Self {
        AuthLayer { tokens, metrics }
    }
}

impl<S> Layer<S> for AuthLayer {
    type Service = AuthService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        AuthService {
            inner,
            tokens: self.tokens.clone(),
            metrics: Arc::clone(&self.metrics),
        }
    }
}

/// The service [`AuthLayer`] wraps around the routes.
#[derive(Clone)]
pub struct AuthService<S> {
    inner: S,
    tokens: Option<Arc<Tokens>>,
    metrics: Arc<Metrics>,
}

type BoxFuture<T, E> = Pin<Box<dyn Future<Output = Result<T, E>> + Send>>;

impl<S, B> Service<Request<B>> for AuthService<S>
where
    S: Service<Request<B>, Response = Response<tonic::body::Body>>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = Response<tonic::body::Body>;
    type Error = S::Error;
    type Future = BoxFuture<Self::Response, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        if let Some(tokens) = &self.tokens
            && !request.uri().path().starts_with(OPEN_PREFIX)
        {
            if let Err(refusal) = tokens.check(request.headers()) {
                self.metrics.record_auth_refusal("grpc", refusal.as_str());
                let peer = request
                    .extensions()
                    .get::<tonic::transport::server::TcpConnectInfo>()
                    .and_then(|i| i.remote_addr);
                tracing::info!(
                    path = %Echo(request.uri().path()).plain(),
                    peer = ?peer,
                    reason = refusal.as_str(),
                    "call refused: no valid bearer token"
                );
                let status = tonic::Status::unauthenticated(UNAUTHENTICATED_MESSAGE);
                return Box::pin(std::future::ready(Ok(status.into_http())));
            }
            request.headers_mut().remove(header::AUTHORIZATION);
        }
        Box::pin(self.inner.call(request))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn file() -> NamedFile {
        NamedFile::new(
            super::super::security::flag::AUTH_TOKEN_FILE,
            "/etc/newsenrich/tokens".as_ref(),
        )
    }

    fn with_auth(value: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, HeaderValue::from_static(value));
        h
    }

    #[test]
    fn token_files_skip_blank_lines_and_comments_and_trim_tokens() {
        let text =
            b"# callers of the search indexer\n\n  alpha-1  \r\n#beta\nbeta.2~+/=\nalpha-1\n";
        let set = TokenSet::parse(&file(), text).unwrap();
        assert_eq!(set.len(), 2, "duplicates count once");
        assert!(set.contains(b"alpha-1"));
        assert!(set.contains(b"beta.2~+/="));
        assert!(!set.contains(b"#beta"), "comments are not tokens");
        assert!(!set.contains(b"alpha"), "no prefix match");
        assert!(!set.contains(b"alpha-12"));
        assert!(!set.contains(b""));
        assert_eq!(format!("{set:?}"), "TokenSet(2 tokens)", "no digests shown");
    }

    #[test]
    fn bad_token_files_name_file_and_line_but_never_the_token() {
        let cases: [(&[u8], &str); 4] = [
            (b"", "holds no token"),
            (b"# only a comment\n\n   \n", "holds no token"),
            (b"good\nsecret with-space\n", "line 2: a token is letters"),
            (b"good\n\xff\xfe\n", "line 2: not UTF-8"),
        ];
        for (text, expected) in cases {
            let e = TokenSet::parse(&file(), text).unwrap_err().to_string();
            assert!(
                e.starts_with(&format!(
                    "--auth-token-file /etc/newsenrich/tokens: {expected}"
                )),
                "{e}"
            );
            assert!(!e.contains("secret"), "{e}");
        }
    }

    #[test]
    fn bearer_headers_are_read_in_any_case_of_the_scheme() {
        assert_eq!(bearer(&with_auth("Bearer abc")), Some(&b"abc"[..]));
        assert_eq!(bearer(&with_auth("bearer  abc ")), Some(&b"abc"[..]));
        assert_eq!(bearer(&with_auth("Basic abc")), None);
        assert_eq!(bearer(&with_auth("Bearer ")), None);
        assert_eq!(bearer(&with_auth("Bearerabc")), None);
        assert_eq!(bearer(&HeaderMap::new()), None);
    }

    #[test]
    fn checks_tell_missing_from_invalid_and_follow_replacement() {
        let tokens = Tokens::new(TokenSet::parse(&file(), b"one\n").unwrap());
        assert_eq!(tokens.check(&with_auth("Bearer one")), Ok(()));
        assert_eq!(
            tokens.check(&with_auth("Bearer two")),
            Err(Refusal::Invalid)
        );
        assert_eq!(tokens.check(&HeaderMap::new()), Err(Refusal::Missing));
        assert_eq!(tokens.check(&with_auth("one")), Err(Refusal::Missing));
        tokens.replace(TokenSet::parse(&file(), b"two\n").unwrap());
        assert_eq!(tokens.check(&with_auth("Bearer two")), Ok(()));
        assert_eq!(
            tokens.check(&with_auth("Bearer one")),
            Err(Refusal::Invalid)
        );
    }
}
