//! What may be done to an interruption in each state
//! ([`Interruption::act`]): its level approves or rejects it, the
//! requester withdraws it, the crew starts it inside the approved window
//! and finishes it. Refusals name the state and the rule.

use super::{
    Affects, Interruption, InterruptionId, InterruptionState, InterruptionStep, MAX_WINDOW_MS, START_EARLY_MS,
    WINDOW_SKEW_MS,
};
use crate::calendar::format_ms;
use crate::error::{DomainError, Result};
use crate::limits;
use crate::unit::{Contact, UnitId};

/// What is asked for — who, what, why, when — checked by
/// [`Interruption::request`]; the approval reports it up as it stands.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
pub struct Plan {
    /// The unit doing the work, if a unit's.
    pub unit: Option<UnitId>,
    /// Network or an important system.
    pub affects: Affects,
    /// What exactly is interrupted.
    pub affected: String,
    /// Why.
    pub reason: String,
    /// Window start, Unix ms.
    pub window_start_ms: i64,
    /// Window end, Unix ms.
    pub window_end_ms: i64,
    /// Whom to call during the work.
    pub contact: Contact,
}

/// Something done to an interruption.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum InterruptionAction {
    /// Its level approves it (批准); the approval is then reported up.
    Approve {
        /// Conditions or remarks (may be empty).
        note: String,
    },
    /// Its level refuses it (驳回).
    Reject {
        /// Why (required).
        reason: String,
    },
    /// The requester withdraws it before it starts (撤回).
    Withdraw {
        /// Why (required).
        reason: String,
    },
    /// The work starts: the interruption begins (开始实施).
    Start,
    /// The work is done and service restored (结束).
    Finish {
        /// What was done (may be empty).
        note: String,
    },
}

impl InterruptionAction {
    /// Whether the requesting unit may take this step on its own
    /// interruption: withdraw, start, finish. Deciding is its level's.
    pub fn unit_may(&self) -> bool {
        !matches!(self, InterruptionAction::Approve { .. } | InterruptionAction::Reject { .. })
    }
}

impl Interruption {
    /// Opens interruption `id` from `req` at `at_ms` by `by`: the window
    /// must be ordered, at most [`MAX_WINDOW_MS`] long and not already
    /// begun.
    pub fn request(id: InterruptionId, req: Plan, at_ms: i64, by: &str) -> Result<Self> {
        let affected = limits::required_text("affected", &req.affected)?;
        let reason = limits::required_text("reason", &req.reason)?;
        limits::required_text("contact.name", &req.contact.name)?;
        limits::required_text("contact.phone", &req.contact.phone)?;
        if req.window_end_ms <= req.window_start_ms {
            return Err(DomainError::invalid("window_end", "结束时间必须晚于开始时间"));
        }
        if req.window_end_ms - req.window_start_ms > MAX_WINDOW_MS {
            return Err(DomainError::invalid("window_end", "一次中断的窗口不能超过 7 天，请分次申请"));
        }
        if req.window_start_ms < at_ms - WINDOW_SKEW_MS {
            return Err(DomainError::FailedPrecondition(format!(
                "中断须事先经本级政务外网主管部门批准（第二十四条）：窗口开始时间 {} 已过，不能事后申请",
                format_ms(req.window_start_ms)
            )));
        }
        let step =
            InterruptionStep { state: InterruptionState::Requested, at_ms, by: by.to_string(), note: String::new() };
        Ok(Interruption {
            id,
            plan: Plan { affected, reason, ..req },
            state: InterruptionState::Requested,
            history: vec![step],
            filing: None,
            revision: 1,
        })
    }

    /// Applies `action` at `at_ms` by `by`; refuses what the state or the
    /// window does not allow.
    pub fn act(&mut self, action: InterruptionAction, at_ms: i64, by: &str) -> Result<()> {
        use InterruptionState::*;
        if at_ms < self.history.last().map_or(i64::MIN, |s| s.at_ms) {
            return Err(DomainError::invalid("at", "时间早于上一步，时钟不能倒退"));
        }
        let (state, note) = match action {
            InterruptionAction::Approve { note } => {
                self.expect(&[Requested], "批准", "只有待审批的申请可以批准")?;
                if at_ms >= self.plan.window_end_ms {
                    return Err(self.refuse("批准", "申请的窗口已经结束，请重新申请"));
                }
                (Approved, limits::optional_text("note", note.trim())?)
            }
            InterruptionAction::Reject { reason } => {
                self.expect(&[Requested], "驳回", "只有待审批的申请可以驳回")?;
                (Rejected, limits::required_text("reason", &reason)?)
            }
            InterruptionAction::Withdraw { reason } => {
                self.expect(&[Requested, Approved], "撤回", "已开始实施或已办结的不能撤回")?;
                (Withdrawn, limits::required_text("reason", &reason)?)
            }
            InterruptionAction::Start => {
                if self.state == Requested {
                    return Err(DomainError::FailedPrecondition(format!(
                        "中断 {} 尚未获批，不能实施：因维护作业中断网络和重要业务系统，须经本级政务外网主管部门批准后实施（第二十四条）",
                        self.id
                    )));
                }
                self.expect(&[Approved], "开始实施", "只有已批准的中断可以开始实施")?;
                self.check_window(at_ms)?;
                (UnderWay, String::new())
            }
            InterruptionAction::Finish { note } => {
                self.expect(&[UnderWay], "结束", "只有实施中的中断可以结束")?;
                (Finished, limits::optional_text("note", note.trim())?)
            }
        };
        self.history.push(InterruptionStep { state, at_ms, by: by.to_string(), note });
        self.state = state;
        self.revision += 1;
        Ok(())
    }

    fn refuse(&self, what: &str, rule: &str) -> DomainError {
        DomainError::FailedPrecondition(format!("中断 {} 当前为“{}”，不能{what}：{rule}", self.id, self.state.zh()))
    }

    fn expect(&self, states: &[InterruptionState], what: &str, rule: &str) -> Result<()> {
        if states.contains(&self.state) { Ok(()) } else { Err(self.refuse(what, rule)) }
    }

    /// Work may start from [`START_EARLY_MS`] before the approved window
    /// until its end; outside it the approval does not cover the work.
    fn check_window(&self, at_ms: i64) -> Result<()> {
        if at_ms < self.plan.window_start_ms - START_EARLY_MS {
            return Err(DomainError::FailedPrecondition(format!(
                "中断 {} 批准的窗口自 {} 开始，最早可提前 15 分钟开始实施",
                self.id,
                format_ms(self.plan.window_start_ms)
            )));
        }
        if at_ms > self.plan.window_end_ms {
            return Err(DomainError::FailedPrecondition(format!(
                "中断 {} 批准的窗口已于 {} 结束，不能再开始实施，请重新申请",
                self.id,
                format_ms(self.plan.window_end_ms)
            )));
        }
        Ok(())
    }
}
