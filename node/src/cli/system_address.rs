//! `extranet system-address …`: a unit applies for the addresses of an
//! information system at its own node (信息系统 IP 地址申请, Art.23), the
//! node's operator grants or refuses, and either lists them. Run with the
//! unit's certificate to apply for the unit itself.

use clap::Subcommand;
use extranet_proto::v1 as pb;

use super::conn::Conn;
use super::output;

/// Commands for units' applications for a system's addresses.
#[derive(Subcommand)]
pub enum SystemAddressCmd {
    /// Apply for a system's addresses (a unit for itself, or an operator with --unit).
    Apply {
        #[command(flatten)]
        conn: Conn,
        /// The unit's id (an operator applying for it); a unit's certificate may leave it out.
        #[arg(long, default_value = "")]
        unit: String,
        /// The information system the addresses are for.
        #[arg(long)]
        system: String,
        /// What the addresses are for.
        #[arg(long)]
        reason: String,
        /// Prefix length wanted (default: the node's default for assignments).
        #[arg(long, default_value_t = 0)]
        length: u32,
        /// IPv4 instead of IPv6 (Art.6: only where necessary; needs --ipv4-justification).
        #[arg(long)]
        ipv4: bool,
        /// Why IPv6 will not do (IPv4 only, at least 10 characters).
        #[arg(long, default_value = "")]
        ipv4_justification: String,
    },
    /// Grant (assigning the addresses) or refuse a pending application (operators).
    Decide {
        #[command(flatten)]
        conn: Conn,
        /// Application id, e.g. 540102-Q000001.
        id: String,
        /// Refuse instead of granting.
        #[arg(long)]
        refuse: bool,
        /// Why (required when refusing).
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// List applications: all of this node's for an operator, its own for a unit.
    List {
        #[command(flatten)]
        conn: Conn,
        /// Only those waiting on a decision.
        #[arg(long)]
        pending: bool,
    },
}

/// Runs a command.
pub async fn run(cmd: SystemAddressCmd) -> anyhow::Result<()> {
    match cmd {
        SystemAddressCmd::Apply { conn, unit, system, reason, length, ipv4, ipv4_justification } => {
            let req = pb::RequestSystemAddressesRequest {
                unit_id: unit,
                system_name: system,
                ipv4,
                length,
                reason,
                ipv4_justification,
                ..Default::default()
            };
            let r = conn.write(req, async |c, r| c.ipam().request_system_addresses(r).await).await?;
            output::emit(conn.json, &r, |r| {
                println!("已提交并落盘：地址申请 {}（{}），待本级主管部门审核", r.id, r.system_name);
            })
        }
        SystemAddressCmd::Decide { conn, id, refuse, reason } => {
            let req = pb::DecideSystemRequestRequest { id, grant: !refuse, reason, ..Default::default() };
            let r = conn.write(req, async |c, r| c.ipam().decide_system_request(r).await).await?;
            output::emit(conn.json, &r, |r| println!("{}：{}", r.id, outcome(r)))
        }
        SystemAddressCmd::List { conn, pending } => {
            let req = pb::ListSystemRequestsRequest { pending_only: pending };
            let list = conn.client().await?.ipam().list_system_requests(req).await?.into_inner().requests;
            let headers = ["编号", "单位", "信息系统", "地址族", "提交时间", "状态"];
            output::list(conn.json, &list, (&headers, "件"), row)
        }
    }
}

fn outcome(r: &pb::SystemRequestRecord) -> String {
    match pb::SystemRequestState::try_from(r.state) {
        Ok(pb::SystemRequestState::Granted) => {
            format!("已分配 {}（{}），上线备案时填写该地址", r.prefix, r.assignment_id)
        }
        Ok(pb::SystemRequestState::Refused) => format!("不予分配：{}", r.refusal_reason),
        _ => "待审核".into(),
    }
}

fn row(r: &pb::SystemRequestRecord) -> Vec<String> {
    let unit = if r.unit_name.is_empty() { r.unit_id.clone() } else { format!("{}（{}）", r.unit_name, r.unit_id) };
    let family = if r.ipv4 { "IPv4" } else { "IPv6" };
    vec![r.id.clone(), unit, r.system_name.clone(), family.into(), output::time(r.at_ms), outcome(r)]
}
