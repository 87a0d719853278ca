//! Fault tickets across the federation: reported and worked at a county cut
//! off from its prefecture, they reach the region once the link returns —
//! every step, once, with the same clocks — and each party acts only where
//! and on what it may.

use extranet_proto::v1 as pb;
use extranet_tests::{FOUR, Harness, PATIENCE, eventually, valid_unit};
use tonic::Code;

fn report(unit: &str) -> pb::ReportFaultRequest {
    pb::ReportFaultRequest {
        unit_id: unit.into(),
        access_point: "城关区政府三楼机房".into(),
        description: "上联光缆中断，全楼无法访问政务外网".into(),
        contact: Some(pb::Contact { name: "卓玛".into(), phone: "13908901234".into() }),
        ..Default::default()
    }
}

fn step(id: &str, action: pb::FaultAction) -> pb::ActOnFaultRequest {
    pb::ActOnFaultRequest { id: id.into(), action: action as i32, ..Default::default() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fault_worked_while_the_prefecture_is_down_reaches_the_region_once_with_the_same_clocks() -> anyhow::Result<()>
{
    let mut h = Harness::four().await?;
    let (region, pref, county) = (h.region(), h.prefecture(), h.county_a());
    h.register_unit(&county, pb::Unit { township: true, ..valid_unit("u0001", FOUR[2]) }).await?;
    h.fed.stop(&pref).await?;
    let op = h.fed.client(&county).await?;
    let t = op.faults().report_fault(report("u0001")).await?.into_inner();
    assert_eq!(t.policy.unwrap().class, pb::FaultClass::RemoteTownship as i32, "a township unit: remote township");
    assert_eq!(t.policy.unwrap().repair_ms, 72 * 3_600_000);
    let [response, repair] = [&t.clocks[0], &t.clocks[1]];
    assert!(response.running && repair.running, "both clocks run from the report, link or no link");
    assert_eq!(response.deadline_ms, t.reported_at_ms + 3_600_000);
    op.faults().act_on_fault(step(&t.id, pb::FaultAction::Acknowledge)).await?;
    let repaired = op.faults().act_on_fault(step(&t.id, pb::FaultAction::MarkRepaired)).await?.into_inner();
    assert_eq!((repaired.state, repaired.revision), (pb::FaultState::Repaired as i32, 3));
    h.fed.start(&pref).await?;
    let at_region = &h.running(&region).store;
    let held = eventually("the region to hold the ticket at revision 3", PATIENCE, async || {
        Ok(match at_region.fault(&t.id)? {
            Some(f) if f.revision == 3 => Ok(f),
            other => Err(other.map(|f| f.revision)),
        })
    })
    .await?;
    let at_county = h.running(&county).store.fault(&t.id)?.expect("the county's own");
    assert_eq!(held, at_county, "the region's copy is the county's ticket");
    let now = extranet_node::store::health::now_ms();
    assert_eq!(held.clocks(now), at_county.clocks(now), "same history, same clocks");
    let events: Vec<u64> = h
        .up_events(&region, &county)?
        .into_iter()
        .filter(|e| e.kind == extranet_node::codec::KIND_FAULT)
        .map(|e| e.seq)
        .collect();
    assert_eq!(events.len(), 3, "report, response, repair: each once");
    let mut seqs = events.clone();
    seqs.dedup();
    assert_eq!(seqs, events);
    let region_op = h.fed.client(&region).await?;
    let listed = region_op.faults().list_faults(pb::ListFaultsRequest::default()).await?.into_inner().faults;
    assert_eq!(listed.iter().map(|f| f.id.as_str()).collect::<Vec<_>>(), vec![t.id.as_str()]);
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unit_sees_and_works_only_its_own_tickets_and_an_operator_only_its_own_nodes() -> anyhow::Result<()> {
    let h = Harness::tree(&FOUR[..3]).await?;
    let (pref, county) = (h.prefecture(), h.county_a());
    for u in ["u0001", "u0002"] {
        h.register_unit(&county, valid_unit(u, FOUR[2])).await?;
    }
    let mine = h.unit_client(&county, "u0001").await?;
    let theirs = h.unit_client(&county, "u0002").await?;
    let err = mine.faults().report_fault(report("u0002")).await.unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied, "{err:?}");
    let t = theirs.faults().report_fault(report("")).await?.into_inner();
    assert_eq!((t.unit_id.as_str(), t.policy.unwrap().class), ("u0002", pb::FaultClass::Urban as i32));
    let err = mine.faults().get_fault(pb::GetFaultRequest { id: t.id.clone() }).await.unwrap_err();
    assert!(err.code() == Code::PermissionDenied && err.message().contains("只能查看本单位的故障"), "{err:?}");
    let err = mine.faults().act_on_fault(step(&t.id, pb::FaultAction::Note)).await.unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied, "{err:?}");
    assert!(mine.faults().list_faults(pb::ListFaultsRequest::default()).await?.into_inner().faults.is_empty());
    let err = theirs.faults().act_on_fault(step(&t.id, pb::FaultAction::Acknowledge)).await.unwrap_err();
    assert!(err.code() == Code::PermissionDenied && err.message().contains("响应与修复由运维方办理"), "{err:?}");
    let op = h.fed.client(&county).await?;
    let err = op.faults().act_on_fault(step(&t.id, pb::FaultAction::Close)).await.unwrap_err();
    assert!(err.code() == Code::FailedPrecondition && err.message().contains("已报告"), "{err:?}");
    op.faults().act_on_fault(step(&t.id, pb::FaultAction::MarkRepaired)).await?;
    let close = pb::ActOnFaultRequest { satisfaction: 4, ..step(&t.id, pb::FaultAction::Close) };
    let closed = theirs.faults().act_on_fault(close).await?.into_inner();
    assert_eq!((closed.state, closed.satisfaction), (pb::FaultState::Closed as i32, 4));
    // the prefecture holds a copy, and may not work it
    let ps = &h.running(&pref).store;
    eventually("the prefecture to hold the closed ticket", PATIENCE, async || {
        Ok((ps.fault(&t.id)?.is_some_and(|f| f.state == extranet_node::domain::FaultState::Closed), ()))
    })
    .await?;
    let p = h.fed.client(&pref).await?;
    let reopen = pb::ActOnFaultRequest { text: "x".into(), ..step(&t.id, pb::FaultAction::Reopen) };
    let err = p.faults().act_on_fault(reopen).await.unwrap_err();
    assert!(err.code() == Code::FailedPrecondition && err.message().contains("只保存副本"), "{err:?}");
    let bad = pb::ReportFaultRequest { access_point: " ".into(), ..report("u0001") };
    let err = mine.faults().report_fault(bad).await.unwrap_err();
    assert!(err.code() == Code::InvalidArgument && err.message().contains("access_point"), "{err:?}");
    assert_eq!(h.running(&county).store.faults()?.len(), 1, "refusals wrote nothing");
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fault_at_a_registered_access_point_takes_the_class_the_operator_set() -> anyhow::Result<()> {
    let h = Harness::tree(&FOUR[..3]).await?;
    let county = h.county_a();
    h.register_unit(&county, pb::Unit { township: true, ..valid_unit("u0001", FOUR[2]) }).await?;
    let op = h.fed.client(&county).await?;
    let mut faults = op.faults();
    let provider = pb::LinkProvider {
        id: "telecom".into(),
        name: "中国电信西藏分公司".into(),
        hotline: "0891-10000".into(),
        platform: "10000号服务平台".into(),
        serves: vec!["cg-gov".into()],
    };
    faults.put_provider(pb::PutProviderRequest { provider: Some(provider.clone()) }).await?;
    let now = extranet_node::store::health::now_ms();
    let duty = pb::Contact { name: "次仁".into(), phone: "13908900000".into() };
    let maintainer = pb::MaintenanceUnit {
        id: "cg-om".into(),
        name: "城关区运维中心".into(),
        area: "城关区全域".into(),
        roster: vec![pb::DutySlot { from_ms: now - 3_600_000, until_ms: now + 3_600_000, person: Some(duty.clone()) }],
        emergency: vec![duty.clone()],
        on_duty: None,
    };
    faults.put_maintainer(pb::PutMaintainerRequest { maintainer: Some(maintainer) }).await?;
    let point = |provider: &str| pb::AccessPoint {
        id: "cg-gov".into(),
        name: "城关区政府三楼机房".into(),
        unit_id: "u0001".into(),
        class: pb::FaultClass::Backbone as i32,
        provider: provider.into(),
        maintainer: "cg-om".into(),
    };
    let err =
        faults.put_access_point(pb::PutAccessPointRequest { access_point: Some(point("mobile")) }).await.unwrap_err();
    assert!(err.code() == Code::InvalidArgument && err.message().contains("access_point.provider"), "{err:?}");
    faults.put_access_point(pb::PutAccessPointRequest { access_point: Some(point("telecom")) }).await?;
    let registry = faults.get_registry(pb::GetRegistryRequest {}).await?.into_inner();
    assert_eq!(registry.providers, vec![provider]);
    assert_eq!(registry.maintainers[0].on_duty.as_ref(), Some(&duty), "who is on duty now");
    let unit = h.unit_client(&county, "u0001").await?;
    let err = unit.faults().put_provider(pb::PutProviderRequest::default()).await.unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied, "only the operator registers");
    let t = unit
        .faults()
        .report_fault(pb::ReportFaultRequest { access_point: "cg-gov".into(), ..report("") })
        .await?
        .into_inner();
    let policy = t.policy.unwrap();
    assert_eq!(
        (policy.class, policy.repair_ms),
        (pb::FaultClass::Backbone as i32, 2 * 3_600_000),
        "the operator's class, not the township default"
    );
    let party = |id: &str, name: &str| Some(pb::FaultParty { id: id.into(), name: name.into() });
    assert_eq!(t.provider, party("telecom", "中国电信西藏分公司"), "who answered for the point at the report");
    assert_eq!(t.maintainer, party("cg-om", "城关区运维中心"));
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backbone_fault_raised_at_the_prefecture_is_announced_down_to_its_counties_only() -> anyhow::Result<()> {
    let h = Harness::four().await?;
    let (region, pref, county) = (h.region(), h.prefecture(), h.county_a());
    let p = h.fed.client(&pref).await?;
    let backbone = pb::ReportFaultRequest { class: pb::FaultClass::Backbone as i32, ..report("") };
    let t = p.faults().report_fault(backbone).await?.into_inner();
    let urban = p
        .faults()
        .report_fault(pb::ReportFaultRequest { class: pb::FaultClass::Urban as i32, ..report("") })
        .await?
        .into_inner();
    let cs = &h.running(&county).store;
    eventually("the county to be told of the prefecture's backbone fault", PATIENCE, async || {
        Ok((cs.fault(&t.id)?.is_some(), ()))
    })
    .await?;
    let rs = &h.running(&region).store;
    eventually("the region to hold both", PATIENCE, async || {
        Ok((rs.fault(&urban.id)?.is_some() && rs.fault(&t.id)?.is_some(), ()))
    })
    .await?;
    // the urban one is not the counties' business; its event went up only
    let f = h.file_cutover(&county, extranet_tests::valid_cutover()).await?;
    h.wait_filing(&county, &f.id, 2).await?;
    assert!(cs.fault(&urban.id)?.is_none(), "an urban fault is not announced down");
    let listed =
        h.fed.client(&county).await?.faults().list_faults(pb::ListFaultsRequest::default()).await?.into_inner().faults;
    assert_eq!(
        listed.iter().map(|f| f.id.as_str()).collect::<Vec<_>>(),
        vec![t.id.as_str()],
        "the county's operator sees it"
    );
    let err = h
        .fed
        .client(&county)
        .await?
        .faults()
        .act_on_fault(step(&t.id, pb::FaultAction::Acknowledge))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition, "shown there, worked by the prefecture: {err:?}");
    assert!(cs.open_faults()?.is_empty(), "not counted as the county's own");
    // the county's units see it too (why their own link may be down), and only see it
    h.register_unit(&county, valid_unit("u0001", FOUR[2])).await?;
    let unit = h.unit_client(&county, "u0001").await?;
    let seen = unit.faults().list_faults(pb::ListFaultsRequest::default()).await?.into_inner().faults;
    assert_eq!(seen.iter().map(|f| f.id.as_str()).collect::<Vec<_>>(), vec![t.id.as_str()], "{seen:?}");
    assert_eq!(unit.faults().get_fault(pb::GetFaultRequest { id: t.id.clone() }).await?.into_inner().id, t.id);
    let note = pb::ActOnFaultRequest { text: "本单位也断网".into(), ..step(&t.id, pb::FaultAction::Note) };
    let err = unit.faults().act_on_fault(note).await.unwrap_err();
    assert!(err.code() == Code::FailedPrecondition && err.message().contains("只保存副本"), "{err:?}");
    h.shutdown().await;
    Ok(())
}
