//! Supervision inspections in the store (Art.28): the inspecting node's
//! own, the copies its ancestors hold, and the copy the inspected lower
//! node holds. A copy is replaced only by a higher revision, so an old
//! event relayed late never undoes a newer step. Each write of an own
//! inspection moves its share of the summary counters and its entries in
//! [`TreeId::RectificationDue`] — one per rectification not yet accepted,
//! keyed by due date — in the same transaction, so the overdue figure is a
//! range scan up to today.

use super::{NodeStore, TreeId, Tx, TxResult, figures, keys};
use crate::domain::inspection::Inspection;
use crate::error::Result;

fn due_key(i: &Inspection, finding: usize, due: chrono::NaiveDate) -> Vec<u8> {
    format!("{due}\0{}\0{finding:03}", i.id.key()).into_bytes()
}

impl NodeStore {
    /// One inspection held here, by key (`540100-J000001`).
    pub fn inspection(&self, key: &str) -> Result<Option<Inspection>> {
        self.view(|t| t.get(TreeId::Inspections, key.as_bytes())?.map(|v| keys::decode(&v)).transpose())
    }

    /// Every inspection held here.
    pub fn inspections(&self) -> Result<Vec<Inspection>> {
        self.view(|t| t.iter(TreeId::Inspections).map(|item| keys::decode(&item?.1)).collect())
    }
}

impl Tx<'_> {
    /// An inspection held here.
    pub fn inspection(&self, key: &str) -> TxResult<Option<Inspection>> {
        self.read(TreeId::Inspections, key.as_bytes())
    }

    /// Writes an inspection unless one of the same or a later revision is
    /// held; returns whether it was written.
    pub fn put_inspection(&mut self, i: &Inspection) -> TxResult<bool> {
        let key = i.id.key();
        let old = self.inspection(&key)?;
        if old.as_ref().is_some_and(|held| held.revision >= i.revision) {
            return Ok(false);
        }
        let me = self.me().clone();
        let share = |x: &Inspection| figures::inspection_share(&me, x);
        self.count(old.as_ref().map(share).unwrap_or_default(), share(i))?;
        if i.id.origin == me {
            for (n, r) in old.iter().flat_map(|o| o.open()) {
                self.remove(TreeId::RectificationDue, due_key(i, n, r.deadline.due))?;
            }
            for (n, r) in i.open() {
                self.insert(TreeId::RectificationDue, due_key(i, n, r.deadline.due), Vec::new())?;
            }
        }
        self.write(TreeId::Inspections, key.as_bytes(), i)?;
        Ok(true)
    }
}
