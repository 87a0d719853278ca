//! Disconnection and rectification orders at the unit's node (Art.25(4)):
//! the operator orders a unit disconnected with a deadline in working days
//! on the calendar in force; the unit (or the operator on its behalf)
//! reports its rectification; the operator lifts the order or extends the
//! deadline. Each write stores the order, moves the disconnection index
//! the [`Gate`](crate::service::Gate) reads, and sends the whole record up
//! (`order.v1`) in one transaction, answered once durable.

use extranet_federation::Route;

use super::idempotency;
use crate::calendar::year_of_ms;
use crate::codec;
use crate::domain::order::{Issuer, OrderRequest};
use crate::domain::{Order, OrderAction, OrderId, UnitId, limits};
use crate::error::{NodeError, Result};
use crate::store::{NodeStore, Tx, TxResult, abort};

/// The next number in this node's series of `kind` documents (断: orders,
/// 复: lifting notices) for the year of `at_ms`.
fn notice_seq(tx: &mut Tx<'_>, kind: &str, at_ms: i64) -> TxResult<u64> {
    tx.next_number(&format!("order_notice/{kind}/{}", year_of_ms(at_ms)))
}

/// Orders `unit`, registered here, disconnected for `reason` with
/// `working_days` to rectify, by operator `by`; `division` names this
/// node's division on the written order. A unit already disconnected is
/// refused. Answered once durable.
pub async fn issue(
    store: &NodeStore,
    unit: &UnitId,
    reason: &str,
    working_days: u32,
    by: &str,
    division: Option<&str>,
) -> Result<Order> {
    let cal = store.calendar()?;
    let o = store.transact(|tx| {
        let Some(u) = tx.unit(unit)? else {
            return abort(NodeError::NotFound(format!("本节点没有登记单位 {unit}")));
        };
        if let Some(d) = tx.disconnection(unit)? {
            return abort(NodeError::precondition(format!(
                "接入单位 {unit} 已因中断连接通知 {} 中断连接，请在该通知上延长期限或恢复连接",
                d.order
            )));
        }
        let me = tx.me().clone();
        let id = OrderId { origin: me.clone(), number: tx.next_number("order")? };
        let seq = notice_seq(tx, "断", tx.now_ms())?;
        let req = OrderRequest { unit: unit.clone(), unit_name: u.name, reason: reason.to_string(), working_days };
        let issuer = Issuer { authority: &me, division, seq };
        let o = Order::issue(id, req, &cal, tx.now_ms(), by, &issuer).or_else(abort)?;
        write(tx, &o)?;
        idempotency::record(tx, || codec::order_to_pb(&o, None))?;
        Ok(o)
    })?;
    store.sync().await?;
    tracing::warn!(order = %o.id, unit = %o.unit, due = %o.deadline.due, by, "unit ordered disconnected");
    Ok(o)
}

/// Takes `action` on order `key` issued by this node, by `by`; `unit` is
/// the ordered unit acting itself (its own order, and only as
/// [`OrderAction::unit_may`] allows), `None` for an operator.
pub async fn act(
    store: &NodeStore,
    key: &str,
    action: OrderAction,
    by: &str,
    unit: Option<&UnitId>,
    division: Option<&str>,
) -> Result<Order> {
    let cal = store.calendar()?;
    let o = store.transact(|tx| {
        let mut o = owned(tx, key)?;
        if let Some(u) = unit {
            if &o.unit != u {
                return abort(NodeError::PermissionDenied(format!("接入单位 {u} 只能办理本单位的中断连接通知")));
            }
            if !action.unit_may() {
                return abort(NodeError::PermissionDenied(
                    "核验整改、恢复连接和延长期限由本级政务外网主管部门办理（第二十五条第（四）项）".into(),
                ));
            }
        }
        let lifts = matches!(action, OrderAction::Lift { .. });
        let seq = if lifts { notice_seq(tx, "复", tx.now_ms())? } else { 0 };
        let me = tx.me().clone();
        o.act(action.clone(), &cal, tx.now_ms(), by, &Issuer { authority: &me, division, seq }).or_else(abort)?;
        write(tx, &o)?;
        idempotency::record(tx, || codec::order_to_pb(&o, None))?;
        Ok(o)
    })?;
    store.sync().await?;
    tracing::warn!(order = %o.id, unit = %o.unit, state = o.state.zh(), by, "order step");
    Ok(o)
}

/// The order `key`, which this node must own.
fn owned(tx: &Tx<'_>, key: &str) -> TxResult<Order> {
    let o = tx
        .order(key)?
        .ok_or_else(|| NodeError::NotFound(format!("本节点没有编号为 {key} 的中断连接通知")))
        .or_else(abort)?;
    if &o.id.origin != tx.me() {
        return abort(NodeError::PermissionDenied(format!(
            "中断连接通知 {key} 由 {} 下达，只有该节点的操作员可以办理，本节点只保存副本",
            o.id.origin
        )));
    }
    Ok(o)
}

/// Within a write: stores the order (and the disconnection index) and sends it up.
fn write(tx: &mut Tx<'_>, o: &Order) -> TxResult<()> {
    let payload = codec::encode_order(o);
    limits::event_payload("order", payload.len()).or_else(abort)?;
    tx.put_order(o)?;
    tx.emit(Route::Up, codec::KIND_ORDER, payload)?;
    Ok(())
}
