//! Maintenance interruptions across the federation (Art.24): a unit asks
//! its county; nothing may start before the county approves; the approval
//! is filed to the region, which answers with receipts; the region sees
//! the interruption planned, under way and finished in its oversight; a
//! unit sees and works only its own, an operator only its own node's.

use extranet_proto::v1 as pb;
use extranet_tests::{FOUR, Harness, PATIENCE, eventually, row, valid_unit};
use tonic::Code;

const MIN: i64 = 60_000;

fn plan(start_ms: i64) -> pb::InterruptionPlan {
    pb::InterruptionPlan {
        affects: pb::InterruptionAffects::System as i32,
        affected: "社保业务系统（全县各乡镇窗口）".into(),
        reason: "数据库版本升级".into(),
        window_start_ms: start_ms,
        window_end_ms: start_ms + 120 * MIN,
        contact: Some(pb::Contact { name: "次仁".into(), phone: "13908905678".into() }),
        ..Default::default()
    }
}

fn request(start_ms: i64) -> pb::RequestInterruptionRequest {
    pb::RequestInterruptionRequest { plan: Some(plan(start_ms)), ..Default::default() }
}

fn step(id: &str, action: pb::InterruptionAction, text: &str) -> pb::ActOnInterruptionRequest {
    pb::ActOnInterruptionRequest { id: id.into(), action: action as i32, text: text.into(), ..Default::default() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interruption_starts_only_once_approved_and_its_approval_reaches_the_region_with_receipts()
-> anyhow::Result<()> {
    let h = Harness::four().await?;
    let (region, pref, county) = (h.region(), h.prefecture(), h.county_a());
    h.register_unit(&county, valid_unit("u0001", FOUR[2])).await?;
    let unit = h.unit_client(&county, "u0001").await?;
    let now = extranet_node::store::health::now_ms();
    let i = unit.interruptions().request_interruption(request(now)).await?.into_inner();
    assert_eq!((i.state, i.plan.unwrap().unit_id.as_str()), (pb::InterruptionState::Requested as i32, "u0001"));
    // not before approval: refused, naming the article, and nothing changes
    let err = unit.interruptions().act_on_interruption(step(&i.id, pb::InterruptionAction::Start, "")).await;
    let err = err.unwrap_err();
    assert!(err.code() == Code::FailedPrecondition && err.message().contains("第二十四条"), "{err:?}");
    let err = unit.interruptions().act_on_interruption(step(&i.id, pb::InterruptionAction::Approve, "")).await;
    assert_eq!(err.unwrap_err().code(), Code::PermissionDenied, "a unit does not approve its own work");
    let held = h.running(&county).store.interruption(&i.id)?.expect("the county's own");
    assert_eq!((held.revision, held.filing.is_none()), (1, true), "the refusals wrote nothing");
    // the county approves: the report is filed in the same write
    let op = h.fed.client(&county).await?;
    let approved =
        op.interruptions().act_on_interruption(step(&i.id, pb::InterruptionAction::Approve, "夜间实施")).await?;
    let approved = approved.into_inner();
    assert_eq!(approved.state, pb::InterruptionState::Approved as i32);
    assert!(!approved.filing_id.is_empty(), "approved means reported");
    let at_county = h.wait_filing(&county, &approved.filing_id, 2).await?;
    let Some(pb::filing::Details::Interruption(d)) = &at_county.details else { panic!("{at_county:?}") };
    assert_eq!((d.interruption_id.as_str(), d.approved_at_ms), (i.id.as_str(), approved.history[1].at_ms));
    let levels: Vec<&str> = at_county.receipts.iter().map(|r| r.node.as_str()).collect();
    assert!(levels.contains(&pref.as_str()) && levels.contains(&region.as_str()), "{levels:?}");
    let at_region = h.wait_filing(&region, &approved.filing_id, 0).await?;
    assert_eq!(at_region.details, at_county.details, "the region holds the report as filed");
    // the region sees it planned, then under way, then finished
    let sees = |what: &'static str, f: fn(&pb::Totals) -> bool| {
        let county = county.to_string();
        let region = region.clone();
        let h = &h;
        async move { h.wait_oversight(&region, what, PATIENCE, |v| row(v, &county).subtree.as_ref().is_some_and(f)).await }
    };
    sees("the interruption planned", |t| t.interruptions_planned == 1).await?;
    unit.interruptions().act_on_interruption(step(&i.id, pb::InterruptionAction::Start, "")).await?;
    sees("the interruption under way", |t| t.interruptions_under_way == 1 && t.interruptions_planned == 0).await?;
    let done =
        unit.interruptions().act_on_interruption(step(&i.id, pb::InterruptionAction::Finish, "升级完成")).await?;
    assert_eq!(done.into_inner().state, pb::InterruptionState::Finished as i32);
    let v = sees("the interruption finished", |t| t.interruptions_finished == 1 && t.interruptions_under_way == 0);
    let v = v.await?;
    assert_eq!(row(&v, region.as_str()).subtree.unwrap().interruptions_finished, 1, "the region's total counts it");
    let rs = &h.running(&region).store;
    let copy = eventually("the region to hold the finished interruption", PATIENCE, async || {
        Ok(match rs.interruption(&i.id)? {
            Some(c) if c.revision == 4 => Ok(c),
            other => Err(other.map(|c| c.revision)),
        })
    })
    .await?;
    assert_eq!(copy, h.running(&county).store.interruption(&i.id)?.unwrap(), "the region's copy is the county's");
    let kinds: Vec<String> = h
        .up_events(&region, &county)?
        .into_iter()
        .filter(|e| e.kind == extranet_node::codec::KIND_INTERRUPTION)
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds.len(), 4, "request, approval, start, finish: each once");
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unit_sees_only_its_own_interruptions_and_an_operator_decides_only_at_its_own_node() -> anyhow::Result<()> {
    let h = Harness::tree(&FOUR[..3]).await?;
    let (pref, county) = (h.prefecture(), h.county_a());
    for u in ["u0001", "u0002"] {
        h.register_unit(&county, valid_unit(u, FOUR[2])).await?;
    }
    let mine = h.unit_client(&county, "u0001").await?;
    let theirs = h.unit_client(&county, "u0002").await?;
    let now = extranet_node::store::health::now_ms();
    let err = mine
        .interruptions()
        .request_interruption(pb::RequestInterruptionRequest {
            plan: Some(pb::InterruptionPlan { unit_id: "u0002".into(), ..plan(now + 60 * MIN) }),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied, "{err:?}");
    let i = theirs.interruptions().request_interruption(request(now + 60 * MIN)).await?.into_inner();
    let err = mine.interruptions().get_interruption(pb::GetInterruptionRequest { id: i.id.clone() }).await;
    assert_eq!(err.unwrap_err().code(), Code::PermissionDenied);
    let err = mine.interruptions().act_on_interruption(step(&i.id, pb::InterruptionAction::Withdraw, "x")).await;
    assert_eq!(err.unwrap_err().code(), Code::PermissionDenied);
    let listed = mine.interruptions().list_interruptions(pb::ListInterruptionsRequest::default()).await?;
    assert!(listed.into_inner().interruptions.is_empty(), "another unit's is not listed");
    // the prefecture holds a copy and may not decide it
    let ps = &h.running(&pref).store;
    eventually("the prefecture to hold the request", PATIENCE, async || Ok((ps.interruption(&i.id)?.is_some(), ())))
        .await?;
    let p = h.fed.client(&pref).await?;
    let err = p.interruptions().act_on_interruption(step(&i.id, pb::InterruptionAction::Approve, "")).await;
    let err = err.unwrap_err();
    assert!(err.code() == Code::FailedPrecondition && err.message().contains("只保存副本"), "{err:?}");
    // bad input names the field; a window already past is refused
    let op = h.fed.client(&county).await?;
    let backwards = pb::RequestInterruptionRequest {
        plan: Some(pb::InterruptionPlan { window_end_ms: now, ..plan(now + 60 * MIN) }),
        ..Default::default()
    };
    let err = op.interruptions().request_interruption(backwards).await.unwrap_err();
    assert!(err.code() == Code::InvalidArgument && err.message().contains("window_end"), "{err:?}");
    let err = op.interruptions().request_interruption(request(now - 60 * MIN)).await.unwrap_err();
    assert!(err.code() == Code::FailedPrecondition && err.message().contains("事后申请"), "{err:?}");
    let status = op.status().get_status(pb::GetStatusRequest {}).await?.into_inner();
    let warned = status.warnings.iter().any(|w| w.contains(&i.id) && w.contains("尚未审批"));
    assert!(warned, "a request within an hour of its window, undecided: {:?}", status.warnings);
    let err = op.interruptions().act_on_interruption(step(&i.id, pb::InterruptionAction::Reject, " ")).await;
    assert_eq!(err.unwrap_err().code(), Code::InvalidArgument, "a rejection takes a reason");
    op.interruptions().act_on_interruption(step(&i.id, pb::InterruptionAction::Reject, "与全区割接窗口冲突")).await?;
    let held = h.running(&county).store.interruptions()?;
    assert_eq!(held.len(), 1, "refusals wrote nothing");
    assert!(held[0].filing.is_none(), "a rejected interruption is not reported");
    h.shutdown().await;
    Ok(())
}
