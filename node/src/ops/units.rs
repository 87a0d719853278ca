//! The registry of access units (接入单位) at a node: registration and the
//! operator's suspension and resumption.

use super::idempotency;
use crate::codec;
use crate::domain::{AccessUnit, UnitId, UnitStatus};
use crate::error::{NodeError, Result};
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

/// Suspends a connected unit or resumes a suspended one; anything else is
/// refused (access and withdrawal follow the unit's applications).
pub async fn set_status(store: &NodeStore, id: &UnitId, to: UnitStatus, reason: &str, by: &str) -> Result<AccessUnit> {
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
        u.status = to;
        tx.put_unit(&u)?;
        idempotency::record(tx, || codec::unit_to_pb(&u))?;
        Ok(u)
    })?;
    store.sync().await?;
    tracing::warn!(unit = %id, status = to.zh(), by, %reason, "unit status set");
    Ok(unit)
}
