//! `/filings`: the filings of this node and its subtree, the cutover form
//! (割接备案) whose Art.21 notice rule is checked as the dates are typed and
//! which offers the earliest compliant start, and one filing with the
//! timeline of its receipts from each level above.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use extranet_certs::NodeId;
use extranet_proto::v1 as pb;
use extranet_proto::v1::filings_server::Filings;
use maud::{Markup, html};

use super::common::calendar_of;
use crate::console::draw::{Step, timeline};
use crate::console::guard::{Posted, Signed};
use crate::console::page::{Failure, PageResult, after_post, banner, csrf, frame};
use crate::console::state::Console;
use crate::present::filing::kind;
use crate::present::interruption;
use crate::present::text::time;

/// `GET /filings`.
pub async fn list(State(console): State<Console>, signed: Signed) -> PageResult {
    let r = pb::ListFilingsRequest { limit: 200, ..Default::default() };
    let filings = console.services().filings.list_filings(signed.request(r)).await?.into_inner().filings;
    let body = html! {
        p { a.button href="/filings/new" { "新建割接备案" } }
        @if filings.is_empty() { p.muted { "还没有备案。" } } @else {
            table {
                tr { th { "备案编号" } th { "种类" } th { "来源节点" } th { "提交人" } th { "提交时间" } th { "回执" } }
                @for f in &filings {
                    tr { td { a href=(format!("/filings/{}", f.id)) { (f.id) } } td { (kind(f)) } td { (console.division(&f.origin)) }
                         td { (f.filed_by) } td { (time(f.filed_at_ms)) } td { (f.receipts.len()) } }
                }
            }
        }
    };
    Ok(frame(&console, &signed, "备案", body))
}

/// The cutover form's fields, as typed.
#[derive(serde::Deserialize, Default, Clone)]
#[serde(default)]
pub struct CutoverForm {
    affected_units: String,
    window_start: String,
    window_end: String,
    notified_on: String,
    contact: String,
    description: String,
    major: String,
    major_approval_id: String,
    request_id: String,
}

/// `GET /filings/new`.
pub async fn form(State(console): State<Console>, signed: Signed) -> PageResult {
    let today = crate::calendar::today().to_string();
    let blank = CutoverForm { notified_on: today, request_id: console.sessions().token()?, ..Default::default() };
    Ok(frame(&console, &signed, "新建割接备案", cutover_form(&console, &signed, &blank, None)?))
}

fn cutover_form(console: &Console, signed: &Signed, f: &CutoverForm, error: Option<&str>) -> Result<Markup, Failure> {
    let hint = earliest_text(console, &f.notified_on, &f.window_start)?;
    let units = console.store().units()?;
    Ok(html! {
        (banner(error))
        form #cutover-form.stack method="post" action="/filings/new" {
            (csrf(signed))
            input type="hidden" name="request_id" value=(f.request_id);
            label for="affected_units" { "涉及的接入单位（本节点登记的单位编号，每行一个；提交即向其发出割接通知）" }
            textarea #affected_units name="affected_units" required { (f.affected_units) }
            p.hint #registered-units { "本节点登记的单位："
                @if units.is_empty() { "尚无，请先登记（extranet unit register）" }
                @for u in &units { code { (u.id) } " " (u.name) "　" } }
            label for="notified_on" { "通知日期（系统签发：提交备案当天）" }
            input #notified_on type="date" name="notified_on" value=(f.notified_on) readonly;
            label for="contact" { "联系人及电话（印在割接通知上）" }
            input #contact type="text" name="contact" value=(f.contact) required;
            label for="window_start" { "割接开始（北京时间）" }
            input #window_start type="datetime-local" name="window_start" value=(f.window_start) required;
            p #earliest.hint aria-live="polite" { (hint) }
            label for="window_end" { "割接结束（北京时间）" }
            input #window_end type="datetime-local" name="window_end" value=(f.window_end) required;
            label for="description" { "割接内容" }
            textarea #description name="description" required { (f.description) }
            label { input type="checkbox" name="major" value="on" checked[f.major == "on"]; " 重大建设或调整" }
            label for="major_approval_id" { "重大建设或调整的批准编号（须已获自治区级批准，第二十一条）" }
            input #major_approval_id type="text" name="major_approval_id" value=(f.major_approval_id) placeholder="例如 540102-S000001";
            p { button #file-cutover type="submit" { "提交备案" } }
        }
    })
}

/// Query of the live check.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct EarliestQuery {
    notified_on: String,
    window_start: String,
}

/// `GET /filings/earliest?notified_on=&window_start=`: the Art.21 check of
/// the dates typed so far, as one line of text (the form's script shows it).
pub async fn earliest(State(console): State<Console>, _signed: Signed, Query(q): Query<EarliestQuery>) -> Response {
    match earliest_text(&console, &q.notified_on, &q.window_start) {
        Ok(t) => t.into_response(),
        Err(f) => (f.status, f.message).into_response(),
    }
}

/// What Art.21 allows for a notice on `notified_on`, and whether the start
/// typed (`YYYY-MM-DDTHH:MM`) meets it.
fn earliest_text(console: &Console, notified_on: &str, start: &str) -> Result<String, Failure> {
    let Ok(notified) = notified_on.trim().parse::<chrono::NaiveDate>() else {
        return Ok("填写通知日期后显示最早可开始的日期（第二十一条：须提前 2 个工作日通知）。".into());
    };
    let cal = calendar_of(console)?;
    let first = crate::domain::filing::earliest_cutover_start(notified, &cal);
    let verdict = match start.get(..10).and_then(|d| d.parse::<chrono::NaiveDate>().ok()) {
        Some(s) if s >= first => "；所填开始日期符合规定",
        Some(_) => "；所填开始日期早于此日，提交将被拒绝",
        None => "",
    };
    Ok(format!("按通知日期 {notified}，割接最早可于 {first} 开始（第二十一条：提前 2 个工作日通知）{verdict}。"))
}

/// A `datetime-local` value (Beijing time) as RFC 3339.
fn rfc3339(local: &str) -> String {
    let v = local.trim();
    match v.len() {
        16 => format!("{v}:00+08:00"),
        19 if !v.contains('+') && !v.ends_with('Z') => format!("{v}+08:00"),
        _ => v.to_string(),
    }
}

/// `POST /filings/new`: files the cutover; on refusal the form again, with
/// the service's message and what was typed.
pub async fn file(State(console): State<Console>, posted: Posted<CutoverForm>) -> PageResult {
    let Posted { signed, form: f } = posted;
    let cutover = pb::CutoverDetails {
        affected_units: f.affected_units.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect(),
        window_start: rfc3339(&f.window_start),
        window_end: rfc3339(&f.window_end),
        notified_on: f.notified_on.trim().to_string(),
        description: f.description.trim().to_string(),
        major_adjustment: f.major == "on",
        major_approval_id: f.major_approval_id.trim().to_string(),
        contact: f.contact.trim().to_string(),
        affected_unit_names: Vec::new(),
    };
    let req = pb::FileCutoverRequest { cutover: Some(cutover), request_id: f.request_id.clone() };
    let answer = console.services().filings.file_cutover(signed.request(req)).await;
    after_post(
        &signed,
        "cutover filed",
        answer,
        |f| format!("/filings/{}", f.get_ref().id),
        async |error: &str| {
            Ok(frame(&console, &signed, "新建割接备案", cutover_form(&console, &signed, &f, Some(error))?))
        },
    )
    .await
}

/// `GET /filings/<id>`: one filing and its receipts.
pub async fn show(State(console): State<Console>, signed: Signed, Path(id): Path<String>) -> PageResult {
    let f = console.services().filings.get_filing(signed.request(pb::GetFilingRequest { id })).await?.into_inner();
    let origin = NodeId::parse(&f.origin).map_err(crate::error::NodeError::from)?;
    let mut steps =
        vec![Step { label: format!("{} 提交", short(&console, &f.origin)), when: time(f.filed_at_ms), done: true }];
    for a in origin.ancestors() {
        let got = f.receipts.iter().find(|r| r.node == a.to_string());
        steps.push(Step {
            label: format!("{} 回执", short(&console, &a.to_string())),
            when: got.map_or("等待中".into(), |r| time(r.received_at_ms)),
            done: got.is_some(),
        });
    }
    let body = html! {
        p { (kind(&f)) " · 来源 " (console.division(&f.origin)) " · 提交人 " (f.filed_by) " · " (time(f.filed_at_ms)) }
        (timeline(&steps))
        (details(&f))
        h2 { "回执" }
        ul #receipts { @for r in &f.receipts { li.receipt { (console.division(&r.node)) " 于 " (time(r.received_at_ms)) " 接收" } } }
        @if f.receipts.is_empty() { p.muted { "尚未收到上级回执（上联恢复后自动送达）。" } }
    };
    let page = frame(&console, &signed, &format!("备案 {}", f.id), body);
    // while receipts are still to come, the page refreshes itself
    if f.receipts.len() < origin.ancestors().len() {
        return Ok(([("refresh", "5")], page).into_response());
    }
    Ok(page)
}

/// `GET /filings/<id>/notice`: the cutover notice as a printable page; a
/// unit reads those naming it.
pub async fn notice(State(console): State<Console>, signed: Signed, Path(id): Path<String>) -> PageResult {
    let n = console.services().filings.get_cutover_notice(signed.request(pb::GetFilingRequest { id })).await?;
    Ok(crate::console::page::printable(n.into_inner().html))
}

/// An RFC 3339 instant as Beijing time to the minute (as typed if unreadable).
pub(super) fn beijing(t: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(t)
        .map(|d| d.with_timezone(&crate::calendar::beijing()).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|_| t.to_string())
}

fn short(console: &Console, node: &str) -> String {
    console.division(node).split('（').next().unwrap_or(node).to_string()
}

/// Rows of a launched or changed system: its addresses beside the
/// assignments they were checked against (Art.23), the security test.
fn system(l: &pb::LaunchDetails, date_label: &str) -> Markup {
    html! {
        tr { th { "信息系统" } td { (l.system_name) } }
        tr { th { "所属单位" } td { (l.owning_unit) } }
        tr { th { (date_label) } td { (l.launch_date) } }
        tr { th { "使用地址" } td { (l.addresses.join(", ")) } }
        tr { th { "地址分配" } td #assignments {
            @if l.assignment_ids.is_empty() { "—（早于地址关联的备案）" } @else { (l.assignment_ids.join(", ")) } } }
        tr { th { "安全检测（第二十六条第（四）项）" } td { (l.security_test_ref) } }
    }
}

fn details(f: &pb::Filing) -> Markup {
    html! {
        table {
            @match &f.details {
                Some(pb::filing::Details::Cutover(c)) => {
                    tr { th { "涉及单位" } td { (c.affected_units.join("、")) } }
                    tr { th { "割接窗口" } td { (beijing(&c.window_start)) " 至 " (beijing(&c.window_end)) "（北京时间）" } }
                    tr { th { "通知日期" } td { (c.notified_on) " · " a href={ "/filings/" (f.id) "/notice" } { "割接通知（可打印）" } } }
                    tr { th { "联系人" } td { (c.contact) } }
                    tr { th { "重大调整" } td { (if c.major_adjustment { "是" } else { "否" })
                        @if !c.major_approval_id.is_empty() { "（批准 " a href={ "/approvals/" (c.major_approval_id) } { (c.major_approval_id) } "）" } } }
                    tr { th { "内容" } td { (c.description) } }
                },
                Some(pb::filing::Details::Launch(l)) => { (system(l, "上线日期")) },
                Some(pb::filing::Details::Change(c)) => {
                    tr { th { "变更的上线备案" } td { a href={ "/filings/" (c.launch_id) } { (c.launch_id) } } }
                    tr { th { "变更内容" } td { (c.what_changes) } }
                    (system(&c.system.clone().unwrap_or_default(), "变更日期"))
                },
                Some(pb::filing::Details::AnnualReport(r)) => {
                    tr { th { "年度" } td { (r.year) } }
                    tr { th { "割接 / 上线备案" } td { (r.cutovers) " / " (r.launches) } }
                    tr { th { "说明" } td { (r.notes) } }
                },
                Some(pb::filing::Details::Interruption(d)) => {
                    @let i = d.plan.clone().unwrap_or_default();
                    tr { th { "中断申请" } td { a href={ "/interruptions/" (d.interruption_id) } { (d.interruption_id) } } }
                    tr { th { "作业单位" } td { (interruption::or_own(&i.unit_id)) } }
                    tr { th { "中断对象" } td { (i.affected) "（" (interruption::affects_zh(i.affects)) "）" } }
                    tr { th { "批准窗口" } td { (time(i.window_start_ms)) " 至 " (time(i.window_end_ms)) "（北京时间）" } }
                    tr { th { "原因" } td { (i.reason) } }
                    tr { th { "批准" } td { (d.approved_by) " · " (time(d.approved_at_ms)) } }
                },
                Some(pb::filing::Details::Evaluation(e)) => {
                    tr { th { "评估年度" } td { (e.year) } }
                    tr { th { "统计故障 / 评估单位" } td { (e.tickets) " 件 / " (e.parties.len()) " 家" } }
                    tr { th { "评估结论" } td { (e.conclusion) } }
                    tr { th { "评估报告" } td {
                        a href={ "/evaluation/" (f.id) "/document" } { "可打印的评估报告" } " · "
                        a href={ "/evaluation/" (f.id) "/csv" } { "CSV 数据" } } }
                },
                None => {},
            }
        }
    }
}
