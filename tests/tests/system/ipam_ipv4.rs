//! IPv4 is the exception (Art.6): an IPv4 assignment needs a written
//! justification and an approver other than the assigning operator, and the
//! node reports its IPv6 share.

use extranet_proto::v1 as pb;
use extranet_tests::Harness;

fn v4(justification: &str, approved_by: &str) -> pb::AssignRequest {
    pb::AssignRequest {
        ipv4: true,
        purpose: pb::Purpose::InformationSystem as i32,
        assignee: "legacy-sys".into(),
        serves: "540000-000002".into(),
        ipv4_justification: justification.into(),
        ipv4_approved_by: approved_by.into(),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ipv4_needs_a_justification_and_another_approver() -> anyhow::Result<()> {
    let h = Harness::tree(&["540000"]).await?;
    let c = h.fed.client(&h.region()).await?;
    c.ipam().add_root(pb::AddRootRequest { prefix: "2408:8000::/32".into(), ..Default::default() }).await?;
    c.ipam().add_root(pb::AddRootRequest { prefix: "10.54.0.0/16".into(), ..Default::default() }).await?;
    let e = c.ipam().assign(v4("", "张三")).await.expect_err("no justification");
    assert!(e.code() == tonic::Code::InvalidArgument && e.message().contains("ipv4_justification"), "{}", e.message());
    let e = c.ipam().assign(v4("旧业务系统仅支持 IPv4，改造计划已报批", "")).await.expect_err("no approver");
    assert!(e.message().contains("ipv4_approved_by"), "{}", e.message());
    let me = h.fed.client(&h.region()).await?.ipam().show(pb::ShowRequest {}).await?.into_inner();
    assert_eq!(me.assignments, 0, "nothing written by the refusals");
    let a = c.ipam().assign(v4("旧业务系统仅支持 IPv4，改造计划已报批", "张三")).await?.into_inner();
    assert!(a.prefix.starts_with("10.54.") && a.prefix.ends_with("/28"), "{}", a.prefix);
    assert_eq!(a.ipv4_approved_by, "张三");
    let six = pb::AssignRequest {
        purpose: pb::Purpose::AccessUnit as i32,
        assignee: "unit-1".into(),
        serves: "540000-000001".into(),
        ..Default::default()
    };
    c.ipam().assign(six).await?;
    let view = c.ipam().show(pb::ShowRequest {}).await?.into_inner();
    assert_eq!(view.assignments, 2);
    assert!((view.ipv6_share - 0.5).abs() < 1e-9, "one of two assignments is IPv6: {}", view.ipv6_share);
    h.shutdown().await;
    Ok(())
}
