//! The annual work report (Art.10): produced from a node's records and its
//! subtree's, filed upward like any filing, once per year.

use chrono::Datelike;
use extranet_proto::v1 as pb;
use extranet_tests::{Harness, valid_cutover};
use tonic::Code;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_prefectures_annual_report_counts_its_subtree_and_reaches_the_region() -> anyhow::Result<()> {
    let h = Harness::four().await?;
    let (region, pref) = (h.region(), h.prefecture());
    for county in [h.county_a(), h.county_b()] {
        let f = h.file_cutover(&county, valid_cutover()).await?;
        h.wait_filing(&pref, &f.id, 0).await?;
    }
    let year = chrono::Utc::now().with_timezone(&extranet_node::calendar::beijing()).year();
    let mut filings = h.fed.client(&pref).await?.filings();
    let req = pb::FileAnnualReportRequest { year, notes: "完成县级链路改造".into(), ..Default::default() };
    let filed = filings.file_annual_report(req.clone()).await?.into_inner();
    let Some(pb::filing::Details::AnnualReport(r)) = &filed.details else { panic!("not a report: {filed:?}") };
    assert_eq!((r.year, r.cutovers, r.launches, r.own_filings), (year, 2, 0, 0), "the counties' two cutovers");
    assert_eq!(r.subtree_nodes, 9, "Lhasa and its 8 counties per the topology");
    assert!(r.subtree_reporting >= 1 && r.subtree_reporting <= 3);
    // filed upward like any filing: the region holds it and answers
    let at_region = h.wait_filing(&region, &filed.id, 1).await?;
    assert_eq!(at_region.details, filed.details);
    // once per year; never for a year not yet begun
    let again = filings.file_annual_report(req).await.unwrap_err();
    assert_eq!(again.code(), Code::FailedPrecondition, "{again:?}");
    let future = filings.file_annual_report(pb::FileAnnualReportRequest {
        year: year + 1,
        notes: String::new(),
        ..Default::default()
    });
    assert_eq!(future.await.unwrap_err().code(), Code::InvalidArgument);
    h.shutdown().await;
    Ok(())
}
