//! Access-point assets ↔ `extranet.v1` (`assets.proto`): the device and
//! room forms checked at the edge, the records as answers, and the ledger's
//! checklist items as they travel in the `DevicesReclaimed` message.

use chrono::NaiveDate;
use extranet_proto::v1 as pb;

use super::{date, text};
use crate::domain::asset::{AccessRoom, Device, DeviceForm, DeviceKind};
use crate::domain::{ChecklistItem, Choice, UnitId, WithdrawalEntry};
use crate::error::{NodeError, Result};

/// A unit id typed in `field`.
fn unit(field: &'static str, v: &str) -> Result<UnitId> {
    UnitId::parse(v.trim()).map_err(|e| NodeError::invalid(field, e.to_string()))
}

/// Validates a device registration.
pub fn device_form_from_pb(r: &pb::RegisterDeviceRequest) -> Result<DeviceForm> {
    let kind = DeviceKind::from_value(r.kind.trim())
        .ok_or_else(|| NodeError::invalid("kind", "设备类型应为 router、switch、firewall、line-terminal 或 other"))?;
    Ok(DeviceForm {
        unit: unit("unit_id", &r.unit_id)?,
        kind,
        model: text("model", &r.model)?,
        serial: text("serial", &r.serial)?,
        holder: text("holder", &r.holder)?,
        location: text("location", &r.location)?,
    }
    .checked()?)
}

/// A device as an answer.
pub fn device_to_pb(d: &Device) -> pb::Device {
    pb::Device {
        id: d.id.key(),
        unit_id: d.unit.to_string(),
        kind: d.kind.value().into(),
        model: d.model.clone(),
        serial: d.serial.clone(),
        holder: d.holder.clone(),
        location: d.location.clone(),
        state: d.state.value().into(),
        steps: d
            .steps
            .iter()
            .map(|s| pb::DeviceStep {
                action: s.action.clone(),
                application: s.application.clone().unwrap_or_default(),
                note: s.note.clone(),
                by: s.by.clone(),
                at_ms: s.at_ms,
            })
            .collect(),
        violations: d
            .violations
            .iter()
            .map(|v| pb::DeviceViolation {
                what: v.what.clone(),
                found_on: v.found_on.to_string(),
                by: v.by.clone(),
                at_ms: v.at_ms,
            })
            .collect(),
        withdrawal: d.withdrawal.as_ref().map(|w| w.application.clone()).unwrap_or_default(),
    }
}

/// Validates a room check; `checked_by` defaults to the operator.
pub fn room_from_pb(r: Option<&pb::AccessRoom>, by: &str) -> Result<AccessRoom> {
    let r = r.ok_or_else(|| NodeError::invalid("room", "缺少机房信息"))?;
    let checked_by = if r.checked_by.trim().is_empty() { by.to_string() } else { r.checked_by.clone() };
    Ok(AccessRoom {
        unit: unit("room.unit_id", &r.unit_id)?,
        location: r.location.clone(),
        power_backup: r.power_backup.clone(),
        standard: r.standard.clone(),
        checked_on: date("room.checked_on", &r.checked_on)?,
        checked_by,
        recorded_at_ms: 0,
    })
}

/// A room as an answer, its check current or not as of `today`.
pub fn room_to_pb(r: &AccessRoom, today: NaiveDate) -> pb::AccessRoom {
    pb::AccessRoom {
        unit_id: r.unit.to_string(),
        location: r.location.clone(),
        power_backup: r.power_backup.clone(),
        standard: r.standard.clone(),
        checked_on: r.checked_on.to_string(),
        checked_by: r.checked_by.clone(),
        current: r.check_current(today),
    }
}

/// A checklist item on the wire.
pub fn ledger_item_to_pb(i: &ChecklistItem) -> pb::LedgerItem {
    pb::LedgerItem { item: i.item.clone(), device: i.device.clone().unwrap_or_default(), reclaimed: i.reclaimed }
}

/// A peer's checklist item: a well-formed device id when it names one.
pub fn ledger_item_from_pb(i: pb::LedgerItem) -> Result<ChecklistItem> {
    let device = match i.device.trim() {
        "" => None,
        id => {
            crate::domain::asset::DeviceId::check_key(id)?;
            Some(id.to_string())
        }
    };
    Ok(ChecklistItem {
        item: crate::domain::limits::optional_text("devices.item", &i.item)?,
        reclaimed: i.reclaimed,
        device,
    })
}

/// A ledger entry as an answer.
pub fn ledger_entry_to_pb(e: &WithdrawalEntry) -> pb::LedgerEntry {
    pb::LedgerEntry {
        number: e.number,
        application: e.application.clone(),
        unit_id: e.unit_id.to_string(),
        unit_name: e.unit_name.clone(),
        unit_node: e.unit_node.to_string(),
        devices: e.devices.iter().map(ledger_item_to_pb).collect(),
        devices_registered: e.devices_registered,
        address_reclaim: e.address_reclaim.zh(),
        state: e.state_zh(),
        closed_on: e.closed_on.map(|d| d.to_string()).unwrap_or_default(),
    }
}
