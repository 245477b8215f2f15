//! newsenrich: turns raw news articles into enriched records.
//!
//! The crate is a fat library behind a thin binary:
//! - [`pipeline`]: the synchronous enrichment pipeline (no gRPC types);
//! - [`api`]: the generated protobuf types and the one place that converts
//!   between them and the pipeline's domain types;
//! - [`server`]: the tonic gRPC server, health, reflection, metrics, shutdown;
//! - [`cli`]: the command line (`serve`, `enrich`, `eval`), parsed with clap;
//! - [`eval`]: measurement on annotated development data (`newsenrich eval`);
//! - [`error`]: the library's error type.

pub mod api;
pub mod cli;
pub mod error;
pub mod eval;
pub mod pipeline;
pub mod server;
pub mod train;

pub use error::Error;

/// This release's version, reported by `GetServiceInfo`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
