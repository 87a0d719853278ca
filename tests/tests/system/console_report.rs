//! The console's `/report` page (Art.10): the prefecture's operator sees the
//! year's figures and, by name, the nodes of its subtree that have not
//! reported; the printable report stands on its own; a bad year is answered
//! 400 naming it; a unit cannot open it.

use chrono::Datelike;
use extranet_tests::{FOUR, Harness, valid_unit};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_operator_previews_the_annual_report_and_prints_it() -> anyhow::Result<()> {
    let h = Harness::with_consoles(&FOUR[..3]).await?;
    let (pref, county) = (h.prefecture(), h.county_a());
    h.register_unit(&county, valid_unit("u0001", FOUR[2])).await?;
    let op = h.operator_web(&pref).await?;
    let year = extranet_node::calendar::today().year();
    let page = op.get(&format!("/report?year={year}")).await?;
    assert_eq!(page.status, 200, "{page:?}");
    assert!(page.body.contains(&format!("{year} 年度工作开展情况报告")), "{}", page.body);
    let missing = page.body.split("尚未报送：").nth(1).unwrap_or_default();
    assert!(missing.contains(&format!("城关区（{county}）")), "the county not reported, by name: {missing}");
    let printed = op.get(&format!("/report/document?year={year}")).await?;
    assert_eq!(printed.status, 200, "{printed:?}");
    assert!(printed.body.contains("年度政务外网工作开展情况报告") && printed.body.contains("一、主要数据"));
    let bad = op.get("/report?year=abc").await?;
    assert!(bad.status == 400 && bad.body.contains("year"), "{bad:?}");
    let unit = h.unit_web(&county, "u0001").await?;
    assert_eq!(unit.get("/report").await?.status, 403, "operators only");
    h.shutdown().await;
    Ok(())
}
