//! One node of the extranet federation: the domain records it owns or
//! replicates, its sled store, its gRPC services and the `extranet` CLI.

pub mod cli;
pub mod client;
pub mod codec;
pub mod config;
pub mod demo;
pub mod error;
pub mod local;
pub mod metrics;
pub mod ops;
pub mod oversight;
pub mod present;
pub mod replicate;
pub mod server;
pub mod service;
pub mod signal;
pub mod store;
pub mod worker;

pub use error::{NodeError, Result};
/// The records and rules (its own crate: it knows nothing of storage or transport).
pub use extranet_domain::{self as domain, calendar, topology};

/// This software's version, reported to operators and peers.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
