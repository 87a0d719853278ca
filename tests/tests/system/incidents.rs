//! Security incidents across the federation (Art.26(1)):
//!
//! ```text
//!   540000 (region)
//!     └── 540100 (prefecture)
//!           ├── 540102 (county, where u0001 and u0002 report)
//!           └── 540103
//! ```
//!
//! A major incident shows which of the five departments are not yet told
//! and recording them empties the list; it stays at its county until the
//! county's authority reports it up, then reaches the region once, and
//! stays once after the prefecture between them was down; a unit sees
//! only its own incidents; bad input names the field and writes nothing.

use extranet_proto::v1 as pb;
use extranet_tests::{FOUR, Harness, PATIENCE, eventually, local_in, row, valid_unit};
use tonic::Code;

const MIN: i64 = 60_000;

fn report(major: bool, occurred_at_ms: i64) -> pb::ReportIncidentRequest {
    pb::ReportIncidentRequest {
        report: Some(pb::IncidentReport {
            title: "终端感染勒索病毒".into(),
            description: "三台办公终端文件被加密，并向外网扫描".into(),
            occurred_at_ms,
            impact: "本单位办公网段".into(),
            measures: "已断开受感染终端".into(),
            major,
            contact: Some(pb::Contact { name: "次仁".into(), phone: "13908905678".into() }),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn told(id: &str, d: pb::IncidentDepartment, at_ms: i64) -> pb::RecordDepartmentReportRequest {
    pb::RecordDepartmentReportRequest {
        id: id.into(),
        report: Some(pb::DepartmentReport {
            department: d as i32,
            at_ms,
            channel: pb::IncidentChannel::Phone as i32,
            reporter: "次仁".into(),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn up(id: &str) -> pb::ReportUpRequest {
    pb::ReportUpRequest { id: id.into(), report_up: true, ..Default::default() }
}

fn incident_events(h: &Harness, at: &extranet_certs::NodeId, origin: &extranet_certs::NodeId) -> usize {
    let events = h.up_events(at, origin).unwrap();
    events.iter().filter(|e| e.kind == extranet_node::codec::KIND_INCIDENT).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_major_incident_lists_the_departments_missing_and_once_reported_up_reaches_the_region_once()
-> anyhow::Result<()> {
    use pb::IncidentDepartment as D;
    let mut h = Harness::four().await?;
    let (region, pref, county) = (h.region(), h.prefecture(), h.county_a());
    h.register_unit(&county, valid_unit("u0001", FOUR[2])).await?;
    let unit = h.unit_client(&county, "u0001").await?;
    let now = extranet_node::store::health::now_ms();
    let i = unit.incidents().report(report(true, now - 30 * MIN)).await?.into_inner();
    let all = [D::Cyberspace, D::Secrecy, D::StateSecurity, D::PublicSecurity, D::Industry].map(|d| d as i32);
    assert_eq!(i.missing_departments, all.to_vec(), "none of the five told yet");
    assert_eq!(
        (i.report.as_ref().unwrap().unit_id.as_str(), i.decision),
        ("u0001", pb::IncidentDecision::Undecided as i32)
    );
    // the unit records two, the operator the other three
    let op = h.fed.client(&county).await?;
    for d in [D::PublicSecurity, D::Cyberspace] {
        unit.incidents().record_department_report(told(&i.id, d, now - 20 * MIN)).await?;
    }
    let mut last = None;
    for d in [D::Secrecy, D::StateSecurity, D::Industry] {
        last = Some(op.incidents().record_department_report(told(&i.id, d, now - 10 * MIN)).await?.into_inner());
    }
    let last = last.unwrap();
    assert!(last.missing_departments.is_empty(), "{:?}", last.missing_departments);
    assert_eq!(last.departments.len(), 5);
    let again = op.incidents().record_department_report(told(&i.id, D::Secrecy, now)).await.unwrap_err();
    assert_eq!(again.code(), Code::FailedPrecondition, "a department's first report is recorded once");
    // not reported up yet: nothing left the county
    assert_eq!(incident_events(&h, &county, &county), 0, "the authority has not decided");
    let err = unit.incidents().report_up(up(&i.id)).await.unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied, "the authority decides, not the unit");
    let decided = op.incidents().report_up(up(&i.id)).await?.into_inner();
    assert_eq!(decided.decision, pb::IncidentDecision::ReportedUp as i32);
    let rs = h.running(&region).store.clone();
    let copy =
        eventually("the region to hold the incident", PATIENCE, async || Ok(rs.incident(&i.id)?.ok_or("not yet")))
            .await?;
    assert_eq!(copy, h.running(&county).store.incident(&i.id)?.unwrap(), "the region's copy is the county's");
    assert!(h.running(&pref).store.incident(&i.id)?.is_some(), "every ancestor holds it");
    assert_eq!(incident_events(&h, &region, &county), 1, "reported up once");
    // the prefecture goes down; the county closes it; the prefecture comes back
    h.fed.stop(&pref).await?;
    let close =
        pb::CloseIncidentRequest {
            id: i.id.clone(), note: "已清除病毒，恢复办公".into(), ..Default::default()
        };
    h.fed.client(&county).await?.incidents().close(close).await?;
    h.fed.start(&pref).await?;
    let rs = h.running(&region).store.clone();
    eventually("the region to hold the closed incident", PATIENCE, async || {
        Ok(match rs.incident(&i.id)? {
            Some(c) if c.closed => Ok(c.revision),
            other => Err(other.map(|c| c.revision)),
        })
    })
    .await?;
    let held: Vec<_> = rs.incidents()?.into_iter().filter(|x| x.id.key() == i.id).collect();
    assert_eq!(held.len(), 1, "one incident at the region");
    assert_eq!(incident_events(&h, &region, &county), 2, "the report-up and the closing, each once");
    let region_s = region.to_string();
    let v = h
        .wait_oversight(&region, "the major incident counted", PATIENCE, |v| {
            row(v, &region_s).subtree.as_ref().is_some_and(|t| t.incidents_major_this_year == 1)
        })
        .await?;
    assert_eq!(row(&v, region.as_str()).subtree.unwrap().incidents_other_this_year, 0);
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unit_sees_only_its_own_incidents_and_bad_input_names_the_field_and_writes_nothing() -> anyhow::Result<()> {
    let h = Harness::tree(&FOUR[..3]).await?;
    let county = h.county_a();
    for u in ["u0001", "u0002"] {
        h.register_unit(&county, valid_unit(u, FOUR[2])).await?;
    }
    let mine = h.unit_client(&county, "u0001").await?;
    let theirs = h.unit_client(&county, "u0002").await?;
    let now = extranet_node::store::health::now_ms();
    let store = h.running(&county).store.clone();
    // bad input: the field is named, nothing is written
    let mut bad = report(false, now);
    bad.report.as_mut().unwrap().impact = "  ".into();
    let err = theirs.incidents().report(bad).await.unwrap_err();
    assert!(err.code() == Code::InvalidArgument && err.message().contains("impact"), "{err:?}");
    let err = theirs.incidents().report(report(false, now + 60 * MIN)).await.unwrap_err();
    assert!(err.code() == Code::InvalidArgument && err.message().contains("occurred_at"), "{err:?}");
    assert!(store.incidents()?.is_empty(), "the refusals wrote nothing");
    let mut other = report(false, now);
    other.report.as_mut().unwrap().unit_id = "u0001".into();
    let err = theirs.incidents().report(other).await.unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied, "a unit reports for itself only");
    // u0002's incident is not u0001's
    let i = theirs.incidents().report(report(false, now)).await?.into_inner();
    let err = mine.incidents().get(pb::GetIncidentRequest { id: i.id.clone() }).await.unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
    let listed = mine.incidents().list(pb::ListIncidentsRequest::default()).await?.into_inner();
    assert!(listed.incidents.is_empty(), "{:?}", listed.incidents);
    let err = mine.incidents().record_department_report(told(&i.id, pb::IncidentDepartment::Secrecy, now)).await;
    assert_eq!(err.unwrap_err().code(), Code::PermissionDenied);
    let own = theirs.incidents().list(pb::ListIncidentsRequest::default()).await?.into_inner();
    assert_eq!(own.incidents.len(), 1);
    // a department not named, and an undecided close, write nothing
    let mut blank = told(&i.id, pb::IncidentDepartment::Secrecy, now);
    blank.report.as_mut().unwrap().department = 0;
    let err = theirs.incidents().record_department_report(blank).await.unwrap_err();
    assert!(err.code() == Code::InvalidArgument && err.message().contains("department"), "{err:?}");
    let op = h.fed.client(&county).await?;
    let close = pb::CloseIncidentRequest { id: i.id.clone(), note: "已处置".into(), ..Default::default() };
    let err = op.incidents().close(close).await.unwrap_err();
    assert!(err.code() == Code::FailedPrecondition && err.message().contains("第二十六条"), "{err:?}");
    assert_eq!(store.incident(&i.id)?.unwrap().revision, 1, "the refusals wrote nothing");
    // the queue of the county's operator lists it: not yet decided
    let queue = op.incidents().list(pb::ListIncidentsRequest { waiting_only: true, ..Default::default() }).await?;
    assert_eq!(queue.into_inner().incidents.len(), 1);
    // the prefecture holds nothing of it and cannot decide it
    let pref = h.fed.client(&h.prefecture()).await?;
    let err = pref.incidents().report_up(up(&i.id)).await.unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    h.shutdown().await;
    Ok(())
}

/// The console: a unit reports through the form; the operator's queue at
/// `/incidents` lists it with the five departments missing, and recording
/// one through the incident's page takes it off the missing list.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_form_reports_an_incident_and_the_operators_queue_shows_what_is_missing() -> anyhow::Result<()> {
    let h = Harness::with_consoles(&FOUR[..3]).await?;
    let county = h.county_a();
    h.register_unit(&county, valid_unit("u0001", FOUR[2])).await?;
    let unit = h.unit_web(&county, "u0001").await?;
    let at = local_in(-30);
    let mut fields = vec![
        ("title", "终端感染勒索病毒"),
        ("description", "三台办公终端文件被加密"),
        ("occurred_at", at.as_str()),
        ("measures", "已断开受感染终端"),
        ("major", "1"),
        ("contact", "次仁"),
        ("phone", "13908905678"),
    ];
    let refused = unit.post_form("/incidents/new", "/incidents/new", &fields).await?;
    assert!(refused.status == 400 && refused.body.contains("impact"), "{refused:?}");
    fields.push(("impact", "本单位办公网段"));
    let reported = unit.post_form("/incidents/new", "/incidents/new", &fields).await?;
    assert_eq!(reported.status, 303, "{reported:?}");
    let page = reported.location().to_string();
    let op = h.operator_web(&county).await?;
    let queue = op.get("/incidents").await?;
    assert!(queue.body.contains("待本级办理（1）"), "{}", queue.body);
    assert!(queue.body.contains("网信、保密、安全、公安、经济和信息化"), "all five missing");
    let told = local_in(-10);
    let step = [
        ("step", "notify"),
        ("department", "secrecy"),
        ("channel", "written"),
        ("at", told.as_str()),
        ("reporter", "次仁"),
    ];
    let done = op.post_form(&page, &format!("{page}/act"), &step).await?;
    assert_eq!(done.status, 303, "{done:?}");
    let shown = op.get(&page).await?;
    assert!(shown.body.contains("网信、安全、公安、经济和信息化"), "保密 recorded: {}", shown.body);
    h.shutdown().await;
    Ok(())
}

/// Runs `extranet <args>` as the county's operator.
fn cli(h: &Harness, args: &[&str]) -> (bool, String, String) {
    h.cli(env!("CARGO_BIN_EXE_extranet-under-test"), &h.county_a(), args)
}

/// The command line: an operator reports a unit's major incident, records
/// a department, sees the four still missing in Chinese, reports it up;
/// issues a circular naming the unit and prints its document.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_reports_notifies_and_circulates_from_the_command_line() -> anyhow::Result<()> {
    let h = Harness::tree(&FOUR[..3]).await?;
    h.register_unit(&h.county_a(), valid_unit("u0001", FOUR[2])).await?;
    let run = |args: &[&str]| tokio::task::block_in_place(|| cli(&h, args));
    let at = local_in(-30).replace('T', " ");
    let (ok, out, err) = run(&[
        "incident",
        "report",
        "--title",
        "终端感染勒索病毒",
        "--description",
        "文件被加密",
        "--at",
        &at,
        "--impact",
        "本单位办公网段",
        "--measures",
        "已断网",
        "--major",
        "--contact",
        "次仁",
        "--phone",
        "13908905678",
        "--unit",
        "u0001",
    ]);
    assert!(ok && out.contains("540102-I000001") && out.contains("网信、保密、安全、公安、经济和信息化"), "{out}{err}");
    let told = local_in(-5).replace('T', " ");
    let notify = ["incident", "notify", "540102-I000001", "--department", "public-security", "--channel", "phone"];
    let (ok, out, err) = run(&[&notify[..], &["--at", &told, "--reporter", "次仁"]].concat());
    assert!(ok && out.contains("网信、保密、安全、经济和信息化") && out.contains("已报公安"), "{out}{err}");
    let (ok, _, err) = run(&["incident", "close", "540102-I000001", "--note", "已处置"]);
    assert!(!ok && err.starts_with("错误：") && err.contains("第二十六条"), "{err}");
    let (ok, out, err) = run(&["incident", "report-up", "540102-I000001"]);
    assert!(ok && out.contains("已上报上级"), "{out}{err}");
    let (ok, out, err) = run(&["incident", "list", "--json"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out)?;
    assert_eq!(v["incidents"][0]["missing_departments"].as_array().map(Vec::len), Some(4), "{v}");
    let (ok, out, err) = run(&[
        "circular",
        "issue",
        "--kind",
        "security-event",
        "--title",
        "勒索病毒事件",
        "--facts",
        "三台终端被加密",
        "--unit",
        "540000/540100/540102:u0001=城关区教育局",
        "--incident",
        "540102-I000001",
    ]);
    assert!(
        ok && out.contains("〕通001号") && out.contains("第二十八条") && out.contains("540102-I000001"),
        "{out}{err}"
    );
    let (ok, out, err) = run(&["circular", "list", "--unit", "u0001"]);
    assert!(ok && out.contains("540102-C000001") && out.contains("城关区教育局"), "{out}{err}");
    let (ok, out, err) = run(&["circular", "show", "540102-C000001", "--html"]);
    assert!(ok && out.starts_with("<!DOCTYPE html>") && out.contains("@page"), "{out}{err}");
    h.shutdown().await;
    Ok(())
}
