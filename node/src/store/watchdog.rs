//! The storage watchdog: notices a storage call that never returns.
//!
//! sled 0.34 can deadlock under load (sled #1412): tried from outside, a node
//! froze for good inside sled — alive, silent, deaf to SIGTERM. No engine
//! call that can wait on the engine's own locks runs on a runtime worker
//! (`NodeStore` says which), so a stuck one leaves health, status and
//! shutdown answering; but the federation above and below would still stand
//! still. So every
//! transaction, read and flush registers itself here while it runs, and a
//! plain OS thread (not a runtime task: it must not depend on anything that
//! could be stuck) checks once a second whether one has run longer than the
//! configured bound. If one has, the store is marked stalled and — by default
//! — the process exits with status 75 (EX_TEMPFAIL) so its supervisor
//! (systemd `Restart=on-failure`) restarts it. That is safe: nothing not yet
//! durable was ever acknowledged, and a restart re-reads the store.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::health::{Health, StoreState, now_ms};

/// What the node does when its store needs a restart: a storage call
/// stalled, or space returned after a full disk (sled keeps an I/O error for
/// good, so only reopening the store clears it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SelfRestart {
    /// Mark the node unhealthy, log, and exit with status 75 for the
    /// supervisor to restart it (the default for a served node).
    #[default]
    Exit,
    /// Only mark the node unhealthy and log (for in-process nodes, where an
    /// exit would stop every node of the process).
    Report,
}

impl SelfRestart {
    /// Exits the process with status 75 (EX_TEMPFAIL) when so configured.
    pub fn apply(self, why: &str) {
        if self == SelfRestart::Exit {
            tracing::error!(why, "store needs a restart; exiting with status 75 for the supervisor");
            std::process::exit(75);
        }
    }
}

/// The `[store]` section of a node's configuration.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreConfig {
    /// A storage call running longer than this is a stall, seconds.
    pub stall_after_secs: u64,
    /// What to do when the store needs a restart (a stall, or space back
    /// after a full disk).
    pub restart: SelfRestart,
    /// The embedded engine (`"sled"` or `"redb"`), fixed for a data
    /// directory once created. Unset: the engine the data directory was
    /// created with, and the default engine for a new one — so a node
    /// whose `node.toml` names no engine keeps its data when the default
    /// changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub engine: Option<super::engine::EngineKind>,
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig { stall_after_secs: 60, restart: SelfRestart::Exit, engine: Default::default() }
    }
}

/// The storage calls running now. Cheap to clone.
#[derive(Clone, Default)]
pub struct Ops {
    inner: Arc<OpsInner>,
}

#[derive(Default)]
struct OpsInner {
    next: AtomicU64,
    running: Mutex<BTreeMap<u64, (&'static str, Instant)>>,
    stopped: AtomicBool,
}

/// A storage call in progress; dropping it says the call returned.
pub struct OpGuard {
    ops: Arc<OpsInner>,
    id: u64,
}

impl Drop for OpGuard {
    fn drop(&mut self) {
        self.ops.running.lock().unwrap_or_else(|e| e.into_inner()).remove(&self.id);
    }
}

impl Ops {
    /// Registers a call named `what` until the guard is dropped.
    pub fn begin(&self, what: &'static str) -> OpGuard {
        let id = self.inner.next.fetch_add(1, Ordering::Relaxed);
        self.inner.running.lock().unwrap_or_else(|e| e.into_inner()).insert(id, (what, Instant::now()));
        OpGuard { ops: self.inner.clone(), id }
    }

    /// The longest-running call now, if any: its name and how long it has run.
    pub fn oldest(&self) -> Option<(&'static str, Duration)> {
        let running = self.inner.running.lock().unwrap_or_else(|e| e.into_inner());
        running.values().min_by_key(|(_, t)| *t).map(|(w, t)| (*w, t.elapsed()))
    }

    /// Stops the watchdog thread (the store is closing).
    pub fn stop(&self) {
        self.inner.stopped.store(true, Ordering::Relaxed);
    }

    /// Starts the watchdog thread over these calls.
    pub fn watch(&self, cfg: &StoreConfig, health: Health) {
        let (ops, bound, restart) = (self.clone(), Duration::from_secs(cfg.stall_after_secs.max(1)), cfg.restart);
        let spawned = std::thread::Builder::new().name("store-watchdog".into()).spawn(move || {
            while !ops.inner.stopped.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(250).min(bound));
                if let Some((what, ran)) = ops.oldest().filter(|(_, ran)| *ran >= bound) {
                    stalled(&health, what, ran, restart);
                    return;
                }
            }
        });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "storage watchdog could not start");
        }
    }
}

/// Whether the test-only fault `name` is switched on for this process
/// (`EXTRANET_FAILPOINT=<name>`): lets a whole-process test make the disk
/// hang, which no real disk does on demand. Never set it in production.
pub(crate) fn failpoint(name: &str) -> bool {
    static SET: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    SET.get_or_init(|| std::env::var("EXTRANET_FAILPOINT").ok()).as_deref() == Some(name)
}

fn stalled(health: &Health, what: &str, ran: Duration, restart: SelfRestart) {
    let detail = format!("{what} 已运行 {} 秒未返回", ran.as_secs());
    health.set(StoreState::Stalled { since_ms: now_ms(), detail });
    restart.apply("a storage call stalled");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_that_outlives_the_bound_marks_the_store_stalled() {
        let (ops, health) = (Ops::default(), Health::default());
        let stuck = ops.begin("transaction");
        ops.watch(
            &StoreConfig { stall_after_secs: 1, restart: SelfRestart::Report, ..Default::default() },
            health.clone(),
        );
        let mut rx = health.watch();
        let rt = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
        let seen = rt.block_on(async {
            tokio::time::timeout(Duration::from_secs(10), rx.wait_for(|s| !s.is_healthy()))
                .await
                .ok()
                .and_then(|r| r.ok().map(|s| s.clone()))
        });
        drop(stuck);
        let state = seen.expect("watchdog never noticed the stuck call");
        assert_eq!(state.code(), "stalled");
        assert!(state.describe().contains("transaction"), "{}", state.describe());
        ops.stop();
    }

    #[test]
    fn calls_that_return_leave_nothing_running() {
        let ops = Ops::default();
        drop(ops.begin("read"));
        assert!(ops.oldest().is_none());
    }
}
