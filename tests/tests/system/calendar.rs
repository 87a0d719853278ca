//! The working-day calendar is data the region publishes: a new version
//! reaches every node, every node computes the same due date from it, and
//! the Art.21 notice rule follows it.

use chrono::{Datelike, NaiveDate};
use extranet_node::calendar::{CalendarDocument, today};
use extranet_proto::v1 as pb;
use extranet_tests::{Harness, cutover_on};
use tonic::Code;

async fn due(h: &Harness, n: &extranet_certs::NodeId, from: &str, days: u32) -> anyhow::Result<pb::DueDateResponse> {
    let c = h.fed.client(n).await?;
    Ok(c.calendar().due_date(pb::DueDateRequest { from: from.into(), working_days: days }).await?.into_inner())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_calendar_published_at_the_region_reaches_every_node() -> anyhow::Result<()> {
    let h = Harness::four().await?;
    let (region, county) = (h.region(), h.county_b());

    // Built in: 2026, but not yet 2027 (only weekends known there).
    let before = due(&h, &county, "2027-02-05", 10).await?;
    assert_eq!((before.calendar_version, before.covered), (0, false));
    assert_eq!(before.due, "2027-02-19");

    // 2027 arrives: the Spring Festival week of 2027-02-08…02-12 off, and
    // Saturday 02-20 worked.
    let tsv = "# 测试用 2027 年日历\n\
               date\tkind\tname\tscope\n\
               2027-02-08\toff\t春节\tnational\n2027-02-09\toff\t春节\tnational\n\
               2027-02-10\toff\t春节\tnational\n2027-02-11\toff\t春节\tnational\n\
               2027-02-12\toff\t春节\tnational\n2027-02-20\twork\t春节\tnational\n";
    let region_client = h.fed.client(&region).await?;
    let doc = region_client
        .calendar()
        .publish_calendar(pb::PublishCalendarRequest { tsv: tsv.into(), ..Default::default() })
        .await?;
    let doc = doc.into_inner();
    assert_eq!(doc.version, 1);
    assert_eq!(doc.years, vec![2025, 2026, 2027], "earlier years kept");

    for n in h.fed.nodes() {
        h.wait_calendar(&n.id, 1).await?;
    }
    // By hand: Fri 02-05 + 10 working days: 02-08…02-12 off; 02-15…02-19 → 1…5;
    // Sat 02-20 worked → 6; 02-22…02-25 → 7…10. Due Thu 2027-02-25.
    let at_county = due(&h, &county, "2027-02-05", 10).await?;
    let at_region = due(&h, &region, "2027-02-05", 10).await?;
    assert_eq!(at_county, at_region, "same input, same calendar version, same due date");
    assert_eq!((at_county.due.as_str(), at_county.calendar_version, at_county.covered), ("2027-02-25", 1, true));

    // Only the region publishes.
    let county_client = h.fed.client(&county).await?;
    let err = county_client
        .calendar()
        .publish_calendar(pb::PublishCalendarRequest { tsv: tsv.into(), ..Default::default() })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition, "{err:?}");
    // A bad file names the line and changes nothing.
    let err = region_client
        .calendar()
        .publish_calendar(pb::PublishCalendarRequest { tsv: "2027-03-02\twork\t测试\n".into(), ..Default::default() })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    assert!(err.message().contains("第 1 行"), "{}", err.message());
    assert_eq!(h.running(&region).store.calendar()?.version(), 1);
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_art21_notice_rule_uses_the_published_calendar() -> anyhow::Result<()> {
    let h = Harness::tree(&["540000", "540000/540100", "540000/540100/540102"]).await?;
    let county = h.county_a();
    let start: NaiveDate = CalendarDocument::builtin().work_calendar().add_working_days(today(), 2);

    // The region declares the planned start day a holiday (its year only).
    let tsv = format!("# 测试\n{start}\toff\t测试假日\tregional\n");
    let region = h.fed.client(&h.region()).await?;
    region.calendar().publish_calendar(pb::PublishCalendarRequest { tsv, ..Default::default() }).await?;
    h.wait_calendar(&county, 1).await?;
    assert!(!h.running(&county).store.calendar()?.is_working_day(start), "{}", start.year());

    // Notified today, starting on what is now a holiday: fewer than two
    // working days' notice at the county.
    let err = h.file_cutover(&county, cutover_on(start, today())).await.unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition, "{err:?}");
    h.shutdown().await;
    Ok(())
}
