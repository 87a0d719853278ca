//! Working days (工作日): the one place that does working-day arithmetic, so
//! every deadline of the regulation (Art.16's 10 and 30 days, Art.21's 2 days'
//! notice) is computed the same way. For now the calendar knows weekends and
//! whatever holiday and adjusted-working-day (调休) dates it is given; the
//! region-published calendar plugs in here.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, Utc, Weekday};

/// Beijing time (UTC+8, no daylight saving): the zone every date of the
/// regulation is counted in.
pub fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// Today's date in Beijing time.
pub fn today() -> NaiveDate {
    Utc::now().with_timezone(&beijing()).date_naive()
}

/// The Beijing-time date of an instant.
pub fn date_of(t: &DateTime<FixedOffset>) -> NaiveDate {
    t.with_timezone(&beijing()).date_naive()
}

/// A working-day calendar: weekends are rest days unless listed as adjusted
/// working days; listed holidays are rest days.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WorkCalendar {
    holidays: BTreeSet<NaiveDate>,
    adjusted_working_days: BTreeSet<NaiveDate>,
}

impl WorkCalendar {
    /// Weekends only: the calendar until a published one is loaded.
    pub fn weekends_only() -> Self {
        Self::default()
    }

    /// A calendar with explicit public holidays and adjusted working days.
    pub fn new(holidays: impl IntoIterator<Item = NaiveDate>, adjusted: impl IntoIterator<Item = NaiveDate>) -> Self {
        WorkCalendar { holidays: holidays.into_iter().collect(), adjusted_working_days: adjusted.into_iter().collect() }
    }

    /// Whether `d` is a working day.
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        if self.adjusted_working_days.contains(&d) {
            return true;
        }
        if self.holidays.contains(&d) {
            return false;
        }
        !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
    }

    /// The date `n` working days after `d` (n = 0 gives `d` itself).
    pub fn add_working_days(&self, d: NaiveDate, n: u32) -> NaiveDate {
        self.step(d, n, 1)
    }

    /// The date `n` working days before `d` (n = 0 gives `d` itself).
    pub fn sub_working_days(&self, d: NaiveDate, n: u32) -> NaiveDate {
        self.step(d, n, -1)
    }

    /// Number of working days in `(from, to]`; negative when `to < from`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        let (lo, hi, sign) = if from <= to { (from, to, 1) } else { (to, from, -1) };
        let mut d = lo;
        let mut n = 0;
        while d < hi {
            d += Duration::days(1);
            if self.is_working_day(d) {
                n += 1;
            }
        }
        n * sign
    }

    fn step(&self, mut d: NaiveDate, n: u32, dir: i64) -> NaiveDate {
        let mut left = n;
        while left > 0 {
            d += Duration::days(dir);
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }
}

#[cfg(test)]
mod tests {
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
}
