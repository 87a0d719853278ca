//! Group commit: the durability barrier every acknowledgement waits on.
//!
//! A write is durable here only after the engine's durability barrier
//! ([`Engine::flush`]: for sled, its flush *and* an fsync of every file it
//! wrote). That is slow compared with a write,
//! so one background task serves every waiter that arrived before a flush
//! began: under load, one fsync acknowledges many writes.
//!
//! **What `sync()` covers.** Every write its caller could have seen. A writer
//! counts itself in ([`Durability::begin_write`]) *before* its transaction
//! commits and holds a shared gate until it has; the flusher takes the gate
//! exclusively for the instant it reads how many writes have begun. So a
//! flush's target never counts a write still committing, and `sync()` — which
//! targets every write begun so far — always covers a write another task
//! already read (the sending half of a session, a Hello, a duplicate seen
//! through the cursor). A write that began after the flush read its target
//! waits for the next flush.
//!
//! **When the disk fails.** A failed flush or fsync fails every waiter and is
//! never retried and then believed ([`super::health`]). A full disk is probed
//! for space every few seconds; once there is some, the node restarts itself
//! to reopen the store ([`SelfRestart`]) and carries on.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard};
use std::time::{Duration, Instant};

use tokio::sync::{Notify, watch};
use tokio_util::sync::CancellationToken;

use super::engine::Engine;
use super::health::{Health, StoreState, is_disk_full, now_ms};
use super::watchdog::{Ops, SelfRestart};
use crate::error::{NodeError, Result};

/// How often a full disk is probed for free space.
const PROBE_EVERY: Duration = Duration::from_secs(2);

/// Handle to the group-commit task of one store.
#[derive(Clone)]
pub struct Durability {
    inner: Arc<Inner>,
}

struct Inner {
    /// Writers hold it shared while they commit; the flusher holds it
    /// exclusively while it reads `begun`.
    gate: RwLock<()>,
    /// Writes begun (counted before they commit).
    begun: AtomicU64,
    /// The `begun` value the last completed flush covered.
    synced: watch::Sender<u64>,
    /// Wakes the flusher.
    wanted: Notify,
    /// Duration of the last flush, microseconds, for status and metrics.
    last_flush_us: AtomicU64,
    /// Stops the flusher (and releases its handle on the database).
    closed: CancellationToken,
    /// Cancelled once the flusher has ended and dropped its handle on the
    /// database (so the database can be reopened).
    ended: CancellationToken,
    health: Health,
    /// An error the next flush fails with instead of flushing (fault injection).
    inject: Mutex<Option<std::io::Error>>,
}

/// A write in progress: it is counted by every later `sync()`, and no flush
/// reads its target until the write has committed (or aborted).
pub struct WriteTicket<'a>(#[allow(dead_code)] RwLockReadGuard<'a, ()>);

impl Durability {
    /// Starts the flusher for `engine`, whose data directory is `dir`.
    pub fn start(engine: Arc<dyn Engine>, dir: &Path, health: Health, ops: Ops, restart: SelfRestart) -> Result<Self> {
        let inner = Arc::new(Inner {
            gate: RwLock::new(()),
            begun: AtomicU64::new(0),
            synced: watch::Sender::new(0),
            wanted: Notify::new(),
            last_flush_us: AtomicU64::new(0),
            closed: CancellationToken::new(),
            ended: CancellationToken::new(),
            health,
            inject: Mutex::new(None),
        });
        let (flushing, ended) = (Flushing { engine, dir: dir.to_path_buf(), ops, restart }, inner.ended.clone());
        let task = flusher(inner.clone(), flushing);
        tokio::spawn(async move {
            task.await;
            ended.cancel();
        });
        Ok(Durability { inner })
    }

    /// Stops the flusher after one last flush. Later `sync` calls fail.
    pub fn close(&self) {
        self.inner.closed.cancel();
    }

    /// Resolves once the flusher has ended (after [`Durability::close`]) and
    /// let go of the database.
    pub async fn ended(&self) {
        self.inner.ended.cancelled().await;
    }

    /// Counts a write in before it commits; hold the ticket until it has.
    /// Refused unless the store is healthy, so nothing is written that could
    /// not be acknowledged.
    pub fn begin_write(&self) -> Result<WriteTicket<'_>> {
        self.inner.health.check_writable()?;
        let guard = self.inner.gate.read().unwrap_or_else(|e| e.into_inner());
        self.inner.begun.fetch_add(1, Ordering::SeqCst);
        Ok(WriteTicket(guard))
    }

    /// How many writes have begun since the store opened (for tests and
    /// figures: each is one transaction).
    pub fn writes_begun(&self) -> u64 {
        self.inner.begun.load(Ordering::SeqCst)
    }

    /// Resolves once every write begun before the call is on disk; fails if
    /// the disk failed first.
    pub async fn sync(&self) -> Result<()> {
        let target = self.inner.begun.load(Ordering::SeqCst);
        let mut rx = self.inner.synced.subscribe();
        let mut health = self.inner.health.watch();
        if let Some(e) = health.borrow().refusal() {
            return Err(e);
        }
        if *rx.borrow() >= target {
            return Ok(());
        }
        self.inner.wanted.notify_one();
        let closed = || NodeError::Store("存储已关闭，写入未能确认落盘".into());
        tokio::select! {
            biased;
            s = health.wait_for(|s| !s.is_healthy()) => {
                Err(s.ok().and_then(|s| s.refusal()).unwrap_or_else(closed))
            }
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

    /// Makes the next flush fail with `e`, as a disk would (fault injection
    /// for tests of what the node does then).
    #[doc(hidden)]
    pub fn inject_flush_error(&self, e: std::io::Error) {
        *self.inner.inject.lock().unwrap_or_else(|e| e.into_inner()) = Some(e);
    }
}

/// What the flusher works on.
#[derive(Clone)]
struct Flushing {
    engine: Arc<dyn Engine>,
    dir: PathBuf,
    ops: Ops,
    restart: SelfRestart,
}

/// The group-commit loop: waits to be wanted, flushes and fsyncs once, then
/// releases every waiter up to the target it read. On a full disk it probes
/// for space and then has the node restarted; on any other failure it stops.
async fn flusher(inner: Arc<Inner>, f: Flushing) {
    let mut health = inner.health.watch();
    loop {
        match inner.health.get() {
            StoreState::Healthy => {}
            StoreState::DiskFull { .. } => {
                tokio::select! {
                    _ = tokio::time::sleep(PROBE_EVERY) => {}
                    _ = inner.closed.cancelled() => return,
                }
                let dir = f.dir.clone();
                if let Ok(Ok(())) = tokio::task::spawn_blocking(move || probe_space(&dir)).await {
                    inner.health.set(StoreState::RestartNeeded { since_ms: now_ms() });
                    f.restart.apply("the data disk has space again");
                }
                continue;
            }
            // Failed, stalled or waiting for a restart: nothing more is
            // flushed or believed.
            _ => return inner.closed.cancelled().await,
        }
        tokio::select! {
            _ = inner.wanted.notified() => {}
            // A write found the disk full: start probing.
            _ = health.changed() => continue,
            _ = inner.closed.cancelled() => {
                let (i, f) = (inner.clone(), f.clone());
                let _ = tokio::task::spawn_blocking(move || flush_once(&i, &f)).await;
                return;
            }
        }
        let started = Instant::now();
        let (i, f2) = (inner.clone(), f.clone());
        let res = tokio::task::spawn_blocking(move || flush_once(&i, &f2)).await;
        inner.last_flush_us.store(started.elapsed().as_micros() as u64, Ordering::Relaxed);
        match res {
            Ok(Ok(target)) => {
                inner.synced.send_if_modified(|s| {
                    let moved = target > *s;
                    *s = (*s).max(target);
                    moved
                });
            }
            Ok(Err(e)) => inner.health.set(classify(&e)),
            Err(e) => inner.health.set(StoreState::Failed { since_ms: now_ms(), detail: e.to_string() }),
        }
        if inner.begun.load(Ordering::SeqCst) > *inner.synced.borrow() {
            inner.wanted.notify_one();
        }
    }
}

/// One flush: reads the target with the gate held exclusively (no write is
/// mid-commit), then passes the engine's durability barrier. Returns the target.
fn flush_once(inner: &Inner, f: &Flushing) -> std::io::Result<u64> {
    let _op = f.ops.begin("flush");
    if super::watchdog::failpoint("flush-hang") {
        // A disk that never answers: the watchdog must notice.
        loop {
            std::thread::sleep(Duration::from_secs(3600));
        }
    }
    let target = {
        let _exclusive = inner.gate.write().unwrap_or_else(|e| e.into_inner());
        inner.begun.load(Ordering::SeqCst)
    };
    if let Some(e) = inner.inject.lock().unwrap_or_else(|e| e.into_inner()).take() {
        return Err(e);
    }
    f.engine.flush().map_err(|e| {
        f.engine.mark_failed();
        e.io.unwrap_or_else(|| std::io::Error::other(e.detail))
    })?;
    Ok(target)
}

fn classify(e: &std::io::Error) -> StoreState {
    let (since_ms, detail) = (now_ms(), e.to_string());
    if is_disk_full(e) { StoreState::DiskFull { since_ms, detail } } else { StoreState::Failed { since_ms, detail } }
}

/// Writes, fsyncs and removes a 1 MiB file in `dir`: is there room again?
fn probe_space(dir: &Path) -> std::io::Result<()> {
    use std::io::Write;
    let path = dir.join(".space-probe");
    let res = (|| {
        let mut f = std::fs::File::create(&path)?;
        f.write_all(&vec![0u8; 1 << 20])?;
        f.sync_all()
    })();
    let _ = std::fs::remove_file(&path);
    res
}
