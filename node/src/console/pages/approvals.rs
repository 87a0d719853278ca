//! `/approvals`: approvals of a major construction or adjustment (重大建设或
//! 调整, Art.21) — first what waits on this level's decision, then what this
//! node applied for and what passed through it, by where it stands; the
//! application form; one application with its path (how long each level has
//! had it, each level's decision and written notice) and, when it waits
//! here, the decision form; a level's notice on its own to print.
//! Operators only: the service refuses a unit's certificate.

use axum::extract::{Path, State};
use extranet_proto::v1 as pb;
use extranet_proto::v1::approvals_server::Approvals;
use maud::{Markup, html};

use crate::console::guard::{Posted, Signed};
use crate::console::page::{Failure, PageResult, after_post, banner, csrf, frame, printable};
use crate::console::state::Console;
use crate::present::approval::{level_code, stage_zh, verdict_zh, waited};
use crate::present::text::time;

/// `GET /approvals`.
pub async fn list(State(console): State<Console>, signed: Signed) -> PageResult {
    let r = pb::ListApprovalsRequest { page_size: 500, ..Default::default() };
    let all = console.services().approvals.list_approvals(signed.request(r)).await?.into_inner().approvals;
    let me = console.me().to_string();
    let here = |a: &&pb::MajorAdjustment| a.stage == "pending" && a.stage_level == me;
    let groups: [(&str, Vec<&pb::MajorAdjustment>); 4] = [
        ("待本级审批", all.iter().filter(here).collect()),
        ("审批中（在其他层级）", all.iter().filter(|a| a.stage == "pending" && !here(a)).collect()),
        ("已批准", all.iter().filter(|a| a.stage == "approved").collect()),
        ("未通过", all.iter().filter(|a| a.stage == "rejected").collect()),
    ];
    let body = html! {
        p { a.button href="/approvals/new" { "申请审批" } " " span.muted { "重大建设或调整须逐级报经自治区级政务外网主管部门批准后方可实施；涉及重大调整的割接备案须注明已批准的审批申请（第二十一条）。" } }
        @for (label, rows) in &groups {
            h2 { (label) " " span.muted { (rows.len()) } }
            @if rows.is_empty() { p.muted { "无" } } @else { (table(&console, rows)) }
        }
    };
    Ok(frame(&console, &signed, "重大调整审批", body))
}

fn table(console: &Console, rows: &[&pb::MajorAdjustment]) -> Markup {
    let now = crate::store::health::now_ms();
    html! {
        table.approvals {
            tr { th { "编号" } th { "申请节点" } th { "事项" } th { "计划开工" } th { "进度" } th { "本级已等待" } }
            @for a in rows {
                @let p = a.proposal.clone().unwrap_or_default();
                @let wait = a.waits.iter().find(|w| w.decided_ms == 0);
                tr data-approval=(a.id) {
                    td { a href=(format!("/approvals/{}", a.id)) { (a.id) } }
                    td { (console.division(&a.origin)) }
                    td { (p.title) } td { (p.planned_start) }
                    td { (stage_zh(a)) }
                    td { @if let Some(w) = wait { (waited(w, now)) } @else { "—" } }
                }
            }
        }
    }
}

/// The application form as typed.
#[derive(serde::Deserialize, Default, Clone)]
#[serde(default)]
pub struct ApplyForm {
    title: String,
    description: String,
    scope: String,
    planned_start: String,
    contact: String,
    phone: String,
    request_id: String,
}

/// `GET /approvals/new`.
pub async fn form(State(console): State<Console>, signed: Signed) -> PageResult {
    let blank = ApplyForm { request_id: console.sessions().token()?, ..Default::default() };
    Ok(frame(&console, &signed, "申请重大调整审批", apply_form(&signed, &blank, None)))
}

fn apply_form(signed: &Signed, f: &ApplyForm, error: Option<&str>) -> Markup {
    html! {
        (banner(error))
        form #approval-form.stack method="post" action="/approvals/new" {
            (csrf(signed))
            input type="hidden" name="request_id" value=(f.request_id);
            label for="title" { "事项名称" }
            input #title type="text" name="title" value=(f.title) required;
            label for="description" { "建设或调整内容及理由" }
            textarea #description name="description" required { (f.description) }
            label for="scope" { "影响范围（链路、单位、系统）" }
            input #scope type="text" name="scope" value=(f.scope) required;
            label for="planned_start" { "计划开工日期" }
            input #planned_start type="date" name="planned_start" value=(f.planned_start) required;
            label for="contact" { "联系人" }
            input #contact type="text" name="contact" value=(f.contact) required;
            label for="phone" { "联系电话" }
            input #phone type="text" name="phone" value=(f.phone) required;
            p { button #apply-approval type="submit" { "提交审批申请" } }
        }
    }
}

/// `POST /approvals/new`.
pub async fn apply(State(console): State<Console>, posted: Posted<ApplyForm>) -> PageResult {
    let Posted { signed, form: f } = posted;
    let proposal = pb::ApprovalProposal {
        title: f.title.clone(),
        description: f.description.clone(),
        scope: f.scope.clone(),
        planned_start: f.planned_start.clone(),
        contact: Some(pb::Contact { name: f.contact.clone(), phone: f.phone.clone() }),
    };
    let req = pb::ApplyForApprovalRequest { proposal: Some(proposal), request_id: f.request_id.clone() };
    let answer = console.services().approvals.apply_for_approval(signed.request(req)).await;
    after_post(
        &signed,
        "approval applied for",
        answer,
        |a| format!("/approvals/{}", a.get_ref().id),
        async |error: &str| Ok(frame(&console, &signed, "申请重大调整审批", apply_form(&signed, &f, Some(error)))),
    )
    .await
}

async fn fetch(console: &Console, signed: &Signed, id: String) -> Result<pb::MajorAdjustment, Failure> {
    let req = signed.request(pb::GetApprovalRequest { id });
    Ok(console.services().approvals.get_approval(req).await?.into_inner())
}

/// `GET /approvals/<id>`.
pub async fn show(State(console): State<Console>, signed: Signed, Path(id): Path<String>) -> PageResult {
    let a = fetch(&console, &signed, id).await?;
    Ok(frame(&console, &signed, &format!("审批申请 {}", a.id), one(&console, &signed, &a, None)?))
}

fn one(console: &Console, signed: &Signed, a: &pb::MajorAdjustment, error: Option<&str>) -> Result<Markup, Failure> {
    let p = a.proposal.clone().unwrap_or_default();
    let c = p.contact.clone().unwrap_or_default();
    let now = crate::store::health::now_ms();
    let mine = a.stage == "pending" && a.stage_level == console.me().to_string();
    Ok(html! {
        (banner(error))
        p { "进度 " strong #stage { (stage_zh(a)) } }
        table {
            tr { th { "事项" } td { (p.title) } }
            tr { th { "内容" } td { (p.description) } }
            tr { th { "影响范围" } td { (p.scope) } }
            tr { th { "计划开工" } td { (p.planned_start) } }
            tr { th { "申请" } td { (console.division(&a.origin)) " · " (a.applied_by) " · " (time(a.applied_at_ms)) } }
            tr { th { "联系人" } td { (c.name) " " (c.phone) } }
        }
        h2 { "逐级审批" }
        table #path {
            tr { th { "层级" } th { "收到" } th { "用时" } th { "意见" } th { "经办" } th { "意见书" } }
            @for w in &a.waits {
                @let d = a.decisions.iter().find(|d| d.level == w.level);
                tr data-level=(level_code(&w.level)) {
                    td { (console.division(&w.level)) } td { (time(w.since_ms)) } td { (waited(w, now)) }
                    @if let Some(d) = d {
                        td { strong { (verdict_zh(&d.verdict)) } @if !d.reason.is_empty() { "：" (d.reason) } } td { (d.by) " " (time(d.at_ms)) }
                        td { a href=(format!("/approvals/{}/notice/{}", a.id, level_code(&d.level))) { (d.notice_number) } }
                    } @else { td { "审批中" } td { "—" } td { "—" } }
                }
            }
        }
        @if mine { (decide_form(console, signed, a)?) }
    })
}

fn decide_form(console: &Console, signed: &Signed, a: &pb::MajorAdjustment) -> Result<Markup, Failure> {
    let rid = console.sessions().token()?;
    let last = console.me().parent().is_none();
    Ok(html! {
        h2 { "本级审批" }
        form #decide-form.stack method="post" action=(format!("/approvals/{}/decide", a.id)) {
            (csrf(signed)) input type="hidden" name="request_id" value=(rid);
            label for="reason" { "审批意见（不同意时必填理由）" }
            textarea #reason name="reason" {}
            p {
                button type="submit" name="verdict" value="approve" data-verdict="approve" {
                    @if last { "同意（批准实施）" } @else { "同意，报上级审批" }
                }
                " "
                button type="submit" name="verdict" value="reject" data-verdict="reject" { "不同意（书面告知申请单位）" }
            }
        }
    })
}

/// A decision posted from an application's page.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct DecideForm {
    verdict: String,
    reason: String,
    request_id: String,
}

/// `POST /approvals/<id>/decide`.
pub async fn decide(State(console): State<Console>, Path(id): Path<String>, posted: Posted<DecideForm>) -> PageResult {
    let Posted { signed, form: f } = posted;
    let req = pb::DecideApprovalRequest {
        id: id.clone(),
        verdict: f.verdict.clone(),
        reason: f.reason.clone(),
        request_id: f.request_id.clone(),
    };
    let answer = console.services().approvals.decide_approval(signed.request(req)).await;
    after_post(
        &signed,
        &format!("approval {id}: {}", f.verdict),
        answer,
        |a| format!("/approvals/{}", a.get_ref().id),
        async |error: &str| {
            let a = fetch(&console, &signed, id).await?;
            Ok(frame(&console, &signed, &format!("审批申请 {}", a.id), one(&console, &signed, &a, Some(error))?))
        },
    )
    .await
}

/// `GET /approvals/<id>/notice/<level code>`: one level's written notice.
pub async fn notice(
    State(console): State<Console>,
    signed: Signed,
    Path((id, level)): Path<(String, String)>,
) -> PageResult {
    let a = fetch(&console, &signed, id).await?;
    let d = a.decisions.iter().find(|d| level_code(&d.level) == level);
    let d = d.ok_or_else(|| Failure::new(axum::http::StatusCode::NOT_FOUND, "该层级尚未作出审批意见"))?;
    Ok(printable(d.notice_html.clone()))
}
