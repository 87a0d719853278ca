//! Paging of every list RPC: a page is bounded in rows and in encoded bytes,
//! and carries an opaque token naming where the next one starts.
//!
//! Filings are never deleted, so a list that answers "everything" grows
//! until it no longer fits in a gRPC message (4 MiB by default at the
//! client) and the listing fails for good. A page stops at its row limit or
//! before its rows would exceed [`limits::PAGE_BYTES_MAX`] encoded,
//! whichever comes first; the token is the sort key of its last row, hex
//! encoded so clients treat it as opaque.

use crate::domain::limits;
use crate::error::{NodeError, Result};

/// Where a page starts and how many rows it may hold.
#[derive(Clone, Debug)]
pub struct PageSpec {
    /// Sort key of the last row of the previous page (exclusive).
    pub after: Option<String>,
    /// Most rows in this page.
    pub rows: usize,
}

/// Reads `page_token` and `page_size` (`fallback` is an older size field,
/// used when `page_size` is 0).
pub fn spec(page_token: &str, page_size: u32, fallback: u32) -> Result<PageSpec> {
    let bad = || NodeError::invalid("page_token", "无效：须原样使用上一页返回的 next_page_token");
    let token = page_token.trim();
    let after = if token.is_empty() {
        None
    } else {
        if token.len() > limits::MAX_PAGE_TOKEN_BYTES || !token.len().is_multiple_of(2) {
            return Err(bad());
        }
        let bytes = (0..token.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&token[i..i + 2], 16))
            .collect::<Result<Vec<u8>, _>>()
            .map_err(|_| bad())?;
        Some(String::from_utf8(bytes).map_err(|_| bad())?)
    };
    let rows = match (page_size, fallback) {
        (0, 0) => limits::PAGE_ROWS_DEFAULT,
        (0, n) | (n, _) => n as usize,
    };
    Ok(PageSpec { after, rows: rows.min(limits::PAGE_ROWS_MAX) })
}

fn token(key: &str) -> String {
    key.bytes().map(|b| format!("{b:02x}")).collect()
}

/// Fills one page from `items` (already in list order and starting after
/// the token), converting each row with `to_pb`. Returns the rows and the
/// next page's token (empty when nothing is left).
pub fn fill<T, P: prost::Message>(
    items: impl Iterator<Item = Result<(String, T)>>,
    spec: &PageSpec,
    to_pb: impl Fn(&T) -> P,
) -> Result<(Vec<P>, String)> {
    let mut out = Vec::new();
    let mut bytes = 0usize;
    let mut last = String::new();
    for item in items {
        let (key, row) = item?;
        let p = to_pb(&row);
        // the row's own bytes plus its tag and length prefix in the response
        let len = p.encoded_len() + 8;
        if out.len() >= spec.rows || (!out.is_empty() && bytes + len > limits::PAGE_BYTES_MAX) {
            return Ok((out, token(&last)));
        }
        bytes += len;
        last = key;
        out.push(p);
    }
    Ok((out, String::new()))
}

/// For lists sorted in memory: sorts `rows` by their key and skips those up
/// to the token's.
pub fn after_key<T>(mut rows: Vec<(String, T)>, spec: &PageSpec) -> impl Iterator<Item = Result<(String, T)>> {
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    let after = spec.after.clone();
    rows.into_iter().filter(move |(k, _)| after.as_ref().is_none_or(|a| k > a)).map(Ok)
}

#[cfg(test)]
mod tests {
    use super::*;
    use extranet_proto::v1 as pb;

    fn unit(id: &str, name_len: usize) -> (String, pb::Unit) {
        (id.to_string(), pb::Unit { id: id.into(), name: "x".repeat(name_len), ..Default::default() })
    }

    #[test]
    fn pages_follow_the_token_to_the_end_without_repeats() {
        let rows: Vec<_> = (0..25).map(|i| unit(&format!("u{i:04}"), 10)).collect();
        let mut seen = Vec::new();
        let mut tok = String::new();
        loop {
            let s = spec(&tok, 10, 0).unwrap();
            let (page, next) = fill(after_key(rows.clone(), &s), &s, |u: &pb::Unit| u.clone()).unwrap();
            assert!(page.len() <= 10);
            seen.extend(page.into_iter().map(|u| u.id));
            if next.is_empty() {
                break;
            }
            tok = next;
        }
        assert_eq!(seen, rows.iter().map(|r| r.0.clone()).collect::<Vec<_>>());
    }

    #[test]
    fn a_page_is_bounded_in_bytes_as_well_as_rows() {
        let rows: Vec<_> = (0..10).map(|i| unit(&format!("u{i}"), 300 << 10)).collect();
        let s = spec("", 1000, 0).unwrap();
        let (page, next) = fill(after_key(rows, &s), &s, |u: &pb::Unit| u.clone()).unwrap();
        let bytes: usize = page.iter().map(prost::Message::encoded_len).sum();
        assert_eq!(page.len(), 3, "three 300 KiB rows fit in 1 MiB, a fourth does not");
        assert!(bytes <= limits::PAGE_BYTES_MAX && !next.is_empty());
    }

    #[test]
    fn sizes_and_tokens_are_checked() {
        assert_eq!(spec("", 0, 0).unwrap().rows, limits::PAGE_ROWS_DEFAULT);
        assert_eq!(spec("", 0, 7).unwrap().rows, 7);
        assert_eq!(spec("", 1_000_000, 0).unwrap().rows, limits::PAGE_ROWS_MAX);
        let e = spec("zz", 0, 0).unwrap_err().to_string();
        assert!(e.contains("page_token"), "{e}");
        assert!(spec(&"ab".repeat(200), 0, 0).is_err());
    }
}
