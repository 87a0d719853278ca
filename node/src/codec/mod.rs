//! Conversions between domain records and the wire contract (`extranet.v1`):
//! request validation at the edge, and the encoding of event payloads. One
//! file per area; the shared field checks are here.

mod access;
mod calendar;
mod filing;
mod ipam;
mod pki;

pub use access::*;
pub use calendar::*;
pub use filing::*;
pub use ipam::*;
pub use pki::*;

use chrono::{DateTime, NaiveDate};

use crate::error::{NodeError, Result};

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

pub(crate) fn date(field: &'static str, v: &str) -> Result<NaiveDate> {
    v.trim().parse().map_err(|_| NodeError::invalid(field, format!("“{v}” 不是 YYYY-MM-DD 格式的日期")))
}

pub(crate) fn instant(field: &'static str, v: &str) -> Result<DateTime<chrono::FixedOffset>> {
    DateTime::parse_from_rfc3339(v.trim()).map_err(|_| {
        NodeError::invalid(field, format!("“{v}” 不是带时区的 RFC 3339 时间，例如 2026-12-03T22:00:00+08:00"))
    })
}
