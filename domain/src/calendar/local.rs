//! Local holidays (地方性假日): Art.30 lets the prefectures make their own
//! rules, so a prefecture may publish days off (or worked weekends) for its
//! own subtree on top of the region's calendar. The region's document stays
//! the base: a local calendar lists days only in years the base lists, never
//! a day the base already lists (the base wins if a later base version
//! lists it), and is merged in only at the nodes of the publisher's subtree
//! ([`effective`]). It has its own version counter, and each deadline
//! records the local version beside the base one ([`LocalStamp`]).
//!
//! Only prefectures publish: a county's calendar for itself alone would make
//! the deadlines of one prefecture's counties differ in ways the prefecture
//! (which oversees them) did not decide; a county asks its prefecture.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};
use extranet_ids::NodeId;
use serde::{Deserialize, Serialize};

use super::{CalendarDocument, CalendarTable, DayKind, DayRule, WorkCalendar};
use crate::error::{DomainError, Result};

/// Which local calendar a deadline was computed with: the publishing
/// prefecture's division code and its version.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LocalStamp {
    /// The publishing prefecture's division code (e.g. `540100`).
    pub by: String,
    /// Its version, numbered from 1 by that prefecture.
    pub version: u64,
}

/// A prefecture's local calendar: the days it adds for its subtree.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct LocalCalendar {
    /// The publisher, whose subtree it applies to.
    pub subtree: NodeId,
    /// Its days (scope `local`), years, sources, version and history.
    pub doc: CalendarDocument,
}

impl LocalCalendar {
    /// The next version `subtree` publishes from `table` over `base` (the
    /// region's calendar in force there), after `current` (its last one,
    /// if any): the table's years replace those years of the last one.
    /// Refused when `subtree` is not a prefecture, a year is not in the
    /// base, or a day is one the base already lists.
    pub fn publish(
        current: Option<&LocalCalendar>,
        base: &CalendarDocument,
        subtree: &NodeId,
        table: &CalendarTable,
        at_ms: i64,
        by: String,
    ) -> Result<LocalCalendar> {
        if subtree.depth() != 2 {
            return Err(DomainError::FailedPrecondition(format!(
                "本地工作日历（地方性假日）由地（市）节点为本辖区发布，{subtree} 不是地（市）节点（第三十条）"
            )));
        }
        check_against_base(table, base)?;
        let empty = CalendarDocument::builtin_empty();
        let last = current.map_or(&empty, |c| &c.doc);
        Ok(LocalCalendar { subtree: subtree.clone(), doc: last.next_version(table, at_ms, by) })
    }

    /// The stamp deadlines computed with it record.
    pub fn stamp(&self) -> LocalStamp {
        LocalStamp { by: self.subtree.code().to_string(), version: self.doc.version }
    }

    /// Whether it applies at `node`: the publisher itself and its subtree.
    pub fn applies_to(&self, node: &NodeId) -> bool {
        node.is_within(&self.subtree)
    }

    /// Its days that take effect over `base`: those in years the base
    /// lists and on days the base does not list (the base wins).
    pub fn applicable<'a>(&'a self, base: &'a CalendarDocument) -> impl Iterator<Item = &'a DayRule> + 'a {
        let listed: BTreeSet<NaiveDate> = base.days.iter().map(|d| d.date).collect();
        self.doc.days.iter().filter(move |d| base.covers(d.date) && !listed.contains(&d.date))
    }
}

/// The prefecture whose local calendar applies at `node`: itself at a
/// prefecture, its ancestor at depth 2 below it, none at the region.
pub fn prefecture_of(node: &NodeId) -> Option<NodeId> {
    match node.depth() {
        0..=1 => None,
        2 => Some(node.clone()),
        _ => node.ancestors().into_iter().find(|a| a.depth() == 2),
    }
}

/// Refuses a local table with a year the base does not list or a day the
/// base lists, naming the date.
fn check_against_base(table: &CalendarTable, base: &CalendarDocument) -> Result<()> {
    for d in &table.days {
        if !base.covers(d.date) {
            let y = d.date.year();
            return Err(DomainError::invalid(
                "file",
                format!(
                    "{}：自治区工作日历尚未列出 {y} 年，本地假日只能加在已发布的年份（待自治区发布 {y} 年日历后再发布）",
                    d.date
                ),
            ));
        }
        if let Some(b) = base.days.iter().find(|b| b.date == d.date) {
            return Err(DomainError::invalid(
                "file",
                format!(
                    "{}：自治区工作日历已列为“{}”（{}），本地日历不能改变自治区所列的日子",
                    d.date,
                    b.name,
                    kind_zh(b.kind)
                ),
            ));
        }
    }
    Ok(())
}

fn kind_zh(k: DayKind) -> &'static str {
    match k {
        DayKind::Off => "放假",
        DayKind::Work => "调休上班",
    }
}

/// The calendar in force at a node: the region's `base` with `local` (the
/// local calendar of the node's prefecture, if it published one) merged in.
pub fn effective(base: &CalendarDocument, local: Option<&LocalCalendar>) -> WorkCalendar {
    let mut cal = base.work_calendar();
    let Some(local) = local else { return cal };
    for d in local.applicable(base) {
        match d.kind {
            DayKind::Off => cal.holidays.insert(d.date),
            DayKind::Work => cal.adjusted_working_days.insert(d.date),
        };
        cal.local_days.insert(d.date);
    }
    cal.local = Some(local.stamp());
    cal.local_history = local.doc.history_dates();
    cal
}

impl CalendarDocument {
    /// The days of `local` that take effect over this base, added to it as
    /// listed days (scope `local`): what a node shows as its calendar.
    pub fn with_local(&self, local: &LocalCalendar) -> CalendarDocument {
        let mut out = self.clone();
        out.days.extend(local.applicable(self).cloned());
        out.days.sort_by_key(|d| d.date);
        out
    }

    /// An empty document with no version, the start of a local series.
    fn builtin_empty() -> Self {
        CalendarDocument {
            version: 0,
            published_at_ms: 0,
            published_by: String::new(),
            years: BTreeSet::new(),
            days: Vec::new(),
            sources: Default::default(),
            history: Default::default(),
        }
    }
}

impl WorkCalendar {
    /// The local calendar merged in, if any.
    pub fn local(&self) -> Option<&LocalStamp> {
        self.local.as_ref()
    }

    /// Whether a local day (off or worked) falls in `(from, to]`: a
    /// deadline over that span was moved by the prefecture's calendar.
    pub fn local_day_between(&self, from: NaiveDate, to: NaiveDate) -> bool {
        from < to && self.local_days.range(from.succ_opt().unwrap_or(from)..=to).next().is_some()
    }

    /// Whether `d` is a local day (off or worked) here.
    pub fn is_local_day(&self, d: NaiveDate) -> bool {
        self.local_days.contains(&d)
    }
}
