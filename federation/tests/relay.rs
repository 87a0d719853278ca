//! Events travel the tree: up to every ancestor, down to every descendant
//! they reach (a relay skips, for a child, what reaches nowhere in its
//! subtree), exactly once, unchanged, in per-origin order.

mod common;

use std::time::Duration;

use common::*;
use extranet_federation::{Backlog, Channel, MemStore, Route, Scope, StreamId};
use tokio_util::sync::CancellationToken;

/// Region, two prefectures, three counties, all linked through proxies.
struct Tree {
    r: Node,
    p1: Node,
    p2: Node,
    c11: Node,
    c12: Node,
    c21: Node,
    stop: CancellationToken,
}

impl Tree {
    fn new() -> Self {
        Tree::with_c11(MemStore::new())
    }

    /// The tree with county c11 on `store`.
    fn with_c11(store: MemStore) -> Self {
        let cfg = config();
        Tree {
            r: Node::new("540000", cfg.clone()),
            p1: Node::new("540000/540100", cfg.clone()),
            p2: Node::new("540000/540200", cfg.clone()),
            c11: Node::with_store("540000/540100/540102", cfg.clone(), store),
            c12: Node::new("540000/540100/540103", cfg.clone()),
            c21: Node::new("540000/540200/540202", cfg),
            stop: CancellationToken::new(),
        }
    }

    fn link_all(&self) {
        for (parent, child) in [
            (&self.r, &self.p1),
            (&self.r, &self.p2),
            (&self.p1, &self.c11),
            (&self.p1, &self.c12),
            (&self.p2, &self.c21),
        ] {
            child.engine.spawn_uplink(ProxyDialer::new(parent, child, pass()), self.stop.clone());
        }
    }
}

#[tokio::test(start_paused = true)]
async fn up_events_relay_exactly_once_in_order() {
    let t = Tree::new();
    // Some history before any link exists, some written while linked.
    let mut written = Vec::new();
    for (node, count) in [(&t.c11, 40), (&t.c12, 25), (&t.c21, 30), (&t.p1, 10)] {
        written.extend(node.append(Route::Up, count).await);
    }
    t.link_all();
    for (node, count) in [(&t.c11, 20), (&t.c21, 5), (&t.p2, 7)] {
        written.extend(node.append(Route::Up, count).await);
    }
    let totals = [(&t.c11, 60), (&t.c12, 25), (&t.c21, 35), (&t.p1, 10), (&t.p2, 7)];
    wait_until("region holds every up event", || totals.iter().all(|(o, c)| t.r.cursor(&o.id, Channel::Up) == *c))
        .await;

    for (origin, count) in totals {
        assert_exactly_once(&format!("region from {}", origin.id), &t.r.delivered_from(&origin.id), count);
    }
    // Relays change nothing: what the region got is what the origins wrote.
    let mut got = t.r.store.delivered();
    let mut want = written.clone();
    got.sort_by(|a, b| (&a.origin, a.seq).cmp(&(&b.origin, b.seq)));
    want.sort_by(|a, b| (&a.origin, a.seq).cmp(&(&b.origin, b.seq)));
    assert_eq!(got, want);
    // A prefecture takes in its own subtree, not its sibling's.
    assert_exactly_once("p1 from c11", &t.p1.delivered_from(&t.c11.id), 60);
    assert_exactly_once("p1 from c12", &t.p1.delivered_from(&t.c12.id), 25);
    assert_eq!(t.p1.cursor(&t.c21.id, Channel::Up), 0);
    assert_eq!(t.p2.cursor(&t.c11.id, Channel::Up), 0);
    // Up events never flow down.
    assert_eq!(t.c12.cursor(&t.c11.id, Channel::Up), 0);
    assert!(t.c11.store.delivered().is_empty());
    t.stop.cancel();
}

#[tokio::test(start_paused = true)]
async fn down_events_reach_descendants_and_take_effect_in_scope() {
    let t = Tree::new();
    t.link_all();
    let to_p1 = Route::Down(Scope::Subtree(t.p1.id.clone()));
    let to_c12 = Route::Down(Scope::Node(t.c12.id.clone()));
    let to_p2 = Route::Down(Scope::Subtree(t.p2.id.clone()));
    t.r.append(to_p1, 1).await; // seq 1
    t.r.append(to_c12, 1).await; // seq 2
    t.r.append(to_p2, 1).await; // seq 3
    t.p1.append(Route::Down(Scope::Node(t.c11.id.clone())), 1).await;
    let leaves = [&t.c11, &t.c12, &t.c21];
    wait_until("every county holds the region's down stream", || {
        leaves.iter().all(|c| c.cursor(&t.r.id, Channel::Down) == 3)
    })
    .await;
    wait_until("p1's counties hold p1's down stream", || {
        [&t.c11, &t.c12].iter().all(|c| c.cursor(&t.p1.id, Channel::Down) == 1)
    })
    .await;

    // In effect only in scope.
    assert_eq!(t.p1.delivered_from(&t.r.id), vec![1]);
    assert_eq!(t.p2.delivered_from(&t.r.id), vec![3]);
    assert_eq!(t.c11.delivered_from(&t.r.id), vec![1]);
    assert_eq!(t.c12.delivered_from(&t.r.id), vec![1, 2]);
    assert_eq!(t.c21.delivered_from(&t.r.id), vec![3]);
    assert_eq!(t.c11.delivered_from(&t.p1.id), vec![1]);
    assert!(t.c12.delivered_from(&t.p1.id).is_empty());
    // Down events never leave the origin's subtree, nor go up.
    assert_eq!(t.c21.cursor(&t.p1.id, Channel::Down), 0);
    assert_eq!(t.r.cursor(&t.p1.id, Channel::Down), 0);
    assert!(t.r.store.delivered().is_empty());
    // The origin's children store its whole stream; below them a county
    // stores only what reaches it, the origin's events unchanged, and is
    // told to skip the rest.
    let stream = StreamId { origin: t.r.id.clone(), channel: Channel::Down };
    let origin_copy = t.r.store.events(&stream);
    assert_eq!(t.p2.store.events(&stream), origin_copy, "a child of the origin holds it whole");
    assert_eq!(t.c21.store.events(&stream), vec![origin_copy[2].clone()]);
    assert_eq!(t.c11.store.events(&stream), vec![origin_copy[0].clone()], "not c12's event");
    assert_eq!(t.c12.store.events(&stream), origin_copy[..2].to_vec(), "not p2's event");
    t.stop.cancel();
}

#[tokio::test(start_paused = true)]
async fn a_relay_skips_for_a_child_what_reaches_nowhere_in_its_subtree() {
    let t = Tree::new();
    t.link_all();
    // 300 receipts for c12, written at the region while p1's links are up.
    t.r.append(Route::Down(Scope::Node(t.c12.id.clone())), 300).await;
    wait_until("c12 holds them all", || t.c12.cursor(&t.r.id, Channel::Down) == 300).await;
    wait_until("c11 is past them", || t.c11.cursor(&t.r.id, Channel::Down) == 300).await;
    let stream = StreamId { origin: t.r.id.clone(), channel: Channel::Down };
    assert!(t.c11.store.events(&stream).is_empty(), "c11 stores none of c12's receipts");
    assert!(t.c21.store.events(&stream).is_empty() && t.c21.cursor(&t.r.id, Channel::Down) == 300);
    // Backlog figures count nothing skipped as owed, live or saved.
    tokio::time::sleep(Duration::from_secs(3)).await; // heartbeats: runs flushed and pinged
    let kid = |p: &Node, c: &Node| p.engine.status().unwrap().children.into_iter().find(|k| k.node == c.id).unwrap();
    assert_eq!(kid(&t.p1, &t.c11).outbound, Backlog::default());
    assert_eq!(t.c11.engine.status().unwrap().parent.unwrap().inbound, Backlog::default());

    // An event for p1's subtree after the run: c11 takes it in and applies it.
    t.r.append(Route::Down(Scope::Subtree(t.p1.id.clone())), 1).await;
    wait_until("c11 holds 301", || t.c11.cursor(&t.r.id, Channel::Down) == 301).await;
    assert_eq!(t.c11.delivered_from(&t.r.id), vec![301]);
    assert_eq!(t.c12.delivered_from(&t.r.id), (1..=301).collect::<Vec<_>>());

    // While c11 is cut off, more for c12 and one for c11; it comes back
    // and gets exactly its own, once.
    t.stop.cancel();
    let again = CancellationToken::new();
    t.r.append(Route::Down(Scope::Node(t.c12.id.clone())), 50).await;
    t.r.append(Route::Down(Scope::Node(t.c11.id.clone())), 1).await;
    t.r.append(Route::Down(Scope::Node(t.c12.id.clone())), 20).await;
    for (parent, child) in [(&t.r, &t.p1), (&t.p1, &t.c11), (&t.p1, &t.c12)] {
        child.engine.spawn_uplink(ProxyDialer::new(parent, child, pass()), again.clone());
    }
    wait_until("c11 is past all 372", || t.c11.cursor(&t.r.id, Channel::Down) == 372).await;
    assert_eq!(t.c11.delivered_from(&t.r.id), vec![301, 352], "exactly its own, once each");
    let held: Vec<u64> = t.c11.store.events(&stream).iter().map(|e| e.seq).collect();
    assert_eq!(held, vec![301, 352]);
    again.cancel();
}

#[tokio::test(start_paused = true)]
async fn a_child_that_takes_no_runs_is_sent_every_event() {
    // c11 runs a version from before skipped runs: its Hello does not ask
    // for them, so p1 relays it the region's whole stream as before.
    let t = Tree::with_c11(MemStore::without_skips());
    t.link_all();
    t.r.append(Route::Down(Scope::Node(t.c12.id.clone())), 5).await;
    t.r.append(Route::Down(Scope::Node(t.c11.id.clone())), 1).await;
    wait_until("c11 holds all 6", || t.c11.cursor(&t.r.id, Channel::Down) == 6).await;
    let stream = StreamId { origin: t.r.id.clone(), channel: Channel::Down };
    assert_eq!(t.c11.store.events(&stream), t.r.store.events(&stream));
    assert_eq!(t.c11.delivered_from(&t.r.id), vec![6]);
    assert_eq!(t.c12.store.events(&stream).len(), 5, "c12 still takes runs: not c11's event");
    assert!(t.c21.store.events(&stream).is_empty());
    t.stop.cancel();
}

#[tokio::test(start_paused = true)]
async fn a_run_longer_than_one_scan_is_skipped_over_several_batches() {
    // 10,000 receipts for c12 are more than a relay scans for one batch
    // (4,096): c11 is skipped past them in several runs, gets its own
    // event after them, and stores nothing else.
    let t = Tree::new();
    t.link_all();
    t.r.append(Route::Down(Scope::Node(t.c12.id.clone())), 10_000).await;
    t.r.append(Route::Down(Scope::Node(t.c11.id.clone())), 1).await;
    wait_until("c11 holds 10,001", || t.c11.cursor(&t.r.id, Channel::Down) == 10_001).await;
    let stream = StreamId { origin: t.r.id.clone(), channel: Channel::Down };
    assert_eq!(t.c11.store.events(&stream).iter().map(|e| e.seq).collect::<Vec<_>>(), vec![10_001]);
    assert_eq!(t.c11.delivered_from(&t.r.id), vec![10_001]);
    t.stop.cancel();
}
