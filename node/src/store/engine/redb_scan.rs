//! An ordered scan of one redb table, read lazily in chunks.
//!
//! A redb read transaction pins the pages of its snapshot: while one lives,
//! the space later commits free cannot be reused, and the file grows. A scan
//! that answers a client may be dropped late or read slowly, so it does not
//! keep one open: each chunk of [`CHUNK`] entries is read in a read
//! transaction of its own, from the last key seen on that side (forward or
//! backward). A page of a list so costs memory for its rows only. Like
//! sled's iterators, a scan is not a snapshot: a chunk read later sees what
//! was committed in between.

use std::collections::VecDeque;
use std::ops::Bound;

use redb::ReadableDatabase;

use super::redb_tables::{engine_error, table};
use super::{EngineError, Entry};
use crate::store::TreeId;

/// Entries read per read transaction.
pub(super) const CHUNK: usize = 256;

/// The entries of one table between two bounds. Invariant: what is left to
/// yield is `front`, then the unread keys between `lo` and `hi`, then `back`.
pub(super) struct RedbScan<'a> {
    db: &'a redb::Database,
    t: TreeId,
    lo: Bound<Vec<u8>>,
    hi: Bound<Vec<u8>>,
    front: VecDeque<Entry>,
    back: VecDeque<Entry>,
    /// Set after an error: a failed scan ends.
    failed: bool,
}

impl<'a> RedbScan<'a> {
    pub(super) fn new(db: &'a redb::Database, t: TreeId, lo: Bound<Vec<u8>>, hi: Bound<Vec<u8>>) -> Self {
        RedbScan { db, t, lo, hi, front: VecDeque::new(), back: VecDeque::new(), failed: false }
    }

    /// Reads up to [`CHUNK`] unread entries from the low end (or the high
    /// end when `reverse`), and moves that bound past them.
    fn read_chunk(&mut self, reverse: bool) -> Result<Vec<Entry>, EngineError> {
        if is_empty(&self.lo, &self.hi) {
            return Ok(Vec::new());
        }
        let read = self.db.begin_read().map_err(engine_error)?;
        let table = read.open_table(table(self.t)).map_err(engine_error)?;
        let bounds = (self.lo.as_ref().map(Vec::as_slice), self.hi.as_ref().map(Vec::as_slice));
        let range = table.range::<&[u8]>(bounds).map_err(engine_error)?;
        let copy = |item: Result<_, redb::StorageError>| {
            let (k, v): (redb::AccessGuard<&[u8]>, redb::AccessGuard<&[u8]>) = item.map_err(engine_error)?;
            Ok((k.value().to_vec(), v.value().to_vec()))
        };
        let chunk: Result<Vec<Entry>, EngineError> =
            if reverse { range.rev().take(CHUNK).map(copy).collect() } else { range.take(CHUNK).map(copy).collect() };
        let chunk = chunk?;
        if let Some((last, _)) = chunk.last() {
            if reverse {
                self.hi = Bound::Excluded(last.clone());
            } else {
                self.lo = Bound::Excluded(last.clone());
            }
        }
        Ok(chunk)
    }

    /// The next entry from one end: from its buffer, else a fresh chunk,
    /// else (nothing unread is left) the far end's buffer.
    fn next_from(&mut self, reverse: bool) -> Option<Result<Entry, EngineError>> {
        if self.failed {
            return None;
        }
        let buffered = if reverse { self.back.pop_front() } else { self.front.pop_front() };
        if let Some(e) = buffered {
            return Some(Ok(e));
        }
        match self.read_chunk(reverse) {
            Ok(chunk) if chunk.is_empty() => {
                if reverse {
                    self.front.pop_back().map(Ok)
                } else {
                    self.back.pop_back().map(Ok)
                }
            }
            Ok(chunk) => {
                let mut chunk = VecDeque::from(chunk);
                let first = chunk.pop_front();
                if reverse {
                    self.back = chunk
                } else {
                    self.front = chunk
                }
                first.map(Ok)
            }
            Err(e) => {
                self.failed = true;
                Some(Err(e))
            }
        }
    }
}

/// Whether no key lies between `lo` and `hi` (redb is not asked then).
fn is_empty(lo: &Bound<Vec<u8>>, hi: &Bound<Vec<u8>>) -> bool {
    match (lo, hi) {
        (Bound::Included(a), Bound::Included(b)) => a > b,
        (Bound::Included(a) | Bound::Excluded(a), Bound::Included(b) | Bound::Excluded(b)) => a >= b,
        _ => false,
    }
}

impl Iterator for RedbScan<'_> {
    type Item = Result<Entry, EngineError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_from(false)
    }
}

impl DoubleEndedIterator for RedbScan<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.next_from(true)
    }
}
