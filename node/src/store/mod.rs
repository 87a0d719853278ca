//! The node's storage: one embedded engine behind the storage interface
//! ([`engine`]: sled or redb, per `[store] engine`), and the only module that names its trees.
//! Everything written goes through a [`Tx`] — one atomic
//! transaction that changes records *and* appends the events announcing them
//! (the outbox) — and is acknowledged only after [`NodeStore::sync`].

mod access;
mod approvals;
mod assets;
mod calendar;
mod circulars;
mod combine;
mod counter;
mod deadline_index;
mod disconnection;
mod durability;
pub mod engine;
mod events;
mod faults;
mod figures;
mod figures_rebuild;
mod figures_supervision;
mod filings;
pub mod health;
mod idempotency;
mod incidents;
mod inspections;
mod interruptions;
mod ipam;
mod keys;
mod orders;
mod pki;
mod private_networks;
mod record;
mod report;
mod revised;
mod system_requests;
mod trees;
mod tx;
pub mod watchdog;

#[cfg(test)]
mod batch_tests;
#[cfg(test)]
mod blocking_tests;
#[cfg(test)]
mod combine_tests;
#[cfg(test)]
mod durability_share_tests;
#[cfg(test)]
mod durability_tests;
#[cfg(test)]
mod figures_tests;
mod unapplied;

#[cfg(test)]
pub(crate) mod fixtures;
#[cfg(test)]
pub(crate) mod fixtures_private_networks;
#[cfg(test)]
pub(crate) mod fixtures_report;
#[cfg(test)]
pub(crate) mod fixtures_systems;
#[cfg(test)]
mod private_networks_tests;
#[cfg(test)]
mod record_tests;

use std::path::Path;
use std::sync::Arc;

use extranet_certs::NodeId;
use extranet_federation::Envelope;

pub use assets::AssetCounts;
pub use disconnection::Disconnection;
pub use durability::Durability;
pub use faults::{FaultRegistry, RegistryEntry};
pub use figures::{Figures, IncidentCounts, InspectionCounts, OrderCounts, Overdue, Space, address_shares};
pub use health::{Health, StoreState};
pub use private_networks::PrivateNetworkCounts;
pub use trees::TreeId;
pub use tx::{Tx, TxError, TxResult, abort};
pub use unapplied::Unapplied;
pub use watchdog::{SelfRestart, StoreConfig};

use crate::error::{NodeError, Result};
use engine::{Engine, TxStop};

/// What the domain does when a replicated event takes effect at this node.
/// Runs inside the same transaction that stores the event and moves its
/// cursor, so the effect happens exactly once.
pub trait Applier: Send + Sync + 'static {
    /// Applies `event` within `tx`.
    fn apply(&self, tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()>;

    /// Re-applies one of this node's *own* events, taken back from a peer
    /// after a restore from an older backup lost it here, to this node's
    /// own records (and moves their numbering past it). By default nothing
    /// is re-applied: the event is only stored, so its sequence number is
    /// never issued again.
    fn recover_own(&self, _tx: &mut Tx<'_>, _event: &Envelope) -> TxResult<()> {
        Ok(())
    }
}

/// The parsed calendars in force, by the prefecture whose local calendar
/// they merge (`None`: the region's alone), shared by readers
/// (`calendar.rs` fills it; a newer version of either part replaces one).
pub(crate) type CalendarCache =
    Arc<std::sync::Mutex<std::collections::BTreeMap<Option<String>, Arc<crate::calendar::WorkCalendar>>>>;

/// While `Some`, own writes are refused with this reason (`UNAVAILABLE`).
pub type WriteGate = tokio::sync::watch::Receiver<Option<extranet_federation::Recovering>>;

/// One node's durable store. Cheap to clone.
///
/// No engine call that can wait on the engine's own locks runs on a runtime
/// worker thread (defect 11: sled #1412 froze nodes for good): every write —
/// a client's, a peer's event, a cursor — and every flush runs through
/// [`blocking`], and so does every read on an engine whose reads can stall
/// ([`Engine::reads_may_stall`]: sled). A stall then holds one blocking
/// thread, while health, status, metrics and shutdown keep answering; and
/// every engine call is registered with the storage watchdog while it runs,
/// so a stuck one is noticed and the node restarted.
#[derive(Clone)]
pub struct NodeStore {
    pub(crate) me: NodeId,
    engine: Arc<dyn Engine>,
    pub(crate) durability: Durability,
    pub(crate) applier: Arc<dyn Applier>,
    pub(crate) calendar_cache: CalendarCache,
    health: Health,
    ops: watchdog::Ops,
    /// Refuses own writes while the engine recovers this node's own streams.
    gate: Arc<std::sync::OnceLock<WriteGate>>,
    /// Concurrent transactions share one engine commit (`combine.rs`).
    combiner: Arc<combine::Combiner>,
}

/// Runs a blocking storage call so that it does not hold a runtime worker
/// thread: on a multi-threaded runtime the worker hands its other tasks to a
/// fresh thread first (`block_in_place`). On a current-thread runtime (unit
/// tests) or outside a runtime it simply runs.
pub fn blocking<R>(f: impl FnOnce() -> R) -> R {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => tokio::task::block_in_place(f),
        _ => f(),
    }
}

impl NodeStore {
    /// Opens (or creates) the store of node `me` in `dir` for a tool or a
    /// test: a store that needs a restart says so but does not exit the
    /// process (a served node uses [`NodeStore::open_with`] and its config).
    pub fn open(dir: &Path, me: NodeId, applier: Arc<dyn Applier>) -> Result<Self> {
        Self::open_with(dir, me, applier, &StoreConfig { restart: SelfRestart::Report, ..Default::default() })
    }

    /// Opens (or creates) the store of node `me` in `dir`; counts its
    /// records into the summary figures if they were never counted.
    pub fn open_with(dir: &Path, me: NodeId, applier: Arc<dyn Applier>, cfg: &StoreConfig) -> Result<Self> {
        let engine = blocking(|| engine::open(dir, cfg.engine))?;
        let (health, ops) = (Health::default(), watchdog::Ops::default());
        ops.watch(cfg, health.clone());
        let durability = Durability::start(engine.clone(), dir, health.clone(), ops.clone(), cfg.restart)?;
        let store = NodeStore {
            me,
            engine,
            durability,
            applier,
            calendar_cache: Default::default(),
            health,
            ops,
            gate: Default::default(),
            combiner: Default::default(),
        };
        // a store written before the summary figures were counters is counted once
        if let Err(e) = store.ensure_figures() {
            store.close();
            return Err(e);
        }
        Ok(store)
    }

    /// Runs the read `f` over the open trees, watched by the watchdog; off
    /// the runtime's workers where the engine's reads can stall (sled),
    /// inline where they cannot (redb reads a snapshot). Long scans that
    /// answer a client go through [`blocking`] at their call site on either.
    pub(crate) fn view<R, E: From<NodeError>>(&self, f: impl FnOnce(&dyn Engine) -> Result<R, E>) -> Result<R, E> {
        let read = || {
            let _op = self.ops.begin("read");
            f(&*self.engine)
        };
        if self.engine.reads_may_stall() { blocking(read) } else { read() }
    }

    /// Runs `f` as one atomic transaction over every tree; retried by the engine on
    /// conflict, so `f` must have no effects outside `tx`. Not yet durable:
    /// follow with [`NodeStore::sync`] before acknowledging. Refused while
    /// the store is unhealthy (disk full: `RESOURCE_EXHAUSTED`; failed or
    /// stalled: `UNAVAILABLE`).
    pub fn transact<R: Send>(&self, f: impl Fn(&mut Tx<'_>) -> TxResult<R> + Sync) -> Result<R> {
        if let Some(r) = self.gate.get().and_then(|g| g.borrow().clone()) {
            return Err(NodeError::Unavailable(format!("本节点正在恢复，暂不受理写入：{}", r.message())));
        }
        self.transact_always(f)
    }

    /// Refuses own writes (every [`NodeStore::transact`]) with `UNAVAILABLE`
    /// while `gate` says the engine is recovering this node's own streams
    /// from a peer (after a restore from an older backup). Events arriving
    /// from peers are still taken in. Set once, when the engine is built; a
    /// second gate is ignored.
    pub fn refuse_writes_while(&self, gate: WriteGate) {
        if self.gate.set(gate).is_err() {
            tracing::warn!("a recovery gate was already set; the second one is ignored");
        }
    }

    /// [`NodeStore::transact`] without the recovery gate: what peers send is
    /// taken in even while own writes wait.
    pub(crate) fn transact_always<R: Send>(&self, f: impl Fn(&mut Tx<'_>) -> TxResult<R> + Sync) -> Result<R> {
        let ticket = self.durability.begin_write()?;
        blocking(|| self.run_transaction(Some(&ticket), f))
    }

    /// A write nothing is ever acknowledged on — the cursors a peer said it
    /// holds, a latest-wins status summary, a flag a worker clears — so
    /// [`NodeStore::sync`] need not wait for it: lost in a crash, it is
    /// learnt or done again. Counting it would cost a flush and fsync for
    /// every peer acknowledgement and every summary relayed. Refused, like
    /// every write, unless the store is healthy.
    pub(crate) fn transact_unacknowledged<R: Send>(&self, f: impl Fn(&mut Tx<'_>) -> TxResult<R> + Sync) -> Result<R> {
        self.health.check_writable()?;
        blocking(|| self.run_transaction(None, f))
    }

    /// [`NodeStore::transact_unacknowledged`] for a single key: one plain
    /// write, without a transaction over every tree (for writes made on
    /// every peer acknowledgement).
    pub(crate) fn insert_unacknowledged(&self, t: TreeId, key: &[u8], value: &[u8]) -> Result<()> {
        self.health.check_writable()?;
        blocking(|| {
            let _op = self.ops.begin("write");
            self.engine.insert_one(t, key, value).map_err(|e| self.storage_failed(e))
        })
    }

    /// Runs `f` in a transaction of its own or, when other writers are
    /// committing at the same moment, as part of theirs (`combine.rs`).
    /// `ticket`: the write's durability ticket (none for an unacknowledged
    /// write), through which a write sending events up is noted as such.
    fn run_transaction<R: Send>(
        &self,
        ticket: Option<&durability::WriteTicket<'_>>,
        f: impl Fn(&mut Tx<'_>) -> TxResult<R> + Sync,
    ) -> Result<R> {
        let now_ms = chrono::Utc::now().timestamp_millis();
        let _op = self.ops.begin("transaction");
        let mut out = None;
        let me = &self.me;
        let res = self.combiner.run(&*self.engine, &mut |views| {
            let mut tx = Tx::new(me, now_ms, views);
            out = Some(f(&mut tx).map_err(|e| e.0)?);
            if let (true, Some(ticket)) = (tx.wrote_up(), ticket) {
                self.durability.note_up(ticket);
            }
            Ok(())
        });
        match res {
            Ok(()) => Ok(out.expect("a committed transaction ran its closure")),
            Err(TxStop::Abort(e)) => Err(e),
            Err(TxStop::Storage(e)) => Err(self.storage_failed(e)),
            Err(TxStop::Conflict) => Err(NodeError::Store("事务冲突".into())),
        }
    }

    /// Turns an engine failure into the node's answer, noting a full disk.
    fn storage_failed(&self, e: engine::EngineError) -> NodeError {
        self.engine.mark_failed();
        if e.disk_full() {
            self.health.set(StoreState::DiskFull { since_ms: health::now_ms(), detail: e.to_string() });
            return self.health.get().refusal().unwrap_or_else(|| e.into());
        }
        e.into()
    }

    /// Waits until everything written so far — every write any caller could
    /// have read — is flushed and fsynced.
    pub async fn sync(&self) -> Result<()> {
        self.durability.sync().await
    }

    /// The store's group commit: its counts of writes and flushes (for the
    /// benches' account of where the time goes).
    pub fn durability(&self) -> &Durability {
        &self.durability
    }

    /// This node's identity.
    pub fn me(&self) -> &NodeId {
        &self.me
    }

    /// The store's health (full disk, failed flush, stalled call).
    pub fn health(&self) -> &Health {
        &self.health
    }

    /// Makes the store's next flush fail with `e` (fault injection for tests
    /// of what the node does when its disk fails).
    #[doc(hidden)]
    pub fn inject_flush_error(&self, e: std::io::Error) {
        self.durability.inject_flush_error(e);
    }

    /// Stops the flusher after a final flush and the watchdog; the store can
    /// then be reopened once every clone is dropped.
    pub fn close(&self) {
        // A failed engine (sled) blocks for ever in flush: skip it (nothing more
        // could be acknowledged anyway).
        if self.health.get().is_healthy() {
            let _ = blocking(|| self.engine.flush());
        }
        self.durability.close();
        self.ops.stop();
    }

    /// Resolves once the store's flusher, stopped by [`NodeStore::close`],
    /// has let go of the database: then only the clones still held keep it
    /// open.
    pub async fn closed(&self) {
        self.durability.ended().await;
    }
}
