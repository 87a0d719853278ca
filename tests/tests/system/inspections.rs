//! Supervision inspections and their rectifications across the federation
//! (Art.28): the prefecture inspects a county node, the county sees the
//! finding and answers it, the prefecture accepts; the region counts the
//! rectification open and overdue, then closed. The county inspects its
//! unit u0001, which answers with its own certificate. Only the inspected
//! party answers, only the authority accepts or returns; bad input names
//! the field and writes nothing.
//!
//! There is no clock to drive in the harness: the inspection is dated a
//! month back (the deadline counts from the day of the inspection, Art.28
//! order given on the spot), so its one-working-day deadline has passed.
//!
//! ```text
//!   540000 region ── counts the prefecture's rectification open, overdue, then closed
//!     └ 540100 prefecture ── inspects 540102; accepts or returns its answers
//!         └ 540102 county ── holds the inspection, answers; inspects u0001
//!             └ u0001 (unit) ── answers the county's inspection of it
//! ```

use extranet_proto::v1 as pb;
use extranet_tests::{FOUR, Harness, PATIENCE, eventually, row, valid_unit};
use tonic::Code;

fn a_month_ago() -> String {
    (extranet_node::calendar::today() - chrono::Duration::days(30)).to_string()
}

fn record(unit: &str, node: &str, date: &str, days: u32) -> pb::RecordInspectionRequest {
    pb::RecordInspectionRequest {
        unit_id: unit.into(),
        inspected_node: node.into(),
        date: date.into(),
        scope: "运行、使用和安全管理情况".into(),
        inspectors: vec!["次仁".into(), "卓玛".into()],
        findings: vec![
            pb::FindingRequest { text: "核心交换机管理口令为默认口令".into(), working_days: days },
            pb::FindingRequest { text: "机房温湿度记录不全".into(), working_days: 0 },
        ],
        ..Default::default()
    }
}

fn respond(id: &str, text: &str) -> pb::RespondToFindingRequest {
    pb::RespondToFindingRequest { id: id.into(), finding: 1, text: text.into(), ..Default::default() }
}

fn review(id: &str, accept: bool, text: &str) -> pb::ReviewFindingRequest {
    pb::ReviewFindingRequest { id: id.into(), finding: 1, accept, text: text.into(), ..Default::default() }
}

fn state(i: &pb::Inspection) -> (i32, bool) {
    let r = i.findings[0].rectification.as_ref().expect("a rectification");
    (r.state, r.overdue)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unanswered_finding_is_overdue_at_the_region_until_the_authority_accepts_the_answer() -> anyhow::Result<()> {
    let h = Harness::four().await?;
    let (region, pref, county) = (h.region(), h.prefecture(), h.county_a());
    let p = h.fed.client(&pref).await?;
    let i = p.inspections().record_inspection(record("", FOUR[2], &a_month_ago(), 1)).await?.into_inner();
    assert_eq!(state(&i), (pb::RectificationState::Open as i32, true), "a month back with one working day: overdue");
    let year = extranet_node::calendar::today().format("%Y").to_string();
    let notice = i.notice.clone().expect("the written rectification order");
    assert_eq!(notice.number, format!("540100〔{year}〕查001号"));
    assert!(notice.text.contains("第二十八条") && notice.html.contains("size: A4"), "{}", notice.text);
    let deadline = i.findings[0].rectification.as_ref().and_then(|r| r.deadline.clone()).unwrap();
    assert_eq!(deadline.calendar_version, h.running(&pref).store.calendar()?.version());
    assert_eq!(deadline.from, a_month_ago(), "counted from the day of the inspection");

    // the region counts it open and overdue under the prefecture
    let pref_s = pref.to_string();
    h.wait_oversight(&region, "the rectification overdue", PATIENCE, |v| {
        row(v, &pref_s).subtree.as_ref().is_some_and(|t| t.findings_open == 1 && t.findings_overdue == 1)
    })
    .await?;
    // the county holds it (sent down) and sees it waiting on it
    let c = h.fed.client(&county).await?;
    let waiting = || pb::ListInspectionsRequest { waiting_only: true, ..Default::default() };
    let cs = &h.running(&county).store;
    eventually("the county to hold the inspection", PATIENCE, async || Ok((cs.inspection(&i.id)?.is_some(), ())))
        .await?;
    let queue = c.inspections().list_inspections(waiting()).await?.into_inner();
    assert_eq!(queue.inspections.iter().map(|x| x.id.as_str()).collect::<Vec<_>>(), [i.id.as_str()]);

    // only the inspected party answers; only the authority accepts
    let err = p.inspections().respond_to_finding(respond(&i.id, "代为答复")).await.unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied, "the authority cannot answer for the county: {err:?}");
    let r = h.fed.client(&region).await?;
    let err = r.inspections().respond_to_finding(respond(&i.id, "代为答复")).await.unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied, "nor can the region: {err:?}");
    let answered = c.inspections().respond_to_finding(respond(&i.id, "已修改口令并启用双因素认证")).await?.into_inner();
    assert_eq!(state(&answered).0, pb::RectificationState::Responded as i32);
    let err = c.inspections().review_finding(review(&i.id, true, "")).await.unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied, "the county cannot accept its own answer: {err:?}");

    // the answer reaches the prefecture; answered is not accepted: still overdue
    let ps = &h.running(&pref).store;
    eventually("the answer to reach the prefecture", PATIENCE, async || {
        let rev = ps.inspection(&i.id)?.map(|x| x.revision).unwrap_or(0);
        Ok((rev >= 2, ()))
    })
    .await?;
    let queue = p.inspections().list_inspections(waiting()).await?.into_inner();
    assert_eq!(queue.inspections.len(), 1, "the answer waits on the prefecture");
    let err = p.inspections().review_finding(review(&i.id, false, " ")).await.unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument, "a return needs a reason: {err:?}");
    assert!(err.message().contains("reason"), "{}", err.message());
    h.wait_oversight(&region, "answered, still overdue", PATIENCE, |v| {
        row(v, &pref_s).subtree.as_ref().is_some_and(|t| t.findings_overdue == 1)
    })
    .await?;

    // accepted: closed, and the region's count drops
    let accepted = p.inspections().review_finding(review(&i.id, true, "复查通过")).await?.into_inner();
    assert_eq!(state(&accepted), (pb::RectificationState::Closed as i32, false));
    let v = h
        .wait_oversight(&region, "closed", PATIENCE, |v| {
            row(v, &pref_s).subtree.as_ref().is_some_and(|t| t.findings_open == 0 && t.findings_overdue == 0)
        })
        .await?;
    assert_eq!(row(&v, region.as_str()).subtree.as_ref().unwrap().inspections_this_year, 1);
    eventually("the county's copy to be closed", PATIENCE, async || {
        Ok((cs.inspection(&i.id)?.is_some_and(|x| x.revision == accepted.revision), ()))
    })
    .await?;
    let at_region = h.running(&region).store.inspection(&i.id)?.expect("the region's copy");
    assert_eq!(at_region.revision, accepted.revision, "the whole record, latest revision");
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unit_answers_only_its_own_inspection_and_cannot_accept_it() -> anyhow::Result<()> {
    let h = Harness::four().await?;
    let county = h.county_a();
    h.register_unit(&county, valid_unit("u0001", FOUR[2])).await?;
    h.register_unit(&county, valid_unit("u0002", FOUR[2])).await?;
    let op = h.fed.client(&county).await?;
    let today = extranet_node::calendar::today().to_string();
    let i = op.inspections().record_inspection(record("u0001", "", &today, 5)).await?.into_inner();
    assert_eq!((i.unit_id.as_str(), state(&i).1), ("u0001", false));

    let other = h.unit_client(&county, "u0002").await?;
    let err = other.inspections().respond_to_finding(respond(&i.id, "不是我")).await.unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied, "{err:?}");
    assert!(
        other
            .inspections()
            .list_inspections(pb::ListInspectionsRequest::default())
            .await?
            .into_inner()
            .inspections
            .is_empty()
    );
    let err = op.inspections().respond_to_finding(respond(&i.id, "代为答复")).await.unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied, "the authority cannot answer for its unit: {err:?}");

    let unit = h.unit_client(&county, "u0001").await?;
    let answered = unit.inspections().respond_to_finding(respond(&i.id, "已修改口令")).await?.into_inner();
    assert_eq!(state(&answered).0, pb::RectificationState::Responded as i32);
    assert_eq!(answered.findings[0].rectification.as_ref().unwrap().steps[0].by, "unit:u0001");
    let err = unit.inspections().review_finding(review(&i.id, true, "")).await.unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied, "a unit cannot accept: {err:?}");
    let returned = op.inspections().review_finding(review(&i.id, false, "未提供整改截图")).await?.into_inner();
    assert_eq!(state(&returned).0, pb::RectificationState::Open as i32, "returned: open again");
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_names_the_field_and_writes_nothing() -> anyhow::Result<()> {
    let h = Harness::four().await?;
    let (pref, county) = (h.prefecture(), h.county_a());
    h.register_unit(&county, valid_unit("u0001", FOUR[2])).await?;
    let c = h.fed.client(&county).await?;
    let today = extranet_node::calendar::today().to_string();
    let tomorrow = (extranet_node::calendar::today() + chrono::Duration::days(1)).to_string();
    type Edit = fn(&mut pb::RecordInspectionRequest);
    let cases: [(pb::RecordInspectionRequest, &str, Edit); 6] = [
        (record("u0001", "", &today, 5), "scope", |r| r.scope = " ".into()),
        (record("u0001", "", &tomorrow, 5), "date", |_| {}),
        (record("u0001", "", &today, 61), "findings.working_days", |_| {}),
        (record("", "", &today, 5), "unit_id", |_| {}),
        (record("u0001", "", &today, 5), "inspectors", |r| r.inspectors.clear()),
        // a county cannot inspect its parent
        (record("", FOUR[1], &today, 5), "inspected_node", |_| {}),
    ];
    for (mut req, field, edit) in cases {
        edit(&mut req);
        let err = c.inspections().record_inspection(req).await.unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument, "{field}: {err:?}");
        assert!(err.message().contains(field), "{field}: {}", err.message());
    }
    assert!(h.running(&county).store.inspections()?.is_empty(), "nothing written");
    let p = h.fed.client(&pref).await?;
    let err = p.inspections().record_inspection(record("u0001", "", &today, 5)).await.unwrap_err();
    assert_eq!(err.code(), Code::NotFound, "u0001 is not registered at the prefecture: {err:?}");
    h.shutdown().await;
    Ok(())
}

/// The console: the county records an inspection of u0001 from its form
/// (a bad one refused naming the field, what was typed kept); u0001 finds
/// it waiting on it and answers; the answer waits on the county, which
/// accepts it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_shows_each_party_what_waits_on_it_and_takes_its_step() -> anyhow::Result<()> {
    let h = Harness::with_consoles(&FOUR[..3]).await?;
    let county = h.county_a();
    h.register_unit(&county, valid_unit("u0001", FOUR[2])).await?;
    let op = h.operator_web(&county).await?;
    let today = extranet_node::calendar::today().to_string();
    let fields = |scope: &'static str| {
        vec![
            ("unit_id", "u0001".to_string()),
            ("date", today.clone()),
            ("scope", scope.to_string()),
            ("inspectors", "次仁、卓玛".to_string()),
            ("findings", "终端未安装防护软件@5\n机房温湿度记录不全".to_string()),
        ]
    };
    let bad = fields(" ");
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = op.post_form("/inspections/new", "/inspections/new", &bad).await?;
    assert!(refused.status == 400 && refused.body.contains("scope"), "{refused:?}");
    assert!(refused.body.contains("终端未安装防护软件@5"), "what was typed is kept");
    let good = fields("安全管理情况");
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let recorded = op.post_form("/inspections/new", "/inspections/new", &good).await?;
    assert_eq!(recorded.status, 303, "{recorded:?}");
    let page = recorded.location().to_string();
    let id = page.rsplit('/').next().unwrap().to_string();
    let shown = op.get(&page).await?.body;
    assert!(shown.contains("整改通知书") && shown.contains("第二十八条"), "{shown}");

    let unit = h.unit_web(&county, "u0001").await?;
    let queue = unit.get("/inspections").await?.body;
    assert!(queue.contains("等待您办理") && queue.contains(&id), "{queue}");
    let act = format!("{page}/act");
    let accept = [("finding", "1"), ("kind", "accept"), ("text", "")];
    let refused = unit.post_form(&page, &act, &accept).await?;
    assert_eq!(refused.status, 403, "a unit cannot accept: {refused:?}");
    let answer = [("finding", "1"), ("kind", "respond"), ("text", "已统一安装终端防护软件")];
    let answered = unit.post_form(&page, &act, &answer).await?;
    assert_eq!(answered.status, 303, "{answered:?}");
    let board = op.get("/inspections").await?.body;
    let waiting = board.split("全部监督检查").next().unwrap_or_default();
    assert!(waiting.contains(&id), "the answer waits on the county: {board}");
    let accepted = op.post_form(&page, &act, &accept).await?;
    assert_eq!(accepted.status, 303, "{accepted:?}");
    assert!(op.get(&page).await?.body.contains("已验收"));
    h.shutdown().await;
    Ok(())
}
