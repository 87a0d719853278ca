//! Test harness: nodes on in-memory stores, wired by in-memory links through
//! a proxy that can watch, duplicate or cut frames.

#![allow(dead_code)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use extranet_certs::NodeId;
use extranet_federation::{
    Dialer, Engine, EngineConfig, Envelope, EventStore, FedError, Frame, Link, MemStore, Route, StreamId, link_pair,
};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

pub fn n(s: &str) -> NodeId {
    NodeId::parse(s).unwrap()
}

/// Small batches and windows so that even short tests take many round trips.
pub fn config() -> EngineConfig {
    EngineConfig {
        batch_size: 8,
        window: 32,
        heartbeat: Duration::from_secs(1),
        dead_after: Duration::from_secs(5),
        backoff_min: Duration::from_millis(10),
        backoff_max: Duration::from_millis(500),
        max_concurrent_catchups: 8,
        version: "test".into(),
        ..EngineConfig::default()
    }
}

/// One node: its id, store and engine.
#[derive(Clone)]
pub struct Node {
    pub id: NodeId,
    pub store: Arc<MemStore>,
    pub engine: Engine<MemStore>,
}

impl Node {
    pub fn new(path: &str, config: EngineConfig) -> Self {
        Node::with_store(path, config, MemStore::new())
    }

    /// A node on `store` (e.g. [`MemStore::without_skips`]).
    pub fn with_store(path: &str, config: EngineConfig, store: MemStore) -> Self {
        let id = n(path);
        let store = Arc::new(store);
        let engine = Engine::new(id.clone(), store.clone(), config);
        Node { id, store, engine }
    }

    /// Writes `count` events on `route` and makes them durable.
    pub async fn append(&self, route: Route, count: usize) -> Vec<Envelope> {
        let out = (0..count)
            .map(|i| self.store.append_own(&self.id, route.clone(), "test.v1", format!("{}#{i}", self.id).into_bytes()))
            .collect();
        self.store.sync().await.unwrap();
        out
    }

    /// How far this node holds `origin`'s stream on `route`'s channel.
    pub fn cursor(&self, origin: &NodeId, channel: extranet_federation::Channel) -> u64 {
        let s = StreamId { origin: origin.clone(), channel };
        self.store.cursors().unwrap().into_iter().find(|(x, _)| *x == s).map(|(_, c)| c).unwrap_or(0)
    }

    /// Delivered events originated by `origin`, as (seq) in delivery order.
    pub fn delivered_from(&self, origin: &NodeId) -> Vec<u64> {
        self.store.delivered().into_iter().filter(|e| &e.origin == origin).map(|e| e.seq).collect()
    }
}

/// Which way a frame travels through the proxy.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Dir {
    /// Child to parent.
    Up,
    /// Parent to child.
    Down,
}

/// What the proxy does with a frame.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Verdict {
    Pass,
    /// Deliver it twice.
    Twice,
    /// Drop it and sever the link.
    Cut,
}

/// Decides, per dial number, direction and frame.
pub type Hook = Arc<dyn Fn(u64, Dir, &Frame) -> Verdict + Send + Sync>;

pub fn pass() -> Hook {
    Arc::new(|_, _, _| Verdict::Pass)
}

/// A child's dialer that reaches `parent` through a watching proxy and runs
/// the parent's side of every session.
#[derive(Clone)]
pub struct ProxyDialer {
    pub parent: Engine<MemStore>,
    pub child: NodeId,
    pub hook: Hook,
    pub dials: Arc<AtomicU64>,
    pub results: Arc<Mutex<Vec<Result<(), String>>>>,
    pub cut: Arc<Mutex<CancellationToken>>,
}

impl ProxyDialer {
    pub fn new(parent: &Node, child: &Node, hook: Hook) -> Self {
        ProxyDialer {
            parent: parent.engine.clone(),
            child: child.id.clone(),
            hook,
            dials: Arc::new(AtomicU64::new(0)),
            results: Arc::new(Mutex::new(Vec::new())),
            cut: Arc::new(Mutex::new(CancellationToken::new())),
        }
    }

    /// Severs the current link.
    pub fn kill(&self) {
        self.cut.lock().unwrap().cancel();
    }

    pub fn dial_count(&self) -> u64 {
        self.dials.load(Ordering::SeqCst)
    }

    /// The parent's serve_child results so far, as error strings.
    pub fn errors(&self) -> Vec<String> {
        self.results.lock().unwrap().iter().filter_map(|r| r.clone().err()).collect()
    }
}

impl Dialer for ProxyDialer {
    async fn dial(&self) -> Result<Link, FedError> {
        let k = self.dials.fetch_add(1, Ordering::SeqCst);
        let cut = CancellationToken::new();
        *self.cut.lock().unwrap() = cut.clone();
        let parent_id = self.parent.me().clone();
        let (child_end, proxy_c) = link_pair(self.child.clone(), parent_id.clone(), 4, cut.clone());
        let (proxy_p, parent_end) = link_pair(self.child.clone(), parent_id, 4, cut.clone());
        tokio::spawn(relay(k, Dir::Up, proxy_c.rx, proxy_p.tx, self.hook.clone(), cut.clone()));
        tokio::spawn(relay(k, Dir::Down, proxy_p.rx, proxy_c.tx, self.hook.clone(), cut));
        let engine = self.parent.clone();
        let results = self.results.clone();
        tokio::spawn(async move {
            let r = engine.serve_child(parent_end).await.map_err(|e| e.to_string());
            results.lock().unwrap().push(r);
        });
        Ok(child_end)
    }
}

async fn relay(
    k: u64,
    dir: Dir,
    mut from: mpsc::Receiver<Result<Frame, FedError>>,
    to: mpsc::Sender<Frame>,
    hook: Hook,
    cut: CancellationToken,
) {
    while let Some(item) = from.recv().await {
        let Ok(frame) = item else {
            cut.cancel();
            return;
        };
        let copies = match hook(k, dir, &frame) {
            Verdict::Pass => 1,
            Verdict::Twice => 2,
            Verdict::Cut => {
                cut.cancel();
                return;
            }
        };
        for _ in 0..copies {
            if to.send(frame.clone()).await.is_err() {
                return;
            }
        }
    }
}

/// A hand-driven peer: the test plays one end of a link frame by frame.
pub struct Fake {
    pub link: Link,
}

impl Fake {
    pub async fn send(&self, frame: Frame) {
        self.link.tx.send(frame).await.expect("link closed");
    }

    /// The next frame that is not a Ping; `None` when the link closed.
    pub async fn recv(&mut self) -> Option<Frame> {
        loop {
            match self.link.rx.recv().await? {
                Ok(Frame::Ping { .. }) => continue,
                Ok(f) => return Some(f),
                Err(_) => return None,
            }
        }
    }
}

/// Starts `parent.serve_child` on a fresh link whose authenticated peer is
/// `peer`; returns the test's end and the session's result.
pub fn fake_child(parent: &Node, peer: &NodeId) -> (Fake, tokio::task::JoinHandle<Result<(), FedError>>) {
    let (mine, theirs) = link_pair(peer.clone(), parent.id.clone(), 16, CancellationToken::new());
    let engine = parent.engine.clone();
    let session = tokio::spawn(async move { engine.serve_child(theirs).await });
    (Fake { link: mine }, session)
}

/// A dialer that hands the parent's end of each link to the test, which
/// then plays the parent.
pub struct HandOver {
    child: NodeId,
    parent: NodeId,
    ends: Mutex<mpsc::UnboundedSender<Link>>,
}

impl HandOver {
    /// Starts `child`'s uplink to `parent` (until `stop`) through a
    /// `HandOver`; the test receives the parent's end of every link dialed.
    pub fn uplink(child: &Node, parent: &str, stop: &CancellationToken) -> mpsc::UnboundedReceiver<Link> {
        let (tx, ends) = mpsc::unbounded_channel();
        let dialer = HandOver { child: child.id.clone(), parent: n(parent), ends: Mutex::new(tx) };
        child.engine.spawn_uplink(dialer, stop.clone());
        ends
    }
}

impl Dialer for HandOver {
    async fn dial(&self) -> Result<Link, FedError> {
        let (mine, theirs) = link_pair(self.child.clone(), self.parent.clone(), 16, CancellationToken::new());
        let _ = self.ends.lock().unwrap().send(theirs);
        Ok(mine)
    }
}

/// A fake child of `parent` that has said Hello (no cursors) and been
/// answered with the parent's Hello: where most session tests start.
pub async fn greeted_child(parent: &Node, peer: &NodeId) -> (Fake, tokio::task::JoinHandle<Result<(), FedError>>) {
    let (mut fake, session) = fake_child(parent, peer);
    fake.send(Frame::Hello {
        node: peer.clone(),
        cursors: vec![],
        version: "t".into(),
        dead_after: None,
        skips: false,
    })
    .await;
    assert!(matches!(fake.recv().await, Some(Frame::Hello { .. })), "the parent answers Hello");
    (fake, session)
}

/// Polls `cond` until it holds; panics with `what` after a minute of
/// (usually virtual) time.
pub async fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while !cond() {
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Asserts `seqs` is exactly 1..=count.
pub fn assert_exactly_once(what: &str, seqs: &[u64], count: u64) {
    let want: Vec<u64> = (1..=count).collect();
    assert_eq!(seqs, want.as_slice(), "{what}: not delivered exactly once in order");
}
