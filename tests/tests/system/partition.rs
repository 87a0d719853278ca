//! Counties keep taking filings while a level above is down; when it returns,
//! everything arrives at the region exactly once and in per-origin order.

use extranet_certs::NodeId;
use extranet_tests::{Harness, valid_cutover};

const PER_COUNTY: usize = 5;

async fn file_many(h: &Harness, county: &NodeId) -> anyhow::Result<Vec<String>> {
    let mut ids = Vec::new();
    for _ in 0..PER_COUNTY {
        ids.push(h.file_cutover(county, valid_cutover()).await?.id);
    }
    Ok(ids)
}

/// Checks that the region holds each county's events once, dense and in
/// order, and every filing they announce.
fn assert_complete(h: &Harness, county: &NodeId, ids: &[String]) -> anyhow::Result<()> {
    let events = h.up_events(&h.region(), county)?;
    let seqs: Vec<u64> = events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=ids.len() as u64).collect::<Vec<_>>(), "dense, ordered, no duplicates from {county}");
    for id in ids {
        assert!(h.running(&h.region()).store.filing(id)?.is_some(), "{id} at region");
    }
    Ok(())
}

async fn survive_outage_of(which: fn(&Harness) -> NodeId) -> anyhow::Result<()> {
    let mut h = Harness::four().await?;
    let down = which(&h);
    h.fed.stop(&down).await?;

    let (a, b) = (h.county_a(), h.county_b());
    let ids_a = file_many(&h, &a).await?;
    let ids_b = file_many(&h, &b).await?;

    h.fed.start(&down).await?;
    for id in ids_a.iter().chain(&ids_b) {
        h.wait_filing(&h.region(), id, 1).await?;
    }
    for id in ids_a.iter().chain(&ids_b) {
        h.wait_filing(&id_origin(&h, id), id, 2).await?;
    }
    assert_complete(&h, &a, &ids_a)?;
    assert_complete(&h, &b, &ids_b)?;
    assert_eq!(h.running(&h.region()).store.filings(None, 1000)?.len(), 2 * PER_COUNTY);
    h.shutdown().await;
    Ok(())
}

fn id_origin(h: &Harness, filing: &str) -> NodeId {
    if filing.starts_with(h.county_a().code()) { h.county_a() } else { h.county_b() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prefecture_outage_loses_nothing() -> anyhow::Result<()> {
    survive_outage_of(|h| h.prefecture()).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn region_outage_loses_nothing() -> anyhow::Result<()> {
    survive_outage_of(|h| h.region()).await
}
