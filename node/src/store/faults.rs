//! Fault tickets in the store: the owner's, and the copies its ancestors
//! hold (a copy is replaced only by a higher revision, so an old event
//! relayed late never undoes a newer step).

use super::{NodeStore, TreeId, Tx, TxResult, keys};
use crate::domain::FaultTicket;
use crate::error::Result;

impl NodeStore {
    /// One ticket held here, by key (`540102-T000001`).
    pub fn fault(&self, key: &str) -> Result<Option<FaultTicket>> {
        self.view(|t| t.get(TreeId::Faults, key.as_bytes())?.map(|v| keys::decode(&v)).transpose())
    }

    /// Every ticket held here: reported here, or below.
    pub fn faults(&self) -> Result<Vec<FaultTicket>> {
        self.view(|t| t.iter(TreeId::Faults).map(|item| keys::decode(&item?.1)).collect())
    }
}

impl Tx<'_> {
    /// A ticket held here.
    pub fn fault(&self, key: &str) -> TxResult<Option<FaultTicket>> {
        self.read(TreeId::Faults, key.as_bytes())
    }

    /// Writes a ticket unless one of the same or a later revision is held;
    /// returns whether it was written.
    pub fn put_fault(&mut self, f: &FaultTicket) -> TxResult<bool> {
        if self.fault(&f.id.key())?.is_some_and(|held| held.revision >= f.revision) {
            return Ok(false);
        }
        self.write(TreeId::Faults, f.id.key().as_bytes(), f)?;
        Ok(true)
    }
}
