//! `extranet interruption …`: ask the node for approval of a maintenance
//! interruption (维护作业中断, Art.24), approve or reject it as the
//! operator, start and finish the work, list and show interruptions.

use clap::{Args, Subcommand};
use extranet_domain::{Affects, InterruptionState};
use extranet_proto::v1 as pb;

use super::choice::choice;
use super::conn::Conn;
use super::output;
use crate::calendar::parse_beijing_ms;
use crate::codec::WireEnum;
use crate::present::interruption::{print_interruption, row};

/// Interruption commands.
#[derive(Subcommand)]
pub enum InterruptionCmd {
    /// Ask for approval of planned work that interrupts the network or an
    /// important system (申请, Art.24).
    Request {
        #[command(flatten)]
        conn: Conn,
        /// What the work interrupts.
        #[arg(long, value_parser = choice::<Affects>())]
        affects: Affects,
        /// What exactly is interrupted (the link or system, and who uses it).
        #[arg(long)]
        affected: String,
        /// Why the work is needed.
        #[arg(long)]
        reason: String,
        /// Window start, Beijing time, e.g. "2026-12-05 22:00".
        #[arg(long)]
        from: String,
        /// Window end, Beijing time.
        #[arg(long)]
        until: String,
        /// Contact name during the work.
        #[arg(long)]
        contact: String,
        /// Contact phone.
        #[arg(long)]
        phone: String,
        /// The unit doing the work (a unit's certificate: itself; empty: the authority's own).
        #[arg(long, default_value = "")]
        unit: String,
    },
    /// Interruptions held at the node (its own and its subtree's), the latest window first.
    List {
        #[command(flatten)]
        conn: Conn,
        /// Only these states; repeat for several.
        #[arg(long = "state", value_parser = choice::<InterruptionState>())]
        states: Vec<InterruptionState>,
    },
    /// One interruption with its history and the filing that reported it.
    Show {
        #[command(flatten)]
        conn: Conn,
        /// Interruption id, e.g. 540102-M000001.
        id: String,
    },
    /// Approve (operator); the approval is filed up to the region (批准).
    Approve {
        #[command(flatten)]
        step: Step,
        /// Conditions or remarks.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Reject with a reason (operator) (驳回).
    Reject {
        #[command(flatten)]
        step: Step,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Withdraw before the work starts (撤回).
    Withdraw {
        #[command(flatten)]
        step: Step,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// The work starts: only once approved, inside the window (开始实施).
    Start(Step),
    /// The work is done and service restored (结束).
    Finish {
        #[command(flatten)]
        step: Step,
        /// What was done.
        #[arg(long, default_value = "")]
        note: String,
    },
}

/// A step's connection and interruption.
#[derive(Args)]
pub struct Step {
    #[command(flatten)]
    conn: Conn,
    /// Interruption id, e.g. 540102-M000001.
    id: String,
}

/// Runs an interruption command.
pub async fn run(cmd: InterruptionCmd) -> anyhow::Result<()> {
    use pb::InterruptionAction as A;
    let (step, action, text) = match cmd {
        InterruptionCmd::Request { conn, affects, affected, reason, from, until, contact, phone, unit } => {
            let plan = pb::InterruptionPlan {
                unit_id: unit,
                affects: affects.to_pb() as i32,
                affected,
                reason,
                window_start_ms: parse_beijing_ms("from", &from)?,
                window_end_ms: parse_beijing_ms("until", &until)?,
                contact: Some(pb::Contact { name: contact, phone }),
            };
            let req = pb::RequestInterruptionRequest { plan: Some(plan), ..Default::default() };
            let i = conn.write(req, async |c, r| c.interruptions().request_interruption(r).await).await?;
            return output::emit(conn.json, &i, print_interruption);
        }
        InterruptionCmd::List { conn, states } => {
            let states = states.iter().map(|s| s.to_pb() as i32).collect();
            let r = pb::ListInterruptionsRequest { states, page_size: 1000, ..Default::default() };
            let list = conn.client().await?.interruptions().list_interruptions(r).await?.into_inner();
            return output::emit(conn.json, &list, |l| {
                let rows: Vec<Vec<String>> = l.interruptions.iter().map(row).collect();
                output::table(&["编号", "状态", "对象", "内容", "窗口开始", "窗口结束", "作业单位", "报备"], &rows);
            });
        }
        InterruptionCmd::Show { conn, id } => {
            let r = pb::GetInterruptionRequest { id };
            let i = conn.client().await?.interruptions().get_interruption(r).await?.into_inner();
            return output::emit(conn.json, &i, print_interruption);
        }
        InterruptionCmd::Approve { step, note } => (step, A::Approve, note),
        InterruptionCmd::Reject { step, reason } => (step, A::Reject, reason),
        InterruptionCmd::Withdraw { step, reason } => (step, A::Withdraw, reason),
        InterruptionCmd::Start(step) => (step, A::Start, String::new()),
        InterruptionCmd::Finish { step, note } => (step, A::Finish, note),
    };
    let r = pb::ActOnInterruptionRequest { id: step.id, action: action as i32, text, ..Default::default() };
    let i = step.conn.write(r, async |c, r| c.interruptions().act_on_interruption(r).await).await?;
    output::emit(step.conn.json, &i, print_interruption)
}
