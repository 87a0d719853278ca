//! Defect 11: a storage call stuck inside the engine must not hold a runtime
//! worker thread. Each test runs the store on a runtime with a single
//! worker, makes one call stick (its closure waits on a plain channel) and
//! checks that another task still runs meanwhile. Had the call run on the
//! worker, the probe would never be polled.

use std::sync::mpsc;
use std::time::Duration;

use super::durability_tests::open;
use super::engine::EngineKind;
use super::{NodeStore, TreeId};
use crate::error::NodeError;

/// How long the probe task gets to run while the call is stuck.
const PROBE_PATIENCE: Duration = Duration::from_secs(10);

/// Runs `stuck` on a spawned task (it calls `entered` once inside the
/// engine call, then waits for the release), and answers whether another
/// task ran while it was stuck.
async fn runtime_answers_while(
    store: NodeStore,
    stuck: impl FnOnce(&NodeStore, &(dyn Fn() + Sync)) -> Result<(), NodeError> + Send + 'static,
) -> bool {
    let (entered_tx, entered_rx) = mpsc::channel::<()>();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let release_rx = std::sync::Mutex::new(release_rx);
    let call = tokio::spawn(async move {
        stuck(&store, &|| {
            let _ = entered_tx.send(());
            let _ = release_rx.lock().unwrap().recv();
        })
    });
    // The test's own thread is not a worker: waiting here blocks no task.
    entered_rx.recv_timeout(PROBE_PATIENCE).expect("the stuck call started");
    let (ran_tx, ran_rx) = mpsc::channel::<()>();
    tokio::spawn(async move {
        let _ = ran_tx.send(());
    });
    let answered = ran_rx.recv_timeout(PROBE_PATIENCE).is_ok();
    release_tx.send(()).unwrap();
    call.await.unwrap().unwrap();
    answered
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn a_stuck_read_on_sled_holds_no_runtime_worker() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), EngineKind::Sled).unwrap();
    let answered = runtime_answers_while(store.clone(), |s, stick| {
        s.view(|t| {
            t.get(TreeId::Meta, b"k").map_err(NodeError::from)?;
            stick();
            Ok(())
        })
    })
    .await;
    assert!(answered, "a read stuck in sled held the only runtime worker");
    store.close();
}

async fn a_stuck_peer_write_holds_no_runtime_worker(engine: EngineKind) {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), engine).unwrap();
    let answered = runtime_answers_while(store.clone(), |s, stick| {
        // the path an event from a peer takes (`EventStore::accept`)
        s.transact_always(|tx| {
            tx.insert(TreeId::Meta, b"k", b"v")?;
            stick();
            Ok(())
        })
    })
    .await;
    assert!(answered, "a peer's write stuck in {} held the only runtime worker", engine.name());
    store.close();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn a_stuck_peer_write_on_sled_holds_no_runtime_worker() {
    a_stuck_peer_write_holds_no_runtime_worker(EngineKind::Sled).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn a_stuck_peer_write_on_redb_holds_no_runtime_worker() {
    a_stuck_peer_write_holds_no_runtime_worker(EngineKind::Redb).await
}

/// The flusher is a thread of its own: with every thread of the runtime's
/// blocking pool held by stuck calls, a write is still made durable and
/// acknowledged (a flush handed to that pool would queue behind them).
fn a_flush_needs_no_thread_of_the_blocking_pool(engine: EngineKind) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().max_blocking_threads(1).build().unwrap();
    rt.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let store = open(dir.path(), engine).unwrap();
        let (entered_tx, entered_rx) = mpsc::channel::<()>();
        let (release_tx, release_rx) = mpsc::channel::<()>();
        let stuck = tokio::task::spawn_blocking(move || {
            let _ = entered_tx.send(());
            let _ = release_rx.recv();
        });
        entered_rx.recv_timeout(PROBE_PATIENCE).expect("the stuck call holds the only blocking thread");
        store
            .transact(|tx| {
                tx.insert(TreeId::Meta, b"k", b"v")?;
                Ok(())
            })
            .unwrap();
        let synced = tokio::time::timeout(PROBE_PATIENCE, store.sync()).await;
        release_tx.send(()).unwrap();
        stuck.await.unwrap();
        synced.expect("a flush waited for the blocking pool").unwrap();
        store.close();
    });
}

#[test]
fn a_flush_on_sled_needs_no_thread_of_the_blocking_pool() {
    a_flush_needs_no_thread_of_the_blocking_pool(EngineKind::Sled)
}

#[test]
fn a_flush_on_redb_needs_no_thread_of_the_blocking_pool() {
    a_flush_needs_no_thread_of_the_blocking_pool(EngineKind::Redb)
}
