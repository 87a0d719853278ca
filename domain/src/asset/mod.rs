//! Access-point assets (接入点资产, Art.14, Art.18, Art.20): the unified
//! devices the authority deploys at a unit's access point (统一部署的相关
//! 设备) and the room they stand in (接入点机房). Art.18 forbids moving,
//! repurposing, modifying or switching off a device without authority, so a
//! device changes only under an approved Art.22 resource-change application
//! that names it; what happened anyway is recorded as a violation. On
//! withdrawal (Art.17) each device is reclaimed one by one at the node that
//! holds it, and that node's checklist is what closes the deciding node's
//! ledger entry.
//!
//! - [`device`]: the device record, its states and what may change it;
//! - [`room`]: the access room and its check against a standard.

pub mod device;
pub mod room;

pub use device::{
    Device, DeviceAction, DeviceForm, DeviceId, DeviceKind, DeviceState, DeviceStep, Violation, Withdrawal,
    check_change_approval,
};
pub use room::{AccessRoom, ROOM_CHECK_VALID_DAYS};
