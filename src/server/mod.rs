//! The gRPC server: configuration, start-up, health, reflection, metrics
//! endpoint and graceful shutdown. The RPC handlers are in [`service`], the
//! accept loop and connection timers in [`connections`], the response-size
//! limit in [`reply`].
//!
//! Life cycle of a [`RunningServer`]:
//! 1. [`start`] binds both ports and serves at once; the overall health
//!    (`""`) and the API service report NOT_SERVING and calls get
//!    UNAVAILABLE while the pipeline loads on a blocking thread; the
//!    liveness name ([`LIVENESS_SERVICE`]) is SERVING from the start.
//! 2. Once loaded, overall health turns SERVING.
//! 3. [`RunningServer::begin_shutdown`] (SIGTERM/SIGINT in `main`): health
//!    turns NOT_SERVING and new calls get UNAVAILABLE; after the drain
//!    delay the listener closes, unary and batch calls in flight finish,
//!    open streams finish the articles they accepted and end with
//!    UNAVAILABLE. Whatever still runs when the grace period (counted from
//!    the start of shutdown) is over is dropped, and the report says so.

pub mod connections;
pub mod layers;
pub mod metrics;
pub mod reply;
pub mod service;
pub mod status;
pub mod workers;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tonic_health::ServingStatus;

use tonic::codec::CompressionEncoding;

use crate::api::v1::enrichment_service_server::EnrichmentServiceServer;
use crate::error::Error;
use crate::pipeline::Enricher;
use metrics::Metrics;
use service::{EnrichmentApi, State};
use workers::{Admission, WorkerPool};

/// Health-check service name that stays SERVING while the process is alive
/// (for liveness probes); the overall name `""` is for readiness.
pub const LIVENESS_SERVICE: &str = "liveness";

/// Validated server settings (built from the command line by `cli`).
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// gRPC listen address.
    pub listen_addr: SocketAddr,
    /// Prometheus `/metrics` listen address.
    pub metrics_addr: SocketAddr,
    /// Largest accepted request message, in bytes.
    pub max_message_bytes: usize,
    /// Largest article content, in bytes.
    pub max_article_bytes: usize,
    /// Most articles in one batch call.
    pub max_batch_size: usize,
    /// Threads of the CPU pool.
    pub worker_threads: usize,
    /// Most articles queued or running at once over all calls.
    pub max_in_flight: usize,
    /// Most articles of one stream processed concurrently.
    pub stream_concurrency: usize,
    /// CPU time budget per article; `None` for no limit.
    pub article_time_budget: Option<Duration>,
    /// Time between turning NOT_SERVING and closing the listener.
    pub drain_delay: Duration,
    /// Total time shutdown may take, drain delay included.
    pub shutdown_grace_period: Duration,
    /// Age after which a client connection is asked to reconnect (GOAWAY),
    /// so long-lived HTTP/2 connections spread over replicas.
    pub max_connection_age: Option<Duration>,
    /// Time without any call after which a client connection is asked to
    /// close (GOAWAY); `None`: never.
    pub max_connection_idle: Option<Duration>,
    /// Time within which a new connection must send the HTTP/2 preface.
    pub handshake_timeout: Option<Duration>,
    /// Most client connections open at once; more are refused.
    pub max_connections: usize,
    /// Interval of HTTP/2 keepalive pings to clients; `None`: none.
    pub http2_keepalive_interval: Option<Duration>,
    /// How long a ping may go unanswered before the connection is closed.
    pub http2_keepalive_timeout: Duration,
    /// Largest reply message, in bytes: records are trimmed to fit, and
    /// articles that cannot fit fail with RESOURCE_EXHAUSTED.
    pub max_response_bytes: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
        ServerConfig {
            listen_addr: SocketAddr::from(([0, 0, 0, 0], 50051)),
            metrics_addr: SocketAddr::from(([0, 0, 0, 0], 9090)),
            max_message_bytes: 16 * 1024 * 1024,
            max_article_bytes: 2 * 1024 * 1024,
            max_batch_size: 256,
            worker_threads: workers,
            max_in_flight: 1024,
            stream_concurrency: 2 * workers,
            article_time_budget: Some(Duration::from_secs(10)),
            drain_delay: Duration::from_secs(5),
            shutdown_grace_period: Duration::from_secs(25),
            max_connection_age: None,
            max_connection_idle: Some(Duration::from_secs(300)),
            handshake_timeout: Some(Duration::from_secs(10)),
            max_connections: 10_000,
            http2_keepalive_interval: Some(Duration::from_secs(30)),
            http2_keepalive_timeout: Duration::from_secs(10),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }
}

/// Default of [`ServerConfig::max_response_bytes`]: 4 MiB, the receive limit
/// most gRPC clients apply by default (grpc-go, grpc-java, grpcio, tonic,
/// buf curl, grpcurl).
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;

impl ServerConfig {
    /// Checks that the settings make sense together.
    pub fn validate(&self) -> Result<(), StartError> {
        let bad = |m: String| Err(StartError::Config(m));
        if self.worker_threads == 0 {
            return bad("worker threads must be at least 1".into());
        }
        if self.max_batch_size == 0 || self.stream_concurrency == 0 {
            return bad("max batch size and stream concurrency must be at least 1".into());
        }
        if self.max_in_flight < self.max_batch_size {
            return bad(format!(
                "max articles in flight ({}) must be at least the max batch size ({}), or no full batch could ever be admitted",
                self.max_in_flight, self.max_batch_size
            ));
        }
        if self.max_in_flight > u32::MAX as usize >> 3 {
            return bad("max articles in flight is unreasonably large".into());
        }
        if self.max_article_bytes > self.max_message_bytes {
            return bad(format!(
                "max article size ({} bytes) must not exceed the max message size ({} bytes)",
                self.max_article_bytes, self.max_message_bytes
            ));
        }
        if self.drain_delay > self.shutdown_grace_period {
            return bad("the drain delay must not exceed the shutdown grace period".into());
        }
        if self.max_connections == 0 {
            return bad("max connections must be at least 1".into());
        }
        if self.http2_keepalive_timeout.is_zero() {
            return bad("the HTTP/2 keepalive timeout must be above 0".into());
        }
        if self.max_response_bytes < reply::MIN_RESPONSE_BYTES {
            return bad(format!(
                "max response size ({} bytes) must be at least {} bytes",
                self.max_response_bytes,
                reply::MIN_RESPONSE_BYTES
            ));
        }
        Ok(())
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// Settings that contradict each other.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// A port could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
    /// The CPU pool could not be created.
    #[error("cannot start the worker pool: {0}")]
    Pool(std::io::Error),
    /// The gRPC transport failed.
    #[error("gRPC server failed: {0}")]
    Transport(#[from] tonic::transport::Error),
    /// The reflection service could not be built.
    #[error("reflection service: {0}")]
    Reflection(#[from] tonic_reflection::server::Error),
    /// The pipeline failed to load.
    #[error("pipeline failed to load: {0}")]
    Pipeline(Error),
}

/// How shutdown went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShutdownReport {
    /// True when the grace period ran out and calls were dropped.
    pub forced: bool,
    /// Articles still admitted when the server stopped (0 after a clean drain).
    pub articles_in_flight: usize,
}

/// Loads the pipeline; runs on a blocking thread after the ports are bound.
pub type Loader = Box<dyn FnOnce() -> Result<Arc<dyn Enricher>, Error> + Send>;

/// A server that is serving.
pub struct RunningServer {
    grpc_addr: SocketAddr,
    metrics_addr: SocketAddr,
    begin_shutdown: CancellationToken,
    ready: tokio::sync::watch::Receiver<bool>,
    task: JoinHandle<Result<ShutdownReport, StartError>>,
}

impl RunningServer {
    /// The bound gRPC address (useful with port 0).
    pub fn grpc_addr(&self) -> SocketAddr {
        self.grpc_addr
    }

    /// The bound metrics address.
    pub fn metrics_addr(&self) -> SocketAddr {
        self.metrics_addr
    }

    /// Starts graceful shutdown; idempotent.
    pub fn begin_shutdown(&self) {
        self.begin_shutdown.cancel();
    }

    /// Waits for SIGTERM or SIGINT (or an internal reason to stop, such as
    /// the pipeline failing to load), then begins shutdown.
    pub async fn shutdown_on_signal(&self) {
        let terminate = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "cannot listen for SIGTERM");
                    std::future::pending::<()>().await;
                }
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => tracing::info!("SIGINT received"),
            () = terminate => tracing::info!("SIGTERM received"),
            () = self.begin_shutdown.cancelled() => {}
        }
        self.begin_shutdown();
    }

    /// Waits until the pipeline is loaded; false if it never will be.
    pub async fn ready(&self) -> bool {
        let mut rx = self.ready.clone();
        rx.wait_for(|r| *r).await.is_ok()
    }

    /// Waits for the server to stop.
    pub async fn wait(self) -> Result<ShutdownReport, StartError> {
        match self.task.await {
            Ok(r) => r,
            Err(e) => Err(StartError::Pipeline(Error::Internal(format!(
                "server task failed: {e}"
            )))),
        }
    }
}

/// Binds the ports and starts serving; the pipeline is loaded by `loader`
/// in the background while health reports NOT_SERVING.
pub async fn start(config: ServerConfig, loader: Loader) -> Result<RunningServer, StartError> {
    config.validate()?;
    let listener = TcpListener::bind(config.listen_addr)
        .await
        .map_err(|source| StartError::Bind {
            addr: config.listen_addr,
            source,
        })?;
    let metrics_listener = TcpListener::bind(config.metrics_addr)
        .await
        .map_err(|source| StartError::Bind {
            addr: config.metrics_addr,
            source,
        })?;
    let grpc_addr = listener.local_addr().map_err(|source| StartError::Bind {
        addr: config.listen_addr,
        source,
    })?;
    let metrics_addr = metrics_listener
        .local_addr()
        .map_err(|source| StartError::Bind {
            addr: config.metrics_addr,
            source,
        })?;

    let metrics = Metrics::new();
    let pool = WorkerPool::new(config.worker_threads).map_err(StartError::Pool)?;
    let admission = Admission::new(config.max_in_flight, metrics.articles_in_flight.clone());
    let state = Arc::new(State::new(
        config.clone(),
        pool,
        admission,
        Arc::clone(&metrics),
    ));

    let (health, health_service) = tonic_health::server::health_reporter();
    health
        .set_service_status("", ServingStatus::NotServing)
        .await;
    health
        .set_not_serving::<EnrichmentServiceServer<EnrichmentApi>>()
        .await;
    health
        .set_service_status(LIVENESS_SERVICE, ServingStatus::Serving)
        .await;

    // Both reflection versions, for clients that speak only one of them.
    let reflection = || {
        tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(crate::api::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
    };
    let reflection_v1 = reflection().build_v1()?;
    let reflection_v1alpha = reflection().build_v1alpha()?;

    // gzip both ways: compressed requests are accepted, and replies are
    // compressed for clients that say they accept gzip. The encoding limit
    // is a backstop: `reply` already keeps every reply under it.
    let api = EnrichmentServiceServer::new(EnrichmentApi::new(Arc::clone(&state)))
        .max_decoding_message_size(config.max_message_bytes)
        .max_encoding_message_size(config.max_response_bytes)
        .accept_compressed(CompressionEncoding::Gzip)
        .send_compressed(CompressionEncoding::Gzip);
    let health_service = health_service
        .accept_compressed(CompressionEncoding::Gzip)
        .send_compressed(CompressionEncoding::Gzip);
    let reflection_v1 = reflection_v1
        .accept_compressed(CompressionEncoding::Gzip)
        .send_compressed(CompressionEncoding::Gzip);
    let reflection_v1alpha = reflection_v1alpha
        .accept_compressed(CompressionEncoding::Gzip)
        .send_compressed(CompressionEncoding::Gzip);

    let routes = tonic::service::Routes::new(health_service)
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha)
        .add_service(api)
        .prepare();
    // Every call, refused ones included, passes the call layer: status
    // rewriting, HTTP 415 for non-gRPC content types, requests_total.
    let routes = tower_layer::Layer::layer(&layers::CallLayer::new(Arc::clone(&metrics)), routes);
    let stop_accepting = CancellationToken::new();
    let grpc_task = tokio::spawn(connections::serve(
        listener,
        routes,
        connections::ConnectionSettings {
            max_connections: config.max_connections,
            keepalive_interval: config.http2_keepalive_interval,
            keepalive_timeout: config.http2_keepalive_timeout,
            idle_timeout: config.max_connection_idle,
            handshake_timeout: config.handshake_timeout,
            max_age: config.max_connection_age,
        },
        metrics.connections.clone(),
        stop_accepting.clone(),
    ));

    let metrics_stop = CancellationToken::new();
    let metrics_task = tokio::spawn(
        axum::serve(metrics_listener, metrics::router(Arc::clone(&metrics)))
            .with_graceful_shutdown(metrics_stop.clone().cancelled_owned())
            .into_future(),
    );

    tracing::info!(%grpc_addr, %metrics_addr, workers = config.worker_threads, "listening; loading the pipeline");

    let begin_shutdown = CancellationToken::new();
    let (ready_tx, ready_rx) = tokio::sync::watch::channel(false);

    // Load the pipeline off the runtime; health turns SERVING when it is in.
    let load_state = Arc::clone(&state);
    let load_health = health.clone();
    let load_failed = begin_shutdown.clone();
    let load_task = tokio::spawn(async move {
        let started = Instant::now();
        let loaded = tokio::task::spawn_blocking(loader)
            .await
            .unwrap_or_else(|e| Err(Error::Internal(format!("loader panicked: {e}"))));
        match loaded {
            Ok(enricher) => {
                load_state.set_enricher(enricher);
                if !load_state.is_shutting_down() {
                    load_health
                        .set_service_status("", ServingStatus::Serving)
                        .await;
                    load_health
                        .set_serving::<EnrichmentServiceServer<EnrichmentApi>>()
                        .await;
                }
                let _ = ready_tx.send(true);
                tracing::info!(
                    took_ms = started.elapsed().as_millis() as u64,
                    "pipeline loaded; serving"
                );
                Ok(())
            }
            Err(e) => {
                tracing::error!(error = %e, "pipeline failed to load; shutting down");
                load_failed.cancel();
                Err(e)
            }
        }
    });

    let trigger = begin_shutdown.clone();
    let task = tokio::spawn(async move {
        trigger.cancelled().await;
        let began = Instant::now();
        let grace = config.shutdown_grace_period;
        state.begin_shutdown();
        health
            .set_service_status("", ServingStatus::NotServing)
            .await;
        health
            .set_not_serving::<EnrichmentServiceServer<EnrichmentApi>>()
            .await;
        tracing::info!(
            drain_delay_ms = config.drain_delay.as_millis() as u64,
            grace_period_ms = grace.as_millis() as u64,
            "shutdown begun: NOT_SERVING, refusing new calls"
        );
        tokio::time::sleep(config.drain_delay).await;

        stop_accepting.cancel();
        state.stop_streams();
        let remaining = grace.saturating_sub(began.elapsed());
        let mut grpc_task = grpc_task;
        let forced = match tokio::time::timeout(remaining, &mut grpc_task).await {
            Ok(Ok(())) => false,
            Ok(Err(e)) => {
                tracing::error!(error = %e, "gRPC server task failed");
                false
            }
            Err(_) => {
                grpc_task.abort();
                true
            }
        };
        metrics_stop.cancel();
        let _ = tokio::time::timeout(Duration::from_secs(1), metrics_task).await;
        let report = ShutdownReport {
            forced,
            articles_in_flight: state.articles_in_flight(),
        };
        if forced {
            tracing::warn!(
                in_flight = report.articles_in_flight,
                "grace period over; remaining calls dropped"
            );
        } else {
            tracing::info!(
                took_ms = began.elapsed().as_millis() as u64,
                "shutdown complete"
            );
        }
        // A loader still running (shutdown during start-up) is not waited for.
        if load_task.is_finished()
            && let Ok(Err(e)) = load_task.await
        {
            return Err(StartError::Pipeline(e));
        }
        Ok(report)
    });

    Ok(RunningServer {
        grpc_addr,
        metrics_addr,
        begin_shutdown,
        ready: ready_rx,
        task,
    })
}
