use chrono::NaiveDate;
use extranet_ids::NodeId;

use super::*;
use crate::access::{AppState, ApplicationKind, Deadline, Deadlines};

#[test]
fn years_and_duplicates() {
    assert!(check_year(2026, 2026).is_ok());
    assert!(matches!(check_year(2027, 2026), Err(DomainError::Invalid { .. })));
    assert!(check_year(1999, 2026).is_err());
    assert!(matches!(check_not_filed(2026, true), Err(DomainError::FailedPrecondition(_))));
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn deadline(from: &str, due: &str, met: Option<&str>) -> Deadline {
    Deadline {
        due: day(due),
        calendar_version: 1,
        met_on: met.map(day),
        from: Some(day(from)),
        working_days: 10,
        provisional: false,
        local: None,
        local_affected: false,
    }
}

fn deadlines(from: &str, due: &str, met: Option<&str>) -> Deadlines {
    Deadlines { review: deadline(from, due, met), rejection_notice: deadline(from, due, met), implementation: None }
}

/// Own applications count in both scopes, a descendant's in the subtree's
/// only, one from above in neither; submitted and decided by their own
/// dates; missed = met late or open past due.
#[test]
fn applications_count_by_scope_year_and_deadline() {
    let me = NodeId::parse("540000/540100").unwrap();
    let county = NodeId::parse("540000/540100/540102").unwrap();
    let region = NodeId::parse("540000").unwrap();
    let mut t = Tally::new(&me, 2026, day("2026-06-01"));
    let new = Some(ApplicationKind::New);
    t.application(&me, new, AppState::Approved, &deadlines("2026-01-05", "2026-01-19", Some("2026-01-10")));
    t.application(
        &me,
        Some(ApplicationKind::Change),
        AppState::Rejected,
        &deadlines("2026-03-02", "2026-03-16", Some("2026-03-20")),
    );
    t.application(&county, None, AppState::Submitted, &deadlines("2026-02-02", "2026-02-16", None));
    t.application(&county, None, AppState::Approved, &deadlines("2025-12-29", "2026-01-12", Some("2026-01-05")));
    t.application(&region, new, AppState::Submitted, &deadlines("2026-02-02", "2026-02-16", None));
    let own = t.own;
    assert_eq!((own.applications, own.applications_new, own.applications_change), (2, 1, 1));
    assert_eq!((own.approved, own.rejected, own.applications_overdue), (1, 1, 1), "the rejection came late");
    let sub = t.subtree;
    assert_eq!((sub.applications, sub.approved, sub.rejected, sub.applications_overdue), (3, 2, 1, 2));
    assert_eq!(sub.applications_new, 1, "a summary from below carries no kind");
}

#[test]
fn basis_points_round_and_clamp() {
    assert_eq!(basis_points(1.0 / 3.0), 3333);
    assert_eq!(basis_points(-0.5), 0);
    assert_eq!(basis_points(1.0), 10_000);
}
