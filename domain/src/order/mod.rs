//! Disconnection and rectification orders (中断连接、限期整改, Art.25(4)):
//! when an access unit's security problem affects the extranet, the
//! competent authority of its node orders it disconnected and sets a
//! deadline to rectify, in working days on the region's calendar.
//!
//! An order stands until the authority, having verified the unit's
//! rectification, lifts it; while it stands the unit's certificate is
//! refused at its node and its addresses are flagged (both in `node`, read
//! from [`Order::is_standing`]). The deadline is an Art.16-style
//! [`Deadline`]: it keeps the calendar version it was computed with, and an
//! extension replaces it (the old one stays in the history). Every step is
//! kept in an append-only history, and the copy with the highest revision
//! wins as the order travels up, so every ancestor sees the unit as
//! disconnected and the rectification as open or overdue.

use chrono::NaiveDate;
use extranet_ids::NodeId;
use serde::{Deserialize, Serialize};

use crate::access::Deadline;
use crate::notice::WrittenNotice;
use crate::unit::UnitId;

mod lifecycle;
mod notice;

pub use lifecycle::{OrderAction, OrderRequest, check_working_days, day_of};
pub use notice::{Issuer, OrderDocuments};

/// Fewest and most working days an order (or one extension) may allow.
pub const WORKING_DAYS: std::ops::RangeInclusive<u32> = 1..=60;

/// Identifies an order: the node that issued it and its number there,
/// shown as `540102-D000001`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
pub struct OrderId {
    /// The issuing node (the unit's node; it owns the order).
    pub origin: NodeId,
    /// Its number there, from 1.
    pub number: u64,
}

crate::numbered_id!(OrderId, origin, "-D", "中断连接通知编号格式应为 “区划代码-D序号”，例如 540102-D000001");

/// Where an order stands.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
pub enum OrderState {
    /// Disconnected, rectification under way (已中断连接，整改中).
    Standing,
    /// The rectification is reported, waiting for verification; the unit
    /// is still disconnected (整改已报，待核验).
    Rectified,
    /// Lifted: access restored (已恢复连接).
    Lifted,
}

impl OrderState {
    /// Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            OrderState::Standing => "已中断连接，整改中",
            OrderState::Rectified => "整改已报，待核验",
            OrderState::Lifted => "已恢复连接",
        }
    }
}

crate::choices!(OrderState { Standing = "standing", Rectified = "rectified", Lifted = "lifted" });

/// What one step of an order did.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
pub enum StepKind {
    /// Issued (下达).
    Issued,
    /// The rectification reported (报送整改情况).
    Rectified,
    /// The deadline extended (延长整改期限).
    Extended,
    /// Lifted (恢复连接).
    Lifted,
}

impl StepKind {
    /// Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            StepKind::Issued => "下达中断连接、限期整改通知",
            StepKind::Rectified => "报送整改情况",
            StepKind::Extended => "延长整改期限",
            StepKind::Lifted => "核验通过，恢复连接",
        }
    }
}

/// One step of an order's history; never changed once written.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct OrderStep {
    /// What it did.
    pub kind: StepKind,
    /// When, Unix ms.
    pub at_ms: i64,
    /// Who (operator name or `unit:<id>`).
    pub by: String,
    /// What was said: the reason, the report, the remarks.
    pub note: String,
    /// The deadline it set (issue and extension).
    pub deadline: Option<Deadline>,
}

/// A disconnection and rectification order.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Order {
    /// Its id (the issuing node owns it).
    pub id: OrderId,
    /// The unit ordered disconnected.
    pub unit: UnitId,
    /// The unit's name when it was issued.
    pub unit_name: String,
    /// The security problem that affects the extranet.
    pub reason: String,
    /// Where it stands.
    pub state: OrderState,
    /// The deadline in force (the latest extension's).
    pub deadline: Deadline,
    /// Every step, oldest first; the first is the issue.
    pub history: Vec<OrderStep>,
    /// The written order (中断连接、限期整改通知书).
    pub order_notice: WrittenNotice,
    /// The written lifting notice (恢复连接通知), once lifted.
    pub lifting_notice: Option<WrittenNotice>,
    /// Changes made to it, from 1 (the copy with the highest wins up the tree).
    pub revision: u64,
}

impl Order {
    /// Whether the unit is disconnected by it (not yet lifted).
    pub fn is_standing(&self) -> bool {
        self.state != OrderState::Lifted
    }

    /// Whether its deadline passed on `today` without it being lifted.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.is_standing() && today > self.deadline.due
    }

    /// When it was issued, Unix ms.
    pub fn issued_at_ms(&self) -> i64 {
        self.history.first().map_or(0, |s| s.at_ms)
    }

    /// Who issued it.
    pub fn issued_by(&self) -> &str {
        self.history.first().map_or("", |s| s.by.as_str())
    }
}

#[cfg(test)]
mod tests;
