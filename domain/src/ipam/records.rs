//! The records of address management: delegations (委派, owned by the
//! parent) and assignments (分配, owned by the assigning node).

use extranet_ids::NodeId;
use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use crate::choices;
use crate::error::{DomainError, Result};

/// Who holds an assignment: an access unit's or information system's id as
/// the access registry knows it (接入单位编号). Opaque here, but bounded.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
pub struct AssigneeId(String);

impl AssigneeId {
    /// Checks an assignee id: 1–64 characters, no whitespace or control characters.
    pub fn new(s: &str) -> Result<Self> {
        let s = s.trim();
        if s.is_empty() || s.chars().count() > 64 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(DomainError::invalid("assignee", "使用单位编号应为 1–64 个字符，不含空白"));
        }
        Ok(AssigneeId(s.to_string()))
    }
}

crate::text_id!(AssigneeId);

/// What an assignment is for (用途).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum Purpose {
    /// An access unit's network (接入单位).
    AccessUnit,
    /// An information system (信息系统, Art.23).
    InformationSystem,
    /// The extranet's own infrastructure (基础设施).
    Infrastructure,
}

impl Purpose {
    /// The Chinese name shown to operators.
    pub fn zh(self) -> &'static str {
        match self {
            Purpose::AccessUnit => "接入单位",
            Purpose::InformationSystem => "信息系统",
            Purpose::Infrastructure => "基础设施",
        }
    }
}

choices!(Purpose {
    AccessUnit = "access-unit",
    InformationSystem = "information-system",
    Infrastructure = "infrastructure",
});

/// Identifies an assignment across the federation: the assigning node and
/// its number there, shown as `<division code>-A<number>`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
pub struct AssignmentId {
    /// The node that made the assignment.
    pub node: NodeId,
    /// Its number there, from 1.
    pub number: u64,
}

crate::numbered_id!(AssignmentId, node, "-A");

/// Whether a record is in force.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum RecordState {
    /// In force.
    Live,
    /// Returned (释放/回收) at `at_ms` by `by`, for `reason`.
    Ended {
        /// When.
        at_ms: i64,
        /// Operator (or the system for a revocation).
        by: String,
        /// Why.
        reason: String,
        /// A forced reclaim of a delegation that still had assignments below it.
        forced: bool,
    },
}

/// An assignment (地址分配) made by a node to one of its users.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Assignment {
    /// Its id.
    pub id: AssignmentId,
    /// The prefix assigned.
    pub prefix: IpNet,
    /// What it is for.
    pub purpose: Purpose,
    /// Who holds it.
    pub assignee: AssigneeId,
    /// The access application or launch filing it serves (申请/备案编号).
    pub serves: String,
    /// Operator who made it.
    pub by: String,
    /// When, Unix ms.
    pub at_ms: i64,
    /// For IPv4 only: the written justification (Art.6).
    pub ipv4_justification: Option<String>,
    /// For IPv4 only: who approved it.
    pub ipv4_approved_by: Option<String>,
    /// In force or ended.
    pub state: RecordState,
}

/// A delegation (地址委派) from a parent to a child; owned by the parent,
/// replicated down, and the child's pool there.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Delegation {
    /// The delegating node (the owner).
    pub parent: NodeId,
    /// Its number at the parent, from 1; a delegation grown in place keeps it.
    pub number: u64,
    /// The receiving child.
    pub child: NodeId,
    /// The prefix delegated.
    pub prefix: IpNet,
    /// Operator who made it.
    pub by: String,
    /// When, Unix ms.
    pub at_ms: i64,
    /// In force or ended.
    pub state: RecordState,
}

impl Delegation {
    /// Whether the delegation is in force.
    pub fn is_live(&self) -> bool {
        self.state == RecordState::Live
    }
}

impl Assignment {
    /// Whether the assignment is in force.
    pub fn is_live(&self) -> bool {
        self.state == RecordState::Live
    }
}

/// One line of the address ledger (地址台账): what was reclaimed, from whom,
/// by whom and why (Art.17).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct AddressLedgerEntry {
    /// Its number at this node, from 1.
    pub number: u64,
    /// When, Unix ms.
    pub at_ms: i64,
    /// Operator, or the service that asked (e.g. the access registry).
    pub by: String,
    /// What happened, e.g. "回收使用单位全部地址".
    pub action: String,
    /// The assignee concerned, if any.
    pub assignee: Option<AssigneeId>,
    /// The prefixes concerned.
    pub prefixes: Vec<IpNet>,
    /// Why.
    pub reason: String,
}

/// Space the operator holds back from allocation (保留地址), e.g. for a
/// planned backbone segment. Local to the node that made it.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Reservation {
    /// The reserved prefix.
    pub prefix: IpNet,
    /// Why it is held back.
    pub note: String,
    /// Operator who reserved it.
    pub by: String,
    /// When, Unix ms.
    pub at_ms: i64,
}
