//! Confirming one device of a withdrawn unit reclaimed (回收, Art.17), at
//! the node that holds the devices: the device's state and the checklist
//! sent to the node that decided the withdrawal (`replicate/devices.rs`)
//! are one write.

use crate::codec;
use crate::domain::asset::{Device, DeviceStep};
use crate::error::{NodeError, Result};
use crate::ops::idempotency;
use crate::replicate::devices::report;
use crate::store::{NodeStore, abort};

use super::assets::held;

/// Confirms device `key` reclaimed (its unit withdrawn); the decider's
/// ledger entry learns it in the same write. Durable when it returns.
pub async fn reclaim_device(store: &NodeStore, key: &str, note: &str, by: &str) -> Result<Device> {
    let d = store.transact(|tx| {
        let mut d = held(tx, key)?;
        d.reclaim().or_else(abort)?;
        let Some(withdrawal) = d.withdrawal.clone() else {
            return abort(NodeError::precondition(format!("设备 {key} 没有关联的撤销申请")));
        };
        d.steps.push(DeviceStep::new("reclaim", Some(withdrawal.application.clone()), note.trim(), by, tx.now_ms()));
        tx.put_device(&d)?;
        let Some(unit) = tx.unit(&d.unit)? else {
            return abort(NodeError::Store(format!("设备 {key} 所属单位 {} 不在本节点", d.unit)));
        };
        report(tx, &unit, &withdrawal)?;
        idempotency::record(tx, || codec::device_to_pb(&d))?;
        Ok(d)
    })?;
    store.sync().await?;
    tracing::info!(device = %d.id, unit = %d.unit, by, "device reclaimed");
    Ok(d)
}
