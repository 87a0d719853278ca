//! A batch of events from a peer is taken in as one atomic write: one
//! transaction for the whole batch (what makes a catch-up fast), the prefix
//! before a gap kept, nothing of a batch whose domain effect fails, and a
//! batch already held answered without any write.

use std::sync::Arc;

use extranet_federation::{Accepted, Envelope, EventStore, Incoming, Route, StreamId};

use super::{Applier, NodeStore, SelfRestart, StoreConfig, Tx, TxResult, abort};
use crate::error::NodeError;

/// Refuses (aborts the write on) any event whose payload is `[0xff]`.
struct RefusesMarked;
impl Applier for RefusesMarked {
    fn apply(&self, _tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
        if event.payload == [0xff] { abort(NodeError::invalid("payload", "测试：拒绝此事件")) } else { Ok(()) }
    }
}

const COUNTY: &str = "540000/540100/540102";

fn open(dir: &std::path::Path) -> NodeStore {
    let cfg = StoreConfig { restart: SelfRestart::Report, ..Default::default() };
    NodeStore::open_with(dir, "540000/540100".parse().unwrap(), Arc::new(RefusesMarked), &cfg).unwrap()
}

fn event(seq: u64, payload: &[u8]) -> Envelope {
    Envelope {
        origin: COUNTY.parse().unwrap(),
        seq,
        route: Route::Up,
        kind: "test.v1".into(),
        payload: payload.to_vec(),
        created_at_ms: 1_764_000_000_000,
    }
}

fn batch(events: &[Envelope]) -> Vec<Incoming<'_>> {
    events.iter().map(|event| Incoming::dense(event, true, false)).collect()
}

fn held(store: &NodeStore) -> u64 {
    let stream = StreamId { origin: COUNTY.parse().unwrap(), channel: extranet_federation::Channel::Up };
    store.cursors().unwrap().into_iter().find(|(s, _)| *s == stream).map_or(0, |(_, c)| c)
}

#[tokio::test]
async fn a_batch_is_one_write_and_a_batch_already_held_is_none() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let events: Vec<Envelope> = (1..=256).map(|seq| event(seq, b"x")).collect();
    let before = store.durability.writes_begun();
    let out = store.accept_batch(&batch(&events)).unwrap();
    assert_eq!(out, vec![Accepted::Applied; 256]);
    assert_eq!(store.durability.writes_begun() - before, 1, "256 events in one transaction");
    assert_eq!(held(&store), 256);
    let out = store.accept_batch(&batch(&events)).unwrap();
    assert_eq!(out, vec![Accepted::Duplicate; 256]);
    assert_eq!(store.durability.writes_begun() - before, 1, "a replayed batch writes nothing");
    store.close();
}

#[tokio::test]
async fn a_batch_keeps_what_precedes_a_gap_and_stops_there() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let events = [event(1, b"a"), event(2, b"b"), event(4, b"d"), event(5, b"e")];
    let out = store.accept_batch(&batch(&events)).unwrap();
    assert_eq!(out, vec![Accepted::Applied, Accepted::Applied, Accepted::Gap { expected: 3 }]);
    assert_eq!(held(&store), 2, "the two before the gap are kept, nothing after it");
    store.close();
}

#[tokio::test]
async fn a_batch_whose_effect_fails_keeps_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let events = [event(1, b"a"), event(2, b"b"), event(3, &[0xff]), event(4, b"d")];
    let err = store.accept_batch(&batch(&events)).unwrap_err();
    assert!(err.to_string().contains("测试：拒绝此事件"), "{err}");
    assert_eq!(held(&store), 0, "nothing of the batch is kept");
    let out = store.accept_batch(&batch(&events[..2])).unwrap();
    assert_eq!(out, vec![Accepted::Applied; 2], "and it can be taken in again");
    store.close();
}

#[tokio::test]
async fn a_skipped_run_moves_the_cursor_over_nothing_and_survives_a_reopen_once_synced() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let stream = StreamId { origin: COUNTY.parse().unwrap(), channel: extranet_federation::Channel::Up };
    let run = |from, through| extranet_federation::Skipped { stream: stream.clone(), from, through };
    store.accept_batch(&batch(&[event(1, b"a")])).unwrap();
    assert_eq!(store.skip(&[run(3, 9)]).unwrap(), vec![Accepted::Gap { expected: 2 }], "2 is missing");
    assert_eq!(held(&store), 1, "a gap moves nothing");
    assert_eq!(store.skip(&[run(2, 9)]).unwrap(), vec![Accepted::Applied]);
    assert_eq!(store.skip(&[run(5, 7)]).unwrap(), vec![Accepted::Duplicate], "already past it");
    assert_eq!(held(&store), 9);
    assert!(store.read(&stream, 1, 10).unwrap().is_empty(), "nothing stored for the run");
    // An event may follow on a run it carries before it.
    let e = event(14, b"n");
    let out = store.accept_batch(&[Incoming { follows: 9, ..Incoming::dense(&e, true, false) }]).unwrap();
    assert_eq!(out, vec![Accepted::Applied]);
    assert_eq!(held(&store), 14);
    assert_eq!(store.read(&stream, 0, 10).unwrap().iter().map(|e| e.seq).collect::<Vec<_>>(), vec![1, 14]);
    let late = event(20, b"t");
    let out = store.accept_batch(&[Incoming { follows: 16, ..Incoming::dense(&late, true, false) }]).unwrap();
    assert_eq!(out, vec![Accepted::Gap { expected: 15 }]);
    EventStore::sync(&store).await.unwrap();
    store.close();
    store.closed().await;
    drop(store);
    let store = open(dir.path());
    assert_eq!(held(&store), 14);
    store.close();
}
