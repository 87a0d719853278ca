//! An in-memory [`EventStore`] for tests and simulations: the engine is
//! generic over its store precisely so it can run where sled cannot (inside
//! a deterministic network simulator, in unit tests without files).

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

use extranet_certs::NodeId;
use tokio::sync::watch;

use crate::clock::wall_ms;
use crate::{Accepted, Envelope, EventStore, FedError, Route, StreamId, Summary};

/// One stream as held: its events in order, and its cursor — past the
/// last event when the parent skipped what followed (holes are skips).
#[derive(Default)]
struct Held {
    events: Vec<Envelope>,
    cursor: u64,
}

impl Held {
    fn push(&mut self, ev: Envelope) {
        self.cursor = ev.seq;
        self.events.push(ev);
    }
}

#[derive(Default)]
struct Inner {
    streams: BTreeMap<StreamId, Held>,
    delivered: Vec<Envelope>,
    /// Own events taken back from a peer after a restore, re-applied.
    recovered: Vec<Envelope>,
    peers: BTreeMap<NodeId, Vec<(StreamId, u64)>>,
    /// How many times a peer's cursors were saved.
    peer_saves: u64,
    summaries: BTreeMap<NodeId, Summary>,
    /// Written since the last sync.
    dirty: bool,
}

/// Streams, cursors and peer cursors in memory. "Durable" means "synced":
/// [`EventStore::sync`] is what signals the engine that new events exist,
/// exactly as with the real store.
pub struct MemStore {
    inner: Mutex<Inner>,
    durable: watch::Sender<u64>,
    /// Whether it keeps streams with holes ([`EventStore::takes_skips`]).
    skips: bool,
}

impl Default for MemStore {
    fn default() -> Self {
        MemStore::new()
    }
}

impl MemStore {
    /// An empty store.
    pub fn new() -> Self {
        MemStore { inner: Mutex::new(Inner::default()), durable: watch::Sender::new(0), skips: true }
    }

    /// An empty store that, like one of a version before skipped runs,
    /// asks its parent for every event.
    pub fn without_skips() -> Self {
        MemStore { skips: false, ..MemStore::new() }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Writes an event originated by `me` (the node owning this store), as
    /// the domain would when it changes one of its records. Call
    /// [`EventStore::sync`] afterwards to make it durable and sendable.
    pub fn append_own(&self, me: &NodeId, route: Route, kind: &str, payload: Vec<u8>) -> Envelope {
        let mut inner = self.lock();
        let stream = StreamId { origin: me.clone(), channel: route.channel() };
        let held = inner.streams.entry(stream).or_default();
        let ev = Envelope {
            origin: me.clone(),
            seq: held.cursor + 1,
            route,
            kind: kind.to_string(),
            payload,
            created_at_ms: wall_ms(),
        };
        held.push(ev.clone());
        inner.dirty = true;
        ev
    }

    /// How many times a peer's acknowledged cursors were saved.
    pub fn peer_saves(&self) -> u64 {
        self.lock().peer_saves
    }

    /// Every event handed to the domain, in the order it was.
    pub fn delivered(&self) -> Vec<Envelope> {
        self.lock().delivered.clone()
    }

    /// Every own event taken back from a peer
    /// ([`EventStore::accept_own_recovered`]), in the order it was.
    pub fn recovered(&self) -> Vec<Envelope> {
        self.lock().recovered.clone()
    }

    /// Stores `event` if it is the next of its stream; `apply` hands it to
    /// the domain in the same step.
    fn take(&self, event: &Envelope, apply: impl FnOnce(&mut Inner)) -> Accepted {
        let mut inner = self.lock();
        let held = inner.streams.entry(event.stream()).or_default();
        let cursor = held.cursor;
        if event.seq <= cursor {
            return Accepted::Duplicate;
        }
        if event.seq != cursor + 1 {
            return Accepted::Gap { expected: cursor + 1 };
        }
        held.push(event.clone());
        apply(&mut inner);
        inner.dirty = true;
        Accepted::Applied
    }

    /// Every event held of `stream`, in order.
    pub fn events(&self, stream: &StreamId) -> Vec<Envelope> {
        self.lock().streams.get(stream).map(|h| h.events.clone()).unwrap_or_default()
    }
}

impl EventStore for MemStore {
    fn cursors(&self) -> Result<Vec<(StreamId, u64)>, FedError> {
        Ok(self.lock().streams.iter().map(|(s, h)| (s.clone(), h.cursor)).collect())
    }

    fn read(&self, stream: &StreamId, after: u64, limit: usize) -> Result<Vec<Envelope>, FedError> {
        let inner = self.lock();
        let Some(held) = inner.streams.get(stream) else {
            return Ok(Vec::new());
        };
        let from = held.events.partition_point(|e| e.seq <= after);
        Ok(held.events[from..].iter().take(limit).cloned().collect())
    }

    fn takes_skips(&self) -> bool {
        self.skips
    }

    fn skip(&self, skips: &[crate::Skipped]) -> Result<Vec<Accepted>, FedError> {
        let mut inner = self.lock();
        let inner = &mut *inner;
        let streams = std::cell::RefCell::new(&mut inner.streams);
        let out = crate::store::take_runs(
            skips,
            |s| Ok::<_, FedError>(streams.borrow().get(s).map_or(0, |h| h.cursor)),
            |s, through| {
                streams.borrow_mut().entry(s.clone()).or_default().cursor = through;
                Ok(())
            },
        )?;
        inner.dirty |= out.contains(&Accepted::Applied);
        Ok(out)
    }

    fn accept(&self, event: &Envelope, deliver: bool) -> Result<Accepted, FedError> {
        Ok(self.take(event, |inner| {
            if deliver {
                inner.delivered.push(event.clone());
            }
        }))
    }

    fn accept_own_recovered(&self, event: &Envelope) -> Result<Accepted, FedError> {
        Ok(self.take(event, |inner| inner.recovered.push(event.clone())))
    }

    async fn sync(&self) -> Result<(), FedError> {
        let was_dirty = std::mem::take(&mut self.lock().dirty);
        if was_dirty {
            self.durable.send_modify(|n| *n += 1);
        }
        Ok(())
    }

    fn durable_watch(&self) -> watch::Receiver<u64> {
        self.durable.subscribe()
    }

    fn save_peer_cursors(&self, peer: &NodeId, cursors: &[(StreamId, u64)]) -> Result<(), FedError> {
        let mut inner = self.lock();
        inner.peers.insert(peer.clone(), cursors.to_vec());
        inner.peer_saves += 1;
        Ok(())
    }

    fn peer_cursors(&self, peer: &NodeId) -> Result<Vec<(StreamId, u64)>, FedError> {
        Ok(self.lock().peers.get(peer).cloned().unwrap_or_default())
    }

    fn known_peers(&self) -> Result<Vec<NodeId>, FedError> {
        Ok(self.lock().peers.keys().cloned().collect())
    }

    fn put_summary(&self, summary: &Summary) -> Result<bool, FedError> {
        let mut inner = self.lock();
        if !summary.supersedes(inner.summaries.get(&summary.origin)) {
            return Ok(false);
        }
        inner.summaries.insert(summary.origin.clone(), summary.clone());
        Ok(true)
    }

    fn summaries(&self, root: &NodeId) -> Result<Vec<Summary>, FedError> {
        Ok(self.lock().summaries.values().filter(|s| s.origin.is_within(root)).cloned().collect())
    }
}
