//! Security incidents (网络安全事件, Art.26(1)): a unit, or the operator of
//! its node, reports an incident at that node — what happened, when, its
//! impact, the measures taken, and whether it is major (重大网络安全事件).
//!
//! A major incident must be reported at once (第一时间) to the five
//! departments of the same level the article names — 网信, 保密, 安全,
//! 公安, 经济和信息化 — and the node records each first report (when, by
//! which channel, who); [`Incident::missing_departments`] says which are
//! still missing, and recording the last empties it. The competent
//! authority of the node (its operator) then decides whether to report it
//! up (the article leaves that to it, 分析研判后决定是否上报上级单位).
//! Until it does, the incident stays at its node; once reported, the whole
//! record travels to every ancestor and the copy with the highest revision
//! wins, like an order or an interruption.

use extranet_ids::NodeId;
use serde::{Deserialize, Serialize};

use crate::choices;
use crate::unit::UnitId;

mod lifecycle;

pub use lifecycle::{DepartmentReportRequest, IncidentAction, IncidentRequest};

/// Identifies an incident: the node it was reported at and its number
/// there, shown as `540102-I000001`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
pub struct IncidentId {
    /// The node it was reported at (whose authority handles it).
    pub origin: NodeId,
    /// Its number there, from 1.
    pub number: u64,
}

crate::numbered_id!(IncidentId, origin, "-I", "安全事件编号格式应为 “区划代码-I序号”，例如 540102-I000001");

/// The five departments of the same level a major incident is reported to
/// at once (Art.26(1)), in the article's order.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
pub enum Department {
    /// 网信部门 (cyberspace administration).
    Cyberspace,
    /// 保密部门 (state secrets).
    Secrecy,
    /// 安全部门 (state security).
    StateSecurity,
    /// 公安部门 (public security).
    PublicSecurity,
    /// 经济和信息化部门 (economy and informatisation).
    Industry,
}

impl Department {
    /// Every department the article names, in its order.
    pub const ALL: [Department; 5] = [
        Department::Cyberspace,
        Department::Secrecy,
        Department::StateSecurity,
        Department::PublicSecurity,
        Department::Industry,
    ];

    /// Chinese name, as the article writes it.
    pub fn zh(self) -> &'static str {
        match self {
            Department::Cyberspace => "网信",
            Department::Secrecy => "保密",
            Department::StateSecurity => "安全",
            Department::PublicSecurity => "公安",
            Department::Industry => "经济和信息化",
        }
    }
}

choices!(Department {
    Cyberspace = "cyberspace",
    Secrecy = "secrecy",
    StateSecurity = "state-security",
    PublicSecurity = "public-security",
    Industry = "industry",
});

/// How a department was told.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
pub enum Channel {
    /// By telephone (电话).
    Phone,
    /// In writing (书面).
    Written,
    /// Through the department's reporting system (系统报送).
    System,
    /// In person (当面).
    InPerson,
    /// Otherwise (其他), said in the note.
    Other,
}

impl Channel {
    /// Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            Channel::Phone => "电话",
            Channel::Written => "书面",
            Channel::System => "系统报送",
            Channel::InPerson => "当面",
            Channel::Other => "其他",
        }
    }
}

choices!(Channel { Phone = "phone", Written = "written", System = "system", InPerson = "in-person", Other = "other" });

/// The first report of an incident to one department; never changed once recorded.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct DepartmentReport {
    /// The department told.
    pub department: Department,
    /// When it was told, Unix ms.
    pub at_ms: i64,
    /// How.
    pub channel: Channel,
    /// Who told it (the reporter's name).
    pub reporter: String,
    /// Whom there, a reference number, or other remarks (may be empty).
    pub note: String,
    /// Who recorded it here (operator name or `unit:<id>`).
    pub recorded_by: String,
    /// When it was recorded, Unix ms.
    pub recorded_at_ms: i64,
}

/// The authority's decision whether to report an incident up (Art.26(1)).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
pub enum UpDecision {
    /// Not yet decided (待研判).
    Undecided,
    /// Handled at this level, not reported up (本级处置，不上报).
    Kept,
    /// Reported to the level above (已上报上级).
    ReportedUp,
}

impl UpDecision {
    /// Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            UpDecision::Undecided => "待研判是否上报",
            UpDecision::Kept => "本级处置，不上报",
            UpDecision::ReportedUp => "已上报上级",
        }
    }
}

choices!(UpDecision { Undecided = "undecided", Kept = "kept", ReportedUp = "reported-up" });

/// What a step of an incident's history did.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
pub enum StepKind {
    /// Reported at its node (报告).
    Reported,
    /// A department's first report recorded (记录向部门报告).
    Department,
    /// Decided to handle it at this level (决定不上报).
    Kept,
    /// Reported up (上报上级).
    ReportedUp,
    /// Closed: handled (处置完毕).
    Closed,
}

impl StepKind {
    /// Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            StepKind::Reported => "报告事件",
            StepKind::Department => "记录向部门报告",
            StepKind::Kept => "研判：本级处置，不上报",
            StepKind::ReportedUp => "研判：上报上级",
            StepKind::Closed => "处置完毕",
        }
    }
}

/// One step of an incident's history; never changed once written.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct IncidentStep {
    /// What it did.
    pub kind: StepKind,
    /// When, Unix ms.
    pub at_ms: i64,
    /// Who (operator name or `unit:<id>`).
    pub by: String,
    /// What was said.
    pub note: String,
}

/// A security incident reported at a node.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Incident {
    /// Its id (the reporting node owns it).
    pub id: IncidentId,
    /// What was reported.
    pub report: IncidentRequest,
    /// The first report to each department told, in the order recorded.
    pub departments: Vec<DepartmentReport>,
    /// Whether the authority reported it up.
    pub decision: UpDecision,
    /// Whether it is closed (处置完毕).
    pub closed: bool,
    /// Every step, oldest first; the first is the report.
    pub history: Vec<IncidentStep>,
    /// Changes made to it, from 1 (the copy with the highest wins up the tree).
    pub revision: u64,
}

impl Incident {
    /// The departments of Art.26(1) not yet recorded as told, in the
    /// article's order; always empty for an incident that is not major.
    pub fn missing_departments(&self) -> Vec<Department> {
        if !self.report.major {
            return Vec::new();
        }
        Department::ALL.into_iter().filter(|d| !self.departments.iter().any(|r| r.department == *d)).collect()
    }

    /// When it was reported here, Unix ms.
    pub fn reported_at_ms(&self) -> i64 {
        self.history.first().map_or(0, |s| s.at_ms)
    }

    /// Whether it was reported by, or on behalf of, `unit`.
    pub fn is_of(&self, unit: &UnitId) -> bool {
        self.report.unit.as_ref() == Some(unit)
    }

    /// Whether it waits on its authority: undecided, or major with a
    /// department still missing (what the operator's queue lists).
    pub fn waits(&self) -> bool {
        !self.closed && (self.decision == UpDecision::Undecided || !self.missing_departments().is_empty())
    }

    /// Whether its copy travels up: once reported up, every change does.
    pub fn travels_up(&self) -> bool {
        self.decision == UpDecision::ReportedUp
    }
}

#[cfg(test)]
mod tests;
