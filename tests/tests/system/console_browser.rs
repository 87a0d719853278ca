//! The web console in a real browser (Debian's headless Chromium through
//! WebDriver) against a real federation: what an operator, a prefecture
//! and a unit do, each leaving a screenshot under `target/screenshots/`.
#![cfg(target_os = "linux")]

use std::time::Duration;

use extranet_certs::NodeId;
use extranet_node::client::{Client, CredentialDir};
use extranet_proto::v1 as pb;
use extranet_tests::browser::Browser;
use extranet_tests::{FOUR, Harness, PATIENCE, eventually, valid_cutover, valid_unit};

/// How long a page may take to show what a test waits for.
const PAGE: Duration = Duration::from_secs(20);

/// Signs out and waits until the sign-in page shows, so the next page
/// opened does not race the sign-out's own navigation.
async fn sign_out(b: &Browser) -> anyhow::Result<()> {
    b.click(".signout button").await?;
    b.wait_for_text("h1", "登录", PAGE).await.map(drop)
}

/// Opens a fresh sign-in link for `creds` at `n` and presses its button.
async fn sign_in(b: &Browser, h: &Harness, n: &NodeId, creds: &CredentialDir) -> anyhow::Result<String> {
    let client = Client::connect(&h.running(n).addr.to_string(), creds).await?;
    let link = client.console().issue_sign_in(pb::IssueSignInRequest::default()).await?.into_inner();
    b.goto(&link.url).await?;
    b.click("#signin").await?;
    b.wait_for_text("header", "退出", PAGE).await?;
    Ok(h.fed.console_url(n)?)
}

/// Sets a form field the way a date picker would, and tells the page.
async fn set(b: &Browser, id: &str, value: &str) -> anyhow::Result<()> {
    let js = "const e = document.getElementById(arguments[0]); e.value = arguments[1]; \
              e.dispatchEvent(new Event('input', { bubbles: true }));";
    b.client().execute(js, vec![id.into(), value.into()]).await?;
    Ok(())
}

/// Reloads `url` until the element `css` contains `needle`.
async fn reload_until(b: &Browser, url: &str, css: &str, needle: &str) -> anyhow::Result<()> {
    eventually(&format!("{url}: {css} to contain “{needle}”"), PATIENCE, async || {
        b.goto(url).await?;
        let text = b.text_of(css).await.unwrap_or_default();
        Ok((text.contains(needle), text))
    })
    .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_county_operator_files_a_cutover_and_watches_both_receipts_arrive() -> anyhow::Result<()> {
    let Some(b) = Browser::start_or_skip("console: cutover").await? else { return Ok(()) };
    let h = Harness::with_consoles(&FOUR[..3]).await?;
    let county = h.county_a();
    h.cutover_unit(&county).await?;
    let url = sign_in(&b, &h, &county, &h.node(&county).operator()).await?;
    b.wait_for_text("main", "待回执的备案", PAGE).await?;
    b.goto(&format!("{url}/filings/new")).await?;
    let c = valid_cutover();
    b.fill("#affected_units", extranet_tests::CUTOVER_UNIT).await?;
    b.fill("#contact", &c.contact).await?;
    set(&b, "window_start", &c.window_start[..16]).await?;
    b.wait_for_text("#earliest", "符合规定", PAGE).await?;
    set(&b, "window_end", &c.window_end[..16]).await?;
    b.fill("#description", "汇聚交换机升级").await?;
    b.screenshot("console-cutover-form").await?;
    b.click("#file-cutover").await?;
    b.wait_for_text("h1", "备案 540102-", PAGE).await?;
    let filing = b.client().current_url().await?.to_string();
    reload_until(&b, &filing, "#receipts", "西藏自治区").await?;
    let receipts = b.text_of("#receipts").await?;
    assert!(receipts.contains("拉萨市") && receipts.contains("西藏自治区"), "both receipts: {receipts}");
    b.screenshot("console-filing-receipts").await?;
    b.close().await?;
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_prefecture_operator_sees_a_stopped_county_turn_stale() -> anyhow::Result<()> {
    let Some(b) = Browser::start_or_skip("console: oversight").await? else { return Ok(()) };
    let mut h = Harness::with_consoles(&FOUR[..3]).await?;
    let (pref, county) = (h.prefecture(), h.county_a());
    let url = sign_in(&b, &h, &pref, &h.node(&pref).operator()).await?;
    let row = format!("tr[data-node='{county}']");
    reload_until(&b, &format!("{url}/oversight"), &row, "正常").await?;
    b.screenshot("console-oversight").await?;
    h.fed.stop(&county).await?;
    reload_until(&b, &format!("{url}/oversight"), &row, "失联").await?;
    let class = b.client().find(fantoccini::Locator::Css(&row)).await?.attr("class").await?;
    assert_eq!(class.as_deref(), Some("row-stale"), "the stale row stands out");
    b.screenshot("console-oversight-stale").await?;
    b.close().await?;
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unit_applies_and_after_the_rejection_reads_the_written_notice() -> anyhow::Result<()> {
    let Some(b) = Browser::start_or_skip("console: application").await? else { return Ok(()) };
    let h = Harness::with_consoles(&FOUR[..3]).await?;
    let county = h.county_a();
    h.register_unit(&county, valid_unit("u0001", FOUR[2])).await?;
    let unit = h.fed.mint_unit(&county, "u0001")?;
    let url = sign_in(&b, &h, &county, &unit).await?;
    b.goto(&format!("{url}/access/new")).await?;
    b.fill("#basis", "依据管理办法开展政务业务").await?;
    b.fill("#scope", "本单位机关").await?;
    b.fill("#location", "单位机房").await?;
    b.fill("#bandwidth_mbps", "100").await?;
    b.fill("#technical_requirements", "IPv6 单栈").await?;
    b.fill("#security_measures", "边界防火墙").await?;
    b.click("#declares").await?;
    b.screenshot("console-unit-apply").await?;
    b.click("#submit-application").await?;
    b.wait_for_text("#state", "已提交", PAGE).await?;
    let id = b.text_of("h1").await?.trim_start_matches("申请 ").to_string();
    // the operator reviews and rejects it, in the browser too
    sign_out(&b).await?;
    sign_in(&b, &h, &county, &h.node(&county).operator()).await?;
    b.goto(&format!("{url}/access/{id}")).await?;
    b.click("form.inline button").await?;
    b.wait_for_text("#state", "审核中", PAGE).await?;
    b.fill("#reasons", "安全保护措施不足：缺少终端准入").await?;
    b.submit_form("#reject").await?;
    b.wait_for_text("#state", "未通过", PAGE).await?;
    sign_out(&b).await?;
    sign_in(&b, &h, &county, &unit).await?;
    b.wait_for_text("main", "审核未通过书面告知书", PAGE).await?;
    b.click("main ul a").await?;
    b.wait_for_text("body", "安全保护措施不足", PAGE).await?;
    b.screenshot("console-unit-notice").await?;
    b.close().await?;
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unit_reports_a_fault_the_operator_answers_and_repairs_it_and_a_late_one_is_marked() -> anyhow::Result<()> {
    let Some(b) = Browser::start_or_skip("console: faults").await? else { return Ok(()) };
    let h = Harness::with_consoles(&FOUR[..3]).await?;
    let county = h.county_a();
    h.register_unit(&county, valid_unit("u0001", FOUR[2])).await?;
    // one ticket reported two hours ago, already past both backbone clocks
    let at = extranet_node::store::health::now_ms() - 130 * 60_000;
    let report = extranet_node::domain::fault::FaultReport {
        unit: None,
        access_point: "城关区骨干汇聚点".into(),
        description: "骨干链路中断".into(),
        down_since_ms: at,
        contact: extranet_node::domain::Contact { name: "次仁".into(), phone: "13908900000".into() },
        class: extranet_node::domain::FaultClass::Backbone,
    };
    let id = extranet_node::domain::FaultId { origin: county.clone(), number: 1 };
    let late = extranet_node::domain::FaultTicket::open(id, report, at, "operator", &county)?;
    h.running(&county).store.transact(|tx| {
        tx.raise_number("fault", 1)?;
        tx.put_fault(&late)?;
        Ok(())
    })?;
    // durable, as any write is: the breach scanner wakes on it
    h.running(&county).store.sync().await?;
    let unit = h.fed.mint_unit(&county, "u0001")?;
    let url = sign_in(&b, &h, &county, &unit).await?;
    b.goto(&format!("{url}/faults/new")).await?;
    b.fill("#access_point", "城关区政府三楼机房").await?;
    b.fill("#description", "上联光缆中断").await?;
    b.fill("#contact", "卓玛").await?;
    b.fill("#phone", "13908901234").await?;
    b.click("#report-fault").await?;
    b.wait_for_text("#state", "已报告", PAGE).await?;
    b.wait_for_text("#response", "还剩", PAGE).await?;
    b.screenshot("console-fault-reported").await?;
    let ticket = b.client().current_url().await?.to_string();
    sign_out(&b).await?;
    sign_in(&b, &h, &county, &h.node(&county).operator()).await?;
    b.goto(&ticket).await?;
    b.click("form.inline button").await?; // 记录响应
    b.wait_for_text("#state", "已响应", PAGE).await?;
    b.wait_for_text("#response", "已按时完成", PAGE).await?;
    b.goto(&ticket).await?;
    let repaired = b.client().find(fantoccini::Locator::XPath("//button[text()='修复完成']")).await?;
    repaired.click().await?;
    b.wait_for_text("#state", "已修复", PAGE).await?;
    b.goto(&format!("{url}/faults")).await?;
    b.wait_for_text(&format!("tr[data-fault='{}'] .breach", late.id.key()), "已超时", PAGE).await?;
    b.screenshot("console-fault-board").await?;
    b.close().await?;
    h.shutdown().await;
    Ok(())
}

/// Signs in at `n` as its operator, opens approval `id` once it has
/// reached that level, and approves it with `remarks`.
async fn approve_at(b: &Browser, h: &Harness, n: &NodeId, id: &str, remarks: &str) -> anyhow::Result<()> {
    sign_out(b).await?;
    let url = sign_in(b, h, n, &h.node(n).operator()).await?;
    reload_until(b, &format!("{url}/approvals/{id}"), "#stage", &format!("待 {} 审批", n.code())).await?;
    b.fill("#reason", remarks).await?;
    b.click("button[data-verdict='approve']").await?;
    b.wait_for_text("#path", "同意", PAGE).await.map(drop)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_major_adjustment_is_applied_for_at_the_county_and_approved_by_the_prefecture_then_the_region()
-> anyhow::Result<()> {
    let Some(b) = Browser::start_or_skip("console: approval").await? else { return Ok(()) };
    let h = Harness::with_consoles(&FOUR[..3]).await?;
    let (region, pref, county) = (h.region(), h.prefecture(), h.county_a());
    let url = sign_in(&b, &h, &county, &h.node(&county).operator()).await?;
    b.goto(&format!("{url}/approvals/new")).await?;
    b.fill("#title", "县级核心节点设备更换").await?;
    b.fill("#description", "核心交换机到期更换，需调整上联").await?;
    b.fill("#scope", "全县接入单位").await?;
    let today = extranet_node::calendar::date_of_ms(extranet_node::store::health::now_ms());
    set(&b, "planned_start", &today.to_string()).await?;
    b.fill("#contact", "次仁").await?;
    b.fill("#phone", "13908900000").await?;
    b.click("#apply-approval").await?;
    b.wait_for_text("#stage", "待 540100 审批", PAGE).await?;
    let id = b.text_of("h1").await?.trim_start_matches("审批申请 ").to_string();
    approve_at(&b, &h, &pref, &id, "同意，报自治区审批").await?;
    b.wait_for_text("#stage", "待 540000 审批", PAGE).await?;
    approve_at(&b, &h, &region, &id, "同意实施").await?;
    b.wait_for_text("#stage", "已获自治区级批准", PAGE).await?;
    b.screenshot("console-approval-region").await?;
    // back at the county: approved, each level's notice printable
    sign_out(&b).await?;
    sign_in(&b, &h, &county, &h.node(&county).operator()).await?;
    reload_until(&b, &format!("{url}/approvals/{id}"), "#stage", "已获自治区级批准").await?;
    b.click("tr[data-level='540000'] a").await?;
    b.wait_for_text("body", "第二十一条", PAGE).await?;
    b.close().await?;
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unit_is_ordered_disconnected_reports_its_rectification_and_the_operator_lifts_the_order()
-> anyhow::Result<()> {
    let Some(b) = Browser::start_or_skip("console: order").await? else { return Ok(()) };
    let h = Harness::with_consoles(&FOUR[..3]).await?;
    let county = h.county_a();
    h.register_unit(&county, valid_unit("u0001", FOUR[2])).await?;
    let unit = h.fed.mint_unit(&county, "u0001")?;
    let url = sign_in(&b, &h, &county, &h.node(&county).operator()).await?;
    b.goto(&format!("{url}/orders/new")).await?;
    b.fill("#unit_id", "u0001").await?;
    b.fill("#reason", "终端感染木马并向外网发起扫描").await?;
    b.click("#issue-order").await?;
    b.wait_for_text("#state", "中断", PAGE).await?;
    let order = b.client().current_url().await?.to_string();
    // the unit, cut off, sees only its order and reports the rectification
    sign_out(&b).await?;
    sign_in(&b, &h, &county, &unit).await?;
    b.wait_for_text("main", "已被中断与电子政务外网的连接", PAGE).await?;
    b.screenshot("console-unit-disconnected").await?;
    b.goto(&order).await?;
    b.fill("textarea[name='text']", "已清除木马，重装终端并加装准入").await?;
    b.click("button[data-action='ORDER_ACTION_RECTIFIED']").await?;
    b.wait_for_text("#state", "整改已报", PAGE).await?;
    // the operator verifies it and lifts the order; the unit is back
    sign_out(&b).await?;
    sign_in(&b, &h, &county, &h.node(&county).operator()).await?;
    b.wait_for_text("#orders-waiting", "u0001", PAGE).await?;
    b.goto(&order).await?;
    let lift = b.client().find(fantoccini::Locator::Css("button[data-action='ORDER_ACTION_LIFT']")).await?;
    lift.click().await?;
    b.wait_for_text("#state", "已恢复连接", PAGE).await?;
    sign_out(&b).await?;
    sign_in(&b, &h, &county, &unit).await?;
    b.wait_for_text("main", "本单位的申请", PAGE).await?;
    b.close().await?;
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unit_applies_for_its_system_addresses_files_the_launch_and_the_region_sees_both_linked() -> anyhow::Result<()>
{
    let Some(b) = Browser::start_or_skip("console: launch").await? else { return Ok(()) };
    let h = Harness::with_consoles(&FOUR[..3]).await?;
    let (region, county) = (h.region(), h.county_a());
    h.give_pool(&county).await?;
    h.register_unit(&county, valid_unit("u0001", FOUR[2])).await?;
    let unit = h.fed.mint_unit(&county, "u0001")?;
    let url = sign_in(&b, &h, &county, &unit).await?;
    b.goto(&format!("{url}/systems")).await?;
    b.fill("#system_name", "城关区不动产登记系统").await?;
    b.fill("#reason", "对外提供不动产登记服务").await?;
    b.click("#system-apply button").await?;
    b.wait_for_text("#system-requests", "待审核", PAGE).await?;
    // the county's operator grants it from the one queue
    sign_out(&b).await?;
    sign_in(&b, &h, &county, &h.node(&county).operator()).await?;
    b.goto(&format!("{url}/systems")).await?;
    b.wait_for_text("main", "待审核的地址申请 1 件", PAGE).await?;
    b.click("section[data-pending] button[value='grant']").await?;
    b.wait_for_text("#system-requests", "已分配", PAGE).await?;
    // the unit files the launch with the address it was given
    sign_out(&b).await?;
    sign_in(&b, &h, &county, &unit).await?;
    b.goto(&format!("{url}/systems")).await?;
    let granted = b.wait_for_text("#system-requests", "已分配", PAGE).await?;
    b.fill("#launch_system", "城关区不动产登记系统").await?;
    set(&b, "launch_date", &extranet_node::calendar::today().to_string()).await?;
    b.fill("#security_test_ref", "XZ-CP-2026-0101").await?;
    b.screenshot("console-unit-launch").await?;
    b.click("#system-launch button").await?;
    let filed = b.wait_for_text("#unit-filings", "上线", PAGE).await?;
    let id = filed.split_whitespace().next().unwrap_or_default().to_string();
    sign_out(&b).await?;
    // the region holds the launch with the assignment it was checked against
    let after = granted.split("已分配").nth(1).unwrap_or_default();
    let assignment = after.split(['（', '）']).nth(1).unwrap_or_default().to_string();
    assert!(assignment.starts_with("540102-A"), "the grant names its assignment: {granted}");
    let region_url = sign_in(&b, &h, &region, &h.node(&region).operator()).await?;
    reload_until(&b, &format!("{region_url}/filings/{id}"), "main", &assignment).await?;
    let shown = b.text_of("main").await?;
    assert!(shown.contains("XZ-CP-2026-0101") && shown.contains("城关区不动产登记系统"), "{shown}");
    b.screenshot("console-region-launch").await?;
    b.close().await?;
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unit_named_by_a_cutover_reads_its_notice_and_another_unit_does_not() -> anyhow::Result<()> {
    let Some(b) = Browser::start_or_skip("console: cutover notice").await? else { return Ok(()) };
    let h = Harness::with_consoles(&FOUR[..3]).await?;
    let county = h.county_a();
    h.cutover_unit(&county).await?;
    h.register_unit(&county, valid_unit("u0001", FOUR[2])).await?;
    let c = valid_cutover();
    let req = pb::FileCutoverRequest { cutover: Some(c.clone()), ..Default::default() };
    let id = h.fed.client(&county).await?.filings().file_cutover(req).await?.into_inner().id;
    let named = h.fed.mint_unit(&county, extranet_tests::CUTOVER_UNIT)?;
    let url = sign_in(&b, &h, &county, &named).await?;
    let list = b.wait_for_text("#cutover-notices", &id, PAGE).await?;
    assert!(list.contains(&c.contact) && list.contains("汇聚交换机升级"), "window, what and contact: {list}");
    b.click("#cutover-notices a").await?;
    let notice = b.wait_for_text("body", "割接通知", PAGE).await?;
    let today = extranet_node::calendar::today().format("%Y年%-m月%-d日").to_string();
    assert!(notice.contains(&c.contact) && notice.contains(&today), "the notice dated the day it was issued: {notice}");
    b.screenshot("console-unit-cutover-notice").await?;
    b.goto(&url).await?;
    sign_out(&b).await?;
    let other = h.fed.mint_unit(&county, "u0001")?;
    sign_in(&b, &h, &county, &other).await?;
    let front = b.wait_for_text("main", "割接通知（0）", PAGE).await?;
    assert!(!front.contains(&id), "a unit not named does not see it: {front}");
    b.close().await?;
    h.shutdown().await;
    Ok(())
}
