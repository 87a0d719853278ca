//! `/incidents`: security incidents (网络安全事件, Art.26(1)) — first the
//! queue of what waits on the signed-in operator (major incidents with a
//! department not yet recorded as told; incidents not yet decided whether
//! to report up), then every incident held here; a form to report one (a
//! unit for itself, an operator for a unit or the node); one incident with
//! the five departments, told or missing, and the steps its state allows.

use axum::extract::{Path, State};
use extranet_proto::v1 as pb;
use extranet_proto::v1::incidents_server::Incidents;
use maud::{Markup, html};

use crate::console::guard::{Posted, Signed};
use crate::console::page::{Failure, PageResult, after_post, banner, csrf, frame};
use crate::console::state::Console;
use crate::domain::Choice;
use crate::domain::incident::{Channel, Department};
use crate::present::incident::{channel_zh, department_zh, grade_zh, missing_zh, state_zh, step_zh};
use crate::present::text::time;

/// `GET /incidents`.
pub async fn list(State(console): State<Console>, signed: Signed) -> PageResult {
    let svc = &console.services().incidents;
    let all = svc.list(signed.request(pb::ListIncidentsRequest { page_size: 500, ..Default::default() })).await?;
    let all = all.into_inner().incidents;
    let me = console.me().to_string();
    let waiting: Vec<&pb::Incident> = all.iter().filter(|i| i.origin == me && !i.closed && waits(i)).collect();
    let body = html! {
        p { a.button href="/incidents/new" { "报告安全事件" } " " span.muted { "重大网络安全事件第一时间向本级网信、保密、安全、公安、经济和信息化等部门报告，各主管部门根据职责指导处置并分析研判后决定是否上报上级单位（第二十六条第（一）项）。" } }
        @if signed.is_operator() {
            h2 { "待本级办理（" (waiting.len()) "）" }
            @if waiting.is_empty() { p.muted { "没有待办的安全事件。" } } @else { (table(&console, &waiting)) }
        }
        h2 { "全部（" (all.len()) "）" }
        @if all.is_empty() { p.muted { "无" } } @else { (table(&console, &all.iter().collect::<Vec<_>>())) }
    };
    Ok(frame(&console, &signed, "网络安全事件", body))
}

/// Whether it waits on its authority: undecided, or a department missing.
fn waits(i: &pb::Incident) -> bool {
    i.decision == pb::IncidentDecision::Undecided as i32 || !i.missing_departments.is_empty()
}

fn table(console: &Console, rows: &[&pb::Incident]) -> Markup {
    html! {
        table.incidents {
            tr { th { "编号" } th { "节点" } th { "级别" } th { "事件" } th { "发生时间" } th { "尚未报告的部门" } th { "研判" } }
            @for i in rows {
                @let r = i.report.clone().unwrap_or_default();
                tr data-incident=(i.id) {
                    td { a href=(format!("/incidents/{}", i.id)) { (i.id) } }
                    td { (console.division(&i.origin)) }
                    td { (grade_zh(i)) } td { (r.title) } td { (time(r.occurred_at_ms)) }
                    td class=(if i.missing_departments.is_empty() { "" } else { "late" }) { (missing_zh(i)) }
                    td { (state_zh(i)) }
                }
            }
        }
    }
}

/// The report form as typed.
#[derive(serde::Deserialize, Default, Clone)]
#[serde(default)]
pub struct ReportForm {
    unit_id: String,
    title: String,
    description: String,
    occurred_at: String,
    impact: String,
    measures: String,
    major: String,
    contact: String,
    phone: String,
    request_id: String,
}

/// `GET /incidents/new`.
pub async fn form(State(console): State<Console>, signed: Signed) -> PageResult {
    let blank = ReportForm { request_id: console.sessions().token()?, ..Default::default() };
    Ok(frame(&console, &signed, "报告安全事件", report_form(&signed, &blank, None)))
}

fn report_form(signed: &Signed, f: &ReportForm, error: Option<&str>) -> Markup {
    html! {
        (banner(error))
        form #incident-form.stack method="post" action="/incidents/new" {
            (csrf(signed))
            input type="hidden" name="request_id" value=(f.request_id);
            @if signed.is_operator() {
                label for="unit_id" { "发生事件的单位编号（本级网络的事件留空）" }
                input #unit_id type="text" name="unit_id" value=(f.unit_id);
            }
            label for="title" { "事件名称" }
            input #title type="text" name="title" value=(f.title) required;
            label for="description" { "事件经过" }
            textarea #description name="description" required { (f.description) }
            label for="occurred_at" { "发生（发现）时间（北京时间）" }
            input #occurred_at type="datetime-local" name="occurred_at" value=(f.occurred_at) required;
            label for="impact" { "影响范围" }
            textarea #impact name="impact" required { (f.impact) }
            label for="measures" { "已采取的措施" }
            textarea #measures name="measures" required { (f.measures) }
            label { input #major type="checkbox" name="major" value="1" checked[f.major == "1"]; " 重大网络安全事件（须第一时间向本级网信、保密、安全、公安、经济和信息化部门报告）" }
            label for="contact" { "联系人" }
            input #contact type="text" name="contact" value=(f.contact) required;
            label for="phone" { "联系电话" }
            input #phone type="text" name="phone" value=(f.phone) required;
            p { button #report-incident type="submit" { "报告" } }
        }
    }
}

/// `POST /incidents/new`.
pub async fn report(State(console): State<Console>, posted: Posted<ReportForm>) -> PageResult {
    let Posted { signed, form: f } = posted;
    let answer = match crate::calendar::parse_beijing_ms("occurred_at", &f.occurred_at) {
        Ok(occurred_at_ms) => {
            let report = pb::IncidentReport {
                unit_id: f.unit_id.clone(),
                title: f.title.clone(),
                description: f.description.clone(),
                occurred_at_ms,
                impact: f.impact.clone(),
                measures: f.measures.clone(),
                major: f.major == "1",
                contact: Some(pb::Contact { name: f.contact.clone(), phone: f.phone.clone() }),
            };
            let req = pb::ReportIncidentRequest { report: Some(report), request_id: f.request_id.clone() };
            console.services().incidents.report(signed.request(req)).await
        }
        Err(e) => Err(crate::error::NodeError::from(e).into()),
    };
    after_post(
        &signed,
        "incident reported",
        answer,
        |i| format!("/incidents/{}", i.get_ref().id),
        async |error: &str| Ok(frame(&console, &signed, "报告安全事件", report_form(&signed, &f, Some(error)))),
    )
    .await
}

/// `GET /incidents/<id>`.
pub async fn show(State(console): State<Console>, signed: Signed, Path(id): Path<String>) -> PageResult {
    let i = console.services().incidents.get(signed.request(pb::GetIncidentRequest { id })).await?.into_inner();
    Ok(frame(&console, &signed, &format!("安全事件 {}", i.id), one(&console, &signed, &i, None)?))
}

fn one(console: &Console, signed: &Signed, i: &pb::Incident, error: Option<&str>) -> Result<Markup, Failure> {
    let r = i.report.clone().unwrap_or_default();
    let c = r.contact.clone().unwrap_or_default();
    let own = i.origin == console.me().to_string();
    Ok(html! {
        (banner(error))
        p { (grade_zh(i)) "事件 · 研判 " strong #state { (state_zh(i)) } }
        table {
            tr { th { "事件" } td { (r.title) } }
            tr { th { "单位" } td { @if r.unit_id.is_empty() { "本级" } @else { (r.unit_id) } " · " (console.division(&i.origin)) } }
            tr { th { "发生时间" } td { (time(r.occurred_at_ms)) "（北京时间）" } }
            tr { th { "经过" } td { (r.description) } }
            tr { th { "影响范围" } td { (r.impact) } }
            tr { th { "已采取措施" } td { (r.measures) } }
            tr { th { "联系人" } td { (c.name) " " (c.phone) } }
        }
        @if r.major {
            h2 { "向本级五部门报告（第二十六条第（一）项）" }
            p #missing { "尚未记录报告的部门：" strong class=(if i.missing_departments.is_empty() { "" } else { "late" }) { (missing_zh(i)) } }
        }
        table.departments {
            tr { th { "部门" } th { "报告时间" } th { "方式" } th { "报告人" } th { "说明" } }
            @for d in &i.departments {
                tr { td { (department_zh(d.department)) } td { (time(d.at_ms)) }
                     td { (channel_zh(d.channel)) } td { (d.reporter) } td { (d.note) } }
            }
        }
        @if own && !i.closed { (steps_allowed(console, signed, i)?) }
        @else if !own { p.muted { "本节点保存的是下级上报的安全事件副本，由 " (console.division(&i.origin)) " 研判处置。" } }
        h2 { "经过" }
        table {
            tr { th { "时间" } th { "步骤" } th { "经办" } th { "说明" } }
            @for s in &i.history { tr { td { (time(s.at_ms)) } td { (step_zh(s.kind)) } td { (s.by) } td { (s.note) } } }
        }
    })
}

fn steps_allowed(console: &Console, signed: &Signed, i: &pb::Incident) -> Result<Markup, Failure> {
    let rid = console.sessions().token()?;
    let action = format!("/incidents/{}/act", i.id);
    let undecided = i.decision == pb::IncidentDecision::Undecided as i32;
    let kept = i.decision == pb::IncidentDecision::Kept as i32;
    Ok(html! {
        h2 { "办理" }
        form.stack method="post" action=(action) {
            (csrf(signed)) input type="hidden" name="request_id" value=(rid);
            input type="hidden" name="step" value="notify";
            label { "记录向部门的首次报告" }
            select name="department" { @for (v, d) in Department::CHOICES { option value=(v) { (d.zh()) } } }
            select name="channel" { @for (v, c) in Channel::CHOICES { option value=(v) { (c.zh()) } } }
            input type="datetime-local" name="at" required;
            input type="text" name="reporter" placeholder="报告人" required;
            input type="text" name="note" placeholder="对方接报人、编号等（可不填）";
            button type="submit" data-action="notify" { "记录" }
        }
        @if signed.is_operator() && (undecided || kept) {
            form.stack method="post" action=(action) {
                (csrf(signed)) input type="hidden" name="request_id" value=(rid);
                input type="hidden" name="step" value="report-up";
                label { "研判意见" } textarea name="note" {}
                button type="submit" name="up" value="1" data-action="report-up" { "上报上级" }
                @if undecided { " " button type="submit" name="up" value="0" data-action="keep" { "本级处置，不上报" } }
            }
        }
        @if signed.is_operator() && !undecided {
            form.stack method="post" action=(action) {
                (csrf(signed)) input type="hidden" name="request_id" value=(rid);
                input type="hidden" name="step" value="close";
                label { "处置情况" } textarea name="note" required {}
                button type="submit" data-action="close" { "处置完毕" }
            }
        }
    })
}

/// A step posted from an incident's page.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct StepForm {
    step: String,
    department: String,
    channel: String,
    at: String,
    reporter: String,
    note: String,
    up: String,
    request_id: String,
}

async fn take(
    console: &Console,
    signed: &Signed,
    id: &str,
    f: &StepForm,
) -> Result<tonic::Response<pb::Incident>, tonic::Status> {
    let svc = &console.services().incidents;
    let (id, request_id, note) = (id.to_string(), f.request_id.clone(), f.note.clone());
    match f.step.as_str() {
        "report-up" => {
            svc.report_up(signed.request(pb::ReportUpRequest { id, report_up: f.up == "1", note, request_id })).await
        }
        "close" => svc.close(signed.request(pb::CloseIncidentRequest { id, note, request_id })).await,
        _ => {
            use crate::codec::WireEnum;
            let at_ms =
                crate::calendar::parse_beijing_ms("department.at", &f.at).map_err(crate::error::NodeError::from)?;
            let report = pb::DepartmentReport {
                department: Department::from_value(&f.department).map_or(0, |d| d.to_pb() as i32),
                at_ms,
                channel: Channel::from_value(&f.channel).map_or(0, |c| c.to_pb() as i32),
                reporter: f.reporter.clone(),
                note,
                ..Default::default()
            };
            svc.record_department_report(signed.request(pb::RecordDepartmentReportRequest {
                id,
                report: Some(report),
                request_id,
            }))
            .await
        }
    }
}

/// `POST /incidents/<id>/act`.
pub async fn act(State(console): State<Console>, Path(id): Path<String>, posted: Posted<StepForm>) -> PageResult {
    let Posted { signed, form: f } = posted;
    let answer = take(&console, &signed, &id, &f).await;
    let what = format!("incident {id}: {}", f.step);
    after_post(
        &signed,
        &what,
        answer,
        |i| format!("/incidents/{}", i.get_ref().id),
        async |error: &str| {
            let svc = &console.services().incidents;
            let i = svc.get(signed.request(pb::GetIncidentRequest { id })).await?.into_inner();
            let body = one(&console, &signed, &i, Some(error))?;
            Ok(frame(&console, &signed, &format!("安全事件 {}", i.id), body))
        },
    )
    .await
}
