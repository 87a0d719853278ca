//! This node's own status summary: identity, link health, certificate
//! expiry and the figures of its records.

use extranet_certs::TlsMaterial;
use extranet_federation::{Backlog, Engine};
use extranet_proto::v1 as pb;

use crate::error::Result;
use crate::store::{Figures, NodeStore, Space};

fn backlog(b: &Backlog) -> pb::Backlog {
    pb::Backlog { count: b.count, oldest_created_at_ms: b.oldest_created_at_ms }
}

/// Builds this node's summary as of `now_ms`, with the figures of its
/// records — filings, the applications it decides and their overdue
/// deadlines, its units, its address pool — read from the counters the
/// store keeps in each write's transaction (`store/figures.rs`): a few
/// point reads and short scans, however long the history. It reads the
/// store: call it off the runtime's workers ([`crate::store::blocking`]).
pub fn build_summary(
    store: &NodeStore,
    engine: &Engine<NodeStore>,
    tls: &TlsMaterial,
    now_ms: i64,
) -> Result<pb::NodeSummary> {
    let links = engine.status()?;
    let parent = links.parent.as_ref();
    let today = crate::calendar::today();
    let figures = store.figures(today)?;
    let f = record_figures(&figures);
    Ok(pb::NodeSummary {
        node: links.me.to_string(),
        software_version: crate::VERSION.to_string(),
        generated_at_ms: now_ms,
        parent_connected: parent.is_some_and(|p| p.connected),
        parent_last_contact_ms: parent.map_or(0, |p| p.last_contact_ms),
        owed_to_parent: parent.map(|p| backlog(&p.outbound)),
        owed_by_parent: parent.map(|p| backlog(&p.inbound)),
        children_connected: u32::try_from(links.children.iter().filter(|c| c.connected).count()).unwrap_or(u32::MAX),
        children_known: u32::try_from(links.children.len()).unwrap_or(u32::MAX),
        cert_not_after_ms: tls.chain_info().iter().map(|c| c.not_after.timestamp_millis()).min().unwrap_or(0),
        filings: f.filings,
        applications: f.applications,
        addresses: f.addresses,
        units: f.units,
        calendar_warning: store.calendar_warning(today)?.unwrap_or_default(),
        faults: fault_figures(&figures, &store.open_faults()?, now_ms),
        interruptions: interruption_figures(&figures, now_ms),
        approvals: approval_figures(&figures, &store.approvals_waiting()?),
        orders: order_figures(&figures),
        incidents: incident_figures(&figures, now_ms),
        circulars: circular_figures(&figures, now_ms),
        inspections: inspection_figures(&figures, now_ms),
        assets: asset_figures(&figures.assets),
        private_networks: private_network_figures(&figures, now_ms),
    })
}

/// Approvals waiting on this level (with the oldest's since when, from the
/// queue) and its own applications by stage, from the counters; unset
/// while it has never held one.
pub fn approval_figures(f: &Figures, waiting: &[(String, i64)]) -> Option<pb::ApprovalFigures> {
    if f.approvals_waiting == 0 && f.approvals_own.is_empty() && waiting.is_empty() {
        return None;
    }
    let own = |stage: &str| f.approvals_own.get(stage).copied().unwrap_or(0);
    Some(pb::ApprovalFigures {
        waiting: f.approvals_waiting,
        oldest_waiting_since_ms: waiting.iter().map(|(_, since)| *since).min().unwrap_or(0),
        own_pending: own("pending"),
        own_approved: own("approved"),
        own_rejected: own("rejected"),
    })
}

/// This node's own standing disconnection orders (Art.25(4)), from the
/// counters and the disconnection index; unset while none stands.
pub fn order_figures(f: &Figures) -> Option<pb::OrderFigures> {
    let o = &f.orders;
    (o.disconnected > 0 || !o.units.is_empty()).then(|| pb::OrderFigures {
        units_disconnected: o.disconnected,
        rectifications_open: o.open,
        rectifications_overdue: o.overdue,
        disconnected: o.units.clone(),
    })
}

/// This node's own security incidents (Art.26(1)), from the counters;
/// unset while it has never had one.
pub fn incident_figures(f: &Figures, now_ms: i64) -> Option<pb::IncidentFigures> {
    let i = &f.incidents;
    if i.major.is_empty() && i.other.is_empty() {
        return None;
    }
    let year = crate::calendar::year_of_ms(now_ms);
    Some(pb::IncidentFigures {
        major_this_year: i.major.get(&year).copied().unwrap_or(0),
        other_this_year: i.other.get(&year).copied().unwrap_or(0),
        awaiting_decision: i.awaiting,
        missing_departments: i.missing,
    })
}

/// The circulars this node issued and received (Art.28, Art.29), from the
/// counters; unset while it has never held one.
pub fn circular_figures(f: &Figures, now_ms: i64) -> Option<pb::CircularFigures> {
    if f.circulars_issued.is_empty() && f.circulars_received.is_empty() {
        return None;
    }
    let year = crate::calendar::year_of_ms(now_ms);
    Some(pb::CircularFigures {
        issued_this_year: f.circulars_issued.get(&year).copied().unwrap_or(0),
        received_this_year: f.circulars_received.get(&year).copied().unwrap_or(0),
    })
}

/// This node's own inspections (Art.28): this year's, and the
/// rectifications open, overdue and waiting for review; unset while it
/// has never recorded one.
pub fn inspection_figures(f: &Figures, now_ms: i64) -> Option<pb::InspectionFigures> {
    let i = &f.inspections;
    if i.by_year.is_empty() && i.open == 0 {
        return None;
    }
    let year = crate::calendar::year_of_ms(now_ms);
    Some(pb::InspectionFigures {
        this_year: i.by_year.get(&year).copied().unwrap_or(0),
        findings_open: i.open,
        findings_overdue: i.overdue,
        responses_waiting: i.responded,
    })
}

/// The asset register held here (Art.14, Art.18, Art.20), from the
/// counters; unset while no device or room is recorded.
pub fn asset_figures(a: &crate::store::AssetCounts) -> Option<pb::AssetFigures> {
    if a.devices.is_empty() && a.rooms == 0 {
        return None;
    }
    Some(pb::AssetFigures {
        devices_by_state: a.devices.clone().into_iter().collect(),
        violations: a.violations,
        rooms: a.rooms,
        rooms_checked_last_year: a.rooms_checked,
    })
}

/// This node's register of private networks (Art.5), from the counters;
/// unset while it has registered none.
pub fn private_network_figures(f: &Figures, now_ms: i64) -> Option<pb::PrivateNetworkFigures> {
    let p = &f.private_networks;
    if p.total == 0 {
        return None;
    }
    let n = |status: &str| p.by_status.get(status).copied().unwrap_or(0);
    let year = crate::calendar::year_of_ms(now_ms);
    Some(pb::PrivateNetworkFigures {
        total: p.total,
        unplanned: n("unplanned"),
        planned: n("planned"),
        migrated: n("migrated"),
        fees_still_paid_after_migration: p.fees_still_paid,
        migrated_this_year: p.migrated_by_year.get(&year).copied().unwrap_or(0),
    })
}

/// This node's own interruptions by phase, from the counters; unset while
/// it has never had one.
pub fn interruption_figures(f: &Figures, now_ms: i64) -> Option<pb::InterruptionFigures> {
    if f.interruptions.is_empty() && f.interruptions_finished.is_empty() {
        return None;
    }
    let n = |state: &str| f.interruptions.get(state).copied().unwrap_or(0);
    let year = crate::calendar::year_of_ms(now_ms);
    Some(pb::InterruptionFigures {
        pending: n("requested"),
        planned: n("approved"),
        under_way: n("under-way"),
        finished_this_year: f.interruptions_finished.get(&year).copied().unwrap_or(0),
    })
}

/// This node's own tickets: open by class and breached this year from the
/// counters `f` read, the warnings and the next deadline from the `open`
/// ones ([`NodeStore::open_faults`]). Unset while it has never had a ticket.
pub fn fault_figures(f: &Figures, open: &[crate::domain::FaultTicket], now_ms: i64) -> Option<pb::FaultFigures> {
    if f.faults_open.is_empty() && f.faults_breached.is_empty() && open.is_empty() {
        return None;
    }
    let policy = crate::domain::fault::WarnPolicy::default();
    let warning = open.iter().filter(|t| !t.warnings(now_ms, policy).is_empty()).count() as u64;
    let next_deadline_ms =
        open.iter().flat_map(|t| t.clocks(now_ms)).filter(|c| c.running).map(|c| c.deadline_ms).min().unwrap_or(0);
    let year = crate::calendar::year_of_ms(now_ms);
    Some(pb::FaultFigures {
        open_by_class: f.faults_open.iter().map(|(k, v)| (k.clone(), *v)).collect(),
        warning,
        breached_this_year: f.faults_breached.get(&year).copied().unwrap_or(0),
        next_deadline_ms,
    })
}

/// The figures of a node's records as its summary shows them.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordFigures {
    /// Own filings by kind and state.
    pub filings: Vec<pb::FilingCount>,
    /// Applications decided here; unset while it decides none.
    pub applications: Option<pb::ApplicationFigures>,
    /// Address pool; unset while the node holds no pool.
    pub addresses: Option<pb::AddressFigures>,
    /// Units; unset while there are none.
    pub units: Option<pb::UnitFigures>,
}

/// The summary's figures from the store's counters.
pub fn record_figures(f: &Figures) -> RecordFigures {
    let filings = f
        .filings
        .iter()
        .map(|(kind, state, count)| pb::FilingCount { kind: kind.clone(), state: state.clone(), count: *count })
        .collect();
    let applications = (!f.applications.is_empty()).then(|| pb::ApplicationFigures {
        by_state: f.applications.iter().map(|(k, v)| (k.clone(), *v)).collect(),
        overdue_reviews: f.overdue.reviews,
        overdue_implementations: f.overdue.implementations,
        overdue_notices: f.overdue.notices,
    });
    let units = (!f.units.is_empty())
        .then(|| pb::UnitFigures { by_status: f.units.iter().map(|(k, v)| (k.clone(), *v)).collect() });
    RecordFigures { filings, applications, addresses: address_figures(&f.space), units }
}

/// The pool's utilisation and the IPv6 share of its live assignments
/// (`store::address_shares`); unset while the node holds no pool.
fn address_figures(space: &[Space; 2]) -> Option<pb::AddressFigures> {
    let (pool_utilisation, ipv6_share) = crate::store::address_shares(space)?;
    Some(pb::AddressFigures { pool_utilisation, ipv6_share })
}
