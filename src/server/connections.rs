//! Client connections of the gRPC port: the accept loop and the life of each
//! HTTP/2 connection, around hyper's HTTP/2 server and tonic's routes.
//!
//! tonic's own `serve_with_incoming` cannot do what this does: it ignores
//! TCP settings for a caller's incoming stream, has no limit on
//! connections, and no way to close a connection that carries no call (an
//! idle HTTP/2 connection, or a raw TCP connection that never sends the
//! HTTP/2 preface). So the server accepts connections itself:
//!
//! - **TCP_NODELAY** on every accepted socket. Without it, small replies
//!   wait for the client's delayed ACK (Nagle), about 40 ms per call on a
//!   connection used one call at a time.
//! - **Connection limit**: past [`ConnectionSettings::max_connections`] open
//!   connections, a new one is accepted and refused at once with an HTTP/2
//!   GOAWAY (`REFUSED_STREAM`, "too many connections": clients report
//!   UNAVAILABLE and may retry elsewhere), then closed, and counted in
//!   `newsenrich_connections_refused_total`. Refusing beats not accepting:
//!   a connection left in the listen backlog hangs until the client's own
//!   timeout.
//! - **HTTP/2 keepalive pings** every `keepalive_interval`; a connection
//!   whose ping is not answered within `keepalive_timeout` is closed
//!   (hyper does this).
//! - **Handshake timeout**: a connection that has not sent the 24-byte
//!   HTTP/2 preface within `handshake_timeout` is closed.
//! - **Idle timeout**: a connection with no call open for `idle_timeout`
//!   gets a graceful GOAWAY (calls the client had already sent are still
//!   served), like gRPC's `MAX_CONNECTION_IDLE`.
//! - **Max age**: a connection older than `max_age` gets a graceful GOAWAY
//!   and the client reconnects (spreading long-lived connections over
//!   replicas); its calls in flight finish first.
//! - **TLS** (`--tls-cert-file`): each accepted connection takes the TLS
//!   configuration in use ([`super::tls::TlsState`]) and completes its TLS
//!   handshake in its own task, within the handshake timeout (or the idle
//!   timeout without one); a connection that does not (plaintext HTTP/2, a
//!   client certificate the client CA did not sign, a stalled client) is
//!   closed and counted with reason `handshake`. The preface and every
//!   timer below then count inside the TLS session. A reload never touches
//!   an established connection.
//! - **Drain** at shutdown: the listener closes, every connection gets a
//!   graceful GOAWAY, and [`serve`] returns once all of them have closed.
//!
//! After a GOAWAY, a connection that has no call open and has not closed
//! within `keepalive_timeout` (the client did not answer the GOAWAY's ping)
//! is closed by force. A connection with calls open is never cut here; only
//! the shutdown grace period cuts those (by aborting [`serve`]).
//!
//! A "call open" counts from the request's arrival until the reply's last
//! frame was sent (or the call was reset), by a guard held in the response
//! body ([`Tracked`]).

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use http_body::{Body, Frame, SizeHint};
use hyper::body::Incoming;
use hyper::server::conn::http2;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tonic::codegen::Service as _;
use tonic::codegen::http::{Request, Response};
/// The routes of the server behind its call and token layers.
type Routes =
    crate::server::layers::CallService<crate::server::auth::AuthService<tonic::service::Routes>>;
use tonic::transport::server::TcpConnectInfo;

use super::metrics::CloseLabels;
use super::tls::TlsState;

/// Length of the HTTP/2 client connection preface
/// (`PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n`).
const PREFACE_LEN: u64 = 24;

/// Most refused connections lingering at once (reading what the client
/// sent, so that closing does not reset the connection before the client
/// read the GOAWAY); past it a refused connection is simply closed.
const MAX_LINGERING_REFUSALS: usize = 64;

/// How long a refused connection lingers at most.
const REFUSAL_LINGER: Duration = Duration::from_secs(1);

/// Pause after an accept error that is not about one connection (out of
/// file descriptors, out of memory), so the loop does not spin.
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_millis(100);

/// Connection settings of the gRPC port.
#[derive(Debug, Clone)]
pub struct ConnectionSettings {
    /// Most connections open at once; further ones are refused.
    pub max_connections: usize,
    /// Interval of HTTP/2 keepalive pings; `None`: no pings.
    pub keepalive_interval: Option<Duration>,
    /// How long a ping (keepalive or GOAWAY) may go unanswered before the
    /// connection is closed.
    pub keepalive_timeout: Duration,
    /// Time without any call open after which a connection gets a GOAWAY.
    pub idle_timeout: Option<Duration>,
    /// Time within which a new connection must send the HTTP/2 preface.
    pub handshake_timeout: Option<Duration>,
    /// Age after which a connection gets a GOAWAY.
    pub max_age: Option<Duration>,
}

/// The connection metrics, owned by the server's registry.
#[derive(Clone)]
pub struct ConnectionMetrics {
    /// Connections open now.
    pub open: Gauge,
    /// Connections refused at the limit.
    pub refused: Counter,
    /// Connections closed, by what ended them.
    pub closed: Family<CloseLabels, Counter>,
}

/// Why a connection ended, as the `reason` label of
/// `newsenrich_connections_closed_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseReason {
    /// The client closed it, or it failed (including unanswered keepalive
    /// pings).
    Client,
    /// No call was open for the idle timeout.
    Idle,
    /// The HTTP/2 preface did not arrive in time.
    Handshake,
    /// It reached the maximum age.
    MaxAge,
    /// The server shut down.
    Shutdown,
}

impl CloseReason {
    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            CloseReason::Client => "client",
            CloseReason::Idle => "idle",
            CloseReason::Handshake => "handshake",
            CloseReason::MaxAge => "max_age",
            CloseReason::Shutdown => "shutdown",
        }
    }
}

/// Accepts connections on `listener` and serves `routes` on them (over TLS
/// when `tls` is given) until `stop` fires; then closes the listener, sends
/// every connection a graceful GOAWAY and returns when all have closed.
/// Dropping the returned future (aborting its task) closes every
/// connection at once.
pub async fn serve(
    listener: TcpListener,
    routes: Routes,
    settings: ConnectionSettings,
    metrics: ConnectionMetrics,
    stop: CancellationToken,
    tls: Option<Arc<TlsState>>,
) {
    let mut builder = http2::Builder::new(TokioExecutor::new());
    builder
        .timer(TokioTimer::new())
        .keep_alive_interval(settings.keepalive_interval)
        .keep_alive_timeout(settings.keepalive_timeout)
        // As tonic's server did: no limit on concurrent calls per
        // connection (admission bounds the work, not the streams).
        .max_concurrent_streams(None);
    let builder = Arc::new(builder);
    let settings = Arc::new(settings);
    let drain = CancellationToken::new();
    let lingering = Arc::new(Semaphore::new(MAX_LINGERING_REFUSALS));
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            biased;
            () = stop.cancelled() => break,
            Some(done) = connections.join_next(), if !connections.is_empty() => {
                if let Err(e) = done
                    && e.is_panic()
                {
                    tracing::error!(error = %e, "connection task panicked");
                }
            }
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    if connections.len() >= settings.max_connections {
                        metrics.refused.inc();
                        tracing::debug!(%peer, limit = settings.max_connections, "connection refused: too many connections");
                        refuse(stream, settings.max_connections, &lingering);
                        continue;
                    }
                    if let Err(e) = stream.set_nodelay(true) {
                        tracing::debug!(%peer, error = %e, "cannot set TCP_NODELAY");
                    }
                    let info = TcpConnectInfo {
                        local_addr: stream.local_addr().ok(),
                        remote_addr: Some(peer),
                    };
                    connections.spawn(serve_connection(
                        stream,
                        tls.as_ref().map(|t| t.acceptor()),
                        info,
                        routes.clone(),
                        Arc::clone(&builder),
                        Arc::clone(&settings),
                        metrics.clone(),
                        drain.clone(),
                    ));
                }
                Err(e) if is_per_connection(&e) => {
                    tracing::debug!(error = %e, "accept failed for one connection");
                }
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed; pausing");
                    tokio::time::sleep(ACCEPT_ERROR_PAUSE).await;
                }
            }
        }
    }
    drop(listener);
    drain.cancel();
    tracing::debug!(
        connections = connections.len(),
        "listener closed; draining connections"
    );
    while connections.join_next().await.is_some() {}
}

/// Accept errors that concern one connection only; others (EMFILE, ENOMEM)
/// concern the process.
fn is_per_connection(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionRefused
            | io::ErrorKind::Interrupted
            | io::ErrorKind::WouldBlock
    )
}

/// The frames that refuse a connection: the server's preface (an empty
/// SETTINGS frame) and a GOAWAY with last stream 0, REFUSED_STREAM and a
/// message, so the client knows none of its calls was processed and why.
pub fn refusal_frames(limit: usize) -> Vec<u8> {
    let debug = format!(
        "newsenrich: too many connections (limit {limit}); retry later or on another instance"
    );
    let mut out = Vec::with_capacity(9 + 9 + 8 + debug.len());
    // SETTINGS: length 0, type 0x4, flags 0, stream 0.
    out.extend_from_slice(&[0, 0, 0, 0x4, 0, 0, 0, 0, 0]);
    // GOAWAY: type 0x7 on stream 0; last-stream-id, error code, debug data.
    let len = 8 + debug.len();
    out.extend_from_slice(&(len as u32).to_be_bytes()[1..]);
    out.extend_from_slice(&[0x7, 0, 0, 0, 0, 0]);
    out.extend_from_slice(&0u32.to_be_bytes());
    out.extend_from_slice(&0x7u32.to_be_bytes()); // REFUSED_STREAM
    out.extend_from_slice(debug.as_bytes());
    out
}

/// Refuses a connection over the limit: GOAWAY, then close. While few
/// refusals linger, the socket is half-closed and read until the client
/// closes (at most [`REFUSAL_LINGER`]), so that unread request bytes do not
/// turn the close into a reset that could discard the GOAWAY.
fn refuse(stream: TcpStream, limit: usize, lingering: &Arc<Semaphore>) {
    // A fresh socket's send buffer is empty: this write does not block.
    let _ = stream.try_write(&refusal_frames(limit));
    let Ok(permit) = Arc::clone(lingering).try_acquire_owned() else {
        return;
    };
    tokio::spawn(async move {
        let mut stream = stream;
        let _ = tokio::time::timeout(REFUSAL_LINGER, async {
            let _ = stream.shutdown().await;
            let mut sink = [0u8; 1024];
            while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
        })
        .await;
        drop(permit);
    });
}

/// What one connection's watcher knows: calls open, when the last call
/// started or ended, and whether the preface arrived. Shared between the
/// connection task, its service (calls) and its socket (bytes read).
#[derive(Debug)]
pub struct Activity {
    born: Instant,
    open_calls: AtomicUsize,
    /// Milliseconds from `born` to the last call start or end.
    last_change_ms: AtomicU64,
    preface_seen: AtomicBool,
}

impl Activity {
    /// A connection accepted at `born`.
    pub fn new(born: Instant) -> Self {
        Activity {
            born,
            open_calls: AtomicUsize::new(0),
            last_change_ms: AtomicU64::new(0),
            preface_seen: AtomicBool::new(false),
        }
    }

    fn touch(&self) {
        let ms = self.born.elapsed().as_millis() as u64;
        self.last_change_ms.store(ms, Ordering::Release);
    }

    /// A call started.
    pub fn call_started(&self) {
        self.open_calls.fetch_add(1, Ordering::AcqRel);
        self.touch();
    }

    /// A call ended (its time is stored before the count drops, so a
    /// watcher that sees no call open sees when the last one ended).
    pub fn call_ended(&self) {
        self.touch();
        self.open_calls.fetch_sub(1, Ordering::AcqRel);
    }

    /// Calls open now.
    pub fn open_calls(&self) -> usize {
        self.open_calls.load(Ordering::Acquire)
    }

    /// When the last call started or ended (the connection's birth if none
    /// ever did).
    pub fn last_change(&self) -> Instant {
        self.born + Duration::from_millis(self.last_change_ms.load(Ordering::Acquire))
    }

    /// Whether the HTTP/2 preface has arrived.
    pub fn preface_seen(&self) -> bool {
        self.preface_seen.load(Ordering::Acquire)
    }
}

/// What the connection task does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Nothing yet; look again at this time.
    Wait(Instant),
    /// Send a graceful GOAWAY now, then look again at this time.
    GoAway(CloseReason, Instant),
    /// Close the connection now.
    Close(CloseReason),
}

/// The timers of one connection, as a pure function of time and
/// [`Activity`], so their rules can be tested without sockets.
#[derive(Debug, Clone)]
pub struct Lifecycle {
    born: Instant,
    handshake_timeout: Option<Duration>,
    idle_timeout: Option<Duration>,
    max_age: Option<Duration>,
    close_grace: Duration,
    going_away: Option<(CloseReason, Instant)>,
}

impl Lifecycle {
    /// The timers of a connection accepted at `born`.
    pub fn new(born: Instant, settings: &ConnectionSettings) -> Self {
        Lifecycle {
            born,
            handshake_timeout: settings.handshake_timeout,
            idle_timeout: settings.idle_timeout,
            max_age: settings.max_age,
            close_grace: settings.keepalive_timeout,
            going_away: None,
        }
    }

    /// Notes a GOAWAY sent for another reason (shutdown).
    pub fn going_away(&mut self, reason: CloseReason, now: Instant) {
        if self.going_away.is_none() {
            self.going_away = Some((reason, now));
        }
    }

    /// Why the connection is going away, if it is.
    pub fn reason(&self) -> Option<CloseReason> {
        self.going_away.map(|(r, _)| r)
    }

    /// The next step at `now`.
    pub fn step(
        &mut self,
        now: Instant,
        preface_seen: bool,
        open_calls: usize,
        last_change: Instant,
    ) -> Step {
        if let Some((reason, since)) = self.going_away {
            let give_up = since + self.close_grace;
            return if open_calls == 0 && now >= give_up {
                Step::Close(reason)
            } else {
                Step::Wait(give_up.max(now + self.close_grace.min(Duration::from_secs(1))))
            };
        }
        // Before the preface there is no HTTP/2 session to send a GOAWAY on.
        if !preface_seen {
            let handshake_end = self.handshake_timeout.map(|t| self.born + t);
            let idle_end = self.idle_timeout.map(|t| self.born + t);
            if handshake_end.is_some_and(|t| now >= t) {
                return Step::Close(CloseReason::Handshake);
            }
            if idle_end.is_some_and(|t| now >= t) {
                return Step::Close(CloseReason::Idle);
            }
            let age_end = self.max_age.map(|t| self.born + t);
            if age_end.is_some_and(|t| now >= t) {
                return Step::Close(CloseReason::MaxAge);
            }
            return earliest([handshake_end, idle_end, age_end]);
        }
        let idle_end = self.idle_timeout.map(|t| {
            if open_calls == 0 {
                last_change.max(self.born) + t
            } else {
                // A call is open: no earlier than a full idle time from now.
                now + t
            }
        });
        let age_end = self.max_age.map(|t| self.born + t);
        let reason = if age_end.is_some_and(|t| now >= t) {
            Some(CloseReason::MaxAge)
        } else if open_calls == 0 && idle_end.is_some_and(|t| now >= t) {
            Some(CloseReason::Idle)
        } else {
            None
        };
        match reason {
            Some(reason) => {
                self.going_away = Some((reason, now));
                Step::GoAway(reason, now + self.close_grace)
            }
            None => earliest([idle_end, age_end, None]),
        }
    }
}

/// Waits until the earliest of the deadlines (or for a long time if none).
fn earliest(deadlines: [Option<Instant>; 3]) -> Step {
    let far = Instant::now() + Duration::from_secs(3600);
    Step::Wait(deadlines.into_iter().flatten().min().unwrap_or(far))
}

/// Serves one accepted connection until it closes: the TLS handshake first
/// when `tls` is given, then HTTP/2.
#[allow(clippy::too_many_arguments)]
async fn serve_connection(
    stream: TcpStream,
    tls: Option<tokio_rustls::TlsAcceptor>,
    info: TcpConnectInfo,
    routes: Routes,
    builder: Arc<http2::Builder<TokioExecutor>>,
    settings: Arc<ConnectionSettings>,
    metrics: ConnectionMetrics,
    drain: CancellationToken,
) {
    let born = Instant::now();
    let _open = OpenGuard::new(&metrics.open);
    let reason = match tls {
        None => drive(stream, born, info, routes, &builder, &settings, &drain).await,
        Some(acceptor) => match handshake(acceptor, stream, born, &settings, &drain).await {
            Ok(stream) => drive(stream, born, info, routes, &builder, &settings, &drain).await,
            Err(reason) => {
                tracing::debug!(peer = ?info.remote_addr, reason = reason.as_str(), "TLS handshake not completed");
                reason
            }
        },
    };
    metrics
        .closed
        .get_or_create(&CloseLabels {
            reason: reason.as_str(),
        })
        .inc();
}

/// The TLS handshake of a connection accepted at `born`, within the
/// handshake timeout (the idle timeout without one); the reason to close
/// it if it does not complete.
async fn handshake(
    acceptor: tokio_rustls::TlsAcceptor,
    stream: TcpStream,
    born: Instant,
    settings: &ConnectionSettings,
    drain: &CancellationToken,
) -> Result<tokio_rustls::server::TlsStream<TcpStream>, CloseReason> {
    let limit = settings.handshake_timeout.or(settings.idle_timeout);
    let deadline = limit.map_or_else(|| born + Duration::from_secs(3600 * 24 * 365), |t| born + t);
    tokio::select! {
        done = tokio::time::timeout_at(deadline, acceptor.accept(stream)) => match done {
            Ok(Ok(stream)) => Ok(stream),
            Ok(Err(e)) => {
                tracing::debug!(error = %e, "TLS handshake failed");
                Err(CloseReason::Handshake)
            }
            Err(_) => Err(CloseReason::Handshake),
        },
        () = drain.cancelled() => Err(CloseReason::Shutdown),
    }
}

/// Serves HTTP/2 on an established connection (TCP or TLS) until it
/// closes; why it closed.
async fn drive<S>(
    stream: S,
    born: Instant,
    info: TcpConnectInfo,
    routes: Routes,
    builder: &http2::Builder<TokioExecutor>,
    settings: &ConnectionSettings,
    drain: &CancellationToken,
) -> CloseReason
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let peer = info.remote_addr;
    let activity = Arc::new(Activity::new(born));
    let io = TokioIo::new(Watched {
        inner: stream,
        read: 0,
        activity: Arc::clone(&activity),
    });
    let service = ConnectionService {
        routes,
        activity: Arc::clone(&activity),
        info,
    };
    let conn = builder.serve_connection(io, service);
    tokio::pin!(conn);
    let mut lifecycle = Lifecycle::new(born, settings);
    let first = lifecycle.step(born, false, 0, born);
    let timer = tokio::time::sleep_until(match first {
        Step::Wait(t) | Step::GoAway(_, t) => t,
        Step::Close(_) => born,
    });
    tokio::pin!(timer);
    loop {
        tokio::select! {
            result = conn.as_mut() => {
                if let Err(e) = result {
                    tracing::debug!(error = %e, "connection ended with an error");
                }
                break lifecycle.reason().unwrap_or(CloseReason::Client);
            }
            () = drain.cancelled(), if lifecycle.reason().is_none() => {
                lifecycle.going_away(CloseReason::Shutdown, Instant::now());
                conn.as_mut().graceful_shutdown();
                timer.as_mut().reset(Instant::now());
            }
            () = &mut timer => {
                let now = Instant::now();
                match lifecycle.step(now, activity.preface_seen(), activity.open_calls(), activity.last_change()) {
                    Step::Wait(t) => timer.as_mut().reset(t),
                    Step::GoAway(reason, t) => {
                        tracing::debug!(?peer, reason = reason.as_str(), "sending GOAWAY");
                        conn.as_mut().graceful_shutdown();
                        timer.as_mut().reset(t);
                    }
                    Step::Close(reason) => break reason,
                }
            }
        }
    }
}

/// Counts an open connection in the gauge until dropped (also when the
/// connection task is aborted).
struct OpenGuard(Gauge);

impl OpenGuard {
    fn new(gauge: &Gauge) -> Self {
        gauge.inc();
        OpenGuard(gauge.clone())
    }
}

impl Drop for OpenGuard {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// The accepted socket (or its TLS session), watching for the end of the
/// HTTP/2 preface.
struct Watched<S> {
    inner: S,
    /// Bytes read so far, counted up to the preface's length only.
    read: u64,
    activity: Arc<Activity>,
}

impl<S: AsyncRead + Unpin> AsyncRead for Watched<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let this = &mut *self;
        let polled = Pin::new(&mut this.inner).poll_read(cx, buf);
        if this.read < PREFACE_LEN && polled.is_ready() {
            this.read += (buf.filled().len() - before) as u64;
            if this.read >= PREFACE_LEN {
                this.activity.preface_seen.store(true, Ordering::Release);
            }
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Watched<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// The routes of one connection: counts its open calls and gives each
/// request the connection's addresses (as tonic's server does, for
/// `Request::remote_addr`).
#[derive(Clone)]
struct ConnectionService {
    routes: Routes,
    activity: Arc<Activity>,
    info: TcpConnectInfo,
}

type ServiceFuture =
    Pin<Box<dyn Future<Output = Result<Response<Tracked<tonic::body::Body>>, Infallible>> + Send>>;

impl hyper::service::Service<Request<Incoming>> for ConnectionService {
    type Response = Response<Tracked<tonic::body::Body>>;
    type Error = Infallible;
    type Future = ServiceFuture;

    fn call(&self, mut request: Request<Incoming>) -> Self::Future {
        request.extensions_mut().insert(self.info.clone());
        let guard = CallGuard::new(Arc::clone(&self.activity));
        let mut routes = self.routes.clone();
        Box::pin(async move {
            std::future::poll_fn(|cx| {
                tonic::codegen::Service::<Request<Incoming>>::poll_ready(&mut routes, cx)
            })
            .await?;
            let response = routes.call(request).await?;
            Ok(response.map(|body| Tracked {
                body,
                _guard: guard,
            }))
        })
    }
}

/// Counts one open call until dropped.
struct CallGuard(Arc<Activity>);

impl CallGuard {
    fn new(activity: Arc<Activity>) -> Self {
        activity.call_started();
        CallGuard(activity)
    }
}

impl Drop for CallGuard {
    fn drop(&mut self) {
        self.0.call_ended();
    }
}

/// A response body that keeps its call counted as open until hyper drops
/// it (the last frame was sent, or the call was reset).
pub struct Tracked<B> {
    body: B,
    _guard: CallGuard,
}

impl<B: Body + Unpin> Body for Tracked<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> ConnectionSettings {
        ConnectionSettings {
            max_connections: 10,
            keepalive_interval: Some(Duration::from_secs(30)),
            keepalive_timeout: Duration::from_secs(10),
            idle_timeout: Some(Duration::from_secs(300)),
            handshake_timeout: Some(Duration::from_secs(10)),
            max_age: None,
        }
    }

    const S: Duration = Duration::from_secs(1);

    #[test]
    fn a_silent_connection_is_closed_at_the_handshake_timeout() {
        let t0 = Instant::now();
        let mut l = Lifecycle::new(t0, &settings());
        assert_eq!(l.step(t0, false, 0, t0), Step::Wait(t0 + 10 * S));
        assert_eq!(
            l.step(t0 + 10 * S, false, 0, t0),
            Step::Close(CloseReason::Handshake)
        );
        // Once the preface is in, the handshake timeout no longer applies.
        let mut l = Lifecycle::new(t0, &settings());
        assert_eq!(l.step(t0 + 10 * S, true, 0, t0), Step::Wait(t0 + 300 * S));
    }

    #[test]
    fn without_a_handshake_timeout_the_idle_timeout_closes_a_silent_connection() {
        let t0 = Instant::now();
        let s = ConnectionSettings {
            handshake_timeout: None,
            idle_timeout: Some(2 * S),
            ..settings()
        };
        let mut l = Lifecycle::new(t0, &s);
        assert_eq!(l.step(t0, false, 0, t0), Step::Wait(t0 + 2 * S));
        assert_eq!(
            l.step(t0 + 2 * S, false, 0, t0),
            Step::Close(CloseReason::Idle)
        );
    }

    #[test]
    fn idle_time_counts_from_the_last_call_and_never_while_one_is_open() {
        let t0 = Instant::now();
        let mut l = Lifecycle::new(t0, &settings());
        // A call ended at t0+100s: idle until t0+400s.
        assert_eq!(
            l.step(t0 + 300 * S, true, 0, t0 + 100 * S),
            Step::Wait(t0 + 400 * S)
        );
        // A call has been open for ages: no GOAWAY, look again later.
        assert_eq!(
            l.step(t0 + 1000 * S, true, 1, t0 + 10 * S),
            Step::Wait(t0 + 1300 * S)
        );
        assert_eq!(
            l.step(t0 + 400 * S, true, 0, t0 + 100 * S),
            Step::GoAway(CloseReason::Idle, t0 + 410 * S)
        );
    }

    #[test]
    fn after_a_goaway_only_a_connection_without_calls_is_closed_by_force() {
        let t0 = Instant::now();
        let mut l = Lifecycle::new(t0, &settings());
        let Step::GoAway(CloseReason::Idle, next) = l.step(t0 + 300 * S, true, 0, t0) else {
            panic!("idle GOAWAY expected");
        };
        // A call sent just before the GOAWAY is still running: wait.
        assert!(matches!(l.step(next, true, 1, next), Step::Wait(_)));
        assert_eq!(
            l.step(next + S, true, 0, next),
            Step::Close(CloseReason::Idle)
        );
    }

    #[test]
    fn max_age_sends_goaway_even_with_calls_open_and_never_cuts_them() {
        let t0 = Instant::now();
        let s = ConnectionSettings {
            max_age: Some(60 * S),
            ..settings()
        };
        let mut l = Lifecycle::new(t0, &s);
        assert_eq!(l.step(t0 + S, true, 1, t0), Step::Wait(t0 + 60 * S));
        assert_eq!(
            l.step(t0 + 60 * S, true, 3, t0),
            Step::GoAway(CloseReason::MaxAge, t0 + 70 * S)
        );
        for k in 70..80 {
            assert!(matches!(l.step(t0 + k * S, true, 3, t0), Step::Wait(_)));
        }
        assert_eq!(
            l.step(t0 + 80 * S, true, 0, t0 + 79 * S),
            Step::Close(CloseReason::MaxAge)
        );
    }

    #[test]
    fn shutdown_keeps_its_reason() {
        let t0 = Instant::now();
        let mut l = Lifecycle::new(t0, &settings());
        l.going_away(CloseReason::Shutdown, t0);
        l.going_away(CloseReason::Idle, t0);
        assert_eq!(l.reason(), Some(CloseReason::Shutdown));
        assert_eq!(
            l.step(t0 + 10 * S, true, 0, t0),
            Step::Close(CloseReason::Shutdown)
        );
    }

    #[test]
    fn activity_tracks_open_calls_and_their_last_change() {
        let t0 = Instant::now();
        let a = Arc::new(Activity::new(t0));
        assert_eq!(a.open_calls(), 0);
        assert_eq!(a.last_change(), t0);
        {
            let _call = CallGuard::new(Arc::clone(&a));
            let _other = CallGuard::new(Arc::clone(&a));
            assert_eq!(a.open_calls(), 2);
        }
        assert_eq!(a.open_calls(), 0);
        assert!(a.last_change() >= t0);
    }

    #[test]
    fn refusal_is_an_empty_settings_frame_and_a_goaway() {
        let f = refusal_frames(7);
        assert_eq!(&f[..9], &[0, 0, 0, 4, 0, 0, 0, 0, 0], "SETTINGS");
        let len = u32::from_be_bytes([0, f[9], f[10], f[11]]) as usize;
        assert_eq!(f[12], 7, "GOAWAY type");
        assert_eq!(&f[14..18], &[0, 0, 0, 0], "stream 0");
        assert_eq!(f.len(), 18 + len);
        assert_eq!(&f[18..22], &[0, 0, 0, 0], "last stream id 0");
        assert_eq!(&f[22..26], &[0, 0, 0, 7], "REFUSED_STREAM");
        let debug = std::str::from_utf8(&f[26..]).unwrap();
        assert!(debug.contains("too many connections (limit 7)"), "{debug}");
    }
}
