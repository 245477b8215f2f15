//! Compiles `proto/` at build time with protox (pure Rust, no system `protoc`):
//! prost messages, tonic client and server, pbjson serde impls (proto3 JSON),
//! and the encoded descriptor set served by gRPC reflection.
//!
//! Two packages come out: `newsenrich.v1` (the API, `crate::api::v1`) and the
//! vendored `google.rpc` (`crate::api::rpc`: `Code` and the error-detail
//! messages that `ArticleError` carries). They are generated in two passes so
//! that the API refers to `google.rpc` by the absolute path `crate::api::rpc`.

use std::path::PathBuf;

use prost::Message as _;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);
    println!("cargo:rerun-if-changed=proto");

    let fds = protox::compile(["newsenrich/v1/enrichment.proto"], ["proto"])?;
    let descriptor_path = out_dir.join("newsenrich_descriptor.bin");
    std::fs::write(&descriptor_path, fds.encode_to_vec())?;
    let descriptors = std::fs::read(&descriptor_path)?;

    // Pass 1: google.rpc messages only (no services in those files).
    let mut rpc_only = fds.clone();
    rpc_only.file.retain(|f| f.package() != "newsenrich.v1");
    tonic_prost_build::configure()
        .build_client(false)
        .build_server(false)
        .compile_well_known_types(true)
        .extern_path(".google.protobuf", "::pbjson_types")
        .compile_fds(rpc_only)?;
    pbjson_build::Builder::new()
        .register_descriptors(&descriptors)?
        .extern_path(".google.protobuf", "::pbjson_types")
        .build(&[".google.rpc"])?;

    // Pass 2: the API. Well-known types come from pbjson-types (proto3 JSON
    // forms such as "1.5s" for Duration), except Timestamp: ours writes the
    // canonical "...Z" form that grpcurl prints (see src/api/wkt.rs).
    tonic_prost_build::configure()
        .compile_well_known_types(true)
        .extern_path(".google.protobuf.Timestamp", "crate::api::Timestamp")
        .extern_path(".google.protobuf", "::pbjson_types")
        .extern_path(".google.rpc", "crate::api::rpc")
        .compile_fds(fds)?;
    pbjson_build::Builder::new()
        .register_descriptors(&descriptors)?
        .extern_path(".google.protobuf.Timestamp", "crate::api::Timestamp")
        .extern_path(".google.protobuf", "::pbjson_types")
        .extern_path(".google.rpc", "crate::api::rpc")
        .build(&[".newsenrich.v1"])?;
    Ok(())
}
