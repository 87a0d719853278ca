//! After a parent's forced reclaim of a delegation, the assignments and
//! sub-delegations this node made inside it are ended here — by their
//! owner, since only the owner writes a record — in one step, with a ledger
//! entry, and announced like any other change.

use extranet_federation::Route;
use ipnet::IpNet;

use super::Ipam;
use super::grant::announce_delegation;
use crate::codec;
use crate::domain::ipam::{AddressLedgerEntry, RecordState};
use crate::error::Result;

/// Who ends orphaned records.
const SYSTEM: &str = "系统";
/// Why.
const REASON: &str = "上级已回收所在委派";

impl Ipam {
    /// Ends this node's live records that lie in a delegation its parent
    /// reclaimed and in no delegation it still holds; returns how many.
    pub async fn end_orphans(&self) -> Result<usize> {
        let me = self.me();
        let delegations = self.store.ipam_delegations()?;
        let to_me = |live: bool| delegations.iter().filter(move |d| &d.child == me && d.is_live() == live);
        let reclaimed: Vec<IpNet> = to_me(false).map(|d| d.prefix).collect();
        if reclaimed.is_empty() {
            return Ok(0);
        }
        let held: Vec<IpNet> = to_me(true).map(|d| d.prefix).collect();
        let orphan = |p: &IpNet| reclaimed.iter().any(|r| r.contains(p)) && !held.iter().any(|h| h.contains(p));
        let subs: Vec<u64> = delegations
            .iter()
            .filter(|d| d.parent == *self.me() && d.is_live() && orphan(&d.prefix))
            .map(|d| d.number)
            .collect();
        let assigned: Vec<u64> = self
            .store
            .ipam_assignments()?
            .into_iter()
            .filter(|a| a.id.node == *self.me() && a.is_live() && orphan(&a.prefix))
            .map(|a| a.id.number)
            .collect();
        if subs.is_empty() && assigned.is_empty() {
            return Ok(0);
        }
        let locks = (self.locks[0].lock().await, self.locks[1].lock().await);
        let n = self.store.transact(|tx| {
            let ended =
                RecordState::Ended { at_ms: self.now_ms(), by: SYSTEM.into(), reason: REASON.into(), forced: true };
            let mut prefixes = Vec::new();
            for n in &subs {
                let Some(mut d) = tx.ipam_delegation(tx.me(), *n)?.filter(|d| d.is_live()) else { continue };
                d.state = ended.clone();
                announce_delegation(tx, &d)?;
                prefixes.push(d.prefix);
            }
            for n in &assigned {
                let Some(mut a) = tx.ipam_assignment(tx.me(), *n)?.filter(|a| a.is_live()) else { continue };
                a.state = ended.clone();
                tx.put_ipam_assignment(&a)?;
                tx.emit(Route::Up, codec::KIND_IPAM_ASSIGNMENT, codec::encode_assignment(&a))?;
                prefixes.push(a.prefix);
            }
            tx.ipam_bump_version(true)?;
            tx.ipam_bump_version(false)?;
            let count = prefixes.len();
            let action = "上级强制回收委派，随之回收其中的分配与下级委派".to_string();
            let entry = AddressLedgerEntry {
                number: 0,
                at_ms: self.now_ms(),
                by: SYSTEM.into(),
                action,
                assignee: None,
                prefixes,
                reason: REASON.into(),
            };
            tx.append_ipam_ledger(entry)?;
            Ok(count)
        })?;
        drop(locks);
        self.store.sync().await?;
        tracing::warn!(count = n, "records in a reclaimed delegation ended");
        Ok(n)
    }
}
