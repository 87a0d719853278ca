//! The console's `/systems` page (Art.23): a unit applies there for its
//! system's addresses, the county's operator finds the application in one
//! queue with the units' own launch filings and grants it, and the unit
//! files the launch with the address it was given — each step through the
//! same service calls as the CLI.

use extranet_tests::{FOUR, Harness, valid_unit};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unit_applies_and_files_its_launch_and_the_operator_sees_both_in_one_queue() -> anyhow::Result<()> {
    let h = Harness::with_consoles(&FOUR[..3]).await?;
    let county = h.county_a();
    h.give_pool(&county).await?;
    h.register_unit(&county, valid_unit("u0001", FOUR[2])).await?;
    let unit = h.unit_web(&county, "u0001").await?;
    let bad = unit.post_form("/systems", "/systems/apply", &[("system_name", "不动产登记"), ("reason", "")]).await?;
    assert_eq!(bad.status, 400, "{bad:?}");
    assert!(bad.body.contains("reason"), "the service names the field: {}", bad.body);
    let fields = [("system_name", "城关区不动产登记系统"), ("reason", "对外提供登记服务")];
    let applied = unit.post_form("/systems", "/systems/apply", &fields).await?;
    assert_eq!((applied.status, applied.location()), (303, "/systems"), "{applied:?}");

    let op = h.operator_web(&county).await?;
    let queue = op.get("/systems").await?.body;
    let id = "540102-Q000001";
    assert!(queue.contains(&format!("data-pending=\"{id}\"")) && queue.contains("待审核的地址申请 1 件"), "{queue}");
    let granted = op.post_form("/systems", &format!("/systems/{id}/decide"), &[("decision", "grant")]).await?;
    assert_eq!(granted.status, 303, "{granted:?}");
    let a = h.running(&county).store.system_requests()?;
    let prefix = match &a[0].state {
        extranet_node::domain::ipam::SystemRequestState::Granted { prefix, .. } => prefix.to_string(),
        other => panic!("granted: {other:?}"),
    };

    let page = unit.get("/systems").await?.body;
    assert!(page.contains(&format!("已分配 {prefix}")) && page.contains("id=\"system-launch\""), "{page}");
    let today = extranet_node::calendar::today().to_string();
    let launch = [
        ("system_name", "城关区不动产登记系统"),
        ("launch_date", today.as_str()),
        ("address", prefix.as_str()),
        ("security_test_ref", "XZ-CP-2026-0101"),
    ];
    let filed = unit.post_form("/systems", "/systems/launch", &launch).await?;
    assert_eq!(filed.status, 303, "{filed:?}");
    let queue = op.get("/systems").await?.body;
    assert!(queue.contains("单位报来的备案 1 件") && queue.contains("unit:u0001"), "{queue}");
    let shown = op.get("/filings/540102-000001").await?.body;
    assert!(shown.contains("XZ-CP-2026-0101") && shown.contains("540102-A000001"), "launch and assignment: {shown}");
    h.shutdown().await;
    Ok(())
}
