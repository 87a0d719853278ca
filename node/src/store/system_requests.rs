//! Units' applications for a system's addresses (信息系统地址申请, Art.23)
//! in the store: held and decided at the node they were lodged at, never
//! replicated (the assignment a grant makes travels up on its own). Keyed
//! by display id, so a node's applications read in the order lodged.

use super::{NodeStore, TreeId, Tx, TxResult, keys};
use crate::domain::ipam::SystemRequest;
use crate::error::Result;

impl NodeStore {
    /// One application, by key (`540102-Q000001`).
    pub fn system_request(&self, key: &str) -> Result<Option<SystemRequest>> {
        self.view(|t| t.get(TreeId::SystemRequests, key.as_bytes())?.map(|v| keys::decode(&v)).transpose())
    }

    /// Every application held here, oldest first.
    pub fn system_requests(&self) -> Result<Vec<SystemRequest>> {
        self.view(|t| t.iter(TreeId::SystemRequests).map(|item| keys::decode(&item?.1)).collect())
    }
}

impl Tx<'_> {
    /// One application, by key (`540102-Q000001`).
    pub fn system_request(&self, key: &str) -> TxResult<Option<SystemRequest>> {
        self.read(TreeId::SystemRequests, key.as_bytes())
    }

    /// Writes an application (new, or with its decision).
    pub fn put_system_request(&mut self, r: &SystemRequest) -> TxResult<()> {
        self.write(TreeId::SystemRequests, r.id.key().as_bytes(), r)
    }
}
