//! Fault tickets (故障报告, Art.13, Art.24): a link down at an access point,
//! reported at its own level, and the clocks Art.13 starts — the link
//! provider answers within one hour and repairs within two hours on the
//! backbone, 48 in a town, 72 in a remote township — running around the
//! clock (7×24), not in working days.
//!
//! Every clock is derived from the ticket's append-only history of steps
//! ([`clock`]), never kept as a counter; the targets are a snapshot taken
//! when the ticket is opened ([`Policy`]), so a later change of class is an
//! explicit, recorded recalculation and never re-judges a closed ticket; a
//! breach, once recorded, stays. Instants are Unix ms (UTC); people read
//! them in Beijing time.
//!
//! **Nothing pauses a clock.** Art.13 sets hours around the clock and names
//! no exception; time spent waiting (for the room to be opened, for a
//! part) is noted on the ticket as a step's note but the clock runs on.
//! The repair clock stops while the fault is marked repaired and waiting
//! for the unit's confirmation, and resumes — it does not restart — if the
//! unit disputes the repair and the ticket is reopened.

use extranet_ids::NodeId;
use serde::{Deserialize, Serialize};

use crate::choices;
use crate::unit::{Contact, UnitId};

pub mod clock;
mod lifecycle;
pub mod registry;

pub use clock::{ClockView, WarnPolicy, Warning};
pub use lifecycle::{FaultAction, FaultReport};
pub use registry::{AccessPoint, DutySlot, LinkProvider, MaintenanceUnit};

/// An hour, ms.
pub const HOUR_MS: i64 = 3_600_000;
/// The provider must respond within this of the report (Art.13).
pub const RESPONSE_LIMIT_MS: i64 = HOUR_MS;

/// Identifies a ticket: the node it was reported at and its number there,
/// shown as `540102-T000001`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
pub struct FaultId {
    /// The node it was reported at (its owner).
    pub origin: NodeId,
    /// Its number there, from 1.
    pub number: u64,
}

crate::numbered_id!(FaultId, origin, "-T", "故障编号格式应为 “区划代码-T序号”，例如 540102-T000001");

/// Which of Art.13's repair limits applies (故障类别).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
pub enum FaultClass {
    /// The backbone (骨干网络): repaired within 2 hours.
    Backbone,
    /// An urban access point (城区): within 48 hours.
    Urban,
    /// A remote township (偏远乡镇): within 72 hours.
    RemoteTownship,
}

impl FaultClass {
    /// Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            FaultClass::Backbone => "骨干网络",
            FaultClass::Urban => "城区",
            FaultClass::RemoteTownship => "偏远乡镇",
        }
    }

    /// Art.13's repair limit, ms.
    pub fn repair_limit_ms(self) -> i64 {
        match self {
            FaultClass::Backbone => 2 * HOUR_MS,
            FaultClass::Urban => 48 * HOUR_MS,
            FaultClass::RemoteTownship => 72 * HOUR_MS,
        }
    }

    /// The default for a unit's access point: remote township for a
    /// township unit, urban otherwise (the operator may set backbone).
    pub fn default_for(township: bool) -> Self {
        if township { FaultClass::RemoteTownship } else { FaultClass::Urban }
    }
}

choices!(FaultClass { Backbone = "backbone", Urban = "urban", RemoteTownship = "remote-township" });

/// The targets a ticket is judged by, fixed when it is opened.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Policy {
    /// The class the repair limit comes from.
    pub class: FaultClass,
    /// Time allowed to respond, ms.
    pub response_ms: i64,
    /// Time allowed to repair, ms (time marked repaired does not count).
    pub repair_ms: i64,
}

impl Policy {
    /// Art.13's targets for `class`.
    pub fn art13(class: FaultClass) -> Self {
        Policy { class, response_ms: RESPONSE_LIMIT_MS, repair_ms: class.repair_limit_ms() }
    }
}

/// Where a ticket stands.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
pub enum FaultState {
    /// Reported, not yet answered (已报告).
    Reported,
    /// The provider has responded (已响应).
    Acknowledged,
    /// Being repaired (修复中).
    Repairing,
    /// Marked repaired, waiting for the unit's confirmation (已修复).
    Repaired,
    /// Confirmed and closed (已关闭).
    Closed,
}

impl FaultState {
    /// Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            FaultState::Reported => "已报告",
            FaultState::Acknowledged => "已响应",
            FaultState::Repairing => "修复中",
            FaultState::Repaired => "已修复",
            FaultState::Closed => "已关闭",
        }
    }

    /// Whether the repair clock runs in this state.
    pub fn repair_clock_runs(self) -> bool {
        matches!(self, FaultState::Reported | FaultState::Acknowledged | FaultState::Repairing)
    }
}

/// One step of a ticket's history, in order; never changed once written.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Step {
    /// The state the step put the ticket in.
    pub state: FaultState,
    /// When, Unix ms.
    pub at_ms: i64,
    /// Who (operator name or `unit:<id>`).
    pub by: String,
    /// Where it was done.
    pub node: NodeId,
    /// What was said (a reopen's reason, a reclassification, a wait noted).
    pub note: String,
}

/// Which clock.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
pub enum ClockKind {
    /// Respond within the response limit (响应).
    Response,
    /// Repair within the class's limit (修复).
    Repair,
}

impl ClockKind {
    /// Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            ClockKind::Response => "响应",
            ClockKind::Repair => "修复",
        }
    }
}

/// A deadline missed: recorded once per clock, kept for good.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Breach {
    /// Which clock.
    pub clock: ClockKind,
    /// The deadline that passed, Unix ms.
    pub deadline_ms: i64,
    /// When the breach was recorded, Unix ms.
    pub recorded_at_ms: i64,
}

/// A fault ticket.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct FaultTicket {
    /// Its id (the reporting node is its owner).
    pub id: FaultId,
    /// The access unit whose link is down, if a unit's.
    pub unit: Option<UnitId>,
    /// The access point or link that is down (接入点).
    pub access_point: String,
    /// What is down, as reported.
    pub description: String,
    /// Since when it has been down, as reported, Unix ms.
    pub down_since_ms: i64,
    /// Whom to call about it.
    pub contact: Contact,
    /// The targets, fixed at the report (changed only by a recorded reclassification).
    pub policy: Policy,
    /// When it was reported: both clocks start here, Unix ms.
    pub reported_at_ms: i64,
    /// Where it stands now (the last step's state).
    pub state: FaultState,
    /// Every step, oldest first; the first is the report.
    pub history: Vec<Step>,
    /// Breaches recorded, at most one per clock.
    pub breaches: Vec<Breach>,
    /// The unit's satisfaction at closing, 1–5 (Art.27's evaluation).
    pub satisfaction: Option<u8>,
    /// Changes made to it, from 1 (the copy with the highest wins up the tree).
    pub revision: u64,
    /// The link provider answering for the access point when it was
    /// reported (from the registry), for Art.27's evaluation.
    #[serde(default)]
    pub provider: Option<Party>,
    /// The O&M unit answering for it when it was reported.
    #[serde(default)]
    pub maintainer: Option<Party>,
}

/// A provider or O&M unit as a ticket names it: a snapshot taken at the
/// report, so a later change of the registry never moves a ticket from
/// one party's evaluation to another's.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
pub struct Party {
    /// Its id in the registry of the ticket's node.
    pub id: String,
    /// Its name (the evaluation groups by name across a subtree).
    pub name: String,
}

#[cfg(test)]
mod tests;
