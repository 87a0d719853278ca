//! Returning space: freeing one assignment, reclaiming everything an
//! assignee holds (Art.17), reclaiming a delegation. Freed space goes to
//! quarantine (see `Policy::quarantine_ms`) before it can be reused.

use extranet_federation::Route;
use ipnet::IpNet;

use super::Ipam;
use super::grant::announce_delegation;
use crate::codec;
use crate::domain::ipam::{AddressLedgerEntry, AssigneeId, Assignment, Delegation, RecordState};
use crate::error::{NodeError, Result};
use crate::ops::idempotency;
use crate::store::abort;

fn ended(at_ms: i64, by: &str, reason: &str, forced: bool) -> RecordState {
    RecordState::Ended { at_ms, by: by.to_string(), reason: reason.to_string(), forced }
}

impl Ipam {
    /// Frees assignment `number` of this node.
    pub async fn free(&self, number: u64, by: &str, reason: &str) -> Result<Assignment> {
        let held = self
            .store
            .ipam_assignment(self.me(), number)?
            .ok_or_else(|| NodeError::NotFound(format!("本节点没有第 {number} 号分配记录")))?;
        let v6 = matches!(held.prefix, IpNet::V6(_));
        let grace = self.policy.quarantine_ms;
        self.write_pool(v6, |pool, tx| {
            let Some(mut a) = tx.ipam_assignment(tx.me(), number)?.filter(|a| a.is_live()) else {
                return abort(NodeError::precondition(format!("分配记录 {} 已经释放", held.id)));
            };
            // the cached pool must show the space in quarantine, as a rebuild would
            pool.free(&a.prefix, self.now_ms() + grace).or_else(abort)?;
            a.state = ended(self.now_ms(), by, reason, false);
            tx.put_ipam_assignment(&a)?;
            tx.emit(Route::Up, codec::KIND_IPAM_ASSIGNMENT, codec::encode_assignment(&a))?;
            idempotency::record(tx, || codec::assignment_to_pb(&a))?;
            Ok(a)
        })
        .await
    }

    /// Reclaims every live assignment of `assignee` at this node in one
    /// transaction and records it in the ledger (台账, Art.17). Called by an
    /// operator, or by the access registry when a unit's access is revoked.
    pub async fn reclaim_assignee(&self, assignee: &AssigneeId, by: &str, reason: &str) -> Result<AddressLedgerEntry> {
        let v6_lock = self.locks[0].lock().await;
        let v4_lock = self.locks[1].lock().await;
        let held: Vec<u64> = self
            .store
            .ipam_assignments()?
            .into_iter()
            .filter(|a| &a.id.node == self.me() && &a.assignee == assignee && a.is_live())
            .map(|a| a.id.number)
            .collect();
        let entry = self.store.transact(|tx| {
            let mut prefixes = Vec::new();
            for n in &held {
                let Some(mut a) = tx.ipam_assignment(tx.me(), *n)?.filter(|a| a.is_live()) else { continue };
                a.state = ended(self.now_ms(), by, reason, false);
                tx.put_ipam_assignment(&a)?;
                tx.emit(Route::Up, codec::KIND_IPAM_ASSIGNMENT, codec::encode_assignment(&a))?;
                prefixes.push(a.prefix);
            }
            tx.ipam_bump_version(true)?;
            tx.ipam_bump_version(false)?;
            let e = tx.append_ipam_ledger(AddressLedgerEntry {
                number: 0,
                at_ms: self.now_ms(),
                by: by.to_string(),
                action: "回收使用单位全部地址".into(),
                assignee: Some(assignee.clone()),
                prefixes,
                reason: reason.to_string(),
            })?;
            idempotency::record(tx, || codec::ledger_to_pb(&e))?;
            Ok(e)
        })?;
        drop((v6_lock, v4_lock));
        self.store.sync().await?;
        tracing::info!(%assignee, count = entry.prefixes.len(), by, "assignee's addresses reclaimed");
        Ok(entry)
    }

    /// Reclaims this node's delegation of `prefix`. Refused while the
    /// replicas held here show live assignments inside it, unless `force`,
    /// which needs a reason and is written to the ledger.
    pub async fn reclaim_delegation(&self, prefix: IpNet, force: bool, by: &str, reason: &str) -> Result<Delegation> {
        let d = self
            .store
            .ipam_delegations()?
            .into_iter()
            .find(|d| &d.parent == self.me() && d.prefix == prefix && d.is_live())
            .ok_or_else(|| NodeError::NotFound(format!("本节点没有生效的 {prefix} 委派")))?;
        let below = self
            .store
            .ipam_assignments()?
            .iter()
            .filter(|a| a.is_live() && a.id.node.is_within(&d.child) && prefix.contains(&a.prefix))
            .count();
        if below > 0 && !force {
            return Err(NodeError::precondition(format!(
                "{prefix} 下仍有 {below} 条生效的分配；请先回收，或以 --force 并注明理由强制回收"
            )));
        }
        if force && reason.trim().is_empty() {
            return Err(NodeError::invalid("reason", "强制回收必须注明理由"));
        }
        let v6 = matches!(prefix, IpNet::V6(_));
        let grace = self.policy.quarantine_ms;
        self.write_pool(v6, |pool, tx| {
            let Some(mut d) = tx.ipam_delegation(tx.me(), d.number)?.filter(|d| d.is_live()) else {
                return abort(NodeError::precondition("该委派已被回收"));
            };
            pool.free(&d.prefix, self.now_ms() + grace).or_else(abort)?;
            d.state = ended(self.now_ms(), by, reason, force && below > 0);
            announce_delegation(tx, &d)?;
            if force {
                tx.append_ipam_ledger(AddressLedgerEntry {
                    number: 0,
                    at_ms: self.now_ms(),
                    by: by.to_string(),
                    action: format!("强制回收对 {} 的委派（其下 {below} 条分配）", d.child),
                    assignee: None,
                    prefixes: vec![d.prefix],
                    reason: reason.to_string(),
                })?;
            }
            idempotency::record(tx, || codec::delegation_to_pb(&d))?;
            Ok(d)
        })
        .await
    }
}
