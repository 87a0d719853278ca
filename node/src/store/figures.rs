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
//! everything once (`figures_rebuild.rs`).

use std::collections::BTreeMap;
use std::ops::Bound;

use chrono::NaiveDate;
use extranet_certs::NodeId;
use ipnet::IpNet;

use super::{NodeStore, TreeId, Tx, TxResult, abort};
use crate::calendar::WorkCalendar;
use crate::domain::approval::{MajorAdjustment, Stage};
use crate::domain::inspection::Inspection;
use crate::domain::ipam::{Assignment, Delegation, Reservation, size_of};
use crate::domain::{
    AccessUnit, Application, Choice, Circular, FaultState, FaultTicket, Filing, Incident, Interruption,
    InterruptionState, Order, OrderState, UpDecision,
};
use crate::error::{NodeError, Result};

/// Key of the marker saying every counter is complete, and its format.
pub(super) const MARKER: &[u8] = b"version";
/// Format of the counters (the marker's value).
pub(super) const FORMAT: u64 = 1;
/// Key of the applications whose deadlines a new calendar may move.
pub(super) const PROVISIONAL: &[u8] = b"provisional";
/// Format version byte of a counter value (then 16 bytes, big-endian).
const COUNTER_VERSION: u8 = 1;

/// One record's share of the counters: counter names and amounts.
pub(super) type Share = Vec<(Vec<u8>, u128)>;

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

/// An application for a major adjustment counts once as waiting where it
/// waits on this level, and at its applicant under its stage.
pub(super) fn approval_share(me: &NodeId, a: &MajorAdjustment) -> Share {
    let stage = a.stage();
    let mut share = Vec::new();
    if stage == Stage::Pending(me.clone()) {
        share.push((b"approvals/waiting".to_vec(), 1));
    }
    if &a.id.origin == me {
        share.push((format!("approvals/own/{}", stage.code()).into_bytes(), 1));
    }
    share
}

/// An own order counts as a disconnected unit while it stands, and as an
/// open rectification until the rectification is reported.
pub(super) fn order_share(me: &NodeId, o: &Order) -> Share {
    if &o.id.origin != me || !o.is_standing() {
        return Vec::new();
    }
    let mut share = vec![(b"orders/disconnected".to_vec(), 1)];
    if o.state == OrderState::Standing {
        share.push((b"orders/open".to_vec(), 1));
    }
    share
}

/// An own incident counts once under its majority and the year (Beijing
/// time) it was reported; while open, also as awaiting the decision
/// whether to report it up, and as missing a department if major.
pub(super) fn incident_share(me: &NodeId, i: &Incident) -> Share {
    if &i.id.origin != me {
        return Vec::new();
    }
    let class = if i.report.major { "major" } else { "other" };
    let year = crate::calendar::year_of_ms(i.reported_at_ms());
    let mut share = vec![(format!("incidents/{class}/{year}").into_bytes(), 1)];
    if !i.closed && i.decision == UpDecision::Undecided {
        share.push((b"incidents/awaiting".to_vec(), 1));
    }
    if !i.closed && !i.missing_departments().is_empty() {
        share.push((b"incidents/missing".to_vec(), 1));
    }
    share
}

/// An own inspection counts once under the year of its day, and each of
/// its rectifications not yet accepted as open (and as waiting for review
/// once answered); overdue ones are read from [`TreeId::RectificationDue`].
pub(super) fn inspection_share(me: &NodeId, i: &Inspection) -> Share {
    use crate::domain::inspection::RectificationState;
    if &i.id.origin != me {
        return Vec::new();
    }
    let mut share = vec![(format!("inspections/year/{}", chrono::Datelike::year(&i.date)).into_bytes(), 1)];
    for (_, r) in i.open() {
        share.push((b"inspections/open".to_vec(), 1));
        if r.state == RectificationState::Responded {
            share.push((b"inspections/responded".to_vec(), 1));
        }
    }
    share
}

/// A circular counts once under the year (Beijing time) it was issued: as
/// issued by its issuer, as received everywhere else.
pub(super) fn circular_share(me: &NodeId, c: &Circular) -> Share {
    let way = if &c.id.origin == me { "issued" } else { "received" };
    vec![(format!("circulars/{way}/{}", crate::calendar::year_of_ms(c.issued_at_ms)).into_bytes(), 1)]
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

/// Encodes a counter value.
pub(super) fn counter_value(n: u128) -> [u8; 17] {
    let mut out = [COUNTER_VERSION; 17];
    out[1..].copy_from_slice(&n.to_be_bytes());
    out
}

/// Decodes a counter value (absent = 0).
pub(super) fn read_counter(v: Option<&[u8]>) -> Result<u128> {
    let Some(v) = v else { return Ok(0) };
    match v.split_first() {
        Some((&COUNTER_VERSION, body)) => {
            let b = <[u8; 16]>::try_from(body).map_err(|_| NodeError::Store("汇总计数器已损坏".into()))?;
            Ok(u128::from_be_bytes(b))
        }
        _ => Err(NodeError::Store(format!("汇总计数器格式未知（{} 字节）", v.len()))),
    }
}

/// The changes to counters that replacing `old` by `new` makes: name →
/// (taken out, put in); unchanged names are left out.
pub(super) fn delta(old: Share, new: Share) -> BTreeMap<Vec<u8>, (u128, u128)> {
    let mut out: BTreeMap<Vec<u8>, (u128, u128)> = BTreeMap::new();
    for (k, n) in old {
        let e = out.entry(k).or_default();
        e.0 = e.0.saturating_add(n);
    }
    for (k, n) in new {
        let e = out.entry(k).or_default();
        e.1 = e.1.saturating_add(n);
    }
    out.retain(|_, (sub, add)| sub != add);
    out
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

    /// The calendar in force, parsed (for deadlines a calendar may move).
    pub(super) fn work_calendar(&self) -> TxResult<WorkCalendar> {
        Ok(self.calendar_document()?.work_calendar())
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
}

/// This node's own security incidents.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IncidentCounts {
    /// Major incidents by the year reported.
    pub major: BTreeMap<i32, u64>,
    /// Other incidents by the year reported.
    pub other: BTreeMap<i32, u64>,
    /// Open, not yet decided whether to report up.
    pub awaiting: u64,
    /// Open major incidents with a department not yet recorded.
    pub missing: u64,
}

/// This node's own supervision inspections and their rectifications.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InspectionCounts {
    /// Inspections by the year of their day.
    pub by_year: BTreeMap<i32, u64>,
    /// Rectifications not yet accepted.
    pub open: u64,
    /// Of them, answered and waiting for review.
    pub responded: u64,
    /// Of them, past their due date.
    pub overdue: u64,
}

fn inspection_counts(t: &dyn super::engine::Engine, today: NaiveDate) -> Result<InspectionCounts> {
    let one = |k: &str| -> Result<u64> { Ok(counts(t, k)?.first().map_or(0, |(_, n)| *n)) };
    let to = Bound::Excluded(today.to_string().into_bytes());
    let overdue = t.range(TreeId::RectificationDue, Bound::Unbounded, to).try_fold(0u64, |n, item| {
        item?;
        Ok::<_, NodeError>(n + 1)
    })?;
    Ok(InspectionCounts {
        by_year: by_year(counts(t, "inspections/year/")?),
        open: one("inspections/open")?,
        responded: one("inspections/responded")?,
        overdue,
    })
}

/// This node's own standing disconnection orders.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrderCounts {
    /// Units disconnected now (standing orders).
    pub disconnected: u64,
    /// Of them, rectification not yet reported.
    pub open: u64,
    /// Of them, past their deadline.
    pub overdue: u64,
    /// The units disconnected, by id.
    pub units: Vec<String>,
}

/// The standing orders from the disconnection index: one entry per
/// disconnected unit, so the scan is as long as the units cut off now.
fn order_counts(t: &dyn super::engine::Engine, today: NaiveDate) -> Result<OrderCounts> {
    let get = |k: &[u8]| -> Result<u64> {
        Ok(u64::try_from(read_counter(t.get(TreeId::Figures, k)?.as_deref())?).unwrap_or(u64::MAX))
    };
    let mut c =
        OrderCounts { disconnected: get(b"orders/disconnected")?, open: get(b"orders/open")?, ..Default::default() };
    for item in t.iter(TreeId::Disconnections) {
        let (unit, v) = item?;
        c.units.push(String::from_utf8_lossy(&unit).into_owned());
        if super::disconnection::Disconnection::decode(&v).is_some_and(|d| d.due < today) {
            c.overdue += 1;
        }
    }
    Ok(c)
}

fn counts(t: &dyn super::engine::Engine, prefix: &str) -> Result<Vec<(String, u64)>> {
    let mut out = Vec::new();
    for item in t.scan_prefix(TreeId::Figures, prefix.as_bytes()) {
        let (k, v) = item?;
        let name = String::from_utf8_lossy(&k[prefix.len()..]).into_owned();
        out.push((name, u64::try_from(read_counter(Some(&v))?).unwrap_or(u64::MAX)));
    }
    Ok(out)
}

fn by_year(counts: Vec<(String, u64)>) -> BTreeMap<i32, u64> {
    counts.into_iter().filter_map(|(y, n)| y.parse().ok().map(|y| (y, n))).collect()
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
                incidents: IncidentCounts {
                    major: by_year(counts(t, "incidents/major/")?),
                    other: by_year(counts(t, "incidents/other/")?),
                    awaiting: counts(t, "incidents/awaiting")?.first().map_or(0, |(_, n)| *n),
                    missing: counts(t, "incidents/missing")?.first().map_or(0, |(_, n)| *n),
                },
                circulars_issued: by_year(counts(t, "circulars/issued/")?),
                circulars_received: by_year(counts(t, "circulars/received/")?),
                inspections: inspection_counts(t, today)?,
            })
        })
    }
}
