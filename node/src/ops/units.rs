//! The registry of access units (接入单位) at a node: registration, the
//! operator's suspension and resumption (the reason kept in the unit's
//! history), and keeping its Art.11 people current (each change kept with
//! the previous value). The record lives at the unit's node, which decides
//! for it (registration, suspension, orders, inspections); it is not
//! replicated, so the history is where the decisions are made. An
//! application of the unit that Art.15 routes to another level carries the
//! unit as submitted; each change is sent on to that competent node in the
//! same write (`replicate::access::send_unit_change`), so the node deciding
//! it sees the unit as it stands.

use super::idempotency;
use crate::codec;
use crate::domain::{AccessUnit, UnitId, UnitStatus, UnitUpdate};
use crate::error::{NodeError, Result};
use crate::replicate::send_unit_change;
use crate::store::{NodeStore, abort};

/// Registers `unit` (already validated); refuses an id already taken.
pub async fn register(store: &NodeStore, unit: AccessUnit) -> Result<AccessUnit> {
    store.transact(|tx| {
        if tx.unit(&unit.id)?.is_some() {
            return abort(NodeError::precondition(format!("单位编号 {} 已在本节点登记", unit.id)));
        }
        tx.put_unit(&unit)?;
        idempotency::record(tx, || codec::unit_to_pb(&unit))
    })?;
    store.sync().await?;
    tracing::info!(unit = %unit.id, name = %unit.name, by = %unit.registered_by, "unit registered");
    Ok(unit)
}

/// The keys of `unit`'s open applications decided at another node: read
/// before the write, each checked again inside it.
fn decided_elsewhere(store: &NodeStore, unit: &UnitId) -> Result<Vec<String>> {
    let me = store.me();
    Ok(store
        .applications()?
        .into_iter()
        .filter(|a| &a.unit.id == unit && !a.owned_by(me) && !a.state.is_final())
        .map(|a| a.id.key())
        .collect())
}

/// Suspends a connected unit or resumes a suspended one; anything else is
/// refused (access and withdrawal follow the unit's applications).
pub async fn set_status(store: &NodeStore, id: &UnitId, to: UnitStatus, reason: &str, by: &str) -> Result<AccessUnit> {
    let elsewhere = decided_elsewhere(store, id)?;
    let unit = store.transact(|tx| {
        let Some(mut u) = tx.unit(id)? else {
            return abort(NodeError::NotFound(format!("本节点没有登记单位 {id}")));
        };
        let allowed = matches!(
            (u.status, to),
            (UnitStatus::Connected, UnitStatus::Suspended) | (UnitStatus::Suspended, UnitStatus::Connected)
        );
        if !allowed {
            return abort(NodeError::precondition(format!(
                "单位 {id} 当前为“{}”，不能设为“{}”：只有已接入的单位可以暂停，只有已暂停的单位可以恢复",
                u.status.zh(),
                to.zh()
            )));
        }
        if to == UnitStatus::Suspended && reason.trim().is_empty() {
            return abort(NodeError::invalid("reason", "暂停单位须写明原因"));
        }
        u.set_status(to, reason, tx.now_ms(), by);
        tx.put_unit(&u)?;
        send_unit_change(tx, &u, &elsewhere)?;
        idempotency::record(tx, || codec::unit_to_pb(&u))?;
        Ok(u)
    })?;
    store.sync().await?;
    tracing::warn!(unit = %id, status = to.zh(), by, %reason, "unit status set");
    Ok(unit)
}

/// Updates the Art.11 people of unit `id` (already checked field by field)
/// by `by`, keeping each change in its history. Answered once durable.
pub async fn update(store: &NodeStore, id: &UnitId, u: UnitUpdate, reason: &str, by: &str) -> Result<AccessUnit> {
    let elsewhere = decided_elsewhere(store, id)?;
    let unit = store.transact(|tx| {
        let Some(mut unit) = tx.unit(id)? else {
            return abort(NodeError::NotFound(format!("本节点没有登记单位 {id}")));
        };
        unit.update(u.clone(), reason, tx.now_ms(), by).or_else(abort)?;
        tx.put_unit(&unit)?;
        send_unit_change(tx, &unit, &elsewhere)?;
        idempotency::record(tx, || codec::unit_to_pb(&unit))?;
        Ok(unit)
    })?;
    store.sync().await?;
    tracing::info!(unit = %id, by, "unit updated (Art.11)");
    Ok(unit)
}
