//! An application's lifecycle: what its owner may do to it in each state
//! ([`Application::act`]), and the deadlines each step starts or meets.

use chrono::NaiveDate;
use extranet_ids::NodeId;

use super::*;
use crate::calendar::WorkCalendar;
use crate::error::{DomainError, Result};

impl Application {
    /// Whether `node` owns (decides) this application.
    pub fn owned_by(&self, node: &NodeId) -> bool {
        &self.routing.competent == node
    }

    /// Applies an owner's `action` on `today` with calendar `cal`, by `by`
    /// at `node`; refuses a transition the lifecycle does not allow, naming
    /// the current state.
    pub fn act(
        &mut self,
        action: Action,
        cal: &WorkCalendar,
        today: NaiveDate,
        at_ms: i64,
        by: &str,
        node: &NodeId,
    ) -> Result<()> {
        use AppState::*;
        let refuse = |what: &str, rule: &str| {
            DomainError::FailedPrecondition(format!("申请 {} 当前为“{}”，不能{what}：{rule}", self.id, self.state.zh()))
        };
        let (state, note) = match &action {
            Action::Review => match self.state {
                Submitted => (UnderReview, String::new()),
                _ => return Err(refuse("开始审核", "只有已提交的申请可以开始审核")),
            },
            Action::Approve { plan } => match self.state {
                Submitted | UnderReview => (Approved, format!("接入方案：{plan}")),
                _ => return Err(refuse("批准", "只有已提交或审核中的申请可以批准")),
            },
            Action::Reject { reasons, .. } => match self.state {
                Submitted | UnderReview => (Rejected, format!("原因：{reasons}")),
                _ => return Err(refuse("驳回", "只有已提交或审核中的申请可以驳回")),
            },
            Action::StartImplementing => match self.state {
                Approved => (Implementing, String::new()),
                _ => return Err(refuse("开始实施", "未经批准不得实施（第十六条、第二十二条）")),
            },
            Action::Complete => match (self.state, self.kind) {
                (_, ApplicationKind::Withdrawal) => {
                    return Err(refuse("标记完成", "撤销申请须用 withdraw 办理撤销（第十七条）"));
                }
                (Implementing, _) => (Connected, String::new()),
                _ => return Err(refuse("标记实施完成", "须先批准并开始实施（第十六条、第二十二条）")),
            },
            Action::Withdraw { ledger } => match (self.state, self.kind) {
                (Approved | Implementing, ApplicationKind::Withdrawal) => (Withdrawn, format!("台账第 {ledger} 号")),
                (_, ApplicationKind::Withdrawal) => return Err(refuse("办理撤销", "撤销申请须先批准")),
                _ => return Err(refuse("办理撤销", "只有撤销申请可以办理撤销")),
            },
        };
        match action {
            Action::Approve { plan } => {
                self.deadlines.review.met_on = Some(today);
                self.deadlines.rejection_notice.met_on = Some(today);
                self.deadlines.implementation = Some(Deadline::new(cal, today, IMPLEMENTATION_WORKING_DAYS));
                self.access_plan = Some(plan);
            }
            Action::Reject { reasons, notice } => {
                self.deadlines.review.met_on = Some(today);
                self.deadlines.rejection_notice.met_on = Some(today);
                self.rejection = Some(Rejection { reasons, notice });
            }
            Action::Complete => {
                if let Some(i) = &mut self.deadlines.implementation {
                    i.met_on = Some(today);
                }
            }
            Action::Withdraw { ledger } => {
                if let Some(i) = &mut self.deadlines.implementation {
                    i.met_on = Some(today);
                }
                self.ledger_number = Some(ledger);
            }
            Action::Review | Action::StartImplementing => {}
        }
        self.state = state;
        self.revision += 1;
        self.history.push(Transition { state, at_ms, by: by.to_string(), node: node.clone(), note });
        Ok(())
    }

    /// Recomputes its provisional deadlines from `cal`, the calendar now in
    /// force: every read that shows or counts deadlines goes through this,
    /// so a read after the region publishes a year gives the final dates.
    pub fn refresh_deadlines(&mut self, cal: &WorkCalendar) -> bool {
        self.deadlines.refresh(cal)
    }

    /// The open deadlines that are past due on `today`, with working days late.
    pub fn overdue(&self, cal: &WorkCalendar, today: NaiveDate) -> Vec<(&'static str, &Deadline, i64)> {
        self.deadlines.overdue(self.state, cal, today)
    }

    /// What the owner's ancestors keep of it, for oversight.
    pub fn summary(&self) -> DeadlineSummary {
        DeadlineSummary {
            id: self.id.key(),
            owner: self.routing.competent.clone(),
            state: self.state,
            revision: self.revision,
            deadlines: self.deadlines.clone(),
            kind: Some(self.kind),
        }
    }

    /// The earliest open deadline, for sorting by due date.
    pub fn next_due(&self) -> Option<NaiveDate> {
        if self.state.is_final() {
            return None;
        }
        self.deadlines.open().iter().map(|(_, d)| d.due).min()
    }
}
