//! The contract of the storage interface (`mod.rs`), checked against each
//! engine the same way: point reads and writes, ordered, reverse and prefix
//! scans (longer than a redb scan's chunk), transactions that abort or
//! commit across trees, data that survives a reopen and a crash after
//! [`Engine::flush`], and a data directory that refuses the other engine.
//! [`on_both_engines`] runs the other store tests once per engine too.

use std::ops::Bound;
use std::sync::Arc;

use extranet_domain::DomainError;

use super::{Engine, EngineKind, MARKER, TxStop, open};
use crate::error::NodeError;
use crate::store::TreeId;

/// Defines each listed `async fn name(kind: EngineKind)` test twice, as
/// `name::sled` and `name::redb`: a store test holds for both engines.
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn sled() {
                super::$name($crate::store::engine::EngineKind::Sled).await
            }
            #[tokio::test]
            async fn redb() {
                super::$name($crate::store::engine::EngineKind::Redb).await
            }
        }
    )*};
}
pub(crate) use on_both_engines;

/// Opens `dir` again after a drop. sled lets go of its file lock only when
/// its background threads have, a moment after the handle is dropped: wait
/// for that (a deadline, not a fixed pause), then open.
fn reopen(dir: &std::path::Path, kind: EngineKind) -> Arc<dyn Engine> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        match open(dir, Some(kind)) {
            Ok(e) => return e,
            Err(_) if std::time::Instant::now() < deadline => std::thread::sleep(std::time::Duration::from_millis(10)),
            Err(e) => panic!("{kind:?} did not reopen {}: {e}", dir.display()),
        }
    }
}

fn put(e: &dyn Engine, t: TreeId, k: &[u8], v: &[u8]) {
    e.transact(&mut |tx| tx.insert(t, k, v)).unwrap();
}

fn keys(scan: impl Iterator<Item = Result<super::Entry, super::EngineError>>) -> Vec<Vec<u8>> {
    scan.map(|r| r.unwrap().0).collect()
}

/// `n` keys `k00000`…, inserted in a shuffled order.
fn fill(e: &dyn Engine, t: TreeId, n: usize) -> Vec<Vec<u8>> {
    let all: Vec<Vec<u8>> = (0..n).map(|i| format!("k{i:05}").into_bytes()).collect();
    e.transact(&mut |tx| {
        for i in (0..n).map(|i| (i * 7919) % n) {
            tx.insert(t, &all[i], &all[i])?;
        }
        Ok(())
    })
    .unwrap();
    all
}

on_both_engines!(
    point_reads_see_writes_overwrites_and_removals,
    scans_are_ordered_reversible_and_bounded,
    a_long_scan_read_from_both_ends_yields_each_key_once,
    an_aborted_transaction_keeps_nothing_in_any_tree,
    a_transaction_sees_its_own_writes_and_later_reads_see_them_all,
    flushed_data_survives_close_and_reopen,
    a_directory_refuses_the_other_engine,
);

async fn point_reads_see_writes_overwrites_and_removals(kind: EngineKind) {
    let dir = tempfile::tempdir().unwrap();
    let e = open(dir.path(), Some(kind)).unwrap();
    assert_eq!(e.get(TreeId::Meta, b"a").unwrap(), None);
    put(&*e, TreeId::Meta, b"a", b"1");
    assert_eq!(e.get(TreeId::Meta, b"a").unwrap().as_deref(), Some(&b"1"[..]));
    assert_eq!(e.get(TreeId::Events, b"a").unwrap(), None, "trees are apart");
    put(&*e, TreeId::Meta, b"a", b"2");
    assert_eq!(e.get(TreeId::Meta, b"a").unwrap().as_deref(), Some(&b"2"[..]));
    e.transact(&mut |tx| tx.remove(TreeId::Meta, b"a")).unwrap();
    assert_eq!(e.get(TreeId::Meta, b"a").unwrap(), None);
    put(&*e, TreeId::Meta, b"", b"empty key");
    assert_eq!(e.get(TreeId::Meta, b"").unwrap().as_deref(), Some(&b"empty key"[..]));
}

async fn scans_are_ordered_reversible_and_bounded(kind: EngineKind) {
    let dir = tempfile::tempdir().unwrap();
    let e = open(dir.path(), Some(kind)).unwrap();
    for k in ["crl/b", "b", "crl/a", "a", "crm", "crl0", "crl/"] {
        put(&*e, TreeId::Meta, k.as_bytes(), b"v");
    }
    let all = ["a", "b", "crl/", "crl/a", "crl/b", "crl0", "crm"].map(|k| k.as_bytes().to_vec()).to_vec();
    assert_eq!(keys(e.iter(TreeId::Meta)), all);
    assert_eq!(keys(e.iter(TreeId::Meta).rev()), all.iter().rev().cloned().collect::<Vec<_>>());
    assert_eq!(keys(e.scan_prefix(TreeId::Meta, b"crl/")), all[2..5].to_vec());
    assert_eq!(keys(e.scan_prefix(TreeId::Meta, b"crl/").rev()), all[2..5].iter().rev().cloned().collect::<Vec<_>>());
    let r = |from, to| keys(e.range(TreeId::Meta, from, to));
    assert_eq!(r(Bound::Included(b"b".to_vec()), Bound::Excluded(b"crl/b".to_vec())), all[1..4].to_vec());
    assert_eq!(r(Bound::Excluded(b"b".to_vec()), Bound::Included(b"crl/b".to_vec())), all[2..5].to_vec());
    assert_eq!(r(Bound::Included(b"x".to_vec()), Bound::Unbounded), Vec::<Vec<u8>>::new());
    assert_eq!(e.last(TreeId::Meta).unwrap().map(|(k, _)| k), Some(b"crm".to_vec()));
    assert_eq!(e.last(TreeId::Events).unwrap(), None);
    assert_eq!(keys(e.iter(TreeId::Events)), Vec::<Vec<u8>>::new());
}

async fn a_long_scan_read_from_both_ends_yields_each_key_once(kind: EngineKind) {
    let dir = tempfile::tempdir().unwrap();
    let e = open(dir.path(), Some(kind)).unwrap();
    let n = super::redb_scan::CHUNK * 4 + 17;
    let all = fill(&*e, TreeId::Events, n);
    assert_eq!(keys(e.iter(TreeId::Events)), all);
    assert_eq!(keys(e.iter(TreeId::Events).rev()), all.iter().rev().cloned().collect::<Vec<_>>());
    // Alternating ends until they meet: every key once, each end in order.
    let mut scan = e.iter(TreeId::Events);
    let (mut front, mut back) = (Vec::new(), Vec::new());
    while let Some(f) = scan.next() {
        front.push(f.unwrap().0);
        let Some(b) = scan.next_back() else { break };
        back.push(b.unwrap().0);
    }
    back.reverse();
    front.extend(back);
    assert_eq!(front, all);
    // A prefix scan across chunks from its far end.
    let prefix: Vec<Vec<u8>> = all.iter().filter(|k| k.starts_with(b"k00")).rev().cloned().collect();
    assert_eq!(keys(e.scan_prefix(TreeId::Events, b"k00").rev()), prefix);
}

async fn an_aborted_transaction_keeps_nothing_in_any_tree(kind: EngineKind) {
    let dir = tempfile::tempdir().unwrap();
    let e = open(dir.path(), Some(kind)).unwrap();
    put(&*e, TreeId::Cursors, b"s", b"1");
    let res = e.transact(&mut |tx| {
        tx.insert(TreeId::Events, b"s/2", b"event")?;
        tx.insert(TreeId::Cursors, b"s", b"2")?;
        tx.remove(TreeId::Cursors, b"s")?;
        Err(TxStop::Abort(NodeError::precondition("拒绝")))
    });
    assert!(
        matches!(res, Err(TxStop::Abort(NodeError::Domain(DomainError::FailedPrecondition(ref m)))) if m == "拒绝")
    );
    assert_eq!(e.get(TreeId::Events, b"s/2").unwrap(), None);
    assert_eq!(e.get(TreeId::Cursors, b"s").unwrap().as_deref(), Some(&b"1"[..]));
    // The engine still writes after an abort.
    put(&*e, TreeId::Cursors, b"s", b"3");
    assert_eq!(e.get(TreeId::Cursors, b"s").unwrap().as_deref(), Some(&b"3"[..]));
}

async fn a_transaction_sees_its_own_writes_and_later_reads_see_them_all(kind: EngineKind) {
    let dir = tempfile::tempdir().unwrap();
    let e = open(dir.path(), Some(kind)).unwrap();
    put(&*e, TreeId::Meta, b"gone", b"x");
    e.transact(&mut |tx| {
        assert_eq!(tx.get(TreeId::Events, b"e1")?, None);
        tx.insert(TreeId::Events, b"e1", b"event")?;
        tx.insert(TreeId::Cursors, b"s", b"1")?;
        tx.remove(TreeId::Meta, b"gone")?;
        assert_eq!(tx.get(TreeId::Events, b"e1")?.as_deref(), Some(&b"event"[..]));
        assert_eq!(tx.get(TreeId::Meta, b"gone")?, None);
        Ok(())
    })
    .unwrap();
    assert_eq!(e.get(TreeId::Events, b"e1").unwrap().as_deref(), Some(&b"event"[..]));
    assert_eq!(e.get(TreeId::Cursors, b"s").unwrap().as_deref(), Some(&b"1"[..]));
    assert_eq!(e.get(TreeId::Meta, b"gone").unwrap(), None);
    assert_eq!(keys(e.iter(TreeId::Events)), vec![b"e1".to_vec()]);
}

async fn flushed_data_survives_close_and_reopen(kind: EngineKind) {
    let dir = tempfile::tempdir().unwrap();
    let e = open(dir.path(), Some(kind)).unwrap();
    let all = fill(&*e, TreeId::Filings, 300);
    put(&*e, TreeId::Meta, b"counter", b"7");
    e.flush().unwrap();
    drop(e);
    let e = reopen(dir.path(), kind);
    assert_eq!(keys(e.iter(TreeId::Filings)), all);
    assert_eq!(e.get(TreeId::Meta, b"counter").unwrap().as_deref(), Some(&b"7"[..]));
}

async fn a_directory_refuses_the_other_engine(kind: EngineKind) {
    let other = EngineKind::ALL.into_iter().find(|k| *k != kind).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let e = open(dir.path(), Some(kind)).unwrap();
    put(&*e, TreeId::Meta, b"a", b"1");
    e.flush().unwrap();
    drop(e);
    assert_eq!(std::fs::read_to_string(dir.path().join(MARKER)).unwrap().trim(), kind.name());
    let err = open(dir.path(), Some(other)).err().expect("the other engine opened the directory");
    let text = err.to_string();
    assert!(matches!(err, NodeError::Domain(DomainError::Config(_))), "{err:?}");
    for needle in [kind.name(), other.name(), "extranet store migrate"] {
        assert!(text.contains(needle), "{needle} missing from: {text}");
    }
    // Refused without touching anything: the data still opens with its engine.
    let e = reopen(dir.path(), kind);
    assert_eq!(e.get(TreeId::Meta, b"a").unwrap().as_deref(), Some(&b"1"[..]));
}

#[test]
fn a_sled_directory_from_before_the_engine_file_is_sled() {
    let dir = tempfile::tempdir().unwrap();
    let e = open(dir.path(), Some(EngineKind::Sled)).unwrap();
    put(&*e, TreeId::Meta, b"a", b"1");
    e.flush().unwrap();
    drop(e);
    std::fs::remove_file(dir.path().join(MARKER)).unwrap();
    let err = open(dir.path(), Some(EngineKind::Redb)).err().expect("redb opened a sled directory");
    assert!(err.to_string().contains("由 sled 存储引擎创建"), "{err}");
    let e = reopen(dir.path(), EngineKind::Sled);
    assert_eq!(e.get(TreeId::Meta, b"a").unwrap().as_deref(), Some(&b"1"[..]));
    assert!(dir.path().join(MARKER).exists(), "the old directory now names its engine");
}

#[test]
fn an_unknown_engine_file_is_refused_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(MARKER), "lmdb\n").unwrap();
    let err = open(dir.path(), Some(EngineKind::Sled)).err().expect("opened a directory of an unknown engine");
    assert!(err.to_string().contains("lmdb"), "{err}");
}

/// The child half of the crash test below: writes, flushes, prints
/// `FLUSHED`, writes once more without a flush, and dies without closing
/// anything (as kill -9 would).
#[test]
#[ignore = "run by flushed_data_survives_a_crash… as a child process"]
fn crash_child() {
    let (Ok(dir), Ok(kind)) = (std::env::var("CRASH_DIR"), std::env::var("CRASH_ENGINE")) else { return };
    let kind = EngineKind::ALL.into_iter().find(|k| k.name() == kind).unwrap();
    let e: Arc<dyn Engine> = open(std::path::Path::new(&dir), Some(kind)).unwrap();
    fill(&*e, TreeId::Events, 500);
    for i in 0..50u32 {
        put(&*e, TreeId::Meta, format!("m{i:02}").as_bytes(), b"acked");
    }
    e.flush().unwrap();
    println!("FLUSHED");
    put(&*e, TreeId::Meta, b"unflushed", b"maybe");
    std::process::abort();
}

#[test]
fn flushed_data_survives_a_crash_of_the_process_on_both_engines() {
    for kind in EngineKind::ALL {
        let dir = tempfile::tempdir().unwrap();
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "store::engine::conformance_tests::crash_child", "--ignored", "--nocapture"])
            .args(["--test-threads=1"])
            .env("CRASH_DIR", dir.path())
            .env("CRASH_ENGINE", kind.name())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("FLUSHED"), "{}: the child never flushed: {stdout}", kind.name());
        assert!(!out.status.success(), "{}: the child was meant to crash", kind.name());
        let e = open(dir.path(), Some(kind)).unwrap();
        assert_eq!(e.iter(TreeId::Events).count(), 500, "{}: flushed events lost in a crash", kind.name());
        for i in 0..50u32 {
            let v = e.get(TreeId::Meta, format!("m{i:02}").as_bytes()).unwrap();
            assert_eq!(v.as_deref(), Some(&b"acked"[..]), "{}: flushed m{i:02} lost in a crash", kind.name());
        }
    }
}
