//! Working days (工作日): the one place that does working-day arithmetic, so
//! every deadline of the regulation (Art.16's 10 and 30 days, Art.21's 2 days'
//! notice) is computed the same way. A [`WorkCalendar`] knows weekends, public
//! and regional holidays, and adjusted working days (调休); it is built from
//! the [`CalendarDocument`] the region publishes (see [`document`]), whose
//! version travels with every deadline computed from it.

mod correction;
pub mod document;
#[cfg(test)]
mod fast_tests;
pub mod local;
#[cfg(test)]
mod local_tests;

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound::{Excluded, Included};

pub use document::{CalendarDocument, CalendarTable, DayKind, DayRule};
pub use local::{LocalCalendar, LocalStamp, effective, prefecture_of};

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc, Weekday};

use crate::error::{DomainError, Result};

/// First year a date may fall in, wherever a date comes from (a request, a
/// peer's payload, a calendar file): older dates are typing errors or
/// hostile, and refusing them keeps every date far from chrono's limits.
pub const FIRST_YEAR: i32 = 2000;
/// Last year a date may fall in (see [`FIRST_YEAR`]).
pub const LAST_YEAR: i32 = 2200;

/// `d` if it lies in years [`FIRST_YEAR`]–[`LAST_YEAR`], else an error
/// naming `field` and the rule.
pub fn check_date(field: &'static str, d: NaiveDate) -> Result<NaiveDate> {
    if (FIRST_YEAR..=LAST_YEAR).contains(&d.year()) {
        Ok(d)
    } else {
        Err(DomainError::invalid(field, format!("日期 {d} 超出允许范围（{FIRST_YEAR}-01-01 至 {LAST_YEAR}-12-31）")))
    }
}

/// Beijing time (UTC+8, no daylight saving): the zone every date of the
/// regulation is counted in.
pub fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// Today's date in Beijing time.
pub fn today() -> NaiveDate {
    Utc::now().with_timezone(&beijing()).date_naive()
}

/// The Beijing-time year of an instant given as Unix ms (a fault's
/// breach counts in the year it happened there, not in UTC's).
pub fn year_of_ms(ms: i64) -> i32 {
    use chrono::TimeZone;
    Utc.timestamp_millis_opt(ms).single().map_or(1970, |t| t.with_timezone(&beijing()).year())
}

/// Unix milliseconds as Beijing time (`2026-12-02 09:30:00`), or "—" for
/// none: how every instant reads to a person, in messages and on pages.
pub fn format_ms(ms: i64) -> String {
    use chrono::TimeZone;
    match Utc.timestamp_millis_opt(ms).single() {
        Some(t) if ms > 0 => t.with_timezone(&beijing()).format("%Y-%m-%d %H:%M:%S").to_string(),
        _ => "—".into(),
    }
}

/// An instant typed by a person, as Unix ms: Beijing time written
/// `2026-12-05 22:00` (or with `T`, or with seconds — a browser's
/// `datetime-local`), or RFC 3339 with its own offset.
pub fn parse_beijing_ms(field: &'static str, text: &str) -> Result<i64> {
    use chrono::{NaiveDateTime, TimeZone};
    let v = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Ok(t.timestamp_millis());
    }
    let formats = ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"];
    let local = formats.iter().find_map(|f| NaiveDateTime::parse_from_str(v, f).ok());
    let t = local
        .and_then(|l| beijing().from_local_datetime(&l).single())
        .ok_or_else(|| DomainError::invalid(field, format!("“{v}” 不是时间：应写作 2026-12-05 22:00（北京时间）")))?;
    check_date(field, t.date_naive())?;
    Ok(t.timestamp_millis())
}

/// The Beijing-time date of an instant given as Unix ms.
pub fn date_of_ms(ms: i64) -> NaiveDate {
    use chrono::TimeZone;
    Utc.timestamp_millis_opt(ms).single().map_or(NaiveDate::MIN, |t| t.with_timezone(&beijing()).date_naive())
}

/// The Beijing-time date of an instant.
pub fn date_of(t: &DateTime<FixedOffset>) -> NaiveDate {
    t.with_timezone(&beijing()).date_naive()
}

/// A working-day calendar: weekends are rest days unless listed as adjusted
/// working days; listed holidays are rest days. Knows which years its
/// document lists, so a deadline reaching past them is marked provisional.
///
/// Arithmetic costs O(log of the span × listed days in it), never one step
/// per day: weekdays are counted by formula and the listed days in range
/// (a few dozen a year) correct the count. It never panics: past chrono's
/// last date the checked forms return `None`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WorkCalendar {
    holidays: BTreeSet<NaiveDate>,
    adjusted_working_days: BTreeSet<NaiveDate>,
    years: BTreeSet<i32>,
    version: u64,
    /// The day each base version was published (the correction policy).
    history: BTreeMap<u64, NaiveDate>,
    /// The local calendar (地方性假日) merged in, if any.
    local: Option<LocalStamp>,
    /// The day each version of that local calendar was published.
    local_history: BTreeMap<u64, NaiveDate>,
    /// The days the local calendar changed (off or worked) here.
    local_days: BTreeSet<NaiveDate>,
}

impl WorkCalendar {
    /// Weekends only: the calendar until a published one is loaded.
    pub fn weekends_only() -> Self {
        Self::default()
    }

    /// A calendar with explicit public holidays and adjusted working days.
    pub fn new(holidays: impl IntoIterator<Item = NaiveDate>, adjusted: impl IntoIterator<Item = NaiveDate>) -> Self {
        WorkCalendar {
            holidays: holidays.into_iter().collect(),
            adjusted_working_days: adjusted.into_iter().collect(),
            years: BTreeSet::new(),
            version: 0,
            ..Default::default()
        }
    }

    /// The same days, labelled with the version of the document they came from.
    pub fn with_version(mut self, version: u64) -> Self {
        self.version = version;
        self
    }

    /// The same days, stating which years the published calendar lists.
    pub fn with_years(mut self, years: impl IntoIterator<Item = i32>) -> Self {
        self.years = years.into_iter().collect();
        self
    }

    /// The same days, with the day each version was published.
    pub fn with_history(mut self, history: BTreeMap<u64, NaiveDate>) -> Self {
        self.history = history;
        self
    }

    /// Version of the published calendar this was built from (0: built in).
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Whether every year from `from`'s to `to`'s is listed: a deadline
    /// computed across an unlisted year is provisional (only weekends rest).
    pub fn covers(&self, from: NaiveDate, to: NaiveDate) -> bool {
        let (lo, hi) = if from <= to { (from.year(), to.year()) } else { (to.year(), from.year()) };
        let listed = self.years.range(lo..=hi).count() as i64;
        listed == i64::from(hi) - i64::from(lo) + 1
    }

    /// The warning every node shows (status, oversight, metrics) when the
    /// year of `today` is not listed, or from 1 November when next year is
    /// not: deadlines from then on are counted on weekends only.
    pub fn missing_year_warning(&self, today: NaiveDate) -> Option<String> {
        let year = today.year();
        let missing = if !self.years.contains(&year) {
            year
        } else if today.month() >= 11 && !self.years.contains(&(year + 1)) {
            year + 1
        } else {
            return None;
        };
        Some(format!("{missing} 年节假日安排尚未发布：{missing}-01-01 起的期限按周末推算，为暂定"))
    }

    /// Whether `d` is a working day.
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        if self.adjusted_working_days.contains(&d) {
            return true;
        }
        if self.holidays.contains(&d) {
            return false;
        }
        is_weekday(d)
    }

    /// The date `n` working days after `d` (n = 0 gives `d` itself); the
    /// last representable date if that lies beyond it.
    pub fn add_working_days(&self, d: NaiveDate, n: u32) -> NaiveDate {
        self.checked_add_working_days(d, n).unwrap_or(NaiveDate::MAX)
    }

    /// The date `n` working days before `d` (n = 0 gives `d` itself); the
    /// first representable date if that lies before it.
    pub fn sub_working_days(&self, d: NaiveDate, n: u32) -> NaiveDate {
        self.checked_sub_working_days(d, n).unwrap_or(NaiveDate::MIN)
    }

    /// Number of working days in `(from, to]`; negative when `to < from`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        if from <= to { self.count(from, to) } else { -self.count(to, from) }
    }

    /// The date `n` working days after `d`, or `None` past chrono's range.
    pub fn checked_add_working_days(&self, d: NaiveDate, n: u32) -> Option<NaiveDate> {
        let need = i64::from(n);
        if need == 0 {
            return Some(d);
        }
        // The first day where the count reaches n is itself a working day.
        let x = nearest(day_number(d), 1, day_number(NaiveDate::MAX), need, |x| {
            Some(self.count(d, from_day_number(x)?) >= need)
        })?;
        from_day_number(x)
    }

    /// The date `n` working days before `d`, or `None` before chrono's range.
    pub fn checked_sub_working_days(&self, d: NaiveDate, n: u32) -> Option<NaiveDate> {
        let need = i64::from(n);
        if need == 0 {
            return Some(d);
        }
        let end = d.pred_opt()?;
        // The latest t with at least n working days in [t, d).
        let x = nearest(day_number(d), -1, day_number(NaiveDate::MIN), need, |x| {
            Some(self.count_from(from_day_number(x)?, end) >= need)
        })?;
        from_day_number(x)
    }

    /// Working days in `(a, b]` for `a <= b`: weekdays by formula, then the
    /// listed days in range correct it.
    fn count(&self, a: NaiveDate, b: NaiveDate) -> i64 {
        if b <= a {
            return 0;
        }
        let mut n = weekday_rank(b) - weekday_rank(a);
        for h in self.holidays.range((Excluded(a), Included(b))) {
            if is_weekday(*h) && !self.adjusted_working_days.contains(h) {
                n -= 1;
            }
        }
        n + self.adjusted_working_days.range((Excluded(a), Included(b))).filter(|w| !is_weekday(**w)).count() as i64
    }

    /// Working days in `[a, b]`.
    fn count_from(&self, a: NaiveDate, b: NaiveDate) -> i64 {
        match a.pred_opt() {
            Some(p) => self.count(p, b),
            None => self.count(a, b) + i64::from(self.is_working_day(a)),
        }
    }
}

fn is_weekday(d: NaiveDate) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

fn day_number(d: NaiveDate) -> i64 {
    i64::from(d.num_days_from_ce())
}

fn from_day_number(n: i64) -> Option<NaiveDate> {
    i32::try_from(n).ok().and_then(NaiveDate::from_num_days_from_ce_opt)
}

/// Monday–Friday days up to and including `d`, counted from a fixed Monday:
/// the difference of two ranks is the number of weekdays in `(a, b]`.
fn weekday_rank(d: NaiveDate) -> i64 {
    let w = i64::from(d.weekday().num_days_from_monday());
    let monday = day_number(d) - w;
    5 * monday.div_euclid(7) + (w + 1).min(5)
}

/// The day nearest `origin`, stepping in `dir` (±1) up to `bound`, at which
/// `holds` becomes true, for a `holds` that stays true once it is (false at
/// `origin` itself). Gallops outward from a span sized for `need` working
/// days, then bisects: O(log span) evaluations, each O(listed days).
fn nearest(origin: i64, dir: i64, bound: i64, need: i64, holds: impl Fn(i64) -> Option<bool>) -> Option<i64> {
    let max_k = (bound - origin).abs();
    let mut span = need + need / 2 + 14;
    let mut far = loop {
        let k = span.min(max_k);
        if holds(origin + dir * k)? {
            break k;
        }
        if k == max_k {
            return None;
        }
        span = span.saturating_mul(2);
    };
    let mut near = 0;
    while far - near > 1 {
        let mid = near + (far - near) / 2;
        if holds(origin + dir * mid)? { far = mid } else { near = mid }
    }
    Some(origin + dir * far)
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn weekends_are_skipped() {
        let c = WorkCalendar::weekends_only();
        // Thursday 2026-12-03 + 2 working days = Monday 2026-12-07
        assert_eq!(c.add_working_days(d("2026-12-03"), 2), d("2026-12-07"));
        assert_eq!(c.sub_working_days(d("2026-12-07"), 2), d("2026-12-03"));
        assert_eq!(c.working_days_between(d("2026-12-03"), d("2026-12-07")), 2);
        assert_eq!(c.working_days_between(d("2026-12-07"), d("2026-12-03")), -2);
    }

    #[test]
    fn holidays_and_adjusted_days_count() {
        let c = WorkCalendar::new([d("2026-12-07")], [d("2026-12-05")]);
        assert!(c.is_working_day(d("2026-12-05")), "adjusted Saturday works");
        assert!(!c.is_working_day(d("2026-12-07")), "holiday rests");
        assert_eq!(c.add_working_days(d("2026-12-04"), 2), d("2026-12-08"));
    }

    fn shipped() -> WorkCalendar {
        CalendarDocument::builtin().work_calendar()
    }

    /// Art.16 deadlines across the 2026 Spring Festival with Tibet's 藏历新年,
    /// worked out by hand from domain/data/calendar/2026.tsv:
    ///
    /// Submitted Fri 2026-02-13. Working days after it:
    ///   02-14 Sat 调休上班 → 1; 02-15…02-26 off (02-15…02-23 national,
    ///   02-24…02-26 Tibet); 02-27 Fri → 2; 02-28 Sat 调休上班 → 3; 03-01 Sun off;
    ///   03-02…03-06 → 4…8; 03-07/08 weekend; 03-09 → 9; 03-10 → 10.
    ///   Review (10) and written-rejection (10) due 2026-03-10.
    ///   (National calendar alone would give 03-05: 02-24…02-26 would count.)
    /// Approved Fri 2026-02-13, implementation 30 working days:
    ///   03-10 → 10; 03-11…03-13 → 11…13; 03-16…03-20 → 14…18;
    ///   03-23…03-27 → 19…23; 03-30…04-03 → 24…28; 04-04…04-06 清明 off;
    ///   04-07 → 29; 04-08 → 30. Implementation due 2026-04-08.
    #[test]
    fn art16_deadlines_across_spring_festival_and_tibetan_new_year() {
        let c = shipped();
        assert_eq!(c.add_working_days(d("2026-02-13"), 10), d("2026-03-10"));
        assert_eq!(c.add_working_days(d("2026-02-13"), 30), d("2026-04-08"));
        let national_only = WorkCalendar::new(
            c.holidays.iter().copied().filter(|x| !(d("2026-02-24")..=d("2026-02-26")).contains(x)),
            c.adjusted_working_days.iter().copied(),
        );
        assert_eq!(national_only.add_working_days(d("2026-02-13"), 10), d("2026-03-05"));
    }

    /// Across Mid-Autumn and National Day 2026, by hand:
    ///
    /// Submitted Wed 2026-09-23, 10 working days: 09-24 Thu → 1; 09-25…09-27
    ///   中秋 off; 09-28…09-30 → 2…4; 10-01…10-07 国庆 off; 10-08 → 5;
    ///   10-09 → 6; 10-10 Sat 调休上班 → 7; 10-11 Sun off; 10-12 → 8;
    ///   10-13 → 9; 10-14 → 10. Due 2026-10-14.
    /// Approved Fri 2026-09-18, 30 working days: 09-19 Sat off; 09-20 Sun
    ///   调休上班 → 1; 09-21…09-24 → 2…5; 09-25…09-27 off; 09-28…09-30 → 6…8;
    ///   10-01…10-07 off; 10-08, 10-09, 10-10 → 9…11; 10-12…10-16 → 12…16;
    ///   10-19…10-23 → 17…21; 10-26…10-30 → 22…26; 11-02…11-05 → 27…30.
    ///   Due 2026-11-05.
    #[test]
    fn art16_deadlines_across_national_day() {
        let c = shipped();
        assert_eq!(c.add_working_days(d("2026-09-23"), 10), d("2026-10-14"));
        assert_eq!(c.add_working_days(d("2026-09-18"), 30), d("2026-11-05"));
        assert_eq!(c.working_days_between(d("2026-09-18"), d("2026-11-05")), 30);
    }

    #[test]
    fn adjusted_saturday_counts_and_holiday_does_not() {
        let c = shipped();
        // Fri 02-13 + 1 = Sat 02-14 (调休上班), not Mon 02-16 or later.
        assert_eq!(c.add_working_days(d("2026-02-13"), 1), d("2026-02-14"));
        assert_eq!(c.working_days_between(d("2026-02-13"), d("2026-02-14")), 1);
        // Wed 09-30 + 1 skips the whole 国庆 week (a Thursday holiday onwards).
        assert_eq!(c.add_working_days(d("2026-09-30"), 1), d("2026-10-08"));
        assert_eq!(c.working_days_between(d("2026-09-30"), d("2026-10-07")), 0);
    }

    fn any_date() -> impl proptest::strategy::Strategy<Value = NaiveDate> {
        use proptest::strategy::Strategy;
        (0i64..(365 * 3)).prop_map(|n| d("2024-11-01") + Duration::days(n))
    }

    proptest::proptest! {
        #[test]
        fn adding_working_days_lands_on_a_working_day(start in any_date(), n in 1u32..80) {
            let c = shipped();
            proptest::prop_assert!(c.is_working_day(c.add_working_days(start, n)));
        }

        #[test]
        fn counting_back_gives_n(start in any_date(), n in 0u32..80) {
            let c = shipped();
            let due = c.add_working_days(start, n);
            proptest::prop_assert_eq!(c.working_days_between(start, due), i64::from(n));
            proptest::prop_assert_eq!(c.working_days_between(due, start), -i64::from(n));
        }

        #[test]
        fn sub_undoes_add_from_a_working_day(start in any_date(), n in 0u32..80) {
            let c = shipped();
            proptest::prop_assume!(c.is_working_day(start));
            proptest::prop_assert_eq!(c.sub_working_days(c.add_working_days(start, n), n), start);
        }
    }
}
