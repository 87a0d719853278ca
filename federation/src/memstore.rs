//! An in-memory [`EventStore`] for tests and simulations: the engine is
//! generic over its store precisely so it can run where sled cannot (inside
//! a deterministic network simulator, in unit tests without files).

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

use extranet_certs::NodeId;
use tokio::sync::watch;

use crate::clock::wall_ms;
use crate::{Accepted, Envelope, EventStore, FedError, Route, StreamId, Summary};

#[derive(Default)]
struct Inner {
    streams: BTreeMap<StreamId, Vec<Envelope>>,
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
}

impl Default for MemStore {
    fn default() -> Self {
        MemStore::new()
    }
}

impl MemStore {
    /// An empty store.
    pub fn new() -> Self {
        MemStore { inner: Mutex::new(Inner::default()), durable: watch::Sender::new(0) }
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
        let events = inner.streams.entry(stream).or_default();
        let ev = Envelope {
            origin: me.clone(),
            seq: events.len() as u64 + 1,
            route,
            kind: kind.to_string(),
            payload,
            created_at_ms: wall_ms(),
        };
        events.push(ev.clone());
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
        let events = inner.streams.entry(event.stream()).or_default();
        let cursor = events.len() as u64;
        if event.seq <= cursor {
            return Accepted::Duplicate;
        }
        if event.seq != cursor + 1 {
            return Accepted::Gap { expected: cursor + 1 };
        }
        events.push(event.clone());
        apply(&mut inner);
        inner.dirty = true;
        Accepted::Applied
    }

    /// Every event held of `stream`, in order.
    pub fn events(&self, stream: &StreamId) -> Vec<Envelope> {
        self.lock().streams.get(stream).cloned().unwrap_or_default()
    }
}

impl EventStore for MemStore {
    fn cursors(&self) -> Result<Vec<(StreamId, u64)>, FedError> {
        Ok(self.lock().streams.iter().map(|(s, evs)| (s.clone(), evs.len() as u64)).collect())
    }

    fn read(&self, stream: &StreamId, after: u64, limit: usize) -> Result<Vec<Envelope>, FedError> {
        let inner = self.lock();
        let Some(events) = inner.streams.get(stream) else {
            return Ok(Vec::new());
        };
        let from = usize::try_from(after).unwrap_or(usize::MAX).min(events.len());
        let to = from.saturating_add(limit).min(events.len());
        Ok(events[from..to].to_vec())
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
