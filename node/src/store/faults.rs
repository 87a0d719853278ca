//! Fault tickets in the store: the owner's, and the copies its ancestors
//! hold (a copy is replaced only by a higher revision, so an old event
//! relayed late never undoes a newer step). Each write of an own ticket
//! moves its share of the summary counters (open by class, breaches by
//! year) and keeps the index of own open tickets, in the same transaction.

use super::{NodeStore, TreeId, Tx, TxResult, figures, keys};
use crate::domain::{FaultState, FaultTicket};
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

    /// This node's own tickets not yet closed (from the index: as many
    /// reads as open tickets, whatever the history).
    pub fn open_faults(&self) -> Result<Vec<FaultTicket>> {
        self.view(|t| {
            let mut out = Vec::new();
            for item in t.iter(TreeId::OpenFaults) {
                let (k, _) = item?;
                if let Some(v) = t.get(TreeId::Faults, &k)? {
                    out.push(keys::decode(&v)?);
                }
            }
            Ok(out)
        })
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
        let old = self.fault(&f.id.key())?;
        if old.as_ref().is_some_and(|held| held.revision >= f.revision) {
            return Ok(false);
        }
        let me = self.me().clone();
        let share = |t: &FaultTicket| figures::fault_share(&me, t);
        self.count(old.as_ref().map(share).unwrap_or_default(), share(f))?;
        let key = f.id.key();
        if f.id.origin == me && f.state != FaultState::Closed {
            self.insert(TreeId::OpenFaults, key.as_bytes(), b"")?;
        } else {
            self.remove(TreeId::OpenFaults, key.as_bytes())?;
        }
        self.write(TreeId::Faults, key.as_bytes(), f)?;
        Ok(true)
    }
}
