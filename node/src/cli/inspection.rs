//! `extranet inspection …`: record a supervision inspection with its
//! findings and rectification deadlines (监督检查、限期整改, Art.28), list
//! and show inspections (`--waiting`: what waits on this node; `show
//! --html`: the written rectification order as A4 HTML), answer a finding
//! as the inspected lower node, accept or return an answer.

use clap::{Args, Subcommand};
use extranet_proto::v1 as pb;

use super::conn::Conn;
use super::output;
use crate::present::inspection::{HEADER, parse_finding, print_inspection, row};

/// Inspection commands.
#[derive(Subcommand)]
pub enum InspectionCmd {
    /// Record an inspection of a unit of this node or of a lower node (operator).
    Record(RecordArgs),
    /// Inspections held at the node, the latest first.
    List {
        #[command(flatten)]
        conn: Conn,
        /// Only what waits on this node: answers to review, findings to answer.
        #[arg(long)]
        waiting: bool,
        /// Only those with an overdue rectification.
        #[arg(long)]
        overdue: bool,
    },
    /// One inspection with its findings; --html prints the written rectification order.
    Show {
        #[command(flatten)]
        conn: Conn,
        /// Inspection id, e.g. 540100-J000001.
        id: String,
        /// The 整改通知书 as printable A4 HTML.
        #[arg(long)]
        html: bool,
        /// The 整改通知书 as text.
        #[arg(long, conflicts_with = "html")]
        notice: bool,
    },
    /// Answer a finding with what was done (the inspected party, 报送整改情况).
    Respond {
        #[command(flatten)]
        finding: FindingArg,
        /// What was done.
        #[arg(long)]
        text: String,
    },
    /// Accept an answer: the rectification is closed (the inspecting node, 验收).
    Accept {
        #[command(flatten)]
        finding: FindingArg,
        /// Remarks.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Return an answer: the rectification is open again (the inspecting node, 退回).
    Return {
        #[command(flatten)]
        finding: FindingArg,
        /// Why.
        #[arg(long)]
        reason: String,
    },
}

/// An inspection's finding.
#[derive(Args)]
pub struct FindingArg {
    #[command(flatten)]
    conn: Conn,
    /// Inspection id, e.g. 540100-J000001.
    id: String,
    /// The finding's number, from 1.
    #[arg(long)]
    finding: u32,
}

/// The form of `extranet inspection record`.
#[derive(Args)]
pub struct RecordArgs {
    #[command(flatten)]
    conn: Conn,
    /// The inspected unit, registered at this node.
    #[arg(long, conflicts_with = "node", required_unless_present = "node")]
    unit: Option<String>,
    /// The inspected lower node, as a path, e.g. 540000/540100/540102.
    #[arg(long)]
    node: Option<String>,
    /// The day of the inspection, YYYY-MM-DD (not in the future, at most 90 days ago).
    #[arg(long)]
    date: String,
    /// What was inspected.
    #[arg(long)]
    scope: String,
    /// An inspector; repeat for several.
    #[arg(long = "inspector")]
    inspectors: Vec<String>,
    /// A finding: `text` (no rectification) or `text@N` (rectify within N working days); repeat.
    #[arg(long = "finding")]
    findings: Vec<String>,
}

/// Runs an inspection command.
pub async fn run(cmd: InspectionCmd) -> anyhow::Result<()> {
    let (f, accept, text) = match cmd {
        InspectionCmd::Record(a) => {
            let req = pb::RecordInspectionRequest {
                unit_id: a.unit.unwrap_or_default(),
                inspected_node: a.node.unwrap_or_default(),
                date: a.date,
                scope: a.scope,
                inspectors: a.inspectors,
                findings: a.findings.iter().map(|s| parse_finding(s)).collect(),
                ..Default::default()
            };
            let i = a.conn.write(req, async |c, r| c.inspections().record_inspection(r).await).await?;
            return output::emit(a.conn.json, &i, print_inspection);
        }
        InspectionCmd::List { conn, waiting, overdue } => {
            let r = pb::ListInspectionsRequest {
                waiting_only: waiting,
                overdue_only: overdue,
                page_size: 1000,
                ..Default::default()
            };
            let list = conn.client().await?.inspections().list_inspections(r).await?.into_inner();
            return output::emit(conn.json, &list, |l| {
                output::table(&HEADER, &l.inspections.iter().map(row).collect::<Vec<_>>());
            });
        }
        InspectionCmd::Show { conn, id, html, notice } => {
            let i =
                conn.client().await?.inspections().get_inspection(pb::GetInspectionRequest { id }).await?.into_inner();
            if html || notice {
                let n = i.notice.ok_or_else(|| anyhow::anyhow!("监督检查 {} 未责令整改，没有整改通知书", i.id))?;
                print!("{}", if html { &n.html } else { &n.text });
                return Ok(());
            }
            return output::emit(conn.json, &i, print_inspection);
        }
        InspectionCmd::Respond { finding, text } => {
            let r =
                pb::RespondToFindingRequest { id: finding.id, finding: finding.finding, text, ..Default::default() };
            let i = finding.conn.write(r, async |c, r| c.inspections().respond_to_finding(r).await).await?;
            return output::emit(finding.conn.json, &i, print_inspection);
        }
        InspectionCmd::Accept { finding, note } => (finding, true, note),
        InspectionCmd::Return { finding, reason } => (finding, false, reason),
    };
    let r = pb::ReviewFindingRequest { id: f.id, finding: f.finding, accept, text, ..Default::default() };
    let i = f.conn.write(r, async |c, r| c.inspections().review_finding(r).await).await?;
    output::emit(f.conn.json, &i, print_inspection)
}
