//! `extranet circular …`: issue a circular to the node's subtree (通报,
//! Art.28, Art.29), list the circulars held at a node (a unit's history
//! with `--unit`), show one or print its document (text, or A4 HTML with
//! `--html`).

use clap::Subcommand;
use extranet_domain::CircularKind;
use extranet_proto::v1 as pb;

use super::choice::choice;
use super::conn::Conn;
use super::output;
use crate::codec::WireEnum;
use crate::present::circular::{HEADER, print_circular, row};

/// Circular commands.
#[derive(Subcommand)]
pub enum CircularCmd {
    /// Issue a circular to this node's whole subtree (operator).
    Issue {
        #[command(flatten)]
        conn: Conn,
        /// What it is about: a security event (Art.28) or Art.29's two cases.
        #[arg(long, value_parser = choice::<CircularKind>())]
        kind: CircularKind,
        /// Its subject.
        #[arg(long)]
        title: String,
        /// The facts circulated.
        #[arg(long)]
        facts: String,
        /// What is required of the subtree.
        #[arg(long, default_value = "")]
        requirements: String,
        /// A unit named, as NODE:UNIT=NAME (e.g. 540000/540100/540102:u0001=城关区教育局); repeat for several.
        #[arg(long = "unit")]
        units: Vec<String>,
        /// An incident behind it (540102-I000001); repeat for several.
        #[arg(long = "incident")]
        incidents: Vec<String>,
        /// A disconnection order behind it (540102-D000001); repeat for several.
        #[arg(long = "order")]
        orders: Vec<String>,
        /// An inspection behind it (a free reference); repeat for several.
        #[arg(long = "inspection")]
        inspections: Vec<String>,
    },
    /// Circulars held at the node (its own and its ancestors'), the latest first.
    List {
        #[command(flatten)]
        conn: Conn,
        /// Only those naming this unit id (the unit's history).
        #[arg(long, default_value = "")]
        unit: String,
        /// With --unit: only where the unit is registered at this node path.
        #[arg(long, default_value = "")]
        unit_node: String,
        /// Only those issued by this node path.
        #[arg(long, default_value = "")]
        issuer: String,
    },
    /// One circular and its document (text, or A4 HTML with --html).
    Show {
        #[command(flatten)]
        conn: Conn,
        /// Circular id, e.g. 540100-C000001.
        id: String,
        /// Print the document as printable A4 HTML.
        #[arg(long)]
        html: bool,
    },
}

/// A unit named on the command line: NODE:UNIT=NAME.
fn named(v: &str) -> anyhow::Result<pb::CircularUnit> {
    let bad = || {
        anyhow::anyhow!(
            "字段 unit 无效：“{v}” 应写作 区划路径:单位编号=单位名称，例如 540000/540100/540102:u0001=城关区教育局"
        )
    };
    let (node, rest) = v.split_once(':').ok_or_else(bad)?;
    let (unit, name) = rest.split_once('=').ok_or_else(bad)?;
    Ok(pb::CircularUnit { node: node.trim().into(), unit_id: unit.trim().into(), name: name.trim().into() })
}

/// Runs a circular command.
pub async fn run(cmd: CircularCmd) -> anyhow::Result<()> {
    match cmd {
        CircularCmd::Issue { conn, kind, title, facts, requirements, units, incidents, orders, inspections } => {
            let content = pb::CircularContent {
                kind: kind.to_pb() as i32,
                title,
                facts,
                requirements,
                units: units.iter().map(|u| named(u)).collect::<anyhow::Result<_>>()?,
                incidents,
                orders,
                inspections,
            };
            let req = pb::IssueCircularRequest { content: Some(content), ..Default::default() };
            let c = conn.write(req, async |c, r| c.circulars().issue(r).await).await?;
            output::emit(conn.json, &c, print_circular)
        }
        CircularCmd::List { conn, unit, unit_node, issuer } => {
            let r =
                pb::ListCircularsRequest { unit_id: unit, unit_node, issuer, page_size: 1000, ..Default::default() };
            let list = conn.client().await?.circulars().list(r).await?.into_inner();
            output::emit(conn.json, &list, |l| output::table(&HEADER, &l.circulars.iter().map(row).collect::<Vec<_>>()))
        }
        CircularCmd::Show { conn, id, html } => {
            let c = conn.client().await?.circulars().get(pb::GetCircularRequest { id }).await?.into_inner();
            if html && !conn.json {
                print!("{}", c.notice.as_ref().map_or("", |n| n.html.as_str()));
                return Ok(());
            }
            output::emit(conn.json, &c, print_circular)
        }
    }
}
