//! The wire contract: code generated from `proto/newsenrich/v1/enrichment.proto`
//! (and the vendored `google.rpc` messages it uses) and the single place that
//! converts between protobuf and domain types, errors included.

pub mod convert;
mod wkt;

pub use wkt::Timestamp;

/// Generated protobuf messages, tonic client and server, and proto3 JSON impls.
#[allow(clippy::all, clippy::pedantic, missing_docs)]
pub mod v1 {
    tonic::include_proto!("newsenrich.v1");
    include!(concat!(env!("OUT_DIR"), "/newsenrich.v1.serde.rs"));
}

/// `google.rpc.Code` and the google.rpc error-detail messages
/// (`ErrorInfo`, `BadRequest`, ...) as `ArticleError` carries them, with
/// proto3 JSON impls. A call's status carries the same messages in
/// `grpc-status-details-bin`, read with `tonic_types::StatusExt`.
#[allow(clippy::all, clippy::pedantic, missing_docs)]
pub mod rpc {
    tonic::include_proto!("google.rpc");
    include!(concat!(env!("OUT_DIR"), "/google.rpc.serde.rs"));
}

/// Encoded `FileDescriptorSet` of the API and its imports, for gRPC reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/newsenrich_descriptor.bin"));
