//! Filing the annual work report (Art.10): figures from this node's records
//! and its subtree's, checked once per node and year, sent up as a filing.

use chrono::Datelike;
use extranet_federation::EventStore;
use extranet_proto::v1 as pb;

use crate::codec;
use crate::domain::{AnnualReport, Filing, FilingDetails, report};
use crate::error::{NodeError, Result};
use crate::store::{NodeStore, abort};
use crate::topology::Topology;

/// Produces and files this node's report for the requested year; answers
/// once it is durable.
pub async fn file_annual(
    store: &NodeStore,
    topology: &Topology,
    req: &pb::FileAnnualReportRequest,
    by: &str,
) -> Result<Filing> {
    let (year, notes) = codec::report_request_from_pb(req)?;
    report::check_year(year, crate::calendar::today().year())?;
    let figures = store.filings_in_year(year)?;
    let me = store.me().clone();
    let reporting = store.summaries(&me).map_err(NodeError::Federation)?.len();
    let r = AnnualReport {
        year,
        cutovers: figures.cutovers,
        launches: figures.launches,
        own_filings: figures.own,
        subtree_nodes: u32::try_from(topology.subtree(&me).len()).unwrap_or(u32::MAX),
        subtree_reporting: u32::try_from(reporting).unwrap_or(u32::MAX),
        notes,
    };
    let filing = store.transact(|tx| {
        if tx.next_number(&format!("annual_report/{year}"))? > 1 {
            return abort(report::check_not_filed(year, true).unwrap_err());
        }
        let f = super::filing::write_filing(tx, FilingDetails::AnnualReport(r.clone()), by)?;
        super::idempotency::record(tx, || codec::filing_to_pb(&f))?;
        Ok(f)
    })?;
    store.sync().await?;
    tracing::info!(filing = %filing.id, year, by, "annual report filed");
    Ok(filing)
}
