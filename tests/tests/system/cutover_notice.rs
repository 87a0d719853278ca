//! Cutover notices reach the units (Art.21, first half), on real nodes
//! with consoles:
//!
//! ```text
//!   region 540000 ── prefecture 540100 ── county 540102  (units cg-office, u0002)
//! ```
//!
//! The affected units of a cutover are units registered at the filing
//! node; filing issues the notice (割接通知) that day, and the
//! two-working-day rule counts from that day, not from a date typed in.
//! The affected unit reads the notice by CLI call and in its console; a
//! unit not named does not.

use chrono::Duration;
use extranet_node::calendar::{CalendarDocument, beijing, today};
use extranet_proto::v1 as pb;
use extranet_tests::{CUTOVER_UNIT, FOUR, Harness, cutover_on, valid_cutover, valid_unit};
use tonic::Code;

fn file(c: pb::CutoverDetails) -> pb::FileCutoverRequest {
    pb::FileCutoverRequest { cutover: Some(c), ..Default::default() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cutover_naming_an_unregistered_unit_a_typed_notice_date_or_a_past_window_is_refused_and_writes_nothing()
-> anyhow::Result<()> {
    let h = Harness::four().await?;
    let county = h.county_a();
    h.cutover_unit(&county).await?;
    let mut op = h.fed.client(&county).await?.filings();
    let unregistered =
        pb::CutoverDetails { affected_units: vec![CUTOVER_UNIT.into(), "u0404".into()], ..valid_cutover() };
    let yesterday = (today() - Duration::days(1)).to_string();
    let started = {
        let start = (chrono::Utc::now() - Duration::minutes(5)).with_timezone(&beijing());
        let end = start + Duration::hours(1);
        pb::CutoverDetails { window_start: start.to_rfc3339(), window_end: end.to_rfc3339(), ..valid_cutover() }
    };
    let cases = [
        (unregistered, Code::InvalidArgument, vec!["cutover.affected_units", "u0404"]),
        (
            pb::CutoverDetails { notified_on: yesterday.clone(), ..valid_cutover() },
            Code::InvalidArgument,
            vec!["cutover.notified_on", &yesterday],
        ),
        (
            pb::CutoverDetails { contact: String::new(), ..valid_cutover() },
            Code::InvalidArgument,
            vec!["cutover.contact"],
        ),
        (started, Code::FailedPrecondition, vec!["已过", "第二十一条"]),
    ];
    for (c, code, says) in cases {
        let e = op.file_cutover(file(c.clone())).await.expect_err("refused");
        assert_eq!(e.code(), code, "{c:?}: {}", e.message());
        for s in says {
            assert!(e.message().contains(s), "“{}” should name {s}", e.message());
        }
    }
    assert!(h.running(&county).store.filings(None, 10)?.is_empty(), "nothing written");
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_two_working_days_count_from_the_notice_the_system_issued_and_the_affected_unit_sees_it()
-> anyhow::Result<()> {
    let h = Harness::with_consoles(&FOUR[..3]).await?;
    let county = h.county_a();
    h.cutover_unit(&county).await?;
    h.register_unit(&county, valid_unit("u0002", FOUR[2])).await?;
    let mut op = h.fed.client(&county).await?.filings();
    let cal = CalendarDocument::builtin().work_calendar();
    // one working day after today is too soon, whatever notice date is claimed
    let too_soon = cutover_on(cal.add_working_days(today(), 1), today());
    let e = op.file_cutover(file(too_soon)).await.expect_err("one working day");
    let earliest = cal.add_working_days(today(), 2).to_string();
    assert_eq!(e.code(), Code::FailedPrecondition, "{}", e.message());
    assert!(e.message().contains(&earliest), "names the earliest start {earliest}: {}", e.message());

    let c = pb::CutoverDetails { notified_on: String::new(), ..valid_cutover() };
    let filed = op.file_cutover(file(c)).await?.into_inner();
    let Some(pb::filing::Details::Cutover(held)) = &filed.details else { panic!("a cutover") };
    assert_eq!(held.notified_on, today().to_string(), "the notice is dated the day it was issued");
    assert_eq!(held.affected_unit_names, vec!["城关区人民政府办公室".to_string()]);

    // the affected unit sees the cutover and reads its notice; another unit does not
    let unit = h.unit_client(&county, CUTOVER_UNIT).await?;
    let listed = unit.filings().list_filings(pb::ListFilingsRequest::default()).await?.into_inner().filings;
    assert_eq!(listed.iter().map(|f| f.id.as_str()).collect::<Vec<_>>(), vec![filed.id.as_str()]);
    let get = pb::GetFilingRequest { id: filed.id.clone() };
    let notice = unit.filings().get_cutover_notice(get.clone()).await?.into_inner();
    let start = chrono::DateTime::parse_from_rfc3339(&held.window_start)?.with_timezone(&beijing());
    let window = start.format("%Y年%-m月%-d日 %H:%M").to_string();
    for want in ["城关区人民政府办公室：", window.as_str(), "汇聚交换机升级", "扎西 0891-6812345", "第二十一条"]
    {
        assert!(notice.text.contains(want), "{want} in {}", notice.text);
    }
    assert_eq!(notice.issued_on, today().to_string());
    let other = h.unit_client(&county, "u0002").await?;
    let e = other.filings().get_cutover_notice(get).await.expect_err("not named");
    assert_eq!(e.code(), Code::NotFound);
    assert!(other.filings().list_filings(pb::ListFilingsRequest::default()).await?.into_inner().filings.is_empty());

    // and in its console: the notice on its front page, printable
    let web = h.unit_web(&county, CUTOVER_UNIT).await?;
    let home = web.get("/").await?.body;
    assert!(home.contains("割接通知（1）") && home.contains(&format!("/filings/{}/notice", filed.id)), "{home}");
    let page = web.get(&format!("/filings/{}/notice", filed.id)).await?;
    assert!(page.status == 200 && page.body.contains("政务外网割接通知") && page.body.contains("@page"), "{page:?}");
    h.shutdown().await;
    Ok(())
}
