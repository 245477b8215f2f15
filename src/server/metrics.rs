//! Prometheus metrics of one server instance and the HTTP endpoint that
//! serves them (`GET /metrics`, OpenMetrics text).
//!
//! Each server owns its own registry (no global recorder), so several
//! servers can run in one process, as the integration tests do.

use std::sync::Arc;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// Labels of per-call metrics.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CallLabels {
    /// gRPC method name.
    pub method: &'static str,
    /// gRPC status code name, e.g. `OK`, `INVALID_ARGUMENT`.
    pub code: &'static str,
}

/// Labels of per-method histograms.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct MethodLabels {
    /// gRPC method name.
    pub method: &'static str,
}

/// Labels of per-article outcome counters.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabels {
    /// gRPC status code name of the article's outcome.
    pub code: &'static str,
}

/// Labels of the warnings counter.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct WarningLabels {
    /// Warning code as in the API's `WarningCode` without its prefix,
    /// e.g. `TIME_BUDGET`, `RESPONSE_TRIMMED`.
    pub code: &'static str,
    /// The stage that raised it, e.g. `html`, `entities`, `quotes`,
    /// `dates`, `limits`, `response`.
    pub stage: &'static str,
}

/// Labels of per-stage histograms.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StageLabels {
    /// Pipeline stage name.
    pub stage: &'static str,
}

/// Labels of the closed-connections counter.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CloseLabels {
    /// What ended the connection: `client`, `idle`, `handshake`,
    /// `max_age` or `shutdown`.
    pub reason: &'static str,
}

/// Labels of the refused-token counter.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct AuthLabels {
    /// Where: `grpc` (the gRPC port) or `metrics` (`GET /metrics`).
    pub endpoint: &'static str,
    /// Why: `missing` (no Bearer token) or `invalid` (not a known token).
    pub reason: &'static str,
}

/// Labels of the file-reload counter.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReloadLabels {
    /// What was reloaded: `tls` or `tokens`.
    pub what: &'static str,
    /// `ok` (in use now) or `error` (invalid; the previous one stays).
    pub result: &'static str,
}

/// Labels of the build-info gauge.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct BuildLabels {
    /// Release version.
    pub version: &'static str,
}

/// Metrics of one server.
pub struct Metrics {
    registry: Registry,
    /// Finished calls by method and status code.
    pub requests: Family<CallLabels, Counter>,
    /// Call latency by method.
    pub request_duration: Family<MethodLabels, Histogram>,
    /// Articles finished, by outcome code.
    pub articles: Family<OutcomeLabels, Counter>,
    /// Warnings of the records produced, by code and stage.
    pub article_warnings: Family<WarningLabels, Counter>,
    /// Content bytes of the articles received.
    pub article_bytes: Counter,
    /// Articles queued or running.
    pub articles_in_flight: Gauge,
    /// Pipeline time per stage.
    pub stage_duration: Family<StageLabels, Histogram>,
    /// Client connections of the gRPC port: open, refused, closed.
    pub connections: super::connections::ConnectionMetrics,
    /// Requests refused for want of a valid bearer token.
    pub auth_refusals: Family<AuthLabels, Counter>,
    /// Reloads of changed TLS and token files.
    pub reloads: Family<ReloadLabels, Counter>,
}

fn latency_histogram() -> Histogram {
    // 100 µs .. ~52 s.
    Histogram::new(exponential_buckets(0.0001, 2.0, 20))
}

impl Metrics {
    /// A fresh registry with every metric registered.
    pub fn new() -> Arc<Self> {
        let mut registry = Registry::with_prefix("newsenrich");
        let requests = Family::<CallLabels, Counter>::default();
        registry.register(
            "requests",
            "gRPC calls by method and the status code the caller received, calls refused before any handler included",
            requests.clone(),
        );
        let request_duration = Family::<MethodLabels, Histogram>::new_with_constructor(
            latency_histogram as fn() -> Histogram,
        );
        registry.register(
            "request_duration_seconds",
            "Latency of gRPC calls by method (streams: the whole stream)",
            request_duration.clone(),
        );
        let articles = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "articles",
            "Articles processed, by outcome status code",
            articles.clone(),
        );
        let article_warnings = Family::<WarningLabels, Counter>::default();
        registry.register(
            "article_warnings",
            "Warnings in the records produced, by warning code and the stage that raised it (TIME_BUDGET: a stage cut short by the article time budget)",
            article_warnings.clone(),
        );
        let article_bytes = Counter::default();
        registry.register(
            "article_bytes",
            "Content bytes of the articles received",
            article_bytes.clone(),
        );
        let articles_in_flight = Gauge::default();
        registry.register(
            "articles_in_flight",
            "Articles admitted and not yet finished (queued or running)",
            articles_in_flight.clone(),
        );
        let stage_duration = Family::<StageLabels, Histogram>::new_with_constructor(
            latency_histogram as fn() -> Histogram,
        );
        registry.register(
            "stage_duration_seconds",
            "Time spent in each pipeline stage per article",
            stage_duration.clone(),
        );
        let connections = super::connections::ConnectionMetrics {
            open: Gauge::default(),
            refused: Counter::default(),
            closed: Family::default(),
        };
        registry.register(
            "connections_open",
            "Client connections of the gRPC port open now",
            connections.open.clone(),
        );
        registry.register(
            "connections_refused",
            "Client connections refused because --max-connections were open",
            connections.refused.clone(),
        );
        registry.register(
            "connections_closed",
            "Client connections closed, by what ended them",
            connections.closed.clone(),
        );
        let auth_refusals = Family::<AuthLabels, Counter>::default();
        registry.register(
            "auth_refusals",
            "Requests refused for want of a valid bearer token, by endpoint and reason",
            auth_refusals.clone(),
        );
        let reloads = Family::<ReloadLabels, Counter>::default();
        registry.register(
            "reloads",
            "Changed TLS and token files read again, by what and whether they were put in use",
            reloads.clone(),
        );
        let build_info = Family::<BuildLabels, Gauge>::default();
        build_info
            .get_or_create(&BuildLabels {
                version: crate::VERSION,
            })
            .set(1);
        registry.register(
            "build_info",
            "Always 1; labelled with the release version",
            build_info,
        );
        Arc::new(Metrics {
            registry,
            requests,
            request_duration,
            articles,
            article_warnings,
            article_bytes,
            articles_in_flight,
            stage_duration,
            connections,
            auth_refusals,
            reloads,
        })
    }

    /// Records one request refused for want of a valid token.
    pub fn record_auth_refusal(&self, endpoint: &'static str, reason: &'static str) {
        self.auth_refusals
            .get_or_create(&AuthLabels { endpoint, reason })
            .inc();
    }

    /// Records one finished call.
    pub fn record_call(&self, method: &'static str, code: tonic::Code, elapsed: Duration) {
        self.requests
            .get_or_create(&CallLabels {
                method,
                code: code_name(code),
            })
            .inc();
        self.request_duration
            .get_or_create(&MethodLabels { method })
            .observe(elapsed.as_secs_f64());
    }

    /// Records one finished article.
    pub fn record_article(&self, code: tonic::Code, stages: &[(&'static str, Duration)]) {
        self.articles
            .get_or_create(&OutcomeLabels {
                code: code_name(code),
            })
            .inc();
        for (stage, took) in stages {
            self.stage_duration
                .get_or_create(&StageLabels { stage })
                .observe(took.as_secs_f64());
        }
    }

    /// Counts warnings of one record, each given as its code name (as in
    /// the API's `WarningCode` without its prefix) and the stage that
    /// raised it.
    pub fn record_warnings(
        &self,
        warnings: impl IntoIterator<Item = (&'static str, &'static str)>,
    ) {
        for (code, stage) in warnings {
            self.article_warnings
                .get_or_create(&WarningLabels { code, stage })
                .inc();
        }
    }

    /// The registry in OpenMetrics text format.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

/// The canonical upper-case name of a gRPC code.
pub fn code_name(code: tonic::Code) -> &'static str {
    use tonic::Code::*;
    match code {
        Ok => "OK",
        Cancelled => "CANCELLED",
        Unknown => "UNKNOWN",
        InvalidArgument => "INVALID_ARGUMENT",
        DeadlineExceeded => "DEADLINE_EXCEEDED",
        NotFound => "NOT_FOUND",
        AlreadyExists => "ALREADY_EXISTS",
        PermissionDenied => "PERMISSION_DENIED",
        ResourceExhausted => "RESOURCE_EXHAUSTED",
        FailedPrecondition => "FAILED_PRECONDITION",
        Aborted => "ABORTED",
        OutOfRange => "OUT_OF_RANGE",
        Unimplemented => "UNIMPLEMENTED",
        Internal => "INTERNAL",
        Unavailable => "UNAVAILABLE",
        DataLoss => "DATA_LOSS",
        Unauthenticated => "UNAUTHENTICATED",
    }
}

/// The `/metrics` HTTP router; with `tokens` (`--metrics-auth`) a request
/// without a valid bearer token gets 401 and is counted in
/// `newsenrich_auth_refusals_total{endpoint="metrics"}`.
pub fn router(metrics: Arc<Metrics>, tokens: Option<Arc<super::auth::Tokens>>) -> axum::Router {
    use axum::http::{StatusCode, header};
    use axum::response::IntoResponse;
    axum::Router::new().route(
        "/metrics",
        axum::routing::get(move |headers: axum::http::HeaderMap| {
            let metrics = Arc::clone(&metrics);
            let tokens = tokens.clone();
            async move {
                if let Some(tokens) = tokens
                    && let Err(refusal) = tokens.check(&headers)
                {
                    metrics.record_auth_refusal("metrics", refusal.as_str());
                    return (
                        StatusCode::UNAUTHORIZED,
                        [(header::WWW_AUTHENTICATE, "Bearer")],
                        "a valid bearer token is required\n",
                    )
                        .into_response();
                }
                (
                    [(
                        header::CONTENT_TYPE,
                        "application/openmetrics-text; version=1.0.0; charset=utf-8",
                    )],
                    metrics.encode(),
                )
                    .into_response()
            }
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_calls_and_articles_show_in_the_text() {
        let m = Metrics::new();
        m.record_call(
            "EnrichArticle",
            tonic::Code::InvalidArgument,
            Duration::from_millis(3),
        );
        m.record_article(tonic::Code::Ok, &[("normalize", Duration::from_micros(40))]);
        m.article_bytes.inc_by(123);
        m.record_warnings([
            ("TIME_BUDGET", "entities"),
            ("TIME_BUDGET", "entities"),
            ("RESPONSE_TRIMMED", "response"),
        ]);
        let text = m.encode();
        assert!(
            text.contains(
                r#"newsenrich_article_warnings_total{code="TIME_BUDGET",stage="entities"} 2"#
            ),
            "{text}"
        );
        assert!(
            text.contains(
                r#"newsenrich_article_warnings_total{code="RESPONSE_TRIMMED",stage="response"} 1"#
            ),
            "{text}"
        );
        assert!(
            text.contains(r#"newsenrich_articles_total{code="OK"} 1"#),
            "{text}"
        );
        assert!(
            text.contains("newsenrich_article_bytes_total 123"),
            "{text}"
        );
        assert!(
            text.contains(r#"newsenrich_stage_duration_seconds_count{stage="normalize"} 1"#),
            "{text}"
        );
    }
}
