//! The redb adapter of the storage interface: the only file (with its scan,
//! `redb_scan.rs`, and its tables, `redb_tables.rs`) that opens a redb
//! database or calls it.
//!
//! One redb table per [`TreeId`] (named by [`TreeId::name`]), all created
//! when the database is opened, in one file `data.redb` of the data
//! directory.
//!
//! Durability: redb has one writer at a time, so a transaction never
//! conflicts and its closure runs once. Each transaction commits with
//! [`Durability::None`], which redb documents as "will not be persisted to
//! disk unless followed by a commit with `Durability::Immediate`"; and
//! [`Engine::flush`] is an empty write transaction committed with
//! `Durability::Immediate` ("guaranteed to be persistent as soon as
//! `commit` returns": redb fsyncs the file there). Commits are ordered, so
//! that durable commit makes every earlier one durable — one fsync for many
//! writes, which the group commit of `durability.rs` relies on.
//!
//! The durable commit also saves redb's allocator state (quick repair, which
//! turns on redb's two-phase commit): reopening after a crash then loads it
//! instead of walking the whole file, so a large store restarts quickly. What
//! was committed after the last durable commit is lost in a crash, as it
//! was never acknowledged.
//!
//! Once redb has seen an I/O error it refuses every later write (its
//! "previous I/O error"); unlike sled, closing such a database returns at
//! once, so nothing is leaked at the end.

use std::cell::RefCell;
use std::ops::Bound;
use std::path::Path;

use redb::{Database, Durability, ReadableDatabase, ReadableTable, Table, WriteTransaction};

use super::redb_scan::RedbScan;
use super::redb_tables::{FILE, engine_error, table};
use super::{Engine, EngineError, EngineTx, Scan, TxStop};
use crate::error::{NodeError, Result};
use crate::store::TreeId;

/// redb's page cache for one node (its default is 1 GiB; a county node may
/// have 1–2 GB of RAM): the same as sled's.
const CACHE_BYTES: usize = 32 * 1024 * 1024;

fn storage(e: impl Into<redb::Error>) -> TxStop {
    TxStop::Storage(engine_error(e))
}

/// One open redb database holding every tree.
pub struct RedbEngine {
    db: Database,
}

impl RedbEngine {
    /// Opens (or creates) the database in `dir`, with a table per tree.
    pub fn open(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir)
            .map_err(|e| NodeError::Store(format!("无法创建数据目录 {}：{e}", dir.display())))?;
        let db = Database::builder()
            .set_cache_size(CACHE_BYTES)
            .create(dir.join(FILE))
            .map_err(|e| NodeError::Store(format!("无法打开数据目录 {}：{e}", dir.display())))?;
        let engine = RedbEngine { db };
        engine.create_tables().map_err(|e| NodeError::Store(format!("无法建立数据表：{e}")))?;
        Ok(engine)
    }

    /// Creates every table not yet there, durably.
    fn create_tables(&self) -> std::result::Result<(), EngineError> {
        let txn = self.db.begin_write().map_err(engine_error)?;
        for t in TreeId::ALL {
            txn.open_table(table(t)).map_err(engine_error)?;
        }
        txn.commit().map_err(engine_error)
    }
}

/// One tree's table inside a write transaction.
type TxTable<'t> = Table<'t, &'static [u8], &'static [u8]>;

/// The tables of one write transaction, each opened when first used.
struct RedbTx<'t> {
    txn: &'t WriteTransaction,
    tables: RefCell<Vec<Option<TxTable<'t>>>>,
}

impl<'t> RedbTx<'t> {
    fn new(txn: &'t WriteTransaction) -> Self {
        RedbTx { txn, tables: RefCell::new(TreeId::ALL.iter().map(|_| None).collect()) }
    }

    /// Runs `f` on the table of tree `t`, opening it first if need be.
    fn with<R>(
        &self,
        t: TreeId,
        f: impl FnOnce(&mut TxTable<'t>) -> std::result::Result<R, redb::StorageError>,
    ) -> std::result::Result<R, TxStop> {
        let mut tables = self.tables.borrow_mut();
        let slot = &mut tables[t as usize];
        if slot.is_none() {
            *slot = Some(self.txn.open_table(table(t)).map_err(storage)?);
        }
        f(slot.as_mut().expect("opened above")).map_err(storage)
    }
}

impl EngineTx for RedbTx<'_> {
    fn get(&self, t: TreeId, key: &[u8]) -> std::result::Result<Option<Vec<u8>>, TxStop> {
        self.with(t, |table| Ok(table.get(key)?.map(|v| v.value().to_vec())))
    }

    fn insert(&mut self, t: TreeId, key: &[u8], value: &[u8]) -> std::result::Result<(), TxStop> {
        self.with(t, |table| table.insert(key, value).map(drop))
    }

    fn remove(&mut self, t: TreeId, key: &[u8]) -> std::result::Result<(), TxStop> {
        self.with(t, |table| table.remove(key).map(drop))
    }
}

impl Engine for RedbEngine {
    fn get(&self, t: TreeId, key: &[u8]) -> std::result::Result<Option<Vec<u8>>, EngineError> {
        let read = self.db.begin_read().map_err(engine_error)?;
        let table = read.open_table(table(t)).map_err(engine_error)?;
        Ok(table.get(key).map_err(engine_error)?.map(|v| v.value().to_vec()))
    }

    fn range(&self, t: TreeId, from: Bound<Vec<u8>>, to: Bound<Vec<u8>>) -> Scan<'_> {
        Box::new(RedbScan::new(&self.db, t, from, to))
    }

    /// One write transaction at a time (redb's single writer), so the
    /// closure runs once: there is never a conflict to rerun it for.
    fn transact(
        &self,
        f: &mut dyn FnMut(&mut dyn EngineTx) -> std::result::Result<(), TxStop>,
    ) -> std::result::Result<(), TxStop> {
        let mut txn = self.db.begin_write().map_err(storage)?;
        txn.set_durability(Durability::None).map_err(storage)?;
        let res = f(&mut RedbTx::new(&txn));
        match res {
            Ok(()) => txn.commit().map_err(storage),
            Err(stop) => {
                if let Err(e) = txn.abort() {
                    tracing::warn!(error = %e, "aborting a redb transaction failed");
                }
                Err(stop)
            }
        }
    }

    /// A read opens an MVCC snapshot: it never waits for the writer or a
    /// flush, only for its own page reads.
    fn reads_may_stall(&self) -> bool {
        false
    }

    fn flush(&self) -> std::result::Result<(), EngineError> {
        let mut txn = self.db.begin_write().map_err(engine_error)?;
        txn.set_durability(Durability::Immediate).map_err(engine_error)?;
        txn.set_quick_repair(true);
        txn.commit().map_err(engine_error)
    }
}
