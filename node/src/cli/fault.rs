//! `extranet fault …`: report a fault at this node, record the provider's
//! response and repair, confirm or dispute it as the unit, list and show
//! tickets with their Art.13 clocks.

use clap::{Args, Subcommand};
use extranet_domain::FaultClass;
use extranet_proto::v1 as pb;

use super::choice::choice;
use super::conn::Conn;
use super::output;
use crate::codec::WireEnum;
use crate::present::fault::{print_ticket, row};

/// Fault commands.
#[derive(Subcommand)]
pub enum FaultCmd {
    /// Report a fault; both clocks start now (故障报告, Art.13, Art.24).
    Report {
        #[command(flatten)]
        conn: Conn,
        /// The access point or link that is down (接入点).
        #[arg(long)]
        access_point: String,
        /// What is down.
        #[arg(long)]
        description: String,
        /// Contact name.
        #[arg(long)]
        contact: String,
        /// Contact phone.
        #[arg(long)]
        phone: String,
        /// The unit whose link is down (a unit's certificate: itself).
        #[arg(long, default_value = "")]
        unit: String,
        /// Fault class (default: from the unit's township flag).
        #[arg(long, value_parser = choice::<FaultClass>())]
        class: Option<FaultClass>,
    },
    /// Tickets held at the node (its own and its subtree's), newest first.
    List {
        #[command(flatten)]
        conn: Conn,
        /// Only tickets not yet closed.
        #[arg(long)]
        open: bool,
    },
    /// One ticket with its clocks and history.
    Show {
        #[command(flatten)]
        conn: Conn,
        /// Ticket id, e.g. 540102-T000001.
        id: String,
    },
    /// Record the provider's response (响应).
    Ack(Step),
    /// Record that repair has started (开始修复).
    Start(Step),
    /// Record that the fault is repaired (修复完成).
    Repaired(Step),
    /// Confirm the repair and close, optionally scoring it 1–5 (确认关闭).
    Close {
        #[command(flatten)]
        step: Step,
        /// Satisfaction 1–5.
        #[arg(long)]
        satisfaction: Option<u32>,
    },
    /// Dispute the repair: reopen; the repair clock resumes (重新打开).
    Reopen {
        #[command(flatten)]
        step: Step,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Correct the class; the repair target is recalculated and recorded (更改类别).
    Reclassify {
        #[command(flatten)]
        step: Step,
        /// The new class.
        #[arg(long, value_parser = choice::<FaultClass>())]
        class: FaultClass,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Add a note (e.g. waiting for the room to be opened); it stops no clock.
    Note {
        #[command(flatten)]
        step: Step,
        /// The note.
        #[arg(long)]
        text: String,
    },
    /// Who answers a fault here: providers, O&M units, access points (登记).
    #[command(flatten)]
    Registry(super::fault_registry::RegistryCmd),
}

/// A step's connection and ticket.
#[derive(Args)]
pub struct Step {
    #[command(flatten)]
    conn: Conn,
    /// Ticket id, e.g. 540102-T000001.
    id: String,
}

/// Runs a fault command.
pub async fn run(cmd: FaultCmd) -> anyhow::Result<()> {
    use pb::FaultAction as A;
    let (step, req) = match cmd {
        FaultCmd::Report { conn, access_point, description, contact, phone, unit, class } => {
            let req = pb::ReportFaultRequest {
                unit_id: unit,
                access_point,
                description,
                contact: Some(pb::Contact { name: contact, phone }),
                class: class.map_or(0, |c| c.to_pb() as i32),
                ..Default::default()
            };
            let t = conn.write(req, async |c, r| c.faults().report_fault(r).await).await?;
            return output::emit(conn.json, &t, print_ticket);
        }
        FaultCmd::List { conn, open } => {
            let r = pb::ListFaultsRequest { open_only: open, page_size: 1000, ..Default::default() };
            let list = conn.client().await?.faults().list_faults(r).await?.into_inner();
            return output::emit(conn.json, &list, |l| {
                let rows: Vec<Vec<String>> = l.faults.iter().map(row).collect();
                output::table(&["编号", "类别", "状态", "接入点", "报告时间", "响应", "修复", "超时"], &rows);
            });
        }
        FaultCmd::Show { conn, id } => {
            let t = conn.client().await?.faults().get_fault(pb::GetFaultRequest { id }).await?.into_inner();
            return output::emit(conn.json, &t, print_ticket);
        }
        FaultCmd::Ack(s) => (s, (A::Acknowledge, 0, String::new(), 0)),
        FaultCmd::Start(s) => (s, (A::StartRepair, 0, String::new(), 0)),
        FaultCmd::Repaired(s) => (s, (A::MarkRepaired, 0, String::new(), 0)),
        FaultCmd::Close { step, satisfaction } => (step, (A::Close, satisfaction.unwrap_or(0), String::new(), 0)),
        FaultCmd::Reopen { step, reason } => (step, (A::Reopen, 0, reason, 0)),
        FaultCmd::Reclassify { step, class, reason } => (step, (A::Reclassify, 0, reason, class.to_pb() as i32)),
        FaultCmd::Note { step, text } => (step, (A::Note, 0, text, 0)),
        FaultCmd::Registry(cmd) => return super::fault_registry::run(cmd).await,
    };
    let (action, satisfaction, text, class) = req;
    let r =
        pb::ActOnFaultRequest { id: step.id, action: action as i32, satisfaction, text, class, ..Default::default() };
    let t = step.conn.write(r, async |c, r| c.faults().act_on_fault(r).await).await?;
    output::emit(step.conn.json, &t, print_ticket)
}
