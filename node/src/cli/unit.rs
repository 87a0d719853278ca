//! `extranet unit …`: the registry of access units (接入单位) at a node.

use clap::{Subcommand, ValueEnum};
use extranet_proto::v1 as pb;

use super::{Conn, output};
use crate::codec;
use crate::domain::{UnitCategory, UnitStatus};

/// Unit categories (Art.3).
#[derive(Clone, Copy, ValueEnum)]
pub enum Category {
    /// 党政机关.
    PartyGovernment,
    /// 事业单位.
    PublicInstitution,
    /// 人民团体.
    PeoplesOrganisation,
    /// 中央驻藏单位.
    CentralInTibet,
    /// 驻区外办事处.
    OfficeOutsideRegion,
    /// 法律法规授权单位.
    AuthorisedByLaw,
    /// 其他单位.
    Other,
}

impl From<Category> for pb::UnitCategory {
    fn from(c: Category) -> Self {
        match c {
            Category::PartyGovernment => pb::UnitCategory::PartyGovernment,
            Category::PublicInstitution => pb::UnitCategory::PublicInstitution,
            Category::PeoplesOrganisation => pb::UnitCategory::PeoplesOrganisation,
            Category::CentralInTibet => pb::UnitCategory::CentralInTibet,
            Category::OfficeOutsideRegion => pb::UnitCategory::OfficeOutsideRegion,
            Category::AuthorisedByLaw => pb::UnitCategory::AuthorisedByLaw,
            Category::Other => pb::UnitCategory::Other,
        }
    }
}

/// Unit commands.
#[derive(Subcommand)]
pub enum UnitCmd {
    /// Register a unit at this node; Art.11's responsible leader, department and person are required (登记).
    Register {
        #[command(flatten)]
        conn: Conn,
        /// Unit id: the label of its certificate (lowercase letters, digits, -), e.g. u0001.
        #[arg(long)]
        id: String,
        /// Full name, e.g. 城关区教育局.
        #[arg(long)]
        name: String,
        /// Art.3 category.
        #[arg(long, value_enum)]
        category: Category,
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
    },
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

/// Runs a unit command.
pub async fn run(cmd: UnitCmd) -> anyhow::Result<()> {
    match cmd {
        UnitCmd::Register {
            conn,
            id,
            name,
            category,
            division,
            township,
            region_department,
            leader,
            leader_phone,
            department,
            person,
            person_phone,
        } => {
            let unit = pb::Unit {
                id,
                name,
                category: pb::UnitCategory::from(category) as i32,
                division,
                township,
                vertically_managed: region_department.is_some(),
                region_department: region_department.unwrap_or_default(),
                responsible_leader: Some(pb::Contact { name: leader, phone: leader_phone }),
                responsible_department: department,
                responsible_person: Some(pb::Contact { name: person, phone: person_phone }),
                ..Default::default()
            };
            let req = pb::RegisterUnitRequest { unit: Some(unit), ..Default::default() };
            let u = conn.write(req, async |c, r| c.units().register_unit(r).await).await?;
            if conn.json {
                return output::json(&u);
            }
            println!("已登记接入单位 {}（{}），状态：申请中", u.name, u.id);
            println!("为其签发单位证书：extranet certs request --kind unit --node {} --name {} …", u.node, u.id);
            Ok(())
        }
        UnitCmd::List { conn, limit } => {
            let client = conn.client().await?.units();
            let units = super::pages::collect(limit, |page_token, page_size| {
                let mut client = client.clone();
                async move {
                    let r = client.list_units(pb::ListUnitsRequest { page_token, page_size }).await?.into_inner();
                    Ok((r.units, r.next_page_token))
                }
            })
            .await?;
            if conn.json {
                return output::json(&units);
            }
            let rows: Vec<Vec<String>> = units
                .iter()
                .map(|u| {
                    vec![
                        u.id.clone(),
                        u.name.clone(),
                        category_zh(u.category).into(),
                        u.division.clone(),
                        status_zh(u.status).into(),
                        u.responsible_person.as_ref().map(|p| format!("{} {}", p.name, p.phone)).unwrap_or_default(),
                    ]
                })
                .collect();
            output::table(&["编号", "名称", "类别", "所在区划", "状态", "责任人"], &rows);
            println!("共 {} 个", units.len());
            Ok(())
        }
        UnitCmd::Show { conn, id } => {
            let u = conn.client().await?.units().get_unit(pb::GetUnitRequest { id }).await?.into_inner();
            if conn.json {
                return output::json(&u);
            }
            print_unit(&u);
            Ok(())
        }
        UnitCmd::Suspend { conn, id, reason } => set_status(conn, id, pb::UnitStatus::Suspended, reason).await,
        UnitCmd::Resume { conn, id, reason } => set_status(conn, id, pb::UnitStatus::Connected, reason).await,
    }
}

async fn set_status(conn: Conn, id: String, status: pb::UnitStatus, reason: String) -> anyhow::Result<()> {
    let req = pb::SetUnitStatusRequest { id, status: status as i32, reason, ..Default::default() };
    let u = conn.write(req, async |c, r| c.units().set_unit_status(r).await).await?;
    if conn.json {
        return output::json(&u);
    }
    println!("单位 {}（{}）现为：{}", u.name, u.id, status_zh(u.status));
    Ok(())
}

/// Chinese name of a unit category.
pub fn category_zh(c: i32) -> &'static str {
    codec::category_from_pb(c).map(UnitCategory::zh).unwrap_or("—")
}

/// Chinese name of a unit status.
pub fn status_zh(s: i32) -> &'static str {
    codec::unit_status_from_pb(s).map(UnitStatus::zh).unwrap_or("—")
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
}
