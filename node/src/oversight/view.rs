//! The oversight view of a subtree: one row per node the topology lists
//! below the viewing node (and any node that reported without being in it),
//! with its health by the age of its latest summary and totals per subtree.
//! Ages are judged on the viewer's clock from when it heard each summary,
//! never from the reporting node's own clock, whose offset is shown instead.
//! Nothing disappears because it went quiet: a row exists for every
//! division of the topology, reported or not.

use std::collections::BTreeMap;

use extranet_certs::NodeId;
use extranet_proto::v1 as pb;

use crate::config::OversightConfig;
use crate::topology::Topology;

/// A summary held here, and when this node heard of it (its own clock).
pub struct Held {
    /// The node's summary.
    pub summary: pb::NodeSummary,
    /// When this node heard of it, by this node's clock, Unix ms.
    pub heard_at_ms: i64,
}

/// What makes a row stale or its clock suspect.
#[derive(Clone, Copy, Debug)]
pub struct Bounds {
    /// A summary heard longer ago than this is stale, ms.
    pub stale_after_ms: i64,
    /// A clock further off the viewer's than this is warned about, ms.
    pub skew_warn_ms: i64,
}

impl Bounds {
    /// The bounds configured in `[oversight]`.
    pub fn of(cfg: &OversightConfig) -> Self {
        let stale_after_ms = i64::try_from(cfg.stale_after().as_millis()).unwrap_or(i64::MAX);
        Bounds { stale_after_ms, skew_warn_ms: cfg.clock_skew_warn_ms() }
    }
}

/// Builds the view of `me`'s subtree from the latest `summaries` held (by
/// origin), as of `now_ms`; a node whose latest summary was heard longer
/// ago than the stale bound is stale, one with none never connected.
pub fn build_view(
    me: &NodeId,
    topo: &Topology,
    summaries: BTreeMap<NodeId, Held>,
    now_ms: i64,
    bounds: Bounds,
) -> pb::OversightView {
    let stale_after_ms = bounds.stale_after_ms;
    let mut rows: BTreeMap<NodeId, pb::OversightRow> = BTreeMap::new();
    for d in topo.subtree(me) {
        let row = pb::OversightRow {
            node: d.id.to_string(),
            level: d.level.clone(),
            name_zh: d.name_zh.clone(),
            name_en: d.name_en.clone(),
            ..Default::default()
        };
        rows.insert(d.id.clone(), row);
    }
    for (id, held) in summaries.into_iter().filter(|(id, _)| id.is_within(me)) {
        let row =
            rows.entry(id.clone()).or_insert_with(|| pb::OversightRow { node: id.to_string(), ..Default::default() });
        row.heard_at_ms = held.heard_at_ms;
        row.clock_offset_ms = held.summary.generated_at_ms.saturating_sub(held.heard_at_ms);
        row.clock_skewed = row.clock_offset_ms.saturating_abs() > bounds.skew_warn_ms;
        row.summary = Some(held.summary);
    }
    for row in rows.values_mut() {
        let (health, age) = match &row.summary {
            None => (pb::Health::NeverConnected, 0),
            Some(_) => {
                let age = now_ms.saturating_sub(row.heard_at_ms).max(0);
                (if age > stale_after_ms { pb::Health::Stale } else { pb::Health::Ok }, age)
            }
        };
        row.set_health(health);
        row.age_ms = age;
    }
    // Each row's own figures count in its subtree and in each listed
    // ancestor's: O(rows × depth), where comparing every pair of rows is
    // 12 million comparisons for a national tree of 3,442 rows.
    let mut subtree: BTreeMap<NodeId, pb::Totals> = BTreeMap::new();
    for (id, row) in &rows {
        let own = own_totals(row);
        for at in std::iter::once(id.clone()).chain(id.ancestors()).filter(|a| rows.contains_key(a)) {
            let t = subtree.entry(at).or_default();
            *t = add(t, &own);
        }
    }
    for (id, row) in rows.iter_mut() {
        row.subtree = Some(subtree.remove(id).unwrap_or_default());
    }
    pb::OversightView { node: me.to_string(), now_ms, stale_after_ms, rows: rows.into_values().collect() }
}

/// The figures of one row alone, as totals.
pub fn own_totals(row: &pb::OversightRow) -> pb::Totals {
    let health = row.health();
    let mut t = pb::Totals {
        nodes: 1,
        ok: u32::from(health == pb::Health::Ok),
        stale: u32::from(health == pb::Health::Stale),
        never_connected: u32::from(health == pb::Health::NeverConnected),
        ..Default::default()
    };
    if let Some(s) = &row.summary {
        t.filings = saturating_sum(s.filings.iter().map(|f| f.count));
        t.filings_awaiting_receipts =
            saturating_sum(s.filings.iter().filter(|f| f.state == "awaiting_receipts").map(|f| f.count));
        t.backlog = s.owed_to_parent.as_ref().map_or(0, |b| b.count);
        t.overdue = s
            .applications
            .as_ref()
            .map_or(0, |a| saturating_sum([a.overdue_reviews, a.overdue_implementations, a.overdue_notices]));
        t.calendar_missing = u32::from(!s.calendar_warning.is_empty());
        if let Some(f) = &s.faults {
            t.open_faults = saturating_sum(f.open_by_class.values().copied());
            t.faults_warning = f.warning;
            t.faults_breached = f.breached_this_year;
        }
        if let Some(a) = &s.approvals {
            t.approvals_waiting = a.waiting;
            t.approvals_oldest_waiting_since_ms = a.oldest_waiting_since_ms;
        }
        if let Some(i) = &s.interruptions {
            t.interruptions_pending = i.pending;
            t.interruptions_planned = i.planned;
            t.interruptions_under_way = i.under_way;
            t.interruptions_finished = i.finished_this_year;
        }
        if let Some(o) = &s.orders {
            t.units_disconnected = o.units_disconnected;
            t.rectifications_open = o.rectifications_open;
            t.rectifications_overdue = o.rectifications_overdue;
        }
        if let Some(i) = &s.incidents {
            t.incidents_major_this_year = i.major_this_year;
            t.incidents_other_this_year = i.other_this_year;
        }
        if let Some(c) = &s.circulars {
            t.circulars_issued_this_year = c.issued_this_year;
        }
        if let Some(i) = &s.inspections {
            t.findings_open = i.findings_open;
            t.findings_overdue = i.findings_overdue;
            t.inspections_this_year = i.this_year;
        }
        if let Some(a) = &s.assets {
            let state = |k: &str| a.devices_by_state.get(k).copied().unwrap_or(0);
            t.devices = saturating_sum(a.devices_by_state.values().copied());
            t.devices_in_service = state("in-service");
            t.devices_to_reclaim = state("to-reclaim");
            t.device_violations = a.violations;
            t.rooms = a.rooms;
            t.rooms_checked_last_year = a.rooms_checked_last_year;
        }
        if let Some(p) = &s.private_networks {
            t.private_networks = p.total;
            t.private_networks_unplanned = p.unplanned;
            t.private_networks_planned = p.planned;
            t.private_networks_migrated = p.migrated;
            t.private_networks_fees_still_paid = p.fees_still_paid_after_migration;
            t.private_networks_migrated_this_year = p.migrated_this_year;
        }
    }
    t
}

/// Figures come from peers' summaries: a sum stops at `u64::MAX` rather
/// than panicking (debug) or wrapping to a small number (release).
fn saturating_sum(xs: impl IntoIterator<Item = u64>) -> u64 {
    xs.into_iter().fold(0, u64::saturating_add)
}

/// The earlier of two instants where 0 means none.
fn oldest(a: i64, b: i64) -> i64 {
    match (a, b) {
        (0, x) | (x, 0) => x,
        (a, b) => a.min(b),
    }
}

fn add(a: &pb::Totals, b: &pb::Totals) -> pb::Totals {
    pb::Totals {
        nodes: a.nodes.saturating_add(b.nodes),
        ok: a.ok.saturating_add(b.ok),
        stale: a.stale.saturating_add(b.stale),
        never_connected: a.never_connected.saturating_add(b.never_connected),
        filings: a.filings.saturating_add(b.filings),
        filings_awaiting_receipts: a.filings_awaiting_receipts.saturating_add(b.filings_awaiting_receipts),
        backlog: a.backlog.saturating_add(b.backlog),
        overdue: a.overdue.saturating_add(b.overdue),
        calendar_missing: a.calendar_missing.saturating_add(b.calendar_missing),
        open_faults: a.open_faults.saturating_add(b.open_faults),
        faults_warning: a.faults_warning.saturating_add(b.faults_warning),
        faults_breached: a.faults_breached.saturating_add(b.faults_breached),
        interruptions_pending: a.interruptions_pending.saturating_add(b.interruptions_pending),
        interruptions_planned: a.interruptions_planned.saturating_add(b.interruptions_planned),
        interruptions_under_way: a.interruptions_under_way.saturating_add(b.interruptions_under_way),
        interruptions_finished: a.interruptions_finished.saturating_add(b.interruptions_finished),
        approvals_waiting: a.approvals_waiting.saturating_add(b.approvals_waiting),
        approvals_oldest_waiting_since_ms: oldest(
            a.approvals_oldest_waiting_since_ms,
            b.approvals_oldest_waiting_since_ms,
        ),
        units_disconnected: a.units_disconnected.saturating_add(b.units_disconnected),
        rectifications_open: a.rectifications_open.saturating_add(b.rectifications_open),
        rectifications_overdue: a.rectifications_overdue.saturating_add(b.rectifications_overdue),
        incidents_major_this_year: a.incidents_major_this_year.saturating_add(b.incidents_major_this_year),
        incidents_other_this_year: a.incidents_other_this_year.saturating_add(b.incidents_other_this_year),
        circulars_issued_this_year: a.circulars_issued_this_year.saturating_add(b.circulars_issued_this_year),
        findings_open: a.findings_open.saturating_add(b.findings_open),
        findings_overdue: a.findings_overdue.saturating_add(b.findings_overdue),
        inspections_this_year: a.inspections_this_year.saturating_add(b.inspections_this_year),
        devices: a.devices.saturating_add(b.devices),
        devices_in_service: a.devices_in_service.saturating_add(b.devices_in_service),
        devices_to_reclaim: a.devices_to_reclaim.saturating_add(b.devices_to_reclaim),
        device_violations: a.device_violations.saturating_add(b.device_violations),
        rooms: a.rooms.saturating_add(b.rooms),
        rooms_checked_last_year: a.rooms_checked_last_year.saturating_add(b.rooms_checked_last_year),
        private_networks: a.private_networks.saturating_add(b.private_networks),
        private_networks_unplanned: a.private_networks_unplanned.saturating_add(b.private_networks_unplanned),
        private_networks_planned: a.private_networks_planned.saturating_add(b.private_networks_planned),
        private_networks_migrated: a.private_networks_migrated.saturating_add(b.private_networks_migrated),
        private_networks_fees_still_paid: a
            .private_networks_fees_still_paid
            .saturating_add(b.private_networks_fees_still_paid),
        private_networks_migrated_this_year: a
            .private_networks_migrated_this_year
            .saturating_add(b.private_networks_migrated_this_year),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> NodeId {
        NodeId::parse(s).unwrap()
    }

    fn summary(at: i64, cutovers: u64) -> pb::NodeSummary {
        let filings = vec![pb::FilingCount { kind: "cutover".into(), state: "acknowledged".into(), count: cutovers }];
        pb::NodeSummary { generated_at_ms: at, filings, ..Default::default() }
    }

    /// Held as heard at `heard`, produced at `at` by the node's own clock.
    fn held(summary: pb::NodeSummary, heard: i64) -> Held {
        Held { summary, heard_at_ms: heard }
    }

    const BOUNDS: Bounds = Bounds { stale_after_ms: 5_000, skew_warn_ms: 120_000 };

    #[test]
    fn every_division_is_listed_with_health_and_subtree_totals() {
        let topo = Topology::xizang();
        let ngari = n("540000/542500");
        let held: BTreeMap<NodeId, Held> = [
            (ngari.clone(), held(summary(1_000, 0), 1_000)),
            (n("540000/542500/542521"), held(summary(9_000, 2), 9_000)), // fresh
            (n("540000/542500/542522"), held(summary(1_000, 3), 1_000)), // stale
        ]
        .into();
        let v = build_view(&ngari, &topo, held, 10_000, BOUNDS);
        assert_eq!(v.rows.len(), 8, "Ngari and its 7 counties, reported or not");
        let row = |code: &str| v.rows.iter().find(|r| r.node.ends_with(code)).unwrap();
        assert_eq!(row("542521").health(), pb::Health::Ok);
        assert_eq!(row("542522").health(), pb::Health::Stale);
        assert_eq!(row("542522").age_ms, 9_000);
        assert_eq!(row("542523").health(), pb::Health::NeverConnected);
        let t = row("542500").subtree.unwrap();
        assert_eq!((t.nodes, t.ok, t.stale, t.never_connected, t.filings), (8, 1, 2, 5, 5));
    }

    /// A node that reports without being in the topology has a row of its
    /// own and counts in every listed ancestor's totals, not in a sibling's.
    #[test]
    fn an_unlisted_reporter_counts_in_its_ancestors_totals() {
        let topo = Topology::xizang();
        let region = n("540000");
        let held: BTreeMap<NodeId, Held> = [
            (n("540000/542500/542599"), held(summary(9_000, 4), 9_000)),
            (n("540000/542500/542521"), held(summary(9_000, 1), 9_000)),
        ]
        .into();
        let v = build_view(&region, &topo, held, 10_000, BOUNDS);
        assert_eq!(v.rows.len(), 83, "the 82 divisions and the unlisted county");
        let total = |code: &str| v.rows.iter().find(|r| r.node.ends_with(code)).unwrap().subtree.unwrap();
        assert_eq!((total("542599").filings, total("542599").nodes), (4, 1));
        assert_eq!((total("542500").filings, total("542500").nodes, total("542500").ok), (5, 9, 2));
        assert_eq!((total("540000").filings, total("540000").nodes), (5, 83));
        assert_eq!(total("540600").filings, 0, "another prefecture");
    }

    /// Peers' figures near u64::MAX neither panic (debug) nor wrap
    /// (release): every sum stops at u64::MAX.
    #[test]
    fn huge_figures_from_peers_saturate() {
        let topo = Topology::xizang();
        let ngari = n("540000/542500");
        let mut huge = summary(9_000, u64::MAX - 1);
        huge.filings.push(pb::FilingCount { kind: "launch".into(), state: "awaiting_receipts".into(), count: 5 });
        huge.owed_to_parent = Some(pb::Backlog { count: u64::MAX, oldest_created_at_ms: 0 });
        huge.applications = Some(pb::ApplicationFigures {
            overdue_reviews: u64::MAX,
            overdue_implementations: u64::MAX,
            overdue_notices: 1,
            ..Default::default()
        });
        huge.calendar_warning = "2027 年节假日安排尚未发布".into();
        let mut from_the_past = huge.clone();
        from_the_past.generated_at_ms = i64::MIN;
        let held: BTreeMap<NodeId, Held> = [
            (n("540000/542500/542521"), held(huge, 9_000)),
            (n("540000/542500/542522"), held(from_the_past, i64::MIN)),
        ]
        .into();
        let v = build_view(&ngari, &topo, held, 10_000, BOUNDS);
        let t = v.rows.iter().find(|r| r.node.ends_with("542500")).unwrap().subtree.unwrap();
        assert_eq!((t.filings, t.filings_awaiting_receipts, t.backlog, t.overdue), (u64::MAX, 10, u64::MAX, u64::MAX));
        assert_eq!(t.calendar_missing, 2, "the region sees which nodes lack next year's calendar");
        let past = v.rows.iter().find(|r| r.node.ends_with("542522")).unwrap();
        assert_eq!((past.health(), past.age_ms), (pb::Health::Stale, i64::MAX), "an absurd clock saturates");
    }

    /// Tried: a county a day ahead was shown healthy with age 0; a county
    /// 10 minutes behind, connected and reporting, was shown stale. Health
    /// follows when the viewer heard, and the offset is flagged instead.
    #[test]
    fn health_follows_when_the_viewer_heard_not_the_nodes_clock_and_a_skewed_clock_is_flagged() {
        let topo = Topology::xizang();
        let ngari = n("540000/542500");
        let day = 86_400_000;
        let held: BTreeMap<NodeId, Held> = [
            // A day ahead, heard long ago: stale, whatever its clock says.
            (n("540000/542500/542521"), held(summary(1_000 + day, 0), 1_000)),
            // Ten minutes behind, heard just now: healthy.
            (n("540000/542500/542522"), held(summary(10_000 - 600_000, 0), 10_000)),
            // On time.
            (n("540000/542500/542523"), held(summary(9_500, 0), 9_500)),
        ]
        .into();
        let v = build_view(&ngari, &topo, held, 10_000, BOUNDS);
        let row = |code: &str| v.rows.iter().find(|r| r.node.ends_with(code)).unwrap().clone();
        let ahead = row("542521");
        assert_eq!(
            (ahead.health(), ahead.age_ms, ahead.clock_offset_ms, ahead.clock_skewed),
            (pb::Health::Stale, 9_000, day, true)
        );
        let behind = row("542522");
        assert_eq!(
            (behind.health(), behind.age_ms, behind.clock_offset_ms, behind.clock_skewed),
            (pb::Health::Ok, 0, -600_000, true)
        );
        let on_time = row("542523");
        assert_eq!((on_time.health(), on_time.clock_skewed), (pb::Health::Ok, false));
    }
}
