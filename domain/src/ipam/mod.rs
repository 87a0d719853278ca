//! Address management (地址管理, Art.6, Art.9, Art.17, Art.23): the pure rules
//! of pools, delegations and assignments. A node's pool is exactly the set
//! of prefixes delegated to it; it hands out space to its children
//! (delegations, sparse so each child can grow in place) and to its own
//! users (assignments, aligned best-fit). Knows nothing of sled or gRPC; the
//! clock is always passed in, so the same history gives the same result.

mod pool;
mod prefix;
mod rebuild;
mod records;
mod request;
mod strategy;
mod system_request;
#[cfg(test)]
mod tests;
mod verify;

pub use pool::{Holder, Pool, PoolUsage};
pub use prefix::{LenRange, Policy, parse_prefix, size_of};
pub use rebuild::{Records, pool_from_records};
pub use records::{
    AddressLedgerEntry, AssigneeId, Assignment, AssignmentId, Delegation, Purpose, RecordState, Reservation,
};
pub use request::{RequestId, RequestState, SpaceRequest};
pub use system_request::{SystemRequest, SystemRequestForm, SystemRequestId, SystemRequestState};
pub use verify::{VerifyReport, verify};
