//! `/orders`: disconnection and rectification orders (中断连接、限期整改,
//! Art.25(4)) — rectifications reported and waiting to be verified first,
//! then orders standing (overdue marked), then lifted ones; the form to
//! order a unit disconnected; one order with its steps, the steps its state
//! allows the person looking, and its written order and lifting notice to
//! print. A unit sees its own orders here even while it is cut off: these
//! are the calls its certificate is still allowed.

use axum::extract::{Path, Query, State};
use extranet_proto::v1 as pb;
use extranet_proto::v1::orders_server::Orders;
use maud::{Markup, html};

use crate::console::guard::{Posted, Signed};
use crate::console::page::{Failure, PageResult, after_post, banner, csrf, frame, printable};
use crate::console::state::Console;
use crate::present::order::{deadline_zh, state_zh, step_zh};
use crate::present::text::time;

/// `GET /orders`.
pub async fn list(State(console): State<Console>, signed: Signed) -> PageResult {
    let r = pb::ListOrdersRequest { page_size: 500, ..Default::default() };
    let all = console.services().orders.list_orders(signed.request(r)).await?.into_inner().orders;
    let of = |s: pb::OrderState| all.iter().filter(|o| o.state == s as i32).collect::<Vec<_>>();
    let groups = [
        ("已报送整改，待核验", of(pb::OrderState::Rectified)),
        ("中断连接中（整改中）", of(pb::OrderState::Standing)),
        ("已恢复连接", of(pb::OrderState::Lifted)),
    ];
    let body = html! {
        @if signed.is_operator() {
            p { a.button href="/orders/new" { "下达中断连接通知" } " " span.muted { "接入单位存在安全问题影响政务外网安全的，可中断其连接并责令限期整改；整改到位经核验后恢复连接（第二十五条第（四）项）。" } }
        }
        @for (label, rows) in &groups {
            h2 { (label) " " span.muted { (rows.len()) } }
            @if rows.is_empty() { p.muted { "无" } } @else { (table(&console, rows)) }
        }
    };
    Ok(frame(&console, &signed, "中断连接与整改", body))
}

fn table(console: &Console, rows: &[&pb::Order]) -> Markup {
    html! {
        table.orders {
            tr { th { "编号" } th { "下达节点" } th { "单位" } th { "状态" } th { "整改期限" } th { "原因" } }
            @for o in rows {
                tr data-order=(o.id) {
                    td { a href=(format!("/orders/{}", o.id)) { (o.id) } }
                    td { (console.division(&o.origin)) }
                    td { (o.unit_name) "（" (o.unit_id) "）" }
                    td { @if o.overdue { span.late { (state_zh(o)) } } @else { (state_zh(o)) } }
                    td { (o.deadline.as_ref().map_or("—", |d| d.due.as_str())) }
                    td { (o.reason) }
                }
            }
        }
    }
}

/// The order form as typed.
#[derive(serde::Deserialize, Default, Clone)]
#[serde(default)]
pub struct IssueForm {
    unit_id: String,
    reason: String,
    working_days: String,
    request_id: String,
}

/// `GET /orders/new`.
pub async fn form(State(console): State<Console>, signed: Signed) -> PageResult {
    let blank = IssueForm { request_id: console.sessions().token()?, working_days: "10".into(), ..Default::default() };
    Ok(frame(&console, &signed, "下达中断连接通知", issue_form(&signed, &blank, None)))
}

fn issue_form(signed: &Signed, f: &IssueForm, error: Option<&str>) -> Markup {
    html! {
        (banner(error))
        form #order-form.stack method="post" action="/orders/new" {
            (csrf(signed))
            input type="hidden" name="request_id" value=(f.request_id);
            label for="unit_id" { "接入单位编号" }
            input #unit_id type="text" name="unit_id" value=(f.unit_id) required;
            label for="reason" { "存在的安全问题（影响政务外网安全的情况）" }
            textarea #reason name="reason" required { (f.reason) }
            label for="working_days" { "整改期限（工作日，1 至 60，按自治区工作日历计算）" }
            input #working_days type="number" min="1" max="60" name="working_days" value=(f.working_days) required;
            p { button #issue-order type="submit" { "下达（立即中断连接）" } }
        }
    }
}

/// `POST /orders/new`.
pub async fn issue(State(console): State<Console>, posted: Posted<IssueForm>) -> PageResult {
    let Posted { signed, form: f } = posted;
    let req = pb::IssueOrderRequest {
        unit_id: f.unit_id.clone(),
        reason: f.reason.clone(),
        working_days: f.working_days.trim().parse().unwrap_or(0),
        request_id: f.request_id.clone(),
    };
    let answer = console.services().orders.issue_order(signed.request(req)).await;
    after_post(
        &signed,
        "order issued",
        answer,
        |o| format!("/orders/{}", o.get_ref().id),
        async |error: &str| Ok(frame(&console, &signed, "下达中断连接通知", issue_form(&signed, &f, Some(error)))),
    )
    .await
}

async fn fetch(console: &Console, signed: &Signed, id: String) -> Result<pb::Order, Failure> {
    Ok(console.services().orders.get_order(signed.request(pb::GetOrderRequest { id })).await?.into_inner())
}

/// `GET /orders/<id>`.
pub async fn show(State(console): State<Console>, signed: Signed, Path(id): Path<String>) -> PageResult {
    let o = fetch(&console, &signed, id).await?;
    Ok(frame(&console, &signed, &format!("中断连接通知 {}", o.id), one(&console, &signed, &o, None)?))
}

fn one(console: &Console, signed: &Signed, o: &pb::Order, error: Option<&str>) -> Result<Markup, Failure> {
    let own = o.origin == console.me().to_string();
    let doc = |n: &Option<pb::WrittenNotice>, q: &str| {
        html! { @if let Some(n) = n { a href=(format!("/orders/{}/notice{q}", o.id)) { (n.number) } } @else { "—" } }
    };
    Ok(html! {
        (banner(error))
        p { "状态 " strong #state { (state_zh(o)) } }
        table {
            tr { th { "单位" } td { (o.unit_name) "（" (o.unit_id) "）" } }
            tr { th { "下达节点" } td { (console.division(&o.origin)) } }
            tr { th { "原因" } td { (o.reason) } }
            tr { th { "整改期限" } td #deadline { (deadline_zh(o.deadline.as_ref())) } }
            tr { th { "通知书" } td { (doc(&o.order_notice, "")) } }
            tr { th { "恢复连接通知" } td { (doc(&o.lifting_notice, "?lifting=1")) } }
        }
        @if own { (steps_allowed(console, signed, o)?) }
        h2 { "经过" }
        table {
            tr { th { "时间" } th { "步骤" } th { "经办" } th { "说明" } }
            @for s in &o.history { tr { td { (time(s.at_ms)) } td { (step_zh(s.kind)) } td { (s.by) } td { (s.note) } } }
        }
    })
}

fn steps_allowed(console: &Console, signed: &Signed, o: &pb::Order) -> Result<Markup, Failure> {
    use pb::OrderState as S;
    let state = S::try_from(o.state).unwrap_or_default();
    let action = format!("/orders/{}/act", o.id);
    let rid = console.sessions().token()?;
    let step = |name: pb::OrderAction, label: &str, text: &str, days: bool| {
        html! {
            form.stack method="post" action=(action) {
                (csrf(signed)) input type="hidden" name="request_id" value=(rid);
                input type="hidden" name="action" value=(name as i32);
                label { (text) } textarea name="text" {}
                @if days { label { "延长的工作日数" } input type="number" min="1" max="60" name="working_days" value="5"; }
                button type="submit" data-action=(name.as_str_name()) { (label) }
            }
        }
    };
    let operator = signed.is_operator();
    Ok(html! {
        @if state != S::Lifted { h2 { "办理" } }
        @if state == S::Standing { (step(pb::OrderAction::Rectified, "报送整改情况", "整改情况", false)) }
        @if operator && state != S::Lifted {
            (step(pb::OrderAction::Lift, "核验通过，恢复连接", "核验意见（可不填）", false))
            (step(pb::OrderAction::Extend, "延长整改期限", "延期理由", true))
        }
    })
}

/// A step posted from an order's page.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct StepForm {
    action: String,
    text: String,
    working_days: String,
    request_id: String,
}

/// `POST /orders/<id>/act`.
pub async fn act(State(console): State<Console>, Path(id): Path<String>, posted: Posted<StepForm>) -> PageResult {
    let Posted { signed, form: f } = posted;
    let svc = &console.services().orders;
    let req = pb::ActOnOrderRequest {
        id: id.clone(),
        action: f.action.parse().unwrap_or(0),
        text: f.text.clone(),
        working_days: f.working_days.trim().parse().unwrap_or(0),
        request_id: f.request_id.clone(),
    };
    let answer = svc.act_on_order(signed.request(req)).await;
    after_post(
        &signed,
        &format!("order {id}: step {}", f.action),
        answer,
        |o| format!("/orders/{}", o.get_ref().id),
        async |error: &str| {
            let o = fetch(&console, &signed, id).await?;
            Ok(frame(&console, &signed, &format!("中断连接通知 {}", o.id), one(&console, &signed, &o, Some(error))?))
        },
    )
    .await
}

/// Which document of an order to print.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct Which {
    lifting: String,
}

/// `GET /orders/<id>/notice[?lifting=1]`: the written order, or the lifting notice.
pub async fn notice(
    State(console): State<Console>,
    signed: Signed,
    Path(id): Path<String>,
    Query(which): Query<Which>,
) -> PageResult {
    let o = fetch(&console, &signed, id).await?;
    let n = if which.lifting.is_empty() { o.order_notice } else { o.lifting_notice };
    let n = n.ok_or_else(|| Failure::new(axum::http::StatusCode::NOT_FOUND, "尚未恢复连接，没有恢复连接通知"))?;
    Ok(printable(n.html))
}
