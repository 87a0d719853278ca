//! Compiles `extranet/v1/*.proto` with the pure-Rust `protox` compiler, so a
//! fresh machine needs no `protoc`. The encoded descriptor set is written to
//! `OUT_DIR` as well, for gRPC server reflection.

use std::{env, fs, path::PathBuf};

use prost::Message;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR")?);
    let mut files: Vec<PathBuf> = fs::read_dir(dir.join("extranet/v1"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "proto"))
        .collect();
    files.sort();
    // The directory too, so a newly added .proto file triggers a rebuild.
    println!("cargo:rerun-if-changed={}", dir.join("extranet/v1").display());
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
    }
    let fds = protox::compile(&files, [&dir])?;
    let out = PathBuf::from(env::var("OUT_DIR")?);
    fs::write(out.join("extranet_descriptor.bin"), fds.encode_to_vec())?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        // Malformed requests are INVALID_ARGUMENT, not INTERNAL (`src/codec.rs`).
        .codec_path("crate::codec::EdgeCodec")
        // `--json` output of the CLI serialises the wire types directly.
        .type_attribute(".", "#[derive(serde::Serialize)]")
        .compile_fds(fds)?;
    Ok(())
}
