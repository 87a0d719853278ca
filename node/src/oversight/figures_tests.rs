//! The summary's figures from the store's counters equal a full recount —
//! the scanning code the summary used before the counters, kept here as
//! the oracle — after a random mix of real operations at a region and a
//! prefecture whose events are carried between them: filings and their
//! receipts, units registered and suspended, applications lodged and
//! decided, address roots, delegations, assignments, reservations, frees
//! and a forced reclaim with its orphans ended below.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use extranet_federation::{Channel, EventStore, StreamId};
use extranet_proto::v1 as pb;

use super::summary::{RecordFigures, record_figures};
use crate::domain::ipam::{AssigneeId, Policy, Purpose};
use crate::domain::testing::sample;
use crate::domain::{AppState, ApplicationKind, UnitId, UnitStatus};
use crate::ops::access::Decision;
use crate::ops::ipam::Ipam;
use crate::ops::ipam::grant::AssignSpec;
use crate::store::{NodeStore, fixtures};

/// The figures as the summary computed them by scanning every record.
fn oracle(ipam: &Ipam, today: NaiveDate) -> RecordFigures {
    let store = ipam.store();
    let mut filings: BTreeMap<(&str, &str), u64> = BTreeMap::new();
    for f in store.filings(None, usize::MAX).unwrap().iter().filter(|f| &f.id.origin == store.me()) {
        *filings.entry((f.details.kind_code(), f.state_code())).or_default() += 1;
    }
    let filings = filings
        .into_iter()
        .map(|((kind, state), count)| pb::FilingCount { kind: kind.into(), state: state.into(), count })
        .collect();
    RecordFigures {
        filings,
        applications: application_figures(store, today),
        addresses: address_figures(ipam),
        units: unit_figures(store),
    }
}

fn address_figures(ipam: &Ipam) -> Option<pb::AddressFigures> {
    let s = ipam.summary().unwrap();
    let total: u128 = s.usage.iter().map(|u| u.total).sum();
    if total == 0 {
        return None;
    }
    let used: u128 = s.usage.iter().map(|u| u.delegated + u.assigned + u.reserved).sum();
    Some(pb::AddressFigures { pool_utilisation: used as f64 / total as f64, ipv6_share: s.ipv6_share })
}

fn application_figures(store: &NodeStore, today: NaiveDate) -> Option<pb::ApplicationFigures> {
    let mut mine: Vec<_> = store.applications().unwrap().into_iter().filter(|a| a.owned_by(store.me())).collect();
    if mine.is_empty() {
        return None;
    }
    let cal = store.calendar().unwrap();
    let mut f = pb::ApplicationFigures::default();
    for a in &mut mine {
        a.refresh_deadlines(&cal);
        *f.by_state.entry(a.state.zh().to_string()).or_default() += 1;
        for (name, _, _) in a.overdue(&cal, today) {
            match name {
                "审核" => f.overdue_reviews += 1,
                "实施" => f.overdue_implementations += 1,
                _ => f.overdue_notices += 1,
            }
        }
    }
    Some(f)
}

fn unit_figures(store: &NodeStore) -> Option<pb::UnitFigures> {
    let units = store.units().unwrap();
    if units.is_empty() {
        return None;
    }
    let mut f = pb::UnitFigures::default();
    for u in &units {
        *f.by_status.entry(u.status.zh().to_string()).or_default() += 1;
    }
    Some(f)
}

/// Carries every event `from` holds of its own `channel` that `to` lacks.
fn carry(from: &NodeStore, to: &NodeStore, channel: Channel) {
    let stream = StreamId { origin: from.me().clone(), channel };
    let held = to.cursors().unwrap().into_iter().find(|(s, _)| *s == stream).map_or(0, |(_, n)| n);
    for e in from.read(&stream, held, usize::MAX).unwrap() {
        to.accept(&e, true).unwrap();
    }
}

/// A deterministic pseudo-random sequence (no seed to chase in a failure).
struct Dice(u64);

impl Dice {
    fn roll(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

fn open(dir: &std::path::Path, me: &str) -> Ipam {
    let store = NodeStore::open(dir, me.parse().unwrap(), Arc::new(crate::replicate::DomainApplier::without_pki()));
    Ipam::new(store.unwrap(), Policy::default())
}

/// Both nodes' figures from counters equal the oracle's, today, in a
/// month and in a year (when every open deadline is overdue).
fn check(nodes: &[&Ipam], step: usize) {
    let today = crate::calendar::today();
    for ipam in nodes {
        for day in [today, today + chrono::Days::new(30), today + chrono::Days::new(400)] {
            let counted = record_figures(&ipam.store().figures(day).unwrap());
            assert_eq!(counted, oracle(ipam, day), "{} on {day}, after step {step}", ipam.store().me());
        }
    }
}

#[tokio::test]
async fn counters_equal_a_full_recount_after_a_random_mix_of_operations() {
    let (dr, dp) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (region, pref) = (open(dr.path(), "540000"), open(dp.path(), "540000/540100"));
    region.add_root("2001:db8::/32".parse().unwrap()).await.unwrap();
    region.add_root("10.0.0.0/8".parse().unwrap()).await.unwrap();
    let mut dice = Dice(11);
    let mut done = [0u32; 10];
    for step in 0..200 {
        let (at, other) = if dice.roll(2) == 0 { (&region, &pref) } else { (&pref, &region) };
        // decisions thrice as often: an application takes four to finish
        let op = [0, 1, 2, 3, 3, 3, 4, 5, 6, 7, 8, 9][dice.roll(12) as usize];
        if act(at, other, op, step, &mut dice).await {
            done[op] += 1;
        }
        carry(pref.store(), region.store(), Channel::Up);
        carry(region.store(), pref.store(), Channel::Down);
        pref.end_orphans().await.unwrap();
        check(&[&region, &pref], step);
    }
    assert!(done.iter().all(|n| *n > 0), "every kind of operation took effect at least once: {done:?}");
    let f = region.store().figures(crate::calendar::today()).unwrap();
    assert!(!f.filings.is_empty() && !f.units.is_empty() && f.space[0].total > 0, "{f:?}");
    region.store().close();
    pref.store().close();
}

/// One operation of kind `op` at `at` (its child or parent is `other`);
/// whether it took effect (a refused one changes nothing, which is checked
/// all the same).
async fn act(at: &Ipam, other: &Ipam, op: usize, step: usize, dice: &mut Dice) -> bool {
    let store = at.store();
    let me = store.me().clone();
    match op {
        0 => {
            let details = fixtures::filings()[dice.roll(2) as usize].details.clone();
            crate::ops::filing::file(store, details, "op").await.is_ok()
        }
        1 => {
            let mut unit = sample(ApplicationKind::New, crate::calendar::today()).unit;
            unit.id = UnitId::parse(&format!("u{step:04}")).unwrap();
            (unit.node, unit.division) = (me.clone(), me.clone());
            crate::ops::units::register(store, unit).await.is_ok()
        }
        2 => {
            let units = store.units().unwrap();
            let Some(u) = units.iter().find(|u| u.status == UnitStatus::Applying) else { return false };
            let form = sample(ApplicationKind::New, crate::calendar::today()).form;
            crate::ops::access::submit(store, &u.id, ApplicationKind::New, form, "op").await.is_ok()
        }
        3 => decide(store, dice).await,
        4 => {
            let units = store.units().unwrap();
            let Some(u) = units.iter().find(|u| matches!(u.status, UnitStatus::Connected | UnitStatus::Suspended))
            else {
                return false;
            };
            let to = if u.status == UnitStatus::Connected { UnitStatus::Suspended } else { UnitStatus::Connected };
            crate::ops::units::set_status(store, &u.id, to, "检修", "op").await.is_ok()
        }
        5 => assign(at, dice.roll(4) == 0, step).await,
        6 => {
            let live: Vec<u64> = store
                .ipam_assignments()
                .unwrap()
                .into_iter()
                .filter(|a| a.id.node == me && a.is_live())
                .map(|a| a.id.number)
                .collect();
            let Some(n) = live.get(dice.roll(live.len().max(1) as u64) as usize) else { return false };
            at.free(*n, "op", "不再使用").await.is_ok()
        }
        7 => {
            let child = if me.depth() == 1 { other.store().me().clone() } else { return false };
            at.delegate(&child, dice.roll(3) != 0, None, None, "op").await.is_ok()
        }
        8 => reserve(at, dice).await,
        _ => reclaim(at).await,
    }
}

/// Reclaims a live delegation by force (its records below become orphans).
async fn reclaim(at: &Ipam) -> bool {
    let me = at.store().me();
    let live = at.store().ipam_delegations().unwrap().into_iter().filter(|d| &d.parent == me && d.is_live());
    let Some(p) = live.map(|d| d.prefix).next() else { return false };
    at.reclaim_delegation(p, true, "op", "调整规划").await.is_ok()
}

/// The next step of the lifecycle of an application this node decides.
async fn decide(store: &NodeStore, dice: &mut Dice) -> bool {
    let apps = store.applications().unwrap();
    let open: Vec<_> = apps.iter().filter(|a| a.owned_by(store.me()) && !a.state.is_final()).collect();
    let Some(a) = open.get(dice.roll(open.len().max(1) as u64) as usize) else { return false };
    let decision = match a.state {
        AppState::Submitted => Decision::Review,
        AppState::UnderReview if dice.roll(3) == 0 => Decision::Reject("材料不全".into()),
        AppState::UnderReview => Decision::Approve("经汇聚节点接入".into()),
        AppState::Approved => Decision::StartImplementing,
        _ => Decision::Complete,
    };
    crate::ops::access::decide(store, &a.id.key(), decision, "op", Some("测试")).await.is_ok()
}

async fn assign(at: &Ipam, v4: bool, step: usize) -> bool {
    let spec = AssignSpec {
        v6: !v4,
        len: None,
        prefix: None,
        purpose: Purpose::AccessUnit,
        assignee: AssigneeId::new(&format!("u{step:04}")).unwrap(),
        serves: String::new(),
        ipv4_justification: v4.then(|| "老旧设备不支持 IPv6".to_string()),
        ipv4_approved_by: v4.then(|| "处长".to_string()),
    };
    at.assign(spec, "op").await.is_ok()
}

/// Reserves a free block, or releases a reservation held — at the region:
/// the pool leaves out a reservation in space the parent reclaimed, which
/// the counters count until it is released (see docs/architecture.md).
async fn reserve(at: &Ipam, dice: &mut Dice) -> bool {
    if at.store().me().depth() != 1 {
        return false;
    }
    let held = at.store().ipam_reservations().unwrap();
    if let Some(r) = held.first().filter(|_| dice.roll(2) == 0) {
        return at.unreserve(r.prefix).await.is_ok();
    }
    let Some(net) = at.available(56, true, 4).unwrap().last().copied() else { return false };
    at.reserve(net, "预留", "op").await.is_ok()
}
