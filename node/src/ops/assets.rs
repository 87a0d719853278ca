//! The asset register of a node (Art.14, Art.18, Art.20): devices are
//! registered for units registered here; a device changes only under an
//! approved Art.22 resource-change application of its unit that names it
//! (Art.18: 不得擅自移动、挪用、改造、破坏、关闭); what an operator finds done
//! without one is recorded as a violation; a unit's access room is recorded
//! with the standard it was checked against. Reclaim on withdrawal is
//! `device_reclaim.rs`.

use chrono::NaiveDate;

use crate::codec;
use crate::domain::asset::{
    AccessRoom, Device, DeviceAction, DeviceForm, DeviceId, DeviceState, DeviceStep, Violation, check_change_approval,
};
use crate::domain::limits::required_text;
use crate::error::{NodeError, Result};
use crate::ops::idempotency;
use crate::ops::ipam::system_requests::check_unit;
use crate::store::{NodeStore, Tx, TxResult, abort};

/// Registers a device of `form.unit` (registered here, not withdrawn); the
/// serial must be new at this node. Durable when it returns.
pub async fn register_device(store: &NodeStore, form: DeviceForm, by: &str) -> Result<Device> {
    let form = form.checked()?;
    let d = store.transact(|tx| {
        check_unit(tx, &form.unit)?;
        if let Some(held) = tx.device_by_serial(&form.serial)? {
            return abort(NodeError::precondition(format!("序列号 {} 已登记为设备 {held}，不能重复登记", form.serial)));
        }
        let d = Device {
            id: DeviceId { node: tx.me().clone(), number: tx.next_number("device")? },
            unit: form.unit.clone(),
            kind: form.kind,
            model: form.model.clone(),
            serial: form.serial.clone(),
            holder: form.holder.clone(),
            location: form.location.clone(),
            state: DeviceState::InService,
            steps: vec![DeviceStep::new("register", None, "", by, tx.now_ms())],
            violations: Vec::new(),
            withdrawal: None,
        };
        tx.add_device(&d)?;
        idempotency::record(tx, || codec::device_to_pb(&d))?;
        Ok(d)
    })?;
    store.sync().await?;
    tracing::info!(device = %d.id, unit = %d.unit, by, "device registered");
    Ok(d)
}

/// Records `action` on device `key` under the approved resource-change
/// application `application` (held here: the unit's own); refused, writing
/// nothing, when the application does not allow it.
pub async fn change_device(
    store: &NodeStore,
    key: &str,
    action: DeviceAction,
    application: &str,
    note: &str,
    by: &str,
) -> Result<Device> {
    let application = required_text("application", application)?;
    let d = store.transact(|tx| {
        let mut d = held(tx, key)?;
        let Some(app) = tx.application(&application)? else {
            return abort(NodeError::precondition(format!(
                "本节点没有申请 {application}：设备变动须经批准的网络资源变更申请（第十八条、第二十二条）"
            )));
        };
        check_change_approval(&d, &app).or_else(abort)?;
        d.apply(&action).or_else(abort)?;
        let note = match &action {
            DeviceAction::Move { location } if note.trim().is_empty() => format!("移至 {location}"),
            _ => note.trim().to_string(),
        };
        d.steps.push(DeviceStep::new(action.code(), Some(application.clone()), &note, by, tx.now_ms()));
        tx.put_device(&d)?;
        idempotency::record(tx, || codec::device_to_pb(&d))?;
        Ok(d)
    })?;
    store.sync().await?;
    tracing::info!(device = %d.id, action = action.code(), application, by, "device changed");
    Ok(d)
}

/// Records a breach of Art.18 found on device `key` on `found_on` (not in
/// the future).
pub async fn record_violation(
    store: &NodeStore,
    key: &str,
    what: &str,
    found_on: NaiveDate,
    by: &str,
) -> Result<Device> {
    let what = required_text("what", what)?;
    let found_on = crate::calendar::check_date("found_on", found_on)?;
    let today = crate::calendar::today();
    if found_on > today {
        return Err(NodeError::invalid("found_on", format!("发现日期 {found_on} 不能晚于今天 {today}")));
    }
    let d = store.transact(|tx| {
        let mut d = held(tx, key)?;
        d.violations.push(Violation { what: what.clone(), found_on, by: by.to_string(), at_ms: tx.now_ms() });
        tx.put_device(&d)?;
        idempotency::record(tx, || codec::device_to_pb(&d))?;
        Ok(d)
    })?;
    store.sync().await?;
    tracing::warn!(device = %d.id, what, by, "device violation recorded");
    Ok(d)
}

/// Records the access room of `room.unit` (registered here) as checked.
pub async fn record_room(store: &NodeStore, room: AccessRoom) -> Result<AccessRoom> {
    let room = room.checked(crate::calendar::today())?;
    let r = store.transact(|tx| {
        check_unit(tx, &room.unit)?;
        let r = AccessRoom { recorded_at_ms: tx.now_ms(), ..room.clone() };
        tx.put_room(&r)?;
        idempotency::record(tx, || codec::room_to_pb(&r, crate::calendar::today()))?;
        Ok(r)
    })?;
    store.sync().await?;
    tracing::info!(unit = %r.unit, checked_on = %r.checked_on, "access room recorded");
    Ok(r)
}

/// Device `key`, held here.
pub(super) fn held(tx: &Tx<'_>, key: &str) -> TxResult<Device> {
    DeviceId::check_key(key).or_else(abort)?;
    match tx.device(key)? {
        Some(d) => Ok(d),
        None => abort(NodeError::NotFound(format!("本节点没有设备 {key}"))),
    }
}
