//! Circulars (通报, Art.28, Art.29): the competent authority of a level
//! circulates, to its whole subtree, a security event (Art.28) or the
//! units that failed their security duties (Art.29(1)) or refused or
//! obstructed supervision and inspection (Art.29(2)), naming the units and
//! the incidents, orders and inspections behind it.
//!
//! A circular is a written document ([`WrittenNotice`]) numbered per
//! issuing authority and year (`540100〔2026〕通001号`) and citing its
//! article. It is issued once and never changed: it travels down to every
//! node of the issuer's subtree, and each unit named keeps it in its history.

use extranet_ids::NodeId;
use serde::{Deserialize, Serialize};

use crate::choices;
use crate::notice::WrittenNotice;
use crate::unit::UnitId;

mod issue;

pub use issue::{CircularRequest, Issuer, number};

/// Most units, and most references of each kind, one circular names.
pub const MAX_NAMED: usize = 50;

/// Identifies a circular: the issuing node and its number there, shown as
/// `540100-C000001`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
pub struct CircularId {
    /// The issuing node (its authority owns the circular).
    pub origin: NodeId,
    /// Its number there, from 1.
    pub number: u64,
}

crate::numbered_id!(CircularId, origin, "-C", "通报编号格式应为 “区划代码-C序号”，例如 540100-C000001");

/// What a circular is about, and so the article it cites.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
pub enum CircularKind {
    /// A security event (网络安全事件通报, Art.28).
    SecurityEvent,
    /// Units that failed their security duties (不履行网络安全保护义务, Art.29(1)).
    DutyFailure,
    /// Units that refused or obstructed inspection (拒绝或阻碍监督检查, Art.29(2)).
    ObstructedInspection,
}

impl CircularKind {
    /// Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            CircularKind::SecurityEvent => "网络安全事件通报",
            CircularKind::DutyFailure => "不履行网络安全保护义务",
            CircularKind::ObstructedInspection => "拒绝或阻碍监督检查",
        }
    }

    /// The article it cites.
    pub fn article(self) -> &'static str {
        match self {
            CircularKind::SecurityEvent => "第二十八条",
            CircularKind::DutyFailure => "第二十九条第（一）项",
            CircularKind::ObstructedInspection => "第二十九条第（二）项",
        }
    }

    /// Whether it must name at least one unit (Art.29's two cases).
    pub fn names_units(self) -> bool {
        self != CircularKind::SecurityEvent
    }
}

choices!(CircularKind {
    SecurityEvent = "security-event",
    DutyFailure = "duty-failure",
    ObstructedInspection = "obstructed-inspection",
});

/// A unit a circular names, where it is registered.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
pub struct NamedUnit {
    /// The node it is registered at (within the issuer's subtree).
    pub node: NodeId,
    /// Its id there.
    pub unit: UnitId,
    /// Its name, as the circular writes it.
    pub name: String,
}

/// A circular, as issued (never changed afterwards).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Circular {
    /// Its id (the issuing node owns it).
    pub id: CircularId,
    /// What it says and whom it names.
    pub content: CircularRequest,
    /// When it was issued, Unix ms.
    pub issued_at_ms: i64,
    /// Who issued it (operator name).
    pub issued_by: String,
    /// The written circular (通报).
    pub notice: WrittenNotice,
    /// Its revision (1: a circular is not amended; a later one is issued).
    pub revision: u64,
}

impl Circular {
    /// Whether it names `unit` registered at `node`.
    pub fn names(&self, node: &NodeId, unit: &UnitId) -> bool {
        self.content.units.iter().any(|u| &u.node == node && &u.unit == unit)
    }
}

#[cfg(test)]
mod tests;
