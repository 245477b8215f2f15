//! The command line: `newsenrich serve`, `enrich` and `eval`, parsed with
//! clap. Every `serve` flag is also an environment variable `NEWSENRICH_*`.
//! Parsing produces validated library configuration ([`ServeArgs::to_config`]),
//! so `main` stays a few lines.

pub mod enrich;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};

use crate::server::ServerConfig;
use crate::server::security::SecurityConfig;

/// newsenrich: turns raw news articles into enriched records over gRPC.
#[derive(Debug, Parser)]
#[command(name = "newsenrich", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the gRPC server.
    Serve(Box<ServeArgs>),
    /// Enrich articles from files or standard input and print one
    /// EnrichedArticle per line as proto3 JSON.
    Enrich(enrich::EnrichArgs),
    /// Measure the pipeline on annotated development data.
    Eval(EvalArgs),
    /// Train a model the pipeline embeds.
    Train(TrainArgs),
}

/// Settings of `newsenrich train`.
#[derive(Debug, clap::Args)]
pub struct TrainArgs {
    /// What to train.
    #[command(subcommand)]
    pub task: TrainTask,
}

/// `newsenrich train` subcommands.
#[derive(Debug, Subcommand)]
pub enum TrainTask {
    /// The entity tagger, from a CoNLL-format corpus.
    Ner(crate::train::ner::TrainNerArgs),
    /// Brown word clusters of unlabelled text, for the entity tagger.
    Clusters(crate::train::brown::TrainClustersArgs),
    /// The speaker ranker of the quotation stage, from PolNeAR.
    Quotes(crate::train::quotes::TrainQuotesArgs),
    /// The calibration of the quotation stage's confidences, from PolNeAR:
    /// `models/confidence.bin`.
    Confidence(crate::train::confidence::TrainConfidenceArgs),
    /// The cue detector of the quotation stage, from PolNeAR.
    Cues(crate::train::cues::TrainCuesArgs),
    /// The speech filter of the quotation stage (titles and scare quotes
    /// out), from PolNeAR: `models/speech.bin`.
    Speech(crate::train::speech::TrainSpeechArgs),
    /// The main-content scorer of the HTML path, from the trafilatura evaluation set.
    Content(crate::train::content::TrainContentArgs),
    /// The block classifier of the plain-text cleaner, from the
    /// trafilatura evaluation set flattened to text: `models/text-content.bin`.
    TextContent(crate::train::text_content::TrainTextContentArgs),
    /// The words never tagged as nouns, from part-of-speech-tagged corpora:
    /// `data/words/not-nouns.txt`, the quotation stage's speaker check.
    WordClasses(crate::train::word_classes::TrainWordClassesArgs),
}

/// Settings of `newsenrich eval`.
#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// What to measure.
    #[command(subcommand)]
    pub task: EvalTask,
}

/// `newsenrich eval` subcommands.
#[derive(Debug, Subcommand)]
pub enum EvalTask {
    /// Main-content extraction and cleaning, on the trafilatura evaluation
    /// set: precision, recall and F1 for HTML input and for naively
    /// flattened text input.
    Cleaning(crate::eval::cleaning::CleaningArgs),
    /// The entity tagger on a CoNLL-format file: exact-match precision,
    /// recall and F1 per type and overall (conlleval).
    Ner(crate::eval::ner::NerArgs),
    /// Temporal expressions on TempEval-3 TimeML data: strict and relaxed
    /// extent P/R/F1, type accuracy and value F1, per corpus and overall.
    Timex(crate::eval::timex::TimexArgs),
    /// Quotations on a PolNeAR split: overlap precision, recall and F1 of
    /// quotes (quoted contents and all attributions) and speaker accuracy.
    Quotes(crate::eval::quotes::QuotesArgs),
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// One JSON object per line (for log collectors).
    Json,
    /// Human-readable text.
    Text,
}

/// Settings of `newsenrich serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// gRPC listen address.
    #[arg(long, env = "NEWSENRICH_LISTEN_ADDR", default_value = "0.0.0.0:50051")]
    pub listen_addr: SocketAddr,
    /// Prometheus metrics listen address (GET /metrics).
    #[arg(long, env = "NEWSENRICH_METRICS_ADDR", default_value = "0.0.0.0:9090")]
    pub metrics_addr: SocketAddr,
    /// Largest accepted gRPC request message, in bytes.
    #[arg(long, env = "NEWSENRICH_MAX_MESSAGE_BYTES", default_value_t = 16 * 1024 * 1024)]
    pub max_message_bytes: usize,
    /// Largest accepted article content (text or html), in bytes.
    #[arg(long, env = "NEWSENRICH_MAX_ARTICLE_BYTES", default_value_t = 2 * 1024 * 1024)]
    pub max_article_bytes: usize,
    /// Most articles in one BatchEnrichArticles call.
    #[arg(long, env = "NEWSENRICH_MAX_BATCH_SIZE", default_value_t = 256)]
    pub max_batch_size: usize,
    /// Threads running the pipeline [default: available cores].
    #[arg(long, env = "NEWSENRICH_WORKER_THREADS")]
    pub worker_threads: Option<usize>,
    /// Most articles queued or running over all calls; past it unary and
    /// batch calls get RESOURCE_EXHAUSTED.
    #[arg(long, env = "NEWSENRICH_MAX_IN_FLIGHT", default_value_t = 1024)]
    pub max_in_flight: usize,
    /// Most articles of one stream processed at once [default: 2 x worker threads].
    #[arg(long, env = "NEWSENRICH_STREAM_CONCURRENCY")]
    pub stream_concurrency: Option<usize>,
    /// Time budget of one article; past it later stages are skipped with a
    /// warning ("0s" for none).
    #[arg(long, env = "NEWSENRICH_ARTICLE_TIME_BUDGET", default_value = "10s", value_parser = humantime::parse_duration)]
    pub article_time_budget: Duration,
    /// After SIGTERM: time spent NOT_SERVING before the listener closes, so
    /// load balancers stop sending traffic.
    #[arg(long, env = "NEWSENRICH_DRAIN_DELAY", default_value = "5s", value_parser = humantime::parse_duration)]
    pub drain_delay: Duration,
    /// After SIGTERM: total time for shutdown, drain delay included; calls
    /// still running then are dropped.
    #[arg(long, env = "NEWSENRICH_SHUTDOWN_GRACE_PERIOD", default_value = "25s", value_parser = humantime::parse_duration)]
    pub shutdown_grace_period: Duration,
    /// Age after which a client connection is told to reconnect (HTTP/2
    /// GOAWAY), spreading long-lived connections over replicas ("0s": never).
    #[arg(long, env = "NEWSENRICH_MAX_CONNECTION_AGE", default_value = "0s", value_parser = humantime::parse_duration)]
    pub max_connection_age: Duration,
    /// Time without any call after which a client connection is told to
    /// close (HTTP/2 GOAWAY); a connection that has not sent the HTTP/2
    /// preface by then is closed ("0s": never).
    #[arg(long, env = "NEWSENRICH_MAX_CONNECTION_IDLE", default_value = "5m", value_parser = humantime::parse_duration)]
    pub max_connection_idle: Duration,
    /// Time within which a new connection must send the HTTP/2 preface, or
    /// be closed ("0s": no limit but the idle timeout).
    #[arg(long, env = "NEWSENRICH_HANDSHAKE_TIMEOUT", default_value = "10s", value_parser = humantime::parse_duration)]
    pub handshake_timeout: Duration,
    /// Most client connections open at once; past it a new connection is
    /// refused (GOAWAY, then closed).
    #[arg(long, env = "NEWSENRICH_MAX_CONNECTIONS", default_value_t = 10_000)]
    pub max_connections: usize,
    /// Interval of HTTP/2 keepalive pings to clients ("0s": none).
    #[arg(long, env = "NEWSENRICH_HTTP2_KEEPALIVE_INTERVAL", default_value = "30s", value_parser = humantime::parse_duration)]
    pub http2_keepalive_interval: Duration,
    /// How long a keepalive (or GOAWAY) ping may go unanswered before the
    /// connection is closed.
    #[arg(long, env = "NEWSENRICH_HTTP2_KEEPALIVE_TIMEOUT", default_value = "10s", value_parser = humantime::parse_duration)]
    pub http2_keepalive_timeout: Duration,
    /// Largest reply message, in bytes: records over it are trimmed with a
    /// RESPONSE_TRIMMED warning, and articles that cannot fit fail with
    /// RESOURCE_EXHAUSTED. Clients must accept messages this large.
    #[arg(long, env = "NEWSENRICH_MAX_RESPONSE_BYTES", default_value_t = crate::server::DEFAULT_MAX_RESPONSE_BYTES)]
    pub max_response_bytes: usize,
    /// Log format.
    #[arg(long, env = "NEWSENRICH_LOG_FORMAT", value_enum, default_value_t = LogFormat::Json)]
    pub log_format: LogFormat,
    /// Server certificate chain (PEM, leaf first): with --tls-key-file,
    /// the gRPC port speaks TLS only. Re-read when it changes.
    #[arg(long, env = "NEWSENRICH_TLS_CERT_FILE", value_name = "PEM")]
    pub tls_cert_file: Option<PathBuf>,
    /// Private key of the server certificate (PEM: PKCS#8, PKCS#1 or SEC1).
    #[arg(long, env = "NEWSENRICH_TLS_KEY_FILE", value_name = "PEM")]
    pub tls_key_file: Option<PathBuf>,
    /// CA certificates (PEM): clients must present a certificate signed by
    /// one of them (mutual TLS). Re-read when it changes.
    #[arg(long, env = "NEWSENRICH_TLS_CLIENT_CA_FILE", value_name = "PEM")]
    pub tls_client_ca_file: Option<PathBuf>,
    /// Bearer tokens, one a line (blank lines and # comments ignored):
    /// every call but health needs `authorization: Bearer <token>`.
    /// Re-read when it changes.
    #[arg(long, env = "NEWSENRICH_AUTH_TOKEN_FILE", value_name = "FILE")]
    pub auth_token_file: Option<PathBuf>,
    /// GET /metrics needs a bearer token from --auth-token-file too.
    #[arg(long, env = "NEWSENRICH_METRICS_AUTH")]
    pub metrics_auth: bool,
    /// Plaintext listener serving the gRPC health service alone, for
    /// Kubernetes gRPC probes when the gRPC port speaks TLS [default: none].
    #[arg(long, env = "NEWSENRICH_PROBE_ADDR")]
    pub probe_addr: Option<SocketAddr>,
    /// How often the TLS and token files are checked for changes.
    #[arg(long, env = "NEWSENRICH_FILE_RELOAD_INTERVAL", default_value = "5s", value_parser = humantime::parse_duration)]
    pub file_reload_interval: Duration,
}

impl ServeArgs {
    /// The server configuration these flags describe (validated by `server::start`).
    pub fn to_config(&self) -> ServerConfig {
        let defaults = ServerConfig::default();
        let workers = self.worker_threads.unwrap_or(defaults.worker_threads);
        let nonzero = |d: Duration| (!d.is_zero()).then_some(d);
        ServerConfig {
            listen_addr: self.listen_addr,
            metrics_addr: self.metrics_addr,
            max_message_bytes: self.max_message_bytes,
            max_article_bytes: self.max_article_bytes,
            max_batch_size: self.max_batch_size,
            worker_threads: workers,
            max_in_flight: self.max_in_flight,
            stream_concurrency: self.stream_concurrency.unwrap_or(2 * workers),
            article_time_budget: nonzero(self.article_time_budget),
            drain_delay: self.drain_delay,
            shutdown_grace_period: self.shutdown_grace_period,
            max_connection_age: nonzero(self.max_connection_age),
            max_connection_idle: nonzero(self.max_connection_idle),
            handshake_timeout: nonzero(self.handshake_timeout),
            max_connections: self.max_connections,
            http2_keepalive_interval: nonzero(self.http2_keepalive_interval),
            http2_keepalive_timeout: self.http2_keepalive_timeout,
            max_response_bytes: self.max_response_bytes,
            probe_addr: self.probe_addr,
            security: SecurityConfig {
                tls_cert_file: self.tls_cert_file.clone(),
                tls_key_file: self.tls_key_file.clone(),
                tls_client_ca_file: self.tls_client_ca_file.clone(),
                auth_token_file: self.auth_token_file.clone(),
                metrics_auth: self.metrics_auth,
                reload_interval: self.file_reload_interval,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn serve_defaults_match_the_documented_ones() {
        let cli = Cli::try_parse_from(["newsenrich", "serve", "--worker-threads", "3"]).unwrap();
        let Command::Serve(args) = cli.command else {
            panic!("serve expected")
        };
        let c = args.to_config();
        assert_eq!(c.listen_addr.to_string(), "0.0.0.0:50051");
        assert_eq!(c.metrics_addr.to_string(), "0.0.0.0:9090");
        assert_eq!(c.max_message_bytes, 16 * 1024 * 1024);
        assert_eq!(c.max_batch_size, 256);
        assert_eq!(c.stream_concurrency, 6);
        assert_eq!(c.article_time_budget, Some(Duration::from_secs(10)));
        assert_eq!(c.max_connection_age, None);
        assert_eq!(c.max_connection_idle, Some(Duration::from_secs(300)));
        assert_eq!(c.handshake_timeout, Some(Duration::from_secs(10)));
        assert_eq!(c.max_connections, 10_000);
        assert_eq!(c.http2_keepalive_interval, Some(Duration::from_secs(30)));
        assert_eq!(c.http2_keepalive_timeout, Duration::from_secs(10));
        assert_eq!(c.max_response_bytes, 4_194_304);
        assert_eq!(c.probe_addr, None);
        assert_eq!(c.security, SecurityConfig::default(), "TLS and tokens off");
        let d = ServerConfig::default();
        assert_eq!(
            (
                d.max_connection_idle,
                d.handshake_timeout,
                d.max_connections
            ),
            (
                c.max_connection_idle,
                c.handshake_timeout,
                c.max_connections
            )
        );
        assert_eq!(
            (
                d.http2_keepalive_interval,
                d.http2_keepalive_timeout,
                d.max_response_bytes
            ),
            (
                c.http2_keepalive_interval,
                c.http2_keepalive_timeout,
                c.max_response_bytes
            )
        );
        assert!(c.validate().is_ok());
    }

    #[test]
    fn eval_cleaning_flags() {
        let cli = Cli::try_parse_from([
            "newsenrich",
            "eval",
            "cleaning",
            "--trafilatura-eval",
            "dir",
            "--mode",
            "text",
            "--limit",
            "5",
        ])
        .unwrap();
        let Command::Eval(EvalArgs {
            task: EvalTask::Cleaning(args),
        }) = cli.command
        else {
            panic!("eval cleaning expected")
        };
        assert_eq!(args.trafilatura_eval, std::path::PathBuf::from("dir"));
        assert_eq!(args.mode, crate::eval::cleaning::Mode::Text);
        assert_eq!(args.limit, Some(5));
        assert!(!args.verbose);
    }

    #[test]
    fn durations_parse_human_units() {
        let cli = Cli::try_parse_from([
            "newsenrich",
            "serve",
            "--drain-delay",
            "250ms",
            "--max-connection-age",
            "5m",
            "--article-time-budget",
            "0s",
        ])
        .unwrap();
        let Command::Serve(args) = cli.command else {
            panic!("serve expected")
        };
        let c = args.to_config();
        assert_eq!(c.drain_delay, Duration::from_millis(250));
        assert_eq!(c.max_connection_age, Some(Duration::from_secs(300)));
        assert_eq!(c.article_time_budget, None);
    }

    #[test]
    fn security_flags_build_the_security_config_and_bad_pairs_are_refused() {
        let parse = |args: &[&str]| {
            let cli = Cli::try_parse_from(["newsenrich", "serve"].iter().chain(args)).unwrap();
            let Command::Serve(args) = cli.command else {
                panic!("serve expected")
            };
            args.to_config()
        };
        let c = parse(&[
            "--tls-cert-file",
            "/tls/tls.crt",
            "--tls-key-file",
            "/tls/tls.key",
            "--tls-client-ca-file",
            "/tls/ca.crt",
            "--auth-token-file",
            "/tokens",
            "--metrics-auth",
            "--probe-addr",
            "0.0.0.0:8081",
            "--file-reload-interval",
            "250ms",
        ]);
        assert!(c.validate().is_ok());
        assert_eq!(c.probe_addr.unwrap().port(), 8081);
        let s = &c.security;
        assert!(s.tls() && s.metrics_auth);
        assert_eq!(
            s.tls_client_ca_file.as_deref(),
            Some("/tls/ca.crt".as_ref())
        );
        assert_eq!(s.auth_token_file.as_deref(), Some("/tokens".as_ref()));
        assert_eq!(s.reload_interval, Duration::from_millis(250));
        let e = parse(&["--tls-cert-file", "/tls/tls.crt"])
            .validate()
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "--tls-cert-file is set but --tls-key-file is not: the two go together"
        );
        let e = parse(&["--metrics-auth"])
            .validate()
            .unwrap_err()
            .to_string();
        assert_eq!(e, "--metrics-auth needs --auth-token-file");
    }

    #[test]
    fn connection_flags_and_zero_durations() {
        let cli = Cli::try_parse_from([
            "newsenrich",
            "serve",
            "--max-connection-idle",
            "0s",
            "--handshake-timeout",
            "2s",
            "--http2-keepalive-interval",
            "0s",
            "--max-connections",
            "5",
            "--max-response-bytes",
            "65536",
        ])
        .unwrap();
        let Command::Serve(args) = cli.command else {
            panic!("serve expected")
        };
        let c = args.to_config();
        assert_eq!(c.max_connection_idle, None, "0s: never");
        assert_eq!(c.http2_keepalive_interval, None, "0s: no pings");
        assert_eq!(c.handshake_timeout, Some(Duration::from_secs(2)));
        assert_eq!(c.max_connections, 5);
        assert_eq!(c.max_response_bytes, 65_536);
        assert!(c.validate().is_ok());
        let tiny = ServerConfig {
            max_response_bytes: 100,
            ..c.clone()
        };
        assert!(
            tiny.validate().is_err(),
            "a reply limit too small for any record"
        );
        let none = ServerConfig {
            max_connections: 0,
            ..c
        };
        assert!(none.validate().is_err());
    }

    #[test]
    fn a_held_out_stage_needs_cross_validation() {
        let args = |extra: &[&str]| {
            let mut all = vec!["newsenrich", "train", "quotes", "--train", "t"];
            all.extend_from_slice(extra);
            Cli::try_parse_from(all)
        };
        let e = args(&["--held-out-stage"]).unwrap_err().to_string();
        assert!(e.contains("--cv"), "{e}");
        let cli = args(&["--held-out-stage", "--cv", "5"]).unwrap();
        let Command::Train(TrainArgs {
            task: TrainTask::Quotes(quotes),
        }) = cli.command
        else {
            panic!("train quotes expected")
        };
        assert!(quotes.held_out_stage);
        assert_eq!(quotes.split.cv, Some(5));
    }
}
