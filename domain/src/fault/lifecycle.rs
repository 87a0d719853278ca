//! What may be done to a ticket in each state ([`FaultTicket::act`]): the
//! provider responds and repairs, the unit confirms (with a satisfaction
//! score) or disputes, the operator corrects the class. Each step is
//! appended to the history and any breach it reveals is recorded in the
//! same change.

use extranet_ids::NodeId;

use super::{FaultClass, FaultState, FaultTicket, Policy, Step};
use crate::error::{DomainError, Result};

/// Something done to a ticket.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum FaultAction {
    /// The provider has responded (响应).
    Acknowledge,
    /// Repair has started (开始修复).
    StartRepair,
    /// The fault is repaired; the unit is asked to confirm (修复完成).
    MarkRepaired,
    /// The unit confirms the repair, optionally scoring it 1–5 (确认关闭).
    Close {
        /// Satisfaction 1–5, if given.
        satisfaction: Option<u8>,
    },
    /// The unit disputes the repair: the ticket reopens and its repair
    /// clock resumes (重新打开).
    Reopen {
        /// Why.
        reason: String,
    },
    /// The operator corrects the class: the repair target is recalculated
    /// and the change recorded; breaches already recorded stay.
    Reclassify {
        /// The new class.
        class: FaultClass,
        /// Why.
        reason: String,
    },
    /// A note on the ticket (e.g. waiting for the room to be opened); it
    /// stops no clock.
    Note {
        /// What.
        text: String,
    },
}

impl FaultTicket {
    /// Applies `action` at `at_ms` by `by` at `node`; refuses what the
    /// state does not allow, naming the state and the rule.
    pub fn act(&mut self, action: FaultAction, at_ms: i64, by: &str, node: &NodeId) -> Result<()> {
        use FaultState::*;
        let refuse = |what: &str, rule: &str| {
            DomainError::FailedPrecondition(format!("故障 {} 当前为“{}”，不能{what}：{rule}", self.id, self.state.zh()))
        };
        if at_ms < self.history.last().map_or(i64::MIN, |s| s.at_ms) {
            return Err(DomainError::invalid("at", "时间早于该故障的上一步，时钟不能倒退"));
        }
        let (state, note) = match action {
            FaultAction::Acknowledge => match self.state {
                Reported => (Acknowledged, String::new()),
                _ => return Err(refuse("响应", "只有已报告的故障需要响应")),
            },
            FaultAction::StartRepair => match self.state {
                Reported | Acknowledged => (Repairing, String::new()),
                _ => return Err(refuse("开始修复", "只有已报告或已响应的故障可以开始修复")),
            },
            FaultAction::MarkRepaired => match self.state {
                Reported | Acknowledged | Repairing => (Repaired, String::new()),
                _ => return Err(refuse("标记修复", "故障已修复或已关闭")),
            },
            FaultAction::Close { satisfaction } => match self.state {
                Repaired => {
                    if let Some(s) = satisfaction
                        && !(1..=5).contains(&s)
                    {
                        return Err(DomainError::invalid("satisfaction", "满意度评分须为 1 至 5"));
                    }
                    self.satisfaction = satisfaction;
                    (Closed, satisfaction.map_or(String::new(), |s| format!("满意度 {s}")))
                }
                _ => return Err(refuse("关闭", "须先修复，再由单位确认关闭")),
            },
            FaultAction::Reopen { reason } => match self.state {
                Repaired | Closed => (Repairing, format!("重新打开：{}", nonempty("reason", &reason)?)),
                _ => return Err(refuse("重新打开", "只有已修复或已关闭的故障可以重新打开")),
            },
            FaultAction::Reclassify { class, reason } => {
                if self.state == Closed {
                    return Err(refuse("更改类别", "已关闭的故障按报告时的类别评价，不再更改"));
                }
                let reason = nonempty("reason", &reason)?;
                let note =
                    format!("类别由“{}”改为“{}”，修复时限重新计算：{reason}", self.policy.class.zh(), class.zh());
                self.policy = Policy { class, ..Policy::art13(class) };
                (self.state, note)
            }
            FaultAction::Note { text } => (self.state, nonempty("text", &text)?),
        };
        self.history.push(Step { state, at_ms, by: by.to_string(), node: node.clone(), note });
        self.state = state;
        self.record_breaches(at_ms);
        self.revision += 1;
        Ok(())
    }
}

fn nonempty(field: &'static str, v: &str) -> Result<String> {
    let v = v.trim();
    if v.is_empty() { Err(DomainError::invalid(field, "不能为空")) } else { Ok(v.to_string()) }
}

/// What a report says, checked by [`FaultTicket::open`].
#[derive(Clone, PartialEq, Debug)]
pub struct FaultReport {
    /// The access unit whose link is down, if a unit's.
    pub unit: Option<crate::unit::UnitId>,
    /// The access point or link (接入点).
    pub access_point: String,
    /// What is down.
    pub description: String,
    /// Since when, Unix ms (not after the report).
    pub down_since_ms: i64,
    /// Whom to call.
    pub contact: crate::unit::Contact,
    /// The access point's fault class.
    pub class: FaultClass,
}

/// A report may say the fault began a little after the node's clock (the
/// reporter's clock may be ahead), not more.
const DOWN_SINCE_SKEW_MS: i64 = 5 * 60_000;

impl FaultTicket {
    /// Opens ticket `id` from `report` at `at_ms`, by `by` at `node`: both
    /// clocks start now, with Art.13's targets for the class snapshotted.
    pub fn open(id: super::FaultId, report: FaultReport, at_ms: i64, by: &str, node: &NodeId) -> Result<Self> {
        let access_point = nonempty("access_point", &report.access_point)?;
        let description = nonempty("description", &report.description)?;
        if report.down_since_ms > at_ms + DOWN_SINCE_SKEW_MS {
            return Err(DomainError::invalid("down_since", "故障开始时间不能晚于报告时间"));
        }
        nonempty("contact.name", &report.contact.name)?;
        nonempty("contact.phone", &report.contact.phone)?;
        let step =
            Step { state: FaultState::Reported, at_ms, by: by.to_string(), node: node.clone(), note: String::new() };
        Ok(FaultTicket {
            id,
            unit: report.unit,
            access_point,
            description,
            down_since_ms: report.down_since_ms,
            contact: report.contact,
            policy: Policy::art13(report.class),
            reported_at_ms: at_ms,
            state: FaultState::Reported,
            history: vec![step],
            breaches: Vec::new(),
            satisfaction: None,
            revision: 1,
            provider: None,
            maintainer: None,
        })
    }
}

impl FaultAction {
    /// Whether an access unit may take this step on its own ticket: confirm
    /// and score, dispute, or add a note. Responding, repairing and
    /// reclassifying are the operator's (who records the provider's steps).
    pub fn unit_may(&self) -> bool {
        matches!(self, FaultAction::Close { .. } | FaultAction::Reopen { .. } | FaultAction::Note { .. })
    }
}
