//! Access applications (接入申请, Art.16): new access, change, withdrawal
//! (Art.17) and resource changes (Art.22), their lifecycle, and their
//! deadlines in working days.
//!
//! An application is lodged at one node (its id says where) and decided by
//! the competent authority Art.15 names (`routing.competent`), its owner:
//! only the owner moves it through its lifecycle. When the two differ the
//! application travels to the owner as a message, and every change the owner
//! makes travels back the same way, so the applicant always sees the owner's
//! record.

use chrono::NaiveDate;
use extranet_ids::NodeId;
use serde::{Deserialize, Serialize};

use super::notice::WrittenNotice;
use super::routing::{AccessSpan, RoutingDecision};
use super::unit::AccessUnit;
use crate::calendar::{LocalStamp, WorkCalendar};
use crate::choices;
use crate::error::{DomainError, Result};

mod lifecycle;

/// Working days the authority has to review an application (Art.16).
pub const REVIEW_WORKING_DAYS: u32 = 10;
/// Working days to implement an approved access (Art.16).
pub const IMPLEMENTATION_WORKING_DAYS: u32 = 30;
/// Working days to send the written reasons of a rejection (Art.16).
pub const REJECTION_NOTICE_WORKING_DAYS: u32 = 10;

/// Identifies an application across the federation: the node it was lodged
/// at and its number there, shown as `540102-A000001`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
pub struct ApplicationId {
    /// The node it was lodged at.
    pub origin: NodeId,
    /// Its number there, from 1.
    pub number: u64,
}

crate::numbered_id!(ApplicationId, origin, "-A", "申请编号格式应为 “区划代码-A序号”，例如 540102-A000001");

/// What is applied for.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum ApplicationKind {
    /// New access (接入申请).
    New,
    /// Change of access (变更申请).
    Change,
    /// Withdrawal of access (撤销申请, Art.17).
    Withdrawal,
    /// Change of network resources, or installing/upgrading equipment that
    /// may affect the extranet (Art.22): implemented only once approved.
    ResourceChange,
}

impl ApplicationKind {
    /// Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            ApplicationKind::New => "接入申请",
            ApplicationKind::Change => "变更申请",
            ApplicationKind::Withdrawal => "撤销申请",
            ApplicationKind::ResourceChange => "网络资源变更申请",
        }
    }
}

choices!(ApplicationKind { New = "new", Change = "change", Withdrawal = "withdrawal", ResourceChange = "resource-change" });

/// Where an application stands.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
pub enum AppState {
    /// Lodged, not yet taken up (已提交).
    Submitted,
    /// Being reviewed (审核中).
    UnderReview,
    /// Approved; the access plan is agreed (已批准).
    Approved,
    /// Being implemented (实施中).
    Implementing,
    /// Done: connected, changed or resources adjusted (已接入/已实施).
    Connected,
    /// The unit's access withdrawn (已撤销, Art.17).
    Withdrawn,
    /// Rejected with written reasons (未通过).
    Rejected,
}

impl AppState {
    /// Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            AppState::Submitted => "已提交",
            AppState::UnderReview => "审核中",
            AppState::Approved => "已批准",
            AppState::Implementing => "实施中",
            AppState::Connected => "已完成",
            AppState::Withdrawn => "已撤销",
            AppState::Rejected => "未通过",
        }
    }

    /// Whether nothing further can happen.
    pub fn is_final(self) -> bool {
        matches!(self, AppState::Connected | AppState::Withdrawn | AppState::Rejected)
    }
}

choices!(AppState {
    Submitted = "submitted",
    UnderReview = "under-review",
    Approved = "approved",
    Implementing = "implementing",
    Connected = "connected",
    Withdrawn = "withdrawn",
    Rejected = "rejected",
});

/// What an Art.22 resource change is about.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum ResourceSubject {
    /// The unit's network resource needs change (网络资源需求变更).
    NetworkResources,
    /// Installing, commissioning or upgrading equipment or the unit's own
    /// network in a way that may affect the extranet (安装、调试设备、升级网络).
    Equipment,
}

impl ResourceSubject {
    /// Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            ResourceSubject::NetworkResources => "网络资源需求变更",
            ResourceSubject::Equipment => "安装、调试设备或升级网络",
        }
    }
}

choices!(ResourceSubject { NetworkResources = "network", Equipment = "equipment" });

/// The application form (Art.16).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ApplicationForm {
    /// 接入依据, or 变更原因 for a change, withdrawal or resource change.
    pub basis: String,
    /// 接入范围.
    pub scope: String,
    /// 接入位置.
    pub location: String,
    /// 带宽资源, Mbit/s (0 when not applicable: withdrawal).
    pub bandwidth_mbps: u32,
    /// 技术要求.
    pub technical_requirements: String,
    /// 安全措施.
    pub security_measures: String,
    /// The Art.8 declaration: no classified information will be stored,
    /// processed or transmitted (不存储、处理、传输国家秘密).
    pub declares_no_classified_information: bool,
    /// How far the access reaches (Art.15).
    pub span: AccessSpan,
    /// For a resource change: what it is about.
    pub resource_subject: Option<ResourceSubject>,
    /// For a resource change: the unified devices it moves, repurposes,
    /// modifies or switches off (Art.18), by id (`540102-E000001`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub devices: Vec<String>,
}

impl ApplicationForm {
    /// Checks the rules of the form for `kind` once fields are well-formed:
    /// the Art.8 declaration is required of every application; new access
    /// and changes state a bandwidth; a resource change says what it is about.
    pub fn check(&self, kind: ApplicationKind) -> Result<()> {
        if !self.declares_no_classified_information {
            return Err(DomainError::invalid(
                "application.declares_no_classified_information",
                "须声明不在政务外网存储、处理、传输国家秘密（第八条），未声明的申请不予受理",
            ));
        }
        if matches!(kind, ApplicationKind::New | ApplicationKind::Change) && self.bandwidth_mbps == 0 {
            return Err(DomainError::invalid("application.bandwidth_mbps", "须填写所需带宽（Mbit/s，大于 0）"));
        }
        if kind == ApplicationKind::ResourceChange && self.resource_subject.is_none() {
            return Err(DomainError::invalid(
                "application.resource_subject",
                "网络资源变更申请须说明是资源需求变更还是安装、调试、升级设备（第二十二条）",
            ));
        }
        Ok(())
    }
}

/// One deadline, with the calendar versions it was computed from (the
/// region's and, in a prefecture's subtree, its local calendar's). A due
/// date that reaches into a year the calendar does not list is counted on
/// weekends only and marked provisional (暂定); a newer calendar recomputes
/// it from where its clock started by the correction policy
/// (`calendar/correction.rs`, [`Deadline::refresh`]).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Deadline {
    /// The due date (inclusive: on time if met on or before it).
    pub due: NaiveDate,
    /// Version of the working-day calendar used.
    pub calendar_version: u64,
    /// When it was met, if it was.
    pub met_on: Option<NaiveDate>,
    /// The date its clock started (absent in records written before
    /// deadlines could be provisional: those are never recomputed).
    #[serde(default)]
    pub from: Option<NaiveDate>,
    /// The working days it allows after `from`.
    #[serde(default)]
    pub working_days: u32,
    /// Computed past the end of the published calendar (暂定).
    #[serde(default)]
    pub provisional: bool,
    /// The local calendar (地方性假日) it was computed with, if any.
    #[serde(default)]
    pub local: Option<LocalStamp>,
    /// A local day (off or worked) falls between its start and due date:
    /// the prefecture's calendar moved it.
    #[serde(default)]
    pub local_affected: bool,
}

impl Deadline {
    /// The deadline `days` working days after `from` on `cal`, stamped with
    /// `cal`'s version (provisional past the years it lists).
    pub fn new(cal: &WorkCalendar, from: NaiveDate, days: u32) -> Self {
        let due = cal.add_working_days(from, days);
        Deadline {
            due,
            calendar_version: cal.version(),
            met_on: None,
            from: Some(from),
            working_days: days,
            provisional: !cal.covers(from, due),
            local: cal.local().cloned(),
            local_affected: cal.local_day_between(from, due),
        }
    }

    /// Recomputes it from `cal` when the correction policy says so (not
    /// met; provisional, or still running when the first newer version was
    /// published: [`WorkCalendar::recomputes`]); returns whether it did.
    pub fn refresh(&mut self, cal: &WorkCalendar) -> bool {
        let (met, provisional) = (self.met_on.is_some(), self.provisional);
        let recompute = cal.recomputes(self.calendar_version, self.local.as_ref(), self.due, met, provisional);
        let Some(from) = self.from.filter(|_| recompute) else {
            return false;
        };
        let met_on = self.met_on;
        *self = Deadline { met_on, ..Deadline::new(cal, from, self.working_days) };
        true
    }

    /// Working days late as of `today` (0 if met or not yet due).
    pub fn late_by(&self, cal: &WorkCalendar, today: NaiveDate) -> i64 {
        if self.met_on.is_some() || today <= self.due { 0 } else { cal.working_days_between(self.due, today).max(1) }
    }
}

/// The Art.16 deadlines of one application.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Deadlines {
    /// Review: 10 working days after submission.
    pub review: Deadline,
    /// Written notice of a rejection: 10 working days after submission; met
    /// by the rejection (which issues the notice) or moot once approved.
    pub rejection_notice: Deadline,
    /// Implementation: 30 working days after approval.
    pub implementation: Option<Deadline>,
}

impl Deadlines {
    /// The deadlines of an application submitted on `submitted_on`.
    pub fn at_submission(cal: &WorkCalendar, submitted_on: NaiveDate) -> Self {
        Deadlines {
            review: Deadline::new(cal, submitted_on, REVIEW_WORKING_DAYS),
            rejection_notice: Deadline::new(cal, submitted_on, REJECTION_NOTICE_WORKING_DAYS),
            implementation: None,
        }
    }

    /// Recomputes every provisional deadline from `cal` (see
    /// [`Deadline::refresh`]); returns whether any changed.
    pub fn refresh(&mut self, cal: &WorkCalendar) -> bool {
        let a = self.review.refresh(cal);
        let b = self.rejection_notice.refresh(cal);
        let c = self.implementation.as_mut().is_some_and(|i| i.refresh(cal));
        a || b || c
    }

    /// Every deadline, by name, met or not.
    pub fn all(&self) -> Vec<(&'static str, &Deadline)> {
        let mut out = vec![("审核", &self.review), ("书面告知", &self.rejection_notice)];
        if let Some(i) = &self.implementation {
            out.push(("实施", i));
        }
        out
    }

    /// The open deadlines past due on `today` of an application in `state`,
    /// with working days late (none once the application is finished).
    pub fn overdue(
        &self,
        state: AppState,
        cal: &WorkCalendar,
        today: NaiveDate,
    ) -> Vec<(&'static str, &Deadline, i64)> {
        if state.is_final() {
            return Vec::new();
        }
        self.open()
            .into_iter()
            .map(|(name, d)| (name, d, d.late_by(cal, today)))
            .filter(|(_, _, late)| *late > 0)
            .collect()
    }

    /// The open deadlines, by name.
    pub fn open(&self) -> Vec<(&'static str, &Deadline)> {
        let mut out = self.all();
        out.retain(|(_, d)| d.met_on.is_none());
        out
    }
}

/// One step of an application's history.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Transition {
    /// The state entered.
    pub state: AppState,
    /// When, Unix ms.
    pub at_ms: i64,
    /// Who (operator, unit, or the node for a forwarding).
    pub by: String,
    /// Where.
    pub node: NodeId,
    /// A note (the plan, the reasons, where it was forwarded).
    pub note: String,
}

/// A rejection, with its written notice (书面告知).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Rejection {
    /// The reasons.
    pub reasons: String,
    /// The notice issued with it.
    pub notice: WrittenNotice,
}

/// An access application as held at one node.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Application {
    /// Identity (the lodging node and number).
    pub id: ApplicationId,
    /// What is applied for.
    pub kind: ApplicationKind,
    /// The applicant, as registered where it lodged.
    pub unit: AccessUnit,
    /// The form.
    pub form: ApplicationForm,
    /// Date of submission (Beijing time): every Art.16 clock starts here.
    pub submitted_on: NaiveDate,
    /// Who submitted it (the unit, or an operator on its behalf).
    pub submitted_by: String,
    /// The competent authority (Art.15): the record's owner.
    pub routing: RoutingDecision,
    /// Where it stands.
    pub state: AppState,
    /// The owner's change counter: a node keeps the highest revision it saw.
    pub revision: u64,
    /// The access plan (接入方案) agreed on approval.
    pub access_plan: Option<String>,
    /// The rejection, if rejected.
    pub rejection: Option<Rejection>,
    /// Deadlines.
    pub deadlines: Deadlines,
    /// Ledger entry of a completed withdrawal, at the owner.
    pub ledger_number: Option<u64>,
    /// Every step, oldest first.
    pub history: Vec<Transition>,
}

/// The deadlines of an application decided below a node: what an ancestor
/// keeps to see overdue counts for its subtree (the record itself stays
/// with its owner and the lodging node).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct DeadlineSummary {
    /// Application key.
    pub id: String,
    /// The deciding node.
    pub owner: NodeId,
    /// Where it stands.
    pub state: AppState,
    /// The owner's change counter.
    pub revision: u64,
    /// Its deadlines.
    pub deadlines: Deadlines,
    /// Its kind (`None` in a summary from before kinds travelled with it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<ApplicationKind>,
}

/// What an owner does to an application.
#[derive(Clone, Debug)]
pub enum Action {
    /// Take it up for review.
    Review,
    /// Approve, with the agreed access plan (接入方案).
    Approve {
        /// The plan.
        plan: String,
    },
    /// Reject, with reasons; the notice is issued with it.
    Reject {
        /// The reasons.
        reasons: String,
        /// The notice.
        notice: WrittenNotice,
    },
    /// Start implementing (Art.22: never before approval).
    StartImplementing,
    /// Implementation finished: connected, changed, resources adjusted.
    Complete,
    /// A withdrawal carried out (Art.17), recorded in ledger entry `ledger`.
    Withdraw {
        /// The ledger entry.
        ledger: u64,
    },
}

#[cfg(test)]
mod tests;
