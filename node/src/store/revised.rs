//! Whole records that travel the tree and merge "latest revision wins":
//! one write for all of them — the held copy is replaced only by a higher
//! revision (so an old event relayed late never undoes a newer step, and a
//! relay that arrives twice changes nothing), and the record's share of the
//! summary counters moves in the same transaction.

use extranet_certs::NodeId;

use super::figures::Share;
use super::record::Record;
use super::{TreeId, Tx, TxResult};

/// A record merged by its revision.
pub(super) trait Revised: Record {
    /// Changes made to it, from 1.
    fn revision(&self) -> u64;
}

impl Revised for crate::domain::Interruption {
    fn revision(&self) -> u64 {
        self.revision
    }
}

impl Revised for crate::domain::Incident {
    fn revision(&self) -> u64 {
        self.revision
    }
}

impl Revised for crate::domain::PrivateNetwork {
    fn revision(&self) -> u64 {
        self.revision
    }
}

impl Revised for crate::domain::Circular {
    fn revision(&self) -> u64 {
        self.revision
    }
}

impl Tx<'_> {
    /// Writes `v` under `key` of `tree` unless a copy of the same or a later
    /// revision is held, moving its `share` of the counters; returns
    /// whether it was written.
    pub(super) fn put_revised<T: Revised>(
        &mut self,
        tree: TreeId,
        key: &str,
        v: &T,
        share: fn(&NodeId, &T) -> Share,
    ) -> TxResult<bool> {
        let old: Option<T> = self.read(tree, key.as_bytes())?;
        if old.as_ref().is_some_and(|held| held.revision() >= v.revision()) {
            return Ok(false);
        }
        let me = self.me().clone();
        self.count(old.as_ref().map(|x| share(&me, x)).unwrap_or_default(), share(&me, v))?;
        self.write(tree, key.as_bytes(), v)?;
        Ok(true)
    }
}
