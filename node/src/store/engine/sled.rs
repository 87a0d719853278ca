//! The sled 0.34 adapter of the storage interface: the only file that opens
//! a sled database or calls it.
//!
//! Durability: sled's `flush()` ends in `sync_file_range`, which does not
//! empty the drive's write cache, and sled never syncs its blob files; so
//! [`Engine::flush`] is sled's flush followed by the fsyncs it leaves out
//! (`sled_files.rs`).
//!
//! Once sled has seen an I/O error it keeps returning it, and dropping such a
//! database blocks for ever in sled's final flush (seen: a full disk, then a
//! drop that never returned). A node that must exit — to be restarted by its
//! supervisor, or on SIGTERM — cannot wait for that, so a database that has
//! failed is leaked at the end rather than dropped: the process is about to
//! exit, and what sled had not made durable was never acknowledged.

use std::ops::Bound;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use sled::Transactional;
use sled::transaction::{
    ConflictableTransactionError, TransactionError, TransactionalTree, UnabortableTransactionError,
};

use super::sled_files::SledFiles;
use super::{Engine, EngineError, EngineTx, Scan, TxStop};
use crate::error::{NodeError, Result};
use crate::store::TreeId;

/// sled's page cache for one node. A county node may have 1–2 GB of RAM and
/// sled's RSS has been seen at several times its cache, so keep it small.
const CACHE_BYTES: u64 = 32 * 1024 * 1024;

/// One open sled database and its trees, indexed by [`TreeId`].
pub struct SledEngine {
    /// Always `Some` until dropped.
    inner: Option<(sled::Db, Vec<sled::Tree>)>,
    /// The files fsynced after each flush.
    files: Mutex<SledFiles>,
    failed: AtomicBool,
}

impl SledEngine {
    /// Opens (or creates) the database in `dir`.
    pub fn open(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir)
            .map_err(|e| NodeError::Store(format!("无法创建数据目录 {}：{e}", dir.display())))?;
        let db = sled::Config::new()
            .path(dir)
            .cache_capacity(CACHE_BYTES)
            .mode(sled::Mode::LowSpace)
            .open()
            .map_err(|e| NodeError::Store(format!("无法打开数据目录 {}：{e}", dir.display())))?;
        let trees = TreeId::ALL
            .iter()
            .map(|t| db.open_tree(t.name()))
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| NodeError::Store(e.to_string()))?;
        let files = SledFiles::open(dir).map_err(|e| NodeError::Store(format!("无法打开数据文件：{e}")))?;
        Ok(SledEngine { inner: Some((db, trees)), files: Mutex::new(files), failed: AtomicBool::new(false) })
    }

    fn parts(&self) -> &(sled::Db, Vec<sled::Tree>) {
        self.inner.as_ref().expect("the database is open until dropped")
    }

    fn tree(&self, t: TreeId) -> &sled::Tree {
        &self.parts().1[t as usize]
    }
}

fn engine_error(e: sled::Error) -> EngineError {
    let detail = e.to_string();
    match e {
        sled::Error::Io(io) => EngineError { detail, io: Some(io) },
        _ => EngineError { detail, io: None },
    }
}

fn stop(e: UnabortableTransactionError) -> TxStop {
    match e {
        UnabortableTransactionError::Conflict => TxStop::Conflict,
        UnabortableTransactionError::Storage(e) => TxStop::Storage(engine_error(e)),
    }
}

/// The trees of one sled transaction.
struct SledTx<'a>(&'a [TransactionalTree]);

impl EngineTx for SledTx<'_> {
    fn get(&self, t: TreeId, key: &[u8]) -> std::result::Result<Option<Vec<u8>>, TxStop> {
        Ok(self.0[t as usize].get(key).map_err(stop)?.map(|v| v.to_vec()))
    }

    fn insert(&mut self, t: TreeId, key: &[u8], value: &[u8]) -> std::result::Result<(), TxStop> {
        self.0[t as usize].insert(key, value).map_err(stop)?;
        Ok(())
    }

    fn remove(&mut self, t: TreeId, key: &[u8]) -> std::result::Result<(), TxStop> {
        self.0[t as usize].remove(key).map_err(stop)?;
        Ok(())
    }
}

impl Engine for SledEngine {
    fn get(&self, t: TreeId, key: &[u8]) -> std::result::Result<Option<Vec<u8>>, EngineError> {
        Ok(self.tree(t).get(key).map_err(engine_error)?.map(|v| v.to_vec()))
    }

    fn range(&self, t: TreeId, from: Bound<Vec<u8>>, to: Bound<Vec<u8>>) -> Scan<'_> {
        Box::new(
            self.tree(t)
                .range((from, to))
                .map(|item| item.map(|(k, v)| (k.to_vec(), v.to_vec())).map_err(engine_error)),
        )
    }

    fn transact(
        &self,
        f: &mut dyn FnMut(&mut dyn EngineTx) -> std::result::Result<(), TxStop>,
    ) -> std::result::Result<(), TxStop> {
        // sled takes a `Fn`; the closure only ever runs on this thread, one
        // attempt at a time.
        let f = std::cell::RefCell::new(f);
        let res = self.parts().1.transaction(|views| match (f.borrow_mut())(&mut SledTx(views)) {
            Ok(()) => Ok(()),
            Err(TxStop::Conflict) => Err(ConflictableTransactionError::Conflict),
            Err(other) => Err(ConflictableTransactionError::Abort(other)),
        });
        match res {
            Ok(()) => Ok(()),
            Err(TransactionError::Abort(stop)) => Err(stop),
            Err(TransactionError::Storage(e)) => Err(TxStop::Storage(engine_error(e))),
        }
    }

    fn insert_one(&self, t: TreeId, key: &[u8], value: &[u8]) -> std::result::Result<(), EngineError> {
        // A plain insert: a transaction over every tree costs several times more.
        self.tree(t).insert(key, value).map_err(engine_error)?;
        Ok(())
    }

    fn flush(&self) -> std::result::Result<(), EngineError> {
        self.parts().0.flush().map_err(engine_error)?;
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        files.sync().map_err(|io| EngineError { detail: io.to_string(), io: Some(io) })
    }

    fn mark_failed(&self) {
        self.failed.store(true, Ordering::SeqCst);
    }

    fn extra_files_synced(&self) -> u64 {
        self.files.lock().unwrap_or_else(|e| e.into_inner()).blobs_synced
    }
}

impl Drop for SledEngine {
    fn drop(&mut self) {
        if self.failed.load(Ordering::SeqCst) {
            tracing::warn!("store failed: its database is left to the process's exit, not flushed");
            std::mem::forget(self.inner.take());
        }
    }
}
