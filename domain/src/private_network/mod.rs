//! Non-classified private networks (非涉密业务专网, Art.5, Art.9, Art.10):
//! the register each competent authority keeps of the private networks in
//! its jurisdiction that must move into the extranet — whose department
//! runs it, what it covers, its links, when migration is planned and when
//! it was done, and whether finance has stopped paying its lease fees.
//!
//! Art.5 forbids building new ones, so the register records existing
//! networks only; it exists to drive them to migration. Where a network
//! stands is derived, never typed: [`MigrationStatus`] follows from the
//! dates. Art.5 also says finance stops a migrated network's lease fees; a
//! migrated network whose fees are still paid is a finding the figures show
//! ([`PrivateNetwork::fees_still_paid`]), not a record the node refuses —
//! the register says what is, and stopping the fees is the finance
//! department's act, recorded when it happens. Marking fees stopped on a
//! network not yet migrated is refused: Art.5 stops them because it moved.
//!
//! The node owning the jurisdiction owns the record; every change travels
//! up whole, and the copy with the highest revision wins.

use extranet_ids::NodeId;
use serde::{Deserialize, Serialize};

use crate::choices;

mod lifecycle;

pub use lifecycle::{MAX_LINKS, PrivateNetworkAction, PrivateNetworkDetails};

/// Identifies a private network: the node whose register holds it and its
/// number there, shown as `540102-N000001`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
pub struct PrivateNetworkId {
    /// The node whose jurisdiction it is in (its register owns it).
    pub origin: NodeId,
    /// Its number there, from 1.
    pub number: u64,
}

crate::numbered_id!(PrivateNetworkId, origin, "-N", "非涉密业务专网编号格式应为 “区划代码-N序号”，例如 540102-N000001");

/// Where a network stands on its way into the extranet, derived from its
/// dates: migrated once the day it was done is recorded, planned once a
/// planned day is, otherwise not yet planned.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
pub enum MigrationStatus {
    /// Not migrated and no migration planned yet (未迁移，未定计划).
    Unplanned,
    /// Not migrated, a planned day recorded (计划迁移).
    Planned,
    /// Migrated into the extranet (已迁移整合).
    Migrated,
}

impl MigrationStatus {
    /// Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            MigrationStatus::Unplanned => "未迁移（未定计划）",
            MigrationStatus::Planned => "计划迁移",
            MigrationStatus::Migrated => "已迁移整合",
        }
    }
}

choices!(MigrationStatus { Unplanned = "unplanned", Planned = "planned", Migrated = "migrated" });

/// What a step of a network's history did.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
pub enum StepKind {
    /// Entered in the register (登记).
    Registered,
    /// A planned migration day recorded or moved (确定迁移计划).
    Planned,
    /// Migration into the extranet recorded as done (完成迁移整合).
    Migrated,
    /// The lease fees recorded as stopped (线路租赁费已停止).
    FeesStopped,
}

impl StepKind {
    /// Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            StepKind::Registered => "登记",
            StepKind::Planned => "确定迁移计划",
            StepKind::Migrated => "完成迁移整合",
            StepKind::FeesStopped => "线路租赁费已停止",
        }
    }
}

/// One step of a network's history; never changed once written.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Step {
    /// What it did.
    pub kind: StepKind,
    /// When it was recorded, Unix ms.
    pub at_ms: i64,
    /// Who recorded it (operator name).
    pub by: String,
    /// What was said (may be empty).
    pub note: String,
}

/// A non-classified private network in a jurisdiction's register.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct PrivateNetwork {
    /// Its id (the registering node owns it).
    pub id: PrivateNetworkId,
    /// What is registered, with today's dates and fees.
    pub details: PrivateNetworkDetails,
    /// Every step, oldest first; the first is the registration.
    pub history: Vec<Step>,
    /// Changes made to it, from 1 (the copy with the highest wins up the tree).
    pub revision: u64,
}

impl PrivateNetwork {
    /// Where it stands, from its dates.
    pub fn status(&self) -> MigrationStatus {
        match (self.details.migrated_on, self.details.planned_on) {
            (Some(_), _) => MigrationStatus::Migrated,
            (None, Some(_)) => MigrationStatus::Planned,
            (None, None) => MigrationStatus::Unplanned,
        }
    }

    /// Migrated, yet its lease fees are still paid: the Art.5 finding the
    /// figures show (重复投资).
    pub fn fees_still_paid(&self) -> bool {
        self.details.migrated_on.is_some() && !self.details.lease_fees_stopped
    }

    /// The year its migration was done, if it was.
    pub fn migrated_year(&self) -> Option<i32> {
        self.details.migrated_on.map(|d| chrono::Datelike::year(&d))
    }

    /// When it was registered, Unix ms.
    pub fn registered_at_ms(&self) -> i64 {
        self.history.first().map_or(0, |s| s.at_ms)
    }
}

#[cfg(test)]
mod tests;
