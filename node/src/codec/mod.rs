//! Conversions between domain records and the wire contract (`extranet.v1`):
//! request validation at the edge, and the encoding of event payloads. One
//! file per area; the shared field checks are here.

mod access;
mod access_event;
mod access_v1;
mod approval;
mod asset;
mod calendar;
mod circular;
#[cfg(test)]
mod compat_tests;
mod enums;
mod evaluation;
mod fault;
mod fault_registry;
mod filing;
mod incident;
mod inspection;
mod interruption;
mod ipam;
mod kinds;
mod order;
mod pki;
mod private_network;
mod report;
mod system_request;

pub use access::*;
pub use access_event::*;
pub use access_v1::*;
pub use approval::*;
pub use asset::*;
pub use calendar::*;
pub use circular::*;
pub use enums::WireEnum;
pub use evaluation::*;
pub use fault::*;
pub use fault_registry::*;
pub use filing::*;
pub use incident::*;
pub use inspection::*;
pub use interruption::*;
pub use ipam::*;
pub use kinds::*;
pub use order::*;
pub use pki::*;
pub use private_network::*;
pub use report::*;
pub use system_request::*;

use chrono::{DateTime, NaiveDate};

use crate::calendar as cal;
use crate::error::{NodeError, Result};

// Every record's event must fit in one federation frame.
const _: () = assert!(crate::domain::limits::MAX_EVENT_PAYLOAD_BYTES <= extranet_federation::MAX_EVENT_PAYLOAD_BYTES);

/// Longest free-text field accepted, in characters.
const MAX_TEXT: usize = crate::domain::limits::MAX_TEXT_CHARS;

pub(crate) fn text(field: &'static str, v: &str) -> Result<String> {
    let v = v.trim();
    if v.is_empty() {
        return Err(NodeError::invalid(field, "不能为空"));
    }
    if v.chars().count() > MAX_TEXT {
        return Err(NodeError::invalid(field, format!("不能超过 {MAX_TEXT} 个字符")));
    }
    Ok(v.to_string())
}

/// A date of a request or a peer's payload: well-formed and within years
/// 2000–2200 ([`cal::check_date`]), so no date reaching the calendar
/// arithmetic lies near chrono's limits.
pub(crate) fn date(field: &'static str, v: &str) -> Result<NaiveDate> {
    let d = v.trim().parse().map_err(|_| NodeError::invalid(field, format!("“{v}” 不是 YYYY-MM-DD 格式的日期")))?;
    Ok(cal::check_date(field, d)?)
}

/// A node path of a request or a peer's payload (e.g. `540000/540100`).
pub(crate) fn node(field: &'static str, v: &str) -> Result<extranet_certs::NodeId> {
    extranet_certs::NodeId::parse(v).map_err(|e| NodeError::invalid(field, e.to_string()))
}

/// An instant with its zone, whose Beijing date passes [`date`]'s range.
pub(crate) fn instant(field: &'static str, v: &str) -> Result<DateTime<chrono::FixedOffset>> {
    let t = DateTime::parse_from_rfc3339(v.trim()).map_err(|_| {
        NodeError::invalid(field, format!("“{v}” 不是带时区的 RFC 3339 时间，例如 2026-12-03T22:00:00+08:00"))
    })?;
    cal::check_date(field, cal::date_of(&t))?;
    Ok(t)
}

/// Decodes an event payload as message `M`; `what` names the event for the
/// operator (e.g. 分配事件) when the bytes are not one.
pub(crate) fn decode_payload<M: prost::Message + Default>(bytes: &[u8], what: &str) -> Result<M> {
    M::decode(bytes).map_err(|e| NodeError::invalid("payload", format!("{what}无法解码：{e}")))
}

/// Splits a display id `<division code><marker><number>` (e.g.
/// `540102-A000001`) into the code and the number; `rule` says the shape
/// when `id` does not have it.
pub(crate) fn split_numbered_id<'a>(id: &'a str, marker: &str, rule: &'static str) -> Result<(&'a str, u64)> {
    let bad = || NodeError::invalid("id", rule);
    let (code, n) = id.trim().split_once(marker).ok_or_else(bad)?;
    Ok((code, n.parse::<u64>().map_err(|_| bad())?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ApplicationKind;
    use crate::domain::testing::sample;
    use extranet_domain::DomainError;

    fn field_of(e: NodeError) -> &'static str {
        match e {
            NodeError::Domain(DomainError::Invalid { field, .. }) => field,
            other => panic!("not an invalid-argument error: {other}"),
        }
    }

    #[test]
    fn request_dates_outside_2000_to_2200_are_refused_naming_the_field() {
        assert!(date("from", "2026-12-01").is_ok());
        assert_eq!(field_of(date("from", "2201-01-01").unwrap_err()), "from");
        assert_eq!(field_of(date("as_of", "+262142-12-28").unwrap_err()), "as_of");
        assert!(instant("cutover.window_start", "2026-12-03T22:00:00+08:00").is_ok());
        let e = instant("cutover.window_start", "9999-12-31T22:00:00+08:00").unwrap_err();
        assert!(e.to_string().contains("2000-01-01 至 2200-12-31"), "{e}");
    }

    /// `access.v1` payloads are JSON of the domain record, which serde reads
    /// for any date chrono can hold; `access.v2` dates parse as any date:
    /// both decoders check every date.
    #[test]
    fn a_forwarded_application_with_a_date_out_of_range_is_refused() {
        let me = extranet_certs::NodeId::parse("540000/540100").unwrap();
        let app = sample(ApplicationKind::New, "2026-12-01".parse().unwrap());
        let msg = AccessMessage::Forward { to: me.clone(), application: Box::new(app.clone()) };
        assert_eq!(decode_access(&encode_access(&msg)).unwrap(), msg);
        assert_eq!(decode_access_v1(&encode_access_v1(&msg)).unwrap(), msg);
        for (from, to, field) in [
            ("\"submitted_on\":\"2026-12-01\"", "\"submitted_on\":\"+262142-12-28\"", "application.submitted_on"),
            ("\"due\":\"2026-12-15\"", "\"due\":\"1066-10-14\"", "application.deadlines"),
        ] {
            let json = String::from_utf8(encode_access_v1(&msg)).unwrap();
            assert!(json.contains(from), "{json}");
            let e = decode_access_v1(json.replacen(from, to, 1).as_bytes()).unwrap_err();
            assert_eq!(field_of(e), field);
        }
        let mut late = app.clone();
        late.submitted_on = "2201-01-01".parse().unwrap();
        let bad = AccessMessage::Forward { to: me, application: Box::new(late) };
        assert_eq!(field_of(decode_access(&encode_access(&bad)).unwrap_err()), "application.submitted_on");
        let mut summary = app.summary();
        summary.deadlines.review.due = "2300-01-01".parse().unwrap();
        assert_eq!(field_of(decode_summary(&encode_summary(&summary)).unwrap_err()), "summary.deadlines");
        let json = serde_json::to_vec(&summary).unwrap();
        assert_eq!(field_of(decode_summary_v1(&json).unwrap_err()), "summary.deadlines");
    }

    #[test]
    fn a_filing_payload_with_a_date_out_of_range_is_refused() {
        let cutover = crate::domain::Cutover {
            affected_units: vec!["城关区教育局".into()],
            window_start: DateTime::parse_from_rfc3339("2201-01-05T22:00:00+08:00").unwrap(),
            window_end: DateTime::parse_from_rfc3339("2201-01-06T01:00:00+08:00").unwrap(),
            notified_on: "2026-12-01".parse().unwrap(),
            description: "测试".into(),
            major_adjustment: false,
            major_approval: None,
            affected_names: Vec::new(),
            contact: String::new(),
        };
        let filing = crate::domain::Filing {
            id: crate::domain::FilingId {
                origin: extranet_certs::NodeId::parse("540000/540100/540102").unwrap(),
                number: 1,
            },
            filed_at_ms: 0,
            filed_by: "op".into(),
            details: crate::domain::FilingDetails::Cutover(cutover),
            receipts: vec![],
        };
        assert_eq!(field_of(decode_filing(&encode_filing(&filing)).unwrap_err()), "cutover.window_start");
    }

    #[test]
    fn a_calendar_payload_with_a_year_out_of_range_is_refused() {
        let mut doc = crate::calendar::CalendarDocument::builtin();
        assert!(decode_calendar(&encode_calendar(&doc)).is_ok());
        doc.years.insert(i32::MAX);
        assert_eq!(field_of(decode_calendar(&encode_calendar(&doc)).unwrap_err()), "years");
    }
}
