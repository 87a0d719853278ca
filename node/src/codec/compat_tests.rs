//! Peers on other format versions: an access event in the JSON kinds of a
//! node not yet upgraded is applied, and an event kind of a newer version
//! than this build reads is kept and reported, never misread.

use std::sync::Arc;

use extranet_certs::NodeId;
use extranet_federation::{Accepted, Envelope, EventStore, Route};

use crate::codec;
use crate::replicate::DomainApplier;
use crate::store::NodeStore;

fn from_peer(origin: &str, seq: u64, route: Route, kind: &str, payload: Vec<u8>) -> Envelope {
    Envelope { origin: NodeId::parse(origin).unwrap(), seq, route, kind: kind.into(), payload, created_at_ms: 0 }
}

/// A county not yet upgraded forwards an application as `access.v1`
/// JSON (the checked-in bytes): the prefecture takes it in and answers
/// in the new kinds.
#[tokio::test]
async fn an_access_v1_forward_from_a_peer_not_yet_upgraded_is_applied() {
    let dir = tempfile::tempdir().unwrap();
    let me = NodeId::parse("540000/540100").unwrap();
    let store = NodeStore::open(dir.path(), me.clone(), Arc::new(DomainApplier::without_pki())).unwrap();
    let payload = crate::store::fixtures::read("wire/access.v1/forward.json");
    let event = from_peer("540000/540100/540102", 1, Route::Up, codec::KIND_ACCESS_V1, payload);
    assert_eq!(store.accept(&event, true).unwrap(), Accepted::Applied);
    assert!(store.unapplied().unwrap().is_empty());
    let held = store.application("540102-A000001").unwrap().expect("the forwarded application is taken in");
    assert_eq!(held.form, crate::store::fixtures::application().form);
    let own = |channel| extranet_federation::StreamId { origin: me.clone(), channel };
    let down = store.read(&own(extranet_federation::Channel::Down), 0, 10).unwrap();
    let up = store.read(&own(extranet_federation::Channel::Up), 0, 10).unwrap();
    assert_eq!(down.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(), [codec::KIND_ACCESS]);
    assert_eq!(up.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(), [codec::KIND_ACCESS_SUMMARY]);
    store.close();
}

/// The region keeps a deadline summary a prefecture sent as
/// `access.summary.v1` JSON (the checked-in bytes).
#[tokio::test]
async fn an_access_summary_v1_from_a_peer_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let me = NodeId::parse("540000").unwrap();
    let store = NodeStore::open(dir.path(), me, Arc::new(DomainApplier::without_pki())).unwrap();
    let payload = crate::store::fixtures::read("wire/access.summary.v1/summary.json");
    let event = from_peer("540000/540100", 1, Route::Up, codec::KIND_ACCESS_SUMMARY_V1, payload);
    assert_eq!(store.accept(&event, true).unwrap(), Accepted::Applied);
    assert_eq!(store.deadline_summaries().unwrap(), vec![crate::store::fixtures::deadline_summary()]);
    store.close();
}

/// An upgraded peer sends `access.v3`: stored (the stream moves on and
/// it is relayed) and reported as not applied, naming both versions.
#[tokio::test]
async fn an_event_kind_of_a_newer_version_is_stored_and_reported_not_applied() {
    let dir = tempfile::tempdir().unwrap();
    let me = NodeId::parse("540000/540100").unwrap();
    let store = NodeStore::open(dir.path(), me.clone(), Arc::new(DomainApplier::without_pki())).unwrap();
    let payload = codec::encode_access(&crate::store::fixtures::access_messages()[0]);
    let event = from_peer("540000/540100/540102", 1, Route::Up, "access.v3", payload);
    assert_eq!(store.accept(&event, true).unwrap(), Accepted::Applied);
    assert!(store.application("540102-A000001").unwrap().is_none(), "not read as access.v2");
    let unapplied = store.unapplied().unwrap();
    assert_eq!(unapplied.iter().map(|u| u.kind.as_str()).collect::<Vec<_>>(), ["access.v3"]);
    assert!(unapplied[0].error.contains("版本 3") && unapplied[0].error.contains("版本 2"), "{}", unapplied[0].error);
    assert_eq!(store.read(&event.stream(), 0, 10).unwrap(), vec![event]);
    store.close();
}
