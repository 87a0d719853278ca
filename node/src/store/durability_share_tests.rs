//! Sharing flushes (`durability.rs`): a write no one waits on promptly
//! (`sync_soon`, events going down) is made durable by the next flush
//! another writer asks for, or by its own after a moment; the sending half
//! to the parent (`sync_up`) waits only for writes of up events. Either
//! resolves only once its writes are on disk.

use std::time::Duration;

use extranet_federation::Route;

use super::durability_tests::open;
use super::engine::EngineKind;
use super::{NodeStore, TreeId};

fn store() -> (tempfile::TempDir, NodeStore) {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path(), EngineKind::default()).unwrap();
    (dir, s)
}

/// A write that sends nothing up (as a receipt taken in from the parent).
fn down_write(s: &NodeStore, key: &str) {
    s.transact(|tx| tx.insert(TreeId::Meta, key.as_bytes(), b"v")).unwrap();
}

/// A write that puts an event on this node's up stream (as a filing).
fn up_write(s: &NodeStore) {
    s.transact(|tx| tx.emit(Route::Up, "test.v1", b"x".to_vec()).map(drop)).unwrap();
}

#[tokio::test]
async fn a_down_write_shares_the_flush_the_next_writer_asks_for() {
    let (_dir, s) = store();
    s.durability.set_share_wait(Duration::from_secs(30));
    down_write(&s, "receipt");
    let (before, asked) = (s.durability.flushes(), s.durability.flushes_asked());
    let soon = tokio::spawn({
        let s = s.clone();
        async move { s.durability.sync_soon().await }
    });
    tokio::task::yield_now().await; // (current-thread runtime: it is now waiting)
    assert!(!soon.is_finished(), "nothing flushed yet, so it waits");
    assert_eq!(s.durability.flushes_asked(), asked, "it asked for no flush of its own");
    up_write(&s);
    s.sync().await.unwrap();
    soon.await.unwrap().unwrap();
    assert_eq!(s.durability.flushes(), before + 1, "one fsync covered both writes");
}

#[tokio::test]
async fn a_down_write_alone_is_flushed_after_a_moment() {
    let (_dir, s) = store();
    s.durability.set_share_wait(Duration::from_millis(20));
    down_write(&s, "receipt");
    let before = s.durability.flushes();
    tokio::time::timeout(Duration::from_secs(20), s.durability.sync_soon()).await.unwrap().unwrap();
    assert_eq!(s.durability.flushes(), before + 1, "its own flush, once no other came");
}

#[tokio::test]
async fn sending_up_waits_for_writes_of_up_events_only() {
    let (_dir, s) = store();
    s.sync().await.unwrap();
    let before = s.durability.flushes();
    down_write(&s, "receipt");
    s.durability.sync_up().await.unwrap();
    assert_eq!(s.durability.flushes(), before, "a receipt is not waited for by the sender to the parent");
    up_write(&s);
    s.durability.sync_up().await.unwrap();
    assert_eq!(s.durability.flushes(), before + 1, "an up event is flushed before it is sent");
    // the flush covered the receipt before it as well
    s.durability.sync_soon().await.unwrap();
    assert_eq!(s.durability.flushes(), before + 1);
}

#[tokio::test]
async fn a_failed_disk_fails_a_shared_wait_too() {
    let (_dir, s) = store();
    s.durability.set_share_wait(Duration::from_millis(20));
    down_write(&s, "receipt");
    s.inject_flush_error(std::io::Error::other("测试：fsync 失败"));
    let res = tokio::time::timeout(Duration::from_secs(20), s.durability.sync_soon()).await.unwrap();
    assert!(res.is_err(), "never acknowledged after a failed flush: {res:?}");
}
