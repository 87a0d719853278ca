//! Calendars on the wire.

use std::collections::BTreeMap;

use extranet_proto::v1 as pb;
use prost::Message;

use super::date;
use super::enums::WireEnum;
use crate::calendar::{CalendarDocument, DayKind, DayRule};
use crate::error::{NodeError, Result};

/// Event kind of a calendar published by the region, travelling down.
pub const KIND_CALENDAR: &str = "calendar.v1";

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
    }
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
