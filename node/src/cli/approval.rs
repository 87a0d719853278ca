//! `extranet approval …`: apply for approval of a major construction or
//! adjustment (重大建设或调整, Art.21), decide at one's own level (approve
//! passes it up, reject ends it with reasons), list what waits on this
//! level, show an application's path, and print a level's written notice
//! (text, or A4 HTML with `--html`).

use clap::Subcommand;
use extranet_proto::v1 as pb;

use super::conn::Conn;
use super::output;
use crate::present::approval::{HEADER, print_approval, row};

/// Approval commands.
#[derive(Subcommand)]
pub enum ApprovalCmd {
    /// Apply for approval of a major adjustment; it goes up level by level (operator).
    Apply {
        #[command(flatten)]
        conn: Conn,
        /// A short title, e.g. 县级核心节点设备更换.
        #[arg(long)]
        title: String,
        /// What will be built or changed, and why.
        #[arg(long)]
        description: String,
        /// What it affects (links, units, systems).
        #[arg(long)]
        scope: String,
        /// Planned start, YYYY-MM-DD (not before today).
        #[arg(long)]
        start: String,
        /// Contact name.
        #[arg(long)]
        contact: String,
        /// Contact phone.
        #[arg(long)]
        phone: String,
    },
    /// Applications held here (own, from below, on this level's path), the latest first.
    List {
        #[command(flatten)]
        conn: Conn,
        /// Only those waiting on this level's decision.
        #[arg(long)]
        waiting: bool,
    },
    /// One application: where it stands and each level's wait and decision.
    Show {
        #[command(flatten)]
        conn: Conn,
        /// Application id, e.g. 540102-S000001.
        id: String,
    },
    /// Approve at this level: passes it up, or at the region approves it (同意).
    Approve {
        #[command(flatten)]
        conn: Conn,
        /// Application id.
        id: String,
        /// Remarks.
        #[arg(long, default_value = "")]
        remarks: String,
    },
    /// Reject at this level with reasons: ends it, with a written notice (不同意).
    Reject {
        #[command(flatten)]
        conn: Conn,
        /// Application id.
        id: String,
        /// The reasons (required).
        #[arg(long)]
        reason: String,
    },
    /// Print a level's written notice of its decision (审批意见书).
    Notice {
        #[command(flatten)]
        conn: Conn,
        /// Application id.
        id: String,
        /// The deciding level's node code; default the last decision.
        #[arg(long)]
        level: Option<String>,
        /// Printable A4 HTML instead of text.
        #[arg(long)]
        html: bool,
    },
}

/// Runs an approval command.
pub async fn run(cmd: ApprovalCmd) -> anyhow::Result<()> {
    let print = |a: &pb::MajorAdjustment| print_approval(a, crate::store::health::now_ms());
    let (conn, id, verdict, reason) = match cmd {
        ApprovalCmd::Apply { conn, title, description, scope, start, contact, phone } => {
            let proposal = pb::ApprovalProposal {
                title,
                description,
                scope,
                planned_start: start,
                contact: Some(pb::Contact { name: contact, phone }),
            };
            let req = pb::ApplyForApprovalRequest { proposal: Some(proposal), ..Default::default() };
            let a = conn.write(req, async |c, r| c.approvals().apply_for_approval(r).await).await?;
            return output::emit(conn.json, &a, print);
        }
        ApprovalCmd::List { conn, waiting } => {
            let r = pb::ListApprovalsRequest { waiting_only: waiting, page_size: 1000, ..Default::default() };
            let list = conn.client().await?.approvals().list_approvals(r).await?.into_inner();
            let now = crate::store::health::now_ms();
            return output::emit(conn.json, &list, |l| {
                output::table(&HEADER, &l.approvals.iter().map(|a| row(a, now)).collect::<Vec<_>>());
            });
        }
        ApprovalCmd::Show { conn, id } => {
            let a = get(&conn, id).await?;
            return output::emit(conn.json, &a, print);
        }
        ApprovalCmd::Notice { conn, id, level, html } => {
            let a = get(&conn, id).await?;
            let d = match &level {
                Some(l) => a.decisions.iter().find(|d| crate::present::approval::level_code(&d.level) == l),
                None => a.decisions.iter().max_by_key(|d| d.at_ms),
            };
            let d =
                d.ok_or_else(|| anyhow::anyhow!("审批申请 {} 尚无{}的审批意见", a.id, level.unwrap_or_default()))?;
            print!("{}", if html { &d.notice_html } else { &d.notice_text });
            return Ok(());
        }
        ApprovalCmd::Approve { conn, id, remarks } => (conn, id, "approve", remarks),
        ApprovalCmd::Reject { conn, id, reason } => (conn, id, "reject", reason),
    };
    let r = pb::DecideApprovalRequest { id, verdict: verdict.into(), reason, ..Default::default() };
    let a = conn.write(r, async |c, r| c.approvals().decide_approval(r).await).await?;
    output::emit(conn.json, &a, print)
}

async fn get(conn: &Conn, id: String) -> anyhow::Result<pb::MajorAdjustment> {
    Ok(conn.client().await?.approvals().get_approval(pb::GetApprovalRequest { id }).await?.into_inner())
}
