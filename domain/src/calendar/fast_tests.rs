//! The fast working-day arithmetic against its definition: a property test
//! that it equals counting day by day on random calendars, and the limits
//! (chrono's last date, huge counts, the accepted window of years).

use chrono::{Datelike, Duration, NaiveDate};

use super::*;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn shipped() -> WorkCalendar {
    CalendarDocument::builtin().work_calendar()
}

/// The day-by-day definition the fast arithmetic must agree with.
fn naive_add(c: &WorkCalendar, mut d: NaiveDate, n: u32, dir: i64) -> NaiveDate {
    let mut left = n;
    while left > 0 {
        d += Duration::days(dir);
        if c.is_working_day(d) {
            left -= 1;
        }
    }
    d
}

fn naive_between(c: &WorkCalendar, from: NaiveDate, to: NaiveDate) -> i64 {
    let (mut d, hi, sign) = if from <= to { (from, to, 1) } else { (to, from, -1) };
    let mut n = 0;
    while d < hi {
        d += Duration::days(1);
        n += i64::from(c.is_working_day(d));
    }
    n * sign
}

fn window_date() -> impl proptest::strategy::Strategy<Value = NaiveDate> {
    use proptest::strategy::Strategy;
    (0i64..(365 * 6)).prop_map(|n| d("2024-01-01") + Duration::days(n))
}

/// A random calendar: up to 120 holidays and 40 adjusted days (either
/// may fall on any weekday, and the same day may be in both).
fn random_calendar() -> impl proptest::strategy::Strategy<Value = WorkCalendar> {
    use proptest::strategy::Strategy;
    let days = || proptest::collection::vec(window_date(), 0..120);
    (days(), proptest::collection::vec(window_date(), 0..40)).prop_map(|(h, a)| WorkCalendar::new(h, a))
}

proptest::proptest! {
    #[test]
    fn fast_arithmetic_equals_counting_day_by_day(
        c in random_calendar(), a in window_date(), b in window_date(), n in 0u32..400,
    ) {
        proptest::prop_assert_eq!(c.add_working_days(a, n), naive_add(&c, a, n, 1));
        proptest::prop_assert_eq!(c.sub_working_days(a, n), naive_add(&c, a, n, -1));
        proptest::prop_assert_eq!(c.working_days_between(a, b), naive_between(&c, a, b));
    }
}

#[test]
fn arithmetic_near_the_last_date_saturates_instead_of_panicking() {
    let c = shipped();
    let near_end = NaiveDate::MAX - Duration::days(3);
    assert_eq!(c.checked_add_working_days(near_end, 10), None);
    assert_eq!(c.add_working_days(near_end, 10), NaiveDate::MAX);
    assert_eq!(c.checked_sub_working_days(NaiveDate::MIN + Duration::days(3), 10), None);
    assert_eq!(c.sub_working_days(NaiveDate::MIN + Duration::days(3), 10), NaiveDate::MIN);
    assert_eq!(c.add_working_days(NaiveDate::MAX, 0), NaiveDate::MAX);
    assert!(c.working_days_between(NaiveDate::MIN, NaiveDate::MAX) > 0);
}

#[test]
fn a_huge_count_costs_no_more_than_a_small_one() {
    let c = shipped();
    let started = std::time::Instant::now();
    // Day by day this is ~92 million steps (seconds); bisecting it is a
    // few dozen counts over the listed days.
    let far = c.add_working_days(d("2026-12-01"), 65_000_000);
    assert!(far.year() > 250_000, "{far}");
    assert_eq!(c.add_working_days(d("2026-12-01"), u32::MAX), NaiveDate::MAX);
    assert!(started.elapsed() < std::time::Duration::from_millis(500), "{:?}", started.elapsed());
}

#[test]
fn dates_outside_2000_to_2200_are_refused_naming_the_field() {
    assert!(check_date("from", d("2000-01-01")).is_ok());
    assert!(check_date("from", d("2200-12-31")).is_ok());
    let e = check_date("application.submitted_on", d("2201-01-01")).unwrap_err();
    assert!(matches!(e, DomainError::Invalid { field: "application.submitted_on", .. }), "{e}");
    assert!(e.to_string().contains("2000-01-01 至 2200-12-31"), "{e}");
    assert!(check_date("from", d("1999-12-31")).is_err());
}

#[test]
fn coverage_and_the_missing_year_warning_follow_the_listed_years() {
    let c = shipped();
    assert!(c.covers(d("2025-06-01"), d("2026-12-31")));
    assert!(!c.covers(d("2026-12-20"), d("2027-01-05")), "2027 is not listed");
    assert_eq!(c.missing_year_warning(d("2026-10-31")), None, "before 1 November: no warning");
    let w = c.missing_year_warning(d("2026-11-01")).expect("from 1 November");
    assert_eq!(w, "2027 年节假日安排尚未发布：2027-01-01 起的期限按周末推算，为暂定");
    assert!(c.missing_year_warning(d("2027-01-04")).unwrap().starts_with("2027 年"), "still missing in 2027");
    let with_2027 = c.clone().with_years([2025, 2026, 2027]);
    assert_eq!(with_2027.missing_year_warning(d("2026-11-01")), None);
}
