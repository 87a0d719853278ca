//! Art.13's two clocks, derived from a ticket's history and nothing else.
//!
//! - **Response** starts at the report and is met by the first step past
//!   `Reported`; it never restarts.
//! - **Repair** starts at the report and runs while the ticket is
//!   reported, acknowledged or repairing; it stops while the fault is marked
//!   repaired (or closed) and resumes where it stopped if the ticket is
//!   reopened. Its deadline while running is now plus the time left; the
//!   moment the time ran out is found by walking the history.
//!
//! A breach is due when a clock's time ran out before it was met; it is
//! recorded once ([`FaultTicket::record_breaches`]) and kept.

use serde::{Deserialize, Serialize};

use super::{Breach, ClockKind, FaultState, FaultTicket};

/// When warnings are raised before a deadline.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct WarnPolicy {
    /// Warn this long before the response deadline, ms (default 15 min).
    pub response_before_ms: i64,
    /// Warn when this share of the repair time is left, in percent (default 25).
    pub repair_left_percent: u8,
}

impl Default for WarnPolicy {
    fn default() -> Self {
        WarnPolicy { response_before_ms: 15 * 60_000, repair_left_percent: 25 }
    }
}

/// One clock as it stands at an instant.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ClockView {
    /// Which clock.
    pub clock: ClockKind,
    /// Whether it is running now.
    pub running: bool,
    /// Its deadline: fixed for response; for repair, when the time left
    /// runs out if it keeps running (as of when it last ran), Unix ms.
    pub deadline_ms: i64,
    /// When it was met (responded; last marked repaired), if it was.
    pub met_at_ms: Option<i64>,
    /// Time left at the instant asked (negative: that late), ms.
    pub left_ms: i64,
}

/// A clock close to or past its deadline.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Warning {
    /// Which clock.
    pub clock: ClockKind,
    /// Its deadline, Unix ms.
    pub deadline_ms: i64,
    /// Time left (negative: breached, that late), ms.
    pub left_ms: i64,
}

impl FaultTicket {
    /// The response deadline: fixed at the report.
    pub fn response_deadline_ms(&self) -> i64 {
        self.reported_at_ms.saturating_add(self.policy.response_ms)
    }

    /// When the provider responded: the first step past the report.
    pub fn responded_at_ms(&self) -> Option<i64> {
        self.history.iter().skip(1).find(|s| s.state != FaultState::Reported).map(|s| s.at_ms)
    }

    /// The intervals in which the repair clock ran, up to `now_ms`.
    fn repair_intervals(&self, now_ms: i64) -> impl Iterator<Item = (i64, i64)> + '_ {
        self.history.iter().enumerate().filter(|(_, s)| s.state.repair_clock_runs()).map(move |(i, s)| {
            let end = self.history.get(i + 1).map_or(now_ms, |n| n.at_ms);
            (s.at_ms, end.max(s.at_ms))
        })
    }

    /// Repair time used up to `now_ms`, ms.
    pub fn repair_elapsed_ms(&self, now_ms: i64) -> i64 {
        self.repair_intervals(now_ms).map(|(a, b)| b - a).sum()
    }

    /// The instant the repair time ran out, if it has by `now_ms`.
    fn repair_ran_out_at(&self, now_ms: i64) -> Option<i64> {
        let mut used = 0i64;
        for (a, b) in self.repair_intervals(now_ms) {
            if used + (b - a) > self.policy.repair_ms {
                return Some(a + (self.policy.repair_ms - used));
            }
            used += b - a;
        }
        None
    }

    /// Both clocks at `now_ms`.
    pub fn clocks(&self, now_ms: i64) -> [ClockView; 2] {
        let response_deadline = self.response_deadline_ms();
        let responded = self.responded_at_ms();
        let response = ClockView {
            clock: ClockKind::Response,
            running: responded.is_none(),
            deadline_ms: response_deadline,
            met_at_ms: responded,
            left_ms: response_deadline - responded.unwrap_or(now_ms),
        };
        let running = self.state.repair_clock_runs();
        let left = self.policy.repair_ms - self.repair_elapsed_ms(now_ms);
        // the instant it stopped (or now, running): the deadline is that plus what is left
        let since = if running { now_ms } else { self.history.last().map_or(now_ms, |s| s.at_ms) };
        let met = (!running).then_some(since);
        let repair =
            ClockView { clock: ClockKind::Repair, running, deadline_ms: since + left, met_at_ms: met, left_ms: left };
        [response, repair]
    }

    /// Breaches due at `now_ms` and not yet recorded.
    pub fn due_breaches(&self, now_ms: i64) -> Vec<Breach> {
        let recorded = |c: ClockKind| self.breaches.iter().any(|b| b.clock == c);
        let mut due = Vec::new();
        let response_deadline = self.response_deadline_ms();
        if !recorded(ClockKind::Response) && self.responded_at_ms().unwrap_or(now_ms) > response_deadline {
            due.push(Breach { clock: ClockKind::Response, deadline_ms: response_deadline, recorded_at_ms: now_ms });
        }
        if !recorded(ClockKind::Repair)
            && let Some(at) = self.repair_ran_out_at(now_ms)
        {
            due.push(Breach { clock: ClockKind::Repair, deadline_ms: at, recorded_at_ms: now_ms });
        }
        due
    }

    /// Records the breaches due at `now_ms`; returns how many were new.
    pub fn record_breaches(&mut self, now_ms: i64) -> usize {
        let due = self.due_breaches(now_ms);
        self.breaches.extend(&due);
        due.len()
    }

    /// How late a clock is or was: from its deadline to when it was met,
    /// or to `now_ms` while unmet; `None` if it is not late.
    pub fn late_ms(&self, clock: ClockKind, now_ms: i64) -> Option<i64> {
        let v = self.clocks(now_ms).into_iter().find(|v| v.clock == clock)?;
        (v.left_ms < 0).then_some(-v.left_ms)
    }

    /// The running clocks close to their deadline or past it, at `now_ms`.
    pub fn warnings(&self, now_ms: i64, p: WarnPolicy) -> Vec<Warning> {
        self.clocks(now_ms)
            .into_iter()
            .filter(|v| v.running && self.state != FaultState::Closed)
            .filter(|v| match v.clock {
                ClockKind::Response => v.left_ms <= p.response_before_ms,
                ClockKind::Repair => v.left_ms * 100 <= self.policy.repair_ms * i64::from(p.repair_left_percent),
            })
            .map(|v| Warning { clock: v.clock, deadline_ms: v.deadline_ms, left_ms: v.left_ms })
            .collect()
    }
}
