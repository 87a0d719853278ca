//! What may be done to a private network: registering it (every text the
//! register needs, its links, dates in range, a migration not dated ahead
//! of today, fees stopped only on a migrated network) and the three later
//! steps — a planned day recorded or moved, migration done, lease fees
//! stopped ([`PrivateNetwork::act`]). Refusals name the field or the rule.

use chrono::NaiveDate;

use super::{PrivateNetwork, PrivateNetworkId, Step, StepKind};
use crate::calendar::{check_date, date_of_ms};
use crate::error::{DomainError, Result};
use crate::limits;

/// Most links one network may be registered with (a typo guard: the
/// largest provincial private networks lease a few thousand).
pub const MAX_LINKS: u32 = 100_000;

/// What is registered about a network — and, held in the record, what
/// stands now (its dates and fees change with each step); checked by
/// [`PrivateNetwork::register`].
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
pub struct PrivateNetworkDetails {
    /// The department that runs it (主管部门).
    pub owner_department: String,
    /// Its name (专网名称).
    pub name: String,
    /// What it covers (覆盖范围).
    pub scope: String,
    /// How many links it leases, 1 to [`MAX_LINKS`].
    pub link_count: u32,
    /// The links described (may be empty).
    pub links: String,
    /// The day migration is planned, if one is.
    pub planned_on: Option<NaiveDate>,
    /// The day migration was done, if it was (not after today).
    pub migrated_on: Option<NaiveDate>,
    /// Whether its lease fees have stopped (only once migrated).
    pub lease_fees_stopped: bool,
    /// Remarks (may be empty).
    pub notes: String,
}

/// A later step on a registered network.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum PrivateNetworkAction {
    /// Records or moves the planned migration day (not once migrated).
    Plan {
        /// The planned day.
        on: NaiveDate,
    },
    /// Records migration as done on a day not after today (once).
    Migrated {
        /// The day it was done.
        on: NaiveDate,
    },
    /// Records that finance stopped its lease fees (once, after migration).
    FeesStopped,
}

fn done_on(field: &'static str, on: NaiveDate, at_ms: i64) -> Result<NaiveDate> {
    let on = check_date(field, on)?;
    let today = date_of_ms(at_ms);
    if on > today {
        return Err(DomainError::invalid(
            field,
            format!("完成日期 {on} 晚于今天（{today}），尚未发生的迁移不能登记为已完成"),
        ));
    }
    Ok(on)
}

impl PrivateNetwork {
    /// Registers network `id` from `req` at `at_ms` by `by`.
    pub fn register(id: PrivateNetworkId, req: PrivateNetworkDetails, at_ms: i64, by: &str) -> Result<Self> {
        if !(1..=MAX_LINKS).contains(&req.link_count) {
            return Err(DomainError::invalid("link_count", format!("链路数量应为 1 至 {MAX_LINKS}")));
        }
        let planned_on = req.planned_on.map(|d| check_date("planned_on", d)).transpose()?;
        let migrated_on = req.migrated_on.map(|d| done_on("migrated_on", d, at_ms)).transpose()?;
        if req.lease_fees_stopped && migrated_on.is_none() {
            return Err(DomainError::invalid(
                "lease_fees_stopped",
                "尚未迁移整合的专网，线路租赁费不能登记为已停止（第五条：已迁移整合至政务外网的，财政部门不再安排线路租赁费）",
            ));
        }
        let step = Step { kind: StepKind::Registered, at_ms, by: by.to_string(), note: String::new() };
        let details = PrivateNetworkDetails {
            owner_department: limits::required_text("owner_department", &req.owner_department)?,
            name: limits::required_text("name", &req.name)?,
            scope: limits::required_text("scope", &req.scope)?,
            link_count: req.link_count,
            links: limits::optional_text("links", &req.links)?,
            planned_on,
            migrated_on,
            lease_fees_stopped: req.lease_fees_stopped,
            notes: limits::optional_text("notes", &req.notes)?,
        };
        Ok(PrivateNetwork { id, details, history: vec![step], revision: 1 })
    }

    /// Applies `action` at `at_ms` by `by` with `note`; refuses what its
    /// state does not allow and then changes nothing.
    pub fn act(&mut self, action: PrivateNetworkAction, note: &str, at_ms: i64, by: &str) -> Result<()> {
        let note = limits::optional_text("note", note)?;
        let kind = match action {
            PrivateNetworkAction::Plan { on } => {
                if let Some(done) = self.details.migrated_on {
                    return Err(self.refuse(&format!("已于 {done} 完成迁移整合，不能再确定迁移计划")));
                }
                self.details.planned_on = Some(check_date("planned_on", on)?);
                StepKind::Planned
            }
            PrivateNetworkAction::Migrated { on } => {
                if let Some(done) = self.details.migrated_on {
                    return Err(self.refuse(&format!("已登记于 {done} 完成迁移整合，不能重复登记")));
                }
                self.details.migrated_on = Some(done_on("migrated_on", on, at_ms)?);
                StepKind::Migrated
            }
            PrivateNetworkAction::FeesStopped => {
                if self.details.migrated_on.is_none() {
                    return Err(self.refuse(
                        "尚未完成迁移整合，线路租赁费不能登记为已停止（第五条：迁移整合后财政部门不再安排线路租赁费）",
                    ));
                }
                if self.details.lease_fees_stopped {
                    return Err(self.refuse("线路租赁费已登记为停止"));
                }
                self.details.lease_fees_stopped = true;
                StepKind::FeesStopped
            }
        };
        self.history.push(Step { kind, at_ms, by: by.to_string(), note });
        self.revision += 1;
        Ok(())
    }

    fn refuse(&self, rule: &str) -> DomainError {
        DomainError::FailedPrecondition(format!("非涉密业务专网 {}（{}）{rule}", self.id, self.status().zh()))
    }
}
