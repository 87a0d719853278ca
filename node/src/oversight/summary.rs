//! This node's own status summary: identity, link health, certificate
//! expiry and the figures of its records.

use extranet_certs::TlsMaterial;
use extranet_federation::{Backlog, Engine};
use extranet_proto::v1 as pb;

use crate::error::Result;
use crate::ops::ipam::Ipam;
use crate::store::NodeStore;

fn backlog(b: &Backlog) -> pb::Backlog {
    pb::Backlog { count: b.count, oldest_created_at_ms: b.oldest_created_at_ms }
}

/// Builds this node's summary as of `now_ms`, with the figures of its
/// records: filings, the applications it decides and their overdue
/// deadlines, its units, and its address pool.
pub fn build_summary(
    ipam: &Ipam,
    engine: &Engine<NodeStore>,
    tls: &TlsMaterial,
    now_ms: i64,
) -> Result<pb::NodeSummary> {
    let store = ipam.store();
    let links = engine.status()?;
    let parent = links.parent.as_ref();
    let filings = store
        .own_filing_counts()?
        .into_iter()
        .map(|((kind, state), count)| pb::FilingCount { kind: kind.into(), state: state.into(), count })
        .collect();
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
        filings,
        applications: application_figures(store)?,
        addresses: address_figures(ipam)?,
        units: unit_figures(store)?,
        calendar_warning: store.calendar_warning(crate::calendar::today())?.unwrap_or_default(),
    })
}

/// Share of this node's pool delegated, assigned or reserved, and the IPv6
/// share of its assignments (Art.6); unset while the node holds no pool.
fn address_figures(ipam: &Ipam) -> Result<Option<pb::AddressFigures>> {
    let s = ipam.summary()?;
    let total: u128 = s.usage.iter().map(|u| u.total).sum();
    if total == 0 {
        return Ok(None);
    }
    let used: u128 = s.usage.iter().map(|u| u.delegated + u.assigned + u.reserved).sum();
    Ok(Some(pb::AddressFigures { pool_utilisation: used as f64 / total as f64, ipv6_share: s.ipv6_share }))
}

/// The applications this node decides, by state, and their Art.16 deadlines
/// past due today; unset while it decides none.
fn application_figures(store: &NodeStore) -> Result<Option<pb::ApplicationFigures>> {
    let mut mine: Vec<_> = store.applications()?.into_iter().filter(|a| a.owned_by(store.me())).collect();
    if mine.is_empty() {
        return Ok(None);
    }
    let (cal, today) = (store.calendar()?, crate::calendar::today());
    for a in &mut mine {
        a.refresh_deadlines(&cal);
    }
    let mut f = pb::ApplicationFigures::default();
    for a in &mine {
        *f.by_state.entry(a.state.zh().to_string()).or_default() += 1;
        for (name, _, _) in a.overdue(&cal, today) {
            match name {
                "审核" => f.overdue_reviews += 1,
                "实施" => f.overdue_implementations += 1,
                _ => f.overdue_notices += 1,
            }
        }
    }
    Ok(Some(f))
}

/// The access units registered here, by status; unset while there are none.
fn unit_figures(store: &NodeStore) -> Result<Option<pb::UnitFigures>> {
    let units = store.units()?;
    if units.is_empty() {
        return Ok(None);
    }
    let mut f = pb::UnitFigures::default();
    for u in &units {
        *f.by_status.entry(u.status.zh().to_string()).or_default() += 1;
    }
    Ok(Some(f))
}
