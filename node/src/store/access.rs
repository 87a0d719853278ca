//! Units, applications and the withdrawal ledger in the store.

use super::engine::Scan;
use super::record::Record;
use super::{NodeStore, TreeId, Tx, TxResult, abort, figures, keys};
use crate::domain::{AccessUnit, Application, DeadlineSummary, UnitId, WithdrawalEntry};
use crate::error::Result;

/// Meta key of the count of units withdrawn here.
const WITHDRAWALS: &[u8] = b"units/withdrawals";

fn all<T: Record>(scan: Scan<'_>) -> Result<Vec<T>> {
    scan.map(|item| keys::decode(&item?.1)).collect()
}

impl NodeStore {
    /// A unit registered here.
    pub fn unit(&self, id: &UnitId) -> Result<Option<AccessUnit>> {
        self.view(|t| t.get(TreeId::Units, id.as_str().as_bytes())?.map(|v| keys::decode(&v)).transpose())
    }

    /// Every unit registered here, by id.
    pub fn units(&self) -> Result<Vec<AccessUnit>> {
        self.view(|t| all(t.iter(TreeId::Units)))
    }

    /// One application held here, by key (`540102-A000001`).
    pub fn application(&self, key: &str) -> Result<Option<Application>> {
        self.view(|t| t.get(TreeId::Applications, key.as_bytes())?.map(|v| keys::decode(&v)).transpose())
    }

    /// Every application held here: lodged here, or decided here.
    pub fn applications(&self) -> Result<Vec<Application>> {
        self.view(|t| all(t.iter(TreeId::Applications)))
    }

    /// Deadline summaries of applications decided below this node.
    pub fn deadline_summaries(&self) -> Result<Vec<DeadlineSummary>> {
        self.view(|t| all(t.iter(TreeId::DeadlineSummaries)))
    }

    /// How many times a unit registered here has been withdrawn (a counter
    /// the address reclaimer watches, so it scans only after a withdrawal).
    pub fn withdrawals_seen(&self) -> Result<u64> {
        self.view(|t| keys::read_u64(t.get(TreeId::Meta, WITHDRAWALS)?.as_deref()))
    }

    /// The withdrawal ledger, oldest first.
    pub fn ledger(&self) -> Result<Vec<WithdrawalEntry>> {
        self.view(|t| all(t.iter(TreeId::Ledger)))
    }
}

impl Tx<'_> {
    /// A unit registered here.
    pub fn unit(&self, id: &UnitId) -> TxResult<Option<AccessUnit>> {
        self.read(TreeId::Units, id.as_str().as_bytes())
    }

    /// Records, once, that the released addresses of withdrawal `key` were
    /// reported to the node that decided it; false when already recorded.
    pub fn mark_addresses_reported(&mut self, key: &str) -> TxResult<bool> {
        let mark = format!("addresses-reported/{key}");
        if self.get(TreeId::Meta, mark.as_bytes())?.is_some() {
            return Ok(false);
        }
        self.insert(TreeId::Meta, mark.as_bytes(), keys::u64_value(1))?;
        Ok(true)
    }

    /// Counts a withdrawal of a unit registered here (see
    /// [`NodeStore::withdrawals_seen`]).
    pub fn count_withdrawal(&mut self) -> TxResult<()> {
        let n = keys::read_u64(self.get(TreeId::Meta, WITHDRAWALS)?.as_deref()).or_else(abort)? + 1;
        self.insert(TreeId::Meta, WITHDRAWALS, keys::u64_value(n))?;
        Ok(())
    }

    /// Writes a unit, counting it in the summary figures.
    pub fn put_unit(&mut self, u: &AccessUnit) -> TxResult<()> {
        let old = self.unit(&u.id)?.map(|o| figures::unit_share(&o)).unwrap_or_default();
        self.count(old, figures::unit_share(u))?;
        self.write(TreeId::Units, u.id.as_str().as_bytes(), u)
    }

    /// An application held here.
    pub fn application(&self, key: &str) -> TxResult<Option<Application>> {
        self.read(TreeId::Applications, key.as_bytes())
    }

    /// Writes an application, counting it in the summary figures and
    /// indexing its open deadlines if this node decides it.
    pub fn put_application(&mut self, a: &Application) -> TxResult<()> {
        let old = self.application(&a.id.key())?;
        let me = self.me().clone();
        let share = |x: &Application| figures::application_share(&me, x);
        self.count(old.as_ref().map(share).unwrap_or_default(), share(a))?;
        self.index_deadlines(old.as_ref(), a)?;
        self.write(TreeId::Applications, a.id.key().as_bytes(), a)
    }

    /// Keeps `s` unless a summary of the same or a later revision is held.
    pub fn put_deadline_summary(&mut self, s: &DeadlineSummary) -> TxResult<()> {
        if let Some(v) = self.get(TreeId::DeadlineSummaries, s.id.as_bytes())? {
            let held: DeadlineSummary = keys::decode(&v).or_else(abort)?;
            if held.revision >= s.revision {
                return Ok(());
            }
        }
        self.insert(TreeId::DeadlineSummaries, s.id.as_bytes(), keys::encode(s).or_else(abort)?)?;
        Ok(())
    }

    /// One ledger entry.
    pub fn ledger_entry(&self, number: u64) -> TxResult<Option<WithdrawalEntry>> {
        self.read(TreeId::Ledger, keys::u64_key(number))
    }

    /// Writes a ledger entry (its number taken from the `ledger` counter).
    pub fn put_ledger_entry(&mut self, e: &WithdrawalEntry) -> TxResult<()> {
        self.write(TreeId::Ledger, keys::u64_key(e.number), e)
    }
}
