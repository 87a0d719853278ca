//! Calendars on the wire: the region's, a prefecture's local one, and the
//! local stamp a deadline carries.

use std::collections::BTreeMap;

use extranet_proto::v1 as pb;
use prost::Message;

use super::date;
use super::enums::WireEnum;
use crate::calendar::{CalendarDocument, DayKind, DayRule, LocalCalendar, LocalStamp};
use crate::error::{NodeError, Result};

/// Event kind of a calendar published by the region, travelling down.
pub const KIND_CALENDAR: &str = "calendar.v1";

/// Event kind of a prefecture's local calendar: down its subtree, and up
/// as a copy its ancestors hold but never apply to themselves.
pub const KIND_CALENDAR_LOCAL: &str = "calendar.local.v1";

/// The wire form of a calendar document (every year, or only `year`).
pub fn calendar_to_pb(d: &CalendarDocument, year: Option<i32>) -> pb::CalendarDocument {
    let wanted = |y: i32| year.is_none_or(|w| w == y);
    pb::CalendarDocument {
        version: d.version,
        published_at_ms: d.published_at_ms,
        published_by: d.published_by.clone(),
        years: d.years.iter().copied().filter(|y| wanted(*y)).collect(),
        days: d
            .days
            .iter()
            .filter(|r| wanted(chrono::Datelike::year(&r.date)))
            .map(|r| pb::CalendarDay {
                date: r.date.to_string(),
                kind: r.kind.to_pb() as i32,
                name: r.name.clone(),
                scope: r.scope.clone(),
            })
            .collect(),
        sources: d
            .sources
            .iter()
            .filter(|(y, _)| wanted(**y))
            .map(|(y, l)| pb::CalendarSources { year: *y, lines: l.clone() })
            .collect(),
        history: d.history.iter().map(|(v, ms)| pb::VersionPublished { version: *v, published_at_ms: *ms }).collect(),
        local_by: String::new(),
        local_version: 0,
    }
}

/// The wire form of the calendar shown at a node: the region's with the
/// days of `local` (its prefecture's local calendar) merged in, marked.
pub fn shown_calendar_to_pb(
    base: &CalendarDocument,
    local: Option<&LocalCalendar>,
    year: Option<i32>,
) -> pb::CalendarDocument {
    let Some(local) = local else { return calendar_to_pb(base, year) };
    let mut p = calendar_to_pb(&base.with_local(local), year);
    let stamp = local.stamp();
    (p.local_by, p.local_version) = (stamp.by, stamp.version);
    p
}

/// The wire form of a local calendar.
pub fn local_calendar_to_pb(l: &LocalCalendar) -> pb::LocalCalendarDocument {
    pb::LocalCalendarDocument { subtree: l.subtree.to_string(), calendar: Some(calendar_to_pb(&l.doc, None)) }
}

/// Payload of a `calendar.local.v1` event.
pub fn encode_local_calendar(l: &LocalCalendar) -> Vec<u8> {
    local_calendar_to_pb(l).encode_to_vec()
}

/// Reads a `calendar.local.v1` payload.
pub fn decode_local_calendar(bytes: &[u8]) -> Result<LocalCalendar> {
    let p: pb::LocalCalendarDocument = super::decode_payload(bytes, "本地日历事件")?;
    let subtree = super::node("subtree", &p.subtree)?;
    let doc = calendar_from_pb(p.calendar.ok_or_else(|| NodeError::invalid("calendar", "缺少日历"))?)?;
    Ok(LocalCalendar { subtree, doc })
}

/// The local calendar's division code of a deadline's stamp (empty: none).
pub fn local_by(l: &Option<LocalStamp>) -> String {
    l.as_ref().map(|l| l.by.clone()).unwrap_or_default()
}

/// The local calendar's version of a deadline's stamp (0: none).
pub fn local_version(l: &Option<LocalStamp>) -> u64 {
    l.as_ref().map_or(0, |l| l.version)
}

/// A deadline's local stamp from its wire fields: none when `by` is empty,
/// else a six-digit division code.
pub fn local_stamp(field: &'static str, by: String, version: u64) -> Result<Option<LocalStamp>> {
    if by.is_empty() {
        return Ok(None);
    }
    if by.len() != 6 || !by.bytes().all(|b| b.is_ascii_digit()) {
        return Err(NodeError::invalid(field, format!("本地日历发布节点 “{by}” 应为六位行政区划代码")));
    }
    Ok(Some(LocalStamp { by, version }))
}

fn calendar_from_pb(p: pb::CalendarDocument) -> Result<CalendarDocument> {
    let days = p
        .days
        .iter()
        .map(|r| {
            let kind = DayKind::from_pb(r.kind).ok_or_else(|| NodeError::invalid("days.kind", "应为 OFF 或 WORK"))?;
            Ok(DayRule { date: date("days.date", &r.date)?, kind, name: r.name.clone(), scope: r.scope.clone() })
        })
        .collect::<Result<Vec<_>>>()?;
    let range = crate::calendar::FIRST_YEAR..=crate::calendar::LAST_YEAR;
    if let Some(y) = p.years.iter().chain(p.sources.iter().map(|s| &s.year)).find(|y| !range.contains(*y)) {
        return Err(NodeError::invalid("years", format!("年份 {y} 超出允许范围（{}–{}）", range.start(), range.end())));
    }
    Ok(CalendarDocument {
        version: p.version,
        published_at_ms: p.published_at_ms,
        published_by: p.published_by,
        years: p.years.into_iter().collect(),
        days,
        sources: p.sources.into_iter().map(|s| (s.year, s.lines)).collect::<BTreeMap<_, _>>(),
        history: p.history.into_iter().map(|h| (h.version, h.published_at_ms)).collect(),
    })
}

/// Payload of a `calendar.v1` event.
pub fn encode_calendar(d: &CalendarDocument) -> Vec<u8> {
    calendar_to_pb(d, None).encode_to_vec()
}

/// Reads a `calendar.v1` payload.
pub fn decode_calendar(bytes: &[u8]) -> Result<CalendarDocument> {
    calendar_from_pb(super::decode_payload(bytes, "日历事件")?)
}
