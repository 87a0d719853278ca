//! `/private-networks`: the register of non-classified private networks
//! (非涉密业务专网, Art.5, Art.9, Art.10) held at this node — its own and
//! those registered below it — with the form that registers an existing
//! one (operators; Art.5 forbids building new ones), and one network with
//! the form that records its next step: a planned day, migration done,
//! lease fees stopped. The same service calls as `extranet private-network`.

use axum::extract::{Path, State};
use extranet_proto::v1 as pb;
use extranet_proto::v1::private_networks_server::PrivateNetworks;
use maud::{Markup, html};
use pb::update_private_network_request::Step;

use crate::console::guard::{Posted, Signed};
use crate::console::page::{PageResult, after_post, banner, csrf, frame};
use crate::console::state::Console;
use crate::present::private_network::{HEADER, fees_zh, row, status_zh, step_zh};
use crate::present::text::time;

/// The registration form as typed.
#[derive(serde::Deserialize, Default, Clone)]
#[serde(default)]
pub struct RegisterForm {
    owner_department: String,
    name: String,
    scope: String,
    link_count: String,
    links: String,
    planned_on: String,
    migrated_on: String,
    lease_fees_stopped: Option<String>,
    notes: String,
    request_id: String,
}

/// `GET /private-networks`.
pub async fn list(State(console): State<Console>, signed: Signed) -> PageResult {
    let blank = RegisterForm { request_id: console.sessions().token()?, ..Default::default() };
    page(&console, &signed, &blank, None).await
}

async fn page(console: &Console, signed: &Signed, f: &RegisterForm, error: Option<&str>) -> PageResult {
    let r = pb::ListPrivateNetworksRequest { page_size: 1000, ..Default::default() };
    let rows = console.services().private_networks.list(signed.request(r)).await?.into_inner().networks;
    let body = html! {
        p.muted { "本级及下级登记的非涉密业务专网。除国家另有规定外不得新建非涉密业务专网；已建成的应迁移整合至政务外网，迁移后财政部门不再安排线路租赁费（第五条）。" }
        @if rows.is_empty() { p.muted { "无" } } @else {
            table.private-networks {
                tr { @for h in HEADER { th { (h) } } }
                @for n in &rows {
                    tr data-network=(n.id) {
                        @for (i, cell) in row(n).into_iter().enumerate() {
                            @if i == 0 { td { a href=(format!("/private-networks/{}", n.id)) { (cell) } } } @else { td { (cell) } }
                        }
                    }
                }
            }
        }
        h2 { "登记已建成的专网" }
        (register_form(signed, f, error))
    };
    Ok(frame(console, signed, "非涉密业务专网", body))
}

fn register_form(signed: &Signed, f: &RegisterForm, error: Option<&str>) -> Markup {
    html! {
        (banner(error))
        form #private-network-form.stack method="post" action="/private-networks" {
            (csrf(signed))
            input type="hidden" name="request_id" value=(f.request_id);
            label for="owner_department" { "主管部门" }
            input #owner_department type="text" name="owner_department" value=(f.owner_department) required;
            label for="name" { "专网名称" }
            input #name type="text" name="name" value=(f.name) required;
            label for="scope" { "覆盖范围" }
            input #scope type="text" name="scope" value=(f.scope) required;
            label for="link_count" { "链路数量" }
            input #link_count type="number" min="1" name="link_count" value=(f.link_count) required;
            label for="links" { "链路情况（运营商、带宽、两端，可不填）" }
            input #links type="text" name="links" value=(f.links);
            label for="planned_on" { "计划迁移日期（可不填）" }
            input #planned_on type="date" name="planned_on" value=(f.planned_on);
            label for="migrated_on" { "实际完成日期（已迁移的填写，不晚于今天）" }
            input #migrated_on type="date" name="migrated_on" value=(f.migrated_on);
            label { input type="checkbox" name="lease_fees_stopped" value="1" checked[f.lease_fees_stopped.is_some()]; " 线路租赁费已停止（仅已迁移的）" }
            label for="notes" { "备注" }
            textarea #notes name="notes" { (f.notes) }
            p { button #register-private-network type="submit" { "登记" } }
        }
    }
}

/// `POST /private-networks`.
pub async fn register(State(console): State<Console>, posted: Posted<RegisterForm>) -> PageResult {
    let Posted { signed, form: f } = posted;
    let details = pb::PrivateNetworkDetails {
        owner_department: f.owner_department.clone(),
        name: f.name.clone(),
        scope: f.scope.clone(),
        link_count: f.link_count.trim().parse().unwrap_or(0),
        links: f.links.clone(),
        planned_on: f.planned_on.clone(),
        migrated_on: f.migrated_on.clone(),
        lease_fees_stopped: f.lease_fees_stopped.is_some(),
        notes: f.notes.clone(),
    };
    let req = pb::RegisterPrivateNetworkRequest { details: Some(details), request_id: f.request_id.clone() };
    let answer = console.services().private_networks.register(signed.request(req)).await;
    after_post(
        &signed,
        "private network registered",
        answer,
        |n| format!("/private-networks/{}", n.get_ref().id),
        async |error: &str| page(&console, &signed, &f, Some(error)).await,
    )
    .await
}

/// The step form as typed: `step` is `plan`, `migrated` or `fees-stopped`.
#[derive(serde::Deserialize, Default, Clone)]
#[serde(default)]
pub struct StepForm {
    step: String,
    on: String,
    note: String,
    request_id: String,
}

/// `GET /private-networks/<id>`.
pub async fn show(State(console): State<Console>, signed: Signed, Path(id): Path<String>) -> PageResult {
    one(&console, &signed, id, None).await
}

async fn one(console: &Console, signed: &Signed, id: String, error: Option<&str>) -> PageResult {
    let svc = &console.services().private_networks;
    let n = svc.get(signed.request(pb::GetPrivateNetworkRequest { id })).await?.into_inner();
    let d = n.details.clone().unwrap_or_default();
    let own = n.origin == console.me().to_string();
    let token = console.sessions().token()?;
    let body = html! {
        table.private-network {
            tr { th { "状态" } td.status { (status_zh(n.status)) } }
            tr { th { "主管部门" } td { (d.owner_department) } }
            tr { th { "覆盖范围" } td { (d.scope) } }
            tr { th { "链路" } td { (d.link_count) " 条 " (d.links) } }
            tr { th { "计划迁移日期" } td { (d.planned_on) } }
            tr { th { "实际完成日期" } td { (d.migrated_on) } }
            tr { th { "线路租赁费" } td.fees { (fees_zh(&n)) } }
            tr { th { "登记节点" } td { (console.division(&n.origin)) } }
            @if !d.notes.is_empty() { tr { th { "备注" } td { (d.notes) } } }
        }
        ul.history { @for s in &n.history { li { (time(s.at_ms)) " " (step_zh(s.kind)) " " (s.by) " " (s.note) } } }
        @if own {
            (banner(error))
            form #private-network-step.stack method="post" action=(format!("/private-networks/{}/update", n.id)) {
                (csrf(signed))
                input type="hidden" name="request_id" value=(token);
                label for="step" { "登记事项" }
                select #step name="step" {
                    option value="plan" { "确定或调整计划迁移日期" }
                    option value="migrated" { "完成迁移整合" }
                    option value="fees-stopped" { "线路租赁费已停止" }
                }
                label for="on" { "日期（计划迁移或实际完成；租赁费停止时不填）" }
                input #on type="date" name="on";
                label for="note" { "说明" }
                input #note type="text" name="note";
                p { button #update-private-network type="submit" { "登记" } }
            }
        } @else {
            p.muted { "此专网由 " (console.division(&n.origin)) " 登记维护（第十条），本节点只保存其上报的副本。" }
        }
    };
    Ok(frame(console, signed, &format!("非涉密业务专网 {} {}", n.id, d.name), body))
}

/// `POST /private-networks/<id>/update`.
pub async fn update(State(console): State<Console>, Path(id): Path<String>, posted: Posted<StepForm>) -> PageResult {
    let Posted { signed, form: f } = posted;
    let step = match f.step.as_str() {
        "plan" => Some(Step::Plan(pb::PlanMigration { planned_on: f.on.clone() })),
        "migrated" => Some(Step::Migrated(pb::RecordMigration { migrated_on: f.on.clone() })),
        "fees-stopped" => Some(Step::FeesStopped(pb::StopLeaseFees {})),
        _ => None,
    };
    let req = pb::UpdatePrivateNetworkRequest { id: id.clone(), step, note: f.note.clone(), request_id: f.request_id };
    let answer = console.services().private_networks.update(signed.request(req)).await;
    after_post(
        &signed,
        &format!("private network {id}: {}", f.step),
        answer,
        |n| format!("/private-networks/{}", n.get_ref().id),
        async |error: &str| one(&console, &signed, id.clone(), Some(error)).await,
    )
    .await
}
