//! The gRPC services a node serves to its operators (the federation's own
//! `Sync` service lives in the federation crate).

pub mod access;
pub mod approvals;
pub mod assets;
pub mod auth;
pub mod calendar;
pub mod circulars;
pub mod edge_status;
pub mod evaluations;
pub mod faults;
pub mod filings;
pub mod idempotent;
pub mod incidents;
pub mod inspections;
pub mod interruptions;
pub mod ipam;
pub mod orders;
pub mod oversight;
pub mod paging;
pub mod pki;
pub mod private_networks;
pub mod set;
pub mod status;
pub mod units;

pub use access::AccessService;
pub use approvals::ApprovalsService;
pub use assets::AssetsService;
pub use auth::{Caller, Gate};
pub use calendar::CalendarService;
pub use circulars::CircularsService;
pub use evaluations::EvaluationsService;
pub use faults::FaultsService;
pub use filings::FilingsService;
pub use incidents::IncidentsService;
pub use inspections::InspectionsService;
pub use interruptions::InterruptionsService;
pub use orders::OrdersService;
pub use oversight::OversightService;
pub use pki::PkiService;
pub use private_networks::PrivateNetworksService;
pub use set::Services;
pub use status::StatusService;
pub use units::UnitsService;
