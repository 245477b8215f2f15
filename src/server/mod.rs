//! The gRPC server: configuration, start-up, health, reflection, metrics
//! endpoint and graceful shutdown. The RPC handlers are in [`service`], the
//! accept loop and connection timers in [`connections`], the response-size
//! limit in [`reply`], TLS in [`tls`], bearer tokens in [`auth`], their
//! settings and file reloading in [`security`].
//!
//! Life cycle of a [`RunningServer`]:
//! 1. [`start`] reads the TLS and token files (refusing to start on a bad
//!    one), binds its ports (gRPC, metrics, and the plaintext probe port
//!    when configured) and serves at once; the overall health
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

pub mod auth;
pub mod connections;
pub mod layers;
pub mod metrics;
pub mod reply;
pub mod security;
pub mod service;
pub mod status;
pub mod tls;
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
    /// A plaintext listener serving the health service alone, for
    /// Kubernetes gRPC probes when the gRPC port speaks TLS; `None`: none.
    pub probe_addr: Option<SocketAddr>,
    /// TLS and bearer tokens.
    pub security: security::SecurityConfig,
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
            probe_addr: None,
            security: security::SecurityConfig::default(),
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
        self.security.validate()?;
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
    /// A TLS or token setting or file that cannot be used.
    #[error(transparent)]
    Security(#[from] security::SecurityError),
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
    probe_addr: Option<SocketAddr>,
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

    /// The bound plaintext probe address, if there is one.
    pub fn probe_addr(&self) -> Option<SocketAddr> {
        self.probe_addr
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
    let loaded = Loaded::read(&config.security).await?;
    let (listener, grpc_addr) = bind(config.listen_addr).await?;
    let (metrics_listener, metrics_addr) = bind(config.metrics_addr).await?;
    let probe = match config.probe_addr {
        Some(addr) => Some(bind(addr).await?),
        None => None,
    };
    let probe_addr = probe.as_ref().map(|(_, addr)| *addr);

    let metrics = Metrics::new();
    let reloaders = CancellationToken::new();
    let (tls, tokens) = loaded.start(&config.security, &metrics, &reloaders);
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

    // The probe port serves health alone, in plaintext and without tokens.
    let probe_routes = tonic::service::Routes::new(health_service.clone()).prepare();
    let routes = tonic::service::Routes::new(health_service)
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha)
        .add_service(api)
        .prepare();
    // Every call, refused ones included, passes the call layer: status
    // rewriting, HTTP 415 for non-gRPC content types, requests_total; then
    // the token check, so that refusals are counted as UNAUTHENTICATED.
    let layered = |routes, tokens| {
        let routes =
            tower_layer::Layer::layer(&auth::AuthLayer::new(tokens, Arc::clone(&metrics)), routes);
        tower_layer::Layer::layer(&layers::CallLayer::new(Arc::clone(&metrics)), routes)
    };
    let settings = connections::ConnectionSettings {
        max_connections: config.max_connections,
        keepalive_interval: config.http2_keepalive_interval,
        keepalive_timeout: config.http2_keepalive_timeout,
        idle_timeout: config.max_connection_idle,
        handshake_timeout: config.handshake_timeout,
        max_age: config.max_connection_age,
    };
    let stop_accepting = CancellationToken::new();
    let grpc_task = tokio::spawn(connections::serve(
        listener,
        layered(routes, tokens.clone()),
        settings.clone(),
        metrics.connections.clone(),
        stop_accepting.clone(),
        tls.clone(),
    ));
    // Probe connections are not the clients' connections: their metrics
    // are kept apart (and not exported).
    let probe_task = probe.map(|(probe_listener, _)| {
        tokio::spawn(connections::serve(
            probe_listener,
            layered(probe_routes, None),
            settings,
            connections::ConnectionMetrics {
                open: Default::default(),
                refused: Default::default(),
                closed: Default::default(),
            },
            stop_accepting.clone(),
            None,
        ))
    });

    let metrics_stop = CancellationToken::new();
    let metrics_tokens = if config.security.metrics_auth {
        tokens.clone()
    } else {
        None
    };
    let metrics_task = tokio::spawn(
        axum::serve(
            metrics_listener,
            metrics::router(Arc::clone(&metrics), metrics_tokens),
        )
        .with_graceful_shutdown(metrics_stop.clone().cancelled_owned())
        .into_future(),
    );

    tracing::info!(
        %grpc_addr,
        %metrics_addr,
        probe_addr = probe_addr.map(|a| a.to_string()),
        tls = tls.is_some(),
        mutual_tls = config.security.tls_client_ca_file.is_some(),
        tokens = tokens.is_some(),
        metrics_auth = config.security.metrics_auth,
        workers = config.worker_threads,
        "listening; loading the pipeline"
    );

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
        if let Some(mut probe_task) = probe_task {
            // Probe calls are quick; whatever is left when the API has
            // drained is cut.
            if tokio::time::timeout(Duration::from_secs(1), &mut probe_task)
                .await
                .is_err()
            {
                probe_task.abort();
                tracing::debug!("probe connections cut at shutdown");
            }
        }
        reloaders.cancel();
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
        probe_addr,
        begin_shutdown,
        ready: ready_rx,
        task,
    })
}

/// Binds `addr`; the listener and the address it got (useful with port 0).
async fn bind(addr: SocketAddr) -> Result<(TcpListener, SocketAddr), StartError> {
    let bound = async {
        let listener = TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        Ok((listener, local))
    };
    bound
        .await
        .map_err(|source| StartError::Bind { addr, source })
}

/// The TLS configuration and tokens read at start-up, with the digests of
/// the files they came from.
struct Loaded {
    tls: Option<(rustls::ServerConfig, [u8; 32])>,
    tokens: Option<(auth::TokenSet, [u8; 32])>,
}

impl Loaded {
    /// Reads and checks every file the settings name.
    async fn read(config: &security::SecurityConfig) -> Result<Loaded, StartError> {
        let config = config.clone();
        let read = tokio::task::spawn_blocking(move || {
            let tls = match tls::files(&config) {
                Some(files) => {
                    let snapshot = security::read_files(&files)?;
                    Some((
                        tls::server_config(&files, &snapshot.contents)?,
                        snapshot.digest,
                    ))
                }
                None => None,
            };
            let tokens = match token_file(&config) {
                Some(file) => {
                    let snapshot = security::read_files(std::slice::from_ref(&file))?;
                    Some((
                        auth::TokenSet::parse(&file, &snapshot.contents[0])?,
                        snapshot.digest,
                    ))
                }
                None => None,
            };
            Ok::<_, security::SecurityError>(Loaded { tls, tokens })
        });
        match read.await {
            Ok(loaded) => Ok(loaded?),
            Err(e) => Err(StartError::Pipeline(Error::Internal(format!(
                "reading the TLS and token files failed: {e}"
            )))),
        }
    }

    /// Puts what was read in use and starts a reloader for each, stopped
    /// by `stop`.
    fn start(
        self,
        config: &security::SecurityConfig,
        metrics: &Arc<Metrics>,
        stop: &CancellationToken,
    ) -> (Option<Arc<tls::TlsState>>, Option<Arc<auth::Tokens>>) {
        let tls = self.tls.map(|(server_config, digest)| {
            let state = Arc::new(tls::TlsState::new(server_config));
            let files = tls::files(config).unwrap_or_default();
            let (swap, names) = (Arc::clone(&state), files.clone());
            security::spawn_reloader(
                "tls",
                files,
                digest,
                config.reload_interval,
                Arc::clone(metrics),
                stop.clone(),
                move |contents| {
                    swap.replace(tls::server_config(&names, contents)?);
                    Ok(())
                },
            );
            state
        });
        let tokens = self.tokens.map(|(set, digest)| {
            tracing::info!(tokens = set.len(), "bearer tokens required");
            let tokens = Arc::new(auth::Tokens::new(set));
            if let Some(file) = token_file(config) {
                let swap = Arc::clone(&tokens);
                security::spawn_reloader(
                    "tokens",
                    vec![file.clone()],
                    digest,
                    config.reload_interval,
                    Arc::clone(metrics),
                    stop.clone(),
                    move |contents| {
                        let set = auth::TokenSet::parse(&file, &contents[0])?;
                        tracing::info!(tokens = set.len(), "token file reloaded");
                        swap.replace(set);
                        Ok(())
                    },
                );
            }
            tokens
        });
        (tls, tokens)
    }
}

/// The token file of the settings, if any.
fn token_file(config: &security::SecurityConfig) -> Option<security::NamedFile> {
    config
        .auth_token_file
        .as_deref()
        .map(|path| security::NamedFile::new(security::flag::AUTH_TOKEN_FILE, path))
}
