//! Group commit: the durability barrier every acknowledgement waits on.
//!
//! A write is durable here only after the engine's durability barrier
//! ([`Engine::flush`]: for sled, its flush *and* an fsync of every file it
//! wrote). That is slow compared with a write,
//! so one background thread serves every waiter that arrived before a flush
//! began: under load, one fsync acknowledges many writes.
//!
//! **Why a thread of its own.** The flusher is a plain thread that sleeps on
//! a condition variable until a `sync()` wants a flush, then flushes and
//! releases the waiters through a watch. A runtime task that handed each
//! flush to `spawn_blocking` cost two more thread handoffs per round (the
//! blocking thread's wake-up and the task's), on the path of every
//! acknowledgement — a client's and a peer's — and queued flushes behind
//! whatever else held the blocking pool (engine calls stuck in sled).
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
use std::sync::{Arc, Condvar, Mutex, MutexGuard, RwLock, RwLockReadGuard};
use std::time::{Duration, Instant};

use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use super::engine::Engine;
use super::health::{Health, StoreState, is_disk_full, now_ms};
use super::watchdog::{Ops, SelfRestart};
use crate::error::{NodeError, Result};

#[path = "durability_share.rs"]
mod share;

/// How long a write no one waits on promptly waits for a flush another
/// writer asks for before asking for one ([`Durability::sync_soon`]): under
/// traffic one fsync then covers a receipt relayed down and the next filing
/// (issue 11: a node made every receipt durable on its own, about half of
/// all fsyncs in the federation); a node with nothing else to write flushes
/// at most this much later.
pub const SHARE_WAIT: Duration = Duration::from_millis(10);

/// How often a full disk is probed for free space.
const PROBE_EVERY: Duration = Duration::from_secs(2);

/// Handle to the group-commit thread of one store. Once the last handle is
/// gone the thread flushes once more and ends, letting go of the database
/// (as a task of a runtime that stopped would have).
#[derive(Clone)]
pub struct Durability {
    inner: Arc<Inner>,
    _last: Arc<CloseOnDrop>,
}

/// Closes the flusher when the last [`Durability`] handle is dropped.
struct CloseOnDrop(Arc<Inner>);

impl Drop for CloseOnDrop {
    fn drop(&mut self) {
        self.0.closed.cancel();
        self.0.poke();
    }
}

struct Inner {
    /// Writers hold it shared while they commit; the flusher holds it
    /// exclusively while it reads `begun`.
    gate: RwLock<()>,
    /// Writes begun (counted before they commit).
    begun: AtomicU64,
    /// Of them, writes that put an event on an up stream (counted before
    /// they commit, by [`Durability::note_up`]).
    begun_up: AtomicU64,
    /// The `begun_up` value the last completed flush covered (set before
    /// `synced` moves).
    synced_up: AtomicU64,
    /// The `begun` value the last completed flush covered.
    synced: watch::Sender<u64>,
    /// Why the flusher should wake; it sleeps on `wake` while neither is set.
    wakes: Mutex<Wakes>,
    wake: Condvar,
    /// Duration of the last flush, microseconds, for status and metrics.
    last_flush_us: AtomicU64,
    /// Flushes done since the store opened (each one engine barrier).
    flushes: AtomicU64,
    /// Flushes asked for (each `want`), for the tests of sharing.
    asked: AtomicU64,
    /// How long a `sync_soon` waits to share a flush, microseconds
    /// ([`SHARE_WAIT`]; tests lengthen it).
    share_wait_us: AtomicU64,
    /// Stops the flusher (and releases its handle on the database).
    closed: CancellationToken,
    /// Cancelled once the flusher has ended and dropped its handle on the
    /// database (so the database can be reopened).
    ended: CancellationToken,
    health: Health,
    /// An error the next flush fails with instead of flushing (fault injection).
    inject: Mutex<Option<std::io::Error>>,
}

/// What the flusher was woken for.
#[derive(Default)]
struct Wakes {
    /// A `sync()` waits for a flush.
    wanted: bool,
    /// The health changed or the store closed: look again.
    poked: bool,
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
            begun_up: AtomicU64::new(0),
            synced_up: AtomicU64::new(0),
            synced: watch::Sender::new(0),
            wakes: Mutex::new(Wakes::default()),
            wake: Condvar::new(),
            last_flush_us: AtomicU64::new(0),
            flushes: AtomicU64::new(0),
            asked: AtomicU64::new(0),
            share_wait_us: AtomicU64::new(SHARE_WAIT.as_micros() as u64),
            closed: CancellationToken::new(),
            ended: CancellationToken::new(),
            health,
            inject: Mutex::new(None),
        });
        let flushing = Flushing { engine, dir: dir.to_path_buf(), ops, restart };
        let i = inner.clone();
        std::thread::Builder::new()
            .name("store-flusher".into())
            .spawn(move || {
                flusher(&i, flushing);
                // the engine's handle went with `flushing`
                i.ended.cancel();
            })
            .map_err(|e| NodeError::Store(format!("无法启动落盘线程：{e}")))?;
        // A write that finds the disk full, or a close, wakes the flusher to
        // look again; the thread cannot wait on the watch itself.
        let (i, mut health) = (inner.clone(), inner.health.watch());
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    changed = health.changed() => {
                        i.poke();
                        if changed.is_err() {
                            return;
                        }
                    }
                    _ = i.closed.cancelled() => return i.poke(),
                }
            }
        });
        Ok(Durability { _last: Arc::new(CloseOnDrop(inner.clone())), inner })
    }

    /// Stops the flusher after one last flush. Later `sync` calls fail.
    pub fn close(&self) {
        self.inner.closed.cancel();
        self.inner.poke();
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
        self.inner.want();
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

    /// How many flushes (each one engine durability barrier, an fsync) the
    /// store has done since it opened: with [`Durability::writes_begun`],
    /// how well group commit shares them.
    pub fn flushes(&self) -> u64 {
        self.inner.flushes.load(Ordering::Relaxed)
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

impl Inner {
    fn wakes(&self) -> MutexGuard<'_, Wakes> {
        self.wakes.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Asks for a flush (the flusher wakes if it sleeps).
    fn want(&self) {
        self.asked.fetch_add(1, Ordering::Relaxed);
        self.wakes().wanted = true;
        self.wake.notify_one();
    }

    /// Has the flusher look at the health and the close token again.
    fn poke(&self) {
        self.wakes().poked = true;
        self.wake.notify_one();
    }

    /// Sleeps until woken; answers whether a flush is wanted (otherwise it
    /// was poked).
    fn wait_wanted(&self) -> bool {
        let mut w = self.wake.wait_while(self.wakes(), |w| !w.wanted && !w.poked).unwrap_or_else(|e| e.into_inner());
        let wanted = w.wanted;
        *w = Wakes::default();
        wanted
    }

    /// Sleeps for `d` or until closed; answers whether closed.
    fn sleep_unless_closed(&self, d: Duration) -> bool {
        let guard = self.wakes();
        let _ = self.wake.wait_timeout_while(guard, d, |_| !self.closed.is_cancelled());
        self.closed.is_cancelled()
    }
}

/// What the flusher works on.
struct Flushing {
    engine: Arc<dyn Engine>,
    dir: PathBuf,
    ops: Ops,
    restart: SelfRestart,
}

/// The group-commit loop: waits to be wanted, flushes and fsyncs once, then
/// releases every waiter up to the target it read. On a full disk it probes
/// for space and then has the node restarted; on any other failure it stops
/// flushing until closed. On close it flushes once more and returns.
fn flusher(inner: &Inner, f: Flushing) {
    loop {
        if inner.closed.is_cancelled() {
            if inner.health.get().is_healthy() {
                let _ = flush_guarded(inner, &f);
            }
            return;
        }
        match inner.health.get() {
            StoreState::Healthy => {}
            StoreState::DiskFull { .. } => {
                if inner.sleep_unless_closed(PROBE_EVERY) {
                    return;
                }
                if probe_space(&f.dir).is_ok() {
                    inner.health.set(StoreState::RestartNeeded { since_ms: now_ms() });
                    f.restart.apply("the data disk has space again");
                }
                continue;
            }
            // Failed, stalled or waiting for a restart: nothing more is
            // flushed or believed.
            _ => {
                while !inner.sleep_unless_closed(Duration::from_secs(3600)) {}
                return;
            }
        }
        if !inner.wait_wanted() {
            continue;
        }
        let started = Instant::now();
        let res = flush_guarded(inner, &f);
        inner.last_flush_us.store(started.elapsed().as_micros() as u64, Ordering::Relaxed);
        inner.flushes.fetch_add(1, Ordering::Relaxed);
        match res {
            Ok((target, target_up)) => {
                inner.synced_up.fetch_max(target_up, Ordering::SeqCst);
                inner.synced.send_if_modified(|s| {
                    let moved = target > *s;
                    *s = (*s).max(target);
                    moved
                });
            }
            Err(state) => inner.health.set(state),
        }
        // No flush follows by itself for writes begun meanwhile: each
        // `sync` that needs one has asked (after this flush read its
        // target), and a `sync_soon` waits a moment to share the next one.
    }
}

/// [`flush_once`], with a panic inside the engine taken as a failed store
/// (as a panicked blocking task was) rather than a silent end of the thread.
fn flush_guarded(inner: &Inner, f: &Flushing) -> std::result::Result<(u64, u64), StoreState> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| flush_once(inner, f))) {
        Ok(Ok(target)) => Ok(target),
        Ok(Err(e)) => Err(classify(&e)),
        Err(_) => {
            Err(StoreState::Failed { since_ms: now_ms(), detail: "落盘线程在引擎内出错（panic）".into() })
        }
    }
}

/// One flush: reads the target with the gate held exclusively (no write is
/// mid-commit), then passes the engine's durability barrier. Returns the
/// target, of all writes and of those sending events up.
fn flush_once(inner: &Inner, f: &Flushing) -> std::io::Result<(u64, u64)> {
    let _op = f.ops.begin("flush");
    if super::watchdog::failpoint("flush-hang") {
        // A disk that never answers: the watchdog must notice.
        loop {
            std::thread::sleep(Duration::from_secs(3600));
        }
    }
    let target = {
        let _exclusive = inner.gate.write().unwrap_or_else(|e| e.into_inner());
        (inner.begun.load(Ordering::SeqCst), inner.begun_up.load(Ordering::SeqCst))
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
