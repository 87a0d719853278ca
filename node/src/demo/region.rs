//! `extranet demo`: the whole Tibet Autonomous Region on one machine — the
//! region, 7 prefectures and 74 counties, 82 nodes in one process, each
//! with its own certificates, data and mTLS port on 127.0.0.1 — a scripted
//! day of work, and the region's oversight view. Kept light for a 2-core
//! machine: heartbeats and summaries every few seconds.

use std::time::{Duration, Instant};

use anyhow::Context;
use extranet_certs::NodeId;
use extranet_proto::v1 as pb;

use super::Workdir;
use super::cutover::{cutover_start, node_calendar, wait_for};
use crate::calendar::{WorkCalendar, today};
use crate::config::{OversightConfig, SyncTuning};
use crate::local::LocalFederation;
use crate::present::oversight::print_view;
use crate::signal::shutdown_signal;
use crate::topology::Topology;

/// The remote county whose operator files a cutover: Gêrzê (改则县), Ngari.
const REMOTE_COUNTY: &str = "542526";
/// The county whose link goes quiet in the scenario: Mêdog (墨脱县), Nyingchi.
const QUIET_COUNTY: &str = "540423";

/// Runs the regional demo in `dir`; with `once`, stops after the walkthrough.
pub async fn run(dir: Workdir, once: bool) -> anyhow::Result<()> {
    let topo = Topology::xizang();
    let ids = topo.ids();
    println!("== 西藏自治区电子政务外网 全区联邦演示（{} 个节点）==", ids.len());
    dir.announce_log();
    println!("[1/6] 在 {} 生成 PKI（根 CA、7 个地市中间 CA、各节点与操作员证书）…", dir.path().display());
    let started = Instant::now();
    let sync = SyncTuning {
        heartbeat_secs: 3,
        dead_after_secs: 10,
        backoff_min_ms: 200,
        backoff_max_secs: 3,
        ..Default::default()
    };
    let mut fed = LocalFederation::create(dir.path(), &ids, sync)?;
    fed.configure(|c| {
        c.oversight = OversightConfig { summary_interval_secs: 2, stale_after_secs: 6, ..Default::default() }
    })?;
    let shown = showcase(&topo)?;
    super::console::enable(&mut fed, &shown)?;
    println!("      完成（{} 毫秒）", started.elapsed().as_millis());
    println!("[2/6] 启动 {} 个节点（双向 TLS，回环地址）…", ids.len());
    let started = Instant::now();
    fed.start_all().await?;
    let result = walkthrough(&mut fed, &topo, started).await;
    if result.is_ok() {
        print_commands(&fed, &topo)?;
        super::console::print_links(&fed, &shown).await?;
    }
    if result.is_ok() && !once {
        println!("\n全区联邦运行中，按 Ctrl-C 停止。");
        shutdown_signal().await;
    }
    println!("正在停止 {} 个节点…", ids.len());
    fed.shutdown().await;
    result
}

async fn walkthrough(fed: &mut LocalFederation, topo: &Topology, started: Instant) -> anyhow::Result<()> {
    let region = topo.root().id.clone();
    let county = topo.by_code(REMOTE_COUNTY).context("topology lacks Gêrzê")?;
    println!("[3/6] 等待自治区监督视图显示全部 {} 个下级节点正常…", topo.divisions().len() - 1);
    let all_ok = |v: &pb::OversightView| v.rows.iter().all(|r| r.health() == pb::Health::Ok);
    wait_view(fed, &region, Duration::from_secs(120), &all_ok).await?;
    println!("      全部正常（启动后 {} 毫秒）", started.elapsed().as_millis());
    println!("[4/6] 阿里地区的一天：地址段逐级下发到{}，单位申请接入、获批并分配地址，再提交割接备案…", county.name_zh);
    let (app, prefix) = super::day::run(fed, &region, &county.id).await?;
    println!("      接入申请 {app} 已完成，分配地址 {prefix}");
    let filing = fed
        .client(&county.id)
        .await?
        .filings()
        .file_cutover(pb::FileCutoverRequest {
            cutover: Some(cutover(&*node_calendar(fed, &county.id)?)?),
            ..Default::default()
        })
        .await?
        .into_inner();
    let filed = Instant::now();
    wait_for(fed, &region, &filing.id, 1).await?;
    println!("      {} 已到达自治区（{} 毫秒）", filing.id, filed.elapsed().as_millis());
    let code = county.id.to_string();
    wait_view(fed, &region, Duration::from_secs(30), |v| {
        v.rows.iter().any(|r| r.node == code && r.subtree.unwrap_or_default().filings >= 1)
    })
    .await?;
    println!("      监督视图已计入（{} 毫秒）", filed.elapsed().as_millis());
    let path = county.id.to_string();
    wait_view(fed, &region, Duration::from_secs(30), |v| {
        v.rows.iter().any(|r| r.node == path && r.summary.as_ref().is_some_and(|s| s.addresses.is_some()))
    })
    .await?;
    let quiet = topo.by_code(QUIET_COUNTY).context("topology lacks Mêdog")?;
    println!("[5/6] {}（{}）的节点停止运行（模拟链路中断），等待自治区判定其失联…", quiet.name_zh, quiet.id);
    fed.stop(&quiet.id).await?;
    let code = quiet.id.to_string();
    let stale = wait_view(fed, &region, Duration::from_secs(60), |v| {
        v.rows.iter().any(|r| r.node == code && r.health() == pb::Health::Stale)
    })
    .await?;
    let mut unhealthy = stale.clone();
    unhealthy.rows.retain(|r| r.health() != pb::Health::Ok);
    print_view(&unhealthy);
    fed.start(&quiet.id).await?;
    let back = Instant::now();
    let view = wait_view(fed, &region, Duration::from_secs(60), &all_ok).await?;
    println!("      已恢复运行，{} 毫秒后重新显示为正常", back.elapsed().as_millis());
    println!("[6/6] 自治区监督视图：\n");
    print_view(&view);
    Ok(())
}

/// The consoles the demo shows: the region's, Ngari's and Gêrzê's
/// operators, and the Gêrzê township office that applies in the day's work.
fn showcase(topo: &Topology) -> anyhow::Result<Vec<super::console::Showcase>> {
    let at = |code: &str| topo.by_code(code).map(|d| (d.id.clone(), d.name_zh.clone())).context("division");
    let mut shown = Vec::new();
    for code in ["540000", "542500", REMOTE_COUNTY] {
        let (node, name) = at(code)?;
        shown.push(super::console::Showcase { node, unit: None, label: format!("{name} 操作员") });
    }
    let (node, name) = at(REMOTE_COUNTY)?;
    shown.push(super::console::Showcase {
        node,
        unit: Some(super::day::UNIT.into()),
        label: format!("{name} 接入单位"),
    });
    Ok(shown)
}

/// Gêrzê's cutover, notifying the unit the day showed applying (the notice
/// is issued today by filing), starting as early as the county's own
/// calendar allows (not a weekends-only one: the county checks holidays).
fn cutover(cal: &WorkCalendar) -> anyhow::Result<pb::CutoverDetails> {
    let start = cutover_start(cal, today())?;
    Ok(pb::CutoverDetails {
        affected_units: vec![super::day::UNIT.into()],
        window_start: start.to_rfc3339(),
        window_end: (start + chrono::Duration::hours(2)).to_rfc3339(),
        notified_on: String::new(),
        description: "县级汇聚链路割接至新建卫星备份线路".into(),
        major_adjustment: false,
        major_approval_id: String::new(),
        contact: "改则县经信局 次仁 0897-3212300".into(),
        affected_unit_names: Vec::new(),
    })
}

/// Polls `node`'s oversight over gRPC until `cond` holds or `patience` ends.
async fn wait_view(
    fed: &LocalFederation,
    node: &NodeId,
    patience: Duration,
    cond: impl Fn(&pb::OversightView) -> bool,
) -> anyhow::Result<pb::OversightView> {
    let mut client = fed.client(node).await?.oversight();
    let deadline = Instant::now() + patience;
    loop {
        let v = client.get_oversight(pb::GetOversightRequest {}).await?.into_inner();
        if cond(&v) {
            return Ok(v);
        }
        anyhow::ensure!(Instant::now() < deadline, "{patience:?} 内监督视图未达到预期");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

fn print_commands(fed: &LocalFederation, topo: &Topology) -> anyhow::Result<()> {
    let exe = std::env::current_exe()?;
    println!(
        "\n可以对任一节点试试（每个节点有自己的操作员证书目录，位于 {}/<区划代码>/operator）：",
        fed.root.display()
    );
    for code in ["540000", "542500", REMOTE_COUNTY] {
        let d = topo.by_code(code).context("division")?;
        let n = fed.node(&d.id)?;
        println!("  # {} {}", d.name_zh, d.id);
        println!("  export EXTRANET_ENDPOINT={} EXTRANET_CERT_DIR={}", n.config.listen, n.operator().path().display());
        println!("  {} oversight                 # 下辖节点的状态", exe.display());
    }
    println!("  {} oversight --only unhealthy # 只看失联或从未连接的节点", exe.display());
    println!("  {} oversight --sort age --json", exe.display());
    println!("  {} status                    # 本节点链路与证书", exe.display());
    println!("  {} filing list               # 本节点及下级的备案", exe.display());
    Ok(())
}
