//! Figures of a year's records, for the annual work report (Art.10).

use chrono::{Datelike, TimeZone, Utc};

use super::{NodeStore, TreeId, keys};
use crate::calendar::beijing;
use crate::domain::{Filing, FilingDetails};
use crate::error::Result;

/// Cutover and launch filings of one year held here.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub struct YearFilings {
    /// Cutover filings (this node's and its subtree's).
    pub cutovers: u64,
    /// System-launch filings.
    pub launches: u64,
    /// Of both, those this node filed itself.
    pub own: u64,
}

impl NodeStore {
    /// Counts the cutover and launch filings held here (own and replicas of
    /// the subtree) filed in `year`, Beijing time.
    pub fn filings_in_year(&self, year: i32) -> Result<YearFilings> {
        self.view(|t| {
            let mut out = YearFilings::default();
            for item in t.iter(TreeId::Filings) {
                let (_, v) = item?;
                let f: Filing = keys::decode(&v)?;
                let filed_year =
                    Utc.timestamp_millis_opt(f.filed_at_ms).single().map(|t| t.with_timezone(&beijing()).year());
                if filed_year != Some(year) {
                    continue;
                }
                match f.details {
                    FilingDetails::Cutover(_) => out.cutovers += 1,
                    FilingDetails::Launch(_) => out.launches += 1,
                    FilingDetails::Change(_)
                    | FilingDetails::AnnualReport(_)
                    | FilingDetails::Interruption(_)
                    | FilingDetails::Evaluation(_) => {
                        continue;
                    }
                }
                if f.id.origin == self.me {
                    out.own += 1;
                }
            }
            Ok(out)
        })
    }
}
