//! The annual work report (Art.10) over a scripted year at the four-node
//! federation: what each node did is counted by hand as the test does it,
//! and the prefecture's report — its own figures and its subtree's — must
//! equal those sums and name the nodes of its subtree that have not filed
//! their report of the year. History that cannot happen in real time (an
//! application overdue since January; a launch and its change, whose
//! address link other tests cover) is seeded as records in the store.
//!
//! ```text
//!   540100 prefecture ── two units (one updated), approves one application and
//!      │                 rejects one, one overdue since January, inspects 540102
//!      ├─ 540102 county A ── a cutover (its unit), a fault; does not report
//!      └─ 540103 county B ── a cutover (its unit), a launch and a change,
//!                            a private network migrated today; reports
//! ```

use chrono::{Datelike, NaiveDate};
use extranet_certs::NodeId;
use extranet_node::domain::report::YearFigures;
use extranet_node::domain::{self, AppState, ApplicationKind, FilingDetails, UnitStatus};
use extranet_proto::v1 as pb;
use extranet_tests::{Harness, PATIENCE, eventually, valid_cutover, valid_form, valid_unit};
use tonic::Code;

fn file_req(year: i32, notes: &str) -> pb::FileAnnualReportRequest {
    pb::FileAnnualReportRequest { year, notes: notes.into(), ..Default::default() }
}

/// The prefecture's own work: units, applications decided there (one
/// seeded overdue since 1 January), an inspection of county A.
async fn script_prefecture(h: &Harness, want: &mut YearFigures) -> anyhow::Result<()> {
    let pref = h.prefecture();
    let op = h.fed.client(&pref).await?;
    for (unit, approve) in [("p0001", true), ("p0002", false)] {
        h.register_unit(&pref, valid_unit(unit, pref.as_str())).await?;
        let submit = pb::SubmitRequest {
            unit_id: unit.into(),
            kind: pb::ApplicationKind::New as i32,
            form: Some(valid_form(pb::AccessSpan::Local)),
            ..Default::default()
        };
        let a = op.access().submit(submit).await?.into_inner();
        if approve {
            let req = pb::ApproveRequest { id: a.id, access_plan: "就近接入".into(), ..Default::default() };
            op.access().approve(req).await?;
            want.approved += 1;
        } else {
            let req = pb::RejectRequest { id: a.id, reasons: "不具备机房条件".into(), ..Default::default() };
            op.access().reject(req).await?;
            want.rejected += 1;
        }
        (want.units_registered, want.applications, want.applications_new) =
            (want.units_registered + 1, want.applications + 1, want.applications_new + 1);
    }
    let update = pb::UpdateUnitRequest {
        id: "p0001".into(),
        responsible_department: "信息中心".into(),
        reason: "机构调整".into(),
        ..Default::default()
    };
    op.units().update_unit(update).await?;
    want.units_updated += 1;
    for u in h.running(&pref).store.units()? {
        assert_eq!(u.status, UnitStatus::Applying, "{}: neither is connected", u.id);
        want.units_applying += 1;
    }
    // a withdrawal submitted on 1 January, never decided: overdue once its review fell due
    let year = extranet_node::calendar::today().year();
    let mut late = domain::testing::sample(ApplicationKind::Withdrawal, NaiveDate::from_ymd_opt(year, 1, 1).unwrap());
    late.id.origin = pref.clone();
    late.id.number = 900;
    late.routing.competent = pref.clone();
    late.state = AppState::Submitted;
    h.running(&pref).store.transact(|tx| tx.put_application(&late))?;
    want.applications += 1;
    want.applications_withdrawal += 1;
    want.applications_overdue += u64::from(extranet_node::calendar::today() > late.deadlines.review.due);
    let inspection = pb::RecordInspectionRequest {
        inspected_node: h.county_a().to_string(),
        date: extranet_node::calendar::today().to_string(),
        scope: "运行、使用和安全管理情况".into(),
        inspectors: vec!["次仁".into()],
        findings: vec![
            pb::FindingRequest { text: "核心交换机管理口令为默认口令".into(), working_days: 5 },
            pb::FindingRequest { text: "机房温湿度记录不全".into(), working_days: 0 },
        ],
        ..Default::default()
    };
    op.inspections().record_inspection(inspection).await?;
    (want.inspections, want.findings, want.rectifications) = (1, 2, 1);
    Ok(())
}

/// County A: a cutover (registering the unit it notifies), a fault, and an
/// application decided there (the prefecture holds its summary only).
async fn script_county_a(h: &Harness, want: &mut YearFigures) -> anyhow::Result<()> {
    let a = h.county_a();
    h.file_cutover(&a, valid_cutover()).await?;
    want.cutovers += 1;
    let fault = pb::ReportFaultRequest {
        access_point: "cg-gov".into(),
        description: "上联光缆中断".into(),
        contact: Some(pb::Contact { name: "卓玛".into(), phone: "13908901234".into() }),
        ..Default::default()
    };
    h.fed.client(&a).await?.faults().report_fault(fault).await?;
    want.faults += 1;
    // an application decided at the county: the prefecture holds only its
    // deadline summary, which carries its kind
    h.register_unit(&a, valid_unit("a0001", a.as_str())).await?;
    let submit = pb::SubmitRequest {
        unit_id: "a0001".into(),
        kind: pb::ApplicationKind::New as i32,
        form: Some(valid_form(pb::AccessSpan::Local)),
        ..Default::default()
    };
    let op = h.fed.client(&a).await?;
    let id = op.access().submit(submit).await?.into_inner().id;
    op.access().approve(pb::ApproveRequest { id, access_plan: "就近接入".into(), ..Default::default() }).await?;
    (want.applications, want.applications_new, want.approved) = (1, 1, 1);
    want.units_applying += h.running(&a).store.units()?.len() as u64;
    Ok(())
}

/// County B: a cutover, a launch and its change (seeded where the
/// prefecture keeps B's filings), a private network migrated today.
async fn script_county_b(h: &Harness, want: &mut YearFigures) -> anyhow::Result<()> {
    let (b, pref) = (h.county_b(), h.prefecture());
    h.file_cutover(&b, valid_cutover()).await?;
    want.cutovers += 1;
    want.units_applying += h.running(&b).store.units()?.len() as u64;
    let now = extranet_node::store::health::now_ms();
    let launch = domain::Launch {
        system_name: "堆龙德庆区不动产登记系统".into(),
        owning_unit: "u0001".into(),
        launch_date: extranet_node::calendar::today(),
        addresses: vec!["2408:8000:200::10/128".parse()?],
        security_test_ref: "XZ-CP-2026-0201".into(),
        assignments: vec![],
    };
    let change =
        domain::SystemChange { launch: 900, what_changes: "增加出口代理".into(), system: launch.clone() };
    for (number, details) in [(900, FilingDetails::Launch(launch)), (901, FilingDetails::Change(change))] {
        let id = domain::FilingId { origin: b.clone(), number };
        let f = domain::Filing { id, filed_at_ms: now, filed_by: "operator".into(), details, receipts: vec![] };
        h.running(&pref).store.transact(|tx| tx.put_filing(&f))?;
    }
    (want.launches, want.changes) = (1, 1);
    let network = pb::PrivateNetworkDetails {
        owner_department: "民政局".into(),
        name: "堆龙德庆区民政专网".into(),
        scope: "辖区各乡镇".into(),
        link_count: 4,
        migrated_on: extranet_node::calendar::today().to_string(),
        ..Default::default()
    };
    let req = pb::RegisterPrivateNetworkRequest { details: Some(network), ..Default::default() };
    h.fed.client(&b).await?.private_networks().register(req).await?;
    want.private_networks_migrated += 1;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_prefectures_report_over_a_scripted_year_equals_the_hand_counted_figures() -> anyhow::Result<()> {
    let h = Harness::four().await?;
    let (region, pref, a, b) = (h.region(), h.prefecture(), h.county_a(), h.county_b());
    let year = extranet_node::calendar::today().year();
    let (mut own, mut in_a, mut in_b) = Default::default();
    script_prefecture(&h, &mut own).await?;
    script_county_a(&h, &mut in_a).await?;
    script_county_b(&h, &mut in_b).await?;
    // B files its report of the year; A does not
    let filed_b = h.fed.client(&b).await?.filings().file_annual_report(file_req(year, "")).await?.into_inner();
    h.wait_filing(&pref, &filed_b.id, 0).await?;
    let mut subtree = own;
    subtree += in_a;
    subtree += in_b;
    let topology = extranet_node::topology::Topology::xizang();
    let named = |except: &[&NodeId]| -> Vec<pb::ReportNode> {
        let all = topology.subtree(&pref).into_iter().filter(|d| !except.contains(&&d.id));
        all.map(|d| pb::ReportNode { node: d.id.to_string(), name: d.name_zh.clone() }).collect()
    };
    let figures = |r: &pb::AnnualReportDetails| {
        let d = extranet_node::codec::annual_report_from_pb(r.clone()).expect("a report");
        (d.own, d.subtree)
    };
    // the units below count as each county's latest summary says: wait for them
    let mut filings = h.fed.client(&pref).await?.filings();
    let draft = eventually("the prefecture's report to hold every county's figures", PATIENCE, async || {
        let d = filings.clone().draft_annual_report(pb::DraftAnnualReportRequest { year }).await?.into_inner();
        Ok((figures(&d) == (own, subtree), (figures(&d), d)))
    })
    .await?
    .1;
    assert_eq!(draft.not_reported, named(&[&b]), "the prefecture, county A and the topology's idle counties");
    assert!(draft.not_reported.iter().any(|n| n.node == a.to_string() && n.name == "城关区"));
    assert_eq!((draft.subtree_nodes, draft.subtree_reporting), (9, 1));
    assert_eq!((draft.cutovers, draft.launches, draft.own_filings), (2, 1, 0));
    // filed upward: the same figures, and the prefecture is no longer missing
    let filed = filings.file_annual_report(file_req(year, "完成县级链路改造")).await?.into_inner();
    let Some(pb::filing::Details::AnnualReport(r)) = &filed.details else { panic!("not a report: {filed:?}") };
    assert_eq!(figures(r), (own, subtree));
    let at_region = h.wait_filing(&region, &filed.id, 1).await?;
    assert_eq!(at_region.details, filed.details);
    let after = filings.draft_annual_report(pb::DraftAnnualReportRequest { year }).await?.into_inner();
    assert_eq!(after.not_reported, named(&[&b, &pref]));
    // once per year; never a year not begun; bad input named
    let again = filings.file_annual_report(file_req(year, "")).await.unwrap_err();
    assert_eq!(again.code(), Code::FailedPrecondition, "{again:?}");
    let future = filings.file_annual_report(file_req(year + 1, "")).await.unwrap_err();
    assert!(future.code() == Code::InvalidArgument && future.message().contains("year"), "{future:?}");
    let early = filings.draft_annual_report(pb::DraftAnnualReportRequest { year: 1999 }).await.unwrap_err();
    assert!(early.code() == Code::InvalidArgument && early.message().contains("year"), "{early:?}");
    let long = filings.file_annual_report(file_req(year - 1, &"长".repeat(5000))).await.unwrap_err();
    assert!(long.code() == Code::InvalidArgument && long.message().contains("notes"), "{long:?}");
    h.shutdown().await;
    Ok(())
}
