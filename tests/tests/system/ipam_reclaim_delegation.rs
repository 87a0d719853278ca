//! A parent cannot reclaim a delegation that still has live assignments
//! below it, except by an explicit forced reclaim that is logged in the
//! ledger with the operator and the reason; the reclaim travels down and the
//! child's pool shrinks.

use extranet_proto::v1 as pb;
use extranet_tests::{Harness, wait_store};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reclaiming_a_used_delegation_needs_force_and_is_logged() -> anyhow::Result<()> {
    let h = Harness::tree(&["540000", "540000/540100"]).await?;
    let (region, pref) = (h.region(), h.prefecture());
    let r = h.fed.client(&region).await?;
    r.ipam().add_root(pb::AddRootRequest { prefix: "2408:8000::/32".into(), ..Default::default() }).await?;
    let d =
        r.ipam().delegate(pb::DelegateRequest { child: pref.to_string(), ..Default::default() }).await?.into_inner();
    let ps = h.running(&pref).store.clone();
    wait_store("prefecture pool", &ps, |s| s.ipam_delegations().unwrap_or_default().iter().any(|x| x.is_live()))
        .await?;
    let p = h.fed.client(&pref).await?;
    let req = pb::AssignRequest {
        purpose: pb::Purpose::Infrastructure as i32,
        assignee: "core-router".into(),
        serves: "540100-000001".into(),
        ..Default::default()
    };
    p.ipam().assign(req.clone()).await?;
    let rs = h.running(&region).store.clone();
    wait_store("assignment replica at region", &rs, |s| !s.ipam_assignments().unwrap_or_default().is_empty()).await?;

    let plain = pb::ReclaimDelegationRequest {
        prefix: d.prefix.clone(),
        force: false,
        reason: String::new(),
        ..Default::default()
    };
    let e = r.ipam().reclaim_delegation(plain).await.expect_err("live assignment below");
    assert_eq!(e.code(), tonic::Code::FailedPrecondition, "{}", e.message());
    let no_reason = pb::ReclaimDelegationRequest {
        prefix: d.prefix.clone(),
        force: true,
        reason: String::new(),
        ..Default::default()
    };
    assert_eq!(r.ipam().reclaim_delegation(no_reason).await.expect_err("reason").code(), tonic::Code::InvalidArgument);
    assert!(rs.ipam_ledger()?.is_empty(), "refusals write nothing");

    let forced = pb::ReclaimDelegationRequest {
        prefix: d.prefix.clone(),
        force: true,
        reason: "机构撤并".into(),
        ..Default::default()
    };
    let ended = r.ipam().reclaim_delegation(forced).await?.into_inner();
    assert!(!ended.live && ended.forced && ended.ended_reason == "机构撤并");
    let ledger = rs.ipam_ledger()?;
    assert_eq!(ledger.len(), 1);
    assert!(ledger[0].reason == "机构撤并" && !ledger[0].by.is_empty(), "{:?}", ledger[0]);
    wait_store("the reclaim at the prefecture", &ps, |s| {
        s.ipam_delegations().unwrap_or_default().iter().all(|x| !x.is_live())
    })
    .await?;
    wait_store("the prefecture ends its assignment in the reclaimed space", &ps, |s| {
        s.ipam_assignments().unwrap_or_default().iter().all(|a| !a.is_live())
            && s.ipam_ledger().unwrap_or_default().len() == 1
    })
    .await?;
    wait_store("the end reaches the region", &rs, |s| {
        s.ipam_assignments().unwrap_or_default().iter().all(|a| !a.is_live())
    })
    .await?;
    let v = r.ipam().verify(pb::VerifyRequest {}).await?.into_inner();
    assert!(v.problems.is_empty() && v.assignments == 0, "{v:?}");
    let e = p.ipam().assign(req).await.expect_err("the prefecture's pool is gone");
    assert_eq!(e.code(), tonic::Code::FailedPrecondition, "{}", e.message());
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_space_cannot_be_delegated_twice() -> anyhow::Result<()> {
    let h = Harness::four().await?;
    let r = h.fed.client(&h.region()).await?;
    r.ipam().add_root(pb::AddRootRequest { prefix: "2408:8000::/32".into(), ..Default::default() }).await?;
    let exact =
        |child: String, prefix: &str| pb::DelegateRequest { child, prefix: prefix.into(), ..Default::default() };
    r.ipam().delegate(exact(h.prefecture().to_string(), "2408:8000::/40")).await?;
    let twice = r.ipam().delegate(exact(h.prefecture().to_string(), "2408:8000::/40")).await.expect_err("twice");
    assert_eq!(twice.code(), tonic::Code::FailedPrecondition, "{}", twice.message());
    let inside = r.ipam().delegate(exact(h.prefecture().to_string(), "2408:8000:10::/44")).await.expect_err("inside");
    assert!(inside.message().contains("重叠"), "{}", inside.message());
    let grandchild = r.ipam().delegate(exact(h.county_a().to_string(), "2408:8000:ff00::/48")).await;
    assert_eq!(grandchild.expect_err("not a direct child").code(), tonic::Code::InvalidArgument);
    let next = pb::DelegateRequest { child: h.prefecture().to_string(), ..Default::default() };
    let sparse = r.ipam().delegate(next).await?.into_inner();
    assert_eq!(sparse.prefix, "2408:8000:8000::/40", "the next sparse block, not the same one");
    h.shutdown().await;
    Ok(())
}
