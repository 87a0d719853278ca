//! The `extranet` command line: run a node, manage certificates, file and
//! list filings, show status, run the demo. Errors print as one Chinese line.
//! This module only declares the commands and dispatches them; how a command
//! reaches its node is `conn.rs`, how it prints is `output.rs` (with
//! [`crate::present`]), and no subcommand depends on this module.

mod access;
mod access_print;
mod approval;
mod asset;
mod calendar;
mod certs;
mod choice;
mod circular;
mod conn;
mod console;
mod evaluation;
mod fault;
mod fault_registry;
mod filing;
mod incident;
mod inspection;
mod interruption;
mod ipam;
mod ipam_print;
mod order;
mod output;
mod oversight;
pub mod pages;
mod private_network;
mod report;
mod serve;
mod status;
mod store;
mod system_address;
mod topology;
mod unit;
mod unit_records;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use conn::Conn;

/// 西藏自治区电子政务外网节点 — one node of the Tibet e-government extranet federation.
#[derive(Parser)]
#[command(name = "extranet", version, about, long_about = None)]
pub struct Cli {
    /// Log as JSON lines instead of human-readable text.
    #[arg(long, global = true, env = "EXTRANET_LOG_JSON")]
    pub log_json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run one node (运行节点).
    Serve {
        /// The node's config file.
        #[arg(long, short)]
        config: PathBuf,
    },
    /// Certificates: root CA, requests, signing, inspection, revocation (证书).
    #[command(subcommand)]
    Certs(certs::CertsCmd),
    /// Fault tickets and Art.13's response and repair clocks (故障).
    #[command(subcommand)]
    Fault(fault::FaultCmd),
    /// The annual evaluation of link providers and O&M units (运行质量综合评估, Art.27).
    #[command(subcommand)]
    Evaluation(evaluation::EvaluationCmd),
    /// Who answers a fault: link providers, O&M units and their duty rosters, access points (Art.12, Art.13).
    #[command(subcommand)]
    Provider(fault_registry::RegistryCmd),
    /// Maintenance interruptions: request, approve, start, finish (维护作业中断, Art.24).
    #[command(subcommand)]
    Interruption(interruption::InterruptionCmd),
    /// Approvals of a major construction or adjustment, level by level to the region (重大建设或调整审批, Art.21).
    #[command(subcommand)]
    Approval(approval::ApprovalCmd),
    /// Disconnection and rectification orders: issue, rectified, lift, extend, notice (中断连接、限期整改, Art.25(4)).
    #[command(subcommand)]
    Order(order::OrderCmd),
    /// Security incidents: report, notify the five departments, report up, close (网络安全事件, Art.26(1)).
    #[command(subcommand)]
    Incident(incident::IncidentCmd),
    /// Non-classified private networks and their migration into the extranet: register, update, list, show (非涉密业务专网, Art.5, Art.9, Art.10).
    #[command(subcommand)]
    PrivateNetwork(private_network::PrivateNetworkCmd),
    /// Circulars to a node's subtree: issue, list, show (通报, Art.28, Art.29).
    #[command(subcommand)]
    Circular(circular::CircularCmd),
    /// Supervision inspections and their rectifications: record, list, show, respond, accept, return (监督检查, Art.28).
    #[command(subcommand)]
    Inspection(inspection::InspectionCmd),
    /// Cutover, system-launch and system-change filings (备案).
    #[command(subcommand)]
    Filing(filing::FilingCmd),
    /// Address management: pools, delegations, assignments, verification (地址管理).
    #[command(subcommand)]
    Ipam(ipam::IpamCmd),
    /// Units' applications for an information system's addresses: apply, decide, list (信息系统地址申请, Art.23).
    #[command(subcommand)]
    SystemAddress(system_address::SystemAddressCmd),
    /// Access units: register, list, show, suspend, resume (接入单位).
    #[command(subcommand)]
    Unit(unit::UnitCmd),
    /// Access applications: submit, decide, overdue, notices, ledger (接入申请).
    #[command(subcommand)]
    Access(access::AccessCmd),
    /// Unified devices at access points: register, change under an approved application, violation, reclaim, list (设备, Art.18).
    #[command(subcommand)]
    Device(asset::DeviceCmd),
    /// Access rooms: record a check, list (接入点机房, Art.14).
    #[command(subcommand)]
    Room(asset::RoomCmd),
    /// The working-day calendar: show, publish at the region, due dates (工作日历).
    #[command(subcommand)]
    Calendar(calendar::CalendarCmd),
    /// Identity, links, backlogs and certificate expiry of a node (状态).
    Status {
        #[command(flatten)]
        conn: Conn,
    },
    /// The web console: a one-time sign-in link (控制台).
    #[command(subcommand)]
    Console(console::ConsoleCmd),
    /// The tree below a node: health, backlog, overdue, last heard (监督视图).
    Oversight(oversight::OversightArgs),
    /// Reports filed upward: the annual work report (报告, Art.10).
    #[command(subcommand)]
    Report(report::ReportCmd),
    /// Divisions of a topology; render deployment files for every node (区划拓扑).
    #[command(subcommand)]
    Topology(topology::TopologyCmd),
    /// A stopped node's data directory: migrate it to the other store engine (存储).
    #[command(subcommand)]
    Store(store::StoreCmd),
    /// Start a local federation on loopback and walk through a filing (演示).
    Demo {
        /// Keep the four-node federation (region, Lhasa, two counties).
        #[arg(long)]
        small: bool,
        /// Exit after the walkthrough instead of running until Ctrl-C.
        #[arg(long)]
        once: bool,
        /// Show the nodes' logs on the terminal instead of in the demo's log file.
        #[arg(long)]
        verbose: bool,
    },
}

/// Parses the command line and runs it; the binary's whole `main`.
pub fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo { small, once, verbose } => demo(cli.log_json, small, once, verbose),
        command => {
            init_tracing(cli.log_json, matches!(command, Command::Serve { .. }), None);
            runtime().and_then(|rt| rt.block_on(run(command)))
        }
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误：{}", output::one_line(&e));
            std::process::ExitCode::FAILURE
        }
    }
}

/// The demo makes its directory first, so that (unless `verbose`) the
/// nodes log to its file and the terminal shows only the walkthrough.
fn demo(json: bool, small: bool, once: bool, verbose: bool) -> anyhow::Result<()> {
    let (dir, log) = crate::demo::Workdir::create(verbose)?;
    init_tracing(json, true, log);
    runtime()?.block_on(crate::demo::run(dir, small, once))
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    use anyhow::Context;
    tokio::runtime::Builder::new_multi_thread().enable_all().build().context("无法启动运行时")
}

async fn run(cmd: Command) -> anyhow::Result<()> {
    match cmd {
        Command::Serve { config } => serve::run(config).await,
        Command::Certs(c) => certs::run(c).await,
        Command::Filing(c) => filing::run(c).await,
        Command::Ipam(c) => ipam::run(c).await,
        Command::SystemAddress(c) => system_address::run(c).await,
        Command::Device(c) => asset::run_device(c).await,
        Command::Room(c) => asset::run_room(c).await,
        Command::Calendar(c) => calendar::run(c).await,
        Command::Unit(c) => unit::run(c).await,
        Command::Access(c) => access::run(c).await,
        Command::Status { conn } => status::run(&conn).await,
        Command::Fault(cmd) => fault::run(cmd).await,
        Command::Interruption(cmd) => interruption::run(cmd).await,
        Command::Order(cmd) => order::run(cmd).await,
        Command::Approval(cmd) => approval::run(cmd).await,
        Command::Incident(cmd) => incident::run(cmd).await,
        Command::Circular(cmd) => circular::run(cmd).await,
        Command::PrivateNetwork(cmd) => private_network::run(cmd).await,
        Command::Inspection(cmd) => inspection::run(cmd).await,
        Command::Evaluation(cmd) => evaluation::run(cmd).await,
        Command::Provider(cmd) => fault_registry::run(cmd).await,
        Command::Console(cmd) => console::run(&cmd).await,
        Command::Oversight(args) => oversight::run(&args).await,
        Command::Topology(c) => topology::run(c),
        Command::Store(c) => store::run(c).await,
        Command::Report(c) => report::run(c).await,
        Command::Demo { .. } => unreachable!("the demo is run by `demo`, with its log"),
    }
}

/// Logs to stderr, or to `file` (the demo's log, without colours); the
/// level from `RUST_LOG`, else info for long-running commands.
fn init_tracing(json: bool, long_running: bool, file: Option<std::fs::File>) {
    use tracing_subscriber::EnvFilter;
    use tracing_subscriber::fmt::writer::BoxMakeWriter;
    let default = if long_running { "info" } else { "warn" };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let builder = match file {
        Some(f) => builder.with_writer(BoxMakeWriter::new(std::sync::Mutex::new(f))).with_ansi(false),
        None => builder.with_writer(BoxMakeWriter::new(std::io::stderr)),
    };
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use super::Cli;

    fn parse(args: &str) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("extranet").chain(args.split_whitespace()))
    }

    const CONN: &str = "--endpoint 127.0.0.1:1 --cert-dir /nonexistent";

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    /// Every closed set parses its values, and its default when left out.
    #[test]
    fn enum_flags_take_the_values_they_always_took_and_their_defaults() {
        let ok = [
            format!(
                "access submit {CONN} --kind resource-change --basis b --location l --span region --subject equipment"
            ),
            format!("access submit {CONN} --kind new --basis b --location l"),
            format!("access route {CONN}"),
            format!("access list {CONN} --state under-review"),
            format!(
                "unit register {CONN} --id u1 --name n --category office-outside-region --division 540000 --leader l --leader-phone 1 --department d --person p --person-phone 2"
            ),
            format!("ipam assign {CONN} --assignee a --purpose information-system --serves s"),
            format!("oversight {CONN} --only unhealthy --sort backlog"),
            format!("oversight {CONN}"),
            "certs request --node 540000 --out /tmp/x".to_string(),
            "certs sign --ca c --csr r --kind ca --out o".to_string(),
        ];
        for args in &ok {
            if let Err(e) = parse(args) {
                panic!("{args}: {e}");
            }
        }
    }

    #[test]
    fn a_wrong_enum_value_is_refused_naming_the_flag_and_the_accepted_values() {
        let e = parse(&format!("access route {CONN} --span prefecture-and-below")).err().expect("refused");
        let msg = e.to_string();
        assert!(msg.contains("--span 的值 “prefecture-and-below” 无效"), "{msg}");
        assert!(msg.contains("local（仅本级）") && msg.contains("region（"), "{msg}");
        let e = parse("certs sign --ca c --csr r --kind root --out o").err().expect("refused");
        assert!(e.to_string().contains("ca（中间 CA"), "{e}");
    }
}
