//! `/circulars`: circulars (通报, Art.28, Art.29) held at this node — those
//! its authority issued and those its ancestors issued to a subtree it lies
//! in, the latest first; the issuing form (operators); one circular, and its
//! document as a printable A4 page. A unit sees those naming it.

use axum::extract::{Path, State};
use extranet_proto::v1 as pb;
use extranet_proto::v1::circulars_server::Circulars;
use maud::{Markup, html};

use crate::console::guard::{Posted, Signed};
use crate::console::page::{PageResult, after_post, banner, csrf, frame, printable};
use crate::console::state::Console;
use crate::present::circular::{kind_zh, number, title, units_zh};
use crate::present::text::time;

/// `GET /circulars`.
pub async fn list(State(console): State<Console>, signed: Signed) -> PageResult {
    let rows = recent(&console, &signed, 500).await?;
    let body = html! {
        @if signed.is_operator() {
            p { a.button href="/circulars/new" { "发布通报" } " " span.muted { "对发生的网络安全事件进行通报（第二十八条）；对不履行网络安全保护义务、拒绝或阻碍监督检查的接入单位予以通报（第二十九条）。" } }
        }
        @if rows.is_empty() { p.muted { "无" } } @else { (table(&console, &rows)) }
    };
    Ok(frame(&console, &signed, "通报", body))
}

/// The latest `n` circulars the signed-in person may see (the front page shows a few).
pub async fn recent(console: &Console, signed: &Signed, n: u32) -> Result<Vec<pb::Circular>, tonic::Status> {
    let r = pb::ListCircularsRequest { page_size: n, ..Default::default() };
    Ok(console.services().circulars.list(signed.request(r)).await?.into_inner().circulars)
}

/// Circulars as a table.
pub fn table(console: &Console, rows: &[pb::Circular]) -> Markup {
    html! {
        table.circulars {
            tr { th { "文号" } th { "类别" } th { "事由" } th { "发布机关" } th { "发布时间" } th { "被通报单位" } }
            @for c in rows {
                tr data-circular=(c.id) {
                    td { a href=(format!("/circulars/{}", c.id)) { (number(c)) } }
                    td { (kind_zh(c)) } td { (title(c)) } td { (console.division(&c.origin)) }
                    td { (time(c.issued_at_ms)) } td { (units_zh(c)) }
                }
            }
        }
    }
}

/// The issuing form as typed.
#[derive(serde::Deserialize, Default, Clone)]
#[serde(default)]
pub struct IssueForm {
    kind: String,
    title: String,
    facts: String,
    requirements: String,
    /// One unit a line: NODE:UNIT=NAME.
    units: String,
    /// References, separated by spaces, commas or lines.
    incidents: String,
    orders: String,
    inspections: String,
    request_id: String,
}

/// `GET /circulars/new`.
pub async fn form(State(console): State<Console>, signed: Signed) -> PageResult {
    let blank = IssueForm { request_id: console.sessions().token()?, ..Default::default() };
    Ok(frame(&console, &signed, "发布通报", issue_form(&signed, &blank, None)))
}

fn issue_form(signed: &Signed, f: &IssueForm, error: Option<&str>) -> Markup {
    html! {
        (banner(error))
        form #circular-form.stack method="post" action="/circulars/new" {
            (csrf(signed))
            input type="hidden" name="request_id" value=(f.request_id);
            label for="kind" { "类别" }
            select #kind name="kind" {
                option value="1" selected[f.kind == "1"] { "网络安全事件通报（第二十八条）" }
                option value="2" selected[f.kind == "2"] { "不履行网络安全保护义务（第二十九条第（一）项）" }
                option value="3" selected[f.kind == "3"] { "拒绝或阻碍监督检查（第二十九条第（二）项）" }
            }
            label for="title" { "事由" }
            input #title type="text" name="title" value=(f.title) required;
            label for="facts" { "基本情况" }
            textarea #facts name="facts" required { (f.facts) }
            label for="requirements" { "工作要求（可不填）" }
            textarea #requirements name="requirements" { (f.requirements) }
            label for="units" { "被通报单位，每行一个：区划路径:单位编号=单位名称" }
            textarea #units name="units" placeholder="540000/540100/540102:u0001=城关区教育局" { (f.units) }
            label for="incidents" { "相关安全事件编号（空格或逗号分隔）" }
            input #incidents type="text" name="incidents" value=(f.incidents);
            label for="orders" { "相关中断连接通知编号" }
            input #orders type="text" name="orders" value=(f.orders);
            label for="inspections" { "相关监督检查" }
            input #inspections type="text" name="inspections" value=(f.inspections);
            p { button #issue-circular type="submit" { "发布" } }
        }
    }
}

fn refs(v: &str) -> Vec<String> {
    v.split(|c: char| c.is_whitespace() || c == ',' || c == '，' || c == '、')
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

fn units(v: &str) -> Vec<pb::CircularUnit> {
    v.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (node, rest) = l.split_once(':').unwrap_or(("", l));
            let (unit, name) = rest.split_once('=').unwrap_or((rest, ""));
            pb::CircularUnit { node: node.trim().into(), unit_id: unit.trim().into(), name: name.trim().into() }
        })
        .collect()
}

/// `POST /circulars/new`.
pub async fn issue(State(console): State<Console>, posted: Posted<IssueForm>) -> PageResult {
    let Posted { signed, form: f } = posted;
    let content = pb::CircularContent {
        kind: f.kind.parse().unwrap_or(0),
        title: f.title.clone(),
        facts: f.facts.clone(),
        requirements: f.requirements.clone(),
        units: units(&f.units),
        incidents: refs(&f.incidents),
        orders: refs(&f.orders),
        inspections: refs(&f.inspections),
    };
    let req = pb::IssueCircularRequest { content: Some(content), request_id: f.request_id.clone() };
    let answer = console.services().circulars.issue(signed.request(req)).await;
    after_post(
        &signed,
        "circular issued",
        answer,
        |c| format!("/circulars/{}", c.get_ref().id),
        async |error: &str| Ok(frame(&console, &signed, "发布通报", issue_form(&signed, &f, Some(error)))),
    )
    .await
}

/// `GET /circulars/<id>`.
pub async fn show(State(console): State<Console>, signed: Signed, Path(id): Path<String>) -> PageResult {
    let c = console.services().circulars.get(signed.request(pb::GetCircularRequest { id })).await?.into_inner();
    let text = c.notice.as_ref().map(|n| n.text.clone()).unwrap_or_default();
    let body = html! {
        p { (kind_zh(&c)) " · " (console.division(&c.origin)) " · " (time(c.issued_at_ms)) " · "
            a href=(format!("/circulars/{}/document", c.id)) { "打印文书（A4）" } }
        pre.document { (text) }
    };
    Ok(frame(&console, &signed, &format!("通报 {}", number(&c)), body))
}

/// `GET /circulars/<id>/document`: the printable A4 document.
pub async fn document(State(console): State<Console>, signed: Signed, Path(id): Path<String>) -> PageResult {
    let c = console.services().circulars.get(signed.request(pb::GetCircularRequest { id })).await?.into_inner();
    Ok(printable(c.notice.map(|n| n.html).unwrap_or_default()))
}
