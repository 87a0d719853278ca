//! The web console's forms do what the CLI does, through the same service
//! calls: assign addresses and ask for space, publish the calendar (the
//! region only), decide an application, and refuse what the services
//! refuse with their own message and status, changing nothing.

use extranet_proto::v1 as pb;
use extranet_tests::{FOUR, Harness, PATIENCE, eventually, local_in, valid_cutover, valid_unit};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_county_operator_assigns_a_64_and_asks_the_prefecture_for_space() -> anyhow::Result<()> {
    let h = Harness::with_consoles(&FOUR[..3]).await?;
    let (region, pref, county) = (h.region(), h.prefecture(), h.county_a());
    let r = h.fed.client(&region).await?;
    r.ipam().add_root(pb::AddRootRequest { prefix: "2408:8000::/32".into(), ..Default::default() }).await?;
    r.ipam().delegate(pb::DelegateRequest { child: pref.to_string(), ..Default::default() }).await?;
    let ps = &h.running(&pref).store;
    eventually("the prefecture to get a pool", PATIENCE, async || Ok((!ps.ipam_delegations()?.is_empty(), ()))).await?;
    let p = h.fed.client(&pref).await?;
    p.ipam().delegate(pb::DelegateRequest { child: county.to_string(), ..Default::default() }).await?;
    let cs = &h.running(&county).store;
    eventually("the county to get a pool", PATIENCE, async || Ok((!cs.ipam_delegations()?.is_empty(), ()))).await?;
    h.register_unit(&county, valid_unit("u0001", FOUR[2])).await?;

    let web = h.operator_web(&county).await?;
    let page = web.get("/addresses").await?;
    assert!(page.body.contains("已委派") && page.body.contains("<svg"), "the pool as a picture: {}", page.body);
    let bad = web.post_form("/addresses", "/addresses/assign", &[("assignee", ""), ("serves", "")]).await?;
    assert_eq!(bad.status, 400, "{bad:?}");
    assert!(bad.body.contains("assignee"), "the service names the field: {}", bad.body);
    let ok = web
        .post_form("/addresses", "/addresses/assign", &[("assignee", "u0001"), ("serves", "540102-A000001")])
        .await?;
    assert_eq!((ok.status, ok.location()), (303, "/addresses"), "{ok:?}");
    let page = web.get("/addresses").await?;
    assert!(page.body.contains("本节点有效分配 1 个"), "one assignment, not two: {}", page.body);

    let asked = web
        .post_form("/addresses", "/addresses/request", &[("reason", "全县视频会议系统扩容"), ("length", "")])
        .await?;
    assert_eq!(asked.status, 303, "{asked:?}");
    let at_pref = h.operator_web(&pref).await?;
    eventually("the prefecture's console to list the county's request", PATIENCE, async || {
        let b = at_pref.get("/addresses").await?.body;
        Ok((b.contains("全县视频会议系统扩容") && b.contains("城关区"), ()))
    })
    .await?;
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_region_publishes_next_years_calendar_from_its_page_and_a_county_cannot() -> anyhow::Result<()> {
    let h = Harness::with_consoles(&FOUR[..3]).await?;
    let (region, county) = (h.region(), h.county_a());
    let tsv = "# 测试用 2027 年日历\ndate\tkind\tname\tscope\n2027-02-08\toff\t春节\tnational\n2027-02-20\twork\t春节\tnational\n";
    let at_county = h.operator_web(&county).await?;
    let page = at_county.get("/calendar").await?;
    assert!(page.status == 200 && !page.body.contains("id=\"publish\""), "no publish form below the region");
    let refused = at_county.post_form("/calendar", "/calendar/publish", &[("tsv", tsv)]).await?;
    assert_eq!(refused.status, 409, "{refused:?}");
    let web = h.operator_web(&region).await?;
    let bad = web.post_form("/calendar", "/calendar/publish", &[("tsv", "2027-03-02\twork\t测试\n")]).await?;
    assert_eq!(bad.status, 400);
    assert!(
        bad.body.contains("第 1 行") && bad.body.contains("2027-03-02"),
        "the line named, what was typed kept: {}",
        bad.body
    );
    assert_eq!(h.running(&region).store.calendar()?.version(), 0, "nothing published");
    let ok = web.post_form("/calendar", "/calendar/publish", &[("tsv", tsv)]).await?;
    assert_eq!((ok.status, ok.location()), (303, "/calendar"), "{ok:?}");
    let shown = web.get("/calendar?year=2027").await?.body;
    assert!(shown.contains("第 1 版") && shown.contains("2027 年 2 月") && shown.contains("title=\"春节\""), "{shown}");
    h.wait_calendar(&county, 1).await?;
    assert!(at_county.get("/calendar?year=2027").await?.body.contains("第 1 版"), "it travelled down");
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approval_needs_its_access_plan_and_a_decision_is_made_once() -> anyhow::Result<()> {
    let h = Harness::with_consoles(&FOUR[..3]).await?;
    let county = h.county_a();
    h.register_unit(&county, valid_unit("u0001", FOUR[2])).await?;
    let id = h.unit_applies(&county, "u0001").await?.id;
    let web = h.operator_web(&county).await?;
    let page = format!("/access/{id}");
    let decide = format!("/access/{id}/decide");
    let review = web.post_form(&page, &decide, &[("action", "review"), ("request_id", "rv-1")]).await?;
    assert_eq!(review.status, 303, "{review:?}");
    let empty = web.post_form(&page, &decide, &[("action", "approve"), ("text", " "), ("request_id", "ap-1")]).await?;
    assert_eq!(empty.status, 400, "{empty:?}");
    assert!(
        empty.body.contains("接入方案") && empty.body.contains("审核中"),
        "the rule, and the state unchanged: {}",
        empty.body
    );
    let plan = [("action", "approve"), ("text", "经县级汇聚接入，IPv6 单栈"), ("request_id", "ap-2")];
    let approved = web.post_form(&page, &decide, &plan).await?;
    assert_eq!(approved.status, 303);
    let again = web.post_form(&page, &decide, &plan).await?;
    assert_eq!(again.status, 303, "the same form sent twice answers as the first: {again:?}");
    let shown = web.get(&page).await?.body;
    assert!(shown.contains("已批准") && shown.contains("经县级汇聚接入"), "{shown}");
    let held = h.running(&county).store.application(&id)?.expect("held");
    assert_eq!(
        held.history.iter().filter(|t| t.state == extranet_node::domain::AppState::Approved).count(),
        1,
        "approved once"
    );
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cutover_too_soon_is_refused_with_the_art21_message_and_the_form_kept() -> anyhow::Result<()> {
    let h = Harness::with_consoles(&FOUR[..2]).await?;
    let pref = h.prefecture();
    let web = h.operator_web(&pref).await?;
    let today = extranet_node::calendar::today().to_string();
    let c = valid_cutover();
    let live = web.get(&format!("/filings/earliest?notified_on={today}&window_start={today}T22:00")).await?;
    assert!(live.body.contains("早于此日"), "{live:?}");
    let ok = web.get(&format!("/filings/earliest?notified_on={today}&window_start={}", &c.window_start[..16])).await?;
    assert!(ok.body.contains("符合规定"), "{ok:?}");
    let start = format!("{today}T22:00");
    let end = format!("{today}T23:00");
    let fields = [
        ("affected_units", extranet_tests::CUTOVER_UNIT),
        ("window_start", start.as_str()),
        ("window_end", end.as_str()),
        ("notified_on", today.as_str()),
        ("contact", "扎西 0891-6812345"),
        ("description", "今晚临时割接"),
    ];
    let r = web.post_form("/filings/new", "/filings/new", &fields).await?;
    assert_eq!(r.status, 409, "{r:?}");
    assert!(
        r.body.contains("第二十一条") && r.body.contains("今晚临时割接"),
        "the rule, and what was typed: {}",
        r.body
    );
    assert_eq!(h.running(&pref).store.filings_desc(None).count(), 0, "nothing filed");
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unit_reports_a_fault_from_the_console_and_the_operator_answers_it() -> anyhow::Result<()> {
    let h = Harness::with_consoles(&FOUR[..3]).await?;
    let county = h.county_a();
    for u in ["u0001", "u0002"] {
        h.register_unit(&county, valid_unit(u, FOUR[2])).await?;
    }
    let unit = h.unit_web(&county, "u0001").await?;
    let fields = [
        ("access_point", "城关区政府三楼机房"),
        ("description", "上联光缆中断"),
        ("contact", "卓玛"),
        ("phone", "13908901234"),
    ];
    let r = unit.post_form("/faults/new", "/faults/new", &fields).await?;
    assert_eq!(r.status, 303, "{r:?}");
    let page = r.location().to_string();
    let shown = unit.get(&page).await?.body;
    assert!(shown.contains("已报告") && shown.contains("data-countdown-ms") && shown.contains("还剩"), "{shown}");
    assert!(!shown.contains("记录响应"), "a unit does not record the provider's response");
    let op = h.operator_web(&county).await?;
    let board = op.get("/faults").await?.body;
    assert!(board.contains("城关区政府三楼机房") && board.contains("城区"), "{board}");
    let id = page.trim_start_matches("/faults/");
    let acted = op.post_form(&page, &format!("{page}/act"), &[("action", "1"), ("request_id", "ack-1")]).await?;
    assert_eq!(acted.status, 303, "{acted:?}");
    let shown = op.get(&page).await?.body;
    assert!(shown.contains("已响应") && shown.contains("已按时完成"), "{shown}");
    let refused = unit.post_form(&page, &format!("{page}/act"), &[("action", "3"), ("request_id", "rp-1")]).await?;
    assert_eq!(refused.status, 403, "a unit cannot mark its fault repaired: {refused:?}");
    let other = h.unit_web(&county, "u0002").await?;
    let r = other.get(&page).await?;
    assert!(r.status == 403 && r.body.contains("只能查看本单位的故障"), "{r:?}");
    assert!(!other.get("/faults").await?.body.contains(id), "nor listed");
    h.shutdown().await;
    Ok(())
}

/// `datetime-local` text of now plus `mins`, in Beijing time.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unit_asks_for_an_interruption_and_the_operator_approves_it_before_it_may_start() -> anyhow::Result<()> {
    let h = Harness::with_consoles(&FOUR[..3]).await?;
    let county = h.county_a();
    h.register_unit(&county, valid_unit("u0001", FOUR[2])).await?;
    let unit = h.unit_web(&county, "u0001").await?;
    let (start, end) = (local_in(0), local_in(120));
    let fields = |affected: &'static str| {
        vec![
            ("affects", "2"),
            ("affected", affected),
            ("reason", "数据库版本升级"),
            ("contact", "次仁"),
            ("phone", "13908905678"),
        ]
    };
    let mut bad = fields("社保业务系统");
    bad.extend([("window_start", end.as_str()), ("window_end", start.as_str())]);
    let refused = unit.post_form("/interruptions/new", "/interruptions/new", &bad).await?;
    assert!(refused.status == 400 && refused.body.contains("window_end"), "{refused:?}");
    assert!(refused.body.contains("社保业务系统"), "what was typed is kept");
    let mut good = fields("社保业务系统（全县各乡镇窗口）");
    good.extend([("window_start", start.as_str()), ("window_end", end.as_str())]);
    let asked = unit.post_form("/interruptions/new", "/interruptions/new", &good).await?;
    assert_eq!(asked.status, 303, "{asked:?}");
    let page = asked.location().to_string();
    let id = page.rsplit('/').next().unwrap().to_string();
    let act = format!("{page}/act");
    let start_it = [("action", "4")];
    let early = unit.post_form(&page, &act, &start_it).await?;
    assert!(early.status == 409 && early.body.contains("第二十四条"), "not before approval: {early:?}");
    let op = h.operator_web(&county).await?;
    let board = op.get("/interruptions").await?.body;
    assert!(board.contains("待审批") && board.contains(&id), "{board}");
    let approved = op.post_form(&page, &act, &[("action", "1"), ("text", "夜间实施")]).await?;
    assert_eq!((approved.status, approved.location()), (303, page.as_str()), "{approved:?}");
    let shown = op.get(&page).await?.body;
    assert!(shown.contains("已批准") && shown.contains("href=\"/filings/"), "the report's filing linked: {shown}");
    let started = unit.post_form(&page, &act, &start_it).await?;
    assert_eq!(started.status, 303, "{started:?}");
    assert!(unit.get(&page).await?.body.contains("实施中"));
    h.shutdown().await;
    Ok(())
}
