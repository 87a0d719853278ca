//! The annual work report (年度工作开展情况报告, Art.10): each competent
//! authority reports its year's work to the one above. The figures come
//! from the node's records (its own filings and its subtree's replicas) and
//! from oversight, never from the operator; it travels up as a filing.

use serde::{Deserialize, Serialize};

use crate::error::{DomainError, Result};

/// Earliest year a report may cover.
pub const FIRST_YEAR: i32 = 2000;

/// One node's annual work report.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct AnnualReport {
    /// The calendar year reported on (Beijing time).
    pub year: i32,
    /// Cutover filings of the year in the subtree.
    pub cutovers: u64,
    /// System-launch filings of the year in the subtree.
    pub launches: u64,
    /// Of those, the node's own.
    pub own_filings: u64,
    /// Divisions of the subtree per the topology.
    pub subtree_nodes: u32,
    /// Of them, those that ever reported a status summary.
    pub subtree_reporting: u32,
    /// The operator's notes.
    pub notes: String,
}

/// A report may cover a year that has begun, not a future one.
pub fn check_year(year: i32, this_year: i32) -> Result<()> {
    if year < FIRST_YEAR || year > this_year {
        return Err(DomainError::invalid("year", format!("年度应在 {FIRST_YEAR} 至 {this_year} 之间")));
    }
    Ok(())
}

/// One report per node and year: refuses a second.
pub fn check_not_filed(year: i32, already: bool) -> Result<()> {
    if already {
        return Err(DomainError::FailedPrecondition(format!("本节点已报送 {year} 年度工作报告，不能重复报送")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_and_duplicates() {
        assert!(check_year(2026, 2026).is_ok());
        assert!(matches!(check_year(2027, 2026), Err(DomainError::Invalid { .. })));
        assert!(check_year(1999, 2026).is_err());
        assert!(matches!(check_not_filed(2026, true), Err(DomainError::FailedPrecondition(_))));
    }
}
