//! Freed space sits in quarantine for the configured grace period and is
//! reusable after it — through the store and the node's pool cache, not only
//! in the pure domain. Time is a clock the test moves, so the quarantine is
//! checked to the millisecond and does not race the machine's load.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use extranet_node::domain::ipam::{AssigneeId, Policy, Purpose};
use extranet_node::ops::ipam::Ipam;
use extranet_node::ops::ipam::grant::AssignSpec;
use extranet_tests::Harness;

fn spec(unit: &str) -> AssignSpec {
    AssignSpec {
        v6: true,
        len: None,
        prefix: None,
        purpose: Purpose::Infrastructure,
        assignee: AssigneeId::new(unit).expect("id"),
        serves: "test".into(),
        ipv4_justification: None,
        ipv4_approved_by: None,
    }
}

/// The quarantine of the test: an hour, which wall-clock time cannot cross.
const GRACE_MS: i64 = 3_600_000;

/// A clock that stands still until the test moves it.
fn test_clock() -> (Arc<AtomicI64>, extranet_node::ops::ipam::Clock) {
    let now = Arc::new(AtomicI64::new(1_780_000_000_000));
    let read = now.clone();
    (now, Arc::new(move || read.load(Ordering::SeqCst)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn freed_space_is_reused_only_after_quarantine() -> anyhow::Result<()> {
    let h = Harness::tree(&["540000"]).await?;
    let store = h.running(&h.region()).store.clone();
    let policy = Policy { quarantine_ms: GRACE_MS, ..Policy::default() };
    let (now, clock) = test_clock();
    let ipam = Ipam::new(store.clone(), policy.clone()).with_clock(clock.clone());
    ipam.add_root("2408:8000::/63".parse()?).await?;
    let a = ipam.assign(spec("unit-a"), "op").await?;
    let b = ipam.assign(spec("unit-b"), "op").await?;
    assert_ne!(a.prefix, b.prefix);
    assert!(ipam.assign(spec("unit-c"), "op").await.is_err(), "pool of two /64s is full");
    ipam.free(a.id.number, "op", "下线").await?;
    now.fetch_add(GRACE_MS - 1, Ordering::SeqCst);
    let early = ipam.assign(spec("unit-c"), "op").await;
    assert!(early.is_err(), "quarantined space handed out 1 ms early: {early:?}");
    // a fresh instance rebuilds the pool from the records: the same rule
    let rebuilt = Ipam::new(store.clone(), policy.clone()).with_clock(clock.clone());
    assert!(rebuilt.available(64, true, 8)?.is_empty(), "rebuilt pool hands out quarantined space");
    now.fetch_add(1, Ordering::SeqCst);
    let c = ipam.assign(spec("unit-c"), "op").await?;
    assert_eq!(c.prefix, a.prefix, "reusable once the grace period is over");
    // reclaiming an assignee: the same, in one step
    ipam.reclaim_assignee(&AssigneeId::new("unit-b")?, "op", "接入撤销").await?;
    now.fetch_add(GRACE_MS - 1, Ordering::SeqCst);
    assert!(ipam.assign(spec("unit-d"), "op").await.is_err());
    now.fetch_add(1, Ordering::SeqCst);
    assert_eq!(ipam.assign(spec("unit-d"), "op").await?.prefix, b.prefix);
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reservations_are_honoured_and_survive_a_rebuild() -> anyhow::Result<()> {
    let h = Harness::tree(&["540000"]).await?;
    let store = h.running(&h.region()).store.clone();
    let ipam = Ipam::new(store.clone(), Policy::default());
    ipam.add_root("2408:8000::/62".parse()?).await?;
    let held: ipnet::IpNet = "2408:8000::/63".parse()?;
    ipam.reserve(held, "骨干网预留", "op").await?;
    // a fresh instance rebuilds the pool from the records
    let fresh = Ipam::new(store, Policy::default());
    for _ in 0..2 {
        let a = fresh.assign(spec("unit-a"), "op").await?;
        assert!(!held.contains(&a.prefix), "{} inside the reservation", a.prefix);
    }
    assert!(fresh.assign(spec("unit-a"), "op").await.is_err(), "only reserved space left");
    let e = fresh.assign(AssignSpec { prefix: Some("2408:8000::/64".parse()?), ..spec("unit-a") }, "op").await;
    assert!(e.is_err(), "an exact prefix inside the reservation is refused");
    fresh.unreserve(held).await?;
    assert!(held.contains(&fresh.assign(spec("unit-a"), "op").await?.prefix));
    h.shutdown().await;
    Ok(())
}
