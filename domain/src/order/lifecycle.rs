//! What may be done to an order in each state ([`Order::act`]): the unit
//! (or the authority on its behalf) reports its rectification, the
//! authority lifts the order or extends the deadline. Refusals name the
//! state and the rule; a refused step changes nothing.

use super::notice::Issuer;
use super::{Order, OrderId, OrderState, OrderStep, StepKind, WORKING_DAYS};
use crate::access::Deadline;
use crate::calendar::{WorkCalendar, beijing, date_of};
use crate::error::{DomainError, Result};
use crate::limits;
use crate::notice::WrittenNotice;
use crate::unit::UnitId;

/// What is ordered: which unit, why, how long it has to rectify.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct OrderRequest {
    /// The unit, registered at the issuing node.
    pub unit: UnitId,
    /// Its name (for the written order).
    pub unit_name: String,
    /// The security problem that affects the extranet.
    pub reason: String,
    /// Working days allowed to rectify.
    pub working_days: u32,
}

/// Something done to an order.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum OrderAction {
    /// The rectification is reported (报送整改情况).
    Rectified {
        /// What was done (required).
        report: String,
    },
    /// Verified: the order is lifted and access restored (恢复连接).
    Lift {
        /// The verification's remarks (may be empty).
        note: String,
    },
    /// The deadline is extended (延长整改期限).
    Extend {
        /// Working days added.
        working_days: u32,
        /// Why (required).
        reason: String,
    },
}

impl OrderAction {
    /// Whether the ordered unit may take this step itself: only reporting
    /// its rectification; verifying, lifting and extending are the
    /// authority's (Art.25(4)).
    pub fn unit_may(&self) -> bool {
        matches!(self, OrderAction::Rectified { .. })
    }
}

/// Checks a number of working days against [`WORKING_DAYS`].
pub fn check_working_days(field: &'static str, n: u32) -> Result<u32> {
    if WORKING_DAYS.contains(&n) {
        Ok(n)
    } else {
        Err(DomainError::invalid(field, format!("整改期限应为 1 至 60 个工作日，收到 {n}")))
    }
}

/// The Beijing-time day of an instant (Unix ms).
pub fn day_of(at_ms: i64) -> Result<chrono::NaiveDate> {
    let t = chrono::DateTime::from_timestamp_millis(at_ms)
        .ok_or_else(|| DomainError::invalid("at", "时间超出可表示的范围"))?;
    Ok(date_of(&t.with_timezone(&beijing())))
}

impl Order {
    /// Issues order `id` from `req` at `at_ms` by `by`: the deadline is
    /// `req.working_days` working days after the day of issue on `cal`,
    /// and the written order is issued with it.
    pub fn issue(
        id: OrderId,
        req: OrderRequest,
        cal: &WorkCalendar,
        at_ms: i64,
        by: &str,
        issuer: &Issuer<'_>,
    ) -> Result<Self> {
        let reason = limits::required_text("reason", &req.reason)?;
        let days = check_working_days("working_days", req.working_days)?;
        let deadline = Deadline::new(cal, day_of(at_ms)?, days);
        let step = OrderStep {
            kind: StepKind::Issued,
            at_ms,
            by: by.to_string(),
            note: reason.clone(),
            deadline: Some(deadline.clone()),
        };
        let mut order = Order {
            id,
            unit: req.unit,
            unit_name: req.unit_name,
            reason,
            state: OrderState::Standing,
            deadline,
            history: vec![step],
            order_notice: WrittenNotice {
                number: String::new(),
                issued_on: day_of(at_ms)?,
                authority: issuer.authority.clone(),
                text: String::new(),
                html: String::new(),
            },
            lifting_notice: None,
            revision: 1,
        };
        order.order_notice = issuer.order_notice(&order);
        Ok(order)
    }

    /// Applies `action` at `at_ms` by `by`; refuses what the state does not
    /// allow. A lift issues the lifting notice through `issuer`.
    pub fn act(
        &mut self,
        action: OrderAction,
        cal: &WorkCalendar,
        at_ms: i64,
        by: &str,
        issuer: &Issuer<'_>,
    ) -> Result<()> {
        use OrderState::*;
        if at_ms < self.history.last().map_or(i64::MIN, |s| s.at_ms) {
            return Err(DomainError::invalid("at", "时间早于上一步，时钟不能倒退"));
        }
        let (kind, state, note, deadline) = match action {
            OrderAction::Rectified { report } => {
                self.expect(&[Standing], "报送整改情况", "整改情况已报送或已恢复连接")?;
                (StepKind::Rectified, Rectified, limits::required_text("text", &report)?, None)
            }
            OrderAction::Lift { note } => {
                self.expect(&[Rectified], "恢复连接", "须先报送整改情况，经核验后方可恢复连接")?;
                (StepKind::Lifted, Lifted, limits::optional_text("text", note.trim())?, None)
            }
            OrderAction::Extend { working_days, reason } => {
                self.expect(&[Standing, Rectified], "延长整改期限", "已恢复连接的不能延长")?;
                let reason = limits::required_text("text", &reason)?;
                let days = check_working_days("working_days", working_days)?;
                // counted on from the due date, or from today once it has passed
                let from = self.deadline.due.max(day_of(at_ms)?);
                (StepKind::Extended, Standing, reason, Some(Deadline::new(cal, from, days)))
            }
        };
        if let Some(d) = &deadline {
            self.deadline = d.clone();
        }
        if kind == StepKind::Rectified {
            self.deadline.met_on = Some(day_of(at_ms)?);
        } else if kind == StepKind::Extended {
            self.deadline.met_on = None;
        }
        self.history.push(OrderStep { kind, at_ms, by: by.to_string(), note, deadline });
        self.state = state;
        self.revision += 1;
        if kind == StepKind::Lifted {
            self.lifting_notice = Some(issuer.lifting_notice(self));
        }
        Ok(())
    }

    fn expect(&self, states: &[OrderState], what: &str, rule: &str) -> Result<()> {
        if states.contains(&self.state) {
            return Ok(());
        }
        Err(DomainError::FailedPrecondition(format!(
            "中断连接通知 {} 当前为“{}”，不能{what}：{rule}",
            self.id,
            self.state.zh()
        )))
    }
}
