//! A cutover filed at a county travels county → prefecture → region exactly
//! once, and a receipt from each level travels back down to the county.

use extranet_federation::{Channel, EventStore, Route, StreamId};
use extranet_node::codec::KIND_FILING;
use extranet_tests::{Harness, PATIENCE, eventually, valid_cutover};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cutover_reaches_region_once_and_receipts_come_back() -> anyhow::Result<()> {
    let h = Harness::four().await?;
    let (region, pref, county) = (h.region(), h.prefecture(), h.county_a());

    let filed = h.file_cutover(&county, valid_cutover()).await?;
    assert_eq!(filed.origin, county.to_string());
    assert!(filed.receipts.is_empty(), "acknowledged at the origin before any level above has it");

    let at_region = h.wait_filing(&region, &filed.id, 1).await?;
    assert_eq!(at_region.origin, county.to_string());
    assert_eq!(at_region.receipts.len(), 1);
    assert_eq!(at_region.receipts[0].node, region.to_string());

    let at_county = h.wait_filing(&county, &filed.id, 2).await?;
    let mut levels: Vec<&str> = at_county.receipts.iter().map(|r| r.node.as_str()).collect();
    levels.sort();
    assert_eq!(levels, vec![region.as_str(), pref.as_str()], "one receipt from each level above");

    // exactly once, with origin and sequence unchanged by the relay
    for at in [&pref, &region] {
        let events = h.up_events(at, &county)?;
        assert_eq!(events.len(), 1, "{at} holds the county's event exactly once");
        assert_eq!((events[0].seq, events[0].route.clone(), events[0].kind.as_str()), (1, Route::Up, KIND_FILING));
        assert_eq!(events[0].origin, county);
    }
    assert_eq!(h.running(&region).store.filings(None, 100)?.len(), 1);
    // the other county is not bothered with it
    assert!(h.running(&h.county_b()).store.filing(&filed.id)?.is_none());
    h.shutdown().await;
    Ok(())
}

/// Real nodes over mutual TLS: the prefecture relays the region's receipt
/// for county A to county A only; county B stores none of it, yet its
/// cursor of the region's down stream moves past it, and nothing is owed
/// to it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_other_county_stores_none_of_the_regions_receipts_for_its_neighbour() -> anyhow::Result<()> {
    let h = Harness::four().await?;
    let (region, pref, a, b) = (h.region(), h.prefecture(), h.county_a(), h.county_b());
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(h.file_cutover(&a, valid_cutover()).await?.id);
    }
    for id in &ids {
        h.wait_filing(&a, id, 2).await?;
    }
    let down = StreamId { origin: region.clone(), channel: Channel::Down };
    let cursor = |n: &extranet_certs::NodeId| -> anyhow::Result<u64> {
        let all = h.running(n).store.cursors()?;
        Ok(all.into_iter().find(|(s, _)| *s == down).map_or(0, |(_, c)| c))
    };
    let at_region = cursor(&region)?;
    assert!(at_region >= 3, "the region wrote a receipt for each filing: {at_region}");
    let held =
        |n: &extranet_certs::NodeId| -> anyhow::Result<usize> { Ok(h.running(n).store.read(&down, 0, 1000)?.len()) };
    assert_eq!(held(&pref)?, usize::try_from(at_region)?, "the region's child holds its whole stream");
    assert_eq!(held(&a)?, 3, "county A holds its three receipts");
    let b_cursor = eventually("county B past the region's receipts", PATIENCE, async || {
        let c = cursor(&b)?;
        Ok((c == at_region, c))
    })
    .await?;
    assert_eq!(b_cursor, at_region);
    assert_eq!(held(&b)?, 0, "county B stores none of county A's receipts");
    let owed = eventually("nothing owed to county B", PATIENCE, async || {
        let st = h.running(&pref).engine.status()?;
        let kid = st.children.into_iter().find(|k| k.node == b).map(|k| k.outbound.count);
        Ok((kid == Some(0), kid))
    })
    .await?;
    assert_eq!(owed, Some(0));
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn launch_filing_travels_too() -> anyhow::Result<()> {
    let h = Harness::four().await?;
    let county = h.county_b();
    h.give_pool(&county).await?;
    h.register_unit(&county, extranet_tests::valid_unit("u0001", "540000/540100/540103")).await?;
    let client = h.fed.client(&county).await?;
    let assign = extranet_proto::v1::AssignRequest {
        purpose: extranet_proto::v1::Purpose::InformationSystem as i32,
        assignee: "u0001".into(),
        serves: "政务服务平台".into(),
        ..Default::default()
    };
    let prefix = client.ipam().assign(assign).await?.into_inner().prefix;
    let launch = extranet_proto::v1::LaunchDetails {
        system_name: "堆龙德庆区政务服务平台".into(),
        owning_unit: "u0001".into(),
        launch_date: extranet_node::calendar::today().to_string(),
        addresses: vec![prefix],
        security_test_ref: "XZ-CP-2026-0088".into(),
        assignment_ids: Vec::new(),
    };
    let f = client
        .filings()
        .file_launch(extranet_proto::v1::FileLaunchRequest { launch: Some(launch), ..Default::default() })
        .await?
        .into_inner();
    let at_region = h.wait_filing(&h.region(), &f.id, 1).await?;
    assert!(matches!(at_region.details, Some(extranet_proto::v1::filing::Details::Launch(_))));
    h.wait_filing(&county, &f.id, 2).await?;
    h.shutdown().await;
    Ok(())
}
