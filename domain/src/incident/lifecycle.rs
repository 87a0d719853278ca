//! What may be done to an incident ([`Incident::act`]): the first report to
//! each department recorded once, the authority's decision whether to
//! report it up, and closing it once handled. Refusals name the field or
//! the rule.

use super::{Channel, Department, DepartmentReport, Incident, IncidentId, IncidentStep, StepKind, UpDecision};
use crate::calendar::format_ms;
use crate::error::{DomainError, Result};
use crate::limits;
use crate::unit::{Contact, UnitId};

/// A time may lie this far ahead of the node's clock (the reporter's clock
/// may run ahead), not further.
pub const CLOCK_SKEW_MS: i64 = 5 * 60_000;

/// What is reported, checked by [`Incident::report`].
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
pub struct IncidentRequest {
    /// The unit it happened at, if a unit's (else the node's own network).
    pub unit: Option<UnitId>,
    /// A short name (事件名称).
    pub title: String,
    /// What happened (事件经过).
    pub description: String,
    /// When it happened (or was found), Unix ms.
    pub occurred_at_ms: i64,
    /// Its impact: what and who is affected (影响范围).
    pub impact: String,
    /// The measures taken so far (已采取措施).
    pub measures: String,
    /// Whether it is a major incident (重大网络安全事件).
    pub major: bool,
    /// Whom to call about it.
    pub contact: Contact,
}

/// The first report to one department, as recorded.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct DepartmentReportRequest {
    /// The department told.
    pub department: Department,
    /// When, Unix ms.
    pub at_ms: i64,
    /// How.
    pub channel: Channel,
    /// Who told it.
    pub reporter: String,
    /// Whom there, a reference, remarks (may be empty).
    pub note: String,
}

/// Something done to an incident.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum IncidentAction {
    /// Records the first report to a department (记录向部门报告).
    Department(DepartmentReportRequest),
    /// The authority decides whether to report it up (研判是否上报).
    Decide {
        /// Report it to the level above.
        report_up: bool,
        /// Why (required when not reporting up).
        note: String,
    },
    /// Closes it, handled (处置完毕).
    Close {
        /// How it was handled (required).
        note: String,
    },
}

impl IncidentAction {
    /// Whether the reporting unit may take this step on its own incident:
    /// record the departments it told. Deciding and closing are its authority's.
    pub fn unit_may(&self) -> bool {
        matches!(self, IncidentAction::Department(_))
    }
}

fn not_ahead(field: &'static str, at_ms: i64, now_ms: i64) -> Result<()> {
    if at_ms <= 0 {
        return Err(DomainError::invalid(field, "必须填写时间"));
    }
    if at_ms > now_ms + CLOCK_SKEW_MS {
        return Err(DomainError::invalid(field, format!("{} 晚于当前时间，不能预报", format_ms(at_ms))));
    }
    Ok(())
}

impl Incident {
    /// Opens incident `id` from `req` at `at_ms` by `by`: every text
    /// required, the time of the incident not ahead of the clock.
    pub fn report(id: IncidentId, req: IncidentRequest, at_ms: i64, by: &str) -> Result<Self> {
        let report = IncidentRequest {
            title: limits::required_text("title", &req.title)?,
            description: limits::required_text("description", &req.description)?,
            impact: limits::required_text("impact", &req.impact)?,
            measures: limits::required_text("measures", &req.measures)?,
            contact: Contact {
                name: limits::required_text("contact.name", &req.contact.name)?,
                phone: limits::required_text("contact.phone", &req.contact.phone)?,
            },
            ..req
        };
        not_ahead("occurred_at", report.occurred_at_ms, at_ms)?;
        let step = IncidentStep { kind: StepKind::Reported, at_ms, by: by.to_string(), note: String::new() };
        Ok(Incident {
            id,
            report,
            departments: Vec::new(),
            decision: UpDecision::Undecided,
            closed: false,
            history: vec![step],
            revision: 1,
        })
    }

    /// Applies `action` at `at_ms` by `by`; refuses what its state does not allow.
    pub fn act(&mut self, action: IncidentAction, at_ms: i64, by: &str) -> Result<()> {
        if self.closed {
            return Err(self.refuse("已处置完毕，不能再办理"));
        }
        let (kind, note) = match action {
            IncidentAction::Department(r) => (StepKind::Department, self.record_department(r, at_ms, by)?),
            IncidentAction::Decide { report_up, note } => self.decide(report_up, &note)?,
            IncidentAction::Close { note } => {
                if self.decision == UpDecision::Undecided {
                    return Err(self.refuse(
                        "尚未研判是否上报上级：各主管部门根据职责指导处置并分析研判后决定是否上报（第二十六条第（一）项），请先作出决定",
                    ));
                }
                self.closed = true;
                (StepKind::Closed, limits::required_text("note", &note)?)
            }
        };
        self.history.push(IncidentStep { kind, at_ms, by: by.to_string(), note });
        self.revision += 1;
        Ok(())
    }

    fn record_department(&mut self, r: DepartmentReportRequest, at_ms: i64, by: &str) -> Result<String> {
        if let Some(held) = self.departments.iter().find(|d| d.department == r.department) {
            return Err(DomainError::FailedPrecondition(format!(
                "安全事件 {} 已记录于 {} 向{}部门的首次报告，不能重复记录",
                self.id,
                format_ms(held.at_ms),
                r.department.zh()
            )));
        }
        not_ahead("department.at", r.at_ms, at_ms)?;
        if r.at_ms < self.report.occurred_at_ms {
            return Err(DomainError::invalid("department.at", "报告时间不能早于事件发生时间"));
        }
        let reporter = limits::required_text("department.reporter", &r.reporter)?;
        let note = limits::optional_text("department.note", &r.note)?;
        let line = format!("{}（{}，{}）", r.department.zh(), r.channel.zh(), format_ms(r.at_ms));
        self.departments.push(DepartmentReport {
            department: r.department,
            at_ms: r.at_ms,
            channel: r.channel,
            reporter,
            note,
            recorded_by: by.to_string(),
            recorded_at_ms: at_ms,
        });
        Ok(line)
    }

    fn decide(&mut self, report_up: bool, note: &str) -> Result<(StepKind, String)> {
        match (self.decision, report_up) {
            (UpDecision::ReportedUp, _) => Err(self.refuse("已上报上级，不能再改变决定")),
            (UpDecision::Kept, false) => Err(self.refuse("已决定本级处置，如需上报请选择上报")),
            (_, true) => {
                self.decision = UpDecision::ReportedUp;
                Ok((StepKind::ReportedUp, limits::optional_text("note", note)?))
            }
            (_, false) => {
                let note = limits::required_text("note", note)?;
                self.decision = UpDecision::Kept;
                Ok((StepKind::Kept, note))
            }
        }
    }

    fn refuse(&self, rule: &str) -> DomainError {
        DomainError::FailedPrecondition(format!("安全事件 {}（{}）{rule}", self.id, self.decision.zh()))
    }
}
