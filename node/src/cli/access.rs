//! `extranet access …`: submit, list and decide access applications (接入
//!申请), see what is overdue, print written notices, export the ledger.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use extranet_proto::v1 as pb;

use super::access_print::{
    print_application, print_decided, print_overdue, print_overdue_counts, print_submitted, row,
};
use super::choice::choice;
use super::conn::Conn;
use super::output;
use crate::codec::WireEnum;
use crate::domain::access::ResourceSubject;
use crate::domain::{AccessSpan, AppState, ApplicationKind};

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
        #[arg(long, value_parser = choice::<AccessSpan>(), default_value = "local")]
        span: AccessSpan,
    },
    /// Submit an application (提交申请); forwarded to the competent node when that is not this one.
    Submit(SubmitArgs),
    /// List applications held at this node, by next due date.
    List {
        #[command(flatten)]
        conn: Conn,
        /// Only this state.
        #[arg(long, value_parser = choice::<AppState>())]
        state: Option<AppState>,
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

/// The form of `extranet access submit`.
#[derive(Args)]
pub struct SubmitArgs {
    #[command(flatten)]
    conn: Conn,
    /// Applicant unit id (a unit's own certificate may leave it out).
    #[arg(long, default_value = "")]
    unit: String,
    /// What is applied for.
    #[arg(long, value_parser = choice::<ApplicationKind>())]
    kind: ApplicationKind,
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
    #[arg(long, value_parser = choice::<AccessSpan>(), default_value = "local")]
    span: AccessSpan,
    /// For a resource change: what it is about.
    #[arg(long, value_parser = choice::<ResourceSubject>())]
    subject: Option<ResourceSubject>,
    /// For a resource change: a unified device it moves, repurposes,
    /// modifies or switches off (Art.18), by id; repeat for each.
    #[arg(long = "device", value_name = "540102-E000001")]
    devices: Vec<String>,
}

/// Runs an access command.
pub async fn run(cmd: AccessCmd) -> anyhow::Result<()> {
    match cmd {
        AccessCmd::Route { conn, unit, span } => route(&conn, unit, span).await,
        AccessCmd::Submit(args) => submit(args).await,
        AccessCmd::List { conn, state, due_before, overdue, limit } => {
            let filter = pb::ListApplicationsRequest {
                state: state.map_or(pb::ApplicationState::Unspecified, WireEnum::to_pb) as i32,
                due_before,
                overdue,
                ..Default::default()
            };
            list(&conn, filter, limit).await
        }
        AccessCmd::Show { conn, id } => {
            let a = conn.client().await?.access().get_application(pb::GetApplicationRequest { id }).await?;
            output::emit(conn.json, &a.into_inner(), print_application)
        }
        AccessCmd::Review { conn, id } => {
            let a = conn.write(pb::ReviewRequest { id, ..Default::default() }, async |c, r| c.access().review(r).await);
            decided(&conn, &a.await?)
        }
        AccessCmd::Approve { conn, id, plan } => {
            let req = pb::ApproveRequest { id, access_plan: plan, ..Default::default() };
            decided(&conn, &conn.write(req, async |c, r| c.access().approve(r).await).await?)
        }
        AccessCmd::Reject { conn, id, reasons } => {
            let req = pb::RejectRequest { id, reasons, ..Default::default() };
            decided(&conn, &conn.write(req, async |c, r| c.access().reject(r).await).await?)
        }
        AccessCmd::Implement { conn, id, done } => {
            let req = pb::ImplementRequest { id, done, ..Default::default() };
            decided(&conn, &conn.write(req, async |c, r| c.access().implement(r).await).await?)
        }
        AccessCmd::Withdraw { conn, id, devices } => {
            let req = pb::WithdrawRequest { id, devices, ..Default::default() };
            let a = conn.write(req, async |c, r| c.access().withdraw(r).await).await?;
            output::emit(conn.json, &a, |a| {
                println!("已登记台账第 {} 号：设备回收清单已生成，IP 地址回收已申请", a.ledger_number);
                print_decided(a);
            })
        }
        AccessCmd::Overdue { conn, as_of, subtree: true } => {
            let r = conn.client().await?.access().overdue_counts(pb::OverdueCountsRequest { as_of }).await?;
            output::emit(conn.json, &r.into_inner(), print_overdue_counts)
        }
        AccessCmd::Overdue { conn, as_of, subtree: false } => {
            let r = conn.client().await?.access().overdue(pb::OverdueRequest { as_of }).await?;
            output::emit(conn.json, &r.into_inner(), print_overdue)
        }
        AccessCmd::Notice { conn, id, html } => notice(&conn, id, html).await,
        AccessCmd::Export { conn, out } => export(&conn, out).await,
    }
}

async fn route(conn: &Conn, unit: String, span: AccessSpan) -> anyhow::Result<()> {
    let req = pb::RouteRequest { unit_id: unit, span: span.to_pb() as i32 };
    let r = conn.client().await?.access().route(req).await?.into_inner();
    output::emit(conn.json, &r, |r| {
        let whose = if r.forwarded { "（非本节点，提交后将转交）" } else { "（本节点）" };
        println!("审批机关：{}{whose}", r.competent);
        println!("{}", r.reason);
    })
}

async fn submit(args: SubmitArgs) -> anyhow::Result<()> {
    let form = pb::ApplicationForm {
        basis: args.basis,
        scope: args.scope,
        location: args.location,
        bandwidth_mbps: args.bandwidth,
        technical_requirements: args.technical,
        security_measures: args.security,
        declares_no_classified_information: args.declare_no_classified,
        span: args.span.to_pb() as i32,
        resource_subject: args.subject.map_or(pb::ResourceSubject::Unspecified, WireEnum::to_pb) as i32,
        devices: args.devices,
    };
    let kind = args.kind.to_pb() as i32;
    let req = pb::SubmitRequest { unit_id: args.unit, kind, form: Some(form), ..Default::default() };
    let a = args.conn.write(req, async |c, r| c.access().submit(r).await).await?;
    output::emit(args.conn.json, &a, print_submitted)
}

/// Lists applications matching `filter`, page by page up to `limit`.
async fn list(conn: &Conn, filter: pb::ListApplicationsRequest, limit: u32) -> anyhow::Result<()> {
    let client = conn.client().await?.access();
    let applications = super::pages::collect(limit, client, |mut client, page_token, page_size| {
        let req = pb::ListApplicationsRequest { page_token, page_size, ..filter.clone() };
        async move {
            let r = client.list_applications(req).await?.into_inner();
            Ok((r.applications, r.next_page_token))
        }
    })
    .await?;
    output::list(conn.json, &applications, (&["编号", "类型", "申请单位", "状态", "审批机关", "下一期限"], "件"), row)
}

async fn notice(conn: &Conn, id: String, html: Option<PathBuf>) -> anyhow::Result<()> {
    let n = conn.client().await?.access().get_notice(pb::GetNoticeRequest { id }).await?.into_inner();
    output::try_emit(conn.json, &n, |n| {
        output::write_or_print(html, (&n.html, &n.text), |path| {
            println!("书面告知书 {} 已写入 {}（可直接打印）", n.number, path.display())
        })
    })
}

async fn export(conn: &Conn, out: Option<PathBuf>) -> anyhow::Result<()> {
    let r = conn.client().await?.access().export_ledger(pb::ExportLedgerRequest {}).await?.into_inner();
    output::write_or_print(out, (&r.csv, &r.csv), |path| println!("台账 {} 条已导出到 {}", r.entries, path.display()))
}

fn decided(conn: &Conn, a: &pb::Application) -> anyhow::Result<()> {
    output::emit(conn.json, a, print_decided)
}
