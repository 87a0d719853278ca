//! Supervision inspections and the rectifications they order (监督检查、
//! 限期整改, Art.28): a competent authority inspects how the extranet is run,
//! used and secured — at a unit registered at its own node, or at a lower
//! node — records what it found, and orders the inspected party to rectify
//! each problem by a deadline in working days on the region's calendar.
//!
//! The authority's node owns the record. The inspected party's answer is
//! its own act: a unit answers at the authority's node with its unit
//! certificate; a lower node answers at its node and its answer travels up
//! (`node` keeps the two writers apart; here [`Inspection::respond`] and
//! [`Inspection::review`] are the two halves). A rectification is
//! **overdue** while it is not accepted (closed) and its due date has
//! passed: an answer waiting for review, or one sent back, leaves it
//! overdue, because only the authority's acceptance confirms the problem is
//! rectified. The deadline counts from the day of the inspection (the order
//! is given at the inspection, whenever the record is typed in).

use chrono::NaiveDate;
use extranet_ids::NodeId;
use serde::{Deserialize, Serialize};

use crate::access::Deadline;
use crate::notice::WrittenNotice;
use crate::unit::UnitId;

mod lifecycle;
mod notice;

pub use lifecycle::{FindingRequest, InspectionRequest, Response, Review};

/// Most findings one inspection records.
pub const MAX_FINDINGS: usize = 50;
/// Most inspectors one inspection names.
pub const MAX_INSPECTORS: usize = 20;
/// How many days before it is recorded an inspection may have taken place.
pub const MAX_DAYS_BACK: i64 = 90;

/// Identifies an inspection: the inspecting node and its number there,
/// shown as `540100-J000001`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
pub struct InspectionId {
    /// The inspecting authority's node (it owns the record).
    pub origin: NodeId,
    /// Its number there, from 1.
    pub number: u64,
}

crate::numbered_id!(InspectionId, origin, "-J", "监督检查编号格式应为 “区划代码-J序号”，例如 540100-J000001");

/// Who was inspected.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
pub enum Inspected {
    /// A unit registered at the inspecting node (接入单位).
    Unit(UnitId),
    /// A lower node (下级政务外网主管部门), a descendant of the inspecting node.
    Node(NodeId),
}

impl Inspected {
    /// How it reads: `u0001` or `540000/540100/540102`.
    pub fn label(&self) -> String {
        match self {
            Inspected::Unit(u) => u.to_string(),
            Inspected::Node(n) => n.to_string(),
        }
    }
}

/// Where a rectification stands.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
pub enum RectificationState {
    /// Ordered, not yet answered, or answered and sent back (整改中).
    Open,
    /// Answered, waiting for the authority's review (已答复，待审核).
    Responded,
    /// Accepted by the authority (已验收，整改完成).
    Closed,
}

impl RectificationState {
    /// Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            RectificationState::Open => "整改中",
            RectificationState::Responded => "已答复，待审核",
            RectificationState::Closed => "已验收，整改完成",
        }
    }
}

crate::choices!(RectificationState { Open = "open", Responded = "responded", Closed = "closed" });

/// What one step of a rectification did.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
pub enum RectificationStepKind {
    /// The inspected party answered with what it did (报送整改情况).
    Responded,
    /// The authority accepted it (验收通过).
    Accepted,
    /// The authority sent it back (退回重新整改).
    Returned,
}

impl RectificationStepKind {
    /// Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            RectificationStepKind::Responded => "报送整改情况",
            RectificationStepKind::Accepted => "验收通过",
            RectificationStepKind::Returned => "退回重新整改",
        }
    }
}

/// One step of a rectification; never changed once written.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct RectificationStep {
    /// What it did.
    pub kind: RectificationStepKind,
    /// When, Unix ms.
    pub at_ms: i64,
    /// Who (operator name, `unit:<id>`, or `<node>:<operator>`).
    pub by: String,
    /// What was said: what was done, or the reason it was sent back.
    pub note: String,
}

/// A rectification ordered for one finding (限期整改).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Rectification {
    /// Its deadline, stamped with the calendar version; met once accepted.
    pub deadline: Deadline,
    /// Where it stands.
    pub state: RectificationState,
    /// Its steps, oldest first.
    pub steps: Vec<RectificationStep>,
}

impl Rectification {
    /// Whether its due date passed on `today` without it being accepted.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.state != RectificationState::Closed && today > self.deadline.due
    }
}

/// One problem found (检查发现的问题).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Finding {
    /// What was found.
    pub text: String,
    /// The rectification ordered for it, if one was.
    pub rectification: Option<Rectification>,
}

/// A supervision inspection (监督检查) and the rectifications it ordered.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Inspection {
    /// Its id (the inspecting node owns it).
    pub id: InspectionId,
    /// Who was inspected.
    pub inspected: Inspected,
    /// Its name when inspected (the unit's or the division's).
    pub inspected_name: String,
    /// The day of the inspection (Beijing time).
    pub date: NaiveDate,
    /// What was inspected (运行、使用、安全管理情况 …).
    pub scope: String,
    /// Who inspected.
    pub inspectors: Vec<String>,
    /// What was found, in order; a finding is referred to by its number from 1.
    pub findings: Vec<Finding>,
    /// When it was recorded, Unix ms.
    pub recorded_at_ms: i64,
    /// Who recorded it.
    pub recorded_by: String,
    /// The written rectification order (整改通知书), when one was ordered.
    pub notice: Option<WrittenNotice>,
    /// Changes made to it, from 1 (the copy with the highest wins).
    pub revision: u64,
}

impl Inspection {
    /// The rectifications not yet accepted.
    pub fn open(&self) -> impl Iterator<Item = (usize, &Rectification)> {
        self.rectifications().filter(|(_, r)| r.state != RectificationState::Closed)
    }

    /// The rectifications overdue on `today`.
    pub fn overdue(&self, today: NaiveDate) -> impl Iterator<Item = (usize, &Rectification)> {
        self.rectifications().filter(move |(_, r)| r.is_overdue(today))
    }

    /// Every rectification, with its finding's number (from 1).
    pub fn rectifications(&self) -> impl Iterator<Item = (usize, &Rectification)> {
        self.findings.iter().enumerate().filter_map(|(i, f)| f.rectification.as_ref().map(|r| (i + 1, r)))
    }

    /// Whether `node` is the inspected lower node.
    pub fn inspects_node(&self, node: &NodeId) -> bool {
        self.inspected == Inspected::Node(node.clone())
    }
}

#[cfg(test)]
mod tests;
