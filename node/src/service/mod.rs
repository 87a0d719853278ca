//! The gRPC services a node serves to its operators (the federation's own
//! `Sync` service lives in the federation crate).

pub mod auth;
pub mod filings;
pub mod ipam;
pub mod oversight;
pub mod pki;
pub mod report;
pub mod status;

pub use auth::Gate;
pub use filings::FilingsService;
pub use oversight::OversightService;
pub use pki::PkiService;
pub use status::StatusService;
