//! `/faults`: the fault board — open tickets first, each with its response
//! and repair clocks counting down live (the script; the page shows the
//! time left without it), breaches marked — a unit's report form, and one
//! ticket with its timeline and the steps its state allows the person
//! looking (the operator records the provider's response and repair; the
//! unit confirms with a score or disputes).

use axum::extract::{Path, State};
use axum::response::IntoResponse;
use extranet_proto::v1 as pb;
use extranet_proto::v1::faults_server::Faults;
use maud::{Markup, html};

use crate::console::draw::{Step, timeline};
use crate::console::guard::{Posted, Signed};
use crate::console::page::{Failure, PageResult, after_post, banner, csrf, frame};
use crate::console::state::Console;
use crate::present::fault::{class_zh, clock_text, state_zh};
use crate::present::text::time;

fn clock_cell(t: &pb::FaultTicket, k: pb::FaultClock) -> Markup {
    let Some(c) = t.clocks.iter().find(|c| c.clock == k as i32) else { return html! { "—" } };
    let class = match (c.running, c.left_ms) {
        (true, l) if l < 0 => "late",
        (true, l) if l < 15 * 60_000 => "soon",
        _ => "",
    };
    html! {
        @if c.running { span class=(class) data-countdown-ms=(c.deadline_ms) { (clock_text(c)) } }
        @else { span class=(if c.left_ms < 0 { "late" } else { "ok" }) { (clock_text(c)) } }
    }
}

/// `GET /faults`.
pub async fn board(State(console): State<Console>, signed: Signed) -> PageResult {
    let r = pb::ListFaultsRequest { page_size: 500, ..Default::default() };
    let mut faults = console.services().faults.list_faults(signed.request(r)).await?.into_inner().faults;
    faults.sort_by_key(|t| (t.state == pb::FaultState::Closed as i32, std::cmp::Reverse(t.reported_at_ms)));
    let body = html! {
        p { a.button href="/faults/new" { "报告故障" } " " span.muted { "时限按 7×24 小时连续计算（第十三条）：1 小时内响应，骨干网络 2 小时、城区 48 小时、偏远乡镇 72 小时内修复。" } }
        @if faults.is_empty() { p.muted { "没有故障报告。" } } @else {
            table #faults {
                tr { th { "编号" } th { "类别" } th { "状态" } th { "接入点" } th { "报告时间" } th { "响应" } th { "修复" } th { "超时" } }
                @for t in &faults {
                    tr data-fault=(t.id) {
                        td { a href=(format!("/faults/{}", t.id)) { (t.id) } }
                        td { (class_zh(t.policy.map_or(0, |p| p.class))) } td { (state_zh(t.state)) } td { (t.access_point) }
                        td { (time(t.reported_at_ms)) }
                        td { (clock_cell(t, pb::FaultClock::Response)) } td { (clock_cell(t, pb::FaultClock::Repair)) }
                        td { @if !t.breaches.is_empty() { span.late.breach { "已超时 " (t.breaches.len()) " 项" } } }
                    }
                }
            }
        }
    };
    Ok(([("refresh", "30")], frame(&console, &signed, "故障", body)).into_response())
}

/// The report form as typed.
#[derive(serde::Deserialize, Default, Clone)]
#[serde(default)]
pub struct ReportForm {
    unit_id: String,
    access_point: String,
    description: String,
    contact: String,
    phone: String,
    class: String,
    request_id: String,
}

/// `GET /faults/new`.
pub async fn form(State(console): State<Console>, signed: Signed) -> PageResult {
    let blank = ReportForm { request_id: console.sessions().token()?, ..Default::default() };
    Ok(frame(&console, &signed, "报告故障", report_form(&signed, &blank, None)))
}

fn report_form(signed: &Signed, f: &ReportForm, error: Option<&str>) -> Markup {
    let classes =
        [("", "按单位自动确定（乡镇单位为偏远乡镇，其余为城区）"), ("1", "骨干网络"), ("2", "城区"), ("3", "偏远乡镇")];
    html! {
        (banner(error))
        form #fault-form.stack method="post" action="/faults/new" {
            (csrf(signed))
            input type="hidden" name="request_id" value=(f.request_id);
            @if signed.is_operator() {
                label for="unit_id" { "单位编号（不是某单位的故障可留空）" }
                input #unit_id type="text" name="unit_id" value=(f.unit_id);
                label for="class" { "故障类别" }
                select #class name="class" { @for (v, l) in classes { option value=(v) selected[f.class == v] { (l) } } }
            }
            label for="access_point" { "故障接入点或链路" }
            input #access_point type="text" name="access_point" value=(f.access_point) required;
            label for="description" { "故障情况" }
            textarea #description name="description" required { (f.description) }
            label for="contact" { "联系人" }
            input #contact type="text" name="contact" value=(f.contact) required;
            label for="phone" { "联系电话" }
            input #phone type="text" name="phone" value=(f.phone) required;
            p { button #report-fault type="submit" { "报告" } }
        }
    }
}

/// `POST /faults/new`.
pub async fn report(State(console): State<Console>, posted: Posted<ReportForm>) -> PageResult {
    let Posted { signed, form: f } = posted;
    let req = pb::ReportFaultRequest {
        unit_id: f.unit_id.clone(),
        access_point: f.access_point.clone(),
        description: f.description.clone(),
        down_since_ms: 0,
        contact: Some(pb::Contact { name: f.contact.clone(), phone: f.phone.clone() }),
        class: f.class.parse().unwrap_or(0),
        request_id: f.request_id.clone(),
    };
    let answer = console.services().faults.report_fault(signed.request(req)).await;
    after_post(
        &signed,
        "fault reported",
        answer,
        |t| format!("/faults/{}", t.get_ref().id),
        async |error: &str| Ok(frame(&console, &signed, "报告故障", report_form(&signed, &f, Some(error)))),
    )
    .await
}

/// `GET /faults/<id>`.
pub async fn show(State(console): State<Console>, signed: Signed, Path(id): Path<String>) -> PageResult {
    let t = console.services().faults.get_fault(signed.request(pb::GetFaultRequest { id })).await?.into_inner();
    Ok(frame(&console, &signed, &format!("故障 {}", t.id), ticket(&console, &signed, &t, None)?))
}

fn ticket(console: &Console, signed: &Signed, t: &pb::FaultTicket, error: Option<&str>) -> Result<Markup, Failure> {
    let steps: Vec<Step> =
        t.history.iter().map(|s| Step { label: state_zh(s.state).into(), when: time(s.at_ms), done: true }).collect();
    let c = t.contact.clone().unwrap_or_default();
    let own = t.origin == console.me().to_string();
    Ok(html! {
        (banner(error))
        p { "状态 " strong #state { (state_zh(t.state)) } " · 类别 " (class_zh(t.policy.map_or(0, |p| p.class))) " · 报告于 " (time(t.reported_at_ms)) }
        (timeline(&steps))
        table {
            tr { th { "响应（1 小时）" } td #response { (clock_cell(t, pb::FaultClock::Response)) } }
            tr { th { "修复" } td #repair { (clock_cell(t, pb::FaultClock::Repair)) } }
            @for b in &t.breaches {
                tr { th { "超时记录" } td.late.breach { (if b.clock == pb::FaultClock::Response as i32 { "响应" } else { "修复" }) "时限 " (time(b.deadline_ms)) " 已过（记录于 " (time(b.recorded_at_ms)) "）" } }
            }
            tr { th { "接入点" } td { (t.access_point) } }
            tr { th { "故障情况" } td { (t.description) } }
            tr { th { "单位 / 联系人" } td { (if t.unit_id.is_empty() { "—" } else { &t.unit_id }) " · " (c.name) " " (c.phone) } }
            @if t.satisfaction > 0 { tr { th { "满意度" } td { (t.satisfaction) } } }
        }
        @if own { (steps_allowed(console, signed, t)?) } @else { p.muted { "本节点保存的是下级故障的副本，由 " (console.division(&t.origin)) " 办理。" } }
        h2 { "经过" }
        table {
            tr { th { "时间" } th { "状态" } th { "经办" } th { "说明" } }
            @for s in &t.history { tr { td { (time(s.at_ms)) } td { (state_zh(s.state)) } td { (s.by) } td { (s.note) } } }
        }
    })
}

fn steps_allowed(console: &Console, signed: &Signed, t: &pb::FaultTicket) -> Result<Markup, Failure> {
    use pb::FaultState as S;
    let state = S::try_from(t.state).unwrap_or_default();
    let action = format!("/faults/{}/act", t.id);
    let rid = console.sessions().token()?;
    let one = |name: &str, label: &str| {
        html! {
            form.inline method="post" action=(action) {
                (csrf(signed)) input type="hidden" name="request_id" value=(rid);
                input type="hidden" name="action" value=(name);
                button type="submit" { (label) }
            }
        }
    };
    let operator = signed.is_operator();
    Ok(html! {
        h2 { "办理" }
        p {
            @if operator && state == S::Reported { (one("1", "记录响应")) " " }
            @if operator && matches!(state, S::Reported | S::Acknowledged) { (one("2", "开始修复")) " " }
            @if operator && matches!(state, S::Reported | S::Acknowledged | S::Repairing) { (one("3", "修复完成")) }
        }
        @if state == S::Repaired {
            form #close.stack method="post" action=(action) {
                (csrf(signed)) input type="hidden" name="request_id" value=(rid);
                input type="hidden" name="action" value="4";
                label for="satisfaction" { "满意度（1–5，可不填）" }
                input #satisfaction type="number" name="satisfaction" min="1" max="5";
                button type="submit" { "确认修复并关闭" }
            }
        }
        @if matches!(state, S::Repaired | S::Closed) {
            form #reopen.stack method="post" action=(action) {
                (csrf(signed)) input type="hidden" name="request_id" value=(rid);
                input type="hidden" name="action" value="5";
                label for="reason" { "仍未修复：原因（重新打开后修复时限接着计算）" }
                textarea #reason name="text" {}
                button.secondary type="submit" { "重新打开" }
            }
        }
    })
}

/// A step posted from a ticket's page.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct StepForm {
    action: String,
    satisfaction: String,
    text: String,
    request_id: String,
}

/// `POST /faults/<id>/act`.
pub async fn act(State(console): State<Console>, Path(id): Path<String>, posted: Posted<StepForm>) -> PageResult {
    let Posted { signed, form: f } = posted;
    let svc = &console.services().faults;
    let req = pb::ActOnFaultRequest {
        id: id.clone(),
        action: f.action.parse().unwrap_or(0),
        satisfaction: f.satisfaction.trim().parse().unwrap_or(0),
        text: f.text.clone(),
        class: 0,
        request_id: f.request_id.clone(),
    };
    let answer = svc.act_on_fault(signed.request(req)).await;
    let what = format!("fault {id}: step {}", f.action);
    after_post(
        &signed,
        &what,
        answer,
        |t| format!("/faults/{}", t.get_ref().id),
        async |error: &str| {
            let t = svc.get_fault(signed.request(pb::GetFaultRequest { id })).await?.into_inner();
            let body = ticket(&console, &signed, &t, Some(error))?;
            Ok(frame(&console, &signed, &format!("故障 {}", t.id), body))
        },
    )
    .await
}
