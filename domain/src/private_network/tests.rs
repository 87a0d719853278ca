use chrono::NaiveDate;
use extranet_ids::NodeId;

use super::*;
use crate::calendar::parse_beijing_ms;
use crate::error::DomainError;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn now() -> i64 {
    parse_beijing_ms("at", "2026-03-02 09:30").unwrap()
}

fn request() -> PrivateNetworkDetails {
    crate::testing::private_network_details()
}

fn id() -> PrivateNetworkId {
    PrivateNetworkId { origin: NodeId::parse("540000/540100/540102").unwrap(), number: 1 }
}

fn registered() -> PrivateNetwork {
    PrivateNetwork::register(id(), request(), now(), "operator").unwrap()
}

fn field(e: DomainError) -> String {
    match e {
        DomainError::Invalid { field, .. } => field.to_string(),
        other => panic!("expected an invalid field, got {other:?}"),
    }
}

#[test]
fn the_status_follows_the_dates_from_unplanned_to_migrated_and_fees_stop_after() {
    let mut n = registered();
    assert_eq!((n.status(), n.fees_still_paid(), n.revision), (MigrationStatus::Unplanned, false, 1));
    n.act(PrivateNetworkAction::Plan { on: day("2026-06-30") }, "", now(), "op").unwrap();
    assert_eq!(n.status(), MigrationStatus::Planned);
    n.act(PrivateNetworkAction::Plan { on: day("2026-09-30") }, "设备到货推迟", now(), "op").unwrap();
    assert_eq!(n.details.planned_on, Some(day("2026-09-30")), "a plan may move");
    let e = n.act(PrivateNetworkAction::FeesStopped, "", now(), "op").unwrap_err();
    assert!(matches!(e, DomainError::FailedPrecondition(m) if m.contains("第五条")), "fees stop after migration");
    n.act(PrivateNetworkAction::Migrated { on: day("2026-03-01") }, "", now(), "op").unwrap();
    assert_eq!((n.status(), n.fees_still_paid(), n.migrated_year()), (MigrationStatus::Migrated, true, Some(2026)));
    n.act(PrivateNetworkAction::FeesStopped, "财政已停拨", now(), "op").unwrap();
    assert!(!n.fees_still_paid());
    assert_eq!(n.revision, 5);
    let kinds: Vec<_> = n.history.iter().map(|s| s.kind).collect();
    let want = [StepKind::Registered, StepKind::Planned, StepKind::Planned, StepKind::Migrated, StepKind::FeesStopped];
    assert_eq!(kinds, want);
}

#[test]
fn a_migrated_network_refuses_a_plan_a_second_migration_and_a_second_stop() {
    let mut n = registered();
    n.act(PrivateNetworkAction::Migrated { on: day("2025-12-01") }, "", now(), "op").unwrap();
    n.act(PrivateNetworkAction::FeesStopped, "", now(), "op").unwrap();
    let before = n.clone();
    for a in [
        PrivateNetworkAction::Plan { on: day("2026-06-30") },
        PrivateNetworkAction::Migrated { on: day("2026-01-01") },
        PrivateNetworkAction::FeesStopped,
    ] {
        let e = n.act(a, "", now(), "op").unwrap_err();
        assert!(matches!(e, DomainError::FailedPrecondition(_)), "{a:?}: {e:?}");
    }
    assert_eq!(n, before, "the refusals changed nothing");
}

#[test]
fn bad_input_names_the_field() {
    let cases: [crate::testing::Breaks<PrivateNetworkDetails>; 8] = [
        ("owner_department", |r| r.owner_department = " ".into()),
        ("name", |r| r.name.clear()),
        ("scope", |r| r.scope.clear()),
        ("link_count", |r| r.link_count = 0),
        ("link_count", |r| r.link_count = MAX_LINKS + 1),
        ("migrated_on", |r| r.migrated_on = Some("2026-03-03".parse().unwrap())),
        ("planned_on", |r| r.planned_on = Some("1999-12-31".parse().unwrap())),
        ("lease_fees_stopped", |r| r.lease_fees_stopped = true),
    ];
    for (name, spoil) in cases {
        let mut r = request();
        spoil(&mut r);
        assert_eq!(field(PrivateNetwork::register(id(), r, now(), "op").unwrap_err()), name);
    }
    let mut n = registered();
    let e = n.act(PrivateNetworkAction::Migrated { on: day("2026-03-03") }, "", now(), "op").unwrap_err();
    assert_eq!(field(e), "migrated_on", "not ahead of today");
    assert_eq!((n.details.migrated_on, n.revision), (None, 1));
}

#[test]
fn a_network_migrated_before_it_was_registered_is_registered_as_it_stands() {
    let mut r = request();
    r.migrated_on = Some(day("2024-10-01"));
    r.lease_fees_stopped = true;
    let n = PrivateNetwork::register(id(), r, now(), "op").unwrap();
    assert_eq!((n.status(), n.fees_still_paid(), n.migrated_year()), (MigrationStatus::Migrated, false, Some(2024)));
    assert_eq!(n.id.key(), "540102-N000001");
    assert!(PrivateNetworkId::check_key("540102-N000001").is_ok());
    assert!(PrivateNetworkId::check_key("540102-I000001").is_err());
}
