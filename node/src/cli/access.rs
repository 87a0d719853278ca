//! `extranet access …`: submit, list and decide access applications (接入
//!申请), see what is overdue, print written notices, export the ledger.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Subcommand, ValueEnum};
use extranet_proto::v1 as pb;

use super::{Conn, output};
use crate::codec;
use crate::domain::{AppState, ApplicationKind};

/// What is applied for.
#[derive(Clone, Copy, ValueEnum)]
pub enum Kind {
    /// New access (接入).
    New,
    /// Change of access (变更).
    Change,
    /// Withdrawal of access (撤销, Art.17).
    Withdrawal,
    /// Network resources or equipment work (资源变更, Art.22).
    ResourceChange,
}

/// How far the access reaches (Art.15).
#[derive(Clone, Copy, ValueEnum)]
pub enum Span {
    /// Only the applicant's own level.
    Local,
    /// Units of a prefecture and below.
    Prefecture,
    /// Units of the region and of prefectures or below.
    Region,
}

/// What an Art.22 resource change is about.
#[derive(Clone, Copy, ValueEnum)]
pub enum Subject {
    /// Network resource needs.
    Network,
    /// Installing, commissioning or upgrading equipment.
    Equipment,
}

/// Application states, for filtering.
#[derive(Clone, Copy, ValueEnum)]
pub enum State {
    /// 已提交.
    Submitted,
    /// 审核中.
    UnderReview,
    /// 已批准.
    Approved,
    /// 实施中.
    Implementing,
    /// 已完成.
    Connected,
    /// 已撤销.
    Withdrawn,
    /// 未通过.
    Rejected,
}

/// Access commands.
#[derive(Subcommand)]
pub enum AccessCmd {
    /// Which authority Art.15 names for a unit, and why (审批机关).
    Route {
        #[command(flatten)]
        conn: Conn,
        /// Unit id (a unit's own certificate may leave it out).
        #[arg(long, default_value = "")]
        unit: String,
        /// How far the access reaches.
        #[arg(long, value_enum, default_value_t = Span::Local)]
        span: Span,
    },
    /// Submit an application (提交申请); forwarded to the competent node when that is not this one.
    Submit {
        #[command(flatten)]
        conn: Conn,
        /// Applicant unit id (a unit's own certificate may leave it out).
        #[arg(long, default_value = "")]
        unit: String,
        /// What is applied for.
        #[arg(long, value_enum)]
        kind: Kind,
        /// 接入依据, or 变更原因 for a change, withdrawal or resource change.
        #[arg(long)]
        basis: String,
        /// 接入范围.
        #[arg(long, default_value = "")]
        scope: String,
        /// 接入位置.
        #[arg(long)]
        location: String,
        /// 带宽, Mbit/s.
        #[arg(long, default_value_t = 0)]
        bandwidth: u32,
        /// 技术要求.
        #[arg(long, default_value = "")]
        technical: String,
        /// 安全措施.
        #[arg(long, default_value = "")]
        security: String,
        /// Declare that no classified information will be stored, processed or transmitted (Art.8). Required.
        #[arg(long)]
        declare_no_classified: bool,
        /// How far the access reaches (Art.15).
        #[arg(long, value_enum, default_value_t = Span::Local)]
        span: Span,
        /// For a resource change: what it is about.
        #[arg(long, value_enum)]
        subject: Option<Subject>,
    },
    /// List applications held at this node, by next due date.
    List {
        #[command(flatten)]
        conn: Conn,
        /// Only this state.
        #[arg(long, value_enum)]
        state: Option<State>,
        /// Only those with an open deadline on or before this date, YYYY-MM-DD.
        #[arg(long, default_value = "")]
        due_before: String,
        /// Only those already overdue.
        #[arg(long)]
        overdue: bool,
        /// Most applications to show (fetched page by page).
        #[arg(long, default_value_t = 10_000)]
        limit: u32,
    },
    /// Show one application with its routing, deadlines and history.
    Show {
        #[command(flatten)]
        conn: Conn,
        /// Application id, e.g. 540102-A000001.
        id: String,
    },
    /// Take an application up for review (开始审核).
    Review {
        #[command(flatten)]
        conn: Conn,
        /// Application id.
        id: String,
    },
    /// Approve with the access plan agreed with the applicant (批准，接入方案).
    Approve {
        #[command(flatten)]
        conn: Conn,
        /// Application id.
        id: String,
        /// The access plan (接入方案).
        #[arg(long)]
        plan: String,
    },
    /// Reject with written reasons; issues the written notice (驳回，书面告知).
    Reject {
        #[command(flatten)]
        conn: Conn,
        /// Application id.
        id: String,
        /// The reasons.
        #[arg(long)]
        reasons: String,
    },
    /// Start implementation, or with --done mark it finished (实施).
    Implement {
        #[command(flatten)]
        conn: Conn,
        /// Application id.
        id: String,
        /// Implementation finished: connected / implemented.
        #[arg(long)]
        done: bool,
    },
    /// Carry out an approved withdrawal: ledger entry, device checklist, address reclaim (撤销, Art.17).
    Withdraw {
        #[command(flatten)]
        conn: Conn,
        /// The withdrawal application's id.
        id: String,
        /// A device to reclaim; repeat for each (default: the standard checklist).
        #[arg(long = "device")]
        devices: Vec<String>,
    },
    /// What is late at this node and by how many working days (逾期).
    Overdue {
        #[command(flatten)]
        conn: Conn,
        /// As of this date, YYYY-MM-DD (default today).
        #[arg(long, default_value = "")]
        as_of: String,
        /// Counts for this node and every node below it instead of this node's list.
        #[arg(long)]
        subtree: bool,
    },
    /// Print the written notice of a rejected application, or save its HTML (书面告知书).
    Notice {
        #[command(flatten)]
        conn: Conn,
        /// Application id.
        id: String,
        /// Write the printable HTML to this file.
        #[arg(long)]
        html: Option<PathBuf>,
    },
    /// Export the withdrawal ledger as CSV (台账).
    Export {
        #[command(flatten)]
        conn: Conn,
        /// Write to this file (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

fn span(s: Span) -> pb::AccessSpan {
    match s {
        Span::Local => pb::AccessSpan::Local,
        Span::Prefecture => pb::AccessSpan::PrefectureAndBelow,
        Span::Region => pb::AccessSpan::RegionAndBelow,
    }
}

fn state(s: State) -> pb::ApplicationState {
    match s {
        State::Submitted => pb::ApplicationState::Submitted,
        State::UnderReview => pb::ApplicationState::UnderReview,
        State::Approved => pb::ApplicationState::Approved,
        State::Implementing => pb::ApplicationState::Implementing,
        State::Connected => pb::ApplicationState::Connected,
        State::Withdrawn => pb::ApplicationState::Withdrawn,
        State::Rejected => pb::ApplicationState::Rejected,
    }
}

/// Runs an access command.
pub async fn run(cmd: AccessCmd) -> anyhow::Result<()> {
    match cmd {
        AccessCmd::Route { conn, unit, span: s } => {
            let req = pb::RouteRequest { unit_id: unit, span: span(s) as i32 };
            let r = conn.client().await?.access().route(req).await?.into_inner();
            if conn.json {
                return output::json(&r);
            }
            println!(
                "审批机关：{}{}",
                r.competent,
                if r.forwarded { "（非本节点，提交后将转交）" } else { "（本节点）" }
            );
            println!("{}", r.reason);
            Ok(())
        }
        AccessCmd::Submit {
            conn,
            unit,
            kind,
            basis,
            scope,
            location,
            bandwidth,
            technical,
            security,
            declare_no_classified,
            span: s,
            subject,
        } => {
            let kind = match kind {
                Kind::New => pb::ApplicationKind::New,
                Kind::Change => pb::ApplicationKind::Change,
                Kind::Withdrawal => pb::ApplicationKind::Withdrawal,
                Kind::ResourceChange => pb::ApplicationKind::ResourceChange,
            };
            let form = pb::ApplicationForm {
                basis,
                scope,
                location,
                bandwidth_mbps: bandwidth,
                technical_requirements: technical,
                security_measures: security,
                declares_no_classified_information: declare_no_classified,
                span: span(s) as i32,
                resource_subject: match subject {
                    None => pb::ResourceSubject::Unspecified,
                    Some(Subject::Network) => pb::ResourceSubject::NetworkResources,
                    Some(Subject::Equipment) => pb::ResourceSubject::Equipment,
                } as i32,
            };
            let req = pb::SubmitRequest { unit_id: unit, kind: kind as i32, form: Some(form), ..Default::default() };
            let a = conn.write(req, async |c, r| c.access().submit(r).await).await?;
            if conn.json {
                return output::json(&a);
            }
            println!("已提交并落盘：{}（{}）", a.id, kind_zh(a.kind));
            if let Some(r) = &a.routing {
                let whither =
                    if r.forwarded { format!("已转交 {}", r.competent) } else { "由本节点审批".into() };
                println!("{whither}：{}", r.reason);
            }
            for d in &a.deadlines {
                println!("{}期限：{}{}（工作日历第 {} 版）", d.name, d.due, mark(d.provisional), d.calendar_version);
            }
            Ok(())
        }
        AccessCmd::List { conn, state: st, due_before, overdue, limit } => {
            let client = conn.client().await?.access();
            let applications = super::pages::collect(limit, |page_token, page_size| {
                let req = pb::ListApplicationsRequest {
                    state: st.map(state).unwrap_or(pb::ApplicationState::Unspecified) as i32,
                    due_before: due_before.clone(),
                    overdue,
                    page_token,
                    page_size,
                };
                let mut client = client.clone();
                async move {
                    let r = client.list_applications(req).await?.into_inner();
                    Ok((r.applications, r.next_page_token))
                }
            })
            .await?;
            if conn.json {
                return output::json(&applications);
            }
            let rows: Vec<Vec<String>> = applications.iter().map(row).collect();
            output::table(&["编号", "类型", "申请单位", "状态", "审批机关", "下一期限"], &rows);
            println!("共 {} 件", applications.len());
            Ok(())
        }
        AccessCmd::Show { conn, id } => {
            let a = conn.client().await?.access().get_application(pb::GetApplicationRequest { id }).await?;
            let a = a.into_inner();
            if conn.json {
                return output::json(&a);
            }
            print_application(&a);
            Ok(())
        }
        AccessCmd::Review { conn, id } => {
            let a = conn.write(pb::ReviewRequest { id, ..Default::default() }, async |c, r| c.access().review(r).await);
            let a = a.await?;
            decided(&conn, a)
        }
        AccessCmd::Approve { conn, id, plan } => {
            let req = pb::ApproveRequest { id, access_plan: plan, ..Default::default() };
            decided(&conn, conn.write(req, async |c, r| c.access().approve(r).await).await?)
        }
        AccessCmd::Reject { conn, id, reasons } => {
            let req = pb::RejectRequest { id, reasons, ..Default::default() };
            let a = conn.write(req, async |c, r| c.access().reject(r).await).await?;
            decided(&conn, a)
        }
        AccessCmd::Implement { conn, id, done } => {
            let req = pb::ImplementRequest { id, done, ..Default::default() };
            let a = conn.write(req, async |c, r| c.access().implement(r).await).await?;
            decided(&conn, a)
        }
        AccessCmd::Withdraw { conn, id, devices } => {
            let req = pb::WithdrawRequest { id, devices, ..Default::default() };
            let a = conn.write(req, async |c, r| c.access().withdraw(r).await).await?;
            if !conn.json {
                println!("已登记台账第 {} 号：设备回收清单已生成，IP 地址回收已申请", a.ledger_number);
            }
            decided(&conn, a)
        }
        AccessCmd::Overdue { conn, as_of, subtree: true } => {
            let r =
                conn.client().await?.access().overdue_counts(pb::OverdueCountsRequest { as_of }).await?.into_inner();
            if conn.json {
                return output::json(&r);
            }
            let rows: Vec<Vec<String>> = r
                .nodes
                .iter()
                .map(|n| {
                    vec![
                        n.node.clone(),
                        n.open_applications.to_string(),
                        n.overdue_applications.to_string(),
                        n.overdue_deadlines.to_string(),
                        format!("{} 个工作日", n.most_working_days_late),
                    ]
                })
                .collect();
            output::table(&["审批节点", "办理中", "逾期申请", "逾期期限", "最长逾期"], &rows);
            println!(
                "截至 {}，本节点及下级共 {} 项申请逾期",
                r.today,
                r.nodes.iter().map(|n| n.overdue_applications).sum::<u32>()
            );
            Ok(())
        }
        AccessCmd::Overdue { conn, as_of, subtree: false } => {
            let r = conn.client().await?.access().overdue(pb::OverdueRequest { as_of }).await?.into_inner();
            if conn.json {
                return output::json(&r);
            }
            let rows: Vec<Vec<String>> = r
                .items
                .iter()
                .map(|i| {
                    vec![
                        i.id.clone(),
                        i.unit_name.clone(),
                        state_zh(i.state).into(),
                        i.deadline.clone(),
                        format!("{}{}", i.due, mark(i.provisional)),
                        format!("{} 个工作日", i.working_days_late),
                        i.calendar_version.to_string(),
                    ]
                })
                .collect();
            output::table(&["编号", "申请单位", "状态", "期限", "到期日", "已逾期", "日历版本"], &rows);
            println!("截至 {}，本节点审批的申请共 {} 项逾期", r.today, r.items.len());
            Ok(())
        }
        AccessCmd::Notice { conn, id, html } => {
            let n = conn.client().await?.access().get_notice(pb::GetNoticeRequest { id }).await?.into_inner();
            if conn.json {
                return output::json(&n);
            }
            match html {
                Some(path) => {
                    std::fs::write(&path, &n.html).with_context(|| format!("无法写入 {}", path.display()))?;
                    println!("书面告知书 {} 已写入 {}（可直接打印）", n.number, path.display());
                }
                None => print!("{}", n.text),
            }
            Ok(())
        }
        AccessCmd::Export { conn, out } => {
            let r = conn.client().await?.access().export_ledger(pb::ExportLedgerRequest {}).await?.into_inner();
            match out {
                Some(path) => {
                    std::fs::write(&path, &r.csv).with_context(|| format!("无法写入 {}", path.display()))?;
                    println!("台账 {} 条已导出到 {}", r.entries, path.display());
                }
                None => print!("{}", r.csv),
            }
            Ok(())
        }
    }
}

fn decided(conn: &Conn, a: pb::Application) -> anyhow::Result<()> {
    if conn.json {
        return output::json(&a);
    }
    println!("申请 {} 现为：{}", a.id, state_zh(a.state));
    if a.lodged_at != a.routing.as_ref().map(|r| r.competent.clone()).unwrap_or_default() {
        println!("结果将随联邦送回受理节点 {}", a.lodged_at);
    }
    for d in a.deadlines.iter().filter(|d| d.met_on.is_empty()) {
        println!("{}期限：{}{}", d.name, d.due, mark(d.provisional));
    }
    Ok(())
}

/// The mark of a due date computed past the published calendar (weekends
/// only): it changes once the region publishes that year.
pub fn mark(provisional: bool) -> &'static str {
    if provisional { "（暂定）" } else { "" }
}

fn kind_zh(k: i32) -> &'static str {
    codec::kind_from_pb(k).map(ApplicationKind::zh).unwrap_or("—")
}

fn state_zh(s: i32) -> &'static str {
    codec::state_from_pb(s).ok().flatten().map(AppState::zh).unwrap_or("—")
}

fn next_due(a: &pb::Application) -> String {
    a.deadlines
        .iter()
        .filter(|d| d.met_on.is_empty())
        .min_by(|x, y| x.due.cmp(&y.due))
        .map(|d| format!("{} {}{}", d.name, d.due, mark(d.provisional)))
        .unwrap_or_else(|| "—".into())
}

fn row(a: &pb::Application) -> Vec<String> {
    vec![
        a.id.clone(),
        kind_zh(a.kind).into(),
        a.unit.as_ref().map(|u| u.name.clone()).unwrap_or_default(),
        state_zh(a.state).into(),
        a.routing.as_ref().map(|r| r.competent.clone()).unwrap_or_default(),
        next_due(a),
    ]
}

fn print_application(a: &pb::Application) {
    let unit = a.unit.clone().unwrap_or_default();
    let form = a.form.clone().unwrap_or_default();
    println!("申请编号：{}（{}）    状态：{}", a.id, kind_zh(a.kind), state_zh(a.state));
    println!("申请单位：{}（{}@{}）    提交：{} 于 {}", unit.name, unit.id, unit.node, a.submitted_by, a.submitted_on);
    if let Some(r) = &a.routing {
        println!("审批机关：{}    {}", r.competent, r.reason);
    }
    println!("依据/原因：{}", form.basis);
    println!("范围：{}    位置：{}    带宽：{} Mbit/s", form.scope, form.location, form.bandwidth_mbps);
    println!("技术要求：{}    安全措施：{}", form.technical_requirements, form.security_measures);
    println!("不涉密声明（第八条）：{}", if form.declares_no_classified_information { "已声明" } else { "未声明" });
    if !a.access_plan.is_empty() {
        println!("接入方案：{}", a.access_plan);
    }
    if !a.rejection_reasons.is_empty() {
        println!("未通过原因：{}（书面告知书：extranet access notice {}）", a.rejection_reasons, a.id);
    }
    for d in &a.deadlines {
        let met = if d.met_on.is_empty() { "未完成".to_string() } else { format!("已于 {} 完成", d.met_on) };
        println!("{}期限：{}{}（日历第 {} 版），{met}", d.name, d.due, mark(d.provisional), d.calendar_version);
    }
    for t in &a.history {
        println!("  {}  {}  {}@{}  {}", output::time(t.at_ms), state_zh(t.state), t.by, t.node, t.note);
    }
}
