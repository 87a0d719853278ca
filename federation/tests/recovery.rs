//! Restore from an older backup: a node whose peer holds more of its own
//! stream takes those events back before it writes again, refuses writes
//! meanwhile, and a different event under a held sequence number is
//! refused instead of acknowledged as a duplicate.
//!
//! ```text
//!   540000/540100            (parent: holds the child's up stream)
//!         |
//!   540000/540100/540102     (child: restored from a backup of 4 of 30)
//! ```

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use common::*;
use extranet_federation::{
    Channel, Engine, EngineConfig, Envelope, EventStore, FedError, Frame, MemStore, Route, Scope, StreamId,
};
use tokio_util::sync::CancellationToken;

/// A node whose store holds exactly `backup` of its own events, as after a
/// restore, with `config`.
fn restored(path: &str, backup: &[Envelope], config: EngineConfig) -> Node {
    let id = n(path);
    let store = Arc::new(MemStore::new());
    for ev in backup {
        store.accept_own_recovered(ev).unwrap();
    }
    let engine = Engine::new(id.clone(), store.clone(), config);
    Node { id, store, engine }
}

/// A proxy hook that cuts the link whenever the parent sends `child`'s own
/// events above `hold` back to it, until `release` is set: recovery stalls
/// half-way, where the test can look at it.
fn stall_returns(child: &Node, hold: u64, release: Arc<AtomicBool>) -> Hook {
    let me = child.id.clone();
    Arc::new(move |_, dir, frame| match (dir, frame) {
        (Dir::Down, Frame::Events(evs))
            if !release.load(Ordering::SeqCst) && evs.iter().any(|e| e.origin == me && e.seq > hold) =>
        {
            Verdict::Cut
        }
        _ => Verdict::Pass,
    })
}

#[tokio::test(start_paused = true)]
async fn a_child_restored_from_an_old_backup_takes_its_events_back_before_writing() {
    // A window of one batch: the second batch waits for the first's ack.
    let p = Node::new("540000/540100", EngineConfig { window: 8, ..config() });
    let c = Node::new("540000/540100/540102", config());
    let originals = c.append(Route::Up, 30).await;
    let stop = CancellationToken::new();
    c.engine.spawn_uplink(ProxyDialer::new(&p, &c, pass()), stop.clone());
    wait_until("parent holds all thirty", || p.cursor(&c.id, Channel::Up) == 30).await;
    stop.cancel();
    c.engine.shutdown();

    let c2 = restored("540000/540100/540102", &originals[..4], config());
    let release = Arc::new(AtomicBool::new(false));
    let stop = CancellationToken::new();
    c2.engine.spawn_uplink(ProxyDialer::new(&p, &c2, stall_returns(&c2, 12, release.clone())), stop.clone());
    wait_until("first returned batch in", || c2.cursor(&c2.id, Channel::Up) == 12).await;
    let blocked = c2.engine.recovering().expect("writes are refused while recovering");
    assert!(blocked.blocks(Channel::Up) && !blocked.blocks(Channel::Down));
    assert_eq!((blocked.streams[0].held, blocked.streams[0].target), (12, 30));
    assert_eq!(blocked.streams[0].from.as_ref(), Some(&p.id));
    assert!(blocked.message().contains("540000/540100") && blocked.message().contains("恢复"), "{}", blocked.message());

    release.store(true, Ordering::SeqCst);
    wait_until("child recovered", || c2.cursor(&c2.id, Channel::Up) == 30 && c2.engine.recovering().is_none()).await;
    let stream = StreamId { origin: c2.id.clone(), channel: Channel::Up };
    assert_eq!(c2.store.events(&stream), originals, "the very events, not new ones under old numbers");
    let taken_back: Vec<u64> = c2.store.recovered().iter().map(|e| e.seq).skip(4).collect();
    assert_eq!(taken_back, (5..=30).collect::<Vec<_>>(), "re-applied once each, in order");

    // The next write gets a number the parent never held.
    c2.append(Route::Up, 1).await;
    wait_until("new event at the parent", || p.cursor(&c2.id, Channel::Up) == 31).await;
    assert_exactly_once("parent from child", &p.delivered_from(&c2.id), 31);
    stop.cancel();
}

#[tokio::test(start_paused = true)]
async fn a_parent_restored_takes_its_down_stream_back_from_a_child() {
    let p = Node::new("540000/540100", config());
    let c = Node::new("540000/540100/540102", config());
    let originals = p.append(Route::Down(Scope::Subtree(p.id.clone())), 6).await;
    let stop = CancellationToken::new();
    c.engine.spawn_uplink(ProxyDialer::new(&p, &c, pass()), stop.clone());
    wait_until("child holds all six", || c.cursor(&p.id, Channel::Down) == 6).await;
    stop.cancel();
    p.engine.shutdown();

    let p2 = restored("540000/540100", &originals[..2], config());
    let stop = CancellationToken::new();
    c.engine.spawn_uplink(ProxyDialer::new(&p2, &c, pass()), stop.clone());
    wait_until("parent recovered", || p2.cursor(&p2.id, Channel::Down) == 6 && p2.engine.recovering().is_none()).await;
    let stream = StreamId { origin: p2.id.clone(), channel: Channel::Down };
    assert_eq!(p2.store.events(&stream), originals);
    assert_exactly_once("child from parent", &c.delivered_from(&p.id), 6);
    stop.cancel();
}

#[tokio::test(start_paused = true)]
async fn confirm_mode_refuses_writes_until_the_parent_has_stated_what_it_holds() {
    let p = Node::new("540000/540100", config());
    let confirm = EngineConfig { confirm_own_streams: true, ..config() };
    let c = restored("540000/540100/540102", &[], confirm);
    let waiting = c.engine.recovering().expect("a restored node must not write before its parent spoke");
    assert_eq!(waiting.streams[0].waiting_for, vec![p.id.clone()]);
    assert!(waiting.message().contains("540000/540100"), "{}", waiting.message());
    let stop = CancellationToken::new();
    c.engine.spawn_uplink(ProxyDialer::new(&p, &c, pass()), stop.clone());
    wait_until("parent confirmed", || c.engine.recovering().is_none()).await;
    stop.cancel();
}

#[tokio::test(start_paused = true)]
async fn a_different_event_under_a_held_sequence_is_refused_not_acknowledged() {
    let p = Node::new("540000/540100", config());
    let cid = n("540000/540100/540102");
    let stream = StreamId { origin: cid.clone(), channel: Channel::Up };
    let scratch = MemStore::new();
    let evs: Vec<Envelope> = (0..2).map(|i| scratch.append_own(&cid, Route::Up, "test.v1", vec![i])).collect();
    let (mut fake, session) = greeted_child(&p, &cid).await;
    fake.send(Frame::Events(evs.clone())).await;
    let ack = loop {
        match fake.recv().await {
            Some(Frame::CaughtUp) => continue,
            other => break other,
        }
    };
    assert!(matches!(ack, Some(Frame::Ack(c)) if c == vec![(stream.clone(), 2)]));
    let mut forged = evs[1].clone();
    forged.payload = b"other".to_vec();
    fake.send(Frame::Events(vec![forged])).await;
    match fake.recv().await {
        None | Some(Frame::CaughtUp) => {}
        Some(other) => panic!("a conflicting duplicate must not be acknowledged: {other:?}"),
    }
    assert!(matches!(session.await.unwrap(), Err(FedError::Conflict { .. })));
    assert_eq!(p.store.events(&stream), evs, "the held event is kept");
}
