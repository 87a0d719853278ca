//! Group commit: the durability barrier every acknowledgement waits on.
//!
//! sled 0.34 flushes in the background every 500 ms, and its `flush()` ends in
//! `sync_file_range`, which does not empty the drive's write cache (sled
//! #1452, #1351). So a write is durable here only after `flush()` *and* an
//! `fsync` of sled's data file and directory. Both are slow compared with a
//! write, so one background task serves every waiter that arrived before a
//! flush began: under load, one fsync acknowledges many writes.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::{Notify, watch};
use tokio_util::sync::CancellationToken;

use crate::error::{NodeError, Result};

/// Handle to the group-commit task of one store.
#[derive(Clone)]
pub struct Durability {
    inner: Arc<Inner>,
}

struct Inner {
    /// Bumped after every committed write.
    written: AtomicU64,
    /// The `written` value the last completed flush covered.
    synced: watch::Sender<u64>,
    /// Wakes the flusher.
    wanted: Notify,
    /// Duration of the last flush, microseconds, for status and metrics.
    last_flush_us: AtomicU64,
    /// Stops the flusher (and releases its handle on the database).
    closed: CancellationToken,
}

impl Durability {
    /// Starts the flusher for `db`, whose files live in `dir`.
    pub fn start(db: sled::Db, dir: &Path) -> Result<Self> {
        let data = File::open(dir.join("db")).map_err(|e| NodeError::Store(format!("无法打开数据文件：{e}")))?;
        let dirf = File::open(dir).map_err(|e| NodeError::Store(format!("无法打开数据目录：{e}")))?;
        let (synced, _) = watch::channel(0);
        let inner = Arc::new(Inner {
            written: AtomicU64::new(0),
            synced,
            wanted: Notify::new(),
            last_flush_us: AtomicU64::new(0),
            closed: CancellationToken::new(),
        });
        let task = inner.clone();
        tokio::spawn(flusher(task, db, (data, dirf)));
        Ok(Durability { inner })
    }

    /// Stops the flusher after one last flush. Later `sync` calls fail.
    pub fn close(&self) {
        self.inner.closed.cancel();
    }

    /// Records that a write was committed to sled (not yet durable).
    pub fn mark_written(&self) {
        self.inner.written.fetch_add(1, Ordering::SeqCst);
    }

    /// Resolves once everything committed before the call is on disk.
    pub async fn sync(&self) -> Result<()> {
        let target = self.inner.written.load(Ordering::SeqCst);
        let mut rx = self.inner.synced.subscribe();
        if *rx.borrow() >= target {
            return Ok(());
        }
        self.inner.wanted.notify_one();
        let closed = || NodeError::Store("存储已关闭，写入未能确认落盘".into());
        tokio::select! {
            r = rx.wait_for(|s| *s >= target) => r.map(|_| ()).map_err(|_| closed()),
            _ = self.inner.closed.cancelled() => Err(closed()),
        }
    }

    /// A watch bumped after every flush that made new writes durable.
    pub fn watch(&self) -> watch::Receiver<u64> {
        self.inner.synced.subscribe()
    }

    /// How long the last flush took.
    pub fn last_flush(&self) -> Duration {
        Duration::from_micros(self.inner.last_flush_us.load(Ordering::Relaxed))
    }
}

/// The group-commit loop: waits to be wanted, notes how far writes have got,
/// flushes and fsyncs once, then releases every waiter up to that point.
async fn flusher(inner: Arc<Inner>, db: sled::Db, files: (File, File)) {
    let files = Arc::new(files);
    loop {
        tokio::select! {
            _ = inner.wanted.notified() => {}
            _ = inner.closed.cancelled() => {
                let _ = flush_and_fsync(&db, &files);
                return;
            }
        }
        let target = inner.written.load(Ordering::SeqCst);
        let (db2, files2) = (db.clone(), files.clone());
        let started = Instant::now();
        let res = tokio::task::spawn_blocking(move || flush_and_fsync(&db2, &files2)).await;
        inner.last_flush_us.store(started.elapsed().as_micros() as u64, Ordering::Relaxed);
        match res {
            Ok(Ok(())) => {
                inner.synced.send_if_modified(|s| {
                    let moved = target > *s;
                    *s = (*s).max(target);
                    moved
                });
            }
            Ok(Err(e)) => tracing::error!(error = %e, "flush to disk failed; will retry"),
            Err(e) => tracing::error!(error = %e, "flush task failed; will retry"),
        }
        if inner.written.load(Ordering::SeqCst) > *inner.synced.borrow() {
            inner.wanted.notify_one();
        }
    }
}

fn flush_and_fsync(db: &sled::Db, files: &(File, File)) -> std::io::Result<()> {
    db.flush().map_err(std::io::Error::other)?;
    files.0.sync_all()?;
    files.1.sync_all()
}
