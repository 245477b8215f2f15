//! Compiles `proto/` at build time with protox (pure Rust, no system `protoc`):
//! prost messages, tonic client and server, pbjson serde impls (proto3 JSON),
//! and the encoded descriptor set served by gRPC reflection.

use std::path::PathBuf;

use prost::Message as _;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);
    println!("cargo:rerun-if-changed=proto");

    let fds = protox::compile(["newsenrich/v1/enrichment.proto"], ["proto"])?;
    let descriptor_path = out_dir.join("newsenrich_descriptor.bin");
    std::fs::write(&descriptor_path, fds.encode_to_vec())?;

    // Well-known types come from pbjson-types (proto3 JSON forms such as
    // "1.5s" for Duration), except Timestamp: ours writes the canonical
    // "...Z" form that grpcurl prints (see src/api/wkt.rs).
    tonic_prost_build::configure()
        .compile_well_known_types(true)
        .extern_path(".google.protobuf.Timestamp", "crate::api::Timestamp")
        .extern_path(".google.protobuf", "::pbjson_types")
        .compile_fds(fds)?;

    pbjson_build::Builder::new()
        .register_descriptors(&std::fs::read(&descriptor_path)?)?
        .extern_path(".google.protobuf.Timestamp", "crate::api::Timestamp")
        .extern_path(".google.protobuf", "::pbjson_types")
        .build(&[".newsenrich.v1"])?;
    Ok(())
}
