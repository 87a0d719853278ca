//! `extranet ipam …`: the address plan at one node — root pools, delegations
//! to children, assignments, requests for more space, reclaim, and the
//! queries and verification over it.

use clap::Subcommand;
use extranet_proto::v1 as pb;

use super::choice::choice;
use super::conn::Conn;
use super::{ipam_print as print, output};
use crate::codec::WireEnum;
use crate::domain::ipam::Purpose;

/// Address-management commands.
#[derive(Subcommand)]
pub enum IpamCmd {
    /// Add a root pool at the region (地址池; the region only).
    Pool {
        #[command(flatten)]
        conn: Conn,
        /// The prefix, e.g. 2408:8000::/32.
        prefix: String,
    },
    /// Hold a prefix back from allocation (保留), or release it with --release.
    Reserve {
        #[command(flatten)]
        conn: Conn,
        /// The prefix.
        prefix: String,
        /// Why it is held back.
        #[arg(long, default_value = "")]
        note: String,
        /// Release the reservation instead.
        #[arg(long)]
        release: bool,
    },
    /// Delegate space to a direct child (委派).
    Delegate {
        #[command(flatten)]
        conn: Conn,
        /// The child's division path, e.g. 540000/540100.
        child: String,
        /// Length; default the child's tier length in the address plan.
        #[arg(long, default_value_t = 0)]
        length: u32,
        /// An exact prefix instead of a length.
        #[arg(long, default_value = "")]
        prefix: String,
        /// IPv4 instead of IPv6.
        #[arg(long)]
        ipv4: bool,
    },
    /// Assign space to an access unit, system or infrastructure (分配).
    Assign {
        #[command(flatten)]
        conn: Conn,
        /// Who holds it (unit or system id).
        #[arg(long)]
        assignee: String,
        /// What it is for.
        #[arg(long, value_parser = choice::<Purpose>())]
        purpose: Purpose,
        /// The application or launch filing it serves.
        #[arg(long)]
        serves: String,
        /// Length; default /64 for IPv6.
        #[arg(long, default_value_t = 0)]
        length: u32,
        /// An exact prefix instead of a length.
        #[arg(long, default_value = "")]
        prefix: String,
        /// IPv4 (needs --justification and --approved-by, Art.6).
        #[arg(long)]
        ipv4: bool,
        /// IPv4: written justification.
        #[arg(long, default_value = "")]
        justification: String,
        /// IPv4: who approved it.
        #[arg(long, default_value = "")]
        approved_by: String,
    },
    /// Free one assignment into quarantine (释放).
    Free {
        #[command(flatten)]
        conn: Conn,
        /// Assignment id, e.g. 540102-A000001.
        id: String,
        /// Why.
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Reclaim everything an assignee holds, with a ledger entry (回收, Art.17).
    Reclaim {
        #[command(flatten)]
        conn: Conn,
        /// The assignee.
        assignee: String,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Reclaim a delegation to a child (回收委派).
    ReclaimDelegation {
        #[command(flatten)]
        conn: Conn,
        /// The delegated prefix.
        prefix: String,
        /// Even though the child has live assignments in it (logged).
        #[arg(long)]
        force: bool,
        /// Why (required with --force).
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Ask the parent for more space (扩充申请); pending until decided.
    Request {
        #[command(flatten)]
        conn: Conn,
        /// Why.
        #[arg(long)]
        reason: String,
        /// Length wanted; default this node's tier length.
        #[arg(long, default_value_t = 0)]
        length: u32,
        /// IPv4 instead of IPv6.
        #[arg(long)]
        ipv4: bool,
    },
    /// Decide a child's pending request (批准 / 不予批准).
    Decide {
        #[command(flatten)]
        conn: Conn,
        /// Request id, e.g. 540102-R000001.
        id: String,
        /// Refuse instead of granting.
        #[arg(long)]
        refuse: bool,
        /// Why (required when refusing).
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// List requests for more space held here.
    Requests {
        #[command(flatten)]
        conn: Conn,
        /// Most requests to show (fetched page by page).
        #[arg(long, default_value_t = 10_000)]
        limit: u32,
    },
    /// Show the pool: utilisation, largest free blocks, IPv6 share.
    Show {
        #[command(flatten)]
        conn: Conn,
    },
    /// Free blocks of exactly /N.
    Available {
        #[command(flatten)]
        conn: Conn,
        /// N.
        length: u32,
        /// IPv4 instead of IPv6.
        #[arg(long)]
        ipv4: bool,
        /// At most this many.
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    /// Which node, unit and record own an address.
    Lookup {
        #[command(flatten)]
        conn: Conn,
        /// Address or prefix.
        address: String,
    },
    /// Verify this node's subtree from the records held here.
    Verify {
        #[command(flatten)]
        conn: Conn,
    },
    /// Print the address ledger as CSV (地址台账).
    Export {
        #[command(flatten)]
        conn: Conn,
    },
}

/// Runs an address-management command.
pub async fn run(cmd: IpamCmd) -> anyhow::Result<()> {
    match cmd {
        IpamCmd::Pool { conn, prefix } => {
            let req = pb::AddRootRequest { prefix, ..Default::default() };
            let v = conn.write(req, async |c, r| c.ipam().add_root(r).await).await?;
            print::pool(&conn, &v)
        }
        IpamCmd::Reserve { conn, prefix, note, release } => reserve(&conn, prefix, note, release).await,
        IpamCmd::Delegate { conn, child, length, prefix, ipv4 } => {
            let req = pb::DelegateRequest { child, length, prefix, ipv4, ..Default::default() };
            let d = conn.write(req, async |c, r| c.ipam().delegate(r).await).await?;
            print::delegation(&conn, &d)
        }
        IpamCmd::Assign { conn, assignee, purpose: p, serves, length, prefix, ipv4, justification, approved_by } => {
            let req = pb::AssignRequest {
                length,
                prefix,
                purpose: p.to_pb() as i32,
                assignee,
                serves,
                ipv4,
                ipv4_justification: justification,
                ipv4_approved_by: approved_by,
                ..Default::default()
            };
            let a = conn.write(req, async |c, r| c.ipam().assign(r).await).await?;
            print::assignments(&conn, &[a])
        }
        IpamCmd::Free { conn, id, reason } => {
            let req = pb::FreeRequest { id, reason, ..Default::default() };
            let a = conn.write(req, async |c, r| c.ipam().free(r).await).await?;
            print::assignments(&conn, &[a])
        }
        IpamCmd::Reclaim { conn, assignee, reason } => {
            let req = pb::ReclaimAssigneeRequest { assignee, reason, ..Default::default() };
            let e = conn.write(req, async |c, r| c.ipam().reclaim_assignee(r).await).await?;
            output::emit(conn.json, &e, print::reclaimed)
        }
        IpamCmd::ReclaimDelegation { conn, prefix, force, reason } => {
            let req = pb::ReclaimDelegationRequest { prefix, force, reason, ..Default::default() };
            let d = conn.write(req, async |c, r| c.ipam().reclaim_delegation(r).await).await?;
            print::delegation(&conn, &d)
        }
        IpamCmd::Request { conn, reason, length, ipv4 } => {
            let req = pb::RequestSpaceRequest { length, ipv4, reason, ..Default::default() };
            let r = conn.write(req, async |c, r| c.ipam().request_space(r).await).await?;
            print::requests(&conn, &[r])
        }
        IpamCmd::Decide { conn, id, refuse, reason } => {
            let req = pb::DecideRequest { id, grant: !refuse, reason, ..Default::default() };
            let r = conn.write(req, async |c, r| c.ipam().decide(r).await).await?;
            print::requests(&conn, &[r])
        }
        other => query(other).await,
    }
}

/// Holds `prefix` back from allocation, or with `release` lets it go again.
async fn reserve(conn: &Conn, prefix: String, note: String, release: bool) -> anyhow::Result<()> {
    let v = if release {
        let req = pb::UnreserveRequest { prefix, ..Default::default() };
        conn.write(req, async |c, r| c.ipam().unreserve(r).await).await?
    } else {
        let req = pb::ReserveRequest { prefix, note, ..Default::default() };
        conn.write(req, async |c, r| c.ipam().reserve(r).await).await?
    };
    print::pool(conn, &v)
}

/// Runs a read-only address command.
async fn query(cmd: IpamCmd) -> anyhow::Result<()> {
    match cmd {
        IpamCmd::Requests { conn, limit } => {
            let client = conn.client().await?.ipam();
            let requests = super::pages::collect(limit, client, |mut client, page_token, page_size| async move {
                let r = client.list_requests(pb::ListRequestsRequest { page_token, page_size }).await?.into_inner();
                Ok((r.requests, r.next_page_token))
            })
            .await?;
            print::requests(&conn, &requests)
        }
        IpamCmd::Show { conn } => {
            print::pool(&conn, &conn.client().await?.ipam().show(pb::ShowRequest {}).await?.into_inner())
        }
        IpamCmd::Available { conn, length, ipv4, limit } => {
            let req = pb::AvailableRequest { length, ipv4, limit };
            let r = conn.client().await?.ipam().available(req).await?.into_inner();
            output::emit(conn.json, &r, |r| {
                r.prefixes.iter().for_each(|p| println!("{p}"));
                println!("共 {} 个 /{length}", r.prefixes.len());
            })
        }
        IpamCmd::Lookup { conn, address } => {
            let r = conn.client().await?.ipam().lookup(pb::LookupRequest { address }).await?.into_inner();
            print::lookup(&conn, &r)
        }
        IpamCmd::Verify { conn } => {
            let r = conn.client().await?.ipam().verify(pb::VerifyRequest {}).await?.into_inner();
            print::verify(&conn, &r)
        }
        IpamCmd::Export { conn } => {
            let r = conn.client().await?.ipam().export(pb::ExportRequest {}).await?.into_inner();
            print!("{}", r.csv);
            Ok(())
        }
        _ => anyhow::bail!("内部错误：写操作命令不应由查询分派处理"),
    }
}
