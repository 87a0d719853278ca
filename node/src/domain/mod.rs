//! The domain: records this node owns or replicates, and the rules of the
//! regulation that govern them. Knows nothing of sled or gRPC.

pub mod filing;
pub mod ipam;
pub mod report;

pub use filing::{Cutover, Filing, FilingDetails, FilingId, Launch, Receipt};
pub use report::AnnualReport;
