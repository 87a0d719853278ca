//! The annual work report (Art.10) at its node: the figures of a year from
//! the records held here — own and the subtree's replicas (the domain's
//! `report::Tally` says which date puts a record in a year) — the address
//! management and the units below as they stand, and the nodes of the
//! subtree that have not filed their own report of the year; previewed
//! as a draft, or filed upward once per node and year.

use chrono::Datelike;
use extranet_federation::EventStore;
use extranet_proto::v1 as pb;
use prost::Message;

use crate::codec;
use crate::domain::report::{AddressShares, NamedNode, Tally, basis_points};
use crate::domain::{AnnualReport, Filing, FilingDetails, UnitStatus, report};
use crate::error::{NodeError, Result};
use crate::store::{NodeStore, abort};
use crate::topology::Topology;

/// The report of `year` as it stands at `now_ms`, with `notes`; nothing is
/// written. A year not yet begun is refused.
pub fn draft(store: &NodeStore, topology: &Topology, year: i32, notes: String, now_ms: i64) -> Result<AnnualReport> {
    let today = crate::calendar::today();
    report::check_year(year, today.year())?;
    let me = store.me().clone();
    let mut tally = Tally::new(&me, year, today);
    let reported = store.tally_year(&mut tally)?;
    units_below(store, &mut tally)?;
    let figures = store.figures(today)?;
    tally.own.private_networks_migrated = figures.private_networks.migrated_by_year.get(&year).copied().unwrap_or(0);
    // own and replicated migrations done in the year (the private-network register's counter)
    tally.subtree.private_networks_migrated = store.private_networks_migrated_in(year)?;
    let addresses = crate::store::address_shares(&figures.space)
        .map(|(pool, v6)| AddressShares { pool_utilisation_bp: basis_points(pool), ipv6_share_bp: basis_points(v6) });
    let subtree = topology.subtree(&me);
    let not_reported: Vec<NamedNode> = subtree
        .iter()
        .filter(|d| !reported.contains(&d.id))
        .map(|d| NamedNode { node: d.id.clone(), name: d.name_zh.clone() })
        .collect();
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let (own, all) = (tally.own, tally.subtree);
    Ok(AnnualReport {
        year,
        cutovers: all.cutovers,
        launches: all.launches,
        own_filings: own.cutovers + own.launches,
        subtree_nodes: count(subtree.len()),
        subtree_reporting: count(subtree.len() - not_reported.len()),
        notes,
        as_of_ms: now_ms,
        own,
        subtree: all,
        addresses,
        not_reported,
    })
}

/// Units are not replicated: those of the nodes below count as each node's
/// latest status summary held here says.
fn units_below(store: &NodeStore, tally: &mut Tally<'_>) -> Result<()> {
    const STATUSES: [UnitStatus; 4] =
        [UnitStatus::Applying, UnitStatus::Connected, UnitStatus::Suspended, UnitStatus::Withdrawn];
    for s in store.summaries(store.me()).map_err(NodeError::Federation)? {
        let Ok(summary) = pb::NodeSummary::decode(s.payload.as_slice()) else { continue };
        for (name, n) in summary.units.map(|u| u.by_status).unwrap_or_default() {
            if let Some(status) = STATUSES.into_iter().find(|st| st.zh() == name) {
                tally.units_below(&s.origin, status, n);
            }
        }
    }
    Ok(())
}

/// Produces and files this node's report for the requested year; answers
/// once it is durable.
pub async fn file_annual(
    store: &NodeStore,
    topology: &Topology,
    req: &pb::FileAnnualReportRequest,
    by: &str,
) -> Result<Filing> {
    let (year, notes) = codec::report_request_from_pb(req)?;
    let r = draft(store, topology, year, notes, crate::store::health::now_ms())?;
    let filing = store.transact(|tx| {
        if tx.next_number(&format!("annual_report/{year}"))? > 1 {
            return abort(report::check_not_filed(year, true).unwrap_err());
        }
        let f = super::filing::write_filing(tx, FilingDetails::AnnualReport(Box::new(r.clone())), by)?;
        super::idempotency::record(tx, || codec::filing_to_pb(&f))?;
        Ok(f)
    })?;
    store.sync().await?;
    tracing::info!(filing = %filing.id, year, by, "annual report filed");
    Ok(filing)
}
