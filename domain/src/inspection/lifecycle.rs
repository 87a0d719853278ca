//! What may be done to an inspection: the authority records it (with its
//! rectification order), the inspected party answers a finding
//! ([`Inspection::respond`]), the authority accepts or returns the answer
//! ([`Inspection::review`]). Who may do which is the caller's check (the
//! node's); here each step is refused in a state that does not allow it,
//! naming the finding and the rule, and a refused step changes nothing.

use chrono::NaiveDate;

use super::{
    Finding, Inspected, Inspection, InspectionId, MAX_DAYS_BACK, MAX_FINDINGS, MAX_INSPECTORS, Rectification,
    RectificationState as S, RectificationStep, RectificationStepKind as K,
};
use crate::access::Deadline;
use crate::calendar::WorkCalendar;
use crate::error::{DomainError, Result};
use crate::limits;
use crate::order::{Issuer, check_working_days, day_of};

/// One finding as recorded.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct FindingRequest {
    /// What was found.
    pub text: String,
    /// Working days to rectify it; `None`: no rectification ordered.
    pub working_days: Option<u32>,
}

/// An inspection as the authority records it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct InspectionRequest {
    /// Who was inspected.
    pub inspected: Inspected,
    /// Its name (for the written order).
    pub inspected_name: String,
    /// The day of the inspection.
    pub date: NaiveDate,
    /// What was inspected.
    pub scope: String,
    /// Who inspected.
    pub inspectors: Vec<String>,
    /// What was found.
    pub findings: Vec<FindingRequest>,
}

/// The inspected party's answer to one finding (报送整改情况).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Response {
    /// The finding's number, from 1.
    pub finding: usize,
    /// What was done.
    pub text: String,
    /// When, Unix ms.
    pub at_ms: i64,
    /// Who answered.
    pub by: String,
}

/// The authority's review of an answer.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Review {
    /// Accepted: the rectification is closed (验收通过).
    Accept {
        /// Remarks (may be empty).
        note: String,
    },
    /// Returned: back to open (退回).
    Return {
        /// Why (required).
        reason: String,
    },
}

fn check_date(date: NaiveDate, today: NaiveDate) -> Result<NaiveDate> {
    if date > today {
        return Err(DomainError::invalid("date", format!("检查日期 {date} 晚于今天 {today}")));
    }
    if (today - date).num_days() > MAX_DAYS_BACK {
        return Err(DomainError::invalid(
            "date",
            format!("检查日期 {date} 早于今天 {MAX_DAYS_BACK} 天以上，请及时录入"),
        ));
    }
    Ok(date)
}

fn inspectors(v: &[String]) -> Result<Vec<String>> {
    let v = limits::items("inspectors", v, MAX_INSPECTORS)?;
    if v.is_empty() {
        return Err(DomainError::invalid("inspectors", "至少填写一名检查人员"));
    }
    Ok(v)
}

fn findings(v: Vec<FindingRequest>, cal: &WorkCalendar, date: NaiveDate) -> Result<Vec<Finding>> {
    if v.is_empty() || v.len() > MAX_FINDINGS {
        return Err(DomainError::invalid("findings", format!("应记录 1 至 {MAX_FINDINGS} 个检查发现的问题")));
    }
    v.into_iter()
        .map(|f| {
            let text = crate::limits::required_text("findings.text", &f.text)?;
            let rectification = f
                .working_days
                .map(|d| -> Result<Rectification> {
                    let days = check_working_days("findings.working_days", d)?;
                    Ok(Rectification { deadline: Deadline::new(cal, date, days), state: S::Open, steps: Vec::new() })
                })
                .transpose()?;
            Ok(Finding { text, rectification })
        })
        .collect()
}

impl Inspection {
    /// Records inspection `id` from `req` at `at_ms` by `by`: each ordered
    /// rectification's deadline is its working days after the day of the
    /// inspection on `cal`; the written order is issued through `issuer`
    /// when any rectification is ordered.
    pub fn record(
        id: InspectionId,
        req: InspectionRequest,
        cal: &WorkCalendar,
        at_ms: i64,
        by: &str,
        issuer: &Issuer<'_>,
    ) -> Result<Self> {
        let date = check_date(req.date, day_of(at_ms)?)?;
        let scope = crate::limits::required_text("scope", &req.scope)?;
        let inspectors = inspectors(&req.inspectors)?;
        let findings = findings(req.findings, cal, date)?;
        let mut i = Inspection {
            id,
            inspected: req.inspected,
            inspected_name: req.inspected_name,
            date,
            scope,
            inspectors,
            findings,
            recorded_at_ms: at_ms,
            recorded_by: by.to_string(),
            notice: None,
            revision: 1,
        };
        if i.rectifications().next().is_some() {
            i.notice = Some(issuer.rectification_notice(&i, day_of(at_ms)?));
        }
        Ok(i)
    }

    /// Whether the inspection orders any rectification (and so needs a notice number).
    pub fn orders_rectification(req: &InspectionRequest) -> bool {
        req.findings.iter().any(|f| f.working_days.is_some())
    }

    fn rectification_mut(&mut self, n: usize) -> Result<&mut Rectification> {
        let id = self.id.key();
        self.findings
            .get_mut(n.wrapping_sub(1))
            .ok_or_else(|| DomainError::invalid("finding", format!("监督检查 {id} 没有第 {n} 项问题")))?
            .rectification
            .as_mut()
            .ok_or_else(|| DomainError::FailedPrecondition(format!("监督检查 {id} 第 {n} 项问题未责令整改，无需答复")))
    }

    /// The inspected party's answer `r`: an open rectification becomes
    /// responded. Returns whether it changed anything (an answer already
    /// merged is not merged twice).
    pub fn respond(&mut self, r: &Response) -> Result<bool> {
        let id = self.id.key();
        let text = crate::limits::required_text("text", &r.text)?;
        let rect = self.rectification_mut(r.finding)?;
        if rect.steps.iter().any(|s| s.kind == K::Responded && s.at_ms == r.at_ms && s.by == r.by) {
            return Ok(false);
        }
        if rect.state != S::Open {
            return Err(DomainError::FailedPrecondition(format!(
                "监督检查 {id} 第 {} 项问题当前为“{}”，不能答复：已答复的待审核，已验收的已完成",
                r.finding,
                rect.state.zh()
            )));
        }
        rect.steps.push(RectificationStep { kind: K::Responded, at_ms: r.at_ms, by: r.by.clone(), note: text });
        rect.state = S::Responded;
        self.revision += 1;
        Ok(true)
    }

    /// The authority's review of finding `n`'s answer at `at_ms` by `by`.
    pub fn review(&mut self, n: usize, review: Review, at_ms: i64, by: &str) -> Result<()> {
        let id = self.id.key();
        let (kind, state, note) = match review {
            Review::Accept { note } => (K::Accepted, S::Closed, limits::optional_text("text", note.trim())?),
            Review::Return { reason } => (K::Returned, S::Open, crate::limits::required_text("reason", &reason)?),
        };
        let day = day_of(at_ms)?;
        let rect = self.rectification_mut(n)?;
        if rect.state != S::Responded {
            return Err(DomainError::FailedPrecondition(format!(
                "监督检查 {id} 第 {n} 项问题当前为“{}”，不能{}：须先由被检查方报送整改情况",
                rect.state.zh(),
                kind.zh()
            )));
        }
        rect.steps.push(RectificationStep { kind, at_ms, by: by.to_string(), note });
        rect.state = state;
        rect.deadline.met_on = (state == S::Closed).then_some(day);
        self.revision += 1;
        Ok(())
    }
}
