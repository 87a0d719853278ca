//! `/interruptions`: maintenance interruptions (维护作业中断, Art.24) —
//! those waiting for approval, planned, under way and finished, in that
//! order, with the node's subtree below its own; a request form (a unit for
//! its own work, an operator for a unit's or the authority's own); one
//! interruption with its timeline, the filing that reported it to the
//! region, and the steps its state allows the person looking.

use axum::extract::{Path, State};
use extranet_proto::v1 as pb;
use extranet_proto::v1::interruptions_server::Interruptions;
use maud::{Markup, html};

use crate::console::draw::{Step, timeline};
use crate::console::guard::{Posted, Signed};
use crate::console::page::{Failure, PageResult, after_post, banner, csrf, frame};
use crate::console::state::Console;
use crate::present::interruption::{affects_zh, or_own, overrun, plan, state_zh};
use crate::present::text::time;

/// The phases the list groups by, in the order shown.
const PHASES: [(pb::InterruptionState, &str); 4] = [
    (pb::InterruptionState::Requested, "待审批"),
    (pb::InterruptionState::Approved, "计划中（已批准）"),
    (pb::InterruptionState::UnderWay, "实施中"),
    (pb::InterruptionState::Finished, "已结束"),
];

/// `GET /interruptions`.
pub async fn list(State(console): State<Console>, signed: Signed) -> PageResult {
    let r = pb::ListInterruptionsRequest { page_size: 500, ..Default::default() };
    let all = console.services().interruptions.list_interruptions(signed.request(r)).await?.into_inner().interruptions;
    let body = html! {
        p { a.button href="/interruptions/new" { "申请中断" } " " span.muted { "因维护作业需要中断网络和重要业务系统，须经本级政务外网主管部门批准后实施，并向自治区级政务外网主管部门报备（第二十四条）。" } }
        @for (state, label) in PHASES {
            @let rows: Vec<&pb::Interruption> = all.iter().filter(|i| i.state == state as i32).collect();
            h2 { (label) " " span.muted { (rows.len()) } }
            @if rows.is_empty() { p.muted { "无" } } @else { (table(&console, &rows)) }
        }
    };
    Ok(frame(&console, &signed, "维护作业中断", body))
}

fn table(console: &Console, rows: &[&pb::Interruption]) -> Markup {
    html! {
        table.interruptions {
            tr { th { "编号" } th { "节点" } th { "对象" } th { "内容" } th { "窗口（北京时间）" } th { "作业单位" } th { "报备" } }
            @for i in rows {
                @let p = plan(i);
                tr data-interruption=(i.id) {
                    td { a href=(format!("/interruptions/{}", i.id)) { (i.id) } }
                    td { (console.division(&i.origin)) }
                    td { (affects_zh(p.affects)) } td { (p.affected) }
                    td { (time(p.window_start_ms)) " 至 " (time(p.window_end_ms)) " " span.late { (overrun(i)) } }
                    td { (or_own(&p.unit_id)) }
                    td { @if i.filing_id.is_empty() { "—" } @else { a href=(format!("/filings/{}", i.filing_id)) { (i.filing_id) } } }
                }
            }
        }
    }
}

/// The request form as typed.
#[derive(serde::Deserialize, Default, Clone)]
#[serde(default)]
pub struct RequestForm {
    unit_id: String,
    affects: String,
    affected: String,
    reason: String,
    window_start: String,
    window_end: String,
    contact: String,
    phone: String,
    request_id: String,
}

/// `GET /interruptions/new`.
pub async fn form(State(console): State<Console>, signed: Signed) -> PageResult {
    let blank = RequestForm { request_id: console.sessions().token()?, ..Default::default() };
    Ok(frame(&console, &signed, "申请中断", request_form(&signed, &blank, None)))
}

fn request_form(signed: &Signed, f: &RequestForm, error: Option<&str>) -> Markup {
    html! {
        (banner(error))
        form #interruption-form.stack method="post" action="/interruptions/new" {
            (csrf(signed))
            input type="hidden" name="request_id" value=(f.request_id);
            @if signed.is_operator() {
                label for="unit_id" { "作业单位编号（本级主管部门自己的作业留空）" }
                input #unit_id type="text" name="unit_id" value=(f.unit_id);
            }
            label for="affects" { "中断对象" }
            select #affects name="affects" {
                option value="1" selected[f.affects == "1"] { "网络" }
                option value="2" selected[f.affects == "2"] { "重要业务系统" }
            }
            label for="affected" { "中断的网络或系统，及受影响的单位" }
            input #affected type="text" name="affected" value=(f.affected) required;
            label for="reason" { "作业原因" }
            textarea #reason name="reason" required { (f.reason) }
            label for="window_start" { "开始时间（北京时间）" }
            input #window_start type="datetime-local" name="window_start" value=(f.window_start) required;
            label for="window_end" { "结束时间（北京时间，不超过 7 天）" }
            input #window_end type="datetime-local" name="window_end" value=(f.window_end) required;
            label for="contact" { "作业期间联系人" }
            input #contact type="text" name="contact" value=(f.contact) required;
            label for="phone" { "联系电话" }
            input #phone type="text" name="phone" value=(f.phone) required;
            p { button #request-interruption type="submit" { "提交申请" } }
        }
    }
}

/// `POST /interruptions/new`.
pub async fn request(State(console): State<Console>, posted: Posted<RequestForm>) -> PageResult {
    let Posted { signed, form: f } = posted;
    let window = crate::calendar::parse_beijing_ms("window_start", &f.window_start)
        .and_then(|s| Ok((s, crate::calendar::parse_beijing_ms("window_end", &f.window_end)?)));
    let answer = match window {
        Ok((window_start_ms, window_end_ms)) => {
            let plan = pb::InterruptionPlan {
                unit_id: f.unit_id.clone(),
                affects: f.affects.parse().unwrap_or(0),
                affected: f.affected.clone(),
                reason: f.reason.clone(),
                window_start_ms,
                window_end_ms,
                contact: Some(pb::Contact { name: f.contact.clone(), phone: f.phone.clone() }),
            };
            let req = pb::RequestInterruptionRequest { plan: Some(plan), request_id: f.request_id.clone() };
            console.services().interruptions.request_interruption(signed.request(req)).await
        }
        Err(e) => Err(crate::error::NodeError::from(e).into()),
    };
    after_post(
        &signed,
        "interruption requested",
        answer,
        |i| format!("/interruptions/{}", i.get_ref().id),
        async |error: &str| Ok(frame(&console, &signed, "申请中断", request_form(&signed, &f, Some(error)))),
    )
    .await
}

/// `GET /interruptions/<id>`.
pub async fn show(State(console): State<Console>, signed: Signed, Path(id): Path<String>) -> PageResult {
    let req = pb::GetInterruptionRequest { id };
    let i = console.services().interruptions.get_interruption(signed.request(req)).await?.into_inner();
    Ok(frame(&console, &signed, &format!("中断 {}", i.id), one(&console, &signed, &i, None)?))
}

fn one(console: &Console, signed: &Signed, i: &pb::Interruption, error: Option<&str>) -> Result<Markup, Failure> {
    let steps: Vec<Step> =
        i.history.iter().map(|s| Step { label: state_zh(s.state).into(), when: time(s.at_ms), done: true }).collect();
    let p = plan(i);
    let c = p.contact.clone().unwrap_or_default();
    let own = i.origin == console.me().to_string();
    Ok(html! {
        (banner(error))
        p { "状态 " strong #state { (state_zh(i.state)) } " " span.late { (overrun(i)) } }
        (timeline(&steps))
        table {
            tr { th { "中断对象" } td { (p.affected) "（" (affects_zh(p.affects)) "）" } }
            tr { th { "窗口" } td { (time(p.window_start_ms)) " 至 " (time(p.window_end_ms)) "（北京时间）" } }
            tr { th { "原因" } td { (p.reason) } }
            tr { th { "作业单位 / 联系人" } td { (or_own(&p.unit_id)) " · " (c.name) " " (c.phone) } }
            tr { th { "向自治区级报备" } td #filing {
                @if i.filing_id.is_empty() { "批准后自动报备" }
                @else { a href=(format!("/filings/{}", i.filing_id)) { "备案 " (i.filing_id) } "（各级回执见备案）" }
            } }
        }
        @if own { (steps_allowed(console, signed, i)?) } @else { p.muted { "本节点保存的是下级中断申请的副本，由 " (console.division(&i.origin)) " 审批。" } }
        h2 { "经过" }
        table {
            tr { th { "时间" } th { "状态" } th { "经办" } th { "说明" } }
            @for s in &i.history { tr { td { (time(s.at_ms)) } td { (state_zh(s.state)) } td { (s.by) } td { (s.note) } } }
        }
    })
}

fn steps_allowed(console: &Console, signed: &Signed, i: &pb::Interruption) -> Result<Markup, Failure> {
    use pb::InterruptionState as S;
    let state = S::try_from(i.state).unwrap_or_default();
    let action = format!("/interruptions/{}/act", i.id);
    let rid = console.sessions().token()?;
    let step = |name: pb::InterruptionAction, label: &str, text: Option<&str>| {
        html! {
            form.stack method="post" action=(action) {
                (csrf(signed)) input type="hidden" name="request_id" value=(rid);
                input type="hidden" name="action" value=(name as i32);
                @if let Some(t) = text { label { (t) } textarea name="text" {} }
                button type="submit" data-action=(name.as_str_name()) { (label) }
            }
        }
    };
    let operator = signed.is_operator();
    Ok(html! {
        h2 { "办理" }
        @if operator && state == S::Requested {
            (step(pb::InterruptionAction::Approve, "批准（并向自治区级报备）", Some("审批意见（可不填）")))
            (step(pb::InterruptionAction::Reject, "驳回", Some("驳回理由")))
        }
        @if state == S::Approved { (step(pb::InterruptionAction::Start, "开始实施", None)) }
        @if state == S::UnderWay { (step(pb::InterruptionAction::Finish, "作业结束，恢复服务", Some("作业情况（可不填）"))) }
        @if matches!(state, S::Requested | S::Approved) { (step(pb::InterruptionAction::Withdraw, "撤回", Some("撤回原因"))) }
    })
}

/// A step posted from an interruption's page.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct StepForm {
    action: String,
    text: String,
    request_id: String,
}

/// `POST /interruptions/<id>/act`.
pub async fn act(State(console): State<Console>, Path(id): Path<String>, posted: Posted<StepForm>) -> PageResult {
    let Posted { signed, form: f } = posted;
    let svc = &console.services().interruptions;
    let req = pb::ActOnInterruptionRequest {
        id: id.clone(),
        action: f.action.parse().unwrap_or(0),
        text: f.text.clone(),
        request_id: f.request_id.clone(),
    };
    let answer = svc.act_on_interruption(signed.request(req)).await;
    let what = format!("interruption {id}: step {}", f.action);
    after_post(
        &signed,
        &what,
        answer,
        |i| format!("/interruptions/{}", i.get_ref().id),
        async |error: &str| {
            let i = svc.get_interruption(signed.request(pb::GetInterruptionRequest { id })).await?.into_inner();
            let body = one(&console, &signed, &i, Some(error))?;
            Ok(frame(&console, &signed, &format!("中断 {}", i.id), body))
        },
    )
    .await
}
