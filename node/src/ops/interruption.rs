//! Maintenance interruptions at their own node (Art.24): a unit or the
//! operator asks, the operator approves or rejects; the approval files the
//! report to the region (报自治区级备案) in the same write, so an approved
//! interruption is never left unreported; only an approved one may start.
//! Every change goes up to every ancestor as an `interruption.v1` event
//! (the whole record), so the region sees every interruption in the tree.

use extranet_federation::Route;

use super::idempotency;
use crate::codec;
use crate::domain::interruption::Plan;
use crate::domain::{
    FilingDetails, Interruption, InterruptionAction, InterruptionId, InterruptionState, UnitId, limits,
};
use crate::error::{NodeError, Result};
use crate::store::{NodeStore, Tx, TxResult, abort};

/// Opens an interruption at this node from `req`, by `by`; a named unit
/// must be registered here. Answered once durable.
pub async fn request(store: &NodeStore, req: Plan, by: &str) -> Result<Interruption> {
    let i = store.transact(|tx| {
        if let Some(u) = &req.unit
            && tx.unit(u)?.is_none()
        {
            return abort(NodeError::NotFound(format!("本节点没有登记单位 {u}")));
        }
        let id = InterruptionId { origin: tx.me().clone(), number: tx.next_number("interruption")? };
        let i = Interruption::request(id, req.clone(), tx.now_ms(), by).or_else(abort)?;
        write(tx, &i)?;
        idempotency::record(tx, || codec::interruption_to_pb(&i, i.requested_at_ms()))?;
        Ok(i)
    })?;
    store.sync().await?;
    tracing::info!(interruption = %i.id, affects = i.plan.affects.zh(), by, "interruption requested");
    Ok(i)
}

/// Takes `action` on interruption `key` owned by this node, by `by`;
/// `unit` is the access unit acting (its own interruption only, and only
/// as [`InterruptionAction::unit_may`] allows), `None` for an operator. An
/// approval files its report up in the same write.
pub async fn act(
    store: &NodeStore,
    key: &str,
    action: InterruptionAction,
    by: &str,
    unit: Option<&UnitId>,
) -> Result<Interruption> {
    let i = store.transact(|tx| {
        let mut i = owned(tx, key)?;
        if let Some(u) = unit {
            if !i.is_of(u) {
                return abort(NodeError::PermissionDenied(format!("接入单位 {u} 只能办理本单位的中断申请")));
            }
            if !action.unit_may() {
                return abort(NodeError::PermissionDenied("批准或驳回由本级政务外网主管部门办理（第二十四条）".into()));
            }
        }
        let approves = matches!(action, InterruptionAction::Approve { .. });
        i.act(action.clone(), tx.now_ms(), by).or_else(abort)?;
        if approves && let Some(details) = i.filing_details() {
            let filing = super::filing::write_filing(tx, FilingDetails::Interruption(details), by)?;
            i.filing = Some(filing.id);
        }
        write(tx, &i)?;
        let answered_at = i.history.last().map_or(0, |s| s.at_ms);
        idempotency::record(tx, || codec::interruption_to_pb(&i, answered_at))?;
        Ok(i)
    })?;
    store.sync().await?;
    tracing::info!(interruption = %i.id, state = i.state.zh(), by, "interruption step");
    Ok(i)
}

/// The interruption `key`, which this node must own.
fn owned(tx: &Tx<'_>, key: &str) -> TxResult<Interruption> {
    let i = tx
        .interruption(key)?
        .ok_or_else(|| NodeError::NotFound(format!("本节点没有编号为 {key} 的中断申请")))
        .or_else(abort)?;
    if &i.id.origin != tx.me() {
        return abort(NodeError::precondition(format!("中断 {key} 由 {} 审批，本节点只保存副本", i.id.origin)));
    }
    Ok(i)
}

/// Within a write: stores the interruption and sends it up.
fn write(tx: &mut Tx<'_>, i: &Interruption) -> TxResult<()> {
    let payload = codec::encode_interruption(i);
    limits::event_payload("interruption", payload.len()).or_else(abort)?;
    tx.put_interruption(i)?;
    tx.emit(Route::Up, codec::KIND_INTERRUPTION, payload)?;
    Ok(())
}

/// How long before its window an undecided request is worth a warning.
const UNDECIDED_WARN_MS: i64 = 3_600_000;

/// The warnings of this node's own interruptions at `now_ms`, in Chinese,
/// for `extranet status`: work running past its approved window, and a
/// request still undecided within an hour of its window.
pub fn warnings(store: &NodeStore, now_ms: i64) -> Result<Vec<String>> {
    let me = store.me().clone();
    let mut out = Vec::new();
    for i in store.interruptions()?.into_iter().filter(|i| i.id.origin == me) {
        let mins = |ms: i64| ms / 60_000;
        match i.state {
            InterruptionState::UnderWay if i.overrun_ms(now_ms) > 0 => out.push(format!(
                "中断 {}（{}）已超出批准的窗口 {} 分钟：请尽快恢复服务，超出部分须重新申请（第二十四条）",
                i.id,
                i.plan.affected,
                mins(i.overrun_ms(now_ms))
            )),
            InterruptionState::Requested if i.plan.window_start_ms - now_ms <= UNDECIDED_WARN_MS => {
                let when = crate::calendar::format_ms(i.plan.window_start_ms);
                out.push(format!("中断申请 {}（{}）窗口自 {when} 开始，尚未审批（第二十四条）", i.id, i.plan.affected));
            }
            _ => {}
        }
    }
    Ok(out)
}
