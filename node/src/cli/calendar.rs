//! `extranet calendar …`: show the working-day calendar in force, publish a
//! newer year at the region or a prefecture's local days, compute a due date.

use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;
use extranet_proto::v1 as pb;

use super::conn::Conn;
use super::output;

/// Calendar commands.
#[derive(Subcommand)]
pub enum CalendarCmd {
    /// Show the calendar in force at the node: version, years, listed days (工作日历).
    Show {
        #[command(flatten)]
        conn: Conn,
        /// Only this year's days.
        #[arg(long, default_value_t = 0)]
        year: i32,
    },
    /// Publish a calendar file at the region; it travels down to every node (发布).
    Publish {
        #[command(flatten)]
        conn: Conn,
        /// The file: `#` source lines, then `date<TAB>off|work<TAB>name[<TAB>national|regional]`.
        #[arg(long)]
        file: PathBuf,
    },
    /// Publish this prefecture's local calendar (地方性假日, Art.30) for its own subtree (发布本地日历).
    PublishLocal {
        #[command(flatten)]
        conn: Conn,
        /// The file: `#` source lines, then `date<TAB>off|work<TAB>name[<TAB>local]`; only years the region's calendar lists.
        file: PathBuf,
    },
    /// The date N working days after a date, with the node's calendar (到期日).
    Due {
        #[command(flatten)]
        conn: Conn,
        /// Start date, YYYY-MM-DD.
        #[arg(long)]
        from: String,
        /// Working days to add.
        #[arg(long)]
        days: u32,
    },
}

/// Runs a calendar command.
pub async fn run(cmd: CalendarCmd) -> anyhow::Result<()> {
    match cmd {
        CalendarCmd::Show { conn, year } => {
            let d = conn.client().await?.calendar().get_calendar(pb::GetCalendarRequest { year }).await?.into_inner();
            output::emit(conn.json, &d, print_document)
        }
        CalendarCmd::Publish { conn, file } => {
            let tsv = std::fs::read_to_string(&file).with_context(|| format!("无法读取 {}", file.display()))?;
            let req = pb::PublishCalendarRequest { tsv, ..Default::default() };
            let d = conn.write(req, async |c, r| c.calendar().publish_calendar(r).await).await?;
            output::emit(conn.json, &d, |d| {
                let years: Vec<String> = d.years.iter().map(|y| y.to_string()).collect();
                println!(
                    "已发布工作日历第 {} 版（覆盖 {} 年），正随联邦下发至全部下级节点",
                    d.version,
                    years.join("、")
                );
            })
        }
        CalendarCmd::PublishLocal { conn, file } => {
            let tsv = std::fs::read_to_string(&file).with_context(|| format!("无法读取 {}", file.display()))?;
            let req = pb::PublishLocalCalendarRequest { tsv, ..Default::default() };
            let d = conn.write(req, async |c, r| c.calendar().publish_local_calendar(r).await).await?;
            output::emit(conn.json, &d, |d| {
                let v = d.calendar.as_ref().map_or(0, |c| c.version);
                println!(
                    "已发布 {} 的本地工作日历第 {v} 版，正随联邦下发至本辖区各节点（不适用于其他地市和自治区）",
                    d.subtree
                );
            })
        }
        CalendarCmd::Due { conn, from, days } => {
            let req = pb::DueDateRequest { from, working_days: days };
            let r = conn.client().await?.calendar().due_date(req).await?.into_inner();
            output::emit(conn.json, &r, |r| {
                let marks = crate::present::access::marks(!r.covered, r.local_affected);
                let v = crate::present::access::versions(r.calendar_version, &r.local_by, r.local_version);
                println!("{}{marks}（{v}）", r.due);
                if !r.covered {
                    println!("注意：日期超出日历所列年份，只按周末计算，为暂定；该年日历发布后会改变");
                }
            })
        }
    }
}

fn print_document(d: &pb::CalendarDocument) {
    let years: Vec<String> = d.years.iter().map(|y| y.to_string()).collect();
    let when = if d.published_at_ms > 0 { output::time(d.published_at_ms) } else { "随软件发布".into() };
    println!("工作日历第 {} 版    发布：{}，{}    覆盖年份：{}", d.version, d.published_by, when, years.join("、"));
    if !d.local_by.is_empty() {
        println!("含 {} 本地日历第 {} 版（范围为“本地”的日子只适用于该地市辖区）", d.local_by, d.local_version);
    }
    for s in &d.sources {
        for l in s.lines.iter().take(5) {
            println!("  [{}] {l}", s.year);
        }
    }
    output::table_of(&["日期", "类别", "节日", "范围"], &d.days, |r| {
        let kind = if r.kind == pb::DayKind::Work as i32 { "调休上班" } else { "放假" };
        let scope = match r.scope.as_str() {
            "regional" => "自治区",
            "local" => "本地",
            _ => "全国",
        };
        vec![r.date.clone(), kind.into(), r.name.clone(), scope.into()]
    });
    println!("未列出的周一至周五为工作日；未列为调休上班的周六、周日为休息日。");
}
