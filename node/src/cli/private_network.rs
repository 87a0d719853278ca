//! `extranet private-network …`: the register of non-classified private
//! networks of the node's jurisdiction (非涉密业务专网, Art.5, Art.9,
//! Art.10) — register an existing one, record its planned migration day,
//! its migration and its lease fees stopped, list and show. Dates are
//! calendar days, YYYY-MM-DD.

use clap::{ArgGroup, Subcommand};
use extranet_proto::v1 as pb;
use pb::update_private_network_request::Step;

use super::choice::choice;
use super::conn::Conn;
use super::output;
use crate::codec::WireEnum;
use crate::domain::MigrationStatus;
use crate::present::private_network::{HEADER, print_private_network, row};

/// Private-network commands (operator only).
#[derive(Subcommand)]
pub enum PrivateNetworkCmd {
    /// Register an existing private network of this node's jurisdiction (Art.5 forbids building new ones).
    Register {
        #[command(flatten)]
        conn: Conn,
        /// The department that runs it (主管部门).
        #[arg(long)]
        owner: String,
        /// Its name (专网名称).
        #[arg(long)]
        name: String,
        /// What it covers (覆盖范围).
        #[arg(long)]
        scope: String,
        /// How many links it leases (链路数量).
        #[arg(long)]
        links: u32,
        /// The links described: carriers, bandwidth, ends (链路情况).
        #[arg(long, default_value = "")]
        link_detail: String,
        /// The day migration is planned, YYYY-MM-DD (计划迁移日期).
        #[arg(long, default_value = "")]
        planned: String,
        /// The day migration was done, YYYY-MM-DD, not after today (实际完成日期).
        #[arg(long, default_value = "")]
        migrated: String,
        /// Finance has stopped its lease fees (only once migrated).
        #[arg(long)]
        fees_stopped: bool,
        /// Remarks (备注).
        #[arg(long, default_value = "")]
        notes: String,
    },
    /// Record one step: a planned day, migration done, or lease fees stopped.
    #[command(group(ArgGroup::new("step").required(true).args(["planned", "migrated", "fees_stopped"])))]
    Update {
        #[command(flatten)]
        conn: Conn,
        /// Network id, e.g. 540102-N000001.
        id: String,
        /// Record or move the planned migration day, YYYY-MM-DD.
        #[arg(long)]
        planned: Option<String>,
        /// Record migration done on this day, YYYY-MM-DD.
        #[arg(long)]
        migrated: Option<String>,
        /// Record that finance stopped its lease fees.
        #[arg(long)]
        fees_stopped: bool,
        /// A remark recorded with the step.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Networks held at the node (own, and registered below it), by id.
    List {
        #[command(flatten)]
        conn: Conn,
        /// Only those registered at or below this node path (540000/540100).
        #[arg(long, default_value = "")]
        under: String,
        /// Only those in this status.
        #[arg(long, value_parser = choice::<MigrationStatus>())]
        status: Option<MigrationStatus>,
    },
    /// One network with its steps.
    Show {
        #[command(flatten)]
        conn: Conn,
        /// Network id, e.g. 540102-N000001.
        id: String,
    },
}

/// The step `update` was given (clap makes exactly one present).
fn step(planned: Option<String>, migrated: Option<String>) -> Step {
    match (planned, migrated) {
        (Some(planned_on), _) => Step::Plan(pb::PlanMigration { planned_on }),
        (None, Some(migrated_on)) => Step::Migrated(pb::RecordMigration { migrated_on }),
        (None, None) => Step::FeesStopped(pb::StopLeaseFees {}),
    }
}

/// Runs a private-network command.
pub async fn run(cmd: PrivateNetworkCmd) -> anyhow::Result<()> {
    match cmd {
        PrivateNetworkCmd::Register {
            conn,
            owner,
            name,
            scope,
            links,
            link_detail,
            planned,
            migrated,
            fees_stopped,
            notes,
        } => {
            let details = pb::PrivateNetworkDetails {
                owner_department: owner,
                name,
                scope,
                link_count: links,
                links: link_detail,
                planned_on: planned,
                migrated_on: migrated,
                lease_fees_stopped: fees_stopped,
                notes,
            };
            let req = pb::RegisterPrivateNetworkRequest { details: Some(details), ..Default::default() };
            let n = conn.write(req, async |c, r| c.private_networks().register(r).await).await?;
            output::emit(conn.json, &n, print_private_network)
        }
        PrivateNetworkCmd::Update { conn, id, planned, migrated, fees_stopped: _, note } => {
            let req =
                pb::UpdatePrivateNetworkRequest { id, step: Some(step(planned, migrated)), note, ..Default::default() };
            let n = conn.write(req, async |c, r| c.private_networks().update(r).await).await?;
            output::emit(conn.json, &n, print_private_network)
        }
        PrivateNetworkCmd::List { conn, under, status } => {
            let status = status.map_or(pb::MigrationStatus::Unspecified as i32, |s| s.to_pb() as i32);
            let r = pb::ListPrivateNetworksRequest { under, status, page_size: 1000, ..Default::default() };
            let list = conn.client().await?.private_networks().list(r).await?.into_inner();
            output::emit(conn.json, &list, |l| output::table(&HEADER, &l.networks.iter().map(row).collect::<Vec<_>>()))
        }
        PrivateNetworkCmd::Show { conn, id } => {
            let n =
                conn.client().await?.private_networks().get(pb::GetPrivateNetworkRequest { id }).await?.into_inner();
            output::emit(conn.json, &n, print_private_network)
        }
    }
}
