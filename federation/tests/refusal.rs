//! A peer may only send what its identity allows; anything else is refused
//! and ends the session, and nothing of it is kept.

mod common;

use common::*;
use extranet_federation::{Channel, Envelope, FedError, Frame, MemStore, Route, Scope};
use tokio_util::sync::CancellationToken;

fn hello(node: &str) -> Frame {
    Frame::Hello { node: n(node), cursors: vec![], version: "t".into(), dead_after: None, skips: false }
}

fn one_event(origin: &str, route: Route) -> Envelope {
    MemStore::new().append_own(&n(origin), route, "test.v1", b"x".to_vec())
}

fn assert_refused(result: Result<(), FedError>, peer: &str) {
    match result {
        Err(FedError::Refused { peer: p, .. }) => assert_eq!(p, n(peer)),
        other => panic!("expected refusal of {peer}, got {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn a_child_sending_outside_its_subtree_is_refused() {
    let p = Node::new("540000/540100", config());
    let child = "540000/540100/540102";
    let forged = [
        one_event("540000/540100/540103", Route::Up),            // a sibling's event
        one_event("540000/540100", Route::Up),                   // the parent's own stream
        one_event("540000/540200/540202", Route::Up),            // another prefecture's county
        one_event(child, Route::Down(Scope::Subtree(n(child)))), // down, upwards
    ];
    for ev in forged {
        let (mut fake, session) = fake_child(&p, &n(child));
        fake.send(hello(child)).await;
        assert!(matches!(fake.recv().await, Some(Frame::Hello { .. })));
        fake.send(Frame::Events(vec![ev.clone()])).await;
        assert_refused(session.await.unwrap(), child);
        assert_eq!(p.cursor(&ev.origin, ev.route.channel()), 0, "refused event was kept");
        while fake.recv().await.is_some() {} // the session ended: the link closes
    }
    assert!(p.store.delivered().is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_hello_claiming_another_identity_is_refused() {
    let p = Node::new("540000/540100", config());
    let (mut fake, session) = fake_child(&p, &n("540000/540100/540102"));
    fake.send(hello("540000/540100/540103")).await;
    assert_refused(session.await.unwrap(), "540000/540100/540102");
    assert!(fake.recv().await.is_none(), "no Hello is sent to an impostor");
}

#[tokio::test(start_paused = true)]
async fn only_direct_children_are_served() {
    let r = Node::new("540000", config());
    for peer in ["540000/540100/540102", "540000", "540001"] {
        let (mut fake, session) = fake_child(&r, &n(peer));
        assert_refused(session.await.unwrap(), peer);
        assert!(fake.recv().await.is_none());
    }
}

#[tokio::test(start_paused = true)]
async fn frames_before_the_parents_hello_break_the_protocol() {
    let p = Node::new("540000/540100", config());
    let child = "540000/540100/540102";
    let (fake, session) = fake_child(&p, &n(child));
    fake.send(Frame::CaughtUp).await;
    assert!(matches!(session.await.unwrap(), Err(FedError::Protocol(_))));
}

#[tokio::test(start_paused = true)]
async fn a_parent_sending_what_it_may_not_is_refused() {
    let c = Node::new("540000/540100/540102", config());
    let stop = CancellationToken::new();
    let mut ends = HandOver::uplink(&c, "540000/540100", &stop);
    let forged = [
        one_event("540000/540100/540103", Route::Down(Scope::Subtree(n("540000/540100")))), // sibling's down
        one_event("540000/540100", Route::Up),                                              // up, downwards
        one_event("540000/540200", Route::Down(Scope::Subtree(n("540000")))),               // uncle's down
        one_event(c.id.as_str(), Route::Down(Scope::Node(c.id.clone()))),                   // the child's own
    ];
    for ev in forged {
        let mut fake = Fake { link: ends.recv().await.unwrap() };
        assert!(matches!(fake.recv().await, Some(Frame::Hello { .. })));
        fake.send(hello("540000/540100")).await;
        fake.send(Frame::Events(vec![ev.clone()])).await;
        while fake.recv().await.is_some() {}
        assert_eq!(c.cursor(&ev.origin, ev.route.channel()), 0, "refused event was kept");
    }
    // An impostor parent gets nothing either: the child hangs up and redials.
    let mut fake = Fake { link: ends.recv().await.unwrap() };
    fake.recv().await;
    fake.send(hello("540000/540200")).await;
    while fake.recv().await.is_some() {}
    assert!(c.store.delivered().is_empty());
    // The child redials, and a legitimate down event gets through.
    let mut fake = Fake { link: ends.recv().await.unwrap() };
    fake.recv().await;
    fake.send(hello("540000/540100")).await;
    let ok = one_event("540000/540100", Route::Down(Scope::Node(c.id.clone())));
    fake.send(Frame::Events(vec![ok.clone()])).await;
    loop {
        match fake.recv().await {
            Some(Frame::Ack(cursors)) => {
                assert_eq!(cursors, vec![(ok.stream(), 1)]);
                break;
            }
            Some(_) => continue,
            None => panic!("link closed before the ack"),
        }
    }
    assert_eq!(c.store.delivered(), vec![ok]);
    assert_eq!(c.cursor(&n("540000/540100"), Channel::Down), 1);
    stop.cancel();
}
