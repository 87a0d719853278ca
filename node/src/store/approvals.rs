//! Applications for a major adjustment in the store: the applicant's own,
//! and the copies every level of its path holds, each assembled from the
//! decisions that level has received. A write moves the application's
//! share of the summary counters (waiting on this level; the node's own by
//! stage) and keeps the queue of those waiting on this level with since
//! when, in the same transaction.

use super::{NodeStore, TreeId, Tx, TxResult, figures, keys};
use crate::domain::approval::{MajorAdjustment, Stage};
use crate::error::Result;

impl NodeStore {
    /// One application held here, by key (`540102-S000001`).
    pub fn approval(&self, key: &str) -> Result<Option<MajorAdjustment>> {
        self.view(|t| t.get(TreeId::Approvals, key.as_bytes())?.map(|v| keys::decode(&v)).transpose())
    }

    /// Every application held here.
    pub fn approvals(&self) -> Result<Vec<MajorAdjustment>> {
        self.view(|t| t.iter(TreeId::Approvals).map(|item| keys::decode(&item?.1)).collect())
    }

    /// The applications waiting on this level, each with since when (from
    /// the queue: as many reads as are waiting, whatever the history).
    pub fn approvals_waiting(&self) -> Result<Vec<(String, i64)>> {
        self.view(|t| {
            t.iter(TreeId::ApprovalQueue)
                .map(|item| {
                    let (k, v) = item?;
                    let since = i64::try_from(keys::read_u64(Some(&v))?).unwrap_or(i64::MAX);
                    Ok((String::from_utf8_lossy(&k).into_owned(), since))
                })
                .collect()
        })
    }
}

impl Tx<'_> {
    /// An application held here.
    pub fn approval(&self, key: &str) -> TxResult<Option<MajorAdjustment>> {
        self.read(TreeId::Approvals, key.as_bytes())
    }

    /// Writes an application as now assembled here.
    pub fn put_approval(&mut self, a: &MajorAdjustment) -> TxResult<()> {
        let key = a.id.key();
        let old = self.approval(&key)?;
        let me = self.me().clone();
        let share = |x: &MajorAdjustment| figures::approval_share(&me, x);
        self.count(old.as_ref().map(share).unwrap_or_default(), share(a))?;
        match (a.stage(), a.waits().last()) {
            (Stage::Pending(level), Some(wait)) if level == me => {
                let since = u64::try_from(wait.since_ms).unwrap_or(0);
                self.insert(TreeId::ApprovalQueue, key.as_bytes(), keys::u64_value(since))?;
            }
            _ => self.remove(TreeId::ApprovalQueue, key.as_bytes())?,
        }
        self.write(TreeId::Approvals, key.as_bytes(), a)
    }
}
