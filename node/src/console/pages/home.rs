//! `/`: what needs the signed-in person today. An operator sees the node's
//! uplink (connected since, backlog), certificates about to expire,
//! applications due this week and overdue, and own filings still waiting
//! for receipts, its supervision queue ([`super::queue`]) and the latest
//! circulars; a unit sees its own applications, the notices addressed to it
//! and the circulars naming it, or, while it is disconnected by an order,
//! that order alone.

use axum::extract::State;
use extranet_proto::v1 as pb;
use extranet_proto::v1::access_server::Access;
use extranet_proto::v1::filings_server::Filings;
use extranet_proto::v1::node_status_server::NodeStatus;
use maud::{Markup, html};

use super::common::{calendar_of, due};
use crate::console::guard::Signed;
use crate::console::page::{PageResult, frame};
use crate::console::state::Console;
use crate::present::access::{deadline_marks, kind_zh, state_zh};
use crate::present::text::{age, time};

/// Certificates expiring sooner than this are shown in red.
const CERT_WARN_DAYS: i64 = 30;

/// How many of the latest circulars the front page shows.
const RECENT_CIRCULARS: u32 = 5;

/// The latest circulars held here (issued here or from above), or a line saying there are none.
fn circulars(console: &Console, recent: &[pb::Circular]) -> Markup {
    html! {
        h2 { "最近的通报（" (recent.len()) "）" " " a href="/circulars" { "全部" } }
        @if recent.is_empty() { p.muted { "没有通报。" } } @else { (super::circulars::table(console, recent)) }
    }
}

/// `GET /`.
pub async fn page(State(console): State<Console>, signed: Signed) -> PageResult {
    if !signed.is_operator() {
        return unit_home(&console, &signed).await;
    }
    let s = console.services();
    let status = s.status.get_status(signed.request(pb::GetStatusRequest {})).await?.into_inner();
    let cal = calendar_of(&console)?;
    let today = crate::calendar::today();
    let week = cal.add_working_days(today, 5);
    let due_soon = s
        .access
        .list_applications(signed.request(pb::ListApplicationsRequest {
            due_before: week.to_string(),
            page_size: 200,
            ..Default::default()
        }))
        .await?
        .into_inner()
        .applications;
    let overdue = s.access.overdue(signed.request(pb::OverdueRequest::default())).await?.into_inner().items;
    let filings = s
        .filings
        .list_filings(signed.request(pb::ListFilingsRequest { limit: 200, ..Default::default() }))
        .await?
        .into_inner()
        .filings;
    let recent = super::circulars::recent(&console, &signed, RECENT_CIRCULARS).await?;
    let me = console.me().to_string();
    let expected = console.me().depth().saturating_sub(1);
    let waiting: Vec<&pb::Filing> = filings.iter().filter(|f| f.origin == me && f.receipts.len() < expected).collect();
    let body = html! {
        @for w in &status.warnings { p.error role="alert" { (w) } }
        div.cards {
            (uplink(&status))
            (certificates(&status))
        }
        h2 { "本周到期的申请（" (due_soon.len()) "）" }
        (applications(&cal, today, &due_soon))
        h2 { "已逾期（" (overdue.len()) "）" }
        @if overdue.is_empty() { p.muted { "没有逾期的期限。" } } @else {
            table {
                tr { th { "申请" } th { "单位" } th { "状态" } th { "期限" } th { "到期" } }
                @for i in &overdue {
                    tr { td { a href=(format!("/access/{}", i.id)) { (i.id) } } td { (i.unit_name) } td { (state_zh(i.state)) }
                         td { (i.deadline) } td.late { (i.due) "（已逾期 " (i.working_days_late) " 个工作日）" } }
                }
            }
        }
        (super::queue::operator(&console, &signed).await?)
        (circulars(&console, &recent))
        h2 { "待回执的备案（" (waiting.len()) "）" }
        @if waiting.is_empty() { p.muted { "本节点的备案均已收到上级回执。" } } @else {
            table {
                tr { th { "备案" } th { "种类" } th { "提交" } th { "已收回执" } }
                @for f in &waiting {
                    tr { td { a href=(format!("/filings/{}", f.id)) { (f.id) } } td { (crate::present::filing::kind(f)) }
                         td { (time(f.filed_at_ms)) } td { (f.receipts.len()) " / " (expected) } }
                }
            }
        }
    };
    Ok(frame(&console, &signed, "今日待办", body))
}

fn uplink(status: &pb::StatusReport) -> Markup {
    let now = status.now_ms;
    html! {
        section.card {
            h2 { "上联" }
            @match &status.parent {
                None => p { "本节点为最上级节点，没有上联。" },
                Some(p) => {
                    p { "上级 " (p.node) "：" @if p.connected { span.ok { "已连接" } " · 自 " (time(p.since_ms)) } @else { span.late { "未连接" } " · 最后联系 " (time(p.last_contact_ms)) } }
                    @let backlog = p.outbound.unwrap_or_default();
                    p { "待上报：" (backlog.count) " 条"
                        @if backlog.count > 0 && backlog.oldest_created_at_ms > 0 { "，最早的已等待 " (age((now - backlog.oldest_created_at_ms) / 1000)) } }
                }
            }
            p.muted { "下级连接：" (status.children.iter().filter(|c| c.connected).count()) " / " (status.children.len()) }
        }
    }
}

fn certificates(status: &pb::StatusReport) -> Markup {
    let now = status.now_ms;
    html! {
        section.card {
            h2 { "证书有效期" }
            table {
                @for c in &status.certificates {
                    @let days = (c.not_after_ms - now) / 86_400_000;
                    tr { td { (c.kind) } td { (c.subject) }
                         td class=(if days < CERT_WARN_DAYS { "late" } else { "" }) { (time(c.not_after_ms)) "（" (days) " 天后到期）" } }
                }
            }
        }
    }
}

/// Applications as a table: id, unit, kind, state, next deadline.
pub fn applications(cal: &crate::calendar::WorkCalendar, today: chrono::NaiveDate, apps: &[pb::Application]) -> Markup {
    html! {
        @if apps.is_empty() { p.muted { "没有。" } } @else {
            table {
                tr { th { "申请" } th { "单位" } th { "种类" } th { "状态" } th { "下一期限" } }
                @for a in apps {
                    tr {
                        td { a href=(format!("/access/{}", a.id)) { (a.id) } }
                        td { (a.unit.as_ref().map(|u| u.name.as_str()).unwrap_or("")) }
                        td { (kind_zh(a.kind)) } td { (state_zh(a.state)) }
                        td { @match a.deadlines.iter().filter(|d| d.met_on.is_empty()).min_by(|x, y| x.due.cmp(&y.due)) {
                            Some(d) => { (d.name) " " (due(cal, today, &d.due, &deadline_marks(d))) },
                            None => "—",
                        } }
                    }
                }
            }
        }
    }
}

async fn unit_home(console: &Console, signed: &Signed) -> PageResult {
    if let Some(cut_off) = super::queue::unit(console, signed).await? {
        return Ok(frame(console, signed, "本单位", cut_off));
    }
    let apps = console
        .services()
        .access
        .list_applications(signed.request(pb::ListApplicationsRequest { page_size: 200, ..Default::default() }))
        .await?
        .into_inner()
        .applications;
    let cal = calendar_of(console)?;
    let today = crate::calendar::today();
    let notices: Vec<&pb::Application> = apps.iter().filter(|a| a.notice.is_some()).collect();
    let recent = super::circulars::recent(console, signed, RECENT_CIRCULARS).await?;
    let r = pb::ListFilingsRequest { kind: "cutover".into(), page_size: 50, ..Default::default() };
    let cutovers = console.services().filings.list_filings(signed.request(r)).await?.into_inner().filings;
    let body = html! {
        p { a.button href="/access/new" { "提交接入、变更或退出申请" } }
        h2 { "割接通知（" (cutovers.len()) "）" }
        @if cutovers.is_empty() { p.muted { "没有。" } } @else {
            ul #cutover-notices { @for f in &cutovers { @if let Some(pb::filing::Details::Cutover(c)) = &f.details {
                li { a href=(format!("/filings/{}/notice", f.id)) { "割接通知 " (f.id) } " · 割接窗口 "
                     (super::filings::beijing(&c.window_start)) " 至 " (super::filings::beijing(&c.window_end)) " · " (c.description)
                     " · 联系人 " (c.contact) }
            } } }
        }
        h2 { "本单位的申请（" (apps.len()) "）" }
        (applications(&cal, today, &apps))
        (circulars(console, &recent))
        h2 { "发给本单位的通知（" (notices.len()) "）" }
        @if notices.is_empty() { p.muted { "没有。" } } @else {
            ul { @for a in &notices { @if let Some(n) = &a.notice {
                li { a href=(format!("/access/{}/notice", a.id)) { (n.number) "：申请 " (a.id) "（" (kind_zh(a.kind)) "）审核未通过书面告知书" } " · " (n.issued_on) }
            } } }
        }
    };
    Ok(frame(console, signed, "本单位", body))
}
