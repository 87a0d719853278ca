//! Approval of a major construction or adjustment (重大建设或调整事项审批,
//! Art.21): a node that plans one applies; the application goes up level by
//! level to the region; each level approves (passing it up) or rejects with
//! reasons (ending it, with a written notice back to the applicant); only
//! once the region has approved may the work start — a cutover filed as a
//! major adjustment must name an approved application.
//!
//! The application is owned by the node that applied; each level's
//! decision is owned by that level and travels as its own event, so nothing
//! a lower node sends can stand for a higher one's decision (the applier
//! takes a decision only from an event whose origin is the deciding level).
//! Every holder assembles the same view from the decisions it has, in any
//! order of arrival: the stage is found by walking the path from the
//! nearest level up ([`MajorAdjustment::stage`]).

use chrono::NaiveDate;
use extranet_ids::NodeId;
use serde::{Deserialize, Serialize};

use crate::choices;
use crate::error::{DomainError, Result};
use crate::limits;
use crate::notice::WrittenNotice;
use crate::unit::Contact;

#[cfg(test)]
mod tests;

/// Identifies an application: the node that applied and its number there,
/// shown as `540102-S000001`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
pub struct ApprovalId {
    /// The node that applied (the owner).
    pub origin: NodeId,
    /// Its number there, from 1.
    pub number: u64,
}

crate::numbered_id!(ApprovalId, origin, "-S", "审批申请编号格式应为 “区划代码-S序号”，例如 540102-S000001");

/// What is planned, as the applicant describes it.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Proposal {
    /// A short title, e.g. 县级核心节点设备更换.
    pub title: String,
    /// What will be built or changed, and why.
    pub description: String,
    /// What it affects (links, units, systems).
    pub scope: String,
    /// When the work is planned to start.
    pub planned_start: NaiveDate,
    /// Whom to ask about it.
    pub contact: Contact,
}

/// A level's verdict.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
pub enum Verdict {
    /// Approved (同意): passed up, or at the region, granted.
    Approved,
    /// Rejected (不同意): the application ends here.
    Rejected,
}

impl Verdict {
    /// Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            Verdict::Approved => "同意",
            Verdict::Rejected => "不同意",
        }
    }
}

choices!(Verdict { Approved = "approve", Rejected = "reject" });

/// One level's decision; owned by that level.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Decision {
    /// The deciding level (its node).
    pub level: NodeId,
    /// Its verdict.
    pub verdict: Verdict,
    /// The operator who decided.
    pub by: String,
    /// When, Unix ms.
    pub at_ms: i64,
    /// The reasons (required for a rejection) or remarks.
    pub reason: String,
    /// The written notice it issued (审批意见书).
    pub notice: WrittenNotice,
}

/// Where an application stands.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Stage {
    /// Waiting for `level`'s decision.
    Pending(NodeId),
    /// Approved by every level up to the region: the work may start.
    Approved,
    /// Rejected by `level`: ended.
    Rejected(NodeId),
}

impl Stage {
    /// Chinese name, e.g. 待 540100 审批.
    pub fn zh(&self) -> String {
        match self {
            Stage::Pending(l) => format!("待 {} 审批", l.code()),
            Stage::Approved => "已获自治区级批准".into(),
            Stage::Rejected(l) => format!("已被 {} 驳回", l.code()),
        }
    }

    /// A stable code for scripts and figures.
    pub fn code(&self) -> &'static str {
        match self {
            Stage::Pending(_) => "pending",
            Stage::Approved => "approved",
            Stage::Rejected(_) => "rejected",
        }
    }
}

/// How long one level of the path has had an application.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Wait {
    /// The level.
    pub level: NodeId,
    /// When it reached that level (the application, or the level below's
    /// approval), Unix ms.
    pub since_ms: i64,
    /// When that level decided, if it has.
    pub decided_ms: Option<i64>,
}

/// An application for a major construction or adjustment.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct MajorAdjustment {
    /// Its id (the applying node owns it).
    pub id: ApprovalId,
    /// What is planned.
    pub proposal: Proposal,
    /// When it was applied for, Unix ms.
    pub applied_at_ms: i64,
    /// The operator who applied.
    pub applied_by: String,
    /// The decisions held here, at most one per level, in arrival order.
    pub decisions: Vec<Decision>,
}

impl MajorAdjustment {
    /// Opens application `id` for `p` at `at_ms` by `by`; the region, with
    /// no level above it, does not apply.
    pub fn apply(id: ApprovalId, p: Proposal, at_ms: i64, by: &str, today: NaiveDate) -> Result<Self> {
        if id.origin.depth() <= 1 {
            return Err(DomainError::FailedPrecondition(
                "自治区级主管部门没有上级审批机关，重大建设或调整事项无需向上申请".into(),
            ));
        }
        let proposal = Proposal {
            title: limits::required_text("title", &p.title)?,
            description: limits::required_text("description", &p.description)?,
            scope: limits::required_text("scope", &p.scope)?,
            planned_start: crate::calendar::check_date("planned_start", p.planned_start)?,
            contact: Contact {
                name: limits::required_text("contact.name", &p.contact.name)?,
                phone: p.contact.phone.trim().into(),
            },
        };
        if proposal.planned_start < today {
            return Err(DomainError::invalid("planned_start", "计划开始日期不能早于今天：须经批准后方可开展工作"));
        }
        limits::required_text("contact.phone", &proposal.contact.phone)?;
        Ok(MajorAdjustment { id, proposal, applied_at_ms: at_ms, applied_by: by.to_string(), decisions: Vec::new() })
    }

    /// The levels that decide, nearest first, ending at the region.
    pub fn path(&self) -> Vec<NodeId> {
        self.id.origin.ancestors()
    }

    /// The decision of `level`, if held.
    pub fn decision_of(&self, level: &NodeId) -> Option<&Decision> {
        self.decisions.iter().find(|d| &d.level == level)
    }

    /// Where it stands: walking the path from the nearest level, the first
    /// without a decision is waited on; a rejection ends it.
    pub fn stage(&self) -> Stage {
        for level in self.path() {
            match self.decision_of(&level).map(|d| d.verdict) {
                Some(Verdict::Approved) => continue,
                Some(Verdict::Rejected) => return Stage::Rejected(level),
                None => return Stage::Pending(level),
            }
        }
        Stage::Approved
    }

    /// How long each level reached so far has had it.
    pub fn waits(&self) -> Vec<Wait> {
        let mut out = Vec::new();
        let mut since = self.applied_at_ms;
        for level in self.path() {
            let d = self.decision_of(&level);
            out.push(Wait { level, since_ms: since, decided_ms: d.map(|d| d.at_ms) });
            match d {
                Some(d) if d.verdict == Verdict::Approved => since = d.at_ms,
                _ => break,
            }
        }
        out
    }

    /// Checks that `level` may decide now with `verdict` and `reason`: the
    /// application must be waiting on it (a level decides only what has
    /// reached it on its path), and a rejection must say why.
    pub fn check_decision(&self, level: &NodeId, verdict: Verdict, reason: &str) -> Result<()> {
        match self.stage() {
            Stage::Pending(l) if &l == level => {}
            Stage::Pending(l) if self.path().contains(level) => {
                return Err(DomainError::FailedPrecondition(format!(
                    "申请 {} 尚待 {} 审批，未到本级（须逐级审批，第二十一条）",
                    self.id,
                    l.code()
                )));
            }
            Stage::Pending(_) => {
                return Err(DomainError::FailedPrecondition(format!("申请 {} 不经过本级审批", self.id)));
            }
            done => return Err(DomainError::FailedPrecondition(format!("申请 {} {}，不能再审批", self.id, done.zh()))),
        }
        if verdict == Verdict::Rejected {
            limits::required_text("reason", reason)?;
        }
        limits::optional_text("reason", reason.trim()).map(drop)
    }

    /// Takes a decision held or received; returns whether it changed
    /// anything (a level's decision is taken once, from any path level, in
    /// any order of arrival).
    pub fn record(&mut self, d: Decision) -> bool {
        if !self.path().contains(&d.level) || self.decision_of(&d.level).is_some() {
            return false;
        }
        self.decisions.push(d);
        true
    }
}

/// What a decision's written notice names besides the application.
pub struct NoticeFacts<'a> {
    /// The deciding level.
    pub level: &'a NodeId,
    /// Its division's name, when known.
    pub division: Option<&'a str>,
    /// The verdict.
    pub verdict: Verdict,
    /// The reasons or remarks.
    pub reason: &'a str,
    /// Its number, per issuing authority and year.
    pub number: String,
    /// Date of issue.
    pub on: NaiveDate,
    /// The operator who decided.
    pub by: &'a str,
}

impl MajorAdjustment {
    /// The written notice of a decision (审批意见书), addressed to the
    /// applicant, citing Art.21.
    pub fn notice(&self, f: &NoticeFacts<'_>) -> WrittenNotice {
        let applied = crate::calendar::date_of_ms(self.applied_at_ms);
        let outcome = match (f.verdict, f.level.depth()) {
            (Verdict::Rejected, _) => "经审核，不同意开展。".to_string(),
            (Verdict::Approved, 1) => "经审核，同意开展，请按批准的内容组织实施。".to_string(),
            (Verdict::Approved, _) => {
                "经审核，本级同意，已报上级主管部门审批；经自治区级批准后方可开展工作。".to_string()
            }
        };
        let mut body = vec![
            format!("区划代码 {} 政务外网主管部门：", self.id.origin.code()),
            format!(
                "你单位于{}年{}月{}日提出的政务外网重大建设或调整事项申请《{}》（编号 {}，计划 {} 开始）{outcome}",
                chrono::Datelike::year(&applied),
                chrono::Datelike::month(&applied),
                chrono::Datelike::day(&applied),
                self.proposal.title,
                self.id,
                self.proposal.planned_start
            ),
        ];
        if !f.reason.trim().is_empty() {
            let label = if f.verdict == Verdict::Rejected { "不同意的理由" } else { "审批意见" };
            body.push(format!("{label}：{}", f.reason.trim()));
        }
        body.push(
            "依据《西藏自治区电子政务外网管理办法》第二十一条：涉及政务外网重大建设或调整事项的，应逐级向政务外网主管部门提出申请，经批准后方可开展工作。"
                .into(),
        );
        WrittenNotice::compose(&crate::notice::Document {
            title: "政务外网重大建设或调整事项审批意见书",
            number: f.number.clone(),
            body: &body,
            authority: f.level,
            authority_division: f.division,
            issued_on: f.on,
            by: f.by,
        })
    }
}
