//! Bad input gets a clear error naming the field and the rule, changes
//! nothing, and the node keeps serving.

use extranet_federation::EventStore;
use extranet_node::calendar::{CalendarDocument, today};
use extranet_proto::v1 as pb;
use extranet_tests::{Harness, cutover_on, valid_cutover};
use tonic::Code;

/// Everything a node holds that a write could have changed.
fn footprint(
    h: &Harness,
    n: &extranet_certs::NodeId,
) -> anyhow::Result<(usize, Vec<(extranet_federation::StreamId, u64)>)> {
    let r = h.running(n);
    Ok((r.store.filings(None, usize::MAX)?.len(), r.store.cursors()?))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn short_notice_cutover_is_refused_and_nothing_written() -> anyhow::Result<()> {
    let h = Harness::tree(&["540000", "540000/540100", "540000/540100/540102"]).await?;
    let county = h.county_a();
    let before = footprint(&h, &county)?;
    let cal = CalendarDocument::builtin().work_calendar();
    // notified today, starting only one working day later
    let start = cal.add_working_days(today(), 1);
    let err = h.file_cutover(&county, cutover_on(start, today())).await.unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition, "{err:?}");
    let compliant = cal.add_working_days(today(), 2).to_string();
    assert!(err.message().contains("2 个工作日"), "{}", err.message());
    assert!(err.message().contains(&compliant), "names the date that would comply: {}", err.message());
    assert_eq!(footprint(&h, &county)?, before, "nothing written");
    h.shutdown().await;
    Ok(())
}

async fn expect_invalid(h: &Harness, c: pb::CutoverDetails, field: &str) {
    let err = h.file_cutover(&h.county_a(), c).await.unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument, "{field}: {err:?}");
    assert!(err.message().contains(field), "message names {field}: {}", err.message());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_requests_name_the_field_and_change_nothing() -> anyhow::Result<()> {
    let h = Harness::tree(&["540000", "540000/540100", "540000/540100/540102"]).await?;
    let county = h.county_a();
    let before = footprint(&h, &county)?;

    expect_invalid(&h, pb::CutoverDetails { affected_units: vec![], ..valid_cutover() }, "cutover.affected_units")
        .await;
    expect_invalid(&h, pb::CutoverDetails { description: "  ".into(), ..valid_cutover() }, "cutover.description").await;
    expect_invalid(
        &h,
        pb::CutoverDetails { window_start: "明天晚上".into(), ..valid_cutover() },
        "cutover.window_start",
    )
    .await;
    expect_invalid(
        &h,
        pb::CutoverDetails { notified_on: "2026/12/01".into(), ..valid_cutover() },
        "cutover.notified_on",
    )
    .await;
    let v = valid_cutover();
    let backwards = pb::CutoverDetails { window_start: v.window_end.clone(), window_end: v.window_start.clone(), ..v };
    expect_invalid(&h, backwards, "cutover.window_end").await;

    let client = h.fed.client(&county).await?;
    let missing = client
        .filings()
        .file_cutover(pb::FileCutoverRequest { cutover: None, ..Default::default() })
        .await
        .unwrap_err();
    assert_eq!(missing.code(), Code::InvalidArgument);
    assert!(missing.message().contains("cutover"), "{}", missing.message());

    let bad_launch = pb::LaunchDetails { addresses: vec!["2001:db8::/129".into()], ..Default::default() };
    let err = client
        .filings()
        .file_launch(pb::FileLaunchRequest { launch: Some(bad_launch), ..Default::default() })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    assert!(err.message().contains("launch.addresses"), "{}", err.message());

    for subtree in ["540000/99", "abc", "540000/540100/540100"] {
        let err = client
            .filings()
            .list_filings(pb::ListFilingsRequest { subtree: subtree.into(), ..Default::default() })
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument, "unknown division code {subtree}");
        assert!(err.message().contains("subtree"), "{}", err.message());
    }
    let err = client.filings().get_filing(pb::GetFilingRequest { id: "F-1".into() }).await.unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);

    assert_eq!(footprint(&h, &county)?, before, "nothing written by any refused request");
    // and the node keeps serving
    let ok = h.file_cutover(&county, valid_cutover()).await?;
    h.wait_filing(&h.region(), &ok.id, 1).await?;
    h.shutdown().await;
    Ok(())
}
