//! `/systems`: information systems on the extranet (Art.23). For an
//! operator, one queue of what units sent: applications for a system's
//! addresses waiting on a decision (grant or refuse here), and the launch
//! and change filings units filed themselves. For a unit: apply for a
//! system's addresses, see how each application stands, and file the
//! launch with the addresses it was given.

use axum::extract::{Path, State};
use extranet_proto::v1 as pb;
use extranet_proto::v1::filings_server::Filings;
use extranet_proto::v1::ipam_server::Ipam;
use maud::{Markup, html};

use crate::console::guard::{Posted, Signed};
use crate::console::page::{Failure, PageResult, after_post, banner, csrf, frame};
use crate::console::state::Console;
use crate::present::filing::kind;
use crate::present::text::time;

const TITLE: &str = "信息系统";

/// `GET /systems`.
pub async fn page(State(console): State<Console>, signed: Signed) -> PageResult {
    Ok(frame(&console, &signed, TITLE, body(&console, &signed, None).await?))
}

async fn body(console: &Console, signed: &Signed, error: Option<&str>) -> Result<Markup, Failure> {
    let s = console.services();
    let asks = s.ipam.list_system_requests(signed.request(pb::ListSystemRequestsRequest::default())).await?;
    let asks = asks.into_inner().requests;
    let r = pb::ListFilingsRequest { page_size: 200, ..Default::default() };
    let filed: Vec<pb::Filing> = s.filings.list_filings(signed.request(r)).await?.into_inner().filings;
    let filed: Vec<&pb::Filing> = filed.iter().filter(|f| is_system(f) && f.filed_by.starts_with("unit:")).collect();
    let rid = console.sessions().token()?;
    Ok(html! {
        (banner(error))
        @if signed.is_operator() { (queue(signed, &asks, &filed, &rid)) } @else { (unit_forms(signed, &asks, &rid)) }
        h2 { "地址申请" }
        @if asks.is_empty() { p.muted { "没有。" } } @else {
            table #system-requests {
                tr { th { "编号" } th { "单位" } th { "信息系统" } th { "地址族" } th { "提交时间" } th { "状态" } }
                @for a in &asks {
                    tr data-request=(a.id) { td { (a.id) } td { (a.unit_name) "（" (a.unit_id) "）" } td { (a.system_name) }
                         td { (if a.ipv4 { "IPv4" } else { "IPv6" }) } td { (time(a.at_ms)) } td { (state(a)) } }
                }
            }
        }
        h2 { (if signed.is_operator() { "单位报来的上线 / 变更备案" } else { "本单位的上线 / 变更备案" }) }
        @if filed.is_empty() { p.muted { "没有。" } } @else {
            ul #unit-filings { @for f in &filed {
                li { a href=(format!("/filings/{}", f.id)) { (f.id) } " " (kind(f)) " · " (f.filed_by) " · " (time(f.filed_at_ms)) }
            } }
        }
    })
}

fn is_system(f: &pb::Filing) -> bool {
    matches!(f.details, Some(pb::filing::Details::Launch(_)) | Some(pb::filing::Details::Change(_)))
}

fn state(a: &pb::SystemRequestRecord) -> String {
    match pb::SystemRequestState::try_from(a.state).unwrap_or_default() {
        pb::SystemRequestState::Granted => format!("已分配 {}（{}）", a.prefix, a.assignment_id),
        pb::SystemRequestState::Refused => format!("不予分配：{}", a.refusal_reason),
        _ => "待审核".into(),
    }
}

/// The operator's queue: pending applications, each with its decision.
fn queue(signed: &Signed, asks: &[pb::SystemRequestRecord], filed: &[&pb::Filing], rid: &str) -> Markup {
    let pending: Vec<&pb::SystemRequestRecord> =
        asks.iter().filter(|a| a.state == pb::SystemRequestState::Pending as i32).collect();
    html! {
        h2 { "待办（" (pending.len() + filed.len()) "）：待审核的地址申请 " (pending.len()) " 件，单位报来的备案 " (filed.len()) " 件" }
        @for a in &pending {
            section.card data-pending=(a.id) {
                p { strong { (a.id) } " " (a.unit_name) "（" (a.unit_id) "）申请 " (a.system_name) " 的 " (if a.ipv4 { "IPv4" } else { "IPv6" }) " 地址：" (a.reason) }
                @if a.ipv4 { p { "不能使用 IPv6 的理由（第六条）：" (a.ipv4_justification) } }
                form.stack method="post" action=(format!("/systems/{}/decide", a.id)) {
                    (csrf(signed)) input type="hidden" name="request_id" value=(rid);
                    label { "理由（不予分配时必填）" input type="text" name="reason"; }
                    button type="submit" name="decision" value="grant" { "分配" }
                    button type="submit" name="decision" value="refuse" { "不予分配" }
                }
            }
        }
    }
}

/// A unit's two forms: apply for addresses, file a launch with them.
fn unit_forms(signed: &Signed, asks: &[pb::SystemRequestRecord], rid: &str) -> Markup {
    let granted: Vec<&pb::SystemRequestRecord> =
        asks.iter().filter(|a| a.state == pb::SystemRequestState::Granted as i32).collect();
    html! {
        div.cards {
            section.card {
                h2 { "申请信息系统 IP 地址（第二十三条）" }
                form #system-apply.stack method="post" action="/systems/apply" {
                    (csrf(signed)) input type="hidden" name="request_id" value=(rid);
                    label for="system_name" { "信息系统名称" } input #system_name type="text" name="system_name" required;
                    label for="reason" { "用途" } textarea #reason name="reason" required {}
                    label { input type="checkbox" name="ipv4" value="1"; " 申请 IPv4（原则上使用 IPv6，第六条）" }
                    label for="ipv4_justification" { "不能使用 IPv6 的理由（申请 IPv4 时必填）" }
                    input #ipv4_justification type="text" name="ipv4_justification";
                    button type="submit" { "提交申请" }
                }
            }
            section.card {
                h2 { "上线备案（正式上线前）" }
                @if granted.is_empty() { p.muted { "地址分配后即可备案。" } } @else {
                    form #system-launch.stack method="post" action="/systems/launch" {
                        (csrf(signed)) input type="hidden" name="request_id" value=(rid);
                        label for="launch_system" { "信息系统名称" } input #launch_system type="text" name="system_name" required;
                        label for="launch_date" { "上线日期" } input #launch_date type="date" name="launch_date" required;
                        label for="address" { "使用地址" }
                        select #address name="address" { @for a in &granted { option value=(a.prefix) { (a.prefix) "（" (a.system_name) "）" } } }
                        label for="security_test_ref" { "安全检测编号（第二十六条第（四）项）" }
                        input #security_test_ref type="text" name="security_test_ref" required;
                        button type="submit" { "备案" }
                    }
                }
            }
        }
    }
}

/// The application form.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct ApplyForm {
    system_name: String,
    reason: String,
    ipv4: String,
    ipv4_justification: String,
    request_id: String,
}

/// `POST /systems/apply`: a unit applies for its system's addresses.
pub async fn apply(State(console): State<Console>, posted: Posted<ApplyForm>) -> PageResult {
    let Posted { signed, form: f } = posted;
    let req = pb::RequestSystemAddressesRequest {
        system_name: f.system_name,
        reason: f.reason,
        ipv4: !f.ipv4.is_empty(),
        ipv4_justification: f.ipv4_justification,
        request_id: f.request_id,
        ..Default::default()
    };
    let answer = console.services().ipam.request_system_addresses(signed.request(req)).await.map(|r| r.into_inner().id);
    done(&console, &signed, answer, "system addresses requested").await
}

/// The decision form.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct DecideForm {
    decision: String,
    reason: String,
    request_id: String,
}

/// `POST /systems/{id}/decide`: the operator grants or refuses.
pub async fn decide(State(console): State<Console>, Path(id): Path<String>, posted: Posted<DecideForm>) -> PageResult {
    let Posted { signed, form: f } = posted;
    let req =
        pb::DecideSystemRequestRequest { id, grant: f.decision == "grant", reason: f.reason, request_id: f.request_id };
    let answer = console.services().ipam.decide_system_request(signed.request(req)).await.map(|r| r.into_inner().id);
    done(&console, &signed, answer, "system addresses decided").await
}

/// The launch form.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct LaunchForm {
    system_name: String,
    launch_date: String,
    address: String,
    security_test_ref: String,
    request_id: String,
}

/// `POST /systems/launch`: a unit files its system's launch.
pub async fn launch(State(console): State<Console>, posted: Posted<LaunchForm>) -> PageResult {
    let Posted { signed, form: f } = posted;
    let launch = pb::LaunchDetails {
        system_name: f.system_name,
        launch_date: f.launch_date,
        addresses: vec![f.address],
        security_test_ref: f.security_test_ref,
        ..Default::default()
    };
    let req = pb::FileLaunchRequest { launch: Some(launch), request_id: f.request_id };
    let answer = console.services().filings.file_launch(signed.request(req)).await.map(|r| r.into_inner().id);
    done(&console, &signed, answer, "launch filed").await
}

async fn done(console: &Console, signed: &Signed, answer: Result<String, tonic::Status>, what: &str) -> PageResult {
    let what = format!("{what} {}", answer.as_deref().unwrap_or(""));
    after_post(
        signed,
        &what,
        answer,
        |_| "/systems".into(),
        async |error: &str| Ok(frame(console, signed, TITLE, body(console, signed, Some(error)).await?)),
    )
    .await
}
