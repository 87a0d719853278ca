//! `extranet report annual --year Y`: produce this node's annual work
//! report (Art.10) from its records and its subtree's, and file it upward.

use clap::Subcommand;
use extranet_proto::v1 as pb;

use super::conn::Conn;
use super::output;
use crate::present::filing::print_filing;

/// Report commands.
#[derive(Subcommand)]
pub enum ReportCmd {
    /// File this node's annual work report for a year (年度工作报告, Art.10).
    Annual {
        #[command(flatten)]
        conn: Conn,
        /// The year reported on, e.g. 2026.
        #[arg(long)]
        year: i32,
        /// Notes: work done, problems, plans.
        #[arg(long, default_value = "")]
        notes: String,
    },
}

/// Runs a report command.
pub async fn run(cmd: ReportCmd) -> anyhow::Result<()> {
    match cmd {
        ReportCmd::Annual { conn, year, notes } => {
            let req = pb::FileAnnualReportRequest { year, notes, ..Default::default() };
            let f = conn.write(req, async |c, r| c.filings().file_annual_report(r).await).await?;
            output::emit(conn.json, &f, |f| {
                print_filing(f);
                println!("已报送并落盘；上级接收后回执逐级返回：extranet filing show {}", f.id);
            })
        }
    }
}
