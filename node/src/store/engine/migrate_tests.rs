//! What `extranet store migrate` promises (`migrate.rs`): a store copied to
//! the other engine and back holds every entry of every tree, and a node's
//! store opened on the copy reads the same records; a non-empty
//! destination, the same engine and a source held open are refused before
//! anything is written; a copy that differs from its source is caught.

use std::path::Path;
use std::sync::Arc;

use extranet_federation::Envelope;

use super::conformance_tests::on_both_engines;
use super::migrate::{begin_destination, discard};
use super::migrate_verify::digest;
use super::{Engine, EngineKind, Entry, MARKER, MigrationReport, Progress, migrate_dir, open, verify};
use crate::error::NodeError;
use crate::store::{Applier, NodeStore, SelfRestart, StoreConfig, TreeId, Tx, TxResult, fixtures};

struct NoApply;
impl Applier for NoApply {
    fn apply(&self, _tx: &mut Tx<'_>, _event: &Envelope) -> TxResult<()> {
        Ok(())
    }
}

fn store(dir: &Path, engine: EngineKind) -> NodeStore {
    let cfg = StoreConfig { restart: SelfRestart::Report, engine: Some(engine), ..Default::default() };
    NodeStore::open_with(dir, "540000/540100/540102".parse().unwrap(), Arc::new(NoApply), &cfg).unwrap()
}

async fn close(s: NodeStore) {
    s.close();
    s.closed().await;
}

/// Large values (sled keeps them in blob files) crossing the byte bound of
/// a batch.
const LARGE: usize = 256 * 1024;

/// Records through the store's own writes, and raw entries: more events
/// than a batch holds, and values of [`LARGE`] bytes in two trees.
fn fill(s: &NodeStore) {
    s.transact(|tx| {
        for f in fixtures::filings() {
            tx.put_filing(&f)?;
        }
        tx.put_application(&fixtures::application())?;
        tx.put_calendar(&fixtures::calendar())?;
        tx.put_ipam_delegation(&fixtures::delegation())?;
        for i in 0..2_500u32 {
            tx.insert(TreeId::Events, format!("e{i:05}"), format!("event {i}"))?;
        }
        for i in 0..20u8 {
            tx.insert(TreeId::Meta, format!("large{i:02}"), vec![i; LARGE])?;
        }
        tx.insert(TreeId::Idempotency, b"big", vec![0xab; 3 * LARGE])?;
        Ok(())
    })
    .unwrap();
}

/// Every entry of every tree of the store in `dir`.
fn contents(dir: &Path, kind: EngineKind) -> Vec<Vec<Entry>> {
    let e = open(dir, Some(kind)).unwrap();
    TreeId::ALL.iter().map(|t| e.iter(*t).map(|r| r.unwrap()).collect()).collect()
}

fn run(from: &Path, to: &Path, target: EngineKind) -> (Result<MigrationReport, NodeError>, Vec<Progress>) {
    let mut seen = Vec::new();
    let res = migrate_dir(from, to, target, &mut |p| seen.push(p));
    (res, seen)
}

#[tokio::test]
async fn a_store_migrated_to_redb_and_back_to_sled_holds_every_entry_and_reads_the_same_records() {
    let root = tempfile::tempdir().unwrap();
    let (sled_dir, redb_dir, back_dir) = (root.path().join("sled"), root.path().join("redb"), root.path().join("back"));
    let s = store(&sled_dir, EngineKind::Sled);
    fill(&s);
    s.sync().await.unwrap();
    let filings = s.filings(None, 100).unwrap();
    assert_eq!(filings.len(), 2);
    close(s).await;
    let original = contents(&sled_dir, EngineKind::Sled);

    let (to_redb, seen) = run(&sled_dir, &redb_dir, EngineKind::Redb);
    let to_redb = to_redb.unwrap();
    assert_eq!((to_redb.from_engine, to_redb.to_engine), (EngineKind::Sled, EngineKind::Redb));
    // Progress: each tree ends once, with its count; the events came in batches.
    let done: Vec<(TreeId, u64)> = seen.iter().filter(|p| p.done).map(|p| (p.tree, p.copied)).collect();
    let counts: Vec<(TreeId, u64)> = TreeId::ALL.iter().zip(&original).map(|(t, es)| (*t, es.len() as u64)).collect();
    assert_eq!(done, counts);
    assert!(seen.iter().filter(|p| p.tree == TreeId::Events && !p.done).count() >= 3, "events copied in batches");
    assert!(seen.iter().filter(|p| p.tree == TreeId::Meta && !p.done).count() >= 2, "a batch ends at its byte bound");
    assert_eq!(std::fs::read_to_string(redb_dir.join(MARKER)).unwrap().trim(), "redb");
    assert_eq!(contents(&redb_dir, EngineKind::Redb), original);

    let (back, _) = run(&redb_dir, &back_dir, EngineKind::Sled);
    let back = back.unwrap();
    assert_eq!(contents(&back_dir, EngineKind::Sled), original);
    assert_eq!(back.trees, to_redb.trees, "the same counts and digests both ways");
    let events = to_redb.trees.iter().find(|r| r.tree == "events").unwrap();
    assert_eq!(events.entries, 2_500);

    for (dir, kind) in [(&redb_dir, EngineKind::Redb), (&back_dir, EngineKind::Sled)] {
        let copy = store(dir, kind);
        assert_eq!(copy.filings(None, 100).unwrap(), filings, "{}", kind.name());
        assert_eq!(copy.filing(&filings[0].id.key()).unwrap().as_ref(), Some(&filings[0]));
        close(copy).await;
    }
    assert_eq!(contents(&sled_dir, EngineKind::Sled), original, "the source is unchanged");
}

#[tokio::test]
async fn a_non_empty_destination_the_same_engine_and_no_data_directory_are_refused_writing_nothing() {
    let root = tempfile::tempdir().unwrap();
    let src = root.path().join("src");
    let s = store(&src, EngineKind::Sled);
    fill(&s);
    s.sync().await.unwrap();
    close(s).await;

    let full = root.path().join("full");
    std::fs::create_dir(&full).unwrap();
    std::fs::write(full.join("keep.txt"), "operator's file").unwrap();
    let refusals = [
        (src.as_path(), full.clone(), EngineKind::Redb, "已存在且不为空"),
        (src.as_path(), root.path().join("new"), EngineKind::Sled, "已是 sled 存储引擎，无需迁移"),
        (src.as_path(), src.join("inside"), EngineKind::Redb, "位于源目录"),
        (full.as_path(), root.path().join("new"), EngineKind::Redb, "不是节点的数据目录"),
        (&root.path().join("absent"), root.path().join("new"), EngineKind::Redb, "不存在"),
    ];
    for (from, to, target, needle) in refusals {
        let err = run(from, &to, target).0.expect_err("refused");
        assert!(matches!(err, NodeError::Domain(_)), "{err:?}");
        assert!(err.to_string().contains(needle), "{needle} missing from: {err}");
    }
    let kept: Vec<_> = std::fs::read_dir(&full).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(kept, vec![std::ffi::OsString::from("keep.txt")], "the non-empty destination is untouched");
    assert!(!root.path().join("new").exists() && !src.join("inside").exists());
    assert!(!root.path().join("absent").exists());
}

on_both_engines!(a_source_held_open_by_a_node_is_refused_saying_to_stop_it_first);

async fn a_source_held_open_by_a_node_is_refused_saying_to_stop_it_first(kind: EngineKind) {
    let other = EngineKind::ALL.into_iter().find(|k| *k != kind).unwrap();
    let root = tempfile::tempdir().unwrap();
    let (src, dst) = (root.path().join("src"), root.path().join("dst"));
    let s = store(&src, kind);
    fill(&s);
    s.sync().await.unwrap();
    let err = run(&src, &dst, other).0.expect_err("a source held open was migrated");
    let text = err.to_string();
    assert!(text.contains("正被运行中的节点使用") && text.contains("systemctl stop extranet"), "{text}");
    assert!(!dst.exists(), "nothing written for a refused migration");
    // Once the node has stopped, the same command goes through.
    close(s).await;
    run(&src, &dst, other).0.unwrap();
}

#[test]
fn verification_names_the_tree_and_both_figures_when_the_copy_differs() {
    let root = tempfile::tempdir().unwrap();
    let (a, b) = (
        open(&root.path().join("a"), Some(EngineKind::Sled)).unwrap(),
        open(&root.path().join("b"), Some(EngineKind::Redb)).unwrap(),
    );
    let put = |e: &dyn Engine, t: TreeId, k: &[u8], v: &[u8]| e.insert_one(t, k, v).unwrap();
    for e in [&*a, &*b] {
        for i in 0..50u32 {
            put(e, TreeId::Filings, format!("f{i:03}").as_bytes(), b"filing");
        }
        put(e, TreeId::Meta, b"counter", b"7");
    }
    let same = verify(&*a, &*b).unwrap();
    assert_eq!(same.iter().find(|r| r.tree == "filings").unwrap().entries, 50);

    // One value changed: same count, another digest.
    put(&*b, TreeId::Filings, b"f017", b"filinG");
    let text = verify(&*a, &*b).unwrap_err().to_string();
    let (da, db) = (digest(&*a, TreeId::Filings).unwrap(), digest(&*b, TreeId::Filings).unwrap());
    assert_eq!(da.entries, db.entries);
    assert_ne!(da.hash, db.hash);
    assert!(text.contains("迁移校验失败") && text.contains("filings"), "{text}");
    assert!(text.contains(&da.hex()) && text.contains(&db.hex()), "{text}");
    assert!(!text.contains("meta"), "only the tree that differs is named: {text}");

    // One entry missing: the counts differ.
    put(&*b, TreeId::Filings, b"f017", b"filing");
    b.transact(&mut |tx| tx.remove(TreeId::Meta, b"counter")).unwrap();
    let text = verify(&*a, &*b).unwrap_err().to_string();
    assert!(text.contains("meta：源 1 条") && text.contains("目标 0 条") && !text.contains("filings"), "{text}");
}

/// A copy interrupted before its verification keeps the unfinished mark
/// in `ENGINE`, which a node refuses; a failed one is deleted.
#[test]
fn an_unfinished_copy_is_refused_by_a_node_and_a_failed_one_is_deleted() {
    let root = tempfile::tempdir().unwrap();
    let to = root.path().join("copy");
    begin_destination(&to, EngineKind::Redb).unwrap();
    let err = open(&to, Some(EngineKind::Redb)).err().expect("a node opened an unfinished copy");
    assert!(err.to_string().contains("迁移未完成"), "{err}");
    let err = discard(&to, false, NodeError::Store("迁移校验失败".into()));
    assert!(err.to_string().contains("迁移校验失败；已删除目标目录"), "{err}");
    assert!(!to.exists());

    // A destination that existed empty (a mount point) stays, emptied.
    std::fs::create_dir(&to).unwrap();
    begin_destination(&to, EngineKind::Sled).unwrap();
    drop(super::SledEngine::open(&to).unwrap());
    discard(&to, true, NodeError::Store("x".into()));
    assert_eq!(std::fs::read_dir(&to).unwrap().count(), 0);
}
