//! The `newsenrich.v1.EnrichmentService` handlers: admission, deadlines,
//! batching and streaming around the synchronous pipeline, with one log
//! span per call. Calls are counted in the metrics by the layer in front of
//! the routes (`layers.rs`), which sees refused calls too.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use futures::StreamExt;
use futures::stream::FuturesOrdered;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status, Streaming};
use tracing::Instrument;

use super::ServerConfig;
use super::metrics::{Metrics, code_name};
use super::status::from_tonic;
use super::workers::{Admission, Admitted, WorkerPool};
use crate::api::convert::{self, grpc_code, to_status};
use crate::api::v1;
use crate::error::{Echo, Error, reason};
use crate::pipeline::budget::CancelFlag;
use crate::pipeline::{ArticleInput, Budget, EnrichOptions, Enricher, Pipeline, WarningCode};

/// How much earlier than the caller's deadline a call gives up: 5% of the
/// time the caller allowed, at most 50 ms. The deadline is counted from when
/// the request arrives, later than the caller started its own timer, so
/// without a margin the caller's timer would fire first and the caller
/// would never see our DEADLINE_EXCEEDED (tonic clients report their own
/// timer as CANCELLED).
fn deadline_margin(timeout: Duration) -> Duration {
    (timeout / 20).min(Duration::from_millis(50))
}

/// How long to work on a call whose caller allowed `timeout`.
fn work_time(timeout: Duration) -> Duration {
    timeout.saturating_sub(deadline_margin(timeout))
}

/// State shared by all calls of one server.
pub struct State {
    config: ServerConfig,
    pool: WorkerPool,
    admission: Admission,
    metrics: Arc<Metrics>,
    enricher: OnceLock<Arc<dyn Enricher>>,
    shutting_down: AtomicBool,
    stream_stop: CancellationToken,
}

impl State {
    pub(super) fn new(
        config: ServerConfig,
        pool: WorkerPool,
        admission: Admission,
        metrics: Arc<Metrics>,
    ) -> Self {
        State {
            config,
            pool,
            admission,
            metrics,
            enricher: OnceLock::new(),
            shutting_down: AtomicBool::new(false),
            stream_stop: CancellationToken::new(),
        }
    }

    pub(super) fn set_enricher(&self, enricher: Arc<dyn Enricher>) {
        let _ = self.enricher.set(enricher);
    }

    pub(super) fn is_shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::SeqCst)
    }

    pub(super) fn begin_shutdown(&self) {
        self.shutting_down.store(true, Ordering::SeqCst);
    }

    pub(super) fn stop_streams(&self) {
        self.stream_stop.cancel();
    }

    pub(super) fn articles_in_flight(&self) -> usize {
        self.admission.in_flight()
    }

    /// The pipeline, if the server takes new calls.
    fn accepting(&self) -> Result<Arc<dyn Enricher>, Error> {
        if self.is_shutting_down() {
            return Err(Error::ShuttingDown);
        }
        self.enricher.get().cloned().ok_or(Error::NotReady)
    }

    /// Runs one admitted article on the pool and converts the record there
    /// too, so no CPU work lands on the runtime.
    async fn process(
        &self,
        enricher: Arc<dyn Enricher>,
        article: ArticleInput,
        options: EnrichOptions,
        admitted: Admitted,
    ) -> Result<v1::EnrichedArticle, Error> {
        self.metrics
            .article_bytes
            .inc_by(article.content.as_str().len() as u64);
        let cancel = CancelFlag::new();
        let job_cancel = cancel.clone();
        let limit = self.config.article_time_budget;
        let max_response = self.config.max_response_bytes;
        let metrics = Arc::clone(&self.metrics);
        let ran = self
            .pool
            .run(admitted, cancel, move || {
                let budget = Budget::new(limit, job_cancel);
                let result = enricher
                    .enrich(&article, &options, &budget)
                    .and_then(|enriched| {
                        let mut record = convert::enriched_to_proto(&enriched);
                        let paragraphs = || {
                            if enriched.document.paragraphs_are_blank_line_split() {
                                super::reply::Paragraphs::BlankLineSplit
                            } else {
                                super::reply::Paragraphs::Own
                            }
                        };
                        metrics.record_warnings(
                            enriched.warnings.iter().map(|w| (w.code.as_str(), w.stage)),
                        );
                        let before = record.warnings.len();
                        super::reply::fit_record(&mut record, max_response, paragraphs)?;
                        if record.warnings.len() > before {
                            metrics.record_warnings([(
                                WarningCode::ResponseTrimmed.as_str(),
                                "response",
                            )]);
                        }
                        Ok(record)
                    });
                // Every article that ran is counted with the time of the
                // stages it went through, also when it failed or its caller
                // cancelled (nobody reads the result then, but the worker
                // was busy).
                let code = result.as_ref().map_or_else(grpc_code, |_| tonic::Code::Ok);
                metrics.record_article(code, &budget.stage_timings());
                Ok(result)
            })
            .await;
        match ran {
            Ok(result) => result,
            // Refused or failed before or outside the pipeline (a panic).
            Err(e) => {
                self.metrics.record_article(grpc_code(&e), &[]);
                Err(e)
            }
        }
    }

    /// Validates, admits (waiting) and processes one stream message.
    async fn stream_item(
        self: Arc<Self>,
        req: v1::StreamEnrichArticlesRequest,
    ) -> v1::StreamEnrichArticlesResponse {
        let id = req
            .article
            .as_ref()
            .map(|a| a.id.clone())
            .unwrap_or_default();
        let outcome = async {
            let enricher = self.enricher.get().cloned().ok_or(Error::NotReady)?;
            let (article, options) = convert::request_from_proto(req.article, req.options)?;
            let admitted = self.admission.admit().await;
            self.process(enricher, article, options, admitted)
                .await
                .map_err(|e| e.in_field("article"))
        }
        .await;
        use v1::stream_enrich_articles_response::Result as R;
        let result = match outcome {
            Ok(article) => R::Article(article),
            Err(e) => R::Error(convert::article_error(&id, &e)),
        };
        v1::StreamEnrichArticlesResponse {
            result: Some(result),
        }
    }
}

/// The service implementation handed to tonic.
#[derive(Clone)]
pub struct EnrichmentApi {
    state: Arc<State>,
}

impl EnrichmentApi {
    pub(super) fn new(state: Arc<State>) -> Self {
        EnrichmentApi { state }
    }

    async fn enrich_one(
        &self,
        req: v1::EnrichArticleRequest,
    ) -> Result<v1::EnrichArticleResponse, Error> {
        let enricher = self.state.accepting()?;
        let (article, options) = convert::request_from_proto(req.article, req.options)?;
        let admitted = self.state.admission.try_admit(1)?.pop();
        let admitted = admitted.ok_or_else(|| Error::Internal("no permit".into()))?;
        let article = self
            .state
            .process(enricher, article, options, admitted)
            .await
            .map_err(|e| e.in_field("article"))?;
        Ok(v1::EnrichArticleResponse {
            article: Some(article),
        })
    }

    async fn enrich_batch(
        &self,
        req: v1::BatchEnrichArticlesRequest,
    ) -> Result<v1::BatchEnrichArticlesResponse, Error> {
        use v1::batch_enrich_articles_result::Result as R;
        let enricher = self.state.accepting()?;
        let max = self.state.config.max_batch_size;
        if req.articles.len() > max {
            return Err(Error::invalid_because(
                reason::BATCH_TOO_LARGE,
                "articles",
                format!(
                    "has {} articles, over the maximum batch size of {max}",
                    req.articles.len()
                ),
            ));
        }
        let options =
            convert::options_from_proto(req.options).map_err(|e| e.in_field("options"))?;
        // Bad articles get their error in place; the good ones are admitted together.
        let mut slots: Vec<Result<(String, ArticleInput), R>> =
            Vec::with_capacity(req.articles.len());
        for (i, a) in req.articles.into_iter().enumerate() {
            let id = a.id.clone();
            slots.push(
                convert::article_from_proto(a)
                    .map(|a| (format!("articles[{i}]"), a))
                    .map_err(|e| {
                        R::Error(convert::article_error(
                            &id,
                            &e.in_field(&format!("articles[{i}]")),
                        ))
                    }),
            );
        }
        let valid = slots.iter().filter(|s| s.is_ok()).count();
        let mut permits = self.state.admission.try_admit(valid)?;
        let jobs = slots.into_iter().map(|slot| {
            let enricher = Arc::clone(&enricher);
            let options = options.clone();
            let permit = match &slot {
                Ok(_) => permits.pop(),
                Err(_) => None,
            };
            async move {
                let result = match (slot, permit) {
                    (Err(r), _) => r,
                    (Ok((field, article)), Some(permit)) => {
                        let id = article.id.clone();
                        match self.state.process(enricher, article, options, permit).await {
                            Ok(a) => R::Article(a),
                            Err(e) => R::Error(convert::article_error(&id, &e.in_field(&field))),
                        }
                    }
                    (Ok((_, article)), None) => R::Error(convert::article_error(
                        &article.id,
                        &Error::Internal("batch admission miscounted".into()),
                    )),
                };
                v1::BatchEnrichArticlesResult {
                    result: Some(result),
                }
            }
        });
        let mut results = futures::future::join_all(jobs).await;
        super::reply::fit_batch(&mut results, self.state.config.max_response_bytes)?;
        Ok(v1::BatchEnrichArticlesResponse { results })
    }

    fn service_info(&self) -> v1::GetServiceInfoResponse {
        let c = &self.state.config;
        let features = Pipeline::features()
            .into_iter()
            .map(|f| v1::FeatureInfo {
                feature: convert::feature_to_proto(f.feature) as i32,
                enabled: f.enabled,
                description: f.description.to_string(),
                languages: f.languages.iter().map(|l| l.to_string()).collect(),
            })
            .collect();
        v1::GetServiceInfoResponse {
            version: crate::VERSION.to_string(),
            features,
            entity_types: crate::pipeline::entities::EntityType::ALL
                .iter()
                .map(|&k| convert::entity_type_to_proto(k) as i32)
                .collect(),
            supported_languages: crate::pipeline::language::supported_languages()
                .into_iter()
                .map(str::to_string)
                .collect(),
            model_versions: crate::pipeline::model_versions()
                .into_iter()
                .map(|(name, version)| v1::ModelVersion {
                    name: name.to_string(),
                    version,
                })
                .collect(),
            limits: Some(v1::ServiceLimits {
                max_message_bytes: c.max_message_bytes as u64,
                max_article_bytes: c.max_article_bytes as u64,
                max_batch_size: u32::try_from(c.max_batch_size).unwrap_or(u32::MAX),
                max_articles_in_flight: u32::try_from(c.max_in_flight).unwrap_or(u32::MAX),
                max_stream_articles_in_flight: u32::try_from(c.stream_concurrency)
                    .unwrap_or(u32::MAX),
                article_time_budget: c.article_time_budget.map(convert::duration_to_proto),
                worker_threads: u32::try_from(c.worker_threads).unwrap_or(u32::MAX),
                max_response_bytes: c.max_response_bytes as u64,
            }),
        }
    }
}

/// One call's log span and `call finished` event. Dropping it unfinished
/// (the caller went away) logs CANCELLED.
struct Call {
    started: Instant,
    span: tracing::Span,
    done: bool,
}

impl Call {
    /// The caller's `article_id` is logged cut to [`Echo::MAX_CHARS`]
    /// characters (ids are free text, up to the message size).
    fn new(method: &'static str, article_id: &str, bytes: usize) -> Self {
        let span = tracing::info_span!(
            "rpc",
            method,
            article_id = %Echo(article_id).plain(),
            bytes,
            articles = tracing::field::Empty,
        );
        Call {
            started: Instant::now(),
            span,
            done: false,
        }
    }

    fn finish(mut self, code: tonic::Code, message: &str) {
        self.record(code, message);
    }

    fn record(&mut self, code: tonic::Code, message: &str) {
        self.done = true;
        let elapsed = self.started.elapsed();
        let duration_ms = elapsed.as_secs_f64() * 1e3;
        let code = code_name(code);
        self.span.in_scope(|| {
            if message.is_empty() {
                tracing::info!(duration_ms, code, "call finished");
            } else {
                tracing::info!(duration_ms, code, error = message, "call finished");
            }
        });
    }
}

impl Drop for Call {
    fn drop(&mut self) {
        if !self.done {
            self.record(tonic::Code::Cancelled, "the caller went away");
        }
    }
}

/// The caller's deadline from the `grpc-timeout` header, if any.
pub fn grpc_timeout(metadata: &tonic::metadata::MetadataMap) -> Option<Duration> {
    parse_grpc_timeout(metadata.get("grpc-timeout")?.to_str().ok()?)
}

/// Parses a `grpc-timeout` value: up to 8 digits and a unit (H M S m u n).
pub fn parse_grpc_timeout(value: &str) -> Option<Duration> {
    let (digits, unit) = value.split_at(value.len().checked_sub(1)?);
    if digits.is_empty() || digits.len() > 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = digits.parse().ok()?;
    Some(match unit {
        "H" => Duration::from_secs(n * 3600),
        "M" => Duration::from_secs(n * 60),
        "S" => Duration::from_secs(n),
        "m" => Duration::from_millis(n),
        "u" => Duration::from_micros(n),
        "n" => Duration::from_nanos(n),
        _ => return None,
    })
}

/// Runs `fut`, ending it with [`Error::DeadlineExceeded`] just before the
/// caller's deadline. Dropping `fut` raises the cancel flags of its jobs.
async fn with_deadline<T>(
    timeout: Option<Duration>,
    fut: impl Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    match timeout {
        None => fut.await,
        Some(t) => tokio::time::timeout(work_time(t), fut)
            .await
            .unwrap_or(Err(Error::DeadlineExceeded(t.as_millis()))),
    }
}

fn content_len(article: Option<&v1::Article>) -> usize {
    match article.and_then(|a| a.content.as_ref()) {
        Some(v1::article::Content::Text(s) | v1::article::Content::Html(s)) => s.len(),
        None => 0,
    }
}

fn respond<T>(call: Call, result: Result<T, Error>) -> Result<Response<T>, Status> {
    match result {
        Ok(v) => {
            call.finish(tonic::Code::Ok, "");
            Ok(Response::new(v))
        }
        Err(e) => {
            let status = to_status(&e);
            call.finish(status.code(), status.message());
            Err(status)
        }
    }
}

/// The path of StreamEnrichArticles, for statuses read back from tonic.
const STREAM_PATH: &str = "/newsenrich.v1.EnrichmentService/StreamEnrichArticles";

type ResponseStream =
    Pin<Box<dyn futures::Stream<Item = Result<v1::StreamEnrichArticlesResponse, Status>> + Send>>;

#[tonic::async_trait]
impl v1::enrichment_service_server::EnrichmentService for EnrichmentApi {
    async fn enrich_article(
        &self,
        request: Request<v1::EnrichArticleRequest>,
    ) -> Result<Response<v1::EnrichArticleResponse>, Status> {
        let timeout = grpc_timeout(request.metadata());
        let req = request.into_inner();
        let id = req
            .article
            .as_ref()
            .map(|a| a.id.as_str())
            .unwrap_or_default();
        let call = Call::new("EnrichArticle", id, content_len(req.article.as_ref()));
        let span = call.span.clone();
        let result = with_deadline(timeout, self.enrich_one(req))
            .instrument(span)
            .await;
        respond(call, result)
    }

    async fn batch_enrich_articles(
        &self,
        request: Request<v1::BatchEnrichArticlesRequest>,
    ) -> Result<Response<v1::BatchEnrichArticlesResponse>, Status> {
        let timeout = grpc_timeout(request.metadata());
        let req = request.into_inner();
        let bytes = req.articles.iter().map(|a| content_len(Some(a))).sum();
        let call = Call::new("BatchEnrichArticles", "", bytes);
        call.span.record("articles", req.articles.len());
        let span = call.span.clone();
        let result = with_deadline(timeout, self.enrich_batch(req))
            .instrument(span)
            .await;
        respond(call, result)
    }

    type StreamEnrichArticlesStream = ResponseStream;

    async fn stream_enrich_articles(
        &self,
        request: Request<Streaming<v1::StreamEnrichArticlesRequest>>,
    ) -> Result<Response<Self::StreamEnrichArticlesStream>, Status> {
        let timeout = grpc_timeout(request.metadata());
        let call = Call::new("StreamEnrichArticles", "", 0);
        if let Err(e) = self.state.accepting() {
            return respond(call, Err(e));
        }
        let window = self.state.config.stream_concurrency;
        let (tx, rx) = mpsc::channel(window);
        let span = call.span.clone();
        tokio::spawn(
            drive_stream(
                Arc::clone(&self.state),
                request.into_inner(),
                tx,
                timeout,
                call,
            )
            .instrument(span),
        );
        Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
    }

    async fn get_service_info(
        &self,
        _request: Request<v1::GetServiceInfoRequest>,
    ) -> Result<Response<v1::GetServiceInfoResponse>, Status> {
        let call = Call::new("GetServiceInfo", "", 0);
        respond(call, Ok(self.service_info()))
    }
}

/// Reads requests while fewer than `stream_concurrency` are being processed,
/// and sends the responses in request order. Ends when the caller has sent
/// everything and got every answer; on shutdown it stops reading, answers
/// what it accepted and ends with UNAVAILABLE; at the caller's deadline it
/// ends with DEADLINE_EXCEEDED.
async fn drive_stream(
    state: Arc<State>,
    mut inbound: Streaming<v1::StreamEnrichArticlesRequest>,
    tx: mpsc::Sender<Result<v1::StreamEnrichArticlesResponse, Status>>,
    timeout: Option<Duration>,
    call: Call,
) {
    let window = state.config.stream_concurrency;
    let stop = state.stream_stop.clone();
    let deadline = tokio::time::sleep(timeout.map_or(Duration::MAX / 4, work_time));
    tokio::pin!(deadline);
    let mut pending = FuturesOrdered::new();
    let mut received = 0usize;
    let mut inbound_done = false;
    let mut stopping = false;
    let ending: Result<(), Status> = loop {
        if (inbound_done || stopping) && pending.is_empty() {
            break if stopping && !inbound_done {
                Err(to_status(&Error::StreamShutDown { answered: received }))
            } else {
                Ok(())
            };
        }
        tokio::select! {
            biased;
            () = stop.cancelled(), if !stopping => stopping = true,
            () = &mut deadline => {
                break Err(to_status(&Error::DeadlineExceeded(timeout.unwrap_or_default().as_millis())));
            }
            Some(response) = pending.next(), if !pending.is_empty() => {
                if tx.send(Ok(response)).await.is_err() {
                    // The caller went away; `call` records CANCELLED.
                    return;
                }
            }
            message = inbound.message(), if !inbound_done && !stopping && pending.len() < window => {
                match message {
                    Ok(Some(req)) => {
                        received += 1;
                        pending.push_back(Arc::clone(&state).stream_item(req));
                    }
                    Ok(None) => inbound_done = true,
                    Err(status) => {
                        // A message that cannot be decoded cannot be
                        // answered in place: answer the ones before it,
                        // then end the stream with the decoding error,
                        // by this API's codes (INVALID_ARGUMENT with the
                        // field, RESOURCE_EXHAUSTED for a message over
                        // the limit), not tonic's.
                        let status = from_tonic(&status, STREAM_PATH)
                            .map_or(status, |e| to_status(&e));
                        while let Some(response) = pending.next().await {
                            if tx.send(Ok(response)).await.is_err() {
                                return;
                            }
                        }
                        break Err(status);
                    }
                }
            }
        }
    };
    call.span.record("articles", received);
    match ending {
        Ok(()) => call.finish(tonic::Code::Ok, ""),
        Err(status) => {
            call.finish(status.code(), status.message());
            let _ = tx.send(Err(status)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grpc_timeout_units() {
        assert_eq!(parse_grpc_timeout("100m"), Some(Duration::from_millis(100)));
        assert_eq!(parse_grpc_timeout("2S"), Some(Duration::from_secs(2)));
        assert_eq!(parse_grpc_timeout("1H"), Some(Duration::from_secs(3600)));
        assert_eq!(parse_grpc_timeout("5u"), Some(Duration::from_micros(5)));
        assert_eq!(parse_grpc_timeout("123456789S"), None, "at most 8 digits");
        assert_eq!(parse_grpc_timeout("S"), None);
        assert_eq!(parse_grpc_timeout("10x"), None);
        assert_eq!(parse_grpc_timeout(""), None);
    }

    #[test]
    fn margin_is_five_percent_up_to_fifty_ms() {
        assert_eq!(
            work_time(Duration::from_millis(200)),
            Duration::from_millis(190)
        );
        assert_eq!(
            work_time(Duration::from_secs(10)),
            Duration::from_millis(9950)
        );
        assert_eq!(work_time(Duration::ZERO), Duration::ZERO);
    }

    #[tokio::test]
    async fn deadline_turns_into_deadline_exceeded() {
        let slow = async {
            tokio::time::sleep(Duration::from_secs(5)).await;
            Ok::<_, Error>(())
        };
        // The deadline wins over the 5 s job; that it fires before the
        // caller's own timer is `work_time`'s margin, tested above (no
        // wall-clock assertion: it failed on a loaded machine).
        let r = with_deadline(Some(Duration::from_millis(200)), slow).await;
        assert!(matches!(r, Err(Error::DeadlineExceeded(200))));
        let fast = with_deadline(Some(Duration::from_secs(5)), async { Ok::<_, Error>(7) }).await;
        assert_eq!(fast.unwrap(), 7);
    }
}
