//! `/inspections`: supervision inspections (监督检查, Art.28) — first what
//! waits on the person signed in (answers to review at the inspecting
//! node; findings to answer at an inspected node, or for an inspected
//! unit), then every inspection held here; a form to record one (operator);
//! one inspection with its findings, their deadlines and steps, the
//! written rectification order, and the steps the person may take.

use axum::extract::{Path, State};
use extranet_proto::v1 as pb;
use extranet_proto::v1::inspections_server::Inspections;
use maud::{Markup, PreEscaped, html};

use crate::console::guard::{Posted, Signed};
use crate::console::page::{Failure, PageResult, after_post, banner, csrf, frame};
use crate::console::state::Console;
use crate::present::inspection::{HEADER, inspected_zh, parse_finding, rectification_zh, row};
use crate::present::order::deadline_zh;
use crate::present::text::time;

async fn listed(console: &Console, signed: &Signed, waiting_only: bool) -> Result<Vec<pb::Inspection>, Failure> {
    let r = pb::ListInspectionsRequest { waiting_only, page_size: 500, ..Default::default() };
    Ok(console.services().inspections.list_inspections(signed.request(r)).await?.into_inner().inspections)
}

/// `GET /inspections`.
pub async fn list(State(console): State<Console>, signed: Signed) -> PageResult {
    let waiting = listed(&console, &signed, true).await?;
    let all = listed(&console, &signed, false).await?;
    let body = html! {
        @if signed.is_operator() {
            p { a.button href="/inspections/new" { "记录监督检查" } " " span.muted { "定期检查本级接入单位和下级节点的运行、使用和安全管理情况，责令存在问题的限期整改（第二十八条）。" } }
        }
        h2 { "等待您办理 " span.muted { (waiting.len()) } }
        @if waiting.is_empty() { p.muted { "无" } } @else { (table(&waiting)) }
        h2 { "全部监督检查 " span.muted { (all.len()) } }
        @if all.is_empty() { p.muted { "无" } } @else { (table(&all)) }
    };
    Ok(frame(&console, &signed, "监督检查", body))
}

fn table(rows: &[pb::Inspection]) -> Markup {
    html! {
        table.inspections {
            tr { @for h in HEADER { th { (h) } } }
            @for i in rows {
                @let cells = row(i);
                tr data-inspection=(i.id) {
                    td { a href=(format!("/inspections/{}", i.id)) { (i.id) } }
                    @for c in &cells[1..] { td { (c) } }
                }
            }
        }
    }
}

/// The record form as typed: one finding per line, `text@N` to order a
/// rectification within N working days.
#[derive(serde::Deserialize, Default, Clone)]
#[serde(default)]
pub struct RecordForm {
    unit_id: String,
    inspected_node: String,
    date: String,
    scope: String,
    inspectors: String,
    findings: String,
    request_id: String,
}

/// `GET /inspections/new`.
pub async fn form(State(console): State<Console>, signed: Signed) -> PageResult {
    let blank = RecordForm {
        request_id: console.sessions().token()?,
        date: crate::calendar::today().to_string(),
        ..Default::default()
    };
    Ok(frame(&console, &signed, "记录监督检查", record_form(&signed, &blank, None)))
}

fn record_form(signed: &Signed, f: &RecordForm, error: Option<&str>) -> Markup {
    html! {
        (banner(error))
        form #inspection-form.stack method="post" action="/inspections/new" {
            (csrf(signed))
            input type="hidden" name="request_id" value=(f.request_id);
            label for="unit_id" { "被检查的本级接入单位编号（检查下级节点时留空）" }
            input #unit_id type="text" name="unit_id" value=(f.unit_id);
            label for="inspected_node" { "被检查的下级节点（区划路径，例如 540000/540100/540102）" }
            input #inspected_node type="text" name="inspected_node" value=(f.inspected_node);
            label for="date" { "检查日期" }
            input #date type="date" name="date" value=(f.date) required;
            label for="scope" { "检查内容" }
            input #scope type="text" name="scope" value=(f.scope) required;
            label for="inspectors" { "检查人员（以顿号或逗号分隔）" }
            input #inspectors type="text" name="inspectors" value=(f.inspectors) required;
            label for="findings" { "发现的问题（每行一项；责令整改的在末尾写 @工作日数，例如 “默认口令@5”）" }
            textarea #findings name="findings" required { (f.findings) }
            p { button #record-inspection type="submit" { "记录并签发整改通知书" } }
        }
    }
}

/// `POST /inspections/new`.
pub async fn record(State(console): State<Console>, posted: Posted<RecordForm>) -> PageResult {
    let Posted { signed, form: f } = posted;
    let req = pb::RecordInspectionRequest {
        unit_id: f.unit_id.clone(),
        inspected_node: f.inspected_node.clone(),
        date: f.date.clone(),
        scope: f.scope.clone(),
        inspectors: f.inspectors.split(['、', ',', '，']).map(|s| s.trim().to_string()).collect(),
        findings: f.findings.lines().filter(|l| !l.trim().is_empty()).map(parse_finding).collect(),
        request_id: f.request_id.clone(),
    };
    let answer = console.services().inspections.record_inspection(signed.request(req)).await;
    after_post(
        &signed,
        "inspection recorded",
        answer,
        |i| format!("/inspections/{}", i.get_ref().id),
        async |error: &str| Ok(frame(&console, &signed, "记录监督检查", record_form(&signed, &f, Some(error)))),
    )
    .await
}

/// `GET /inspections/<id>`.
pub async fn show(State(console): State<Console>, signed: Signed, Path(id): Path<String>) -> PageResult {
    let i = get(&console, &signed, id).await?;
    Ok(frame(&console, &signed, &format!("监督检查 {}", i.id), one(&console, &signed, &i, None)?))
}

async fn get(console: &Console, signed: &Signed, id: String) -> Result<pb::Inspection, Failure> {
    let req = pb::GetInspectionRequest { id };
    Ok(console.services().inspections.get_inspection(signed.request(req)).await?.into_inner())
}

fn one(console: &Console, signed: &Signed, i: &pb::Inspection, error: Option<&str>) -> Result<Markup, Failure> {
    let me = console.me().to_string();
    let own = i.origin == me;
    let answers = (!signed.is_operator() && !i.unit_id.is_empty()) || (signed.is_operator() && i.inspected_node == me);
    let rid = console.sessions().token()?;
    let action = format!("/inspections/{}/act", i.id);
    let step = |finding: u32, kind: &str, label: &str, text: &str| {
        html! {
            form.stack method="post" action=(action) {
                (csrf(signed)) input type="hidden" name="request_id" value=(rid);
                input type="hidden" name="finding" value=(finding);
                input type="hidden" name="kind" value=(kind);
                label { (text) } textarea name="text" {}
                button type="submit" data-action=(kind) { (label) }
            }
        }
    };
    Ok(html! {
        (banner(error))
        table {
            tr { th { "检查机关" } td { (console.division(&i.origin)) } }
            tr { th { "被检查方" } td { (inspected_zh(i)) } }
            tr { th { "检查日期" } td { (i.date) } }
            tr { th { "检查内容 / 人员" } td { (i.scope) " · " (i.inspectors.join("、")) } }
            tr { th { "整改通知书" } td { @if let Some(n) = &i.notice { (n.number) } @else { "未责令整改" } } }
        }
        @for f in &i.findings {
            h2 { (f.number) "．" (f.text) }
            @if let Some(r) = &f.rectification {
                @let state = pb::RectificationState::try_from(r.state).unwrap_or_default();
                p { "整改 " strong.state { (rectification_zh(r)) } " · 期限 " (deadline_zh(r.deadline.as_ref())) }
                table {
                    tr { th { "时间" } th { "步骤" } th { "经办" } th { "说明" } }
                    @for s in &r.steps { tr { td { (time(s.at_ms)) } td { (step_zh(s.kind)) } td { (s.by) } td { (s.note) } } }
                }
                @if answers && state == pb::RectificationState::Open { (step(f.number, "respond", "报送整改情况", "整改情况")) }
                @if own && signed.is_operator() && state == pb::RectificationState::Responded {
                    (step(f.number, "accept", "验收通过", "验收意见（可不填）"))
                    (step(f.number, "return", "退回重新整改", "退回理由"))
                }
            } @else { p.muted { "未责令整改" } }
        }
        @if let Some(n) = &i.notice { h2 { "整改通知书" } div.notice { (PreEscaped(notice_body(&n.html))) } }
    })
}

fn step_zh(kind: i32) -> &'static str {
    use crate::codec::WireEnum;
    use crate::domain::inspection::RectificationStepKind;
    RectificationStepKind::from_pb(kind).map_or("—", RectificationStepKind::zh)
}

/// The `<body>` of a written notice's own A4 page, to show inside this one.
fn notice_body(html: &str) -> &str {
    let start = html.find("<body>").map_or(0, |i| i + "<body>".len());
    let end = html.rfind("</body>").unwrap_or(html.len());
    html.get(start..end).unwrap_or_default()
}

/// A step posted from an inspection's page.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct StepForm {
    finding: u32,
    kind: String,
    text: String,
    request_id: String,
}

/// `POST /inspections/<id>/act`.
pub async fn act(State(console): State<Console>, Path(id): Path<String>, posted: Posted<StepForm>) -> PageResult {
    let Posted { signed, form: f } = posted;
    let svc = &console.services().inspections;
    let answer = if f.kind == "respond" {
        let req = pb::RespondToFindingRequest {
            id: id.clone(),
            finding: f.finding,
            text: f.text.clone(),
            request_id: f.request_id.clone(),
        };
        svc.respond_to_finding(signed.request(req)).await
    } else {
        let accept = f.kind == "accept";
        let req = pb::ReviewFindingRequest {
            id: id.clone(),
            finding: f.finding,
            accept,
            text: f.text.clone(),
            request_id: f.request_id.clone(),
        };
        svc.review_finding(signed.request(req)).await
    };
    let what = format!("inspection {id}: {} finding {}", f.kind, f.finding);
    after_post(
        &signed,
        &what,
        answer,
        |i| format!("/inspections/{}", i.get_ref().id),
        async |error: &str| {
            let i = get(&console, &signed, id).await?;
            let body = one(&console, &signed, &i, Some(error))?;
            Ok(frame(&console, &signed, &format!("监督检查 {}", i.id), body))
        },
    )
    .await
}
