//! The supervision part of the front page (`/`): what waits on the
//! signed-in operator among approvals and orders — applications for a major
//! adjustment waiting on this level's decision (Art.21), rectifications
//! reported and waiting to be verified, and orders past their deadline
//! (Art.25(4)) — and, for a unit, its standing orders, which are all it may
//! still see while it is cut off.

use extranet_proto::v1 as pb;
use extranet_proto::v1::approvals_server::Approvals;
use extranet_proto::v1::orders_server::Orders;
use maud::{Markup, html};

use crate::console::guard::Signed;
use crate::console::page::Failure;
use crate::console::state::Console;
use crate::present::approval::stage_zh;
use crate::present::order::state_zh;

async fn orders(console: &Console, signed: &Signed) -> Result<Vec<pb::Order>, Failure> {
    let states = vec![pb::OrderState::Standing as i32, pb::OrderState::Rectified as i32];
    let r = pb::ListOrdersRequest { states, page_size: 200, ..Default::default() };
    Ok(console.services().orders.list_orders(signed.request(r)).await?.into_inner().orders)
}

/// An operator's supervision queue.
pub async fn operator(console: &Console, signed: &Signed) -> Result<Markup, Failure> {
    let r = pb::ListApprovalsRequest { waiting_only: true, page_size: 200, ..Default::default() };
    let approvals = console.services().approvals.list_approvals(signed.request(r)).await?.into_inner().approvals;
    let me = console.me().to_string();
    let orders: Vec<pb::Order> = orders(console, signed).await?.into_iter().filter(|o| o.origin == me).collect();
    let to_verify: Vec<&pb::Order> = orders.iter().filter(|o| o.state == pb::OrderState::Rectified as i32).collect();
    let overdue: Vec<&pb::Order> = orders.iter().filter(|o| o.overdue).collect();
    Ok(html! {
        h2 { "待本级审批的重大调整（" (approvals.len()) "）" }
        @if approvals.is_empty() { p.muted { "没有。" } } @else {
            ul #approvals-waiting { @for a in &approvals {
                li { a href=(format!("/approvals/{}", a.id)) { (a.id) } " " (a.proposal.as_ref().map_or("", |p| p.title.as_str()))
                     " · " (console.division(&a.origin)) " · " (stage_zh(a)) }
            } }
        }
        h2 { "待核验的整改（" (to_verify.len()) "）· 逾期未整改（" (overdue.len()) "）" }
        @if to_verify.is_empty() && overdue.is_empty() { p.muted { "没有。" } } @else {
            ul #orders-waiting { @for o in to_verify.iter().chain(overdue.iter()) {
                li { a href=(format!("/orders/{}", o.id)) { (o.id) } " " (o.unit_name) "（" (o.unit_id) "）· " (state_zh(o)) }
            } }
        }
    })
}

/// A unit's standing orders; `None` when it has none.
pub async fn unit(console: &Console, signed: &Signed) -> Result<Option<Markup>, Failure> {
    let orders = orders(console, signed).await?;
    if orders.is_empty() {
        return Ok(None);
    }
    Ok(Some(html! {
        p.error role="alert" { "本单位已被中断与电子政务外网的连接（第二十五条第（四）项）。整改完成并经核验恢复连接前，只能查看中断连接通知、报送整改情况。" }
        ul { @for o in &orders {
            li { a href=(format!("/orders/{}", o.id)) { (o.id) } " · " (state_zh(o)) " · 整改期限 "
                 (o.deadline.as_ref().map_or("—", |d| d.due.as_str())) " · " (o.reason) }
        } }
    }))
}
