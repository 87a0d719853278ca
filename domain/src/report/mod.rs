//! The annual work report (年度工作开展情况报告, Art.10): each competent
//! authority reports its year's work to the one above (按要求向上级政务外网
//! 主管部门报送年度工作开展情况). The figures come from the records the
//! node holds — its own and its subtree's replicas (`figures.rs` says which
//! date puts a record in a year) — never from the operator, who adds only
//! notes; the report travels up as a filing. A node has reported a year
//! once it filed its own report of that year; the report names the nodes
//! of the subtree that had not when it was made.

mod figures;

use serde::{Deserialize, Serialize};

use crate::error::{DomainError, Result};

pub use figures::{Tally, YearFigures};

/// Earliest year a report may cover.
pub const FIRST_YEAR: i32 = 2000;

/// A node of the subtree, by id and Chinese name (per the topology).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct NamedNode {
    /// Its division path.
    pub node: extranet_ids::NodeId,
    /// Its Chinese name, e.g. 城关区.
    pub name: String,
}

/// The node's own address management at the report (截至报告时), in
/// hundredths of a percent (basis points), so a report compares exactly.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct AddressShares {
    /// Share of the node's pool delegated, assigned or reserved.
    pub pool_utilisation_bp: u32,
    /// Share of its live assignments that are IPv6 (10,000 with none).
    pub ipv6_share_bp: u32,
}

/// One node's annual work report. The fields after `notes` were added with
/// the full figures (issue 15) and are `serde(default)`: a report stored
/// before reads with them empty.
#[derive(Clone, Default, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct AnnualReport {
    /// The calendar year reported on (Beijing time).
    pub year: i32,
    /// Cutover filings of the year in the subtree (= `subtree.cutovers`).
    pub cutovers: u64,
    /// System-launch filings of the year in the subtree (= `subtree.launches`).
    pub launches: u64,
    /// Of both, the node's own.
    pub own_filings: u64,
    /// Divisions of the subtree per the topology, the node included.
    pub subtree_nodes: u32,
    /// Of them, those that had filed their report of the year when this one
    /// was made (in reports filed before issue 15: those that ever sent a
    /// status summary).
    pub subtree_reporting: u32,
    /// The operator's notes.
    pub notes: String,
    /// When the figures were taken, Unix ms.
    #[serde(default)]
    pub as_of_ms: i64,
    /// The node's own figures of the year.
    #[serde(default)]
    pub own: YearFigures,
    /// The figures of the node and every descendant.
    #[serde(default)]
    pub subtree: YearFigures,
    /// The node's address management at the report; none while it holds no pool.
    #[serde(default)]
    pub addresses: Option<AddressShares>,
    /// The nodes of the subtree (the reporting node included) that had not
    /// filed their report of the year when this one was made.
    #[serde(default)]
    pub not_reported: Vec<NamedNode>,
}

/// A share of 0..1 in basis points (out of range is clamped).
pub fn basis_points(share: f64) -> u32 {
    (share.clamp(0.0, 1.0) * 10_000.0).round() as u32
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
mod tests;
