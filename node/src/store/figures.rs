//! The figures of this node's status summary, kept as counters: each record
//! writer of the store (`put_filing`, `put_application`, `put_unit`, the
//! address writers) takes the old record's share out of the counters and
//! puts the new one's in, in the same transaction as the record. No caller
//! can write a record without counting it, and a summary reads a few
//! counters instead of scanning a history that is never deleted.
//!
//! Counters live in [`TreeId::Figures`] under readable names (the share of
//! one record below); the open Art.16 deadlines of the applications this
//! node decides live in [`TreeId::DeadlineIndex`] keyed by due date, so the
//! overdue ones are a range scan up to today. A store written before the
//! counters existed has no [`MARKER`]: [`NodeStore::open_with`] then counts
//! everything once (`figures_rebuild.rs`). The supervision records'
//! shares and counts are in `figures_supervision.rs`; the counter format
//! both use is `counter.rs`.

use std::collections::BTreeMap;
use std::ops::Bound;

use chrono::NaiveDate;
use extranet_certs::NodeId;
use ipnet::IpNet;

pub(super) use super::counter::{Share, counter_value, read_counter};
use super::counter::{by_year, counts, delta};
pub use super::figures_supervision::{IncidentCounts, InspectionCounts, OrderCounts};
pub(super) use super::figures_supervision::{
    approval_share, circular_share, incident_share, inspection_share, order_share,
};
use super::figures_supervision::{incident_counts, inspection_counts, order_counts};
use super::{NodeStore, TreeId, Tx, TxResult, abort};
use crate::domain::ipam::{Assignment, Delegation, Reservation, size_of};
use crate::domain::{
    AccessUnit, Application, Choice, FaultState, FaultTicket, Filing, Interruption, InterruptionState,
};
use crate::error::Result;

/// Key of the marker saying every counter is complete, and its format.
pub(super) const MARKER: &[u8] = b"version";
/// Format of the counters (the marker's value). 2: the applications a new
/// calendar may move are every running one (the correction policy), not
/// only those with a provisional deadline.
pub(super) const FORMAT: u64 = 2;
/// Key of the applications whose deadlines a new calendar may move.
pub(super) const PROVISIONAL: &[u8] = b"recomputable";
fn family(net: &IpNet) -> &'static str {
    if matches!(net, IpNet::V6(_)) { "v6" } else { "v4" }
}

fn space(net: &IpNet, what: &str) -> (Vec<u8>, u128) {
    (format!("space/{}/{what}", family(net)).into_bytes(), size_of(net))
}

/// An own filing counts once under its kind and state; a replica not at all.
pub(super) fn filing_share(me: &NodeId, f: &Filing) -> Share {
    if &f.id.origin != me {
        return Vec::new();
    }
    vec![(format!("filings/{}/{}", f.details.kind_code(), f.state_code()).into_bytes(), 1)]
}

/// An own ticket counts under its class while open, and each of its
/// breaches under the year (Beijing time) of the deadline missed.
pub(super) fn fault_share(me: &NodeId, t: &FaultTicket) -> Share {
    if &t.id.origin != me {
        return Vec::new();
    }
    let mut share = Vec::new();
    if t.state != FaultState::Closed {
        share.push((format!("faults/open/{}", t.policy.class.value()).into_bytes(), 1));
    }
    for b in &t.breaches {
        share.push((format!("faults/breached/{}", crate::calendar::year_of_ms(b.deadline_ms)).into_bytes(), 1));
    }
    share
}

/// An own interruption counts under its state while pending, planned or
/// under way, and once finished under the year (Beijing time) it ended.
pub(super) fn interruption_share(me: &NodeId, i: &Interruption) -> Share {
    if &i.id.origin != me {
        return Vec::new();
    }
    let name = match i.state {
        InterruptionState::Finished => {
            let ended = i.entered_ms(InterruptionState::Finished).unwrap_or_default();
            format!("interruptions/finished/{}", crate::calendar::year_of_ms(ended))
        }
        s if s.is_final() => return Vec::new(),
        s => format!("interruptions/{}", s.value()),
    };
    vec![(name.into_bytes(), 1)]
}

/// An application this node decides counts once under its state.
pub(super) fn application_share(me: &NodeId, a: &Application) -> Share {
    if !a.owned_by(me) {
        return Vec::new();
    }
    vec![(format!("applications/{}", a.state.zh()).into_bytes(), 1)]
}

/// A unit registered here counts once under its status.
pub(super) fn unit_share(u: &AccessUnit) -> Share {
    vec![(format!("units/{}", u.status.zh()).into_bytes(), 1)]
}

/// A live delegation to this node is space it holds (a root of its pool);
/// one it made is space delegated.
pub(super) fn delegation_share(me: &NodeId, d: &Delegation) -> Share {
    let mut out = Vec::new();
    if d.is_live() && &d.child == me {
        out.push(space(&d.prefix, "total"));
    }
    if d.is_live() && &d.parent == me {
        out.push(space(&d.prefix, "delegated"));
    }
    out
}

/// A live assignment this node made is space assigned, and one assignment
/// of its family (the IPv6 share, Art.6).
pub(super) fn assignment_share(me: &NodeId, a: &Assignment) -> Share {
    if !a.is_live() || &a.id.node != me {
        return Vec::new();
    }
    vec![space(&a.prefix, "assigned"), (format!("assignments/{}", family(&a.prefix)).into_bytes(), 1)]
}

/// A reservation is space reserved.
pub(super) fn reservation_share(r: &Reservation) -> Share {
    vec![space(&r.prefix, "reserved")]
}

/// A root pool is space held, at the top node (whose pool it is).
pub(super) fn root_share(me: &NodeId, net: &IpNet) -> Share {
    if me.depth() == 1 { vec![space(net, "total")] } else { Vec::new() }
}

impl Tx<'_> {
    /// Replaces the share `old` of a record by `new` in the counters. A
    /// counter that reaches 0 is removed, so a figure lists only what exists.
    pub(super) fn count(&mut self, old: Share, new: Share) -> TxResult<()> {
        for (k, (sub, add)) in delta(old, new) {
            let held = read_counter(self.get(TreeId::Figures, &k)?.as_deref()).or_else(abort)?;
            let n = if add >= sub { held.saturating_add(add - sub) } else { held.saturating_sub(sub - add) };
            if n == 0 {
                self.remove(TreeId::Figures, &k)?;
            } else {
                self.insert(TreeId::Figures, &k, counter_value(n))?;
            }
        }
        Ok(())
    }
}

/// Overdue Art.16 deadlines by kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Overdue {
    /// Reviews past due (审核).
    pub reviews: u64,
    /// Implementations past due (实施).
    pub implementations: u64,
    /// Written rejection notices past due (书面告知).
    pub notices: u64,
}

/// The address space of one family, in addresses, and the live assignments.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Space {
    /// Held: the roots of the pool.
    pub total: u128,
    /// Delegated to children.
    pub delegated: u128,
    /// Assigned here.
    pub assigned: u128,
    /// Reserved here.
    pub reserved: u128,
    /// Live assignments made here.
    pub assignments: u128,
}

/// Share of the pool delegated, assigned or reserved, and the IPv6 share
/// of the live assignments (Art.6; 1 when there are none), each 0..1; none
/// while the node holds no pool. Oversight and the annual report show the
/// same two figures from this one function.
pub fn address_shares(space: &[Space; 2]) -> Option<(f64, f64)> {
    let total: u128 = space.iter().map(|s| s.total).fold(0, u128::saturating_add);
    if total == 0 {
        return None;
    }
    let used = space.iter().map(|s| s.delegated.saturating_add(s.assigned).saturating_add(s.reserved));
    let used = used.fold(0, u128::saturating_add);
    let [v6, v4] = space;
    let all = v6.assignments.saturating_add(v4.assignments);
    let ipv6_share = if all == 0 { 1.0 } else { v6.assignments as f64 / all as f64 };
    Some((used as f64 / total as f64, ipv6_share))
}

/// What a summary shows of this node's records, read from the counters.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Figures {
    /// Own filings by (kind, state), in that order.
    pub filings: Vec<(String, String, u64)>,
    /// Applications this node decides, by state (Chinese name).
    pub applications: BTreeMap<String, u64>,
    /// Their open deadlines past due.
    pub overdue: Overdue,
    /// Units registered here, by status (Chinese name).
    pub units: BTreeMap<String, u64>,
    /// IPv6 space, then IPv4.
    pub space: [Space; 2],
    /// Own open fault tickets by class (`backbone`, `urban`, `remote-township`).
    pub faults_open: BTreeMap<String, u64>,
    /// Breaches of own tickets by the year of the deadline missed.
    pub faults_breached: BTreeMap<i32, u64>,
    /// Own interruptions pending, approved (planned) and under way, by
    /// state value (`requested`, `approved`, `under-way`).
    pub interruptions: BTreeMap<String, u64>,
    /// Own interruptions finished, by the year they ended.
    pub interruptions_finished: BTreeMap<i32, u64>,
    /// Applications for a major adjustment waiting on this level.
    pub approvals_waiting: u64,
    /// This node's own applications by stage code (`pending`, `approved`, `rejected`).
    pub approvals_own: BTreeMap<String, u64>,
    /// Own disconnection orders (Art.25(4)).
    pub orders: OrderCounts,
    /// Own security incidents (Art.26(1)).
    pub incidents: IncidentCounts,
    /// Circulars issued here, by the year issued (Art.28, Art.29).
    pub circulars_issued: BTreeMap<i32, u64>,
    /// Circulars received from ancestors, by the year issued.
    pub circulars_received: BTreeMap<i32, u64>,
    /// Own supervision inspections (Art.28).
    pub inspections: InspectionCounts,
    /// Access-point devices and rooms held here (Art.14, Art.18, Art.20).
    pub assets: super::AssetCounts,
    /// Own non-classified private networks (Art.5).
    pub private_networks: super::PrivateNetworkCounts,
}

fn space_of(t: &dyn super::engine::Engine, fam: &str) -> Result<Space> {
    let get = |what: &str| -> Result<u128> {
        read_counter(t.get(TreeId::Figures, format!("space/{fam}/{what}").as_bytes())?.as_deref())
    };
    let assignments = read_counter(t.get(TreeId::Figures, format!("assignments/{fam}").as_bytes())?.as_deref())?;
    Ok(Space {
        total: get("total")?,
        delegated: get("delegated")?,
        assigned: get("assigned")?,
        reserved: get("reserved")?,
        assignments,
    })
}

/// The open deadlines due before `today`, by kind: a scan of the overdue
/// ones only.
fn overdue(t: &dyn super::engine::Engine, today: NaiveDate) -> Result<Overdue> {
    let mut o = Overdue::default();
    let to = Bound::Excluded(today.to_string().into_bytes());
    for item in t.range(TreeId::DeadlineIndex, Bound::Unbounded, to) {
        let (k, _) = item?;
        let stage = k.rsplit(|b| *b == 0).next().unwrap_or_default();
        match stage {
            s if s == "审核".as_bytes() => o.reviews += 1,
            s if s == "实施".as_bytes() => o.implementations += 1,
            _ => o.notices += 1,
        }
    }
    Ok(o)
}

impl NodeStore {
    /// This node's summary figures as of `today`, from the counters: a few
    /// short scans, whatever the history held.
    pub fn figures(&self, today: NaiveDate) -> Result<Figures> {
        self.view(|t| {
            let mut filings = Vec::new();
            for (name, n) in counts(t, "filings/")? {
                let (kind, state) = name.split_once('/').unwrap_or((&name, ""));
                filings.push((kind.to_string(), state.to_string(), n));
            }
            Ok(Figures {
                filings,
                applications: counts(t, "applications/")?.into_iter().collect(),
                overdue: overdue(t, today)?,
                units: counts(t, "units/")?.into_iter().collect(),
                space: [space_of(t, "v6")?, space_of(t, "v4")?],
                faults_open: counts(t, "faults/open/")?.into_iter().collect(),
                faults_breached: by_year(counts(t, "faults/breached/")?),
                interruptions: counts(t, "interruptions/")?.into_iter().filter(|(k, _)| !k.contains('/')).collect(),
                interruptions_finished: by_year(counts(t, "interruptions/finished/")?),
                approvals_waiting: counts(t, "approvals/waiting")?.first().map_or(0, |(_, n)| *n),
                approvals_own: counts(t, "approvals/own/")?.into_iter().collect(),
                orders: order_counts(t, today)?,
                incidents: incident_counts(t)?,
                circulars_issued: by_year(counts(t, "circulars/issued/")?),
                circulars_received: by_year(counts(t, "circulars/received/")?),
                inspections: inspection_counts(t, today)?,
                assets: super::assets::asset_counts(t, today)?,
                private_networks: super::private_networks::private_network_counts(t)?,
            })
        })
    }
}
