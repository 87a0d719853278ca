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
        let old = self.interruption(&i.id.key())?;
        if old.as_ref().is_some_and(|held| held.revision >= i.revision) {
            return Ok(false);
        }
        let me = self.me().clone();
        let share = |x: &Interruption| figures::interruption_share(&me, x);
        self.count(old.as_ref().map(share).unwrap_or_default(), share(i))?;
        self.write(TreeId::Interruptions, i.id.key().as_bytes(), i)?;
        Ok(true)
    }
}
