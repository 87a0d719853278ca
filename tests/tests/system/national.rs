//! A national tree, four levels deep, in miniature (the 3,442-node one is
//! `benches/national.rs`): the nation's certificates, name constraints and
//! oversight hold for a county four levels down.
//!
//! ```text
//!                 100000 (nation)
//!          ┌────────┴────────┐
//!        110000            540000        provinces (real codes)
//!      ┌───┴───┐         ┌───┴───┐
//!   110100  110200    540100  540200     prefectures (generated)
//!    ├ 110101 …         ├ 540101 …        2 counties each
//! ```

use std::time::Duration;

use extranet_proto::v1 as pb;
use extranet_tests::national::national_tsv;
use extranet_tests::{Harness, id, row, valid_cutover};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_county_four_levels_down_reaches_the_nation() -> anyhow::Result<()> {
    // two of the generated provinces, each with 2 prefectures of 2 counties
    let text: String = national_tsv(2, 2)
        .lines()
        .filter(|l| !l.starts_with(|c: char| c.is_ascii_digit()) || l.starts_with("10") || l.starts_with("11"))
        .chain(national_tsv(2, 2).lines().filter(|l| l.starts_with("54")))
        .map(|l| format!("{l}\n"))
        .collect();
    let topo = extranet_node::topology::Topology::parse(&text)?;
    let paths: Vec<String> = topo.ids().iter().map(|i| i.to_string()).collect();
    assert_eq!(paths.len(), 1 + 2 + 4 + 8);
    let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
    let mut h = Harness::created(&refs)?;
    let file = h.fed.root.join("national.tsv");
    std::fs::write(&file, &text)?;
    h.fed.configure(|c| c.oversight.topology = Some(file.clone()))?;
    h.fed.start_all().await?;

    let nation = id("100000");
    let all_ok = |v: &pb::OversightView| v.rows.len() == 15 && v.rows.iter().all(|r| r.health() == pb::Health::Ok);
    h.wait_oversight(&nation, "all 15 healthy", Duration::from_secs(60), all_ok).await?;

    let county = "100000/540000/540200/540202";
    let filed = h.file_cutover(&id(county), valid_cutover()).await?;
    // a receipt from each of the three levels above
    let at_county = h.wait_filing(&id(county), &filed.id, 3).await?;
    assert_eq!(at_county.receipts.len(), 3, "prefecture, province and nation each answered");
    h.wait_filing(&nation, &filed.id, 1).await?;
    let v = h
        .wait_oversight(&nation, "the county's filing counted", Duration::from_secs(30), |v| {
            row(v, county).subtree.unwrap_or_default().filings == 1
        })
        .await?;
    for above in ["100000/540000/540200", "100000/540000", "100000"] {
        assert_eq!(row(&v, above).subtree.unwrap().filings, 1, "{above}'s total counts it");
    }
    assert_eq!(row(&v, "100000/110000").subtree.unwrap().filings, 0, "not another province's");
    assert_eq!(row(&v, "100000/540000").subtree.unwrap().nodes, 7, "the province, 2 prefectures, 4 counties");
    h.shutdown().await;
    Ok(())
}
