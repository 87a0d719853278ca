//! The open sled database and its trees, and what happens to it at the end.
//!
//! Once sled has seen an I/O error it keeps returning it, and dropping such a
//! database blocks for ever in sled's final flush (seen: a full disk, then a
//! drop that never returned). A node that must exit — to be restarted by its
//! supervisor, or on SIGTERM — cannot wait for that, so a database that has
//! failed is leaked at the end rather than dropped: the process is about to
//! exit, and what sled had not made durable was never acknowledged.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::TreeId;
use crate::error::{NodeError, Result};

/// sled's page cache for one node. A county node may have 1–2 GB of RAM and
/// sled's RSS has been seen at several times its cache, so keep it small.
const CACHE_BYTES: u64 = 32 * 1024 * 1024;

/// One open database and its trees, indexed by [`TreeId`].
pub struct Open {
    /// Always `Some` until dropped.
    inner: Option<(sled::Db, Vec<sled::Tree>)>,
    failed: Arc<AtomicBool>,
}

impl Open {
    /// Opens (or creates) the database in `dir`.
    pub fn at(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir)
            .map_err(|e| NodeError::Store(format!("无法创建数据目录 {}：{e}", dir.display())))?;
        let db = sled::Config::new()
            .path(dir)
            .cache_capacity(CACHE_BYTES)
            .mode(sled::Mode::LowSpace)
            .open()
            .map_err(|e| NodeError::Store(format!("无法打开数据目录 {}：{e}", dir.display())))?;
        let trees = TreeId::ALL.iter().map(|t| db.open_tree(t.name())).collect::<Result<_, _>>()?;
        Ok(Open { inner: Some((db, trees)), failed: Arc::default() })
    }

    fn parts(&self) -> &(sled::Db, Vec<sled::Tree>) {
        self.inner.as_ref().expect("the database is open until dropped")
    }

    /// The database.
    pub fn db(&self) -> &sled::Db {
        &self.parts().0
    }

    /// One tree.
    pub fn get(&self, t: TreeId) -> &sled::Tree {
        &self.parts().1[t as usize]
    }

    /// Every tree, in index order (for a transaction over all of them).
    pub fn all(&self) -> &[sled::Tree] {
        &self.parts().1
    }

    /// Notes that sled itself returned an I/O error: from now on the
    /// database is leaked, not dropped, at the end.
    pub fn mark_failed(&self) {
        self.failed.store(true, Ordering::SeqCst);
    }
}

impl Drop for Open {
    fn drop(&mut self) {
        if self.failed.load(Ordering::SeqCst) {
            tracing::warn!("store failed: its database is left to the process's exit, not flushed");
            std::mem::forget(self.inner.take());
        }
    }
}

impl From<sled::Error> for NodeError {
    fn from(e: sled::Error) -> Self {
        NodeError::Store(e.to_string())
    }
}
