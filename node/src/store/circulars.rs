//! Circulars in the store: those this node's authority issued, and those
//! its ancestors issued to a subtree it lies in. A circular is issued once;
//! a copy is replaced only by a higher revision, so a relay that arrives
//! twice changes nothing. Each write moves its share of the summary
//! counters (issued or received, by year) in the same transaction.

use super::{NodeStore, TreeId, Tx, TxResult, figures, keys};
use crate::domain::Circular;
use crate::error::Result;

impl NodeStore {
    /// One circular held here, by key (`540100-C000001`).
    pub fn circular(&self, key: &str) -> Result<Option<Circular>> {
        self.view(|t| t.get(TreeId::Circulars, key.as_bytes())?.map(|v| keys::decode(&v)).transpose())
    }

    /// Every circular held here: issued here, or by an ancestor.
    pub fn circulars(&self) -> Result<Vec<Circular>> {
        self.view(|t| t.iter(TreeId::Circulars).map(|item| keys::decode(&item?.1)).collect())
    }
}

impl Tx<'_> {
    /// A circular held here.
    pub fn circular(&self, key: &str) -> TxResult<Option<Circular>> {
        self.read(TreeId::Circulars, key.as_bytes())
    }

    /// Writes a circular unless one of the same or a later revision is
    /// held; returns whether it was written.
    pub fn put_circular(&mut self, c: &Circular) -> TxResult<bool> {
        self.put_revised(TreeId::Circulars, &c.id.key(), c, figures::circular_share)
    }
}
