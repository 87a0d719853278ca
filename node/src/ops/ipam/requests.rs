//! Requests for more space: the child records its request and sends it up
//! in one write (pending at once, however long the link is down); the
//! parent decides — automatically within the plan's policy, first by growing
//! the child's delegation in place (sparse delegation keeps that room free),
//! else with a new sparse block — and sends the decision down.

use std::time::Duration;

use extranet_certs::NodeId;
use extranet_federation::{EventStore, Route, Scope};

use super::Ipam;
use super::grant::announce_delegation;
use crate::codec;
use crate::domain::ipam::{Delegation, RecordState, RequestId, RequestState, SpaceRequest};
use crate::error::{NodeError, Result};
use crate::ops::idempotency;
use crate::store::{TxResult, abort};
use crate::worker::{Wake, Worker};

/// Who decides automatically (自动审批).
const AUTO: &str = "自动（地址规划策略）";

impl Ipam {
    /// Asks the parent for another `/len` (default: this node's own tier
    /// length). Durable and pending when it returns.
    pub async fn request_space(&self, v6: bool, len: Option<u8>, reason: &str, by: &str) -> Result<SpaceRequest> {
        if self.me().parent().is_none() {
            return Err(NodeError::precondition("最上级节点没有上级可申请；请在配置中增加地址池"));
        }
        let len = len
            .or_else(|| self.policy.delegation_len(self.me().depth(), v6))
            .ok_or_else(|| NodeError::invalid("length", "请指定申请的前缀长度"))?;
        let r = self.store.transact(|tx| {
            let r = SpaceRequest {
                id: RequestId { node: tx.me().clone(), number: tx.next_number("ipam-request")? },
                v6,
                len,
                reason: reason.to_string(),
                by: by.to_string(),
                at_ms: self.now_ms(),
                state: RequestState::Pending,
            };
            tx.put_ipam_request(&r)?;
            tx.emit(Route::Up, codec::KIND_IPAM_REQUEST, codec::encode_request(&r))?;
            idempotency::record(tx, || codec::request_to_pb(&r))?;
            Ok(r)
        })?;
        self.store.sync().await?;
        tracing::info!(id = %r.id, len, "request for more space sent up");
        Ok(r)
    }

    /// Decides every pending request of a child held here that the policy
    /// allows deciding automatically; returns how many were granted.
    pub async fn decide_pending(&self) -> Result<usize> {
        let mut granted = 0;
        let pending: Vec<SpaceRequest> = self
            .store
            .ipam_requests()?
            .into_iter()
            .filter(|r| r.is_pending() && r.id.node.parent().as_ref() == Some(self.me()))
            .collect();
        for r in pending {
            if r.v6 && r.len >= self.policy.auto_grant_v6_max_len {
                self.grant(&r, AUTO).await?;
                granted += 1;
            }
        }
        Ok(granted)
    }

    /// Grants `r`: grows a delegation to the child in place if one of size
    /// `/len` can double, else delegates a new sparse `/len`.
    async fn grant(&self, r: &SpaceRequest, by: &str) -> Result<()> {
        let child = r.id.node.clone();
        let theirs: Vec<Delegation> = self
            .store
            .ipam_delegations()?
            .into_iter()
            .filter(|d| d.parent == *self.me() && d.child == child && d.is_live() && d.prefix.prefix_len() == r.len)
            .collect();
        self.write_pool(r.v6, |pool, tx| {
            let Some(mut req) = tx.ipam_request(&r.id.node, r.id.number)?.filter(|x| x.is_pending()) else {
                return Ok(());
            };
            let now = self.now_ms();
            let grown = theirs.iter().find_map(|d| pool.grow_delegation(&d.prefix, &child, now).map(|p| (d, p)));
            let d = match grown {
                Some((d, prefix)) => Delegation { prefix, ..d.clone() },
                None => new_delegation(tx, pool.delegate(r.len, r.v6, &child, now).or_else(abort)?, &child, by, now)?,
            };
            announce_delegation(tx, &d)?;
            req.state = RequestState::Granted { prefix: d.prefix, by: by.into(), at_ms: now };
            tx.put_ipam_request(&req)?;
            tx.emit(Route::Down(Scope::Node(child.clone())), codec::KIND_IPAM_DECISION, codec::encode_request(&req))?;
            idempotency::record(tx, || codec::request_to_pb(&req))
        })
        .await?;
        tracing::info!(id = %r.id, by, "request for more space granted");
        Ok(())
    }

    /// An operator's decision on a child's pending request (one the policy
    /// did not grant automatically): grant it, or refuse it with a reason.
    pub async fn decide(&self, id: &RequestId, grant: bool, reason: &str, by: &str) -> Result<SpaceRequest> {
        if id.node.parent().as_ref() != Some(self.me()) {
            return Err(NodeError::invalid("id", format!("{id} 不是本节点直接下级的申请")));
        }
        if grant {
            let r = self.pending(id)?;
            self.grant(&r, by).await?;
        } else {
            if reason.trim().is_empty() {
                return Err(NodeError::invalid("reason", "不予批准必须注明理由"));
            }
            self.store.transact(|tx| {
                let Some(mut req) = tx.ipam_request(&id.node, id.number)?.filter(|x| x.is_pending()) else {
                    return abort(NodeError::precondition(format!("申请 {id} 已有决定")));
                };
                req.state =
                    RequestState::Refused { reason: reason.to_string(), by: by.to_string(), at_ms: self.now_ms() };
                tx.put_ipam_request(&req)?;
                let route = Route::Down(Scope::Node(id.node.clone()));
                tx.emit(route, codec::KIND_IPAM_DECISION, codec::encode_request(&req))?;
                idempotency::record(tx, || codec::request_to_pb(&req))
            })?;
            self.store.sync().await?;
        }
        self.store
            .ipam_requests()?
            .into_iter()
            .find(|r| &r.id == id)
            .ok_or_else(|| NodeError::NotFound(format!("本节点没有申请 {id}")))
    }

    fn pending(&self, id: &RequestId) -> Result<SpaceRequest> {
        self.store
            .ipam_requests()?
            .into_iter()
            .find(|r| &r.id == id && r.is_pending())
            .ok_or_else(|| NodeError::precondition(format!("本节点没有待决定的申请 {id}")))
    }
}

fn new_delegation(
    tx: &mut crate::store::Tx<'_>,
    prefix: ipnet::IpNet,
    child: &NodeId,
    by: &str,
    at_ms: i64,
) -> TxResult<Delegation> {
    Ok(Delegation {
        parent: tx.me().clone(),
        number: tx.next_number("ipam-delegation")?,
        child: child.clone(),
        prefix,
        by: by.into(),
        at_ms,
        state: RecordState::Live,
    })
}

/// Decides children's requests as they arrive (and every few seconds), and
/// ends what lay in a delegation the parent reclaimed. A failed decision is
/// reported by the runner and retried on the next change.
pub struct Decider {
    ipam: Ipam,
    durable: tokio::sync::watch::Receiver<u64>,
}

impl Decider {
    /// The decider of `ipam`'s children's requests.
    pub fn new(ipam: Ipam) -> Self {
        let durable = ipam.store.durable_watch();
        Decider { ipam, durable }
    }
}

impl Worker for Decider {
    fn name(&self) -> &'static str {
        "ipam-decider"
    }

    async fn work(&mut self) -> Result<()> {
        let ipam = &self.ipam;
        // both halves run every time; the first error is reported
        let decided = ipam.decide_pending().await;
        // cleared before the check, so an ended delegation arriving
        // during it sets the flag again and is checked next time
        let mut ended = Ok(());
        if ipam.store.ipam_orphan_check_due().unwrap_or(true) && ipam.store.clear_ipam_orphan_check().is_ok() {
            ended = ipam.end_orphans().await.map(drop);
            if ended.is_err() {
                let _ = ipam.store.transact(|tx| tx.mark_ipam_orphan_check());
            }
        }
        decided?;
        ended
    }

    async fn wait(&mut self) -> Wake {
        tokio::select! {
            r = self.durable.changed() => if r.is_err() { return Wake::Closed },
            _ = tokio::time::sleep(Duration::from_secs(5)) => {}
        }
        Wake::Ready
    }
}
