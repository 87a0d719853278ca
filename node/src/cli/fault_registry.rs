//! `extranet fault provider|maintainer|access-point|registry`: who answers
//! a fault at this node (Art.12, Art.13) — link providers with their 7×24
//! hotline, O&M units with their duty roster, access points with their
//! fault class.

use clap::Subcommand;
use extranet_domain::FaultClass;
use extranet_proto::v1 as pb;

use super::choice::choice;
use super::conn::Conn;
use super::output;
use crate::codec::WireEnum;
use crate::present::fault::class_zh;

/// Registry commands.
#[derive(Subcommand)]
pub enum RegistryCmd {
    /// Register or replace a link provider (链路提供单位).
    Provider {
        #[command(flatten)]
        conn: Conn,
        /// Short id, e.g. telecom.
        #[arg(long)]
        id: String,
        /// Name.
        #[arg(long)]
        name: String,
        /// The 7×24 hotline.
        #[arg(long)]
        hotline: String,
        /// The service platform.
        #[arg(long)]
        platform: String,
        /// An access point it serves (its id); repeat for each.
        #[arg(long = "serves")]
        serves: Vec<String>,
    },
    /// Register or replace an O&M unit with its duty roster and emergency contact (运维服务单位).
    Maintainer {
        #[command(flatten)]
        conn: Conn,
        /// Short id.
        #[arg(long)]
        id: String,
        /// Name.
        #[arg(long)]
        name: String,
        /// The area it serves.
        #[arg(long)]
        area: String,
        /// Emergency contact name.
        #[arg(long)]
        emergency: String,
        /// Emergency contact phone.
        #[arg(long)]
        phone: String,
        /// A duty slot (值班), `FROM~UNTIL=NAME:PHONE` in Beijing time, e.g.
        /// `2026-12-01 08:00~2026-12-01 20:00=次仁:13908900000`; repeat for each.
        #[arg(long = "duty")]
        duty: Vec<String>,
    },
    /// Register or replace an access point and its fault class (接入点).
    AccessPoint {
        #[command(flatten)]
        conn: Conn,
        /// Short id; a fault reported at it takes its class and unit.
        #[arg(long)]
        id: String,
        /// Where it is.
        #[arg(long)]
        name: String,
        /// The unit it connects.
        #[arg(long, default_value = "")]
        unit: String,
        /// Its class (default: from the unit's township flag).
        #[arg(long, value_parser = choice::<FaultClass>())]
        class: Option<FaultClass>,
        /// The link provider serving it (its id).
        #[arg(long, default_value = "")]
        provider: String,
        /// The O&M unit serving it (its id).
        #[arg(long, default_value = "")]
        maintainer: String,
    },
    /// Show the providers, O&M units (with who is on duty) and access points.
    Registry {
        #[command(flatten)]
        conn: Conn,
    },
}

/// Runs a registry command.
pub async fn run(cmd: RegistryCmd) -> anyhow::Result<()> {
    match cmd {
        RegistryCmd::Provider { conn, id, name, hotline, platform, serves } => {
            let provider = pb::LinkProvider { id, name, hotline, platform, serves };
            let p =
                conn.client().await?.faults().put_provider(pb::PutProviderRequest { provider: Some(provider) }).await?;
            output::emit(conn.json, p.get_ref(), |p| {
                println!("已登记链路提供单位 {}（{}），7×24 热线 {}", p.name, p.id, p.hotline)
            })
        }
        RegistryCmd::Maintainer { conn, id, name, area, emergency, phone, duty } => {
            let contact = pb::Contact { name: emergency, phone };
            let roster = duty.iter().map(|d| duty_slot(d)).collect::<anyhow::Result<_>>()?;
            let m = pb::MaintenanceUnit { id, name, area, emergency: vec![contact], roster, ..Default::default() };
            let r = pb::PutMaintainerRequest { maintainer: Some(m) };
            let m = conn.client().await?.faults().put_maintainer(r).await?;
            output::emit(conn.json, m.get_ref(), |m| {
                println!("已登记运维服务单位 {}（{}），服务区域 {}", m.name, m.id, m.area)
            })
        }
        RegistryCmd::AccessPoint { conn, id, name, unit, class, provider, maintainer } => {
            let a = pb::AccessPoint {
                id,
                name,
                unit_id: unit,
                class: class.map_or(0, |c| c.to_pb() as i32),
                provider,
                maintainer,
            };
            let r = pb::PutAccessPointRequest { access_point: Some(a) };
            let a = conn.client().await?.faults().put_access_point(r).await?;
            output::emit(conn.json, a.get_ref(), |a| {
                println!("已登记接入点 {}（{}），故障类别：{}", a.name, a.id, class_zh(a.class))
            })
        }
        RegistryCmd::Registry { conn } => {
            let r = conn.client().await?.faults().get_registry(pb::GetRegistryRequest {}).await?.into_inner();
            output::emit(conn.json, &r, print_registry)
        }
    }
}

/// `FROM~UNTIL=NAME:PHONE` (Beijing time) as a roster slot.
fn duty_slot(v: &str) -> anyhow::Result<pb::DutySlot> {
    let parsed = v.split_once('=').and_then(|(when, who)| Some((when.split_once('~')?, who.split_once(':')?)));
    let Some(((from, until), (name, phone))) = parsed else {
        anyhow::bail!(
            "--duty “{v}” 应写作 开始~结束=姓名:电话，例如 2026-12-01 08:00~2026-12-01 20:00=次仁:13908900000"
        );
    };
    Ok(pb::DutySlot {
        from_ms: crate::calendar::parse_beijing_ms("duty", from)?,
        until_ms: crate::calendar::parse_beijing_ms("duty", until)?,
        person: Some(pb::Contact { name: name.trim().into(), phone: phone.trim().into() }),
    })
}

fn print_registry(r: &pb::Registry) {
    let rows: Vec<Vec<String>> = r
        .providers
        .iter()
        .map(|p| vec![p.id.clone(), p.name.clone(), p.hotline.clone(), p.serves.join("、")])
        .collect();
    output::table(&["链路提供单位", "名称", "7×24 热线", "服务接入点"], &rows);
    let rows: Vec<Vec<String>> = r
        .maintainers
        .iter()
        .map(|m| {
            let duty = m.on_duty.as_ref().map_or("—".into(), |c| format!("{} {}", c.name, c.phone));
            let emergency =
                m.emergency.iter().map(|c| format!("{} {}", c.name, c.phone)).collect::<Vec<_>>().join("、");
            vec![m.id.clone(), m.name.clone(), m.area.clone(), duty, emergency]
        })
        .collect();
    output::table(&["运维服务单位", "名称", "区域", "当前值班", "应急联系人"], &rows);
    let rows: Vec<Vec<String>> = r
        .access_points
        .iter()
        .map(|a| {
            vec![
                a.id.clone(),
                a.name.clone(),
                class_zh(a.class).into(),
                a.unit_id.clone(),
                a.provider.clone(),
                a.maintainer.clone(),
            ]
        })
        .collect();
    output::table(&["接入点", "位置", "故障类别", "单位", "链路提供单位", "运维服务单位"], &rows);
}
