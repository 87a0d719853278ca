//! Maintenance interruptions (维护作业中断, Art.24): before planned work
//! that will interrupt the network or an important business system, a unit
//! (or the authority itself) asks its own level for approval; only an
//! approved interruption may start, and once approved it is reported to
//! the region (报自治区级备案) as a filing with a receipt from every level.
//!
//! A request carries the window, what is affected and why. Its own node's
//! operator approves or rejects it (with a reason). Starting is refused
//! before approval (`FailedPrecondition`, citing Art.24) and outside the
//! approved window (from [`START_EARLY_MS`] before its start to its end);
//! finishing records the actual end, and how far it overran the window if
//! it did. Like a fault ticket, an interruption keeps every step in an
//! append-only history, and the copy with the highest revision wins as it
//! travels up, so the region sees every interruption planned, under way
//! and finished in the tree.

use extranet_ids::NodeId;
use serde::{Deserialize, Serialize};

use crate::choices;
use crate::filing::FilingId;
use crate::unit::UnitId;

mod lifecycle;

pub use lifecycle::{InterruptionAction, Plan};

/// The crew may start this long before the approved window opens.
pub const START_EARLY_MS: i64 = 15 * 60_000;
/// Longest window that may be asked for: 7 days.
pub const MAX_WINDOW_MS: i64 = 7 * 24 * 3_600_000;
/// A request's window may open this little before the node's clock (the
/// requester's clock may lag), not earlier.
pub const WINDOW_SKEW_MS: i64 = 5 * 60_000;

/// Identifies an interruption: the node it was requested at and its number
/// there, shown as `540102-M000001`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
pub struct InterruptionId {
    /// The node it was requested at (the one that approves it).
    pub origin: NodeId,
    /// Its number there, from 1.
    pub number: u64,
}

crate::numbered_id!(InterruptionId, origin, "-M", "中断申请编号格式应为 “区划代码-M序号”，例如 540102-M000001");

/// What the work interrupts.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
pub enum Affects {
    /// The network (网络).
    Network,
    /// An important business system (重要业务系统).
    System,
}

impl Affects {
    /// Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            Affects::Network => "网络",
            Affects::System => "重要业务系统",
        }
    }
}

choices!(Affects { Network = "network", System = "system" });

/// Where an interruption stands.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
pub enum InterruptionState {
    /// Waiting for its level's decision (待审批).
    Requested,
    /// Approved, not yet started (已批准, planned).
    Approved,
    /// Refused (已驳回).
    Rejected,
    /// Withdrawn before it started (已撤回).
    Withdrawn,
    /// The work is under way: the network or system is interrupted (实施中).
    UnderWay,
    /// Finished: service restored (已结束).
    Finished,
}

impl InterruptionState {
    /// Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            InterruptionState::Requested => "待审批",
            InterruptionState::Approved => "已批准（计划中）",
            InterruptionState::Rejected => "已驳回",
            InterruptionState::Withdrawn => "已撤回",
            InterruptionState::UnderWay => "实施中",
            InterruptionState::Finished => "已结束",
        }
    }

    /// Whether nothing more can happen to it.
    pub fn is_final(self) -> bool {
        matches!(self, InterruptionState::Rejected | InterruptionState::Withdrawn | InterruptionState::Finished)
    }
}

choices!(InterruptionState {
    Requested = "requested",
    Approved = "approved",
    Rejected = "rejected",
    Withdrawn = "withdrawn",
    UnderWay = "under-way",
    Finished = "finished",
});

/// One step of an interruption's history; never changed once written.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct InterruptionStep {
    /// The state the step put it in.
    pub state: InterruptionState,
    /// When, Unix ms.
    pub at_ms: i64,
    /// Who (operator name or `unit:<id>`).
    pub by: String,
    /// What was said (the decision's reason, what was done).
    pub note: String,
}

/// A maintenance interruption.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Interruption {
    /// Its id (the requesting node approves it).
    pub id: InterruptionId,
    /// What was asked for: who, what, why, when.
    pub plan: Plan,
    /// Where it stands (the last step's state).
    pub state: InterruptionState,
    /// Every step, oldest first; the first is the request.
    pub history: Vec<InterruptionStep>,
    /// The filing that reported the approval to the region (Art.24 报备).
    pub filing: Option<FilingId>,
    /// Changes made to it, from 1 (the copy with the highest wins up the tree).
    pub revision: u64,
}

/// The report of an approved interruption to the region (维护作业中断报备,
/// Art.24): the plan its level approved, filed up as a filing with receipts.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct InterruptionFiling {
    /// The interruption.
    pub interruption: InterruptionId,
    /// The plan as approved.
    pub plan: Plan,
    /// Who approved it.
    pub approved_by: String,
    /// When, Unix ms.
    pub approved_at_ms: i64,
    /// The approval's remarks.
    pub note: String,
}

impl Interruption {
    /// What its approval reports to the region; `None` until approved.
    pub fn filing_details(&self) -> Option<InterruptionFiling> {
        let step = self.history.iter().find(|s| s.state == InterruptionState::Approved)?;
        Some(InterruptionFiling {
            interruption: self.id.clone(),
            plan: self.plan.clone(),
            approved_by: step.by.clone(),
            approved_at_ms: step.at_ms,
            note: step.note.clone(),
        })
    }

    /// When it was requested, Unix ms.
    pub fn requested_at_ms(&self) -> i64 {
        self.history.first().map_or(0, |s| s.at_ms)
    }

    /// When a step first put it in `state`, if one did.
    pub fn entered_ms(&self, state: InterruptionState) -> Option<i64> {
        self.history.iter().find(|s| s.state == state).map(|s| s.at_ms)
    }

    /// How far the work ran past its window, ms: as of its end if
    /// finished, as of `now_ms` if under way; 0 if it did not.
    pub fn overrun_ms(&self, now_ms: i64) -> i64 {
        let end = match self.state {
            InterruptionState::Finished => self.entered_ms(InterruptionState::Finished).unwrap_or(now_ms),
            InterruptionState::UnderWay => now_ms,
            _ => return 0,
        };
        (end - self.plan.window_end_ms).max(0)
    }

    /// Whether it was asked for by `unit`.
    pub fn is_of(&self, unit: &UnitId) -> bool {
        self.plan.unit.as_ref() == Some(unit)
    }
}

#[cfg(test)]
mod tests;
