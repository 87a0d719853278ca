//! `extranet filing …`: file cutovers, launches and changes, list and show filings.

use clap::Subcommand;
use extranet_proto::v1 as pb;

use super::conn::Conn;
use super::output;
use crate::present::filing::{kind, print_filing};

/// Filing commands.
#[derive(Subcommand)]
pub enum FilingCmd {
    /// File a network upgrade or test cutover (割接备案, Art.21); it issues
    /// the cutover notice (割接通知) to each affected unit today.
    Cutover {
        #[command(flatten)]
        conn: Conn,
        /// Id of an affected access unit registered at this node, e.g.
        /// u0001; repeat for each (涉及的接入单位).
        #[arg(long = "unit", required = true)]
        units: Vec<String>,
        /// Window start, RFC 3339, e.g. 2026-12-03T22:00:00+08:00.
        #[arg(long)]
        start: String,
        /// Window end, RFC 3339.
        #[arg(long)]
        end: String,
        /// Kept for old scripts: the notice date is the day of filing; only
        /// today's date (or nothing) is accepted.
        #[arg(long, default_value = "")]
        notified: String,
        /// Whom the affected units call, e.g. "扎西 0891-6812345" (printed on the notice).
        #[arg(long)]
        contact: String,
        /// What will be done.
        #[arg(long)]
        description: String,
        /// A major construction or adjustment (重大调整): needs --approval.
        #[arg(long)]
        major: bool,
        /// With --major: this node's application the region approved, e.g.
        /// 540102-S000001 (`extranet approval …`, Art.21).
        #[arg(long, default_value = "")]
        approval: String,
    },
    /// File an information system's launch (上线备案, Art.23), before its
    /// launch date, with addresses this node assigned to the unit.
    Launch {
        #[command(flatten)]
        conn: Conn,
        #[command(flatten)]
        system: SystemArgs,
    },
    /// File a change to a system launched here (变更备案, Art.23).
    Change {
        #[command(flatten)]
        conn: Conn,
        /// The launch filing it changes, e.g. 540102-000003.
        #[arg(long)]
        launch: String,
        /// What changes (变更内容).
        #[arg(long)]
        what: String,
        #[command(flatten)]
        system: SystemArgs,
    },
    /// List filings held at the node (its own and its subtree's).
    List {
        #[command(flatten)]
        conn: Conn,
        /// Only filings from this division's subtree, e.g. 540000/540100.
        #[arg(long, default_value = "")]
        subtree: String,
        /// How many, each node's newest first (fetched page by page).
        #[arg(long, default_value_t = 100)]
        limit: u32,
        /// Only this kind: cutover, launch, change, annual_report, interruption or evaluation.
        #[arg(long, default_value = "")]
        kind: String,
    },
    /// Print the notice a cutover issued (割接通知): text, or `--html FILE`
    /// for the printable page. A unit's certificate reads those naming it.
    Notice {
        #[command(flatten)]
        conn: Conn,
        /// Filing id, e.g. 540102-000001.
        id: String,
        /// Write the printable A4 page to this file instead.
        #[arg(long)]
        html: Option<std::path::PathBuf>,
    },
    /// Show one filing with its receipts.
    Show {
        #[command(flatten)]
        conn: Conn,
        /// Filing id, e.g. 540102-000001.
        id: String,
    },
}

/// A system as a launch or change files it.
#[derive(clap::Args)]
pub struct SystemArgs {
    /// System name.
    #[arg(long)]
    system: String,
    /// Id of the owning unit registered at this node, e.g. u0001 (a unit's
    /// own certificate may leave it out).
    #[arg(long, default_value = "")]
    unit: String,
    /// Launch (or change) date, YYYY-MM-DD: today or later.
    #[arg(long)]
    date: String,
    /// Address or prefix the system uses, inside the unit's assignment here; repeat for each.
    #[arg(long = "address", required = true)]
    addresses: Vec<String>,
    /// Security test reference (Art.26(4)).
    #[arg(long)]
    security_test: String,
}

impl SystemArgs {
    fn details(self) -> pb::LaunchDetails {
        pb::LaunchDetails {
            system_name: self.system,
            owning_unit: self.unit,
            launch_date: self.date,
            addresses: self.addresses,
            security_test_ref: self.security_test,
            assignment_ids: Vec::new(),
        }
    }
}

/// Runs a filing command.
pub async fn run(cmd: FilingCmd) -> anyhow::Result<()> {
    match cmd {
        FilingCmd::Cutover { conn, units, start, end, notified, contact, description, major, approval } => {
            let cutover = pb::CutoverDetails {
                affected_units: units,
                window_start: start,
                window_end: end,
                notified_on: notified,
                description,
                major_adjustment: major,
                major_approval_id: approval,
                contact,
                affected_unit_names: Vec::new(),
            };
            let req = pb::FileCutoverRequest { cutover: Some(cutover), ..Default::default() };
            print_filed(&conn, conn.write(req, async |c, r| c.filings().file_cutover(r).await).await?)
        }
        FilingCmd::Launch { conn, system } => {
            let req = pb::FileLaunchRequest { launch: Some(system.details()), ..Default::default() };
            print_filed(&conn, conn.write(req, async |c, r| c.filings().file_launch(r).await).await?)
        }
        FilingCmd::Change { conn, launch, what, system } => {
            let change =
                pb::SystemChangeDetails { launch_id: launch, what_changes: what, system: Some(system.details()) };
            let req = pb::FileSystemChangeRequest { change: Some(change), ..Default::default() };
            print_filed(&conn, conn.write(req, async |c, r| c.filings().file_system_change(r).await).await?)
        }
        FilingCmd::List { conn, subtree, limit, kind } => {
            let client = conn.client().await?.filings();
            let list = super::pages::collect(limit, client, |mut client, page_token, page_size| {
                let req = pb::ListFilingsRequest {
                    subtree: subtree.clone(),
                    limit: 0,
                    page_token,
                    page_size,
                    kind: kind.clone(),
                };
                async move {
                    let r = client.list_filings(req).await?.into_inner();
                    Ok((r.filings, r.next_page_token))
                }
            })
            .await?;
            output::list(conn.json, &list, (&["编号", "类型", "来源节点", "提交时间", "提交人", "回执"], "条"), row)
        }
        FilingCmd::Notice { conn, id, html } => {
            let n = conn.client().await?.filings().get_cutover_notice(pb::GetFilingRequest { id }).await?.into_inner();
            match html {
                Some(path) => {
                    std::fs::write(&path, &n.html)?;
                    println!("已写入 {}（{}），用浏览器打开后打印", path.display(), n.number);
                    Ok(())
                }
                None => output::emit(conn.json, &n, |n| print!("{}", n.text)),
            }
        }
        FilingCmd::Show { conn, id } => {
            let f = conn.client().await?.filings().get_filing(pb::GetFilingRequest { id }).await?.into_inner();
            output::emit(conn.json, &f, print_filing)
        }
    }
}

fn print_filed(conn: &Conn, f: pb::Filing) -> anyhow::Result<()> {
    output::emit(conn.json, &f, |f| {
        println!("已备案并落盘：{}（{}）", f.id, kind(f));
        println!("回执将随上级逐级接收返回；查看：extranet filing show {}", f.id);
    })
}

fn row(f: &pb::Filing) -> Vec<String> {
    let receipts =
        f.receipts.iter().map(|r| r.node.rsplit('/').next().unwrap_or(&r.node).to_string()).collect::<Vec<_>>();
    vec![
        f.id.clone(),
        kind(f).into(),
        f.origin.clone(),
        output::time(f.filed_at_ms),
        f.filed_by.clone(),
        if receipts.is_empty() { "—".into() } else { receipts.join(",") },
    ]
}
