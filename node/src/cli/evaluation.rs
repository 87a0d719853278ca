//! `extranet evaluation annual|file|show`: the annual evaluation of link
//! providers and O&M units (运行质量综合评估, Art.27) — the year's figures
//! from the fault tickets as a draft, filing it upward with the hand
//! assessments and a conclusion, and a filed one (this node's or one from
//! below) as a printable document or CSV.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};
use extranet_proto::v1 as pb;

use super::conn::Conn;
use super::output;
use crate::domain::evaluation::Evaluation;
use crate::present::evaluation::{PEOPLE_HEADER, csv, document, people_rows};
use crate::present::filing::print_filing;

/// Evaluation commands.
#[derive(Subcommand)]
pub enum EvaluationCmd {
    /// The figures of a year as they stand now (a draft; nothing is filed).
    Annual {
        #[command(flatten)]
        conn: Conn,
        /// The year evaluated, e.g. 2026.
        #[arg(long)]
        year: i32,
        #[command(flatten)]
        export: Export,
    },
    /// File the evaluation of a year upward with the hand assessments (报送).
    File {
        #[command(flatten)]
        conn: Conn,
        /// The year evaluated.
        #[arg(long)]
        year: i32,
        /// A hand-assessed item, `KIND:NAME:ITEM:GRADE[:COMMENT]`, e.g.
        /// `provider:中国电信西藏分公司:bandwidth:good:带宽充足`. KIND is
        /// provider or maintainer; ITEM bandwidth, protection (providers),
        /// maintenance, assurance (O&M units) or other; GRADE excellent,
        /// good, fair or poor. Repeat for each.
        #[arg(long = "assess")]
        assess: Vec<String>,
        /// The conclusion (评估结论).
        #[arg(long)]
        conclusion: String,
    },
    /// A filed evaluation held here, by its filing id.
    Show {
        #[command(flatten)]
        conn: Conn,
        /// Filing id, e.g. 540100-000003.
        id: String,
        #[command(flatten)]
        export: Export,
    },
}

/// Where the document and the figures go.
#[derive(Args)]
pub struct Export {
    /// Write the printable report (A4, Chinese) to this HTML file.
    #[arg(long)]
    html: Option<PathBuf>,
    /// Write the figures as CSV (UTF-8 with BOM, opens in Excel) to this file.
    #[arg(long)]
    csv: Option<PathBuf>,
}

/// `KIND:NAME:ITEM:GRADE[:COMMENT]` as the wire's assessment.
fn assessment(v: &str) -> anyhow::Result<pb::EvaluationAssessment> {
    let parts: Vec<&str> = v.splitn(5, ':').collect();
    let [kind, name, item, grade, rest @ ..] = parts.as_slice() else {
        anyhow::bail!(
            "--assess “{v}” 应写作 类型:单位名称:项目:评级[:说明]，例如 provider:中国电信西藏分公司:bandwidth:good:带宽充足"
        );
    };
    Ok(pb::EvaluationAssessment {
        kind: kind.to_string(),
        name: name.to_string(),
        item: item.to_string(),
        grade: grade.to_string(),
        comment: rest.first().map_or(String::new(), |c| c.to_string()),
    })
}

/// The authority's name as the document heads it.
fn authority(e: &Evaluation) -> String {
    let topology = crate::topology::Topology::xizang();
    topology.get(&e.node).map_or(e.node.code().to_string(), |d| d.name_zh.clone())
}

/// Prints the figures, and writes the files asked for.
fn show(e: &Evaluation, export: &Export) -> anyhow::Result<()> {
    println!(
        "{} 年度运行质量综合评估（{}）：计入故障 {} 件，统计截至 {}",
        e.year,
        authority(e),
        e.tickets,
        crate::present::text::time(e.as_of_ms)
    );
    output::table(&PEOPLE_HEADER, &people_rows(e));
    for a in &e.assessments {
        println!("人工评估：{}“{}” {}：{} {}", a.kind.zh(), a.name, a.item.zh(), a.grade.zh(), a.comment);
    }
    if !e.conclusion.is_empty() {
        println!("评估结论：{}", e.conclusion);
    }
    if let Some(path) = &export.html {
        std::fs::write(path, document(e, &authority(e))).with_context(|| format!("无法写入 {}", path.display()))?;
        println!("可打印的评估报告已写入 {}", path.display());
    }
    if let Some(path) = &export.csv {
        std::fs::write(path, csv(e)).with_context(|| format!("无法写入 {}", path.display()))?;
        println!("CSV 数据已写入 {}", path.display());
    }
    Ok(())
}

/// Runs an evaluation command.
pub async fn run(cmd: EvaluationCmd) -> anyhow::Result<()> {
    match cmd {
        EvaluationCmd::Annual { conn, year, export } => {
            let d = conn.client().await?.evaluations().draft_evaluation(pb::DraftEvaluationRequest { year }).await?;
            let d = d.into_inner();
            if conn.json {
                return output::emit(true, &d, |_| {});
            }
            show(&crate::codec::evaluation_from_pb(d)?, &export)?;
            println!(
                "以上为草稿。填写人工评估项和结论后报送：extranet evaluation file --year {year} --assess … --conclusion …"
            );
            Ok(())
        }
        EvaluationCmd::File { conn, year, assess, conclusion } => {
            let assessments = assess.iter().map(|a| assessment(a)).collect::<anyhow::Result<_>>()?;
            let req = pb::FileEvaluationRequest { year, assessments, conclusion, ..Default::default() };
            let f = conn.write(req, async |c, r| c.evaluations().file_evaluation(r).await).await?;
            output::emit(conn.json, &f, |f| {
                print_filing(f);
                println!("已报送并落盘；上级接收后回执逐级返回：extranet filing show {}", f.id);
            })
        }
        EvaluationCmd::Show { conn, id, export } => {
            let f = conn.client().await?.filings().get_filing(pb::GetFilingRequest { id: id.clone() }).await?;
            let f = f.into_inner();
            let Some(pb::filing::Details::Evaluation(d)) = f.details.clone() else {
                anyhow::bail!("备案 {id} 不是年度运行质量综合评估");
            };
            if conn.json {
                return output::emit(true, &f, |_| {});
            }
            show(&crate::codec::evaluation_from_pb(d)?, &export)
        }
    }
}
