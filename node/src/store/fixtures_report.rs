//! Fixture sample of an annual work report (Art.10) as the report stood
//! before it carried the year's full figures: its stored bytes
//! (`store/v1/filing_annual_report.bin`) and its `filing.v1` payload
//! (`wire/filing.v1/annual_report.bin`) were written by that code, so the
//! tests prove a report filed then still reads, every later figure zero.

use crate::domain::{AnnualReport, Filing, FilingDetails, FilingId};
use extranet_certs::NodeId;

/// A prefecture's report of 2025, the figures of the first version only.
pub(crate) fn annual_report_v1() -> Filing {
    let r = AnnualReport {
        year: 2025,
        cutovers: 2,
        launches: 1,
        own_filings: 1,
        subtree_nodes: 9,
        subtree_reporting: 3,
        notes: "完成县级链路改造".into(),
        ..AnnualReport::default()
    };
    Filing {
        id: FilingId { origin: NodeId::parse("540000/540100").unwrap(), number: 5 },
        filed_at_ms: 1_767_000_000_000,
        filed_by: "operator".into(),
        details: FilingDetails::AnnualReport(Box::new(r)),
        receipts: vec![],
    }
}
