//! Link status: backlog figures that are right while a link is down, and
//! sessions that end promptly on shutdown.

mod common;

use std::time::Duration;

use common::*;
use extranet_federation::{Backlog, Channel, EventStore, Frame, Route, Scope, StreamId};
use tokio_util::sync::CancellationToken;

#[tokio::test(start_paused = true)]
async fn status_reports_backlog_while_disconnected() {
    let p = Node::new("540000/540100", config());
    let c = Node::new("540000/540100/540102", config());
    let absent = n("540000/540100/540109");
    p.engine.add_expected_child(absent.clone());
    p.engine.add_expected_child(n("540000/540200/540202")); // not ours: ignored

    // Never connected: everything written is owed.
    let written = c.append(Route::Up, 5).await;
    let up = c.engine.status().unwrap().parent.unwrap();
    assert_eq!(up.node, p.id);
    assert!(!up.connected);
    assert_eq!(up.outbound, Backlog { count: 5, oldest_created_at_ms: written[0].created_at_ms });
    let st = p.engine.status().unwrap();
    assert_eq!(st.children.len(), 1);
    assert_eq!((st.children[0].node.clone(), st.children[0].connected), (absent.clone(), false));
    let down = p.append(Route::Down(Scope::Subtree(p.id.clone())), 3).await;
    let st = p.engine.status().unwrap();
    assert_eq!(st.children[0].outbound, Backlog { count: 3, oldest_created_at_ms: down[0].created_at_ms });

    // Connected and caught up: nothing owed either way.
    let stop = CancellationToken::new();
    let dialer = ProxyDialer::new(&p, &c, pass());
    let uplink = c.engine.spawn_uplink(dialer.clone(), stop.clone());
    wait_until("synced", || p.cursor(&c.id, Channel::Up) == 5 && c.cursor(&p.id, Channel::Down) == 3).await;
    tokio::time::sleep(Duration::from_secs(2)).await; // a heartbeat or two
    let up = c.engine.status().unwrap().parent.unwrap();
    assert!(up.connected && up.since_ms > 0 && up.last_contact_ms > 0);
    assert_eq!(up.outbound, Backlog::default());
    let st = p.engine.status().unwrap();
    let kid = st.children.iter().find(|k| k.node == c.id).unwrap();
    assert!(kid.connected);
    assert_eq!((kid.outbound, kid.inbound), (Backlog::default(), Backlog::default()));

    // Link down: the backlog grows where it is, and the parent still lists
    // the child (from its saved cursors) with what it owes it.
    stop.cancel();
    uplink.await.unwrap();
    wait_until("parent sees the link down", || {
        !p.engine.status().unwrap().children.iter().any(|k| k.node == c.id && k.connected)
    })
    .await;
    let more = c.append(Route::Up, 2).await;
    p.append(Route::Down(Scope::Node(c.id.clone())), 4).await;
    let up = c.engine.status().unwrap().parent.unwrap();
    assert!(!up.connected);
    assert_eq!(up.outbound, Backlog { count: 2, oldest_created_at_ms: more[0].created_at_ms });
    let st = p.engine.status().unwrap();
    assert_eq!(st.children.len(), 2);
    let kid = st.children.iter().find(|k| k.node == c.id).unwrap();
    assert_eq!(kid.outbound.count, 4);
    let other = st.children.iter().find(|k| k.node == absent).unwrap();
    assert_eq!(other.outbound.count, 7);
}

#[tokio::test(start_paused = true)]
async fn inbound_backlog_is_the_peers_last_ping() {
    let p = Node::new("540000/540100", config());
    let cid = n("540000/540100/540102");
    let (fake, _session) = greeted_child(&p, &cid).await;
    let owed = Backlog { count: 7, oldest_created_at_ms: 1_700_000_000_000 };
    fake.send(Frame::Ping { owed, sent_at_ms: 1 }).await;
    wait_until("ping recorded", || {
        p.engine.status().unwrap().children.iter().any(|k| k.node == cid && k.inbound == owed)
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn a_silent_link_is_declared_dead() {
    let p = Node::new("540000/540100", config());
    let cid = n("540000/540100/540102");
    let (_fake, session) = greeted_child(&p, &cid).await;
    // The fake never pings: after dead_after (5 s) the parent gives up.
    let started = tokio::time::Instant::now();
    let result = session.await.unwrap();
    assert!(matches!(result, Err(extranet_federation::FedError::Transport(_))), "{result:?}");
    let waited = started.elapsed();
    assert!(waited >= Duration::from_secs(5) && waited < Duration::from_secs(6), "{waited:?}");
}

#[tokio::test(start_paused = true)]
async fn shutdown_ends_sessions_promptly() {
    let p = Node::new("540000/540100", config());
    let c = Node::new("540000/540100/540102", config());
    let dialer = ProxyDialer::new(&p, &c, pass());
    let uplink = c.engine.spawn_uplink(dialer.clone(), CancellationToken::new());
    wait_until("connected", || p.engine.status().unwrap().children.iter().any(|k| k.connected)).await;
    p.engine.shutdown();
    wait_until("parent session ended", || !dialer.results.lock().unwrap().is_empty()).await;
    assert_eq!(dialer.results.lock().unwrap()[0], Ok(()), "a shutdown is a clean end");
    c.engine.shutdown();
    tokio::time::timeout(Duration::from_millis(50), uplink).await.expect("uplink stops at once").unwrap();
    assert!(!c.engine.status().unwrap().parent.unwrap().connected);
}

#[tokio::test(start_paused = true)]
async fn a_reconnecting_child_replaces_its_old_session() {
    let p = Node::new("540000/540100", config());
    let cid = n("540000/540100/540102");
    let (_old, old_session) = greeted_child(&p, &cid).await;
    let (mut new, _new_session) = fake_child(&p, &cid);
    assert_eq!(old_session.await.unwrap().ok(), Some(()));
    new.send(Frame::Hello { node: cid.clone(), cursors: vec![], version: "t".into(), dead_after: None, skips: false })
        .await;
    assert!(matches!(new.recv().await, Some(Frame::Hello { .. })));
    wait_until("new session up", || p.engine.status().unwrap().children.iter().any(|k| k.connected)).await;
}

/// A burst of acknowledgements is saved once, a moment after the last —
/// not a store write per acknowledgement — and the last is always kept.
#[tokio::test(start_paused = true)]
async fn a_burst_of_acknowledgements_is_saved_once_and_the_last_is_kept() {
    let p = Node::new("540000/540100", config());
    let child = n("540000/540100/540102");
    let (mut fake, _session) = greeted_child(&p, &child).await;
    let down = StreamId { origin: p.id.clone(), channel: Channel::Down };
    p.append(Route::Down(Scope::Node(child.clone())), 10).await;
    let mut got = 0;
    while got < 10 {
        if let Some(Frame::Events(events)) = fake.recv().await {
            got = events.last().map_or(got, |e| e.seq);
        }
    }
    let before = p.store.peer_saves();
    for seq in 1..=10 {
        fake.send(Frame::Ack(vec![(down.clone(), seq)])).await;
    }
    let saved = || p.store.peer_cursors(&child).unwrap().into_iter().find(|(s, _)| *s == down).map(|(_, c)| c);
    wait_until("the last acknowledgement saved", || saved() == Some(10)).await;
    assert_eq!(p.store.peer_saves() - before, 1, "ten acknowledgements, one save");
}
