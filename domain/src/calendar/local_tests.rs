//! A prefecture's local calendar merged over the region's, and the
//! correction policy on deadlines computed under older versions.

use chrono::NaiveDate;
use extranet_ids::NodeId;

use super::*;
use crate::access::Deadline;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn node(s: &str) -> NodeId {
    NodeId::parse(s).unwrap()
}

/// The shipped base with 2027 added, published as version 1 on 2026-11-20.
fn base() -> CalendarDocument {
    let t = CalendarTable::parse("# 测试\n2027-01-01\toff\t元旦\n").unwrap();
    CalendarDocument::builtin().next_version(&t, ms("2026-11-20"), "op@540000".into())
}

fn ms(day: &str) -> i64 {
    use chrono::TimeZone;
    beijing().from_local_datetime(&d(day).and_hms_opt(10, 0, 0).unwrap()).unwrap().timestamp_millis()
}

fn lhasa(text: &str, current: Option<&LocalCalendar>, on: &str) -> LocalCalendar {
    let t = CalendarTable::parse_local(text).unwrap();
    LocalCalendar::publish(current, &base(), &node("540000/540100"), &t, ms(on), "op@540100".into()).unwrap()
}

#[test]
fn a_local_day_off_moves_deadlines_in_the_subtree_and_is_named() {
    let local = lhasa("# 拉萨市通知\n2026-12-07\toff\t雪顿节（测试）\n", None, "2026-11-25");
    assert_eq!((local.doc.version, local.stamp().by.as_str()), (1, "540100"));
    assert!(local.applies_to(&node("540000/540100/540102")) && local.applies_to(&node("540000/540100")));
    assert!(!local.applies_to(&node("540000")) && !local.applies_to(&node("540000/540200/540202")));
    let here = effective(&base(), Some(&local));
    let region = effective(&base(), None);
    // Thu 12-03 + 3 working days: 12-04, (12-07 off), 12-08, 12-09.
    assert_eq!(here.add_working_days(d("2026-12-03"), 3), d("2026-12-09"));
    assert_eq!(region.add_working_days(d("2026-12-03"), 3), d("2026-12-08"));
    let dl = Deadline::new(&here, d("2026-12-03"), 3);
    assert_eq!(dl.local, Some(LocalStamp { by: "540100".into(), version: 1 }));
    assert!(dl.local_affected && !Deadline::new(&region, d("2026-12-03"), 3).local_affected);
    assert!(!Deadline::new(&here, d("2026-12-08"), 3).local_affected, "after the local day");
    let shown = base().with_local(&local);
    assert!(shown.days.iter().any(|x| x.date == d("2026-12-07") && x.scope == "local"));
}

#[test]
fn a_local_calendar_cannot_leave_the_base_years_change_a_base_day_or_come_from_a_county() {
    let t = CalendarTable::parse_local("2028-01-05\toff\t测试\n").unwrap();
    let e = LocalCalendar::publish(None, &base(), &node("540000/540100"), &t, 0, "op".into()).unwrap_err();
    assert!(e.to_string().contains("尚未列出 2028 年"), "{e}");
    let t = CalendarTable::parse_local("2026-10-01\toff\t国庆\n").unwrap();
    let e = LocalCalendar::publish(None, &base(), &node("540000/540100"), &t, 0, "op".into()).unwrap_err();
    assert!(e.to_string().contains("已列为") && e.to_string().contains("2026-10-01"), "{e}");
    let t = CalendarTable::parse_local("2026-12-07\toff\t测试\n").unwrap();
    for n in ["540000", "540000/540100/540102"] {
        let e = LocalCalendar::publish(None, &base(), &node(n), &t, 0, "op".into()).unwrap_err();
        assert!(matches!(e, DomainError::FailedPrecondition(_)), "{n}: {e}");
    }
    assert!(CalendarTable::parse_local("2026-12-07\toff\t测试\tregional\n").unwrap_err().to_string().contains("local"));
    assert!(CalendarTable::parse("2026-12-07\toff\t测试\tlocal\n").is_err(), "the region's file has no local days");
}

#[test]
fn a_later_base_version_listing_a_local_day_wins() {
    let local = lhasa("2026-12-07\toff\t测试\n", None, "2026-11-25");
    let t = CalendarTable::parse("2026-12-07\toff\t全区测试\tregional\n").unwrap();
    let newer = base().next_version(&t, ms("2026-11-30"), "op".into());
    assert_eq!(local.applicable(&newer).count(), 0);
    assert!(!effective(&newer, Some(&local)).is_local_day(d("2026-12-07")));
}

/// The policy of `correction.rs`: running deadlines follow a correction,
/// deadlines met or already due before it keep their dates, provisional
/// ones always follow.
#[test]
fn a_correction_recomputes_running_deadlines_and_keeps_history() {
    let v1 = lhasa("2026-12-07\toff\t测试\n", None, "2026-11-25");
    let under_v1 = effective(&base(), Some(&v1));
    let running = Deadline::new(&under_v1, d("2026-12-03"), 3); // due 12-09
    let passed = Deadline::new(&under_v1, d("2026-11-26"), 2); // due 11-30, before the correction
    let mut met = running.clone();
    met.met_on = Some(d("2026-12-04"));
    // The prefecture corrects on 12-04: the day off moves to 12-10.
    let v2 = lhasa("2026-12-10\toff\t测试（更正）\n", Some(&v1), "2026-12-04");
    assert_eq!(v2.doc.version, 2);
    assert!(v2.doc.days.iter().all(|x| x.date != d("2026-12-07")), "the year is replaced");
    let under_v2 = effective(&base(), Some(&v2));
    assert_eq!(under_v2.first_change_after(1, running.local.as_ref()), Some(d("2026-12-04")));
    let mut r = running.clone();
    assert!(r.refresh(&under_v2));
    assert_eq!((r.due, r.local.as_ref().map(|l| l.version), r.calendar_version), (d("2026-12-08"), Some(2), 1));
    let mut p = passed.clone();
    assert!(!p.refresh(&under_v2) && p == passed, "due before the correction: kept");
    let mut m = met.clone();
    assert!(!m.refresh(&under_v2) && m == met, "met: kept");
    assert!(!r.refresh(&under_v2), "the same versions recompute nothing");
    // A node without that local calendar never rewrites it.
    let mut at_region = running.clone();
    assert!(!at_region.refresh(&effective(&base(), None)));
    let other = LocalCalendar { subtree: node("540000/540200"), ..v2.clone() };
    assert!(!at_region.refresh(&effective(&base(), Some(&other))), "another prefecture's line");
}

#[test]
fn a_first_local_calendar_recomputes_deadlines_still_running_under_the_base_alone() {
    let before = Deadline::new(&effective(&base(), None), d("2026-12-03"), 3);
    assert_eq!((before.due, before.local.clone()), (d("2026-12-08"), None));
    let v1 = lhasa("2026-12-07\toff\t测试\n", None, "2026-12-04");
    let mut after = before.clone();
    assert!(after.refresh(&effective(&base(), Some(&v1))));
    assert_eq!((after.due, after.local_affected), (d("2026-12-09"), true));
    let v1_late = lhasa("2026-12-07\toff\t测试\n", None, "2026-12-10");
    let mut kept = before.clone();
    assert!(!kept.refresh(&effective(&base(), Some(&v1_late))), "published after it was due");
}
