//! Write combining (`combine.rs`): writers that arrive while a commit is in
//! progress share the next one; each keeps its own outcome — a refused one
//! leaves nothing while the rest commit, later ones see earlier ones'
//! writes — and a storage failure fails them all.

use std::ops::Bound;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

use super::TreeId;
use super::combine::{Body, Combiner};
use super::engine::{Engine, EngineError, EngineTx, RedbEngine, Scan, TxStop};
use crate::error::NodeError;

/// A redb engine that counts its transactions, can hold the first one
/// until released, and can fail the next commit.
struct Gated {
    inner: RedbEngine,
    commits: AtomicU64,
    hold: Mutex<Option<Arc<Barrier>>>,
    /// Transactions begun so far, and which one fails (0: none).
    calls: AtomicU64,
    fail_call: AtomicU64,
}

impl Engine for Gated {
    fn get(&self, t: TreeId, key: &[u8]) -> Result<Option<Vec<u8>>, EngineError> {
        self.inner.get(t, key)
    }
    fn range(&self, t: TreeId, from: Bound<Vec<u8>>, to: Bound<Vec<u8>>) -> Scan<'_> {
        self.inner.range(t, from, to)
    }
    fn transact(&self, f: &mut dyn FnMut(&mut dyn EngineTx) -> Result<(), TxStop>) -> Result<(), TxStop> {
        let held = self.hold.lock().unwrap().take();
        if let Some(barrier) = held {
            barrier.wait(); // the test knows the leader is in
            barrier.wait(); // and lets it go once the others queued
        }
        let call = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        if call == self.fail_call.load(Ordering::SeqCst) {
            return Err(TxStop::Storage(EngineError { detail: "测试：磁盘故障".into(), io: None }));
        }
        self.commits.fetch_add(1, Ordering::SeqCst);
        self.inner.transact(f)
    }
    fn flush(&self) -> Result<(), EngineError> {
        self.inner.flush()
    }
}

fn gated(dir: &std::path::Path) -> Arc<Gated> {
    let inner = RedbEngine::open(dir).unwrap();
    let (commits, calls, fail_call) = (AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0));
    Arc::new(Gated { inner, commits, hold: Mutex::new(None), calls, fail_call })
}

const COUNTER: &[u8] = b"counter";

fn read_u64(v: Option<Vec<u8>>) -> u64 {
    v.map_or(0, |v| u64::from_be_bytes(v.try_into().unwrap()))
}

/// Adds one to the counter and writes `key`; refused when `refuse`.
fn add_one(tx: &mut dyn EngineTx, key: &[u8], refuse: bool) -> Result<(), TxStop> {
    let n = read_u64(tx.get(TreeId::Meta, COUNTER)?);
    tx.insert(TreeId::Meta, COUNTER, &(n + 1).to_be_bytes())?;
    tx.insert(TreeId::Meta, key, b"written")?;
    if refuse {
        return Err(TxStop::Abort(NodeError::invalid("key", "测试：拒绝")));
    }
    Ok(())
}

fn run(c: &Combiner, e: &dyn Engine, key: Vec<u8>, refuse: bool) -> Result<(), TxStop> {
    let mut body = move |tx: &mut dyn EngineTx| add_one(tx, &key, refuse);
    c.run(e, &mut body as &mut Body<'_>)
}

/// Starts a leader whose commit is held, queues `n` writers behind it
/// (writer `i` refused when `refuse(i)`), then releases the leader.
fn held_batch(
    n: usize,
    refuse: impl Fn(usize) -> bool,
    engine: &Arc<Gated>,
) -> (Result<(), TxStop>, Vec<Result<(), TxStop>>) {
    let c = Arc::new(Combiner::default());
    let barrier = Arc::new(Barrier::new(2));
    *engine.hold.lock().unwrap() = Some(barrier.clone());
    let (c1, e1) = (c.clone(), engine.clone());
    let leader = std::thread::spawn(move || run(&c1, &*e1, b"leader".to_vec(), false));
    barrier.wait();
    let writers: Vec<_> = (0..n)
        .map(|i| {
            let (c, e, refused) = (c.clone(), engine.clone(), refuse(i));
            std::thread::spawn(move || run(&c, &*e, format!("w{i}").into_bytes(), refused))
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(10);
    while c.waiting() < n {
        assert!(Instant::now() < deadline, "the writers never queued");
        std::thread::yield_now();
    }
    barrier.wait();
    let first = leader.join().unwrap();
    (first, writers.into_iter().map(|w| w.join().unwrap()).collect())
}

#[test]
fn writers_that_queue_behind_a_commit_share_the_next_one() {
    let dir = tempfile::tempdir().unwrap();
    let e = gated(dir.path());
    let (first, rest) = held_batch(8, |_| false, &e);
    assert!(first.is_ok());
    assert!(rest.iter().all(Result::is_ok));
    assert_eq!(e.commits.load(Ordering::SeqCst), 2, "the leader's own commit, then one for all eight");
    assert_eq!(read_u64(e.get(TreeId::Meta, COUNTER).unwrap()), 9, "each saw the others' writes");
}

#[test]
fn a_refused_writer_in_a_batch_leaves_nothing_and_the_rest_commit() {
    let dir = tempfile::tempdir().unwrap();
    let e = gated(dir.path());
    let (_, rest) = held_batch(5, |i| i == 2, &e);
    for (i, r) in rest.iter().enumerate() {
        match (i, r) {
            (2, Err(TxStop::Abort(_))) => {}
            (2, other) => panic!("writer 2 should be refused, got {other:?}"),
            (_, r) => assert!(r.is_ok(), "writer {i}: {r:?}"),
        }
    }
    assert_eq!(read_u64(e.get(TreeId::Meta, COUNTER).unwrap()), 5, "the leader and four of five");
    assert_eq!(e.get(TreeId::Meta, b"w2").unwrap(), None, "the refused one wrote nothing");
    assert!(e.get(TreeId::Meta, b"w3").unwrap().is_some());
}

#[test]
fn a_batch_of_refused_writers_commits_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let e = gated(dir.path());
    let (_, rest) = held_batch(3, |_| true, &e);
    assert!(rest.iter().all(|r| matches!(r, Err(TxStop::Abort(_)))));
    assert_eq!(read_u64(e.get(TreeId::Meta, COUNTER).unwrap()), 1, "only the leader's");
}

#[test]
fn a_storage_failure_fails_every_writer_of_the_batch() {
    let dir = tempfile::tempdir().unwrap();
    let e = gated(dir.path());
    e.fail_call.store(2, Ordering::SeqCst); // the batch after the leader's own
    let (first, rest) = held_batch(4, |_| false, &e);
    assert!(first.is_ok(), "{first:?}");
    assert!(rest.iter().all(|r| matches!(r, Err(TxStop::Storage(_)))), "{rest:?}");
    assert_eq!(read_u64(e.get(TreeId::Meta, COUNTER).unwrap()), 1, "only the leader's");
}
