//! The storage interface: what the node asks of an embedded key-value
//! engine, and nothing more. Named trees of ordered byte keys, point reads
//! and ordered scans, one atomic transaction over every tree, and an
//! explicit durability barrier. Everything above — the record files of the
//! store, the federation's `EventStore`, the oversight counters — goes
//! through [`Engine`]; only an adapter (`sled.rs`, `redb.rs`) names an
//! engine's types, and both adapters are held to the same tests
//! (`conformance_tests.rs`). Which one a node runs is its `[store] engine`,
//! fixed for a data directory once created (`choice.rs`); `migrate.rs`
//! copies a stopped node's store to the other engine and verifies the copy.
//!
//! The contract an adapter keeps:
//! - a committed transaction is visible to every later read and
//!   transaction of the process, and atomic: all its writes or none;
//! - a transaction's closure may run more than once (on a conflict), so it
//!   has no effect outside the transaction;
//! - after [`Engine::flush`] returns `Ok`, every transaction that committed
//!   before the call survives a crash or a power loss;
//! - an I/O failure is reported, never swallowed ([`EngineError`]): the
//!   store above decides what it means (`health.rs`).

mod choice;
#[cfg(test)]
pub mod conformance_tests;
mod migrate;
#[cfg(test)]
mod migrate_tests;
mod migrate_verify;
mod redb;
mod redb_scan;
mod redb_tables;
mod sled;
mod sled_files;

use std::ops::Bound;

pub use self::choice::{EngineKind, MARKER, open};
pub use self::migrate::{MigrationReport, Progress, migrate_dir};
pub use self::migrate_verify::{TreeReport, verify};
pub use self::redb::RedbEngine;
pub use self::sled::SledEngine;
use super::TreeId;
use crate::error::NodeError;

/// One stored key and its value.
pub type Entry = (Vec<u8>, Vec<u8>);

/// An ordered scan, lazily read; reversible.
pub type Scan<'a> = Box<dyn DoubleEndedIterator<Item = Result<Entry, EngineError>> + Send + 'a>;

/// A failure of the engine itself (not a rule of the node).
#[derive(Debug)]
pub struct EngineError {
    /// The engine's message.
    pub detail: String,
    /// The underlying I/O error, when there is one (a full disk, a failed
    /// fsync).
    pub io: Option<std::io::Error>,
}

impl EngineError {
    /// Whether the disk (or the quota) is full.
    pub fn disk_full(&self) -> bool {
        self.io.as_ref().is_some_and(super::health::is_disk_full)
    }
}

impl std::fmt::Display for EngineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.detail)
    }
}

impl From<EngineError> for NodeError {
    fn from(e: EngineError) -> Self {
        NodeError::Store(e.detail)
    }
}

/// Why a transaction's closure stopped.
#[derive(Debug)]
pub enum TxStop {
    /// The node refused the write (a rule, a bad record): nothing is kept.
    Abort(NodeError),
    /// Another transaction changed what this one read: run it again.
    Conflict,
    /// The engine failed.
    Storage(EngineError),
}

/// The view of every tree inside one transaction.
pub trait EngineTx {
    /// The value under `key` in tree `t`, as this transaction sees it.
    fn get(&self, t: TreeId, key: &[u8]) -> Result<Option<Vec<u8>>, TxStop>;
    /// Sets `key` to `value` in tree `t`.
    fn insert(&mut self, t: TreeId, key: &[u8], value: &[u8]) -> Result<(), TxStop>;
    /// Removes `key` from tree `t`.
    fn remove(&mut self, t: TreeId, key: &[u8]) -> Result<(), TxStop>;
}

/// An embedded engine holding the node's trees (see the module docs for the
/// contract).
pub trait Engine: Send + Sync + 'static {
    /// The value under `key` in tree `t`.
    fn get(&self, t: TreeId, key: &[u8]) -> Result<Option<Vec<u8>>, EngineError>;
    /// The entries of tree `t` with keys between `from` and `to`, in key order.
    fn range(&self, t: TreeId, from: Bound<Vec<u8>>, to: Bound<Vec<u8>>) -> Scan<'_>;
    /// Runs `f` as one atomic transaction over every tree, again on a
    /// conflict. `Err(TxStop::Abort)` keeps nothing and is returned.
    fn transact(&self, f: &mut dyn FnMut(&mut dyn EngineTx) -> Result<(), TxStop>) -> Result<(), TxStop>;
    /// Sets one key outside any transaction (atomic by itself), for a write
    /// that needs no other: by default a transaction of its own.
    fn insert_one(&self, t: TreeId, key: &[u8], value: &[u8]) -> Result<(), EngineError> {
        match self.transact(&mut |tx| tx.insert(t, key, value)) {
            Ok(()) => Ok(()),
            Err(TxStop::Storage(e)) => Err(e),
            Err(other) => Err(EngineError { detail: format!("{other:?}"), io: None }),
        }
    }
    /// The durability barrier: returns once every transaction committed
    /// before the call is on disk.
    fn flush(&self) -> Result<(), EngineError>;
    /// Whether a read can wait on the engine's internal locks — and so, by
    /// an engine bug, for ever (sled 0.34 splits nodes during reads and can
    /// deadlock there, #1412). Then every read runs off the runtime's worker
    /// threads like every write. By default it can.
    fn reads_may_stall(&self) -> bool {
        true
    }
    /// Notes that the engine returned an I/O error, so that it is not
    /// flushed again at the end (a failed sled blocks for ever in its drop).
    fn mark_failed(&self) {}
    /// Files the adapter fsynced beyond the engine's own flush (sled's blob
    /// files), for the durability tests.
    fn extra_files_synced(&self) -> u64 {
        0
    }
}

impl dyn Engine {
    /// Every entry of tree `t`, in key order.
    pub fn iter(&self, t: TreeId) -> Scan<'_> {
        self.range(t, Bound::Unbounded, Bound::Unbounded)
    }

    /// The entries of tree `t` whose keys start with `prefix`, in key order.
    pub fn scan_prefix(&self, t: TreeId, prefix: &[u8]) -> Scan<'_> {
        let end = prefix_end(prefix).map_or(Bound::Unbounded, Bound::Excluded);
        self.range(t, Bound::Included(prefix.to_vec()), end)
    }

    /// The entry with the greatest key in tree `t`.
    pub fn last(&self, t: TreeId) -> Result<Option<Entry>, EngineError> {
        self.iter(t).next_back().transpose()
    }
}

/// The smallest key greater than every key starting with `prefix` (`None`
/// when there is none: the prefix is all `0xff`).
fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::prefix_end;

    #[test]
    fn the_end_of_a_prefix_is_the_next_key_after_all_it_covers() {
        assert_eq!(prefix_end(b"crl/"), Some(b"crl0".to_vec()));
        assert_eq!(prefix_end(&[0x01, 0xff]), Some(vec![0x02]));
        assert_eq!(prefix_end(&[0xff, 0xff]), None);
        assert_eq!(prefix_end(b""), None);
    }
}
