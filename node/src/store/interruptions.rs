//! Maintenance interruptions in the store: the owner's, and the copies its
//! ancestors hold (a copy is replaced only by a higher revision, so an old
//! event relayed late never undoes a newer step). Each write of an own
//! interruption moves its share of the summary counters (pending, planned,
//! under way, finished by year) in the same transaction.

use super::{NodeStore, TreeId, Tx, TxResult, figures, keys};
use crate::domain::Interruption;
use crate::error::Result;

impl NodeStore {
    /// One interruption held here, by key (`540102-M000001`).
    pub fn interruption(&self, key: &str) -> Result<Option<Interruption>> {
        self.view(|t| t.get(TreeId::Interruptions, key.as_bytes())?.map(|v| keys::decode(&v)).transpose())
    }

    /// Every interruption held here: requested here, or below.
    pub fn interruptions(&self) -> Result<Vec<Interruption>> {
        self.view(|t| t.iter(TreeId::Interruptions).map(|item| keys::decode(&item?.1)).collect())
    }
}

impl Tx<'_> {
    /// An interruption held here.
    pub fn interruption(&self, key: &str) -> TxResult<Option<Interruption>> {
        self.read(TreeId::Interruptions, key.as_bytes())
    }

    /// Writes an interruption unless one of the same or a later revision is
    /// held; returns whether it was written.
    pub fn put_interruption(&mut self, i: &Interruption) -> TxResult<bool> {
        self.put_revised(TreeId::Interruptions, &i.id.key(), i, figures::interruption_share)
    }
}
