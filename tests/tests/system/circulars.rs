//! Circulars down the tree (Art.28, Art.29):
//!
//! ```text
//!   540000 (region)
//!     ├── 540100 (拉萨市, issues)
//!     │     ├── 540102 (u0001 named, u0002 not)
//!     │     └── 540103
//!     └── 540200
//!           └── 540202
//! ```
//!
//! A circular issued at 540100 reaches both its counties and no county of
//! 540200; its document names the authority and the article; the unit
//! named sees it with its certificate, another unit does not; bad input
//! names the field and writes nothing.

use extranet_proto::v1 as pb;
use extranet_tests::{Harness, PATIENCE, eventually, id, row, valid_unit};
use tonic::Code;

const TREE: &[&str] = &[
    "540000",
    "540000/540100",
    "540000/540100/540102",
    "540000/540100/540103",
    "540000/540200",
    "540000/540200/540202",
];

fn content(kind: pb::CircularKind, units: Vec<pb::CircularUnit>) -> pb::CircularContent {
    pb::CircularContent {
        kind: kind as i32,
        title: "城关区教育局未落实终端防护".into(),
        facts: "经检查，该单位办公终端未安装终端管理软件。".into(),
        requirements: "各单位对照排查，限期整改。".into(),
        units,
        inspections: vec!["2026-春季检查-07".into()],
        ..Default::default()
    }
}

fn named(node: &str, unit: &str) -> pb::CircularUnit {
    pb::CircularUnit { node: node.into(), unit_id: unit.into(), name: "城关区教育局".into() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_circular_of_a_prefecture_reaches_its_counties_only_and_names_its_authority_and_article() -> anyhow::Result<()>
{
    let h = Harness::tree(TREE).await?;
    let (lhasa, cg, dz, shigatse, sz) = (id(TREE[1]), id(TREE[2]), id(TREE[3]), id(TREE[4]), id(TREE[5]));
    for u in ["u0001", "u0002"] {
        h.register_unit(&cg, valid_unit(u, TREE[2])).await?;
    }
    let op = h.fed.client(&lhasa).await?;
    // bad input: named, and nothing written
    let err = op
        .circulars()
        .issue(pb::IssueCircularRequest {
            content: Some(content(pb::CircularKind::DutyFailure, vec![])),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert!(err.code() == Code::InvalidArgument && err.message().contains("units"), "{err:?}");
    let far = vec![named(TREE[5], "u0009")];
    let err = op
        .circulars()
        .issue(pb::IssueCircularRequest {
            content: Some(content(pb::CircularKind::DutyFailure, far)),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert!(
        err.code() == Code::InvalidArgument && err.message().contains("units"),
        "another prefecture's unit: {err:?}"
    );
    assert!(h.running(&lhasa).store.circulars()?.is_empty(), "the refusals wrote nothing");
    let c = op
        .circulars()
        .issue(pb::IssueCircularRequest {
            content: Some(content(pb::CircularKind::DutyFailure, vec![named(TREE[2], "u0001")])),
            ..Default::default()
        })
        .await?
        .into_inner();
    let notice = c.notice.clone().unwrap();
    assert!(notice.number.starts_with("540100〔") && notice.number.ends_with("〕通001号"), "{}", notice.number);
    for part in ["540100", "政务外网主管部门", "第二十九条第（一）项", "城关区教育局", "u0001", "2026-春季检查-07"]
    {
        assert!(notice.text.contains(part), "the document has {part}: {}", notice.text);
    }
    // both counties of 540100 hold it
    for county in [&cg, &dz] {
        let s = h.running(county).store.clone();
        eventually("the county to hold the circular", PATIENCE, async || Ok(s.circular(&c.id)?.ok_or("not yet")))
            .await?;
    }
    // 540200 issues one of its own; once its county holds that, it still lacks 540100's
    let other = h
        .fed
        .client(&shigatse)
        .await?
        .circulars()
        .issue(pb::IssueCircularRequest {
            content: Some(content(pb::CircularKind::SecurityEvent, vec![])),
            ..Default::default()
        })
        .await?
        .into_inner();
    assert!(other.notice.unwrap().text.contains("第二十八条"));
    let s = h.running(&sz).store.clone();
    eventually("540202 to hold 540200's circular", PATIENCE, async || Ok(s.circular(&other.id)?.ok_or("not yet")))
        .await?;
    for elsewhere in [&sz, &shigatse, &h.region()] {
        assert!(h.running(elsewhere).store.circular(&c.id)?.is_none(), "{elsewhere} is outside 540100's subtree");
    }
    assert!(h.running(&cg).store.circular(&other.id)?.is_none(), "540102 is outside 540200's subtree");
    // the unit named sees it in its history; another unit does not
    let u1 = h.unit_client(&cg, "u0001").await?;
    let listed = u1.circulars().list(pb::ListCircularsRequest::default()).await?.into_inner();
    assert_eq!(listed.circulars.iter().map(|x| x.id.as_str()).collect::<Vec<_>>(), vec![c.id.as_str()]);
    let u2 = h.unit_client(&cg, "u0002").await?;
    assert!(u2.circulars().list(pb::ListCircularsRequest::default()).await?.into_inner().circulars.is_empty());
    let err = u2.circulars().get(pb::GetCircularRequest { id: c.id.clone() }).await.unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
    let by_unit = h
        .fed
        .client(&cg)
        .await?
        .circulars()
        .list(pb::ListCircularsRequest { unit_id: "u0001".into(), ..Default::default() })
        .await?
        .into_inner();
    assert_eq!(by_unit.circulars.len(), 1, "the county's operator lists u0001's circulars");
    // oversight counts what each authority issued this year
    let region = h.region().to_string();
    let v = h
        .wait_oversight(&h.region(), "two circulars counted", PATIENCE, |v| {
            row(v, &region).subtree.as_ref().is_some_and(|t| t.circulars_issued_this_year == 2)
        })
        .await?;
    assert_eq!(row(&v, lhasa.as_str()).subtree.unwrap().circulars_issued_this_year, 1);
    h.shutdown().await;
    Ok(())
}

/// The console: an operator issues a circular through the form; it heads
/// the front page of its county and of the unit it names, and its
/// document prints as its own A4 page citing the article.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_circular_issued_in_the_console_is_on_the_front_pages_and_prints() -> anyhow::Result<()> {
    let h = Harness::with_consoles(&TREE[..3]).await?;
    let (lhasa, cg) = (id(TREE[1]), id(TREE[2]));
    h.register_unit(&cg, valid_unit("u0001", TREE[2])).await?;
    let op = h.operator_web(&lhasa).await?;
    let fields = [
        ("kind", "3"),
        ("title", "城关区教育局拒绝监督检查"),
        ("facts", "该单位拒绝检查组进入机房。"),
        ("units", "540000/540100/540102:u0001=城关区教育局"),
    ];
    let issued = op.post_form("/circulars/new", "/circulars/new", &fields).await?;
    assert_eq!(issued.status, 303, "{issued:?}");
    let cid = issued.location().rsplit('/').next().unwrap().to_string();
    let printed = op.get(&format!("/circulars/{cid}/document")).await?;
    assert!(printed.body.contains("第二十九条第（二）项") && printed.body.contains("@page"), "{}", printed.body);
    let s = h.running(&cg).store.clone();
    eventually("the county to hold the circular", PATIENCE, async || Ok(s.circular(&cid)?.ok_or("not yet"))).await?;
    let county_home = h.operator_web(&cg).await?.get("/").await?;
    assert!(county_home.body.contains("最近的通报（1）") && county_home.body.contains("城关区教育局拒绝监督检查"));
    let unit_home = h.unit_web(&cg, "u0001").await?.get("/").await?;
    assert!(unit_home.body.contains("城关区教育局拒绝监督检查"), "the unit named sees it: {}", unit_home.body);
    h.shutdown().await;
    Ok(())
}
