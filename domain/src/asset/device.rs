//! A unified device at a unit's access point (统一部署的设备, Art.18): what
//! it is, where it stands and who keeps it, and every change made to it
//! with the approved resource-change application (Art.22) that allowed it.

use extranet_ids::NodeId;
use serde::{Deserialize, Serialize};

use crate::access::{AppState, Application, ApplicationKind};
use crate::error::{DomainError, Result};
use crate::limits::required_text;
use crate::unit::UnitId;

/// Identifies a device: the node that holds its record and its number
/// there, shown as `<division code>-E<number>`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
pub struct DeviceId {
    /// The node that holds the device's record (the unit's node).
    pub node: NodeId,
    /// Its number there, from 1.
    pub number: u64,
}

crate::numbered_id!(DeviceId, node, "-E", "设备编号格式应为 “区划代码-E序号”，例如 540102-E000001");

/// What kind of device.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum DeviceKind {
    /// 接入路由器.
    Router,
    /// 接入交换机.
    Switch,
    /// 防火墙等安全设备.
    Firewall,
    /// 光纤收发器或线路终端设备.
    LineTerminal,
    /// Anything else deployed (其他统一部署设备).
    Other,
}

impl DeviceKind {
    /// Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            DeviceKind::Router => "接入路由器",
            DeviceKind::Switch => "接入交换机",
            DeviceKind::Firewall => "防火墙等安全设备",
            DeviceKind::LineTerminal => "光纤收发器或线路终端设备",
            DeviceKind::Other => "其他统一部署设备",
        }
    }
}

crate::choices!(DeviceKind {
    Router = "router",
    Switch = "switch",
    Firewall = "firewall",
    LineTerminal = "line-terminal",
    Other = "other",
});

/// Where a device stands.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum DeviceState {
    /// In service (在用).
    InService,
    /// Switched off under an approved application (已停用).
    SwitchedOff,
    /// The unit's access is withdrawn: to be reclaimed (待回收, Art.17).
    ToReclaim,
    /// Reclaimed by the authority (已回收).
    Reclaimed,
}

impl DeviceState {
    /// Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            DeviceState::InService => "在用",
            DeviceState::SwitchedOff => "已停用",
            DeviceState::ToReclaim => "待回收",
            DeviceState::Reclaimed => "已回收",
        }
    }
}

crate::choices!(DeviceState {
    InService = "in-service",
    SwitchedOff = "switched-off",
    ToReclaim = "to-reclaim",
    Reclaimed = "reclaimed",
});

/// A change Art.18 forbids without authority (不得擅自移动、挪用、改造、关闭).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum DeviceAction {
    /// Moved to another place (移动).
    Move {
        /// The new place.
        location: String,
    },
    /// Put to another use (挪用).
    Repurpose,
    /// Modified or upgraded (改造).
    Modify,
    /// Switched off (关闭).
    SwitchOff,
    /// Switched back on (恢复运行).
    SwitchOn,
}

impl DeviceAction {
    /// The action's code, as typed and as recorded in a step.
    pub fn code(&self) -> &'static str {
        match self {
            DeviceAction::Move { .. } => "move",
            DeviceAction::Repurpose => "repurpose",
            DeviceAction::Modify => "modify",
            DeviceAction::SwitchOff => "switch-off",
            DeviceAction::SwitchOn => "switch-on",
        }
    }

    /// The action `code` names (`location` for a move).
    pub fn parse(code: &str, location: &str) -> Result<DeviceAction> {
        Ok(match code.trim() {
            "move" => DeviceAction::Move { location: required_text("location", location)? },
            "repurpose" => DeviceAction::Repurpose,
            "modify" => DeviceAction::Modify,
            "switch-off" => DeviceAction::SwitchOff,
            "switch-on" => DeviceAction::SwitchOn,
            other => {
                return Err(DomainError::invalid(
                    "action",
                    format!("未知的设备变动“{other}”，可选 move、repurpose、modify、switch-off、switch-on"),
                ));
            }
        })
    }

    /// Chinese name.
    pub fn zh(&self) -> &'static str {
        match self {
            DeviceAction::Move { .. } => "移动",
            DeviceAction::Repurpose => "挪用",
            DeviceAction::Modify => "改造",
            DeviceAction::SwitchOff => "关闭",
            DeviceAction::SwitchOn => "恢复运行",
        }
    }
}

/// One change made to a device, with its authority.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct DeviceStep {
    /// What was done: `register`, an action's [`DeviceAction::code`],
    /// `to-reclaim` (its unit withdrawn) or `reclaim`.
    pub action: String,
    /// The approved Art.22 application that allowed it, if one was needed.
    pub application: Option<String>,
    /// A note.
    pub note: String,
    /// Who.
    pub by: String,
    /// When, Unix ms.
    pub at_ms: i64,
}

impl DeviceStep {
    /// A step done by `by` at `at_ms`.
    pub fn new(action: &str, application: Option<String>, note: &str, by: &str, at_ms: i64) -> DeviceStep {
        DeviceStep { action: action.to_string(), application, note: note.to_string(), by: by.to_string(), at_ms }
    }
}

/// A breach of Art.18 found and recorded by an operator (违规记录).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Violation {
    /// What was found (e.g. 未经批准擅自关闭).
    pub what: String,
    /// The day it was found.
    pub found_on: chrono::NaiveDate,
    /// Who recorded it.
    pub by: String,
    /// When recorded, Unix ms.
    pub at_ms: i64,
}

/// What is typed to register a device.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct DeviceForm {
    /// The unit whose access point it serves.
    pub unit: UnitId,
    /// Its kind.
    pub kind: DeviceKind,
    /// Make and model (品牌型号).
    pub model: String,
    /// Serial number (序列号), unique at the node.
    pub serial: String,
    /// Who keeps it (保管人, name and telephone).
    pub holder: String,
    /// Where it stands (安装位置).
    pub location: String,
}

impl DeviceForm {
    /// Trims and checks every field; `serial` has no spaces.
    pub fn checked(self) -> Result<DeviceForm> {
        let serial = required_text("device.serial", &self.serial)?;
        if serial.chars().any(char::is_whitespace) {
            return Err(DomainError::invalid("device.serial", "序列号不能含空格"));
        }
        Ok(DeviceForm {
            model: required_text("device.model", &self.model)?,
            holder: required_text("device.holder", &self.holder)?,
            location: required_text("device.location", &self.location)?,
            serial,
            ..self
        })
    }
}

/// A device's record at the node that holds it.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Device {
    /// Its id.
    pub id: DeviceId,
    /// The unit whose access point it serves.
    pub unit: UnitId,
    /// Its kind.
    pub kind: DeviceKind,
    /// Make and model.
    pub model: String,
    /// Serial number.
    pub serial: String,
    /// Who keeps it.
    pub holder: String,
    /// Where it stands now.
    pub location: String,
    /// Where it stands in its life.
    pub state: DeviceState,
    /// Every change, oldest first (the first is its registration).
    pub steps: Vec<DeviceStep>,
    /// Breaches of Art.18 recorded against it.
    pub violations: Vec<Violation>,
    /// Once its unit is withdrawn: the withdrawal it is reclaimed under.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawal: Option<Withdrawal>,
}

/// The withdrawal a device is reclaimed under, and where its ledger entry is.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Withdrawal {
    /// The withdrawal application (`540102-A000002`).
    pub application: String,
    /// The node that decided it, which keeps the ledger entry.
    pub decided_by: NodeId,
}

impl Device {
    /// How the device reads on a checklist: kind, model and serial.
    pub fn label(&self) -> String {
        format!("{} {}（序列号 {}）", self.kind.zh(), self.model, self.serial)
    }

    /// Applies `action`, already authorised; refused when the device's state
    /// does not allow it.
    pub fn apply(&mut self, action: &DeviceAction) -> Result<()> {
        let refuse = |why: &str| Err(DomainError::FailedPrecondition(format!("设备 {} {why}", self.id)));
        match (self.state, action) {
            (DeviceState::ToReclaim | DeviceState::Reclaimed, _) => refuse("所属单位已撤销接入，只能回收"),
            (DeviceState::InService, DeviceAction::SwitchOn) => refuse("正在使用，无需恢复运行"),
            (DeviceState::SwitchedOff, DeviceAction::SwitchOff) => refuse("已停用"),
            (_, DeviceAction::Move { location }) => {
                self.location = required_text("location", location)?;
                Ok(())
            }
            (_, DeviceAction::SwitchOff) => {
                self.state = DeviceState::SwitchedOff;
                Ok(())
            }
            (_, DeviceAction::SwitchOn) => {
                self.state = DeviceState::InService;
                Ok(())
            }
            (_, DeviceAction::Repurpose | DeviceAction::Modify) => Ok(()),
        }
    }

    /// Marks the device reclaimed; only a device whose unit is withdrawn.
    pub fn reclaim(&mut self) -> Result<()> {
        match self.state {
            DeviceState::ToReclaim => {
                self.state = DeviceState::Reclaimed;
                Ok(())
            }
            DeviceState::Reclaimed => {
                Err(DomainError::FailedPrecondition(format!("设备 {} 已回收，不能重复回收", self.id)))
            }
            _ => Err(DomainError::FailedPrecondition(format!(
                "设备 {} 所属单位尚未撤销接入（第十七条），设备不得回收",
                self.id
            ))),
        }
    }
}

/// Whether `app` authorises changing `device` (Art.18 with Art.22): a
/// resource-change application of the device's unit, approved (or being
/// or already implemented), that names the device.
pub fn check_change_approval(device: &Device, app: &Application) -> Result<()> {
    let key = app.id.key();
    let refuse = |why: String| Err(DomainError::FailedPrecondition(format!("申请 {key} {why}，不能据此变动设备")));
    if app.kind != ApplicationKind::ResourceChange {
        return refuse(format!("是{}，不是网络资源变更申请（第二十二条）", app.kind.zh()));
    }
    if app.unit.id != device.unit || app.unit.node != device.id.node {
        return refuse(format!("是接入单位 {} 的申请，设备属于 {}", app.unit.id, device.unit));
    }
    if !matches!(app.state, AppState::Approved | AppState::Implementing | AppState::Connected) {
        return refuse(format!("尚未批准（当前：{}）", app.state.zh()));
    }
    if !app.form.devices.iter().any(|d| d == &device.id.key()) {
        return refuse(format!("未列明设备 {}", device.id.key()));
    }
    Ok(())
}

#[cfg(test)]
#[path = "device_tests.rs"]
mod tests;
