//! `extranet unit …`: the registry of access units (接入单位) at a node,
//! kept current (Art.11): `update` changes the responsible leader,
//! department and person, and `show` lists every change with its previous value.

use clap::{Args, Subcommand};
use extranet_proto::v1 as pb;

use super::choice::choice;
use super::conn::Conn;
use super::output;
use crate::codec::WireEnum;
use crate::domain::{UnitCategory, UnitStatus};

/// Unit commands.
#[derive(Subcommand)]
pub enum UnitCmd {
    /// Register a unit at this node; Art.11's responsible leader, department and person are required (登记).
    Register(RegisterArgs),
    /// List the units registered at this node.
    List {
        #[command(flatten)]
        conn: Conn,
        /// Most units to show (fetched page by page).
        #[arg(long, default_value_t = 10_000)]
        limit: u32,
    },
    /// Show one unit.
    Show {
        #[command(flatten)]
        conn: Conn,
        /// Unit id.
        id: String,
    },
    /// Suspend a connected unit (暂停).
    Suspend {
        #[command(flatten)]
        conn: Conn,
        /// Unit id.
        id: String,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Keep the unit's Art.11 people current; each change is kept with the previous value (信息变更).
    Update(UpdateArgs),
    /// Lift a suspension (恢复).
    Resume {
        #[command(flatten)]
        conn: Conn,
        /// Unit id.
        id: String,
        /// Why.
        #[arg(long, default_value = "")]
        reason: String,
    },
}

/// The form of `extranet unit update`: only what is given changes.
#[derive(Args)]
pub struct UpdateArgs {
    #[command(flatten)]
    conn: Conn,
    /// Unit id.
    id: String,
    /// New 分管领导 name (with --leader-phone).
    #[arg(long, requires = "leader_phone")]
    leader: Option<String>,
    /// New 分管领导 telephone.
    #[arg(long, requires = "leader")]
    leader_phone: Option<String>,
    /// New 责任部门.
    #[arg(long, default_value = "")]
    department: String,
    /// New 责任人 name (with --contact-phone).
    #[arg(long, requires = "contact_phone")]
    contact: Option<String>,
    /// New 责任人 telephone.
    #[arg(long, requires = "contact")]
    contact_phone: Option<String>,
    /// Why (e.g. 人员调整).
    #[arg(long, default_value = "")]
    reason: String,
}

/// The form of `extranet unit register`.
#[derive(Args)]
pub struct RegisterArgs {
    #[command(flatten)]
    conn: Conn,
    /// Unit id: the label of its certificate (lowercase letters, digits, -), e.g. u0001.
    #[arg(long)]
    id: String,
    /// Full name, e.g. 城关区教育局.
    #[arg(long)]
    name: String,
    /// Art.3 category.
    #[arg(long, value_parser = choice::<UnitCategory>())]
    category: UnitCategory,
    /// Division it sits in, as a path, e.g. 540000/540100/540102.
    #[arg(long)]
    division: String,
    /// A township-level or lower unit (乡镇及以下单位).
    #[arg(long)]
    township: bool,
    /// Region-level department of a vertically managed unit (自治区垂直管理单位的主管部门).
    #[arg(long)]
    region_department: Option<String>,
    /// 分管领导 name.
    #[arg(long)]
    leader: String,
    /// 分管领导 telephone.
    #[arg(long)]
    leader_phone: String,
    /// 责任部门.
    #[arg(long)]
    department: String,
    /// 责任人 name.
    #[arg(long)]
    person: String,
    /// 责任人 telephone.
    #[arg(long)]
    person_phone: String,
}

/// Runs a unit command.
pub async fn run(cmd: UnitCmd) -> anyhow::Result<()> {
    match cmd {
        UnitCmd::Register(args) => register(args).await,
        UnitCmd::List { conn, limit } => list(&conn, limit).await,
        UnitCmd::Show { conn, id } => {
            let client = conn.client().await?;
            let u = client.units().get_unit(pb::GetUnitRequest { id }).await?.into_inner();
            output::emit(conn.json, &u, print_unit)?;
            if conn.json { Ok(()) } else { super::unit_records::print_records(&client, &u.id).await }
        }
        UnitCmd::Suspend { conn, id, reason } => set_status(conn, id, pb::UnitStatus::Suspended, reason).await,
        UnitCmd::Resume { conn, id, reason } => set_status(conn, id, pb::UnitStatus::Connected, reason).await,
        UnitCmd::Update(a) => update(a).await,
    }
}

async fn update(a: UpdateArgs) -> anyhow::Result<()> {
    let pair = |n: Option<String>, p: Option<String>| n.zip(p).map(|(name, phone)| pb::Contact { name, phone });
    let req = pb::UpdateUnitRequest {
        id: a.id,
        responsible_leader: pair(a.leader, a.leader_phone),
        responsible_department: a.department,
        responsible_person: pair(a.contact, a.contact_phone),
        reason: a.reason,
        ..Default::default()
    };
    let u = a.conn.write(req, async |c, r| c.units().update_unit(r).await).await?;
    output::emit(a.conn.json, &u, print_unit)
}

async fn register(a: RegisterArgs) -> anyhow::Result<()> {
    let unit = pb::Unit {
        id: a.id,
        name: a.name,
        category: a.category.to_pb() as i32,
        division: a.division,
        township: a.township,
        vertically_managed: a.region_department.is_some(),
        region_department: a.region_department.unwrap_or_default(),
        responsible_leader: Some(pb::Contact { name: a.leader, phone: a.leader_phone }),
        responsible_department: a.department,
        responsible_person: Some(pb::Contact { name: a.person, phone: a.person_phone }),
        ..Default::default()
    };
    let req = pb::RegisterUnitRequest { unit: Some(unit), ..Default::default() };
    let u = a.conn.write(req, async |c, r| c.units().register_unit(r).await).await?;
    output::emit(a.conn.json, &u, |u| {
        println!("已登记接入单位 {}（{}），状态：申请中", u.name, u.id);
        println!("为其签发单位证书：extranet certs request --kind unit --node {} --name {} …", u.node, u.id);
    })
}

async fn list(conn: &Conn, limit: u32) -> anyhow::Result<()> {
    let client = conn.client().await?.units();
    let units = super::pages::collect(limit, client, |mut client, page_token, page_size| async move {
        let r = client.list_units(pb::ListUnitsRequest { page_token, page_size }).await?.into_inner();
        Ok((r.units, r.next_page_token))
    })
    .await?;
    output::list(conn.json, &units, (&["编号", "名称", "类别", "所在区划", "状态", "责任人"], "个"), row)
}

fn row(u: &pb::Unit) -> Vec<String> {
    vec![
        u.id.clone(),
        u.name.clone(),
        category_zh(u.category).into(),
        u.division.clone(),
        status_zh(u.status).into(),
        u.responsible_person.as_ref().map(|p| format!("{} {}", p.name, p.phone)).unwrap_or_default(),
    ]
}

async fn set_status(conn: Conn, id: String, status: pb::UnitStatus, reason: String) -> anyhow::Result<()> {
    let req = pb::SetUnitStatusRequest { id, status: status as i32, reason, ..Default::default() };
    let u = conn.write(req, async |c, r| c.units().set_unit_status(r).await).await?;
    output::emit(conn.json, &u, |u| println!("单位 {}（{}）现为：{}", u.name, u.id, status_zh(u.status)))
}

/// Chinese name of a unit category.
pub fn category_zh(c: i32) -> &'static str {
    UnitCategory::from_pb(c).map_or("—", UnitCategory::zh)
}

/// Chinese name of a unit status.
pub fn status_zh(s: i32) -> &'static str {
    UnitStatus::from_pb(s).map_or("—", UnitStatus::zh)
}

/// Prints one unit for a person.
pub fn print_unit(u: &pb::Unit) {
    let contact =
        |c: &Option<pb::Contact>| c.as_ref().map(|c| format!("{}（{}）", c.name, c.phone)).unwrap_or_default();
    println!("接入单位：{}（{}）    类别：{}    状态：{}", u.name, u.id, category_zh(u.category), status_zh(u.status));
    println!("登记节点：{}    所在区划：{}{}", u.node, u.division, if u.township { "（乡镇及以下）" } else { "" });
    if u.vertically_managed {
        println!("自治区垂直管理单位，主管部门：{}", u.region_department);
    }
    println!(
        "分管领导：{}    责任部门：{}    责任人：{}",
        contact(&u.responsible_leader),
        u.responsible_department,
        contact(&u.responsible_person)
    );
    println!("登记：{} 于 {}", u.registered_by, output::time(u.registered_at_ms));
    if !u.history.is_empty() {
        println!("变更记录：");
        for c in &u.history {
            let what = crate::domain::UnitField::from_pb(c.field).map_or("—", crate::domain::UnitField::zh);
            let why = if c.reason.is_empty() { String::new() } else { format!("（原因：{}）", c.reason) };
            println!("  {}  {}  {what}：{} → {}{why}", output::time(c.at_ms), c.by, c.before, c.after);
        }
    }
}
