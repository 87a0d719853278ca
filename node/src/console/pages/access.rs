//! `/access`: the applications held at this node (接入申请) — the review
//! queue with filters, one application with its steps and deadlines, the
//! operator's decision (review, approve with the access plan, reject with
//! reasons, implement), and the written notice (书面告知书) to print on A4.
//! A unit sees only its own: the service refuses any other, by URL too.

use axum::extract::{Path, Query, State};
use extranet_proto::v1 as pb;
use extranet_proto::v1::access_server::Access;
use maud::{Markup, html};

use super::common::{calendar_of, due};
use crate::console::draw::{Step, timeline};
use crate::console::guard::{Posted, Signed};
use crate::console::page::{Failure, PageResult, after_post, banner, csrf, frame};
use crate::console::state::Console;
use crate::present::access::{deadline_marks, kind_zh, state_zh, versions};
use crate::present::text::time;

/// The queue's filters.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct Filter {
    state: String,
    overdue: String,
}

/// `GET /access?state=&overdue=on`.
pub async fn list(State(console): State<Console>, signed: Signed, Query(q): Query<Filter>) -> PageResult {
    let state: i32 = match q.state.trim() {
        "" => 0,
        s => s.parse().map_err(|_| Failure::new(axum::http::StatusCode::BAD_REQUEST, "state：应为申请状态的编号"))?,
    };
    let r = pb::ListApplicationsRequest { state, overdue: q.overdue == "on", page_size: 500, ..Default::default() };
    let apps = console.services().access.list_applications(signed.request(r)).await?.into_inner().applications;
    let cal = calendar_of(&console)?;
    let body = html! {
        form.filters method="get" action="/access" {
            label { "状态 " select name="state" {
                option value="0" selected[state == 0] { "全部" }
                @for s in 1..=7 { option value=(s) selected[state == s] { (state_zh(s)) } }
            } }
            label { input type="checkbox" name="overdue" value="on" checked[q.overdue == "on"]; " 只看逾期" }
            button.secondary type="submit" { "筛选" }
        }
        (super::home::applications(&cal, crate::calendar::today(), &apps))
    };
    Ok(frame(&console, &signed, "接入申请", body))
}

/// `GET /access/<id>`.
pub async fn show(State(console): State<Console>, signed: Signed, Path(id): Path<String>) -> PageResult {
    let a =
        console.services().access.get_application(signed.request(pb::GetApplicationRequest { id })).await?.into_inner();
    Ok(frame(&console, &signed, &format!("申请 {}", a.id), application(&console, &signed, &a, None)?))
}

fn application(
    console: &Console,
    signed: &Signed,
    a: &pb::Application,
    error: Option<&str>,
) -> Result<Markup, Failure> {
    let cal = calendar_of(console)?;
    let today = crate::calendar::today();
    let unit = a.unit.clone().unwrap_or_default();
    let form = a.form.clone().unwrap_or_default();
    let steps: Vec<Step> =
        a.history.iter().map(|t| Step { label: state_zh(t.state).into(), when: time(t.at_ms), done: true }).collect();
    Ok(html! {
        (banner(error))
        p { (kind_zh(a.kind)) " · 状态 " strong #state { (state_zh(a.state)) } " · " (unit.name) "（" (unit.id) "）" }
        (timeline(&steps))
        table {
            tr { th { "审批机关" } td { @if let Some(r) = &a.routing { (console.division(&r.competent)) " · " (r.reason) } } }
            tr { th { "依据/原因" } td { (form.basis) } }
            tr { th { "范围 / 位置" } td { (form.scope) " / " (form.location) } }
            tr { th { "带宽" } td { (form.bandwidth_mbps) " Mbit/s" } }
            tr { th { "技术要求" } td { (form.technical_requirements) } }
            tr { th { "安全措施" } td { (form.security_measures) } }
            tr { th { "不涉密声明（第八条）" } td { (if form.declares_no_classified_information { "已声明" } else { "未声明" }) } }
            @if !a.access_plan.is_empty() { tr { th { "接入方案" } td { (a.access_plan) } } }
            @if !a.rejection_reasons.is_empty() { tr { th { "未通过原因" } td { (a.rejection_reasons) } } }
        }
        h2 { "期限（第十六条）" }
        table {
            tr { th { "期限" } th { "到期" } th { "完成" } th { "计算依据" } }
            @for d in &a.deadlines {
                tr { td { (d.name) } td { @if d.met_on.is_empty() { (due(&cal, today, &d.due, &deadline_marks(d))) } @else { (d.due) (deadline_marks(d)) } }
                     td { @if d.met_on.is_empty() { "未完成" } @else { (d.met_on) } }
                     td { (versions(d.calendar_version, &d.local_by, d.local_version)) } }
            }
        }
        @if a.notice.is_some() { p { a #notice-link.button href=(format!("/access/{}/notice", a.id)) { "查看并打印书面告知书" } } }
        @if signed.is_operator() && a.routing.as_ref().is_some_and(|r| r.competent == console.me().to_string()) {
            (decisions(console, signed, a)?)
        }
        h2 { "经过" }
        table {
            tr { th { "时间" } th { "状态" } th { "经办" } th { "说明" } }
            @for t in &a.history { tr { td { (time(t.at_ms)) } td { (state_zh(t.state)) } td { (t.by) "@" (short(&t.node)) } td { (t.note) } } }
        }
    })
}

fn short(node: &str) -> &str {
    node.rsplit('/').next().unwrap_or(node)
}

/// The decision forms the application's state allows.
fn decisions(console: &Console, signed: &Signed, a: &pb::Application) -> Result<Markup, Failure> {
    use pb::ApplicationState as S;
    let state = S::try_from(a.state).unwrap_or(S::Unspecified);
    let action = format!("/access/{}/decide", a.id);
    let rid = console.sessions().token()?;
    let one = |name: &str, label: &str, class: &str| {
        html! {
            form.inline method="post" action=(action) {
                (csrf(signed)) input type="hidden" name="request_id" value=(rid);
                input type="hidden" name="action" value=(name);
                button class=(class) type="submit" { (label) }
            }
        }
    };
    Ok(html! {
        h2 { "办理" }
        @match state {
            S::Submitted => { (one("review", "开始审核", "")) },
            S::UnderReview => {
                form #approve.stack method="post" action=(action) {
                    (csrf(signed)) input type="hidden" name="request_id" value=(rid);
                    input type="hidden" name="action" value="approve";
                    label for="plan" { "接入方案（与申请单位共同制定，第十六条）" }
                    textarea #plan name="text" {}
                    button type="submit" { "批准" }
                }
                form #reject.stack method="post" action=(action) {
                    (csrf(signed)) input type="hidden" name="request_id" value=(rid);
                    input type="hidden" name="action" value="reject";
                    label for="reasons" { "未通过的原因（将出具书面告知书）" }
                    textarea #reasons name="text" {}
                    button.danger type="submit" { "不予通过" }
                }
            },
            S::Approved => { (one("implement", "开始实施", "")) },
            S::Implementing => { (one("complete", "实施完成，已接入", "")) },
            _ => { p.muted { "此申请已办结。" } },
        }
    })
}

/// A decision posted from the application's page.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct DecisionForm {
    action: String,
    text: String,
    request_id: String,
}

/// `POST /access/<id>/decide`.
pub async fn decide(
    State(console): State<Console>,
    Path(id): Path<String>,
    posted: Posted<DecisionForm>,
) -> PageResult {
    let Posted { signed, form: f } = posted;
    let svc = &console.services().access;
    let (rid, text) = (f.request_id.clone(), f.text.clone());
    let answer = match f.action.as_str() {
        "review" => svc.review(signed.request(pb::ReviewRequest { id: id.clone(), request_id: rid })).await,
        "approve" => {
            svc.approve(signed.request(pb::ApproveRequest { id: id.clone(), access_plan: text, request_id: rid })).await
        }
        "reject" => {
            svc.reject(signed.request(pb::RejectRequest { id: id.clone(), reasons: text, request_id: rid })).await
        }
        "implement" | "complete" => {
            let done = f.action == "complete";
            svc.implement(signed.request(pb::ImplementRequest { id: id.clone(), done, request_id: rid })).await
        }
        other => Err(tonic::Status::invalid_argument(format!("action：未知的办理动作“{other}”"))),
    };
    let what = format!("application {id}: {}", f.action);
    after_post(
        &signed,
        &what,
        answer,
        |a| format!("/access/{}", a.get_ref().id),
        async |error: &str| {
            let a = svc.get_application(signed.request(pb::GetApplicationRequest { id })).await?.into_inner();
            let body = application(&console, &signed, &a, Some(error))?;
            Ok(frame(&console, &signed, &format!("申请 {}", a.id), body))
        },
    )
    .await
}

/// `GET /access/<id>/notice`: the written notice as its own A4 document.
pub async fn notice(State(console): State<Console>, signed: Signed, Path(id): Path<String>) -> PageResult {
    let n = console.services().access.get_notice(signed.request(pb::GetNoticeRequest { id })).await?.into_inner();
    Ok(crate::console::page::printable(n.html))
}
