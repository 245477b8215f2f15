//! Test harness: starts the real server on 127.0.0.1:0 around the real
//! pipeline, wrapped in a [`TestEnricher`] that can hold articles at a gate
//! (to test overload, deadlines and shutdown with work in flight) or panic
//! (to test that one article's failure stays its own), chosen by the id
//! prefix of the article.
#![allow(dead_code)]

pub mod pki;

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use newsenrich::api::v1;
use newsenrich::api::v1::enrichment_service_client::EnrichmentServiceClient;
use newsenrich::error::Error;
use newsenrich::pipeline::{
    ArticleInput, Budget, EnrichOptions, Enriched, Enricher, Pipeline, PipelineConfig,
};
use newsenrich::server::{self, RunningServer, ServerConfig};
use tonic::transport::Channel;

/// Articles whose id starts with this wait at the gate.
pub const WAIT: &str = "wait";
/// Articles whose id starts with this make the pipeline panic.
pub const PANIC: &str = "panic";

/// A gate that held articles pass once opened.
#[derive(Default)]
pub struct Gate {
    open: Mutex<bool>,
    cv: Condvar,
    entered: AtomicUsize,
}

impl Gate {
    pub fn open(&self) {
        *self.open.lock().unwrap() = true;
        self.cv.notify_all();
    }

    /// How many held articles reached the gate.
    pub fn entered(&self) -> usize {
        self.entered.load(Ordering::SeqCst)
    }

    /// Waits (async) until `n` articles reached the gate.
    pub async fn wait_entered(&self, n: usize) {
        for _ in 0..500 {
            if self.entered() >= n {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("only {} of {n} articles reached the gate", self.entered());
    }

    fn pass(&self, budget: &Budget) -> Result<(), Error> {
        self.entered.fetch_add(1, Ordering::SeqCst);
        let mut open = self.open.lock().unwrap();
        while !*open {
            if budget.is_cancelled() {
                return Err(Error::Cancelled);
            }
            open = self
                .cv
                .wait_timeout(open, Duration::from_millis(5))
                .unwrap()
                .0;
        }
        Ok(())
    }
}

/// The real pipeline with a gate and a panic switch in front.
pub struct TestEnricher {
    pub pipeline: Pipeline,
    pub gate: Arc<Gate>,
}

impl Enricher for TestEnricher {
    fn enrich(
        &self,
        article: &ArticleInput,
        options: &EnrichOptions,
        budget: &Budget,
    ) -> Result<Enriched, Error> {
        if article.id.starts_with(PANIC) {
            panic!("deliberate test panic for {}", article.id);
        }
        if article.id.starts_with(WAIT) {
            self.gate.pass(budget)?;
        }
        self.pipeline.enrich(article, options, budget)
    }
}

/// A running test server and what tests need to reach it.
pub struct TestServer {
    pub server: RunningServer,
    pub gate: Arc<Gate>,
    /// Opens to let the pipeline load (already open unless `slow_load`).
    pub load_gate: Arc<Gate>,
}

/// A configuration for tests: loopback, ephemeral ports, short delays.
pub fn test_config() -> ServerConfig {
    ServerConfig {
        listen_addr: "127.0.0.1:0".parse().unwrap(),
        metrics_addr: "127.0.0.1:0".parse().unwrap(),
        max_article_bytes: 64 * 1024,
        max_batch_size: 16,
        worker_threads: 2,
        max_in_flight: 64,
        stream_concurrency: 4,
        drain_delay: Duration::from_millis(100),
        shutdown_grace_period: Duration::from_secs(10),
        ..ServerConfig::default()
    }
}

/// Starts a server with `config`, waiting until it serves.
pub async fn start(config: ServerConfig) -> TestServer {
    let ts = start_with(config, false).await;
    assert!(ts.server.ready().await, "pipeline loaded");
    ts
}

/// Starts a server; with `slow_load` the pipeline only loads once
/// `load_gate` opens.
pub async fn start_with(config: ServerConfig, slow_load: bool) -> TestServer {
    let gate = Arc::new(Gate::default());
    let load_gate = Arc::new(Gate::default());
    if !slow_load {
        load_gate.open();
    }
    let pipeline_config = PipelineConfig {
        max_article_bytes: config.max_article_bytes,
        ..PipelineConfig::default()
    };
    let (g, lg) = (Arc::clone(&gate), Arc::clone(&load_gate));
    let loader: server::Loader = Box::new(move || {
        lg.pass(&Budget::unlimited())?;
        let pipeline = Pipeline::new(pipeline_config)?;
        Ok(Arc::new(TestEnricher { pipeline, gate: g }) as Arc<dyn Enricher>)
    });
    let server = server::start(config, loader).await.expect("server starts");
    TestServer {
        server,
        gate,
        load_gate,
    }
}

impl TestServer {
    pub fn url(&self) -> String {
        format!("http://{}", self.server.grpc_addr())
    }

    pub async fn channel(&self) -> Channel {
        Channel::from_shared(self.url())
            .unwrap()
            .connect()
            .await
            .expect("connect")
    }

    pub async fn client(&self) -> EnrichmentServiceClient<Channel> {
        EnrichmentServiceClient::new(self.channel().await)
    }
}

/// A text article.
pub fn text_article(id: &str, text: &str) -> v1::Article {
    v1::Article {
        id: id.to_string(),
        content: Some(v1::article::Content::Text(text.to_string())),
        ..Default::default()
    }
}

/// An `EnrichArticleRequest` with default options.
pub fn request(article: v1::Article) -> v1::EnrichArticleRequest {
    v1::EnrichArticleRequest {
        article: Some(article),
        options: None,
    }
}

/// Enriches one article with default options; panics on an error status.
pub async fn enrich(
    client: &mut EnrichmentServiceClient<Channel>,
    article: v1::Article,
) -> v1::EnrichedArticle {
    enrich_with(client, article, None).await
}

/// Enriches one article with `options`; panics on an error status.
pub async fn enrich_with(
    client: &mut EnrichmentServiceClient<Channel>,
    article: v1::Article,
    options: Option<v1::EnrichOptions>,
) -> v1::EnrichedArticle {
    client
        .enrich_article(v1::EnrichArticleRequest {
            article: Some(article),
            options,
        })
        .await
        .expect("enriched")
        .into_inner()
        .article
        .expect("a record")
}

/// A removed kind's name without its prefix (`CREDIT`, `CAPTION`, ...).
pub fn removed_kind_name(kind: i32) -> String {
    v1::RemovedKind::try_from(kind)
        .map(|k| {
            k.as_str_name()
                .trim_start_matches("REMOVED_KIND_")
                .to_string()
        })
        .unwrap_or_default()
}

/// Whether the record removed a block of kind `kind` (a
/// [`removed_kind_name`]) whose text starts with `text`: the `removed:KIND`
/// check of the golden files.
pub fn removed_as(record: &v1::EnrichedArticle, kind: &str, text: &str) -> bool {
    record
        .removed
        .iter()
        .any(|r| removed_kind_name(r.kind) == kind && r.text.starts_with(text))
}

/// Whether the record's publication time serialises to `value` (the
/// `published` check of the golden files).
pub fn published_is(record: &v1::EnrichedArticle, value: &str) -> bool {
    record
        .published_at
        .map(|t| serde_json::to_value(t).unwrap())
        == Some(value.into())
}

/// Asserts that no removed block's text is still in the body (so no later
/// stage can take an entity, quote or date from it); `name` labels the
/// failure.
pub fn assert_removed_not_in_body(name: &str, record: &v1::EnrichedArticle) {
    for r in &record.removed {
        assert!(
            !record.text.contains(&r.text),
            "{name}: removed text still in the body: {:?}",
            r.text
        );
    }
}

/// The paragraphs of a record (default code-point offsets) as strings.
pub fn paragraph_texts(record: &v1::EnrichedArticle) -> Vec<String> {
    let chars: Vec<char> = record.text.chars().collect();
    record
        .paragraphs
        .iter()
        .map(|p| chars[p.start as usize..p.end as usize].iter().collect())
        .collect()
}

/// The folder of the sample articles, if present beside the checkout.
pub fn seeds_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/seeds");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: ../shared/seeds is not beside the checkout");
        None
    }
}

/// A sample article's text.
pub fn seed(name_prefix: &str) -> Option<String> {
    let dir = seeds_dir()?;
    let entry = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .find(|e| e.file_name().to_string_lossy().starts_with(name_prefix))?;
    Some(std::fs::read_to_string(entry.path()).unwrap())
}

/// A plain-HTTP GET on loopback, returning the body.
pub async fn http_get(addr: std::net::SocketAddr, path: &str) -> (u16, String) {
    http_get_with(addr, path, "").await
}

/// A plain-HTTP GET on loopback with extra header lines (each ending in
/// `\r\n`), returning the status and body.
pub async fn http_get_with(addr: std::net::SocketAddr, path: &str, headers: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{headers}Connection: close\r\n\r\n");
    s.write_all(req.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).await.unwrap();
    let text = String::from_utf8_lossy(&buf).to_string();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

/// The rows of a tab-separated golden file (`#` comments and blank lines
/// skipped), grouped by their first column: each row's other `columns - 1`
/// fields. Panics on a row with another number of fields.
pub fn golden_rows(text: &str, columns: usize) -> std::collections::BTreeMap<&str, Vec<Vec<&str>>> {
    let mut rows: std::collections::BTreeMap<&str, Vec<Vec<&str>>> = Default::default();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let fields: Vec<&str> = line.split('\t').collect();
        assert_eq!(fields.len(), columns, "bad golden line {line:?}");
        rows.entry(fields[0])
            .or_default()
            .push(fields[1..].to_vec());
    }
    rows
}

/// Each seed with rows in a golden file (`columns` fields a row; see
/// [`golden_rows`]), enriched with default options by one test server:
/// (seed prefix, its rows, its record). Empty, with a note on stderr, when
/// `../shared/seeds` is not beside the checkout; panics unless every one of
/// the five seeds has rows.
pub async fn golden_seed_records(
    golden: &str,
    columns: usize,
) -> Vec<(&str, Vec<Vec<&str>>, v1::EnrichedArticle)> {
    if seeds_dir().is_none() {
        eprintln!("skipped: ../shared/seeds is not beside the checkout");
        return Vec::new();
    }
    let checks = golden_rows(golden, columns);
    assert_eq!(checks.len(), 5, "every seed has expectations");
    let ts = start(test_config()).await;
    let mut client = ts.client().await;
    let mut out = Vec::with_capacity(checks.len());
    for (prefix, rows) in checks {
        let text = seed(prefix).expect("the seed is there");
        let record = enrich(&mut client, text_article(prefix, &text)).await;
        out.push((prefix, rows, record));
    }
    out
}

/// The arguments that start `newsenrich serve` on loopback with the gRPC
/// and metrics ports chosen by the system (read them back with
/// [`listening_addrs`]); tests append their own flags.
pub const LOOPBACK_SERVE: [&str; 5] = [
    "serve",
    "--listen-addr",
    "127.0.0.1:0",
    "--metrics-addr",
    "127.0.0.1:0",
];

/// Reads the JSON log of a starting `newsenrich serve` until it says where
/// it listens: the gRPC and the metrics address. Keeps draining the log
/// afterwards so the server never blocks on its standard output.
pub fn listening_addrs(child: &mut std::process::Child) -> (String, String) {
    let fields = listening_fields(child);
    let addr = |key: &str| fields[key].as_str().unwrap().to_string();
    (addr("grpc_addr"), addr("metrics_addr"))
}

/// The fields of the start-up log line that says where the `serve`
/// process listens (`grpc_addr`, `metrics_addr`, `probe_addr` when there is
/// one, `tls`, ...). Keeps draining the log afterwards.
pub fn listening_fields(child: &mut std::process::Child) -> serde_json::Value {
    use std::io::BufRead;
    let stdout = child.stdout.take().expect("stdout piped");
    let mut lines = std::io::BufReader::new(stdout).lines();
    for line in lines.by_ref() {
        let line = line.unwrap();
        let v: serde_json::Value = serde_json::from_str(&line).expect("JSON log line");
        if v["fields"]["grpc_addr"].is_string() && v["fields"]["metrics_addr"].is_string() {
            std::thread::spawn(move || for _ in lines {});
            return v["fields"].clone();
        }
    }
    panic!("server exited before listening");
}

/// Connects to the `serve` process listening at `addr` (from
/// [`listening_addrs`]) and waits, up to 30 s, until its health says
/// SERVING (the pipeline's models are loaded), as a Kubernetes readiness
/// probe would.
pub async fn channel_when_serving(addr: &str) -> Channel {
    use tonic_health::pb::health_check_response::ServingStatus;
    let endpoint = tonic::transport::Channel::from_shared(format!("http://{addr}")).unwrap();
    for _ in 0..600 {
        if let Ok(ch) = endpoint.connect().await
            && matches!(
                health_status(ch.clone(), "").await,
                Ok(ServingStatus::Serving)
            )
        {
            return ch;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("server at {addr} did not become ready");
}

/// One `grpc.health.v1.Health/Check` of `service` on `channel`.
pub async fn health_status(
    channel: Channel,
    service: &str,
) -> Result<tonic_health::pb::health_check_response::ServingStatus, tonic::Status> {
    use tonic_health::pb::health_check_response::ServingStatus;
    let mut client = tonic_health::pb::health_client::HealthClient::new(channel);
    let r = client
        .check(tonic_health::pb::HealthCheckRequest {
            service: service.into(),
        })
        .await?
        .into_inner();
    Ok(ServingStatus::try_from(r.status).unwrap_or(ServingStatus::Unknown))
}

/// One probe as the kubelet makes it: a new connection to `url`, one
/// `Health/Check` of `service`, 2 s for each.
pub async fn probe_health(
    url: String,
    service: &str,
) -> Result<tonic_health::pb::health_check_response::ServingStatus, tonic::Status> {
    let channel = tonic::transport::Channel::from_shared(url)
        .unwrap()
        .connect_timeout(Duration::from_secs(2))
        .timeout(Duration::from_secs(2))
        .connect()
        .await
        .map_err(|e| tonic::Status::unavailable(e.to_string()))?;
    health_status(channel, service).await
}

/// Sends SIGTERM to a child process.
pub fn sigterm(child: &std::process::Child) {
    let status = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success(), "kill -TERM {}", child.id());
}
