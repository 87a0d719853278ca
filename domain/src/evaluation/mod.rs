//! The annual evaluation of service quality (运行质量综合评估, Art.27):
//! each competent authority evaluates, once a year, every link provider
//! (链路提供单位) and O&M unit (运维服务单位) that served its area.
//!
//! The measured part comes from the year's fault tickets only — never typed
//! by the operator: how many faults, the share answered within Art.13's
//! hour, the share repaired within each class's limit, median and worst
//! times, the satisfaction scores units gave at closing ([`figures`]). The
//! items Art.27 names that no ticket measures (bandwidth, security
//! measures, daily maintenance) are assessed by hand, one grade and a
//! comment each ([`Assessment`]), with a conclusion. The whole travels up
//! as a filing, so the region holds every authority's evaluation.
//!
//! **What counts.** A ticket belongs to the year it was reported in
//! (Beijing time) and to the parties its report snapshotted
//! ([`crate::fault::Party`]); a subtree's tickets are grouped by the
//! party's *name*, since each node registers its providers under its own
//! ids. Tickets with no registered party form a row of their own, so the
//! rows add up to the year's tickets. A clock still running within its
//! limit when the figures are taken is *undecided* and left out of that
//! clock's share (it is counted as open), so an evaluation run on 1
//! January does not judge a fault reported at 23:50 on 31 December.
//! Medians of an even count are the lower of the two middle values.

use extranet_ids::NodeId;
use serde::{Deserialize, Serialize};

use crate::choices;
use crate::fault::FaultClass;

mod figures;

pub use figures::{add_registered, check_assessments, figures, share};

/// Which kind of party is evaluated (Art.27(1), (2)).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
pub enum PartyKind {
    /// A link provider (链路提供单位), Art.27(1).
    LinkProvider,
    /// An O&M unit (运维服务单位), Art.27(2).
    Maintainer,
}

impl PartyKind {
    /// Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            PartyKind::LinkProvider => "链路提供单位",
            PartyKind::Maintainer => "运维服务单位",
        }
    }

    /// The items an operator assesses by hand for this kind, in order.
    pub fn assessed_items(self) -> &'static [AssessedItem] {
        match self {
            PartyKind::LinkProvider => &[AssessedItem::Bandwidth, AssessedItem::Protection, AssessedItem::Other],
            PartyKind::Maintainer => &[AssessedItem::DailyMaintenance, AssessedItem::Assurance, AssessedItem::Other],
        }
    }
}

choices!(PartyKind { LinkProvider = "provider", Maintainer = "maintainer" });

/// An item Art.27 names that no ticket measures.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
pub enum AssessedItem {
    /// 链路通畅及带宽情况 (providers).
    Bandwidth,
    /// 安全防护落实情况 (providers).
    Protection,
    /// 日常维护 (O&M units).
    DailyMaintenance,
    /// 安全保障 (O&M units).
    Assurance,
    /// 其他事项 (both).
    Other,
}

impl AssessedItem {
    /// Chinese name, as Art.27 words it.
    pub fn zh(self) -> &'static str {
        match self {
            AssessedItem::Bandwidth => "链路通畅及带宽情况",
            AssessedItem::Protection => "安全防护落实情况",
            AssessedItem::DailyMaintenance => "日常维护",
            AssessedItem::Assurance => "安全保障",
            AssessedItem::Other => "其他事项",
        }
    }
}

choices!(AssessedItem {
    Bandwidth = "bandwidth",
    Protection = "protection",
    DailyMaintenance = "maintenance",
    Assurance = "assurance",
    Other = "other",
});

/// A grade given by hand.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
pub enum Grade {
    /// 优.
    Excellent,
    /// 良.
    Good,
    /// 中.
    Fair,
    /// 差.
    Poor,
}

impl Grade {
    /// Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            Grade::Excellent => "优",
            Grade::Good => "良",
            Grade::Fair => "中",
            Grade::Poor => "差",
        }
    }
}

choices!(Grade { Excellent = "excellent", Good = "good", Fair = "fair", Poor = "poor" });

/// One class's repair figures for a party.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ClassFigures {
    /// The class.
    pub class: FaultClass,
    /// Tickets of the class.
    pub faults: u32,
    /// Of them, those whose repair clock is decided (met, or past its limit).
    pub decided: u32,
    /// Of those, repaired within the class's limit.
    pub within: u32,
}

/// The measured figures of one party over a year's tickets.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct PartyFigures {
    /// Provider or O&M unit.
    pub kind: PartyKind,
    /// Its name; empty for the row of tickets with no such party registered.
    pub name: String,
    /// Tickets reported in the year.
    pub faults: u32,
    /// Tickets whose response clock is decided (answered, or past the hour).
    pub response_decided: u32,
    /// Of those, answered within the hour (Art.13).
    pub responded_within: u32,
    /// Median time to respond over the answered tickets, ms.
    pub response_median_ms: Option<i64>,
    /// Longest time to respond over the answered tickets, ms.
    pub response_worst_ms: Option<i64>,
    /// Repair figures per class, in class order, only classes with tickets.
    pub classes: Vec<ClassFigures>,
    /// Median repair-clock time over the repaired tickets, ms.
    pub repair_median_ms: Option<i64>,
    /// Longest repair-clock time over the repaired tickets, ms.
    pub repair_worst_ms: Option<i64>,
    /// Tickets not closed when the figures were taken.
    pub open: u32,
    /// Breaches recorded on the tickets (response and repair).
    pub breaches: u32,
    /// Tickets closed with a satisfaction score.
    pub scored: u32,
    /// Sum of those scores (mean = sum / scored).
    pub score_sum: u32,
    /// How many gave each score, 1 to 5.
    pub score_counts: [u32; 5],
}

/// A hand-assessed item of one party.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Assessment {
    /// The party's kind.
    pub kind: PartyKind,
    /// The party's name, as in its figures.
    pub name: String,
    /// The item (one of the kind's [`PartyKind::assessed_items`]).
    pub item: AssessedItem,
    /// The grade.
    pub grade: Grade,
    /// What it rests on.
    pub comment: String,
}

/// One authority's annual evaluation, as filed.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Evaluation {
    /// The calendar year evaluated (Beijing time).
    pub year: i32,
    /// The authority evaluating (its node); the figures cover its subtree.
    pub node: NodeId,
    /// When the figures were taken, Unix ms.
    pub as_of_ms: i64,
    /// Tickets of the year counted.
    pub tickets: u32,
    /// Measured figures, providers first, then O&M units, each by name.
    pub parties: Vec<PartyFigures>,
    /// Hand-assessed items.
    pub assessments: Vec<Assessment>,
    /// The operator's conclusion (评估结论).
    pub conclusion: String,
}

#[cfg(test)]
mod tests;
