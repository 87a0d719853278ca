//! Art.13's clocks with hand-computed expected values, and properties over
//! random histories.

use chrono::{TimeZone, Utc};
use extranet_ids::NodeId;
use proptest::prelude::*;

use super::*;
use crate::unit::Contact;

const MIN: i64 = 60_000;

fn node() -> NodeId {
    NodeId::parse("540000/540100/540102").unwrap()
}

/// 2026-12-01 23:59 Beijing time (15:59 UTC): the report filed a minute
/// before midnight, whose clocks cross into the next day.
fn t0() -> i64 {
    Utc.with_ymd_and_hms(2026, 12, 1, 15, 59, 0).unwrap().timestamp_millis()
}

fn ticket(class: FaultClass) -> FaultTicket {
    let report = FaultReport {
        unit: None,
        access_point: "城关区政府机房".into(),
        description: "上联光缆中断".into(),
        down_since_ms: t0() - 10 * MIN,
        contact: Contact { name: "卓玛".into(), phone: "13908901234".into() },
        class,
    };
    FaultTicket::open(FaultId { origin: node(), number: 1 }, report, t0(), "operator", &node()).unwrap()
}

fn act(t: &mut FaultTicket, a: FaultAction, at_min: i64) {
    t.act(a, t0() + at_min * MIN, "operator", &node()).unwrap();
}

#[test]
fn the_deadlines_of_each_class_run_around_the_clock_from_the_report() {
    for (class, hours) in [(FaultClass::Backbone, 2), (FaultClass::Urban, 48), (FaultClass::RemoteTownship, 72)] {
        let t = ticket(class);
        let [response, repair] = t.clocks(t0());
        // 23:59 + 1 h = 00:59 the next day, Beijing time: no working days, no midnight
        assert_eq!(response.deadline_ms, t0() + 60 * MIN, "{class:?}");
        assert_eq!(repair.deadline_ms, t0() + hours * 60 * MIN, "{class:?}");
        assert_eq!((response.running, repair.running), (true, true));
    }
    let expected = Utc.with_ymd_and_hms(2026, 12, 1, 16, 59, 0).unwrap().timestamp_millis();
    assert_eq!(ticket(FaultClass::Urban).response_deadline_ms(), expected);
}

#[test]
fn a_late_response_is_a_breach_recorded_exactly_once() {
    let mut t = ticket(FaultClass::Urban);
    assert!(t.due_breaches(t0() + 60 * MIN).is_empty(), "at the deadline itself: not late");
    act(&mut t, FaultAction::Acknowledge, 70);
    assert_eq!(t.breaches.len(), 1);
    assert_eq!(
        t.breaches[0],
        Breach { clock: ClockKind::Response, deadline_ms: t0() + 60 * MIN, recorded_at_ms: t0() + 70 * MIN }
    );
    assert_eq!(t.late_ms(ClockKind::Response, t0() + 500 * MIN), Some(10 * MIN), "late by what it was when met");
    for later in [71, 200, 2_000] {
        assert_eq!(t.record_breaches(t0() + later * MIN), 0, "never twice");
    }
    let mut on_time = ticket(FaultClass::Backbone);
    act(&mut on_time, FaultAction::Acknowledge, 50);
    assert!(on_time.breaches.is_empty());
}

#[test]
fn an_unanswered_ticket_is_breached_by_the_scan_when_its_deadline_passes() {
    let mut t = ticket(FaultClass::Urban);
    assert_eq!(t.record_breaches(t0() + 60 * MIN), 0);
    assert_eq!(t.record_breaches(t0() + 61 * MIN), 1);
    assert_eq!(t.breaches[0].deadline_ms, t0() + 60 * MIN);
    assert_eq!(t.late_ms(ClockKind::Response, t0() + 90 * MIN), Some(30 * MIN), "still growing while unmet");
}

#[test]
fn reopening_resumes_the_repair_clock_it_does_not_restart_it() {
    let mut t = ticket(FaultClass::Backbone);
    act(&mut t, FaultAction::Acknowledge, 10);
    act(&mut t, FaultAction::MarkRepaired, 90); // 90 of 120 minutes used
    // waiting for the unit's confirmation across the would-be deadline stops nothing it should not
    assert_eq!(t.record_breaches(t0() + 300 * MIN), 0);
    let [_, repair] = t.clocks(t0() + 300 * MIN);
    assert_eq!((repair.running, repair.left_ms, repair.met_at_ms), (false, 30 * MIN, Some(t0() + 90 * MIN)));
    act(&mut t, FaultAction::Reopen { reason: "仍无法访问".into() }, 300);
    let [_, repair] = t.clocks(t0() + 300 * MIN);
    assert_eq!((repair.running, repair.deadline_ms), (true, t0() + 330 * MIN), "30 minutes left, from the reopen");
    act(&mut t, FaultAction::MarkRepaired, 340); // 90 + 40 = 130 > 120
    let repair_breach = t.breaches.iter().find(|b| b.clock == ClockKind::Repair).expect("repair breached");
    assert_eq!(repair_breach.deadline_ms, t0() + 330 * MIN, "the time ran out 30 minutes after the reopen");
    assert_eq!(t.late_ms(ClockKind::Repair, t0() + 400 * MIN), Some(10 * MIN));
    act(&mut t, FaultAction::Close { satisfaction: Some(2) }, 400);
    assert_eq!((t.state, t.satisfaction), (FaultState::Closed, Some(2)));
    assert_eq!(t.history.len(), 6, "report, response, repaired, reopen, repaired, closed");
}

#[test]
fn a_class_change_while_open_is_a_recorded_recalculation() {
    let mut t = ticket(FaultClass::Urban);
    act(&mut t, FaultAction::Acknowledge, 20);
    act(&mut t, FaultAction::Reclassify { class: FaultClass::Backbone, reason: "实为骨干链路".into() }, 180);
    assert_eq!(t.policy, Policy::art13(FaultClass::Backbone));
    assert!(t.history.last().unwrap().note.contains("城区") && t.history.last().unwrap().note.contains("骨干网络"));
    let b = t.breaches.iter().find(|b| b.clock == ClockKind::Repair).expect("3 h used of a 2 h target: breached");
    assert_eq!(b.deadline_ms, t0() + 120 * MIN);
    act(&mut t, FaultAction::MarkRepaired, 200);
    act(&mut t, FaultAction::Close { satisfaction: None }, 210);
    let err = t.act(
        FaultAction::Reclassify { class: FaultClass::Urban, reason: "x".into() },
        t0() + 220 * MIN,
        "op",
        &node(),
    );
    assert!(err.unwrap_err().to_string().contains("已关闭"), "a closed ticket is never re-judged");
    assert_eq!(t.breaches.len(), 1);
}

#[test]
fn warnings_come_before_the_deadline_and_stay_after_it() {
    let p = WarnPolicy::default();
    let t = ticket(FaultClass::Urban);
    assert!(t.warnings(t0() + 44 * MIN, p).is_empty());
    let w = t.warnings(t0() + 45 * MIN, p);
    assert_eq!((w.len(), w[0].clock, w[0].left_ms), (1, ClockKind::Response, 15 * MIN));
    let mut t = t;
    act(&mut t, FaultAction::Acknowledge, 30);
    // urban: 48 h, a quarter left = 12 h, from hour 36
    assert!(t.warnings(t0() + (36 * 60 - 1) * MIN, p).is_empty());
    let w = t.warnings(t0() + 36 * 60 * MIN, p);
    assert_eq!((w.len(), w[0].clock), (1, ClockKind::Repair));
    assert_eq!(
        t.warnings(t0() + 50 * 60 * MIN, p)[0].left_ms,
        -2 * 60 * MIN,
        "past the deadline: still warned, that late"
    );
}

#[test]
fn what_a_state_does_not_allow_is_refused_naming_the_state() {
    let mut t = ticket(FaultClass::Urban);
    let err = t.act(FaultAction::Close { satisfaction: Some(5) }, t0() + MIN, "unit:u1", &node()).unwrap_err();
    assert!(err.to_string().contains("已报告"), "{err}");
    act(&mut t, FaultAction::MarkRepaired, 5);
    let err = t.act(FaultAction::Close { satisfaction: Some(6) }, t0() + 6 * MIN, "unit:u1", &node()).unwrap_err();
    assert!(err.to_string().contains("satisfaction"), "{err}");
    let err = t.act(FaultAction::Acknowledge, t0(), "op", &node()).unwrap_err();
    assert!(err.to_string().contains("倒退"), "{err}");
    assert_eq!(t.history.len(), 2, "refusals change nothing");
}

/// Repair time used, by a second method: every minute of the history is
/// looked at on its own.
fn minutes_running(t: &FaultTicket, until_min: i64) -> i64 {
    (0..until_min)
        .filter(|m| {
            let at = t0() + m * MIN;
            let state = t.history.iter().rev().find(|s| s.at_ms <= at).map(|s| s.state);
            state.is_some_and(FaultState::repair_clock_runs)
        })
        .count() as i64
}

fn any_action() -> impl Strategy<Value = FaultAction> {
    prop_oneof![
        Just(FaultAction::Acknowledge),
        Just(FaultAction::StartRepair),
        Just(FaultAction::MarkRepaired),
        Just(FaultAction::Close { satisfaction: Some(4) }),
        Just(FaultAction::Reopen { reason: "仍不通".into() }),
        Just(FaultAction::Note { text: "等待开门".into() }),
    ]
}

proptest! {
    #[test]
    fn clocks_derived_from_any_history_agree_with_a_minute_by_minute_count(
        steps in proptest::collection::vec((any_action(), 0i64..200), 0..12),
    ) {
        let mut t = ticket(FaultClass::Backbone);
        let mut at = 0;
        for (a, gap) in steps {
            at += gap;
            let before = t.clone();
            if t.act(a, t0() + at * MIN, "op", &node()).is_err() {
                prop_assert_eq!(&t, &before, "a refused step changes nothing");
            }
            let horizon = at + 30;
            prop_assert_eq!(t.repair_elapsed_ms(t0() + horizon * MIN), minutes_running(&t, horizon) * MIN);
        }
        let end = t0() + (at + 300) * MIN;
        let recorded = t.breaches.clone();
        t.record_breaches(end);
        prop_assert!(t.breaches.starts_with(&recorded), "breaches are kept");
        prop_assert_eq!(t.record_breaches(end + MIN), 0, "and recorded once");
        for c in [ClockKind::Response, ClockKind::Repair] {
            prop_assert!(t.breaches.iter().filter(|b| b.clock == c).count() <= 1);
        }
        let repair_late = t.repair_elapsed_ms(end) > t.policy.repair_ms;
        prop_assert_eq!(t.breaches.iter().any(|b| b.clock == ClockKind::Repair), repair_late);
    }
}

#[test]
fn registries_name_the_field_that_breaks_a_rule() {
    let provider = LinkProvider {
        id: "telecom".into(),
        name: "中国电信西藏分公司".into(),
        hotline: "0891-10000".into(),
        platform: "10000号服务平台".into(),
        serves: vec!["cg-gov".into()],
    };
    assert!(provider.clone().checked().is_ok());
    let err = LinkProvider { hotline: "打电话".into(), ..provider.clone() }.checked().unwrap_err().to_string();
    assert!(err.contains("provider.hotline"), "{err}");
    let err = LinkProvider { id: "电信".into(), ..provider }.checked().unwrap_err().to_string();
    assert!(err.contains("provider.id"), "{err}");
    let duty = Contact { name: "次仁".into(), phone: "13908900000".into() };
    let unit = MaintenanceUnit {
        id: "cg-om".into(),
        name: "城关区运维中心".into(),
        area: "城关区全域".into(),
        roster: vec![DutySlot { from_ms: t0(), until_ms: t0() + 12 * 60 * MIN, person: duty.clone() }],
        emergency: vec![],
    };
    let err = unit.clone().checked().unwrap_err().to_string();
    assert!(err.contains("maintainer.emergency") && err.contains("第十二条"), "{err}");
    let unit = MaintenanceUnit { emergency: vec![duty.clone()], ..unit }.checked().unwrap();
    assert_eq!(unit.on_duty(t0() + 60 * MIN), Some(&duty));
    assert_eq!(unit.on_duty(t0() + 13 * 60 * MIN), None, "after the slot, no one");
    assert_eq!(FaultClass::default_for(true), FaultClass::RemoteTownship);
    assert_eq!(FaultClass::default_for(false), FaultClass::Urban);
}
