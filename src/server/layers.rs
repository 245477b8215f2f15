//! The tower layer in front of every gRPC route ([`CallLayer`]). It owns
//! what happens to a call outside the handlers:
//!
//! - **Content type.** A request whose `content-type` does not begin with
//!   `application/grpc` gets HTTP 415 Unsupported Media Type, as the
//!   gRPC-over-HTTP/2 spec asks, so that a plain HTTP client (a JSON POST)
//!   does not read a 200 with a gRPC error as success.
//! - **`grpc-timeout`.** A malformed value is INVALID_ARGUMENT (reason
//!   INVALID_TIMEOUT) instead of being ignored, so a caller never runs
//!   without the deadline it meant to set.
//! - **tonic's own statuses** (undecodable message, message over the size
//!   limit, unary call without a message, unknown method), in the response
//!   headers of a trailers-only response or in the trailers of a stream,
//!   are rewritten to this API's codes and google.rpc details
//!   ([`super::status`]).
//! - **Metrics.** Every call, refused ones included, is counted once in
//!   `newsenrich_requests_total` and timed in
//!   `newsenrich_request_duration_seconds`, with the status code the caller
//!   receives (HTTP 415 counts as UNKNOWN, the code gRPC clients derive
//!   from it); a call whose caller goes away first is CANCELLED. Methods
//!   outside this server's services count as `unknown`, so a caller cannot
//!   grow the label set.
//! - **Logs.** Calls refused here or by tonic never reach a handler, so
//!   this layer logs their `call finished` event.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::Instant;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Request, Response, StatusCode, header};
use http_body::Frame;
use tonic::{Code, Status};
use tower_layer::Layer;
use tower_service::Service;

use super::metrics::{Metrics, code_name};
use super::service::parse_grpc_timeout;
use super::status::from_tonic;
use crate::api::convert::to_status;
use crate::error::{Echo, Error, reason};

/// The `method` label of each path this server serves: the bare method
/// name for the enrichment API (as the handlers' logs name it), the full
/// name for health and reflection.
const METHODS: &[(&str, &str)] = &[
    (
        "/newsenrich.v1.EnrichmentService/EnrichArticle",
        "EnrichArticle",
    ),
    (
        "/newsenrich.v1.EnrichmentService/BatchEnrichArticles",
        "BatchEnrichArticles",
    ),
    (
        "/newsenrich.v1.EnrichmentService/StreamEnrichArticles",
        "StreamEnrichArticles",
    ),
    (
        "/newsenrich.v1.EnrichmentService/GetServiceInfo",
        "GetServiceInfo",
    ),
    (
        "/grpc.health.v1.Health/Check",
        "grpc.health.v1.Health/Check",
    ),
    (
        "/grpc.health.v1.Health/Watch",
        "grpc.health.v1.Health/Watch",
    ),
    (
        "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
        "grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
    ),
    (
        "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
        "grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
    ),
];

/// The `method` label of everything else.
pub const UNKNOWN_METHOD: &str = "unknown";

/// The metrics label of a request path.
pub fn method_label(path: &str) -> &'static str {
    METHODS
        .iter()
        .find(|(p, _)| *p == path)
        .map_or(UNKNOWN_METHOD, |(_, label)| label)
}

/// Whether a `content-type` is gRPC's: it begins with `application/grpc`
/// (then nothing, `+proto`, `+json`, `;...`); media types ignore case.
pub fn is_grpc_content_type(headers: &HeaderMap) -> bool {
    const GRPC: &[u8] = b"application/grpc";
    headers
        .get(header::CONTENT_TYPE)
        .map(HeaderValue::as_bytes)
        .is_some_and(|v| v.len() >= GRPC.len() && v[..GRPC.len()].eq_ignore_ascii_case(GRPC))
}

/// The error of a `grpc-timeout` header that is present but malformed.
pub fn timeout_error(headers: &HeaderMap) -> Option<Error> {
    let value = headers.get("grpc-timeout")?;
    let text = value.to_str().unwrap_or_default();
    if parse_grpc_timeout(text).is_some() {
        return None;
    }
    let shown = String::from_utf8_lossy(value.as_bytes());
    Some(Error::invalid_because(
        reason::INVALID_TIMEOUT,
        "",
        format!(
            "grpc-timeout: {} is not a timeout: 1 to 8 digits, then a unit (H, M, S, m, u or n)",
            Echo(&shown)
        ),
    ))
}

/// Puts this layer in front of a service (the router of all gRPC services).
#[derive(Clone)]
pub struct CallLayer {
    metrics: Arc<Metrics>,
}

impl CallLayer {
    /// A layer that records into `metrics`.
    pub fn new(metrics: Arc<Metrics>) -> Self {
        CallLayer { metrics }
    }
}

impl<S> Layer<S> for CallLayer {
    type Service = CallService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        CallService {
            inner,
            metrics: Arc::clone(&self.metrics),
        }
    }
}

/// The service [`CallLayer`] wraps around the routes.
#[derive(Clone)]
pub struct CallService<S> {
    inner: S,
    metrics: Arc<Metrics>,
}

type BoxFuture<T, E> = Pin<Box<dyn Future<Output = Result<T, E>> + Send>>;

impl<S, B> Service<Request<B>> for CallService<S>
where
    S: Service<Request<B>, Response = Response<tonic::body::Body>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
    B: Send + 'static,
{
    type Response = Response<tonic::body::Body>;
    type Error = S::Error;
    type Future = BoxFuture<Self::Response, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let path = request.uri().path();
        let mut call = CallRecord {
            metrics: Arc::clone(&self.metrics),
            method: method_label(path),
            path: path.to_owned(),
            started: Instant::now(),
            done: false,
        };
        if !is_grpc_content_type(request.headers()) {
            let got = request
                .headers()
                .get(header::CONTENT_TYPE)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
            let message = match got {
                Some(ct) => format!(
                    "this is a gRPC server: the content-type must begin with application/grpc, not {}",
                    Echo(&ct)
                ),
                None => "this is a gRPC server: the content-type must begin with application/grpc, and the request has none".to_owned(),
            };
            call.finish(Code::Unknown, Some(&message));
            let mut response = Response::new(tonic::body::Body::new(http_body_util::Full::new(
                Bytes::from(message + "\n"),
            )));
            *response.status_mut() = StatusCode::UNSUPPORTED_MEDIA_TYPE;
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            );
            response
                .headers_mut()
                .insert("accept-post", HeaderValue::from_static("application/grpc"));
            return Box::pin(std::future::ready(Ok(response)));
        }
        if let Some(error) = timeout_error(request.headers()) {
            let status = to_status(&error);
            call.finish(status.code(), Some(status.message()));
            return Box::pin(std::future::ready(Ok(status.into_http())));
        }
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        Box::pin(async move {
            let response = inner.call(request).await?;
            Ok(call.watch(response))
        })
    }
}

/// One call's metrics record; dropped unfinished (the caller went away
/// before the status was sent), it records CANCELLED.
struct CallRecord {
    metrics: Arc<Metrics>,
    method: &'static str,
    path: String,
    started: Instant,
    done: bool,
}

impl CallRecord {
    /// Records the call's code; `refused` is the message of a status no
    /// handler has logged, which is logged here.
    fn finish(&mut self, code: Code, refused: Option<&str>) {
        if self.done {
            return;
        }
        self.done = true;
        let elapsed = self.started.elapsed();
        self.metrics.record_call(self.method, code, elapsed);
        if let Some(message) = refused {
            tracing::info!(
                method = self.method,
                path = %Echo(&self.path).plain(),
                duration_ms = elapsed.as_secs_f64() * 1e3,
                code = code_name(code),
                error = message,
                "call finished"
            );
        }
    }

    /// Rewrites a status tonic wrote itself in `headers` (response headers
    /// of a trailers-only response, or trailers) and records the call's
    /// code; false when `headers` hold no status.
    fn settle(&mut self, headers: &mut HeaderMap) -> bool {
        let Some(status) = Status::from_header_map(headers) else {
            return false;
        };
        match from_tonic(&status, &self.path) {
            Some(error) => {
                let better = to_status(&error);
                headers.remove(Status::GRPC_STATUS);
                headers.remove(Status::GRPC_MESSAGE);
                headers.remove(Status::GRPC_STATUS_DETAILS);
                if better.add_header(headers).is_err() {
                    // Cannot happen: our messages are percent-encoded and
                    // our details base64; keep tonic's status if it does.
                    let _ = status.add_header(headers);
                    self.finish(status.code(), Some(status.message()));
                } else {
                    self.finish(better.code(), Some(better.message()));
                }
            }
            None => self.finish(status.code(), None),
        }
        true
    }

    /// Settles a trailers-only response now, or follows the body of any
    /// other to its trailers.
    fn watch(mut self, response: Response<tonic::body::Body>) -> Response<tonic::body::Body> {
        let (mut parts, body) = response.into_parts();
        if self.settle(&mut parts.headers) {
            return Response::from_parts(parts, body);
        }
        let body = tonic::body::Body::new(WatchedBody {
            inner: body,
            call: self,
        });
        Response::from_parts(parts, body)
    }
}

impl Drop for CallRecord {
    fn drop(&mut self) {
        self.finish(Code::Cancelled, None);
    }
}

/// A response body whose trailers settle the call.
struct WatchedBody {
    inner: tonic::body::Body,
    call: CallRecord,
}

impl http_body::Body for WatchedBody {
    type Data = Bytes;
    type Error = Status;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Status>>> {
        let this = &mut *self;
        let frame = ready!(Pin::new(&mut this.inner).poll_frame(cx));
        Poll::Ready(match frame {
            Some(Ok(frame)) => Some(Ok(match frame.into_trailers() {
                Ok(mut trailers) => {
                    if !this.call.settle(&mut trailers) {
                        this.call.finish(Code::Unknown, None);
                    }
                    Frame::trailers(trailers)
                }
                Err(frame) => frame,
            })),
            Some(Err(status)) => {
                this.call.finish(status.code(), None);
                Some(Err(status))
            }
            None => {
                // A gRPC body always ends with trailers; one that does not
                // gives its caller no status.
                this.call.finish(Code::Unknown, None);
                None
            }
        })
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn grpc_content_types_pass_and_others_do_not() {
        for ok in [
            "application/grpc",
            "application/grpc+proto",
            "application/GRPC+json",
            "application/grpc; charset=utf-8",
        ] {
            assert!(
                is_grpc_content_type(&headers(&[("content-type", ok)])),
                "{ok}"
            );
        }
        for bad in ["application/json", "text/plain", "application/gr", ""] {
            assert!(
                !is_grpc_content_type(&headers(&[("content-type", bad)])),
                "{bad}"
            );
        }
        assert!(!is_grpc_content_type(&HeaderMap::new()), "missing");
    }

    #[test]
    fn malformed_timeouts_are_errors_and_good_or_absent_ones_are_not() {
        assert!(timeout_error(&HeaderMap::new()).is_none());
        assert!(timeout_error(&headers(&[("grpc-timeout", "100m")])).is_none());
        for bad in ["100", "1x", "123456789S", "-1S", "S", "1.5S"] {
            let e = timeout_error(&headers(&[("grpc-timeout", bad)])).expect(bad);
            assert_eq!(e.reason(), "INVALID_TIMEOUT", "{bad}");
            assert_eq!(
                crate::api::convert::grpc_code(&e),
                Code::InvalidArgument,
                "{bad}"
            );
            assert!(e.to_string().starts_with("grpc-timeout: "), "{e}");
        }
    }

    #[test]
    fn labels_are_bounded() {
        assert_eq!(
            method_label("/newsenrich.v1.EnrichmentService/EnrichArticle"),
            "EnrichArticle"
        );
        assert_eq!(
            method_label("/grpc.health.v1.Health/Check"),
            "grpc.health.v1.Health/Check"
        );
        assert_eq!(
            method_label("/newsenrich.v1.EnrichmentService/Nope"),
            "unknown"
        );
        assert_eq!(method_label(&format!("/{}", "x".repeat(10_000))), "unknown");
    }

    #[test]
    fn settling_rewrites_tonic_statuses_and_counts_every_call() {
        use tonic_types::StatusExt;
        let metrics = Metrics::new();
        let record = |path: &str| CallRecord {
            metrics: Arc::clone(&metrics),
            method: method_label(path),
            path: path.to_owned(),
            started: Instant::now(),
            done: false,
        };
        // tonic's "too large" in a trailers-only response.
        let mut h = HeaderMap::new();
        Status::out_of_range(
            "Error, decoded message length too large: found 20 bytes, the limit is: 10 bytes",
        )
        .add_header(&mut h)
        .unwrap();
        let mut call = record("/newsenrich.v1.EnrichmentService/EnrichArticle");
        assert!(call.settle(&mut h));
        let status = Status::from_header_map(&h).unwrap();
        assert_eq!(status.code(), Code::ResourceExhausted);
        let details = status.get_error_details();
        assert_eq!(details.error_info().unwrap().reason, "MESSAGE_TOO_LARGE");
        assert_eq!(details.error_info().unwrap().metadata["limitBytes"], "10");
        assert!(details.retry_info().is_none(), "resending it cannot help");
        // A handler's own status passes untouched.
        let mut h = HeaderMap::new();
        Status::invalid_argument("article: is missing")
            .add_header(&mut h)
            .unwrap();
        let before = h.clone();
        assert!(record("/grpc.health.v1.Health/Check").settle(&mut h));
        assert_eq!(h, before);
        // No status: nothing settled; dropped unsettled: CANCELLED.
        assert!(!record("/x/y").settle(&mut HeaderMap::new()));
        let text = metrics.encode();
        for line in [
            r#"newsenrich_requests_total{method="EnrichArticle",code="RESOURCE_EXHAUSTED"} 1"#,
            r#"newsenrich_requests_total{method="grpc.health.v1.Health/Check",code="INVALID_ARGUMENT"} 1"#,
            r#"newsenrich_requests_total{method="unknown",code="CANCELLED"} 1"#,
        ] {
            assert!(text.contains(line), "{line} in {text}");
        }
    }
}
