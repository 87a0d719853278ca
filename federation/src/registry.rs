//! Live state of every link this node has had since it started: connected
//! or not, since when, last frame, the peer's last reported backlog. It also
//! makes sure a peer has at most one session: a reconnecting child replaces
//! its half-dead predecessor instead of racing it.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, MutexGuard};

use extranet_certs::NodeId;
use tokio_util::sync::CancellationToken;

use crate::Backlog;
use crate::clock::wall_ms;

/// What is known about one peer's link right now.
#[derive(Clone, Debug, Default)]
pub(crate) struct Live {
    pub connected: bool,
    pub since_ms: i64,
    pub last_contact_ms: i64,
    pub inbound: Backlog,
    /// How far the peer's clock ran ahead of ours at its last `Ping`, ms
    /// (negative: behind), give or take the ping's transit time.
    pub clock_offset_ms: Option<i64>,
    generation: u64,
    session: Option<CancellationToken>,
}

#[derive(Default)]
struct State {
    peers: BTreeMap<NodeId, Live>,
    expected: BTreeSet<NodeId>,
    next_generation: u64,
}

/// Link states by peer.
#[derive(Default)]
pub(crate) struct Registry {
    state: Mutex<State>,
}

impl Registry {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers a new session with `peer`, cancelling any older one, and
    /// returns the guard that owns the session's cancellation token.
    pub fn begin(self: &Arc<Self>, peer: &NodeId, parent: &CancellationToken) -> SessionGuard {
        let token = parent.child_token();
        let mut st = self.lock();
        st.next_generation += 1;
        let generation = st.next_generation;
        let live = st.peers.entry(peer.clone()).or_default();
        if let Some(old) = live.session.replace(token.clone()) {
            tracing::info!(peer = %peer, "同一对端建立了新会话，结束旧会话");
            old.cancel();
        }
        live.generation = generation;
        SessionGuard { registry: Arc::clone(self), peer: peer.clone(), generation, token }
    }

    /// Records that a frame arrived from `peer`.
    pub fn touch(&self, peer: &NodeId) {
        if let Some(live) = self.lock().peers.get_mut(peer) {
            live.last_contact_ms = wall_ms();
        }
    }

    /// Records the backlog `peer` reported in its last `Ping`, and its
    /// clock's offset from ours as the ping's `sent_at_ms` shows it.
    pub fn set_inbound(&self, peer: &NodeId, owed: Backlog, sent_at_ms: i64) {
        let offset = sent_at_ms.saturating_sub(wall_ms());
        if let Some(live) = self.lock().peers.get_mut(peer) {
            live.inbound = owed;
            live.clock_offset_ms = Some(offset);
        }
    }

    /// The live state of `peer` (default if never seen).
    pub fn live(&self, peer: &NodeId) -> Live {
        self.lock().peers.get(peer).cloned().unwrap_or_default()
    }

    /// Every peer seen since start, and every expected one.
    pub fn peers(&self) -> BTreeSet<NodeId> {
        let st = self.lock();
        st.peers.keys().chain(st.expected.iter()).cloned().collect()
    }

    /// Ends every live session; the peers redial (the uplink by itself, the
    /// children from their side) and handshake again.
    pub fn cancel_all(&self) {
        for live in self.lock().peers.values() {
            if let Some(token) = &live.session {
                token.cancel();
            }
        }
    }

    /// Adds a peer that status should list even before it ever connects.
    pub fn expect(&self, peer: NodeId) {
        self.lock().expected.insert(peer);
    }
}

/// One session's registration; dropping it marks the link down (unless a
/// newer session of the same peer has taken over).
pub(crate) struct SessionGuard {
    registry: Arc<Registry>,
    peer: NodeId,
    generation: u64,
    /// Cancelled on engine shutdown or when a newer session replaces this one.
    pub token: CancellationToken,
}

impl SessionGuard {
    /// Marks the link up: both Hellos were exchanged.
    pub fn connected(&self) {
        let now = wall_ms();
        let mut st = self.registry.lock();
        if let Some(live) = st.peers.get_mut(&self.peer).filter(|l| l.generation == self.generation) {
            live.connected = true;
            live.since_ms = now;
            live.last_contact_ms = now;
        }
    }
}

impl Drop for SessionGuard {
    fn drop(&mut self) {
        let mut st = self.registry.lock();
        if let Some(live) = st.peers.get_mut(&self.peer).filter(|l| l.generation == self.generation) {
            if live.connected {
                live.since_ms = wall_ms();
            }
            live.connected = false;
            live.session = None;
        }
    }
}
