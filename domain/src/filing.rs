//! Filings (备案): cutover filings (割接备案, Art.21) and information-system
//! launch filings (信息系统上线备案, Art.23). A filing is owned by the node that
//! accepted it; every ancestor keeps a replica and answers with a receipt
//! (备案回执) that travels back to the origin.

use chrono::{DateTime, FixedOffset, NaiveDate};
use extranet_ids::NodeId;
use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use crate::calendar::{WorkCalendar, date_of};
use crate::error::{DomainError, Result};

/// Working days of notice the affected units must get before a cutover (Art.21).
pub const CUTOVER_NOTICE_WORKING_DAYS: u32 = 2;

/// Identifies a filing across the federation: the origin node and its number
/// there. Shown as `<division code>-<number>`, e.g. `540102-000001`, which is
/// unique because division codes are.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
pub struct FilingId {
    /// The node that accepted the filing.
    pub origin: NodeId,
    /// Its number at the origin, from 1.
    pub number: u64,
}

crate::numbered_id!(FilingId, origin, "-", "备案编号格式应为 “区划代码-序号”，例如 540102-000001");

/// A network upgrade or test cutover (网络升级或测试割接), Art.21.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Cutover {
    /// Access units affected (涉及的接入单位): since cutover notices, the ids
    /// of units registered at the filing node; older filings hold names as
    /// typed.
    pub affected_units: Vec<String>,
    /// The registered names of `affected_units`, in the same order, as the
    /// filing node knew them when it filed (empty in older filings).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub affected_names: Vec<String>,
    /// Start of the work window.
    pub window_start: DateTime<FixedOffset>,
    /// End of the work window.
    pub window_end: DateTime<FixedOffset>,
    /// Date the affected units were notified (Beijing time): since cutover
    /// notices, the day the filing node issued the notice (割接通知) by
    /// filing, never a date typed in.
    pub notified_on: NaiveDate,
    /// What is done and what may be interrupted.
    pub description: String,
    /// A major construction or adjustment (重大建设或调整事项).
    pub major_adjustment: bool,
    /// With `major_adjustment`: the number of the filing node's own
    /// application the region approved (its id is `<node>-S<number>`,
    /// Art.21); checked when the cutover is filed.
    #[serde(default)]
    pub major_approval: Option<u64>,
    /// Who the affected units call about the cutover (联系人及电话); empty
    /// in older filings.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub contact: String,
}

/// An information system as a launch or change filing describes it
/// (信息系统上线或变更), Art.23; its rules are in [`crate::launch`].
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Launch {
    /// Name of the system.
    pub system_name: String,
    /// Access unit that owns it: since launches are tied to address
    /// management, the id of a unit registered at the filing node (e.g.
    /// `u0001`); older filings hold the unit's name as typed.
    pub owning_unit: String,
    /// Launch date.
    pub launch_date: NaiveDate,
    /// Extranet addresses or prefixes it uses.
    pub addresses: Vec<IpNet>,
    /// Reference of the pre-launch security test (Art.26(4)).
    pub security_test_ref: String,
    /// The assignments of the filing node that hold `addresses`, resolved
    /// when it was filed (empty in filings from before the link, which
    /// are stored without the field, as they always were).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assignments: Vec<crate::ipam::AssignmentId>,
}

/// A change to a launched system (信息系统变更), Art.23: a filing of its
/// own kind, naming the launch filing it changes and what changes.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct SystemChange {
    /// Number of the launch filing at the same node that it changes.
    pub launch: u64,
    /// What changes (变更内容).
    pub what_changes: String,
    /// The system as it will be after the change.
    pub system: Launch,
}

/// What was filed.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum FilingDetails {
    /// A cutover filing.
    Cutover(Cutover),
    /// A system-launch filing.
    Launch(Launch),
    /// A system-change filing.
    Change(SystemChange),
    /// An annual work report (Art.10).
    AnnualReport(Box<crate::AnnualReport>),
    /// An approved maintenance interruption reported to the region (Art.24).
    Interruption(crate::interruption::InterruptionFiling),
    /// An annual evaluation of providers and O&M units (Art.27).
    Evaluation(crate::evaluation::Evaluation),
}

impl FilingDetails {
    /// Every [`FilingDetails::kind_code`], in the order of the variants.
    pub const KIND_CODES: [&'static str; 6] =
        ["cutover", "launch", "change", "annual_report", "interruption", "evaluation"];

    /// Stable code of the filing kind, for figures and scripts.
    pub fn kind_code(&self) -> &'static str {
        match self {
            FilingDetails::Cutover(_) => "cutover",
            FilingDetails::Launch(_) => "launch",
            FilingDetails::Change(_) => "change",
            FilingDetails::AnnualReport(_) => "annual_report",
            FilingDetails::Interruption(_) => "interruption",
            FilingDetails::Evaluation(_) => "evaluation",
        }
    }

    /// Short Chinese name of the filing kind, for tables.
    pub fn kind_zh(&self) -> &'static str {
        match self {
            FilingDetails::Cutover(_) => "割接备案",
            FilingDetails::Launch(_) => "上线备案",
            FilingDetails::Change(_) => "变更备案",
            FilingDetails::AnnualReport(_) => "年度工作报告",
            FilingDetails::Interruption(_) => "中断报备",
            FilingDetails::Evaluation(_) => "年度运行质量评估",
        }
    }
}

/// One level's receipt (备案回执).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Receipt {
    /// The node that recorded the filing.
    pub node: NodeId,
    /// When it made it durable, Unix ms.
    pub received_at_ms: i64,
}

/// A filing as recorded at one node (the origin's own, or a replica).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Filing {
    /// Identity of the filing.
    pub id: FilingId,
    /// When the origin made it durable, Unix ms.
    pub filed_at_ms: i64,
    /// Operator who filed it, from their certificate.
    pub filed_by: String,
    /// What was filed.
    pub details: FilingDetails,
    /// Receipts known at this node, in arrival order, one per level.
    pub receipts: Vec<Receipt>,
}

impl Filing {
    /// Whether every ancestor of the origin has answered with a receipt.
    pub fn fully_received(&self) -> bool {
        self.receipts.len() + 1 >= self.id.origin.depth()
    }

    /// Whether the filing concerns the unit with id `unit` registered at its
    /// origin: a launch or change of its system, or a cutover naming it as
    /// affected. What a unit's certificate may read.
    pub fn concerns_unit(&self, unit: &str) -> bool {
        match &self.details {
            FilingDetails::Launch(l) => l.owning_unit == unit,
            FilingDetails::Change(c) => c.system.owning_unit == unit,
            FilingDetails::Cutover(c) => c.affected_units.iter().any(|u| u == unit),
            _ => false,
        }
    }

    /// Stable code of the filing's state (待回执 / 已回执), for oversight.
    pub fn state_code(&self) -> &'static str {
        if self.fully_received() { "acknowledged" } else { "awaiting_receipts" }
    }

    /// Adds a receipt unless that level's receipt is already held; returns
    /// whether anything changed (receipts apply idempotently).
    pub fn add_receipt(&mut self, r: Receipt) -> bool {
        if self.receipts.iter().any(|x| x.node == r.node) {
            return false;
        }
        self.receipts.push(r);
        true
    }
}

/// The first day a cutover may start when the units were notified on
/// `notified_on`: two working days later (Art.21).
pub fn earliest_cutover_start(notified_on: NaiveDate, cal: &WorkCalendar) -> NaiveDate {
    cal.add_working_days(notified_on, CUTOVER_NOTICE_WORKING_DAYS)
}

/// A cutover's window must still lie ahead when it is filed: a window that
/// has begun cannot be notified two working days before it (Art.21).
pub fn check_window_ahead(c: &Cutover, now: DateTime<FixedOffset>) -> Result<()> {
    if c.window_start <= now {
        return Err(DomainError::FailedPrecondition(format!(
            "cutover.window_start：割接开始时间 {} 已过，不能补报；割接须提前 {CUTOVER_NOTICE_WORKING_DAYS} 个工作日通知涉及的接入单位（第二十一条）",
            c.window_start.with_timezone(&crate::calendar::beijing()).format("%Y-%m-%d %H:%M")
        )));
    }
    Ok(())
}

/// Checks a cutover against the regulation once its fields are well-formed:
/// the window must be ordered, the notice date not in the future, and the
/// notice at least two working days before the start (Art.21). Dates the
/// refusal names that lie past the published calendar are marked 暂定.
pub fn check_cutover(c: &Cutover, cal: &WorkCalendar, today: NaiveDate) -> Result<()> {
    if c.window_end <= c.window_start {
        return Err(DomainError::invalid("cutover.window_end", "割接结束时间必须晚于开始时间"));
    }
    if c.notified_on > today {
        return Err(DomainError::invalid(
            "cutover.notified_on",
            format!("通知日期 {} 不能晚于今天 {today}", c.notified_on),
        ));
    }
    let start = date_of(&c.window_start);
    let earliest_start = earliest_cutover_start(c.notified_on, cal);
    if start < earliest_start {
        let latest_notice = cal.sub_working_days(start, CUTOVER_NOTICE_WORKING_DAYS);
        let mark = if cal.covers(latest_notice.min(c.notified_on), earliest_start.max(start)) {
            ""
        } else {
            "（暂定：超出已发布的工作日历，只按周末推算）"
        };
        return Err(DomainError::FailedPrecondition(format!(
            "割接须提前 {CUTOVER_NOTICE_WORKING_DAYS} 个工作日通知涉及的接入单位（第二十一条）：\
             通知日期 {} 距开始日期 {start} 不足 {CUTOVER_NOTICE_WORKING_DAYS} 个工作日。\
             按此通知日期，割接最早可于 {earliest_start} 开始；若坚持 {start} 开始，须不晚于 {latest_notice} 通知{mark}",
            c.notified_on
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cutover(start: &str, notified: &str) -> Cutover {
        Cutover {
            affected_units: vec!["城关区人民政府办公室".into()],
            window_start: DateTime::parse_from_rfc3339(start).unwrap(),
            window_end: DateTime::parse_from_rfc3339(start).unwrap() + chrono::Duration::hours(2),
            notified_on: notified.parse().unwrap(),
            description: "核心交换机升级".into(),
            major_adjustment: false,
            major_approval: None,
            affected_names: vec![],
            contact: String::new(),
        }
    }

    #[test]
    fn a_window_that_has_begun_is_refused() {
        let c = cutover("2026-12-07T22:00:00+08:00", "2026-12-03");
        let before = DateTime::parse_from_rfc3339("2026-12-07T21:59:00+08:00").unwrap();
        assert!(check_window_ahead(&c, before).is_ok());
        let e = check_window_ahead(&c, c.window_start).unwrap_err();
        assert!(matches!(e, DomainError::FailedPrecondition(_)) && e.to_string().contains("已过"), "{e}");
    }

    #[test]
    fn two_working_days_notice() {
        let cal = WorkCalendar::weekends_only();
        let today: NaiveDate = "2026-12-10".parse().unwrap();
        // notified Thursday, start Monday: Fri + Mon = 2 working days
        assert!(check_cutover(&cutover("2026-12-07T22:00:00+08:00", "2026-12-03"), &cal, today).is_ok());
        // notified Friday, start Monday: only 1
        let e = check_cutover(&cutover("2026-12-07T22:00:00+08:00", "2026-12-04"), &cal, today).unwrap_err();
        let msg = e.to_string();
        assert!(matches!(e, DomainError::FailedPrecondition(_)));
        assert!(msg.contains("2026-12-08") && msg.contains("2026-12-03"), "{msg}");
    }

    #[test]
    fn start_time_is_read_in_beijing_time() {
        let cal = WorkCalendar::weekends_only();
        let today: NaiveDate = "2026-12-10".parse().unwrap();
        // 2026-12-06T17:00Z is Monday 01:00 in Beijing
        assert!(check_cutover(&cutover("2026-12-06T17:00:00Z", "2026-12-03"), &cal, today).is_ok());
    }

    #[test]
    fn a_refusal_past_the_published_calendar_is_marked_provisional() {
        let cal = crate::calendar::CalendarDocument::builtin().work_calendar();
        let today: NaiveDate = "2026-12-31".parse().unwrap();
        let e = check_cutover(&cutover("2027-01-01T22:00:00+08:00", "2026-12-31"), &cal, today).unwrap_err();
        assert!(e.to_string().contains("暂定"), "{e}");
        let e = check_cutover(&cutover("2026-12-07T22:00:00+08:00", "2026-12-04"), &cal, today).unwrap_err();
        assert!(!e.to_string().contains("暂定"), "{e}");
    }
}
