//! An [`EventStore`] for deterministic simulations that knows what a crash
//! takes away. Every write is visible at once (as after a commit) but only
//! *pending*; [`EventStore::sync`] makes everything visible durable; a
//! crash ([`SimStore::crash`]) keeps the durable image and throws every
//! pending write away; a restore ([`SimStore::restore`]) goes back to an
//! older durable image (a backup). The store that crashed is dead: every
//! later call on it fails, so a task of the crashed incarnation can never
//! write into its successor.
//!
//! `sync` covers every write visible when it is called, which is the
//! contract of [`EventStore::sync`]; [`SyncFault`] breaks it on purpose so a
//! simulation can show it notices.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use extranet_certs::NodeId;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::sync::watch;

use crate::{Accepted, Envelope, EventStore, FedError, Route, StreamId, Summary};

/// How `sync` behaves: honest, or one of the bugs a simulation must catch.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum SyncFault {
    /// Makes every visible write durable before returning.
    #[default]
    Honest,
    /// Returns `Ok` and signals new events without making anything durable.
    Lies,
    /// Makes durable only what was visible at the *previous* call: a
    /// barrier with a stale target (writes committed but not yet marked).
    Stale,
}

/// One image of the store: what a node holds.
#[derive(Clone, Default, Debug)]
pub struct Image {
    /// Every stream held, in order.
    pub streams: BTreeMap<StreamId, Vec<Envelope>>,
    /// How far a stream's cursor was moved past events the parent skipped
    /// for this node ([`EventStore::skip`]); see [`Image::cursor`].
    pub skipped: BTreeMap<StreamId, u64>,
    /// What the domain applied: delivered events, own writes and own
    /// events recovered from a peer, in order.
    pub applied: Vec<Envelope>,
    /// Peer cursors saved.
    pub peers: BTreeMap<NodeId, Vec<(StreamId, u64)>>,
    /// Latest summary per origin.
    pub summaries: BTreeMap<NodeId, Summary>,
}

impl Image {
    /// The cursor of `stream`: its last event held, or further where the
    /// parent skipped what followed.
    pub fn cursor(&self, stream: &StreamId) -> u64 {
        let last = self.streams.get(stream).and_then(|v| v.last()).map_or(0, |e| e.seq);
        last.max(self.skipped.get(stream).copied().unwrap_or(0))
    }
}

/// The durable part, as lengths into the visible image (streams and the
/// applied list only grow until a crash cuts them back to these).
#[derive(Clone, Default)]
struct Mark {
    streams: BTreeMap<StreamId, usize>,
    skipped: BTreeMap<StreamId, u64>,
    applied: usize,
    peers: BTreeMap<NodeId, Vec<(StreamId, u64)>>,
    summaries: BTreeMap<NodeId, Summary>,
}

struct Inner {
    visible: Image,
    durable: Mark,
    /// What the previous `sync` call saw (for [`SyncFault::Stale`]).
    previous: Mark,
    rng: StdRng,
}

/// A simulated disk for one node (see the module doc).
pub struct SimStore {
    me: NodeId,
    fault: SyncFault,
    max_sync_delay: Duration,
    seed: u64,
    inner: Mutex<Inner>,
    /// One sender per subscriber, bumped in subscription order: a watch
    /// with several waiters wakes them in a random order (Tokio shards its
    /// waiters at random), which would make runs irreproducible.
    durable: Mutex<Vec<watch::Sender<u64>>>,
    dead: AtomicBool,
}

impl SimStore {
    /// An empty disk of node `me`; each `sync` takes a seeded random time
    /// up to `max_sync_delay` (simulated), so other tasks run in between.
    pub fn new(me: NodeId, seed: u64, max_sync_delay: Duration, fault: SyncFault) -> Self {
        SimStore::from_image(me, seed, max_sync_delay, fault, Image::default())
    }

    fn from_image(me: NodeId, seed: u64, max_sync_delay: Duration, fault: SyncFault, image: Image) -> Self {
        let durable = mark_of(&image);
        let inner = Inner { visible: image, previous: durable.clone(), durable, rng: StdRng::seed_from_u64(seed) };
        SimStore {
            me,
            fault,
            max_sync_delay,
            seed,
            inner: Mutex::new(inner),
            durable: Mutex::new(Vec::new()),
            dead: AtomicBool::new(false),
        }
    }

    fn lock(&self) -> Result<MutexGuard<'_, Inner>, FedError> {
        if self.dead.load(Ordering::SeqCst) {
            return Err(FedError::Store("模拟节点已崩溃，存储不可用".into()));
        }
        Ok(self.inner.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Everything visible now (pending writes included).
    pub fn visible(&self) -> Image {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).visible.clone()
    }

    /// How much of `stream` a crash now would leave (also on a dead store).
    pub fn durable_cursor(&self, stream: &StreamId) -> u64 {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        cut(&inner.visible, &inner.durable).cursor(stream)
    }

    /// What a crash now would leave.
    pub fn durable_image(&self) -> Image {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        cut(&inner.visible, &inner.durable)
    }

    /// The node crashes: this store dies, and its successor starts from the
    /// durable image — every pending write is gone.
    pub fn crash(&self, seed: u64) -> SimStore {
        self.restore(self.durable_image(), seed)
    }

    /// The node is restored from `backup` (an older durable image): this
    /// store dies and its successor holds exactly `backup`.
    pub fn restore(&self, backup: Image, seed: u64) -> SimStore {
        self.dead.store(true, Ordering::SeqCst);
        SimStore::from_image(self.me.clone(), seed ^ self.seed, self.max_sync_delay, self.fault, backup)
    }

    /// Writes an own event as the domain would (and applies it): pending
    /// until the next `sync`.
    pub fn append_own(&self, route: Route, kind: &str, payload: Vec<u8>, at_ms: i64) -> Result<Envelope, FedError> {
        let mut inner = self.lock()?;
        let stream = StreamId { origin: self.me.clone(), channel: route.channel() };
        let events = inner.visible.streams.entry(stream).or_default();
        let ev = Envelope {
            origin: self.me.clone(),
            seq: events.len() as u64 + 1,
            route,
            kind: kind.to_string(),
            payload,
            created_at_ms: at_ms,
        };
        events.push(ev.clone());
        inner.visible.applied.push(ev.clone());
        Ok(ev)
    }

    fn take(&self, event: &Envelope, apply: bool) -> Result<Accepted, FedError> {
        let mut inner = self.lock()?;
        let cursor = inner.visible.cursor(&event.stream());
        let events = inner.visible.streams.entry(event.stream()).or_default();
        if event.seq <= cursor {
            return Ok(Accepted::Duplicate);
        }
        if event.seq != cursor + 1 {
            return Ok(Accepted::Gap { expected: cursor + 1 });
        }
        events.push(event.clone());
        if apply {
            inner.visible.applied.push(event.clone());
        }
        Ok(Accepted::Applied)
    }
}

fn mark_of(image: &Image) -> Mark {
    Mark {
        streams: image.streams.iter().map(|(s, e)| (s.clone(), e.len())).collect(),
        skipped: image.skipped.clone(),
        applied: image.applied.len(),
        peers: image.peers.clone(),
        summaries: image.summaries.clone(),
    }
}

/// `image` cut back to `mark`.
fn cut(image: &Image, mark: &Mark) -> Image {
    let streams = image
        .streams
        .iter()
        .filter_map(|(s, evs)| {
            let n = mark.streams.get(s).copied().unwrap_or(0);
            (n > 0).then(|| (s.clone(), evs[..n.min(evs.len())].to_vec()))
        })
        .collect();
    let applied = image.applied[..mark.applied.min(image.applied.len())].to_vec();
    Image {
        streams,
        skipped: mark.skipped.clone(),
        applied,
        peers: mark.peers.clone(),
        summaries: mark.summaries.clone(),
    }
}

/// Moves `durable` up to `target` (never back).
fn advance(durable: &mut Mark, target: Mark) -> bool {
    let mut grew = false;
    for (s, n) in target.streams {
        let d = durable.streams.entry(s).or_insert(0);
        if n > *d {
            *d = n;
            grew = true;
        }
    }
    for (s, n) in target.skipped {
        let d = durable.skipped.entry(s).or_insert(0);
        if n > *d {
            *d = n;
            grew = true;
        }
    }
    durable.applied = durable.applied.max(target.applied);
    durable.peers = target.peers;
    durable.summaries = target.summaries;
    grew
}

impl EventStore for SimStore {
    fn cursors(&self) -> Result<Vec<(StreamId, u64)>, FedError> {
        let inner = self.lock()?;
        let image = &inner.visible;
        let streams: std::collections::BTreeSet<&StreamId> = image.streams.keys().chain(image.skipped.keys()).collect();
        Ok(streams.into_iter().map(|s| (s.clone(), image.cursor(s))).collect())
    }

    fn read(&self, stream: &StreamId, after: u64, limit: usize) -> Result<Vec<Envelope>, FedError> {
        let inner = self.lock()?;
        let Some(events) = inner.visible.streams.get(stream) else {
            return Ok(Vec::new());
        };
        let from = events.partition_point(|e| e.seq <= after);
        Ok(events[from..].iter().take(limit).cloned().collect())
    }

    fn takes_skips(&self) -> bool {
        true
    }

    fn skip(&self, skips: &[crate::Skipped]) -> Result<Vec<Accepted>, FedError> {
        let mut inner = self.lock()?;
        let image = std::cell::RefCell::new(&mut inner.visible);
        crate::store::take_runs(
            skips,
            |s| Ok(image.borrow().cursor(s)),
            |s, through| {
                image.borrow_mut().skipped.insert(s.clone(), through);
                Ok(())
            },
        )
    }

    fn accept(&self, event: &Envelope, deliver: bool) -> Result<Accepted, FedError> {
        self.take(event, deliver)
    }

    fn accept_own_recovered(&self, event: &Envelope) -> Result<Accepted, FedError> {
        self.take(event, true)
    }

    async fn sync(&self) -> Result<(), FedError> {
        let (target, delay) = {
            let mut inner = self.lock()?;
            let now = mark_of(&inner.visible);
            let target = match self.fault {
                SyncFault::Stale => std::mem::replace(&mut inner.previous, now),
                _ => now,
            };
            let max = u64::try_from(self.max_sync_delay.as_micros()).unwrap_or(u64::MAX);
            let delay = Duration::from_micros(inner.rng.random_range(0..=max));
            (target, delay)
        };
        tokio::time::sleep(delay).await;
        let mut inner = self.lock()?;
        let grew = match self.fault {
            SyncFault::Lies => !target.streams.is_empty(),
            _ => advance(&mut inner.durable, target),
        };
        drop(inner);
        if grew {
            let subscribers = self.durable.lock().unwrap_or_else(|e| e.into_inner());
            subscribers.iter().for_each(|tx| tx.send_modify(|n| *n += 1));
        }
        Ok(())
    }

    fn durable_watch(&self) -> watch::Receiver<u64> {
        let mut subscribers = self.durable.lock().unwrap_or_else(|e| e.into_inner());
        subscribers.retain(|tx| !tx.is_closed());
        let (tx, rx) = watch::channel(0);
        subscribers.push(tx);
        rx
    }

    fn save_peer_cursors(&self, peer: &NodeId, cursors: &[(StreamId, u64)]) -> Result<(), FedError> {
        self.lock()?.visible.peers.insert(peer.clone(), cursors.to_vec());
        Ok(())
    }

    fn peer_cursors(&self, peer: &NodeId) -> Result<Vec<(StreamId, u64)>, FedError> {
        Ok(self.lock()?.visible.peers.get(peer).cloned().unwrap_or_default())
    }

    fn known_peers(&self) -> Result<Vec<NodeId>, FedError> {
        Ok(self.lock()?.visible.peers.keys().cloned().collect())
    }

    fn put_summary(&self, summary: &Summary) -> Result<bool, FedError> {
        let mut inner = self.lock()?;
        if !summary.supersedes(inner.visible.summaries.get(&summary.origin)) {
            return Ok(false);
        }
        inner.visible.summaries.insert(summary.origin.clone(), summary.clone());
        Ok(true)
    }

    fn summaries(&self, root: &NodeId) -> Result<Vec<Summary>, FedError> {
        Ok(self.lock()?.visible.summaries.values().filter(|s| s.origin.is_within(root)).cloned().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(fault: SyncFault) -> SimStore {
        SimStore::new(NodeId::parse("540000/540100").unwrap(), 7, Duration::from_millis(2), fault)
    }

    #[tokio::test(start_paused = true)]
    async fn a_crash_keeps_exactly_what_was_synced() {
        let s = store(SyncFault::Honest);
        s.append_own(Route::Up, "t", vec![1], 0).unwrap();
        s.sync().await.unwrap();
        s.append_own(Route::Up, "t", vec![2], 0).unwrap();
        let after = s.crash(1);
        assert!(s.cursors().is_err(), "the crashed incarnation is dead");
        let held = after.cursors().unwrap();
        assert_eq!(held.len(), 1);
        assert_eq!(held[0].1, 1, "the pending write is gone, the synced one kept");
        assert_eq!(after.visible().applied.len(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn sync_covers_a_write_another_task_could_already_read() {
        // A write visible to a reader (here: read back before anyone synced
        // it) is durable once a sync started after that read returns.
        let s = store(SyncFault::Honest);
        let ev = s.append_own(Route::Up, "t", vec![1], 0).unwrap();
        let stream = ev.stream();
        assert_eq!(s.read(&stream, 0, 10).unwrap(), vec![ev.clone()]);
        s.sync().await.unwrap();
        assert_eq!(s.crash(1).read(&stream, 0, 10).unwrap(), vec![ev]);
    }

    #[tokio::test(start_paused = true)]
    async fn faulty_syncs_lose_what_they_confirmed() {
        for fault in [SyncFault::Lies, SyncFault::Stale] {
            let s = store(fault);
            s.append_own(Route::Up, "t", vec![1], 0).unwrap();
            s.sync().await.unwrap();
            assert!(s.crash(1).cursors().unwrap().is_empty(), "{fault:?} keeps nothing it confirmed");
        }
    }
}
