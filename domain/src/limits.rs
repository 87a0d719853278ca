//! The bounds on what one request or record may hold, in one place.
//!
//! A county node runs on a machine with 1–2 GiB of RAM and keeps every
//! filing forever, so nothing a client or a peer sends may be allowed to
//! grow without limit: each repeated field has a most-elements count fit for
//! the domain (a cutover affects the units registered at a node — tens, at
//! most hundreds — not hundreds of thousands of strings), each string a most
//! length, each request a most size, and each record's event a most size so
//! it always fits in one federation frame. Breaking a bound is
//! `INVALID_ARGUMENT` with a Chinese message naming the field and the limit.

use crate::error::{DomainError, Result};

/// Largest encoded request any operator or unit service accepts (tonic's
/// decoding limit on each service). Every valid request is far smaller; the
/// largest legitimate one is a published calendar table.
pub const MAX_REQUEST_BYTES: usize = 256 << 10;

/// Longest free-text field (description, reason, plan), in characters.
pub const MAX_TEXT_CHARS: usize = 2000;

/// Longest single element of a list (a unit's name, a device), in characters.
pub const MAX_ITEM_CHARS: usize = 200;

/// Most access units one cutover may name as affected (Art.21).
pub const MAX_AFFECTED_UNITS: usize = 500;

/// Most addresses or prefixes one launch filing may list (Art.23).
pub const MAX_LAUNCH_ADDRESSES: usize = 64;

/// Most devices one withdrawal may list for reclaiming.
pub const MAX_WITHDRAWAL_DEVICES: usize = 500;

/// Largest payload of one event a record may produce, so every event fits
/// in one sync frame: no larger than the federation's bound (the node
/// checks that at compile time, `extranet_node::codec`).
pub const MAX_EVENT_PAYLOAD_BYTES: usize = 1 << 20;

/// Rows in a list page when the request names none.
pub const PAGE_ROWS_DEFAULT: usize = 100;

/// Most rows in one list page.
pub const PAGE_ROWS_MAX: usize = 1000;

/// Most encoded bytes of rows in one list page (a page holds at least one
/// row, and a row is bounded by [`MAX_EVENT_PAYLOAD_BYTES`]), well under
/// the 4 MiB a gRPC client accepts by default.
pub const PAGE_BYTES_MAX: usize = 1 << 20;

/// Longest page token accepted, in bytes.
pub const MAX_PAGE_TOKEN_BYTES: usize = 256;

/// A free-text field that may be empty: trimmed, at most [`MAX_TEXT_CHARS`].
pub fn optional_text(field: &'static str, v: &str) -> Result<String> {
    let v = v.trim();
    if v.chars().count() > MAX_TEXT_CHARS {
        return Err(DomainError::invalid(field, format!("不能超过 {MAX_TEXT_CHARS} 个字符")));
    }
    Ok(v.to_string())
}

/// A required free-text field: trimmed, not empty, at most [`MAX_TEXT_CHARS`].
pub fn required_text(field: &'static str, v: &str) -> Result<String> {
    if v.trim().is_empty() {
        return Err(DomainError::invalid(field, "不能为空"));
    }
    optional_text(field, v)
}

/// A list of short strings: each trimmed (empty ones dropped), at most
/// `max_items` of them and each at most [`MAX_ITEM_CHARS`] characters.
pub fn items(field: &'static str, v: &[String], max_items: usize) -> Result<Vec<String>> {
    if v.len() > max_items {
        return Err(DomainError::invalid(field, format!("最多 {max_items} 项，实际 {} 项", v.len())));
    }
    v.iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(|s| {
            if s.chars().count() > MAX_ITEM_CHARS {
                Err(DomainError::invalid(field, format!("每项不能超过 {MAX_ITEM_CHARS} 个字符")))
            } else {
                Ok(s.to_string())
            }
        })
        .collect()
}

/// At most `max_items` elements in `field`.
pub fn count(field: &'static str, n: usize, max_items: usize) -> Result<()> {
    if n > max_items {
        return Err(DomainError::invalid(field, format!("最多 {max_items} 项，实际 {n} 项")));
    }
    Ok(())
}

/// The event a record produces must fit in one federation frame: refused
/// before anything is written otherwise.
pub fn event_payload(what: &'static str, len: usize) -> Result<()> {
    if len > MAX_EVENT_PAYLOAD_BYTES {
        return Err(DomainError::invalid(
            what,
            format!("编码后 {len} 字节，超过单条同步事件的上限 {MAX_EVENT_PAYLOAD_BYTES} 字节"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_bounded_in_count_and_element_length() {
        let many = vec!["单位".to_string(); MAX_AFFECTED_UNITS + 1];
        let e = items("cutover.affected_units", &many, MAX_AFFECTED_UNITS).unwrap_err().to_string();
        assert!(e.contains("cutover.affected_units") && e.contains("最多 500 项"), "{e}");
        let long = vec!["长".repeat(MAX_ITEM_CHARS + 1)];
        assert!(items("devices", &long, 10).unwrap_err().to_string().contains("200"));
        assert_eq!(items("devices", &[" a ".into(), " ".into()], 10).unwrap(), vec!["a".to_string()]);
        assert!(optional_text("reason", &"x".repeat(MAX_TEXT_CHARS + 1)).is_err());
        assert!(event_payload("filing", MAX_EVENT_PAYLOAD_BYTES + 1).unwrap_err().to_string().contains("上限"));
    }
}
