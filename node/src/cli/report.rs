//! `extranet report annual --year Y`: this node's annual work report
//! (Art.10) from its records and its subtree's — the figures as a Chinese
//! table (a preview; nothing is written), `--html F` the printable A4
//! report, `--json` for scripts, `--file` to file it upward (报送, once per
//! year); `report show <id>` a filed one, this node's or one from below.

use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;
use extranet_proto::v1 as pb;

use super::conn::Conn;
use super::output;
use crate::domain::AnnualReport;
use crate::present::filing::print_filing;
use crate::present::report::{HEADER, addresses, document, not_reported, rows};

/// Report commands.
#[derive(Subcommand)]
pub enum ReportCmd {
    /// The annual work report of a year (年度工作报告, Art.10): a preview,
    /// or filed upward with --file.
    Annual {
        #[command(flatten)]
        conn: Conn,
        /// The year reported on, e.g. 2026.
        #[arg(long)]
        year: i32,
        /// Notes: work done, problems, plans (filed with --file).
        #[arg(long, default_value = "")]
        notes: String,
        /// File the report upward (报送); without it nothing is written.
        #[arg(long)]
        file: bool,
        /// Write the printable report (A4, Chinese) to this HTML file.
        #[arg(long)]
        html: Option<PathBuf>,
    },
    /// A filed annual work report held here, by its filing id.
    Show {
        #[command(flatten)]
        conn: Conn,
        /// Filing id, e.g. 540100-000003.
        id: String,
        /// Write the printable report (A4, Chinese) to this HTML file.
        #[arg(long)]
        html: Option<PathBuf>,
    },
}

/// The reporting authority's Chinese name, from the topology.
fn authority(node: &extranet_certs::NodeId) -> String {
    let topology = crate::topology::Topology::xizang();
    topology.get(node).map_or(node.code().to_string(), |d| d.name_zh.clone())
}

/// Prints the figures, and writes the document when asked.
fn show(r: &AnnualReport, name: &str, html: Option<&PathBuf>) -> anyhow::Result<()> {
    println!("{} 年度工作开展情况报告（{name}），统计截至 {}", r.year, crate::present::text::time(r.as_of_ms));
    output::table(&HEADER, &rows(r));
    println!("地址管理：{}", addresses(r));
    println!("下辖节点（含本节点）：{}，已报送本年度报告：{}", r.subtree_nodes, r.subtree_reporting);
    println!("尚未报送：{}", not_reported(r));
    if !r.notes.is_empty() {
        println!("说明：{}", r.notes);
    }
    if let Some(path) = html {
        std::fs::write(path, document(r, name)).with_context(|| format!("无法写入 {}", path.display()))?;
        println!("可打印的报告已写入 {}", path.display());
    }
    Ok(())
}

/// Runs a report command.
pub async fn run(cmd: ReportCmd) -> anyhow::Result<()> {
    match cmd {
        ReportCmd::Annual { conn, year, notes, file: true, html } => {
            let req = pb::FileAnnualReportRequest { year, notes, ..Default::default() };
            let f = conn.write(req, async |c, r| c.filings().file_annual_report(r).await).await?;
            if conn.json {
                return output::emit(true, &f, |_| {});
            }
            print_filing(&f);
            if let Some(pb::filing::Details::AnnualReport(d)) = f.details.clone() {
                let origin = extranet_certs::NodeId::parse(&f.origin)?;
                show(&crate::codec::annual_report_from_pb(d)?, &authority(&origin), html.as_ref())?;
            }
            println!("已报送并落盘；上级接收后回执逐级返回：extranet filing show {}", f.id);
            Ok(())
        }
        ReportCmd::Annual { conn, year, notes, file: false, html } => {
            let client = conn.client().await?;
            let me = client.node().clone();
            let d = client.filings().draft_annual_report(pb::DraftAnnualReportRequest { year }).await?;
            let d = pb::AnnualReportDetails { notes, ..d.into_inner() };
            if conn.json {
                return output::emit(true, &d, |_| {});
            }
            show(&crate::codec::annual_report_from_pb(d)?, &authority(&me), html.as_ref())?;
            println!("以上为预览，未报送。报送上级：extranet report annual --year {year} --notes … --file");
            Ok(())
        }
        ReportCmd::Show { conn, id, html } => {
            let f = conn.client().await?.filings().get_filing(pb::GetFilingRequest { id: id.clone() }).await?;
            let f = f.into_inner();
            let Some(pb::filing::Details::AnnualReport(d)) = f.details.clone() else {
                anyhow::bail!("备案 {id} 不是年度工作报告");
            };
            if conn.json {
                return output::emit(true, &f, |_| {});
            }
            let origin = extranet_certs::NodeId::parse(&f.origin)?;
            show(&crate::codec::annual_report_from_pb(d)?, &authority(&origin), html.as_ref())
        }
    }
}
