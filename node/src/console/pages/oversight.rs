//! `/oversight`: every node below this one — health as colour (stale and
//! never-connected rows stand out), backlog, overdue counts, filings,
//! utilisation, last report — with the CLI's filters and sorting
//! (`present::filter`), refreshing itself every 15 s without a script; and
//! one node's figures (`/oversight/node?id=`).

use axum::extract::{Query, State};
use axum::response::IntoResponse;
use extranet_domain::choice::Choice;
use extranet_proto::v1 as pb;
use extranet_proto::v1::oversight_server::Oversight;
use maud::{Markup, html};

use crate::console::draw::{bar, health_dot};
use crate::console::guard::Signed;
use crate::console::page::{Failure, PageResult, frame};
use crate::console::state::Console;
use crate::present::filter::{Only, SortBy, keep, sort};
use crate::present::oversight::{health_zh, own};
use crate::present::text::{age, time};

/// The tree's filter and order, as in `extranet oversight --only --sort`.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct ViewQuery {
    only: String,
    sort: String,
}

fn parse<T: Choice>(field: &'static str, v: &str) -> Result<Option<T>, Failure> {
    if v.is_empty() {
        return Ok(None);
    }
    T::CHOICES.iter().find(|(name, _)| *name == v).map(|(_, c)| Some(*c)).ok_or_else(|| {
        let names: Vec<&str> = T::CHOICES.iter().map(|(n, _)| *n).collect();
        Failure::new(axum::http::StatusCode::BAD_REQUEST, format!("{field}：应为 {} 之一", names.join("、")))
    })
}

fn class(r: &pb::OversightRow) -> &'static str {
    match r.health() {
        pb::Health::Ok => "ok",
        pb::Health::Stale => "stale",
        _ => "never",
    }
}

/// `GET /oversight?only=&sort=`.
pub async fn tree(State(console): State<Console>, signed: Signed, Query(q): Query<ViewQuery>) -> PageResult {
    let only: Option<Only> = parse("only", &q.only)?;
    let by: SortBy = parse("sort", &q.sort)?.unwrap_or(SortBy::Tree);
    let mut view =
        console.services().oversight.get_oversight(signed.request(pb::GetOversightRequest {})).await?.into_inner();
    let all = view.rows.len();
    view.rows.retain(|r| keep(r, only));
    sort(&mut view.rows, by);
    let base = view.node.split('/').count();
    let top = view.rows.iter().find(|r| r.node == view.node).and_then(|r| r.subtree).unwrap_or_default();
    let body = html! {
        p { "共 " (top.nodes) " 个节点：" span.health-ok { "正常 " (top.ok) } " · " span.health-stale { "失联 " (top.stale) } " · "
            span.health-never { "从未连接 " (top.never_connected) } " · 待回执备案 " (top.filings_awaiting_receipts) " · 逾期 " (top.overdue)
            " · 时间 " (time(view.now_ms)) " · 失联判定 " (age(view.stale_after_ms / 1000)) " 无上报" }
        form.filters method="get" action="/oversight" {
            label { "只看 " select name="only" {
                option value="" selected[only.is_none()] { "全部" }
                @for (v, c) in Only::CHOICES { option value=(v) selected[only == Some(*c)] { (c.name_zh()) } }
            } }
            label { "排序 " select name="sort" {
                @for (v, c) in SortBy::CHOICES { option value=(v) selected[by == *c] { (c.name_zh()) } }
            } }
            button.secondary type="submit" { "应用" }
        }
        p.muted { "显示 " (view.rows.len()) " / " (all) " 行，每 15 秒自动刷新。" }
        table #oversight {
            tr { th { "节点" } th { "健康" } th { "待上送" } th { "逾期" } th { "备案（待回执）" } th { "故障（告警/超时）" } th { "中断（待批/计划/实施中/今年结束）" } th { "中断连接单位（整改中/逾期）" } th { "待审批重大调整（最久）" } th { "检查整改（未完成/逾期）" } th { "地址池" } th { "下级" } th { "最后上报" } }
            @for r in &view.rows { (row(&console, r, base, view.now_ms)) }
        }
    };
    // refreshes itself, no script needed
    Ok(([("refresh", "15")], frame(&console, &signed, "下级监督", body)).into_response())
}

fn row(console: &Console, r: &pb::OversightRow, base: usize, now_ms: i64) -> Markup {
    let depth = r.node.split('/').count().saturating_sub(base);
    let t = r.subtree.unwrap_or_default();
    let util = r.summary.as_ref().and_then(|s| s.addresses.as_ref());
    html! {
        tr class=(format!("row-{}", class(r))) data-node=(r.node) {
            td class=(format!("depth-{}", depth.min(5))) {
                (health_dot(class(r))) " " a href=(format!("/oversight/node?id={}", r.node)) { (console.division(&r.node)) } }
            td class=(format!("health-{}", class(r))) { (health_zh(r)) }
            td.num { (own(r).backlog) }
            td.num { (own(r).overdue) }
            td.num { (t.filings) "（" (t.filings_awaiting_receipts) "）" }
            td.num class=(if t.faults_warning > 0 || t.faults_breached > 0 { "late" } else { "" }) {
                (t.open_faults) "（" (t.faults_warning) "/" (t.faults_breached) "）" }
            td.num.interruptions class=(if t.interruptions_under_way > 0 { "soon" } else { "" }) {
                (t.interruptions_pending) "/" (t.interruptions_planned) "/" (t.interruptions_under_way) "/" (t.interruptions_finished) }
            td.num.orders class=(if t.rectifications_overdue > 0 { "late" } else { "" }) {
                (t.units_disconnected) "（" (t.rectifications_open) "/" (t.rectifications_overdue) "）" }
            td.num.approvals { (crate::present::oversight::approvals(&t, now_ms)) }
            td.num.inspections class=(if t.findings_overdue > 0 { "late" } else { "" }) {
                (t.findings_open) "（" (t.findings_overdue) "）" }
            td { @if let Some(a) = util { (bar(a.pool_utilisation, &format!("{:.0}%", a.pool_utilisation * 100.0))) } @else { "—" } }
            td { @if t.nodes > 1 { (t.ok) "/" (t.nodes) " 正常" } }
            td { (time(r.heard_at_ms)) }
        }
    }
}

/// Which node `/oversight/node` shows.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct NodeQuery {
    id: String,
}

/// `GET /oversight/node?id=`: one node of the tree and its figures.
pub async fn node(State(console): State<Console>, signed: Signed, Query(q): Query<NodeQuery>) -> PageResult {
    let view =
        console.services().oversight.get_oversight(signed.request(pb::GetOversightRequest {})).await?.into_inner();
    let r = view.rows.iter().find(|r| r.node == q.id).ok_or_else(|| {
        Failure::new(axum::http::StatusCode::NOT_FOUND, format!("id：节点 {} 不在本节点的监督范围内", q.id))
    })?;
    let s = r.summary.clone().unwrap_or_default();
    let apps = s.applications.clone().unwrap_or_default();
    let body = html! {
        p { span class=(format!("health-{}", class(r))) { (health_zh(r)) } " · 最后上报 " (time(r.heard_at_ms)) " · 软件版本 " (s.software_version) }
        @if !s.calendar_warning.is_empty() { p.error { (s.calendar_warning) } }
        @if r.clock_skewed { p.error { "时钟偏差 " (r.clock_offset_ms / 1000) " 秒" } }
        table {
            tr { th { "上联" } td { (if s.parent_connected { "已连接" } else { "未连接" }) " · 最后联系 " (time(s.parent_last_contact_ms)) } }
            tr { th { "待上送" } td { (s.owed_to_parent.unwrap_or_default().count) } }
            tr { th { "下级连接" } td { (s.children_connected) " / " (s.children_known) } }
            tr { th { "证书到期" } td { (time(s.cert_not_after_ms)) } }
            tr { th { "逾期" } td { "审核 " (apps.overdue_reviews) " · 实施 " (apps.overdue_implementations) " · 告知 " (apps.overdue_notices) } }
            @for f in &s.filings { tr { th { (f.kind) "（" (f.state) "）" } td { (f.count) } } }
            @for (state, n) in &apps.by_state { tr { th { "申请：" (state) } td { (n) } } }
            @if let Some(i) = &s.interruptions {
                tr { th { "维护作业中断" } td { "待审批 " (i.pending) " · 计划中 " (i.planned) " · 实施中 " (i.under_way) " · 今年已结束 " (i.finished_this_year) } }
            }
            @if let Some(a) = &s.approvals {
                tr { th { "重大调整审批" } td.approvals { "待本级审批 " (a.waiting) " · 本级申请：审批中 " (a.own_pending) " · 已批准 " (a.own_approved) " · 未通过 " (a.own_rejected) } }
            }
            @if let Some(i) = &s.incidents {
                tr { th { "网络安全事件（今年）" } td.incidents { "重大 " (i.major_this_year) " · 一般 " (i.other_this_year) " · 待研判 " (i.awaiting_decision) " · 未报齐五部门 " (i.missing_departments) } }
            }
            @if let Some(p) = &s.private_networks {
                tr { th { "非涉密业务专网" } td.private-networks { "登记 " (p.total) " · 未定计划 " (p.unplanned) " · 计划迁移 " (p.planned) " · 已迁移 " (p.migrated) "（今年 " (p.migrated_this_year) "）· 已迁移仍付租赁费 " (p.fees_still_paid_after_migration) } }
            }
            @if let Some(c) = &s.circulars {
                tr { th { "通报（今年）" } td.circulars { "发布 " (c.issued_this_year) " · 收到 " (c.received_this_year) } }
            }
            @if let Some(o) = &s.orders {
                tr { th { "中断连接单位" } td.disconnected { (o.disconnected.join("、")) " · 整改中 " (o.rectifications_open) " · 逾期 " (o.rectifications_overdue) } }
            }
            @if let Some(i) = &s.inspections {
                tr { th { "监督检查（第二十八条）" } td.inspections { "今年检查 " (i.this_year) " · 整改未完成 " (i.findings_open) " · 逾期 " (i.findings_overdue) " · 待审核答复 " (i.responses_waiting) } }
            }
            @if let Some(a) = &s.assets {
                @let state = |k: &str| a.devices_by_state.get(k).copied().unwrap_or(0);
                tr { th { "接入点资产（第十四条、第十八条）" } td.assets { "设备在用 " (state("in-service")) " · 已停用 " (state("switched-off")) " · 待回收 " (state("to-reclaim")) " · 已回收 " (state("reclaimed")) " · 违规 " (a.violations) " · 机房近一年已检查 " (a.rooms_checked_last_year) "/" (a.rooms) } }
            }
        }
        p { a href="/oversight" { "返回监督树" } }
    };
    Ok(frame(&console, &signed, &console.division(&r.node), body))
}
