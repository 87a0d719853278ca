//! The engine: one per node, shared by the link to the parent and the links
//! from the children. It owns what must be common to all of them — the
//! store, the catch-up slots, the link registry, kept in `Core`
//! (`core.rs`) — and starts sessions: the uplink and one per child.

use std::sync::Arc;

use extranet_certs::NodeId;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::core::Core;
use crate::recovery::{Recovering, Recovery};
use crate::registry::Registry;
use crate::{Dialer, EngineConfig, EventStore, FedError, Link, LinkStatus, PeerRole, Summary};

/// The sync engine of one node. Cheap to clone: clones share one engine, so
/// the gRPC service, the uplink task and the status endpoint see the same
/// links.
pub struct Engine<S> {
    core: Arc<Core<S>>,
}

impl<S> Clone for Engine<S> {
    fn clone(&self) -> Self {
        Engine { core: Arc::clone(&self.core) }
    }
}

impl<S: EventStore> Engine<S> {
    /// An engine for node `me` over `store`. Nothing runs until
    /// [`Engine::spawn_uplink`] or [`Engine::serve_child`] is called.
    pub fn new(me: NodeId, store: Arc<S>, config: EngineConfig) -> Self {
        let config = config.sanitized();
        let catchups = Arc::new(Semaphore::new(config.max_concurrent_catchups));
        let confirm = config.confirm_own_streams.then(|| {
            let known = store.known_peers().unwrap_or_else(|e| {
                tracing::error!(error = %e, "无法读取已知下级，仅等待上级核对");
                Vec::new()
            });
            let children = known.into_iter().filter(|k| k.parent().as_ref() == Some(&me)).collect();
            (me.parent(), children)
        });
        let recovery = Recovery::new(&me, confirm);
        let core = Core {
            me,
            store,
            config,
            catchups,
            registry: Arc::new(Registry::default()),
            shutdown: CancellationToken::new(),
            summaries: watch::Sender::new(0),
            recovery,
        };
        Engine { core: Arc::new(core) }
    }

    /// This node.
    pub fn me(&self) -> &NodeId {
        &self.core.me
    }

    /// The store the engine moves events in and out of.
    pub fn store(&self) -> &Arc<S> {
        &self.core.store
    }

    /// The configuration in force (after [`EngineConfig::sanitized`]).
    pub fn config(&self) -> &EngineConfig {
        &self.core.config
    }

    /// Keeps this node linked to its parent for as long as `shutdown` (or
    /// [`Engine::shutdown`]) is not cancelled: dial, sync, and on any failure
    /// redial after a jittered, growing pause. Returns at once (logging) at
    /// the top of the federation, which has no parent.
    pub fn spawn_uplink<D: Dialer>(&self, dialer: D, shutdown: CancellationToken) -> JoinHandle<()> {
        let core = Arc::clone(&self.core);
        tokio::spawn(async move { crate::uplink::run(&core, &dialer, &shutdown).await })
    }

    /// Serves one child that dialled us, over `link` (whose `peer` the
    /// transport authenticated), until the session ends. `Ok` means it ended
    /// without fault: the child hung up, a newer session of the same child
    /// replaced it, or the engine shut down.
    pub async fn serve_child(&self, link: Link) -> Result<(), FedError> {
        let role = PeerRole::Child(link.peer.clone());
        crate::session::run(&self.core, role, link).await
    }

    /// `Some` while this node must refuse writes: a peer holds more of one
    /// of our own streams than we do (we were restored from an older
    /// backup) and is sending it back, or — with
    /// [`EngineConfig::confirm_own_streams`] — a peer has yet to state what
    /// it holds. The node answers writes with `UNAVAILABLE` and
    /// [`Recovering::message`] meanwhile; recovered events reach its domain
    /// through [`EventStore::accept_own_recovered`].
    pub fn recovering(&self) -> Option<Recovering> {
        self.core.recovery.current()
    }

    /// Follows [`Engine::recovering`] as it changes.
    pub fn watch_recovering(&self) -> watch::Receiver<Option<Recovering>> {
        self.core.recovery.watch()
    }

    /// The state of every link: for operators, `extranet status`, oversight.
    pub fn status(&self) -> Result<LinkStatus, FedError> {
        crate::status::link_status(&*self.core.store, &self.core.registry, &self.core.me)
    }

    /// Publishes this node's own latest status summary: stored (replacing
    /// the previous one) and sent to the parent promptly. A summary older
    /// than the one held is ignored.
    pub fn publish_summary(&self, generated_at_ms: i64, payload: Vec<u8>) -> Result<(), FedError> {
        let heard_at_ms = crate::clock::now_ms();
        let summary = Summary { origin: self.core.me.clone(), generated_at_ms, heard_at_ms, payload };
        self.core.keep_summary(&summary).map(|_| ())
    }

    /// The latest summaries held of this node and every node below it
    /// (oversight reads them).
    pub fn summaries(&self) -> Result<Vec<Summary>, FedError> {
        self.core.store.summaries(&self.core.me)
    }

    /// Lists `child` in [`Engine::status`] even before it ever connects, so a
    /// configured county that never came up is visible; with
    /// [`EngineConfig::confirm_own_streams`] writes also wait for its
    /// `Hello`: a backup older than the child's first connection does not
    /// know the child, which may hold our down events all the same (the
    /// simulation's seeds 67, 94 and 116 reuse down sequence numbers without
    /// this wait). Ignored unless `child` is a direct child of this node.
    pub fn add_expected_child(&self, child: NodeId) {
        if child.parent().as_ref() == Some(&self.core.me) {
            self.core.recovery.expect_child(&child);
            self.core.registry.expect(child);
        } else {
            tracing::warn!(%child, me = %self.core.me, "忽略非直接下级的预期节点");
        }
    }

    /// How many catch-ups this node is serving to children right now
    /// (at most `max_concurrent_catchups`).
    pub fn catchups_in_progress(&self) -> usize {
        self.core.config.max_concurrent_catchups.saturating_sub(self.core.catchups.available_permits())
    }

    /// Ends every open session so that each peer must handshake again: used
    /// when the revocation lists change, since a revoked certificate is
    /// refused at the handshake and a sync stream may otherwise stay open
    /// for weeks. The engine keeps running; links come back within a
    /// backoff delay.
    pub fn reset_links(&self) {
        self.core.registry.cancel_all();
    }

    /// Ends every session of this engine promptly (child sessions and the
    /// uplink) and keeps new ones from starting. Call it before stopping the
    /// gRPC server: a server draining gracefully waits for open streams,
    /// and sync streams never end on their own.
    pub fn shutdown(&self) {
        self.core.shutdown.cancel();
    }
}
