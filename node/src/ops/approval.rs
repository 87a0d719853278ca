//! Approvals of a major adjustment at each level (Art.21): the applicant
//! applies; each level on the path decides in its turn, issuing its
//! written notice; every act is one write with its `approval.v1` event —
//! up from the applicant, and from a deciding level both up (the levels
//! above decide next) and down towards the applicant (the levels between
//! and the applicant see it) — and answered once durable.

use chrono::Datelike;
use extranet_certs::NodeId;
use extranet_federation::{Route, Scope};

use super::idempotency;
use crate::codec;
use crate::domain::approval::{ApprovalId, Decision, MajorAdjustment, NoticeFacts, Proposal, Verdict};
use crate::domain::limits;
use crate::error::{NodeError, Result};
use crate::store::{NodeStore, Tx, TxResult, abort};

/// Applies at this node for `p`, by `by`.
pub async fn apply(store: &NodeStore, p: Proposal, by: &str) -> Result<MajorAdjustment> {
    let a = store.transact(|tx| {
        let id = ApprovalId { origin: tx.me().clone(), number: tx.next_number("approval")? };
        let a = MajorAdjustment::apply(id, p.clone(), tx.now_ms(), by, crate::calendar::today()).or_else(abort)?;
        tx.put_approval(&a)?;
        emit(tx, &a, Route::Up)?;
        idempotency::record(tx, || codec::approval_to_pb(&a, true))?;
        Ok(a)
    })?;
    store.sync().await?;
    tracing::info!(approval = %a.id, title = %a.proposal.title, by, "major adjustment applied for");
    Ok(a)
}

/// Decides application `key` as this level, by `by`; `division` names this
/// level's division on its written notice.
pub async fn decide(
    store: &NodeStore,
    key: &str,
    verdict: Verdict,
    reason: &str,
    by: &str,
    division: Option<&str>,
) -> Result<MajorAdjustment> {
    let a = store.transact(|tx| {
        let mut a = tx
            .approval(key)?
            .ok_or_else(|| NodeError::NotFound(format!("本节点没有编号为 {key} 的审批申请")))
            .or_else(abort)?;
        let me = tx.me().clone();
        a.check_decision(&me, verdict, reason).or_else(abort)?;
        let on = crate::calendar::today();
        let seq = tx.next_number(&format!("approval-notice/{}", on.year()))?;
        let number = format!("{}〔{}〕S{seq:03}号", me.code(), on.year());
        let facts = NoticeFacts { level: &me, division, verdict, reason, number, on, by };
        let notice = a.notice(&facts);
        let decision = Decision {
            level: me.clone(),
            verdict,
            by: by.to_string(),
            at_ms: tx.now_ms(),
            reason: reason.trim().into(),
            notice,
        };
        a.record(decision);
        tx.put_approval(&a)?;
        if me.depth() > 1 {
            emit(tx, &a, Route::Up)?;
        }
        emit(tx, &a, Route::Down(Scope::Subtree(towards(&me, &a.id.origin))))?;
        idempotency::record(tx, || codec::approval_to_pb(&a, true))?;
        Ok(a)
    })?;
    store.sync().await?;
    tracing::info!(approval = %a.id, verdict = verdict.zh(), by, "major adjustment decided");
    Ok(a)
}

/// The node just below `me` on the way to `origin` (its subtree holds
/// every level between and the applicant).
fn towards(me: &NodeId, origin: &NodeId) -> NodeId {
    std::iter::once(origin.clone())
        .chain(origin.ancestors())
        .find(|n| n.parent().as_ref() == Some(me))
        .unwrap_or_else(|| origin.clone())
}

fn emit(tx: &mut Tx<'_>, a: &MajorAdjustment, route: Route) -> TxResult<()> {
    let payload = codec::encode_approval(a);
    limits::event_payload("approval", payload.len()).or_else(abort)?;
    tx.emit(route, codec::KIND_APPROVAL, payload).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> NodeId {
        NodeId::parse(s).unwrap()
    }

    #[test]
    fn a_decision_goes_down_to_the_subtree_that_holds_the_levels_between_and_the_applicant() {
        let county = n("540000/540100/540102");
        assert_eq!(towards(&n("540000"), &county), n("540000/540100"));
        assert_eq!(towards(&n("540000/540100"), &county), county);
    }
}
