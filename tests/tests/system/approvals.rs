//! Approvals of a major adjustment across the tree (Art.21): a county
//! applies, its prefecture and then the region decide, each only in its
//! turn; the work may start — a major cutover be filed — only once the
//! region has approved; a rejection at the prefecture ends it, with the
//! written notice reaching the county.

use extranet_node::domain::approval::{Stage, Verdict};
use extranet_proto::v1 as pb;
use extranet_tests::{Harness, valid_cutover};
use tonic::Code;

fn apply(title: &str) -> pb::ApplyForApprovalRequest {
    let start = extranet_node::calendar::today() + chrono::Duration::days(30);
    let proposal = pb::ApprovalProposal {
        title: title.into(),
        description: "更换核心交换机并调整上联链路".into(),
        scope: "全县政务外网接入单位".into(),
        planned_start: start.to_string(),
        contact: Some(pb::Contact { name: "次仁".into(), phone: "13908905678".into() }),
    };
    pb::ApplyForApprovalRequest { proposal: Some(proposal), ..Default::default() }
}

fn decide(id: &str, verdict: &str, reason: &str) -> pb::DecideApprovalRequest {
    pb::DecideApprovalRequest { id: id.into(), verdict: verdict.into(), reason: reason.into(), ..Default::default() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_major_adjustment_is_approved_only_once_the_region_approves_and_only_then_may_its_cutover_be_filed()
-> anyhow::Result<()> {
    let h = Harness::four().await?;
    let (region, pref, county) = (h.region(), h.prefecture(), h.county_a());
    let (c, p, r) = (h.fed.client(&county).await?, h.fed.client(&pref).await?, h.fed.client(&region).await?);
    let a = c.approvals().apply_for_approval(apply("县级核心节点设备更换")).await?.into_inner();
    assert_eq!((a.stage.as_str(), a.stage_level.as_str()), ("pending", pref.as_str()), "first to the prefecture");
    let err = c.approvals().decide_approval(decide(&a.id, "approve", "")).await.unwrap_err();
    assert!(err.code() == Code::FailedPrecondition && err.message().contains("不经过本级"), "{err:?}");
    h.wait_approval_stage(&region, &a.id, Stage::Pending(pref.clone())).await?;
    let err = r.approvals().decide_approval(decide(&a.id, "approve", "")).await.unwrap_err();
    assert!(
        err.code() == Code::FailedPrecondition && err.message().contains("尚待 540100"),
        "not before the prefecture: {err:?}"
    );
    // a major cutover cannot be filed yet: with no approval, or with this one still pending
    let major =
        |id: &str| pb::CutoverDetails { major_adjustment: true, major_approval_id: id.into(), ..valid_cutover() };
    let err = h.file_cutover(&county, major("")).await.unwrap_err();
    assert!(err.code() == Code::FailedPrecondition && err.message().contains("第二十一条"), "{err:?}");
    let err = h.file_cutover(&county, major(&a.id)).await.unwrap_err();
    assert!(
        err.code() == Code::FailedPrecondition && err.message().contains(&a.id) && err.message().contains("540100"),
        "{err:?}"
    );
    assert!(h.running(&county).store.filings(None, 10)?.is_empty(), "the refusals filed nothing");

    h.wait_approval_stage(&pref, &a.id, Stage::Pending(pref.clone())).await?;
    let passed = p.approvals().decide_approval(decide(&a.id, "approve", "同意，报自治区审批")).await?.into_inner();
    assert_eq!((passed.stage.as_str(), passed.stage_level.as_str()), ("pending", region.as_str()), "passed up");
    h.wait_approval_stage(&region, &a.id, Stage::Pending(region.clone())).await?;
    h.wait_approval_stage(&county, &a.id, Stage::Pending(region.clone())).await?;
    let err = p.approvals().decide_approval(decide(&a.id, "reject", "改变主意")).await.unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition, "a level decides once: {err:?}");
    let done = r.approvals().decide_approval(decide(&a.id, "approve", "")).await?.into_inner();
    assert_eq!(done.stage, "approved");
    h.wait_approval_stage(&county, &a.id, Stage::Approved).await?;
    h.wait_approval_stage(&pref, &a.id, Stage::Approved).await?;
    let shown = c.approvals().get_approval(pb::GetApprovalRequest { id: a.id.clone() }).await?.into_inner();
    assert_eq!(shown.waits.len(), 2, "how long each level had it: {shown:?}");
    assert!(shown.waits.iter().all(|w| w.decided_ms >= w.since_ms && w.since_ms > 0));
    let notices: Vec<&str> = shown.decisions.iter().map(|d| d.notice_number.as_str()).collect();
    assert!(
        notices.iter().any(|n| n.starts_with("540100〔")) && notices.iter().any(|n| n.starts_with("540000〔")),
        "{notices:?}"
    );
    let filed = h.file_cutover(&county, major(&a.id)).await?;
    let Some(pb::filing::Details::Cutover(cut)) = &filed.details else { panic!("{filed:?}") };
    assert_eq!(cut.major_approval_id, a.id, "the cutover names its approval");
    let mut list = r.approvals();
    let waiting = list.list_approvals(pb::ListApprovalsRequest { waiting_only: true, ..Default::default() }).await?;
    assert!(waiting.into_inner().approvals.is_empty(), "nothing waits on the region any more");
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejection_at_the_prefecture_ends_it_with_a_notice_at_the_county() -> anyhow::Result<()> {
    let h = Harness::four().await?;
    let (region, pref, county) = (h.region(), h.prefecture(), h.county_a());
    let (c, p) = (h.fed.client(&county).await?, h.fed.client(&pref).await?);
    let a = c.approvals().apply_for_approval(apply("全县链路改造")).await?.into_inner();
    h.wait_approval_stage(&pref, &a.id, Stage::Pending(pref.clone())).await?;
    let err = p.approvals().decide_approval(decide(&a.id, "reject", " ")).await.unwrap_err();
    assert!(err.code() == Code::InvalidArgument && err.message().contains("reason"), "a rejection says why: {err:?}");
    let err = p.approvals().decide_approval(decide(&a.id, "maybe", "")).await.unwrap_err();
    assert!(err.code() == Code::InvalidArgument && err.message().contains("verdict"), "{err:?}");
    p.approvals().decide_approval(decide(&a.id, "reject", "与全区骨干网改造计划冲突，请明年一并实施")).await?;
    h.wait_approval_stage(&county, &a.id, Stage::Rejected(pref.clone())).await?;
    h.wait_approval_stage(&region, &a.id, Stage::Rejected(pref.clone())).await?;
    let held = h.running(&county).store.approval(&a.id)?.unwrap();
    let d = held.decision_of(&pref).expect("the prefecture's decision reached the county");
    assert_eq!(d.verdict, Verdict::Rejected);
    for part in ["与全区骨干网改造计划冲突", "不同意开展", "第二十一条", &a.id] {
        assert!(d.notice.text.contains(part), "{part}: {}", d.notice.text);
    }
    let r = h.fed.client(&region).await?;
    let err = r.approvals().decide_approval(decide(&a.id, "approve", "")).await.unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition, "ended: {err:?}");
    h.shutdown().await;
    Ok(())
}
