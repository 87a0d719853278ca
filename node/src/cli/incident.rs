//! `extranet incident …`: report a security incident at a node
//! (网络安全事件, Art.26(1)), record its first report to each of the five
//! departments, decide whether to report it up, close it, list and show.
//! Times are typed in Beijing time.

use clap::Subcommand;
use extranet_domain::incident::{Channel, Department};
use extranet_proto::v1 as pb;

use super::choice::choice;
use super::conn::Conn;
use super::output;
use crate::calendar::parse_beijing_ms;
use crate::codec::WireEnum;
use crate::present::incident::{HEADER, print_incident, row};

/// Incident commands.
#[derive(Subcommand)]
pub enum IncidentCmd {
    /// Report an incident at this node (a unit for itself; an operator for a unit or the node).
    Report {
        #[command(flatten)]
        conn: Conn,
        /// Short name (事件名称).
        #[arg(long)]
        title: String,
        /// What happened (事件经过).
        #[arg(long)]
        description: String,
        /// When it happened or was found, Beijing time: 2026-12-05 22:00.
        #[arg(long)]
        at: String,
        /// Its impact (影响范围).
        #[arg(long)]
        impact: String,
        /// Measures taken so far (已采取措施).
        #[arg(long)]
        measures: String,
        /// A major incident (重大网络安全事件): the five departments must be told at once.
        #[arg(long)]
        major: bool,
        /// Whom to call: name.
        #[arg(long)]
        contact: String,
        /// Whom to call: phone.
        #[arg(long)]
        phone: String,
        /// The unit it happened at (operator; empty: the node's own network).
        #[arg(long, default_value = "")]
        unit: String,
    },
    /// Incidents held at the node (own, and reported up from below), the latest first.
    List {
        #[command(flatten)]
        conn: Conn,
        /// Only this unit's.
        #[arg(long, default_value = "")]
        unit: String,
        /// Only those waiting on this node's authority (undecided, or major with a department missing).
        #[arg(long)]
        waiting: bool,
        /// Only major ones.
        #[arg(long)]
        major: bool,
    },
    /// One incident with the departments told and its steps.
    Show {
        #[command(flatten)]
        conn: Conn,
        /// Incident id, e.g. 540102-I000001.
        id: String,
    },
    /// Record the first report to one department (网信, 保密, 安全, 公安, 经济和信息化).
    Notify {
        #[command(flatten)]
        conn: Conn,
        /// Incident id.
        id: String,
        /// The department told.
        #[arg(long, value_parser = choice::<Department>())]
        department: Department,
        /// How it was told.
        #[arg(long, value_parser = choice::<Channel>())]
        channel: Channel,
        /// When, Beijing time: 2026-12-05 22:30.
        #[arg(long)]
        at: String,
        /// Who told it.
        #[arg(long)]
        reporter: String,
        /// Whom there, a reference number, remarks.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// The authority's decision: report it up (final), or with --keep handle it here (operator).
    ReportUp {
        #[command(flatten)]
        conn: Conn,
        /// Incident id.
        id: String,
        /// Handle it at this level, not reported up (a reason in --note is required).
        #[arg(long)]
        keep: bool,
        /// The reasoning.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Close it, handled (operator; after the decision).
    Close {
        #[command(flatten)]
        conn: Conn,
        /// Incident id.
        id: String,
        /// How it was handled.
        #[arg(long)]
        note: String,
    },
}

/// Runs an incident command.
pub async fn run(cmd: IncidentCmd) -> anyhow::Result<()> {
    match cmd {
        IncidentCmd::Report { conn, title, description, at, impact, measures, major, contact, phone, unit } => {
            let report = pb::IncidentReport {
                unit_id: unit,
                title,
                description,
                occurred_at_ms: parse_beijing_ms("at", &at)?,
                impact,
                measures,
                major,
                contact: Some(pb::Contact { name: contact, phone }),
            };
            let req = pb::ReportIncidentRequest { report: Some(report), ..Default::default() };
            let i = conn.write(req, async |c, r| c.incidents().report(r).await).await?;
            output::emit(conn.json, &i, print_incident)
        }
        IncidentCmd::List { conn, unit, waiting, major } => {
            let r = pb::ListIncidentsRequest {
                unit_id: unit,
                waiting_only: waiting,
                major_only: major,
                page_size: 1000,
                ..Default::default()
            };
            let list = conn.client().await?.incidents().list(r).await?.into_inner();
            output::emit(conn.json, &list, |l| output::table(&HEADER, &l.incidents.iter().map(row).collect::<Vec<_>>()))
        }
        IncidentCmd::Show { conn, id } => {
            let i = conn.client().await?.incidents().get(pb::GetIncidentRequest { id }).await?.into_inner();
            output::emit(conn.json, &i, print_incident)
        }
        IncidentCmd::Notify { conn, id, department, channel, at, reporter, note } => {
            let report = pb::DepartmentReport {
                department: department.to_pb() as i32,
                at_ms: parse_beijing_ms("at", &at)?,
                channel: channel.to_pb() as i32,
                reporter,
                note,
                ..Default::default()
            };
            let req = pb::RecordDepartmentReportRequest { id, report: Some(report), ..Default::default() };
            let i = conn.write(req, async |c, r| c.incidents().record_department_report(r).await).await?;
            output::emit(conn.json, &i, print_incident)
        }
        IncidentCmd::ReportUp { conn, id, keep, note } => {
            let req = pb::ReportUpRequest { id, report_up: !keep, note, ..Default::default() };
            let i = conn.write(req, async |c, r| c.incidents().report_up(r).await).await?;
            output::emit(conn.json, &i, print_incident)
        }
        IncidentCmd::Close { conn, id, note } => {
            let req = pb::CloseIncidentRequest { id, note, ..Default::default() };
            let i = conn.write(req, async |c, r| c.incidents().close(r).await).await?;
            output::emit(conn.json, &i, print_incident)
        }
    }
}
