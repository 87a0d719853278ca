//! Status summaries roll up the tree latest-wins, outside the event log,
//! and only from within the sending child's subtree.

mod common;

use common::*;

use extranet_federation::{EventStore, FedError, Frame, Summary};
use tokio_util::sync::CancellationToken;

#[tokio::test(start_paused = true)]
async fn a_summary_from_the_parent_is_refused() {
    let c = Node::new("540000/540100/540102", config());
    let stop = CancellationToken::new();
    let mut ends = HandOver::uplink(&c, "540000/540100", &stop);
    let mut fake = Fake { link: ends.recv().await.unwrap() };
    assert!(matches!(fake.recv().await, Some(Frame::Hello { .. })));
    fake.send(Frame::Hello {
        node: n("540000/540100"),
        cursors: vec![],
        version: "t".into(),
        dead_after: None,
        skips: false,
    })
    .await;
    let summary = Summary { origin: n("540000/540100"), generated_at_ms: 1, heard_at_ms: 0, payload: vec![] };
    fake.send(Frame::Summary { summary, age_ms: 0 }).await;
    while fake.recv().await.is_some() {} // the child ends the session
    assert!(c.store.summaries(&n("540000")).unwrap().is_empty(), "summaries never travel down");
    stop.cancel();
}

fn held(node: &Node, origin: &str) -> Option<i64> {
    node.store.summaries(&node.id).unwrap().into_iter().find(|s| s.origin == n(origin)).map(|s| s.generated_at_ms)
}

#[tokio::test(start_paused = true)]
async fn summaries_roll_up_latest_wins_without_events() {
    let (r, p, c) = (
        Node::new("540000", config()),
        Node::new("540000/540100", config()),
        Node::new("540000/540100/540102", config()),
    );
    let stop = CancellationToken::new();
    p.engine.spawn_uplink(ProxyDialer::new(&r, &p, pass()), stop.clone());
    c.engine.spawn_uplink(ProxyDialer::new(&p, &c, pass()), stop.clone());
    c.engine.publish_summary(10, b"c-10".to_vec()).unwrap();
    p.engine.publish_summary(11, b"p-11".to_vec()).unwrap();
    wait_until("county summary at region", || held(&r, "540000/540100/540102") == Some(10)).await;
    wait_until("prefecture summary at region", || held(&r, "540000/540100") == Some(11)).await;
    c.engine.publish_summary(20, b"c-20".to_vec()).unwrap();
    // The county's clock was corrected backwards: its next summary says an
    // earlier time, but it is the newer news and wins (never the sender's clock).
    c.engine.publish_summary(15, b"c-15".to_vec()).unwrap();
    wait_until("corrected county summary at region", || held(&r, "540000/540100/540102") == Some(15)).await;
    let at_r: Vec<Summary> = r.store.summaries(&r.id).unwrap();
    assert_eq!(at_r.len(), 2, "one summary per origin: {at_r:?}");
    assert_eq!(at_r.iter().find(|s| s.origin == c.id).unwrap().payload, b"c-15");
    // summaries never enter the event log
    assert!(r.store.cursors().unwrap().is_empty() && p.store.cursors().unwrap().is_empty());
    // the prefecture sees only its subtree; the county only itself
    assert_eq!(c.store.summaries(&c.id).unwrap().len(), 1);
    stop.cancel();
}

#[tokio::test(start_paused = true)]
async fn a_summary_from_outside_the_childs_subtree_is_refused() {
    let p = Node::new("540000/540100", config());
    let child = "540000/540100/540102";
    for origin in ["540000/540100/540103", "540000/540100", "540000/540200/540202"] {
        let (fake, session) = greeted_child(&p, &n(child)).await;
        fake.send(Frame::Summary {
            summary: Summary { origin: n(origin), generated_at_ms: 1, heard_at_ms: 0, payload: vec![] },
            age_ms: 0,
        })
        .await;
        assert!(matches!(session.await.unwrap(), Err(FedError::Refused { .. })), "{origin} accepted");
        assert_eq!(held(&p, origin), None, "refused summary was kept");
    }
    let (fake, session) = greeted_child(&p, &n(child)).await;
    fake.send(Frame::Summary {
        summary: Summary { origin: n(child), generated_at_ms: 1, heard_at_ms: 0, payload: vec![] },
        age_ms: 0,
    })
    .await;
    wait_until("own summary kept", || held(&p, child) == Some(1)).await;
    drop(fake);
    let _ = session.await;
}

/// Tried: a county whose clock ran a day ahead was shown fresh, and once its
/// clock was corrected every new summary was ignored as "older". Summaries
/// are dated on the receiver's clock less the age the sender states.
#[tokio::test(start_paused = true)]
async fn summaries_are_ordered_by_when_the_receiver_heard_them_not_by_the_senders_clock() {
    let p = Node::new("540000/540100", config());
    let child = "540000/540100/540102";
    let (fake, session) = greeted_child(&p, &n(child)).await;
    let day = 86_400_000;
    let sent = |generated, age_ms| Frame::Summary {
        summary: Summary { origin: n(child), generated_at_ms: generated, heard_at_ms: i64::MAX, payload: vec![] },
        age_ms,
    };
    let wall = || std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    // A day ahead: kept, but dated now by the parent's clock, not a day on.
    fake.send(sent(wall() + day, 0)).await;
    wait_until("day-ahead summary kept", || held(&p, child).is_some_and(|g| g > wall())).await;
    let heard = p.store.summaries(&p.id).unwrap().into_iter().find(|s| s.origin == n(child)).unwrap().heard_at_ms;
    assert!((heard - wall()).abs() < 60_000, "dated by the receiver's clock: heard {heard}");
    // Clock corrected: an "older" timestamp, but newer news, and it wins.
    tokio::time::advance(std::time::Duration::from_secs(1)).await;
    fake.send(sent(wall(), 0)).await;
    wait_until("corrected summary wins", || held(&p, child).is_some_and(|g| g <= wall())).await;
    // A relayed copy the sender heard a minute ago is older than what we
    // hold: ignored.
    fake.send(sent(1, 60_000)).await;
    fake.send(Frame::Ping { owed: Default::default(), sent_at_ms: 0 }).await;
    tokio::time::advance(std::time::Duration::from_secs(1)).await;
    assert!(held(&p, child).is_some_and(|g| g > 1), "a summary heard earlier replaced a newer one");
    drop(fake);
    let _ = session.await;
}
