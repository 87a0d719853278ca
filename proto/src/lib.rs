//! The wire contract of the extranet federation: the generated types and
//! services of package `extranet.v1`. Everything that crosses a node boundary
//! is defined here, so the contract can be versioned as one package.

#![allow(clippy::all, missing_docs)]

pub mod codec;

/// Package `extranet.v1`.
pub mod v1 {
    tonic::include_proto!("extranet.v1");
}

/// The encoded `FileDescriptorSet` of every `.proto` in this crate, served by
/// gRPC server reflection so generic clients (grpcurl and the like) can
/// discover the services.
pub const FILE_DESCRIPTOR_SET: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/extranet_descriptor.bin"));
