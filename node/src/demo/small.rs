//! `extranet demo --small`: a federation on loopback with a freshly minted
//! PKI — the region 540000, Lhasa 540100 and two of its counties — and a
//! cutover filed at a county, shown arriving at the region with its
//! receipts.

use std::time::Instant;

use extranet_certs::NodeId;
use extranet_proto::v1 as pb;

use super::Workdir;
use super::cutover::{cutover_start, node_calendar, wait_for};
use crate::calendar::today;
use crate::config::SyncTuning;
use crate::local::LocalFederation;
use crate::present::filing::print_filing;
use crate::signal::shutdown_signal;

/// The demo's nodes, parents first.
const SMALL: &[&str] = &["540000", "540000/540100", "540000/540100/540102", "540000/540100/540103"];

/// Runs the four-node walkthrough in `dir`; with `once`, stops after it instead of
/// waiting for Ctrl-C.
pub async fn run(dir: Workdir, once: bool) -> anyhow::Result<()> {
    let ids: Vec<NodeId> = SMALL.iter().map(|s| NodeId::parse(s)).collect::<Result<_, _>>()?;
    println!("== 西藏自治区电子政务外网 联邦演示 ==");
    dir.announce_log();
    println!("[1/4] 在 {} 生成 PKI（根 CA、拉萨市中间 CA、节点与操作员证书）…", dir.path().display());
    let sync = SyncTuning {
        heartbeat_secs: 2,
        dead_after_secs: 6,
        backoff_min_ms: 100,
        backoff_max_secs: 2,
        ..Default::default()
    };
    let mut fed = LocalFederation::create(dir.path(), &ids, sync)?;
    let shown: Vec<super::console::Showcase> = ids[..3]
        .iter()
        .map(|id| super::console::Showcase { node: id.clone(), unit: None, label: format!("{} 操作员", id.code()) })
        .collect();
    super::console::enable(&mut fed, &shown)?;
    println!("[2/4] 启动 {} 个节点（双向 TLS，回环地址）…", ids.len());
    fed.start_all().await?;
    for n in fed.nodes() {
        println!("      {:<24} {}", n.id.to_string(), n.config.listen);
    }
    let result = walkthrough(&fed, &ids).await;
    if result.is_ok() {
        print_next_steps(&fed)?;
        super::console::print_links(&fed, &shown).await?;
    }
    if result.is_ok() && !once {
        println!("\n联邦运行中，按 Ctrl-C 停止。");
        shutdown_signal().await;
    }
    println!("正在停止各节点…");
    fed.shutdown().await;
    result
}

/// The units the walkthrough's cutover affects, registered at the county first.
const AFFECTED: [(&str, &str); 2] = [("cg-office", "城关区人民政府办公室"), ("cg-edu", "城关区教育局")];

fn affected_unit(county: &NodeId, id: &str, name: &str) -> pb::Unit {
    pb::Unit {
        id: id.into(),
        name: name.into(),
        category: pb::UnitCategory::PartyGovernment as i32,
        division: county.to_string(),
        responsible_leader: Some(pb::Contact { name: "次仁".into(), phone: "0891-6812345".into() }),
        responsible_department: "办公室".into(),
        responsible_person: Some(pb::Contact { name: "卓玛".into(), phone: "13908901234".into() }),
        ..Default::default()
    }
}

async fn walkthrough(fed: &LocalFederation, ids: &[NodeId]) -> anyhow::Result<()> {
    let (region, county) = (&ids[0], &ids[2]);
    let start = cutover_start(&*node_calendar(fed, county)?, today())?;
    let mut units = fed.client(county).await?.units();
    for (id, name) in AFFECTED {
        let unit = Some(affected_unit(county, id, name));
        units.register_unit(pb::RegisterUnitRequest { unit, ..Default::default() }).await?;
    }
    let cutover = pb::CutoverDetails {
        affected_units: AFFECTED.iter().map(|(id, _)| id.to_string()).collect(),
        window_start: start.to_rfc3339(),
        window_end: (start + chrono::Duration::hours(3)).to_rfc3339(),
        notified_on: String::new(),
        description: "汇聚交换机升级，期间城关区政务外网中断约 30 分钟".into(),
        major_adjustment: false,
        major_approval_id: String::new(),
        contact: "城关区经信局 扎西 0891-6812300".into(),
        affected_unit_names: Vec::new(),
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

fn print_next_steps(fed: &LocalFederation) -> anyhow::Result<()> {
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
