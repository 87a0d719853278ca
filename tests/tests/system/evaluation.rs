//! The annual evaluation across the federation (Art.27): tickets reported
//! in two counties, at their prefecture and at the region; each authority's
//! figures cover exactly its subtree (a backbone fault announced down from
//! the region is not the prefecture's); a provider registered under two ids
//! in two counties is one party; one with a clean year still has its row;
//! the prefecture files its evaluation with hand assessments and the region
//! holds it with receipts, as a printable report and as CSV.

use chrono::Datelike;
use extranet_node::client::Client;
use extranet_proto::v1 as pb;
use extranet_tests::{FOUR, Harness, PATIENCE, eventually, valid_unit};
use tonic::Code;

const TELECOM: &str = "中国电信西藏分公司";
const UNICOM: &str = "中国联通西藏分公司";
const OM: &str = "城关区运维中心";

fn report(access_point: &str, class: pb::FaultClass) -> pb::ReportFaultRequest {
    pb::ReportFaultRequest {
        access_point: access_point.into(),
        description: "上联光缆中断".into(),
        contact: Some(pb::Contact { name: "卓玛".into(), phone: "13908901234".into() }),
        class: class as i32,
        ..Default::default()
    }
}

fn step(id: &str, action: pb::FaultAction, satisfaction: u32) -> pb::ActOnFaultRequest {
    pb::ActOnFaultRequest { id: id.into(), action: action as i32, satisfaction, ..Default::default() }
}

/// Registers `provider` (under `id`) and, if given, an O&M unit for access
/// point `point` of unit `unit` at the node `op` serves.
async fn register(op: &Client, id: &str, provider: &str, point: &str, unit: &str, om: bool) -> anyhow::Result<()> {
    let mut f = op.faults();
    let p = pb::LinkProvider {
        id: id.into(),
        name: provider.into(),
        hotline: "0891-10000".into(),
        platform: "服务平台".into(),
        serves: vec![],
    };
    f.put_provider(pb::PutProviderRequest { provider: Some(p) }).await?;
    if om {
        let duty = pb::Contact { name: "次仁".into(), phone: "13908900000".into() };
        let m = pb::MaintenanceUnit {
            id: "cg-om".into(),
            name: OM.into(),
            area: "城关区".into(),
            emergency: vec![duty],
            ..Default::default()
        };
        f.put_maintainer(pb::PutMaintainerRequest { maintainer: Some(m) }).await?;
    }
    let a = pb::AccessPoint {
        id: point.into(),
        name: "政府机房".into(),
        unit_id: unit.into(),
        class: pb::FaultClass::Urban as i32,
        provider: id.into(),
        maintainer: if om { "cg-om".into() } else { String::new() },
    };
    f.put_access_point(pb::PutAccessPointRequest { access_point: Some(a) }).await?;
    Ok(())
}

fn party<'a>(e: &'a pb::EvaluationDetails, kind: &str, name: &str) -> &'a pb::EvaluationPartyFigures {
    e.parties.iter().find(|p| p.kind == kind && p.name == name).unwrap_or_else(|| panic!("{kind} {name}: {e:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_authority_evaluates_exactly_its_subtree_and_the_prefecture_files_its_evaluation_to_the_region()
-> anyhow::Result<()> {
    let h = Harness::with_consoles(FOUR).await?;
    let (region, pref, a, b) = (h.region(), h.prefecture(), h.county_a(), h.county_b());
    let year = extranet_node::calendar::today().year();
    for (n, u) in [(&a, "u0001"), (&b, "u0002")] {
        h.register_unit(n, valid_unit(u, n.as_str())).await?;
    }
    let (op_a, op_b) = (h.fed.client(&a).await?, h.fed.client(&b).await?);
    register(&op_a, "telecom", TELECOM, "cg-gov", "u0001", true).await?;
    register(&op_b, "ct", TELECOM, "dl-gov", "u0002", false).await?;
    let op_p = h.fed.client(&pref).await?;
    let unicom = pb::LinkProvider {
        id: "unicom".into(),
        name: UNICOM.into(),
        hotline: "0891-10010".into(),
        platform: "10010".into(),
        serves: vec![],
    };
    op_p.faults().put_provider(pb::PutProviderRequest { provider: Some(unicom) }).await?;
    // county A: answered, repaired, closed with a 4; county B: answered, still open
    let ta = op_a.faults().report_fault(report("cg-gov", pb::FaultClass::Unspecified)).await?.into_inner();
    op_a.faults().act_on_fault(step(&ta.id, pb::FaultAction::Acknowledge, 0)).await?;
    op_a.faults().act_on_fault(step(&ta.id, pb::FaultAction::MarkRepaired, 0)).await?;
    let unit = h.unit_client(&a, "u0001").await?;
    unit.faults().act_on_fault(step(&ta.id, pb::FaultAction::Close, 4)).await?;
    let tb = op_b.faults().report_fault(report("dl-gov", pb::FaultClass::Unspecified)).await?.into_inner();
    op_b.faults().act_on_fault(step(&tb.id, pb::FaultAction::Acknowledge, 0)).await?;
    // the prefecture's own (no registered point), and the region's backbone fault announced down
    let tp = op_p.faults().report_fault(report("拉萨市汇聚机房", pb::FaultClass::Backbone)).await?.into_inner();
    let op_r = h.fed.client(&region).await?;
    let tr = op_r.faults().report_fault(report("自治区核心机房", pb::FaultClass::Backbone)).await?.into_inner();
    let ps = &h.running(&pref).store;
    eventually("the prefecture to hold its subtree's tickets and the region's", PATIENCE, async || {
        let held = [&ta.id, &tb.id, &tp.id, &tr.id].map(|id| ps.fault(id).ok().flatten().map(|t| t.revision));
        Ok((held == [Some(4), Some(2), Some(1), Some(1)], held))
    })
    .await?;
    let rs = &h.running(&region).store;
    eventually("the region to hold all four", PATIENCE, async || {
        Ok((rs.faults()?.len() == 4 && rs.fault(&ta.id)?.is_some_and(|t| t.revision == 4), ()))
    })
    .await?;

    let draft = |op: &Client| {
        let mut e = op.evaluations();
        async move { Ok::<_, tonic::Status>(e.draft_evaluation(pb::DraftEvaluationRequest { year }).await?.into_inner()) }
    };
    // the prefecture: A's, B's and its own, not the region's
    let p = draft(&op_p).await?;
    assert_eq!(p.tickets, 3, "{p:?}");
    let telecom = party(&p, "provider", TELECOM);
    // one company under two ids: A's ticket and B's; both answered within the hour
    assert_eq!((telecom.faults, telecom.response_decided, telecom.responded_within), (2, 2, 2));
    // urban: A's repaired in time, B's still within its 48 hours (undecided)
    assert_eq!(telecom.classes.len(), 1);
    let urban = &telecom.classes[0];
    assert_eq!((urban.class.as_str(), urban.faults, urban.decided, urban.within), ("urban", 2, 1, 1));
    assert_eq!((telecom.open, telecom.scored, telecom.score_sum), (1, 1, 4), "B open; A scored 4");
    assert_eq!(telecom.score_counts, vec![0, 0, 0, 1, 0]);
    assert!(telecom.response_median_ms >= 0 && telecom.repair_median_ms >= 0, "times of answered and repaired");
    let clean = party(&p, "provider", UNICOM);
    assert_eq!((clean.faults, clean.response_median_ms), (0, -1), "registered, no fault: a row of zeros");
    assert_eq!(party(&p, "provider", "").faults, 1, "the prefecture's own ticket has no provider");
    assert_eq!((party(&p, "maintainer", OM).faults, party(&p, "maintainer", "").faults), (1, 2));
    // the region: all four; a county: its own only
    assert_eq!(draft(&op_r).await?.tickets, 4);
    let at_a = draft(&op_a).await?;
    assert_eq!((at_a.tickets, party(&at_a, "provider", TELECOM).faults), (1, 1));
    assert!(at_a.parties.iter().all(|x| x.name != UNICOM), "the prefecture's registry is not the county's");

    // only operators evaluate; bad assessments are refused and write nothing
    let err = unit.evaluations().draft_evaluation(pb::DraftEvaluationRequest { year }).await.unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
    let assess = |name: &str, item: &str, grade: &str| pb::EvaluationAssessment {
        kind: "provider".into(),
        name: name.into(),
        item: item.into(),
        grade: grade.into(),
        comment: "全年巡检记录".into(),
    };
    let file = |assessments: Vec<pb::EvaluationAssessment>| pb::FileEvaluationRequest {
        year,
        assessments,
        conclusion: "链路总体通畅，响应及时。".into(),
        ..Default::default()
    };
    let mut ev = op_p.evaluations();
    let err = ev.file_evaluation(file(vec![assess("中国移动", "bandwidth", "good")])).await.unwrap_err();
    assert!(err.code() == Code::InvalidArgument && err.message().contains("assessments.name"), "{err:?}");
    let err = ev.file_evaluation(file(vec![assess(TELECOM, "bandwidth", "great")])).await.unwrap_err();
    assert!(err.code() == Code::InvalidArgument && err.message().contains("assessments.grade"), "{err:?}");
    let err = ev.file_evaluation(pb::FileEvaluationRequest { conclusion: " ".into(), ..file(vec![]) }).await;
    assert!(err.unwrap_err().message().contains("conclusion"));
    assert!(ps.filings(None, 100)?.is_empty(), "the refusals filed nothing");
    let good = vec![assess(TELECOM, "bandwidth", "good"), assess(UNICOM, "other", "fair")];
    let filed = ev.file_evaluation(file(good.clone())).await?.into_inner();
    let err = ev.file_evaluation(file(good)).await.unwrap_err();
    assert!(err.code() == Code::FailedPrecondition && err.message().contains("不能重复报送"), "{err:?}");
    let at_p = h.wait_filing(&pref, &filed.id, 1).await?;
    assert_eq!(at_p.receipts[0].node, region.to_string(), "the region answered with its receipt");
    let held = h.wait_filing(&region, &filed.id, 0).await?;
    let Some(pb::filing::Details::Evaluation(e)) = &held.details else { panic!("{held:?}") };
    assert_eq!((e.tickets, e.assessments.len(), e.node.as_str()), (3, 2, pref.as_str()));

    // the region reads it as a printable report and as CSV
    let web = h.operator_web(&region).await?;
    let doc = web.get(&format!("/evaluation/{}/document", filed.id)).await?;
    assert_eq!(doc.status, 200, "{doc:?}");
    assert!(doc.body.contains("size: A4") && doc.body.contains(TELECOM) && doc.body.contains("拉萨市"), "{}", doc.body);
    let csv = web.get(&format!("/evaluation/{}/csv", filed.id)).await?;
    assert!(csv.status == 200 && csv.body.starts_with('\u{feff}') && csv.body.contains(UNICOM), "{csv:?}");
    let page = web.get(&format!("/evaluation?year={year}")).await?.body;
    assert!(page.contains(&filed.id) && page.contains("evaluation-figures"), "{page}");
    // and from the command line: the figures as a table, the files written
    let dir = tempfile::tempdir()?;
    let (html, csv) = (dir.path().join("评估.html"), dir.path().join("评估.csv"));
    let out = tokio::task::block_in_place(|| {
        std::process::Command::new(env!("CARGO_BIN_EXE_extranet-under-test"))
            .args(["evaluation", "show", &filed.id, "--html"])
            .arg(&html)
            .arg("--csv")
            .arg(&csv)
            .arg("--endpoint")
            .arg(h.running(&region).addr.to_string())
            .arg("--cert-dir")
            .arg(h.node(&region).operator().path())
            .output()
    })?;
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{shown}{}", String::from_utf8_lossy(&out.stderr));
    assert!(shown.contains(TELECOM) && shown.contains("2 / 2") && shown.contains("评估结论"), "{shown}");
    assert!(std::fs::read_to_string(&html)?.contains("size: A4"));
    assert!(std::fs::read_to_string(&csv)?.starts_with('\u{feff}'));
    h.shutdown().await;
    Ok(())
}
