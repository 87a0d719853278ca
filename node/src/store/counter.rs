//! The counters under the figures (`TreeId::Figures`): one record's share
//! (counter names and amounts), how a value is stored (a version byte, then
//! 16 bytes big-endian), the change replacing one share by another makes,
//! and reading the counters under a prefix. Below both the figures of the
//! registers (`figures.rs`) and of supervision (`figures_supervision.rs`).

use std::collections::BTreeMap;

use super::TreeId;
use crate::error::{NodeError, Result};

/// Format version byte of a counter value (then 16 bytes, big-endian).
const COUNTER_VERSION: u8 = 1;

/// One record's share of the counters: counter names and amounts.
pub(super) type Share = Vec<(Vec<u8>, u128)>;

/// Encodes a counter value.
pub(super) fn counter_value(n: u128) -> [u8; 17] {
    let mut out = [COUNTER_VERSION; 17];
    out[1..].copy_from_slice(&n.to_be_bytes());
    out
}

/// Decodes a counter value (absent = 0).
pub(super) fn read_counter(v: Option<&[u8]>) -> Result<u128> {
    let Some(v) = v else { return Ok(0) };
    match v.split_first() {
        Some((&COUNTER_VERSION, body)) => {
            let b = <[u8; 16]>::try_from(body).map_err(|_| NodeError::Store("汇总计数器已损坏".into()))?;
            Ok(u128::from_be_bytes(b))
        }
        _ => Err(NodeError::Store(format!("汇总计数器格式未知（{} 字节）", v.len()))),
    }
}

/// The changes to counters that replacing `old` by `new` makes: name →
/// (taken out, put in); unchanged names are left out.
pub(super) fn delta(old: Share, new: Share) -> BTreeMap<Vec<u8>, (u128, u128)> {
    let mut out: BTreeMap<Vec<u8>, (u128, u128)> = BTreeMap::new();
    for (k, n) in old {
        let e = out.entry(k).or_default();
        e.0 = e.0.saturating_add(n);
    }
    for (k, n) in new {
        let e = out.entry(k).or_default();
        e.1 = e.1.saturating_add(n);
    }
    out.retain(|_, (sub, add)| sub != add);
    out
}

/// Every counter under `prefix`, by the rest of its name.
pub(super) fn counts(t: &dyn super::engine::Engine, prefix: &str) -> Result<Vec<(String, u64)>> {
    let mut out = Vec::new();
    for item in t.scan_prefix(TreeId::Figures, prefix.as_bytes()) {
        let (k, v) = item?;
        let name = String::from_utf8_lossy(&k[prefix.len()..]).into_owned();
        out.push((name, u64::try_from(read_counter(Some(&v))?).unwrap_or(u64::MAX)));
    }
    Ok(out)
}

/// Counters named by a year, by that year.
pub(super) fn by_year(counts: Vec<(String, u64)>) -> BTreeMap<i32, u64> {
    counts.into_iter().filter_map(|(y, n)| y.parse().ok().map(|y| (y, n))).collect()
}
