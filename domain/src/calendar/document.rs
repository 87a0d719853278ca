//! The calendar as a document: the days of each year that differ from the
//! Monday–Friday pattern (holidays, 调休 working weekends, Tibet's regional
//! holidays), versioned, published by the region and carried down the
//! federation as a `calendar.v1` event. Every node keeps the newest version
//! it holds and computes deadlines from it, so the same input gives the same
//! due date at every node that holds the same version.
//!
//! The default for 2025 and 2026 ships inside the binary, copied from the
//! project's reference data (`shared/data/holidays_2026.md`, which cites the
//! State Council notices and the Lhasa notices); each file's header names its
//! sources. A newer year is loaded by `extranet calendar publish --file` at
//! the region, without a new release.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use super::WorkCalendar;
use crate::error::{DomainError, Result};

/// The shipped calendars, one TSV file per year.
const SHIPPED: &[(&str, &str)] = &[
    ("2025.tsv", include_str!("../../data/calendar/2025.tsv")),
    ("2026.tsv", include_str!("../../data/calendar/2026.tsv")),
];

/// What a listed day is.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum DayKind {
    /// A day off (放假): not a working day, whatever its weekday.
    Off,
    /// An adjusted working day (调休上班): a Saturday or Sunday that is worked.
    Work,
}

/// One listed day.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct DayRule {
    /// The date, Beijing time.
    pub date: NaiveDate,
    /// Off or worked.
    pub kind: DayKind,
    /// The holiday it belongs to, e.g. 春节/藏历新年.
    pub name: String,
    /// `national` or `regional`.
    pub scope: String,
}

/// The days of one or more whole years, as read from a TSV file.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct CalendarTable {
    /// Every year the file lists a day in.
    pub years: BTreeSet<i32>,
    /// The listed days, by date.
    pub days: Vec<DayRule>,
    /// The file's `#` header lines (its sources), without the `#`.
    pub sources: Vec<String>,
}

/// A published calendar: every year it covers, with the version it was
/// published as. Version 0 is the calendar built into this release.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct CalendarDocument {
    /// 0 for the built-in calendar; the region numbers its publications from 1.
    pub version: u64,
    /// When the region published it, Unix ms (0 for the built-in one).
    pub published_at_ms: i64,
    /// Who published it (`operator@540000`), or `内置` for the built-in one.
    pub published_by: String,
    /// The years whose days are listed; outside them only weekends rest.
    pub years: BTreeSet<i32>,
    /// The listed days, by date.
    pub days: Vec<DayRule>,
    /// Sources, per year: the header lines of the file the year came from.
    pub sources: BTreeMap<i32, Vec<String>>,
    /// When each version up to this one was published (Unix ms), so a
    /// deadline computed under an older version knows whether it was still
    /// running when the next one came (the correction policy,
    /// [`super::WorkCalendar::first_change_after`]).
    #[serde(default)]
    pub history: BTreeMap<u64, i64>,
}

impl CalendarTable {
    /// Parses a calendar file: `#` comment lines (kept as sources), an
    /// optional `date kind name scope` header, then one tab-separated line per
    /// listed day. `kind` is `off` or `work`; a `work` day must fall on a
    /// weekend; no date may be listed twice. Errors name the line.
    pub fn parse(text: &str) -> Result<Self> {
        Self::parse_scoped(text, &["national", "regional"])
    }

    /// Parses a prefecture's local calendar file (地方性假日): the same
    /// format, every day's scope `local` (the column may be left out).
    pub fn parse_local(text: &str) -> Result<Self> {
        Self::parse_scoped(text, &["local"])
    }

    /// Parses with `scopes` allowed in the fourth column (the first when
    /// it is left out).
    fn parse_scoped(text: &str, scopes: &[&str]) -> Result<Self> {
        let mut t = CalendarTable::default();
        let mut seen = BTreeSet::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim_end_matches('\r');
            let bad = |rule: String| DomainError::invalid("file", format!("第 {} 行：{rule}", i + 1));
            if let Some(c) = line.strip_prefix('#') {
                t.sources.push(c.trim().to_string());
                continue;
            }
            if line.trim().is_empty() || line.starts_with("date\t") {
                continue;
            }
            let cols: Vec<&str> = line.split('\t').map(str::trim).collect();
            if cols.len() < 3 {
                return Err(bad("应为 “日期<TAB>off|work<TAB>节日[<TAB>national|regional]”".into()));
            }
            let date: NaiveDate =
                cols[0].parse().map_err(|_| bad(format!("“{}” 不是 YYYY-MM-DD 格式的日期", cols[0])))?;
            if !(super::FIRST_YEAR..=super::LAST_YEAR).contains(&date.year()) {
                return Err(bad(format!("{date} 超出允许范围（{}–{} 年）", super::FIRST_YEAR, super::LAST_YEAR)));
            }
            let kind = match cols[1] {
                "off" => DayKind::Off,
                "work" => DayKind::Work,
                other => return Err(bad(format!("类别 “{other}” 应为 off（放假）或 work（调休上班）"))),
            };
            if kind == DayKind::Work && !is_weekend(date) {
                return Err(bad(format!("{date} 是{}，调休上班日（work）应为周六或周日", weekday_zh(date))));
            }
            if cols[2].is_empty() {
                return Err(bad("节日名称不能为空".into()));
            }
            let scope = cols.get(3).copied().filter(|s| !s.is_empty()).unwrap_or(scopes[0]);
            if !scopes.contains(&scope) {
                return Err(bad(format!("范围 “{scope}” 应为 {}", scopes.join(" 或 "))));
            }
            if !seen.insert(date) {
                return Err(bad(format!("{date} 重复列出")));
            }
            t.years.insert(date.year());
            t.days.push(DayRule { date, kind, name: cols[2].to_string(), scope: scope.to_string() });
        }
        if t.days.is_empty() {
            return Err(DomainError::invalid("file", "文件中没有任何日期"));
        }
        t.days.sort_by_key(|d| d.date);
        Ok(t)
    }
}

impl CalendarDocument {
    /// The calendar built into this release (2025 and 2026), version 0.
    pub fn builtin() -> Self {
        let mut doc = CalendarDocument {
            version: 0,
            published_at_ms: 0,
            published_by: "内置".into(),
            years: BTreeSet::new(),
            days: Vec::new(),
            sources: BTreeMap::new(),
            history: BTreeMap::new(),
        };
        for (name, text) in SHIPPED {
            let table =
                CalendarTable::parse(text).unwrap_or_else(|e| panic!("shipped calendar {name} is invalid: {e}"));
            doc = doc.with_years(&table);
        }
        doc
    }

    /// This document with every year of `table` replaced by the table's days
    /// (other years kept). Version and publisher are left to the caller.
    pub fn with_years(&self, table: &CalendarTable) -> Self {
        let mut out = self.clone();
        out.days.retain(|d| !table.years.contains(&d.date.year()));
        out.days.extend(table.days.iter().cloned());
        out.days.sort_by_key(|d| d.date);
        for y in &table.years {
            out.years.insert(*y);
            out.sources.insert(*y, table.sources.clone());
        }
        out
    }

    /// The next version of this document: the table's years replaced,
    /// numbered after this one, stamped with when and by whom, its history
    /// extended by itself (one rule for the region's calendar and a
    /// prefecture's local one).
    pub fn next_version(&self, table: &CalendarTable, at_ms: i64, by: String) -> Self {
        let mut doc = self.with_years(table);
        doc.version = self.version + 1;
        doc.published_at_ms = at_ms;
        doc.published_by = by;
        doc.history.insert(doc.version, at_ms);
        doc
    }

    /// Whether `d` falls in a year this calendar lists.
    pub fn covers(&self, d: NaiveDate) -> bool {
        self.years.contains(&d.year())
    }

    /// The working-day calendar of this document.
    pub fn work_calendar(&self) -> WorkCalendar {
        let pick = |k: DayKind| self.days.iter().filter(move |d| d.kind == k).map(|d| d.date);
        WorkCalendar::new(pick(DayKind::Off), pick(DayKind::Work))
            .with_version(self.version)
            .with_years(self.years.iter().copied())
            .with_history(self.history_dates())
    }

    /// The day (Beijing time) each version was published.
    pub(super) fn history_dates(&self) -> BTreeMap<u64, NaiveDate> {
        self.history.iter().map(|(v, ms)| (*v, super::date_of_ms(*ms))).collect()
    }
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

fn weekday_zh(d: NaiveDate) -> &'static str {
    ["周一", "周二", "周三", "周四", "周五", "周六", "周日"][d.weekday().num_days_from_monday() as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_calendar_covers_2025_and_2026_with_sources() {
        let doc = CalendarDocument::builtin();
        assert_eq!(doc.version, 0);
        assert_eq!(doc.years.iter().copied().collect::<Vec<_>>(), vec![2025, 2026]);
        assert!(doc.sources[&2026].iter().any(|s| s.contains("content_7047091")), "cites the State Council notice");
        assert!(doc.sources[&2025].iter().any(|s| s.contains("藏历新年")));
        let cal = doc.work_calendar();
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert!(!cal.is_working_day(d("2026-02-24")), "Tibet's regional addition to the Spring Festival");
        assert!(cal.is_working_day(d("2026-02-14")), "调休 Saturday");
        assert!(!cal.is_working_day(d("2025-03-03")), "2025 藏历新年, a Monday");
        assert!(cal.is_working_day(d("2025-09-28")), "调休 Sunday");
    }

    #[test]
    fn bad_lines_are_named() {
        for (text, needle) in [
            ("2027-01-01\toff\t元旦\n2027-01-01\toff\t元旦\n", "第 2 行"),
            ("2027-01-05\twork\t元旦\n", "周二"),
            ("2027-13-01\toff\t元旦\n", "YYYY-MM-DD"),
            ("9999-01-01\toff\t元旦\n", "超出允许范围"),
            ("2027-01-01\tholiday\t元旦\n", "off"),
            ("# only a comment\n", "没有任何日期"),
        ] {
            let e = CalendarTable::parse(text).unwrap_err();
            assert!(matches!(e, DomainError::Invalid { field: "file", .. }), "{e}");
            assert!(e.to_string().contains(needle), "{e}");
        }
    }

    #[test]
    fn publishing_a_year_replaces_only_that_year() {
        let base = CalendarDocument::builtin();
        let t = CalendarTable::parse("# 2026 更正\n2026-12-31\toff\t测试\n2027-01-01\toff\t元旦\n").unwrap();
        let doc = base.with_years(&t);
        assert!(doc.days.iter().all(|d| d.date.year() != 2026 || d.name == "测试"));
        assert!(doc.days.iter().any(|d| d.date.year() == 2025), "2025 kept");
        assert_eq!(doc.years.len(), 3);
        assert!(doc.covers("2027-06-01".parse().unwrap()));
    }
}
