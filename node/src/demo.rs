//! `extranet demo --small`: a federation on loopback with a freshly minted
//! PKI — the region 540000, Lhasa 540100 and two of its counties — and a
//! cutover filed at a county, shown arriving at the region with its
//! receipts. Without `--small`, the whole region runs instead
//! ([`crate::demo_region`]).

use std::time::{Duration, Instant};

use anyhow::Context;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime};
use extranet_certs::NodeId;
use extranet_proto::v1 as pb;

use crate::calendar::{WorkCalendar, beijing, today};
use crate::cli::{filing::print_filing, shutdown_signal};
use crate::config::SyncTuning;
use crate::domain::filing::CUTOVER_NOTICE_WORKING_DAYS;
use crate::local::LocalFederation;

/// The demo's nodes, parents first.
const SMALL: &[&str] = &["540000", "540000/540100", "540000/540100/540102", "540000/540100/540103"];

/// Runs the walkthrough (the whole region, or the four nodes with `small`);
/// with `once`, stops after it instead of waiting for Ctrl-C.
pub async fn run(small: bool, once: bool) -> anyhow::Result<()> {
    if !small {
        return crate::demo_region::run(once).await;
    }
    let dir = tempfile::Builder::new().prefix("extranet-demo-").tempdir()?;
    let ids: Vec<NodeId> = SMALL.iter().map(|s| NodeId::parse(s)).collect::<Result<_, _>>()?;
    println!("== 西藏自治区电子政务外网 联邦演示 ==");
    println!("[1/4] 在 {} 生成 PKI（根 CA、拉萨市中间 CA、节点与操作员证书）…", dir.path().display());
    let sync = SyncTuning {
        heartbeat_secs: 2,
        dead_after_secs: 6,
        backoff_min_ms: 100,
        backoff_max_secs: 2,
        ..Default::default()
    };
    let mut fed = LocalFederation::create(dir.path(), &ids, sync)?;
    println!("[2/4] 启动 {} 个节点（双向 TLS，回环地址）…", ids.len());
    fed.start_all().await?;
    for n in fed.nodes() {
        println!("      {:<24} {}", n.id.to_string(), n.config.listen);
    }
    let result = walkthrough(&fed, &ids).await;
    if result.is_ok() {
        print_next_steps(&fed)?;
    }
    if result.is_ok() && !once {
        println!("\n联邦运行中，按 Ctrl-C 停止。");
        shutdown_signal().await;
    }
    println!("正在停止各节点…");
    fed.shutdown().await;
    result
}

async fn walkthrough(fed: &LocalFederation, ids: &[NodeId]) -> anyhow::Result<()> {
    let (region, county) = (&ids[0], &ids[2]);
    let start = cutover_start(&*node_calendar(fed, county)?, today())?;
    let cutover = pb::CutoverDetails {
        affected_units: vec!["城关区人民政府办公室".into(), "城关区教育局".into()],
        window_start: start.to_rfc3339(),
        window_end: (start + chrono::Duration::hours(3)).to_rfc3339(),
        notified_on: today().to_string(),
        description: "汇聚交换机升级，期间城关区政务外网中断约 30 分钟".into(),
        major_adjustment: false,
    };
    println!("[3/4] 城关区（{county}）操作员提交割接备案（提前 2 个工作日通知）…");
    let filing = fed
        .client(county)
        .await?
        .filings()
        .file_cutover(pb::FileCutoverRequest { cutover: Some(cutover), ..Default::default() })
        .await?
        .into_inner();
    println!("      已落盘确认：{}", filing.id);
    println!("[4/4] 等待备案逐级报送至自治区、回执返回城关区…");
    let started = Instant::now();
    let at_region = wait_for(fed, region, &filing.id, 1).await?;
    println!("      自治区已接收（{} 毫秒）", started.elapsed().as_millis());
    let at_county = wait_for(fed, county, &filing.id, 2).await?;
    println!("      两级回执已返回城关区（{} 毫秒）\n", started.elapsed().as_millis());
    println!("— 自治区节点所见 —");
    print_filing(&at_region);
    println!("\n— 城关区节点所见 —");
    print_filing(&at_county);
    Ok(())
}

/// The working-day calendar in force at `node`: the one its cutover check
/// uses, so a demo cutover is never refused on the day before a holiday.
pub(crate) fn node_calendar(fed: &LocalFederation, node: &NodeId) -> anyhow::Result<Arc<WorkCalendar>> {
    let running = fed.node(node)?.running.as_ref().with_context(|| format!("{node} 未运行"))?;
    Ok(running.store.calendar()?)
}

/// The start of a demo cutover notified on `today`: 22:00 Beijing time on
/// the day Art.21's two working days of notice allow, by calendar `cal`.
pub(crate) fn cutover_start(cal: &WorkCalendar, today: NaiveDate) -> anyhow::Result<DateTime<FixedOffset>> {
    cal.add_working_days(today, CUTOVER_NOTICE_WORKING_DAYS)
        .and_time(NaiveTime::from_hms_opt(22, 0, 0).context("time")?)
        .and_local_timezone(beijing())
        .single()
        .context("time")
}

/// Polls `node` until it holds filing `id` with at least `receipts` receipts.
pub(crate) async fn wait_for(
    fed: &LocalFederation,
    node: &NodeId,
    id: &str,
    receipts: usize,
) -> anyhow::Result<pb::Filing> {
    let mut client = fed.client(node).await?.filings();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(f) = client.get_filing(pb::GetFilingRequest { id: id.into() }).await {
            let f = f.into_inner();
            if f.receipts.len() >= receipts {
                return Ok(f);
            }
        }
        anyhow::ensure!(Instant::now() < deadline, "30 秒内未在 {node} 看到备案 {id}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub(crate) fn print_next_steps(fed: &LocalFederation) -> anyhow::Result<()> {
    let exe = std::env::current_exe()?;
    println!("\n可以对任一节点试试（每个节点都有自己的操作员证书目录）：");
    for n in fed.nodes() {
        println!("  # {}", n.id);
        println!("  export EXTRANET_ENDPOINT={} EXTRANET_CERT_DIR={}", n.config.listen, n.operator().path().display());
        println!("  {} status", exe.display());
    }
    println!("  {} filing list            # 本节点及下级的备案", exe.display());
    println!("  {} filing show <编号>     # 备案及各级回执", exe.display());
    println!("  {} filing cutover --help  # 提交割接备案", exe.display());
    println!("  {} calendar show --year 2026   # 工作日历（节假日、调休、藏历新年）", exe.display());
    println!("  {} unit register --help       # 登记接入单位", exe.display());
    println!("  {} access submit --help       # 提交接入申请（第十五条自动确定审批机关）", exe.display());
    println!("  {} access overdue --subtree   # 本节点及下级的逾期申请", exe.display());
    println!("  {} certs show {}/tls/node.pem", exe.display(), fed.root.join("540000").display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::CalendarDocument;
    use crate::domain::filing::check_cutover;

    /// On Tue 2026-09-29 two weekdays later is Thu 10-01, a National Day
    /// holiday: a weekends-only cutover starts 10-01 and the node refuses it.
    /// With the node's calendar it starts Thu 10-08 (09-30, 10-08) and passes.
    #[test]
    fn the_demo_cutover_passes_the_nodes_check_on_the_day_before_a_holiday() {
        let node_cal = CalendarDocument::builtin().work_calendar();
        for day in ["2026-09-29", "2026-09-30", "2026-02-13", "2026-12-31", "2026-12-01"] {
            let today: NaiveDate = day.parse().unwrap();
            let start = cutover_start(&node_cal, today).unwrap();
            let c = crate::domain::Cutover {
                affected_units: vec!["城关区教育局".into()],
                window_start: start,
                window_end: start + chrono::Duration::hours(3),
                notified_on: today,
                description: "演示".into(),
                major_adjustment: false,
            };
            assert!(check_cutover(&c, &node_cal, today).is_ok(), "{day}: {start}");
        }
        let weekends = cutover_start(&WorkCalendar::weekends_only(), "2026-09-29".parse().unwrap()).unwrap();
        assert_eq!(crate::calendar::date_of(&weekends).to_string(), "2026-10-01", "what the demo used to do");
    }
}
