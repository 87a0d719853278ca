//! The annual work report (Art.10) on the wire: `AnnualReportDetails` and
//! its figures. Domain and proto name every figure alike, so one list of
//! names converts both ways; a report sent before the full figures
//! (fields 8–12 unset) reads with them empty.

use extranet_certs::NodeId;
use extranet_proto::v1 as pb;

use crate::domain::AnnualReport;
use crate::domain::report::{AddressShares, NamedNode, YearFigures};
use crate::error::{NodeError, Result};

/// Copies the fields named from `$from` into a new `$ty` (both sides name
/// them alike).
macro_rules! same_fields {
    ($from:expr, $($ty:ident)::+, [$($f:ident),* $(,)?] $(, $extra:ident: $v:expr)*) => {
        $($ty)::+ { $($f: $from.$f,)* $($extra: $v,)* }
    };
}

/// Every figure of a year, in wire order.
macro_rules! year_figures {
    ($from:expr, $($ty:ident)::+) => {
        same_fields!($from, $($ty)::+, [
            units_registered, units_updated, units_applying, units_connected, units_suspended,
            units_withdrawn, applications, applications_new, applications_change,
            applications_withdrawal, applications_resource_change, approved, rejected,
            applications_overdue, cutovers, launches, changes, interruptions, evaluations, faults,
            fault_breaches, inspections, findings, rectifications, rectifications_overdue,
            orders_issued, orders_lifted, private_networks_migrated,
        ])
    };
}

/// The wire form of one scope's figures.
pub fn year_figures_to_pb(f: &YearFigures) -> pb::AnnualFigures {
    year_figures!(f, pb::AnnualFigures)
}

fn year_figures_from_pb(f: Option<pb::AnnualFigures>) -> YearFigures {
    let f = f.unwrap_or_default();
    year_figures!(f, YearFigures)
}

/// The wire form of a report.
pub fn annual_report_to_pb(r: &AnnualReport) -> pb::AnnualReportDetails {
    let not_reported =
        r.not_reported.iter().map(|n| pb::ReportNode { node: n.node.to_string(), name: n.name.clone() }).collect();
    let addresses = r.addresses.map(|a| same_fields!(a, pb::AddressShares, [pool_utilisation_bp, ipv6_share_bp]));
    same_fields!(r, pb::AnnualReportDetails,
        [year, cutovers, launches, own_filings, subtree_nodes, subtree_reporting, as_of_ms],
        notes: r.notes.clone(),
        own: Some(year_figures_to_pb(&r.own)),
        subtree: Some(year_figures_to_pb(&r.subtree)),
        addresses: addresses,
        not_reported: not_reported)
}

/// Reads a report from the wire; a node it names must be a division path.
pub fn annual_report_from_pb(r: pb::AnnualReportDetails) -> Result<AnnualReport> {
    let not_reported = r
        .not_reported
        .iter()
        .map(|n| {
            let node = NodeId::parse(&n.node).map_err(|e| NodeError::invalid("not_reported.node", e.to_string()))?;
            Ok(NamedNode { node, name: n.name.clone() })
        })
        .collect::<Result<_>>()?;
    let addresses = r.addresses.map(|a| same_fields!(a, AddressShares, [pool_utilisation_bp, ipv6_share_bp]));
    Ok(same_fields!(r, AnnualReport,
        [year, cutovers, launches, own_filings, subtree_nodes, subtree_reporting, as_of_ms],
        notes: r.notes.clone(),
        own: year_figures_from_pb(r.own),
        subtree: year_figures_from_pb(r.subtree),
        addresses: addresses,
        not_reported: not_reported))
}

/// Validates an annual-report request: the year's range is the domain's;
/// here only the notes' length.
pub fn report_request_from_pb(r: &pb::FileAnnualReportRequest) -> Result<(i32, String)> {
    let notes = r.notes.trim();
    if notes.chars().count() > super::MAX_TEXT {
        return Err(NodeError::invalid("notes", format!("不能超过 {} 个字符", super::MAX_TEXT)));
    }
    Ok((r.year, notes.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::FilingDetails;
    use crate::store::fixtures::read;
    use crate::store::fixtures_report::annual_report_v1;

    /// A report a node sent before the full figures reads as it was, every
    /// new figure zero and no node named; today's report round-trips.
    #[test]
    fn a_report_sent_before_the_full_figures_still_decodes() {
        let old = super::super::decode_filing(&read("wire/filing.v1/annual_report.bin")).unwrap();
        assert_eq!(old, annual_report_v1());
        let FilingDetails::AnnualReport(r) = &old.details else { panic!("not a report") };
        assert_eq!((r.own, r.subtree, r.addresses, r.not_reported.len()), Default::default());
        let mut now = (**r).clone();
        now.subtree.private_networks_migrated = 2;
        now.addresses = Some(AddressShares { pool_utilisation_bp: 125, ipv6_share_bp: 10_000 });
        now.not_reported = vec![NamedNode { node: NodeId::parse("540000/540100/540103").unwrap(), name: "x".into() }];
        assert_eq!(annual_report_from_pb(annual_report_to_pb(&now)).unwrap(), now);
    }
}
