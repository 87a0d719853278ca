//! Broken links, replayed batches and gaps: nothing is lost, nothing is
//! applied twice, nothing is skipped.

mod common;

use std::sync::Arc;

use common::*;
use extranet_federation::{Channel, EventStore, FedError, Frame, MemStore, Route, Scope, StreamId};
use tokio_util::sync::CancellationToken;

/// Cuts dial 0 at its 5th up batch and dial 1 at its 3rd down batch.
fn cutting_hook() -> Hook {
    let seen = Arc::new(std::sync::Mutex::new(std::collections::HashMap::<(u64, bool), u32>::new()));
    Arc::new(move |dial, dir, frame| {
        if !matches!(frame, Frame::Events(_)) {
            return Verdict::Pass;
        }
        let mut seen = seen.lock().unwrap();
        let count = seen.entry((dial, dir == Dir::Up)).or_insert(0);
        *count += 1;
        match (dial, dir, *count) {
            (0, Dir::Up, 5) | (1, Dir::Down, 3) => Verdict::Cut,
            _ => Verdict::Pass,
        }
    })
}

#[tokio::test(start_paused = true)]
async fn reconnect_resumes_from_cursors_without_duplicates() {
    let p = Node::new("540000/540100", config());
    let c = Node::new("540000/540100/540102", config());
    c.append(Route::Up, 300).await;
    p.append(Route::Down(Scope::Subtree(p.id.clone())), 200).await;
    let dialer = ProxyDialer::new(&p, &c, cutting_hook());
    let stop = CancellationToken::new();
    c.engine.spawn_uplink(dialer.clone(), stop.clone());
    wait_until("both directions complete", || {
        p.cursor(&c.id, Channel::Up) == 300 && c.cursor(&p.id, Channel::Down) == 200
    })
    .await;
    assert!(dialer.dial_count() >= 3, "links were cut twice, so at least three dials");
    assert_exactly_once("parent from child", &p.delivered_from(&c.id), 300);
    assert_exactly_once("child from parent", &c.delivered_from(&p.id), 200);
    // Cuts are transport failures, never protocol errors (no gap, no refusal).
    assert!(dialer.errors().iter().all(|e| !e.contains("协议") && !e.contains("拒绝")), "{:?}", dialer.errors());
    // And live traffic keeps flowing over the healed link.
    c.append(Route::Up, 5).await;
    wait_until("live event", || p.cursor(&c.id, Channel::Up) == 305).await;
    assert_exactly_once("parent from child, live", &p.delivered_from(&c.id), 305);
    stop.cancel();
}

#[tokio::test(start_paused = true)]
async fn replayed_batches_on_the_wire_change_nothing() {
    let p = Node::new("540000/540100", config());
    let c = Node::new("540000/540100/540102", config());
    c.append(Route::Up, 100).await;
    p.append(Route::Down(Scope::Node(c.id.clone())), 60).await;
    let every_batch_twice: Hook =
        Arc::new(|_, _, f| if matches!(f, Frame::Events(_)) { Verdict::Twice } else { Verdict::Pass });
    let dialer = ProxyDialer::new(&p, &c, every_batch_twice);
    let stop = CancellationToken::new();
    c.engine.spawn_uplink(dialer.clone(), stop.clone());
    wait_until("both directions complete", || {
        p.cursor(&c.id, Channel::Up) == 100 && c.cursor(&p.id, Channel::Down) == 60
    })
    .await;
    assert_exactly_once("parent from child", &p.delivered_from(&c.id), 100);
    assert_exactly_once("child from parent", &c.delivered_from(&p.id), 60);
    assert_eq!(dialer.dial_count(), 1, "duplicates must not break the session");
    stop.cancel();
}

/// Events as `origin` would write them, from a scratch store.
fn events_of(origin: &str, count: usize) -> Vec<extranet_federation::Envelope> {
    let store = MemStore::new();
    (0..count).map(|i| store.append_own(&n(origin), Route::Up, "test.v1", vec![i as u8])).collect()
}

#[tokio::test(start_paused = true)]
async fn a_duplicate_batch_is_acknowledged_and_changes_nothing() {
    let p = Node::new("540000/540100", config());
    let cid = n("540000/540100/540102");
    let stream = StreamId { origin: cid.clone(), channel: Channel::Up };
    let evs = events_of(cid.as_str(), 3);
    let (mut fake, _session) = greeted_child(&p, &cid).await;
    fake.send(Frame::Events(evs[..2].to_vec())).await;
    assert_eq!(next_ack(&mut fake).await, vec![(stream.clone(), 2)]);
    let before = (p.store.delivered(), p.store.events(&stream));
    fake.send(Frame::Events(evs[..2].to_vec())).await;
    assert_eq!(next_ack(&mut fake).await, vec![(stream.clone(), 2)]);
    assert_eq!((p.store.delivered(), p.store.events(&stream)), before);
    // Overlapping batch: the old part is skipped, the new part applied.
    fake.send(Frame::Events(evs[1..].to_vec())).await;
    assert_eq!(next_ack(&mut fake).await, vec![(stream.clone(), 3)]);
    assert_exactly_once("parent", &p.delivered_from(&cid), 3);
}

#[tokio::test(start_paused = true)]
async fn a_gap_is_never_skipped() {
    let p = Node::new("540000/540100", config());
    let cid = n("540000/540100/540102");
    let stream = StreamId { origin: cid.clone(), channel: Channel::Up };
    let evs = events_of(cid.as_str(), 4);
    let (mut fake, session) = greeted_child(&p, &cid).await;
    fake.send(Frame::Events(vec![evs[0].clone()])).await;
    assert_eq!(next_ack(&mut fake).await, vec![(stream.clone(), 1)]);
    // seq 3 without seq 2: the session ends and nothing past the gap is kept.
    fake.send(Frame::Events(vec![evs[2].clone(), evs[3].clone()])).await;
    assert!(matches!(session.await.unwrap(), Err(FedError::Protocol(_))));
    assert_eq!(p.cursor(&cid, Channel::Up), 1);
    assert_eq!(p.store.events(&stream).len(), 1);
    // On reconnect the parent states its cursor and the gap is filled.
    let (mut fake, _session) = fake_child(&p, &cid);
    fake.send(Frame::Hello { node: cid.clone(), cursors: vec![], version: "t".into(), dead_after: None, skips: false })
        .await;
    match fake.recv().await {
        Some(Frame::Hello { cursors, .. }) => {
            // Its cursor of our stream, and of its own down stream (which we
            // would send back were it behind).
            let own = StreamId { origin: p.id.clone(), channel: Channel::Down };
            assert_eq!(cursors, vec![(stream.clone(), 1), (own, 0)]);
        }
        other => panic!("expected Hello, got {other:?}"),
    }
    fake.send(Frame::Events(evs[1..].to_vec())).await;
    assert_eq!(next_ack(&mut fake).await, vec![(stream.clone(), 4)]);
    assert_exactly_once("parent", &p.delivered_from(&cid), 4);
}

async fn next_ack(fake: &mut Fake) -> Vec<(StreamId, u64)> {
    loop {
        match fake.recv().await {
            Some(Frame::Ack(c)) => return c,
            Some(_) => continue,
            None => panic!("link closed while waiting for an ack"),
        }
    }
}

#[tokio::test(start_paused = true)]
async fn nothing_is_sent_twice_when_the_peer_already_holds_it() {
    // A parent that already holds the child's events (stated in its Hello)
    // is sent only what it lacks.
    let p = Node::new("540000/540100", config());
    let c = Node::new("540000/540100/540102", config());
    let evs = c.append(Route::Up, 10).await;
    for ev in &evs[..6] {
        p.store.accept(ev, true).unwrap();
    }
    p.store.sync().await.unwrap();
    let batches = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = batches.clone();
    let hook: Hook = Arc::new(move |_, dir, f| {
        if let (Dir::Up, Frame::Events(evs)) = (dir, f) {
            seen.lock().unwrap().extend(evs.iter().map(|e| e.seq));
        }
        Verdict::Pass
    });
    let stop = CancellationToken::new();
    c.engine.spawn_uplink(ProxyDialer::new(&p, &c, hook), stop.clone());
    wait_until("parent complete", || p.cursor(&c.id, Channel::Up) == 10).await;
    assert_eq!(*batches.lock().unwrap(), vec![7, 8, 9, 10]);
    stop.cancel();
}
