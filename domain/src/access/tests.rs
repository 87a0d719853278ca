//! The lifecycle and deadlines of an application, worked through by hand.

use super::*;
use crate::calendar::CalendarDocument;
use crate::testing::sample;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[test]
fn deadlines_follow_the_lifecycle() {
    let cal = CalendarDocument::builtin().work_calendar();
    let node = NodeId::parse("540000/540100/540102").unwrap();
    let mut a = sample(ApplicationKind::New, d("2026-02-13"));
    assert_eq!(a.deadlines.review.due, d("2026-03-10"));
    assert_eq!(a.deadlines.rejection_notice.due, d("2026-03-10"));
    assert_eq!(a.overdue(&cal, d("2026-03-10")).len(), 0, "due today is not late");
    let late = a.overdue(&cal, d("2026-03-12"));
    assert_eq!(late.len(), 2);
    assert_eq!(late[0].2, 2, "03-11 and 03-12: two working days late");
    a.act(Action::Approve { plan: "方案".into() }, &cal, d("2026-02-13"), 1, "op", &node).unwrap();
    assert_eq!(a.deadlines.implementation.as_ref().unwrap().due, d("2026-04-08"));
    assert_eq!(a.next_due(), Some(d("2026-04-08")));
    a.act(Action::StartImplementing, &cal, d("2026-02-16"), 2, "op", &node).unwrap();
    a.act(Action::Complete, &cal, d("2026-03-02"), 3, "op", &node).unwrap();
    assert_eq!(a.state, AppState::Connected);
    assert_eq!(a.revision, 4);
    assert!(a.overdue(&cal, d("2027-01-01")).is_empty());
}

#[test]
fn a_resource_change_cannot_be_implemented_before_approval() {
    let cal = CalendarDocument::builtin().work_calendar();
    let node = NodeId::parse("540000/540100/540102").unwrap();
    let mut a = sample(ApplicationKind::ResourceChange, d("2026-03-02"));
    for action in [Action::StartImplementing, Action::Complete] {
        let e = a.act(action, &cal, d("2026-03-03"), 1, "op", &node).unwrap_err();
        assert!(matches!(e, DomainError::FailedPrecondition(_)), "{e}");
        assert!(e.to_string().contains("第二十二条"), "{e}");
    }
    a.act(Action::Review, &cal, d("2026-03-03"), 1, "op", &node).unwrap();
    assert!(a.act(Action::StartImplementing, &cal, d("2026-03-03"), 2, "op", &node).is_err());
    assert_eq!(a.state, AppState::UnderReview, "a refused action changes nothing");
    a.act(Action::Approve { plan: "夜间实施".into() }, &cal, d("2026-03-04"), 3, "op", &node).unwrap();
    a.act(Action::StartImplementing, &cal, d("2026-03-05"), 4, "op", &node).unwrap();
    a.act(Action::Complete, &cal, d("2026-03-06"), 5, "op", &node).unwrap();
    assert_eq!(a.state, AppState::Connected);
}

#[test]
fn the_art8_declaration_is_required() {
    let mut a = sample(ApplicationKind::New, d("2026-03-02"));
    a.form.declares_no_classified_information = false;
    let e = a.form.check(a.kind).unwrap_err();
    assert!(matches!(e, DomainError::Invalid { field: "application.declares_no_classified_information", .. }));
}

/// Submitted Thu 2026-12-24 with only 2025–2026 published: 12-25 → 1;
/// 12-28…12-31 → 2…5; Fri 2027-01-01 counts (weekends only) → 6;
/// 01-04…01-07 → 7…10: due 2027-01-07, provisional. Once 2027 is
/// published with 元旦 off on 01-01: 01-04…01-08 → 6…10, due 2027-01-08.
#[test]
fn a_deadline_past_the_calendar_is_provisional_until_the_year_is_published() {
    let mut a = sample(ApplicationKind::New, d("2026-12-24"));
    assert_eq!(a.deadlines.review.due, d("2027-01-07"));
    assert!(a.deadlines.review.provisional && a.deadlines.rejection_notice.provisional);
    assert!(!sample(ApplicationKind::New, d("2026-12-01")).deadlines.review.provisional, "due 12-15: covered");
    let same = CalendarDocument::builtin().work_calendar();
    assert!(!a.refresh_deadlines(&same), "the same version recomputes nothing");
    let table = crate::calendar::CalendarTable::parse("2027-01-01\toff\t元旦\n").unwrap();
    let mut doc = CalendarDocument::builtin().with_years(&table);
    doc.version = 1;
    assert!(a.refresh_deadlines(&doc.work_calendar()));
    let r = &a.deadlines.review;
    assert_eq!((r.due, r.calendar_version, r.provisional), (d("2027-01-08"), 1, false));
    assert_eq!(r.from, Some(d("2026-12-24")));
}
