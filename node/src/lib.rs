//! One node of the extranet federation: the records it owns or replicates,
//! its sled store, its gRPC services, its background workers and the
//! `extranet` CLI. The records and the regulation's rules are a crate of
//! their own, [`extranet_domain`] (re-exported here as [`domain`],
//! [`calendar`], [`topology`]); the sync protocol is
//! [`extranet_federation`].
//!
//! # Layers
//!
//! A module may use the modules on the rows below its own, never one above
//! (the `layering` test in `tests/` fails on any module cycle, at file and
//! at folder level):
//!
//! | layer | modules | what it does |
//! | --- | --- | --- |
//! | front ends | [`cli`], [`demo`], [`local`] | the `extranet` command, the demo federation, a federation of nodes in one process for the demo and tests |
//! | runtime | [`server`] | starts a node: certificates, store, engine, services, workers; shuts it down in order |
//! | web console | [`console`] | the Chinese HTTPS console: sign-in links and sessions, pages that call the gRPC service objects in process — no rule lives here |
//! | printing | [`present`] | how records read to a person: Beijing time, tables, a filing, the oversight view (the CLI, the demo and the console) |
//! | gRPC | [`service`], [`metrics`] | handlers that authorise ([`service::auth`]), decode ([`codec`]), call one operation and encode — no rule lives here; the Prometheus endpoint |
//! | oversight | [`oversight`] | this node's summary for the tree above, and the view of the tree below |
//! | operations | [`ops`] | what a filing, an application, a unit, an address request *does*: domain rules applied in one store transaction, with the events that announce it |
//! | replication | [`replicate`] | what each event from a peer does where it takes effect (one kind → applier table), and what an owner's write sends |
//! | settings | [`config`] | the node's configuration file |
//! | wire and storage | [`codec`], [`store`] | domain ↔ `extranet.v1` (requests checked at the edge, event payloads); the sled store, the only module that names an engine type or a tree |
//! | foundations | [`worker`], [`client`], [`signal`], [`error`] | the one runner of background work; a client of a node's services; Ctrl-C/SIGTERM; [`NodeError`] and its one mapping to `tonic::Status` |

pub mod cli;
pub mod client;
pub mod codec;
pub mod config;
pub mod console;
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
