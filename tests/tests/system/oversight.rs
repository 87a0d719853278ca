//! Regional oversight: summaries roll up the tree, staleness is visible,
//! nothing disappears, and totals add up — on the real 82-division topology.

use std::time::Duration;

use extranet_proto::v1 as pb;
use extranet_tests::{Harness, id, row, valid_cutover, valid_form, valid_unit, xizang_paths};

/// Ngari prefecture (阿里地区) and one of its remote counties, Gêrzê (改则县).
const NGARI: &str = "540000/542500";
const GERZE: &str = "540000/542500/542526";

fn all_ok(v: &pb::OversightView) -> bool {
    v.rows.iter().all(|r| r.health() == pb::Health::Ok)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_region_rolls_up_to_the_region() -> anyhow::Result<()> {
    let paths = xizang_paths();
    let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
    assert_eq!(refs.len(), 82);
    let h = Harness::tree(&refs).await?;
    let region = id("540000");
    let v = h.wait_oversight(&region, "all 82 healthy", Duration::from_secs(120), all_ok).await?;
    assert_eq!(v.rows.len(), 82, "the region and its 81 descendants");
    assert_eq!(v.rows.iter().filter(|r| r.node != "540000").count(), 81);

    // a remote county in Ngari files a cutover; the region receives it and
    // its oversight counts it in Ngari's and the region's totals
    let filed = h.file_cutover(&id(GERZE), valid_cutover()).await?;
    h.wait_filing(&region, &filed.id, 1).await?;
    let v = h
        .wait_oversight(&region, "Gêrzê's filing counted", Duration::from_secs(30), |v| {
            row(v, GERZE).subtree.unwrap_or_default().filings == 1
        })
        .await?;
    assert_eq!(row(&v, NGARI).subtree.unwrap().filings, 1, "Ngari's total");
    assert_eq!(row(&v, NGARI).subtree.unwrap().nodes, 8, "Ngari and its 7 counties");
    assert_eq!(row(&v, "540000").subtree.unwrap().filings, 1, "the region's total");
    // per-prefecture totals cover all 81 descendants between them
    let prefectures: Vec<&pb::OversightRow> = v.rows.iter().filter(|r| r.level == "prefecture").collect();
    assert_eq!(prefectures.len(), 7);
    assert_eq!(prefectures.iter().map(|r| r.subtree.unwrap().nodes).sum::<u32>(), 81);
    // a prefecture sees exactly its own subtree
    let at_ngari = h.oversight(&id(NGARI))?;
    assert_eq!(at_ngari.rows.len(), 8);
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counties_behind_a_stopped_prefecture_turn_stale_and_recover() -> anyhow::Result<()> {
    let mut h = Harness::four().await?;
    let (region, pref) = (h.region(), h.prefecture());
    let quiet = [pref.to_string(), h.county_a().to_string(), h.county_b().to_string()];
    let patience = Duration::from_secs(30);
    let v = h
        .wait_oversight(&region, "the four nodes healthy", patience, |v| {
            quiet.iter().all(|n| row(v, n).health() == pb::Health::Ok)
        })
        .await?;
    let rows_before = v.rows.len();

    h.fed.stop(&pref).await?;
    let v = h
        .wait_oversight(&region, "the prefecture and its counties stale", patience, |v| {
            quiet.iter().all(|n| row(v, n).health() == pb::Health::Stale)
        })
        .await?;
    assert_eq!(v.rows.len(), rows_before, "nothing is dropped from the view");
    for n in &quiet {
        let r = row(&v, n);
        assert!(r.age_ms > v.stale_after_ms, "{n}: stale shows the age of its last report");
        assert!(r.summary.is_some(), "{n}: its last report is kept");
    }
    assert_eq!(row(&v, "540000").health(), pb::Health::Ok);

    h.fed.start(&pref).await?;
    h.wait_oversight(&region, "recovered", patience, |v| {
        v.rows.len() == rows_before && quiet.iter().all(|n| row(v, n).health() == pb::Health::Ok)
    })
    .await?;
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_county_that_never_connects_is_listed_as_never_connected() -> anyhow::Result<()> {
    let mut h = Harness::created(extranet_tests::FOUR)?;
    let (region, pref, county_a, silent) = (h.region(), h.prefecture(), h.county_a(), h.county_b());
    for n in [&region, &pref, &county_a] {
        h.fed.start(n).await?;
    }
    let v = h
        .wait_oversight(&region, "county A healthy", Duration::from_secs(30), |v| {
            row(v, county_a.as_str()).health() == pb::Health::Ok
        })
        .await?;
    let r = row(&v, silent.as_str());
    assert_eq!(r.health(), pb::Health::NeverConnected);
    assert!(r.summary.is_none());
    assert_eq!(r.name_zh, "堆龙德庆区");
    // Lhasa's other counties in the topology were never started either
    let lhasa = row(&v, pref.as_str()).subtree.unwrap();
    assert_eq!(lhasa.never_connected, lhasa.nodes - 2, "all but Lhasa and county A");
    // and the prefecture, which configured nothing about it, says the same —
    // through the gRPC service an operator's `extranet oversight` calls
    let mut client = h.fed.client(&pref).await?.oversight();
    let at_pref = client.get_oversight(pb::GetOversightRequest {}).await?.into_inner();
    assert_eq!(row(&at_pref, silent.as_str()).health(), pb::Health::NeverConnected);
    assert!(at_pref.rows.iter().all(|r| r.node.starts_with(pref.as_str())), "a prefecture sees only its subtree");
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn totals_at_the_region_equal_the_sum_of_the_counties_own_figures() -> anyhow::Result<()> {
    let tree = ["540000", "540000/540100", "540000/540100/540102", "540000/540100/540103", NGARI, GERZE];
    let h = Harness::tree(&tree).await?;
    let counties = [tree[2], tree[3], tree[5]];
    let filed = [2u64, 1, 3];
    for (county, n) in counties.iter().zip(filed) {
        for _ in 0..n {
            let f = h.file_cutover(&id(county), valid_cutover()).await?;
            h.wait_filing(&id("540000"), &f.id, 1).await?;
        }
    }
    // each county's own figures, from its own summary
    let mut own_sum = 0;
    let own = |v: &pb::OversightView, county: &str| -> u64 {
        row(v, county).summary.as_ref().map_or(0, |s| s.filings.iter().map(|f| f.count).sum())
    };
    for (county, n) in counties.into_iter().zip(filed) {
        let v = h
            .wait_oversight(&id(county), "own filings counted", Duration::from_secs(30), |v| own(v, county) == n)
            .await?;
        own_sum += own(&v, county);
    }
    assert_eq!(own_sum, 6);
    let v = h
        .wait_oversight(&id("540000"), "region totals", Duration::from_secs(30), |v| {
            row(v, "540000").subtree.unwrap_or_default().filings == own_sum
        })
        .await?;
    assert_eq!(row(&v, "540000/540100").subtree.unwrap().filings, 3);
    assert_eq!(row(&v, NGARI).subtree.unwrap().filings, 3);
    h.shutdown().await;
    Ok(())
}

/// A change to a county's units or applications — not only its filings —
/// reaches the region's view at once: the periodic summary here comes
/// once an hour, so only a prompt one can carry it within the patience.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unit_or_application_change_reaches_the_region_without_waiting_for_the_interval() -> anyhow::Result<()> {
    let county = "540000/540100/540102";
    let mut h = Harness::created(&["540000", "540000/540100", county])?;
    h.fed.configure(|c| {
        c.oversight.summary_interval_secs = 3_600;
        c.oversight.stale_after_secs = 7_200;
    })?;
    h.fed.start_all().await?;
    let patience = Duration::from_secs(30);
    let units = |v: &pb::OversightView| {
        row(v, county).summary.as_ref().and_then(|s| s.units.clone()).map_or(0, |u| u.by_status.values().sum::<u64>())
    };
    let lodged = |v: &pb::OversightView| {
        let apps = row(v, county).summary.as_ref().and_then(|s| s.applications.clone());
        apps.map_or(0, |a| a.by_state.values().sum::<u64>())
    };
    h.wait_oversight(&id("540000"), "the county's first summary", patience, |v| row(v, county).summary.is_some())
        .await?;
    h.register_unit(&id(county), valid_unit("u0001", county)).await?;
    let v = h.wait_oversight(&id("540000"), "the county's unit counted", patience, |v| units(v) == 1).await?;
    assert_eq!(lodged(&v), 0);
    let unit = h.unit_client(&id(county), "u0001").await?;
    let form = valid_form(pb::AccessSpan::Local);
    let request = pb::SubmitRequest {
        unit_id: "u0001".into(),
        kind: pb::ApplicationKind::New as i32,
        form: Some(form),
        ..Default::default()
    };
    unit.access().submit(request).await?;
    h.wait_oversight(&id("540000"), "the county's application counted", patience, |v| lodged(v) == 1).await?;
    h.shutdown().await;
    Ok(())
}
