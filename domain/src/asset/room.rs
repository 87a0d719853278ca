//! The access room of a unit's access point (接入点机房, Art.14, Art.18):
//! where it is, how its power is backed up, and the standard it was last
//! checked against and when. Art.14 asks that the room meet the national
//! and sector standards; a check older than [`ROOM_CHECK_VALID_DAYS`] no
//! longer counts as current in oversight.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{DomainError, Result};
use crate::limits::required_text;
use crate::unit::UnitId;

/// Days a room check stays current (a year).
pub const ROOM_CHECK_VALID_DAYS: i64 = 365;

/// A unit's access room as last checked (one per unit, at its node).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct AccessRoom {
    /// The unit whose access point it houses.
    pub unit: UnitId,
    /// Where (机房位置).
    pub location: String,
    /// Power backup (电力保障, e.g. UPS 2 小时、双路市电).
    pub power_backup: String,
    /// The standard it was checked against (检查依据标准, e.g. GB 50174-2017).
    pub standard: String,
    /// The day of the check.
    pub checked_on: NaiveDate,
    /// Who checked it.
    pub checked_by: String,
    /// When recorded, Unix ms.
    pub recorded_at_ms: i64,
}

impl AccessRoom {
    /// Trims and checks the fields: a check cannot lie in the future.
    pub fn checked(self, today: NaiveDate) -> Result<AccessRoom> {
        let checked_on = crate::calendar::check_date("room.checked_on", self.checked_on)?;
        if checked_on > today {
            return Err(DomainError::invalid("room.checked_on", format!("检查日期 {checked_on} 不能晚于今天 {today}")));
        }
        Ok(AccessRoom {
            location: required_text("room.location", &self.location)?,
            power_backup: required_text("room.power_backup", &self.power_backup)?,
            standard: required_text("room.standard", &self.standard)?,
            checked_by: required_text("room.checked_by", &self.checked_by)?,
            checked_on,
            ..self
        })
    }

    /// Whether the check is still current on `today`.
    pub fn check_current(&self, today: NaiveDate) -> bool {
        (today - self.checked_on).num_days() < ROOM_CHECK_VALID_DAYS
    }
}
