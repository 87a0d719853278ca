//! The check of a migrated store: every tree read back from both stores, in
//! key order, and reduced to its entry count and a digest; the copy is good
//! only if both figures agree for every tree.
//!
//! The digest is 64-bit FNV-1a over each entry as its key length, key,
//! value length and value (lengths as 8 little-endian bytes, so that moving
//! a byte between a key and its value changes it), written here rather than
//! taken from a crate: it has to notice an entry lost, added, reordered or
//! changed by a fault of the copy or the disk, not withstand an adversary,
//! who could as well change both stores.

use serde::Serialize;

use super::{Engine, EngineError};
use crate::error::{NodeError, Result};
use crate::store::TreeId;

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// The entry count and digest of one tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TreeDigest {
    /// Entries in the tree.
    pub entries: u64,
    /// FNV-1a over the length-prefixed keys and values, in key order.
    pub hash: u64,
}

impl Default for TreeDigest {
    fn default() -> Self {
        TreeDigest { entries: 0, hash: FNV_OFFSET }
    }
}

impl TreeDigest {
    /// Adds the next entry (in key order).
    pub fn add(&mut self, key: &[u8], value: &[u8]) {
        self.entries += 1;
        for part in [key, value] {
            self.feed(&(part.len() as u64).to_le_bytes());
            self.feed(part);
        }
    }

    fn feed(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.hash = (self.hash ^ u64::from(*b)).wrapping_mul(FNV_PRIME);
        }
    }

    /// The digest as 16 hexadecimal digits, as the report prints it.
    pub fn hex(&self) -> String {
        format!("{:016x}", self.hash)
    }
}

/// The digest of tree `t` of `engine`, read in key order.
pub fn digest(engine: &dyn Engine, t: TreeId) -> std::result::Result<TreeDigest, EngineError> {
    let mut d = TreeDigest::default();
    for item in engine.iter(t) {
        let (k, v) = item?;
        d.add(&k, &v);
    }
    Ok(d)
}

/// One tree of a verified copy: the same in both stores.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TreeReport {
    /// The tree's name.
    pub tree: &'static str,
    /// Its entries.
    pub entries: u64,
    /// Its digest (16 hexadecimal digits).
    pub digest: String,
}

/// Reads every tree of `source` and `copy` back and compares their counts
/// and digests; any difference is an error naming each tree that differs
/// and both figures.
pub fn verify(source: &dyn Engine, copy: &dyn Engine) -> Result<Vec<TreeReport>> {
    let mut trees = Vec::new();
    let mut differ = Vec::new();
    for t in TreeId::ALL {
        let read = |e: &dyn Engine, which: &str| {
            digest(e, t).map_err(|e| NodeError::Store(format!("校验时无法读取{which}的 {}：{e}", t.name())))
        };
        let (a, b) = (read(source, "源存储")?, read(copy, "目标存储")?);
        if a != b {
            differ.push(format!(
                "{}：源 {} 条、摘要 {}，目标 {} 条、摘要 {}",
                t.name(),
                a.entries,
                a.hex(),
                b.entries,
                b.hex()
            ));
        }
        trees.push(TreeReport { tree: t.name(), entries: a.entries, digest: a.hex() });
    }
    if differ.is_empty() {
        Ok(trees)
    } else {
        Err(NodeError::Store(format!("迁移校验失败，副本与源数据不一致：{}", differ.join("；"))))
    }
}
