//! Reading the address plan: pool views, available blocks, lookups,
//! verification of the subtree, and the CSV ledger.

use ipnet::IpNet;

use super::Ipam;
use crate::domain::ipam::{Assignment, Delegation, PoolUsage, VerifyReport, verify};
use crate::error::Result;

/// A node's pool at a glance.
#[derive(Clone, Debug)]
pub struct PoolSummary {
    /// Utilisation per root, both families.
    pub usage: Vec<PoolUsage>,
    /// The largest free blocks (up to 8), largest first.
    pub largest_free: Vec<IpNet>,
    /// Live IPv6 assignments out of all live assignments (Art.6); 1 when none.
    pub ipv6_share: f64,
    /// Live assignments at this node.
    pub assignments: usize,
    /// Live delegations made by this node.
    pub delegations: usize,
}

impl Ipam {
    /// Utilisation, largest free blocks and the IPv6 share of this node.
    pub fn summary(&self) -> Result<PoolSummary> {
        let (v6, v4) = (self.pool(true, self.now_ms())?, self.pool(false, self.now_ms())?);
        let mut usage = v6.usage();
        usage.extend(v4.usage());
        let mut free = v6.free_blocks(true);
        free.extend(v4.free_blocks(false));
        free.sort_by_key(|n| (n.prefix_len(), matches!(n, IpNet::V4(_)), *n));
        free.truncate(8);
        let mine: Vec<Assignment> =
            self.store.ipam_assignments()?.into_iter().filter(|a| &a.id.node == self.me() && a.is_live()).collect();
        let six = mine.iter().filter(|a| matches!(a.prefix, IpNet::V6(_))).count();
        let delegations =
            self.store.ipam_delegations()?.iter().filter(|d| &d.parent == self.me() && d.is_live()).count();
        Ok(PoolSummary {
            usage,
            largest_free: free,
            ipv6_share: if mine.is_empty() { 1.0 } else { six as f64 / mine.len() as f64 },
            assignments: mine.len(),
            delegations,
        })
    }

    /// Up to `limit` free blocks of exactly `/len`.
    pub fn available(&self, len: u8, v6: bool, limit: usize) -> Result<Vec<IpNet>> {
        Ok(self.pool(v6, self.now_ms())?.available(len, v6, limit))
    }

    /// The live delegations (outermost first) and assignment covering `net`.
    pub fn lookup(&self, net: &IpNet) -> Result<(Vec<Delegation>, Option<Assignment>)> {
        let mut ds: Vec<Delegation> =
            self.store.ipam_delegations()?.into_iter().filter(|d| d.is_live() && d.prefix.contains(net)).collect();
        ds.sort_by_key(|d| d.prefix.prefix_len());
        let a = self.store.ipam_assignments()?.into_iter().find(|a| a.is_live() && a.prefix.contains(net));
        Ok((ds, a))
    }

    /// Verifies this node's subtree from the records held here.
    pub fn verify(&self) -> Result<VerifyReport> {
        let delegations = self.store.ipam_delegations()?;
        let roots: Vec<IpNet> = if self.me().depth() == 1 {
            self.store.ipam_roots()?
        } else {
            delegations.iter().filter(|d| &d.child == self.me() && d.is_live()).map(|d| d.prefix).collect()
        };
        Ok(verify(self.me(), &roots, &delegations, &self.store.ipam_assignments()?))
    }

    /// The address ledger as CSV: every assignment held here (own and from
    /// below), then every reclaim entry.
    pub fn export_csv(&self) -> Result<String> {
        let mut out = String::from("类别,编号,节点,前缀,用途,使用单位,服务对象,操作员,时间毫秒,状态,说明\n");
        for a in self.store.ipam_assignments()? {
            let state = if a.is_live() { "生效" } else { "已回收" };
            out.push_str(&csv_line(&[
                "分配",
                &a.id.to_string(),
                a.id.node.as_str(),
                &a.prefix.to_string(),
                a.purpose.zh(),
                a.assignee.as_str(),
                &a.serves,
                &a.by,
                &a.at_ms.to_string(),
                state,
                a.ipv4_justification.as_deref().unwrap_or(""),
            ]));
        }
        for e in self.store.ipam_ledger()? {
            let prefixes: Vec<String> = e.prefixes.iter().map(|p| p.to_string()).collect();
            let assignee = e.assignee.as_ref().map(|a| a.to_string()).unwrap_or_default();
            out.push_str(&csv_line(&[
                "台账",
                &e.number.to_string(),
                self.me().as_str(),
                &prefixes.join(" "),
                &e.action,
                &assignee,
                "",
                &e.by,
                &e.at_ms.to_string(),
                "",
                &e.reason,
            ]));
        }
        Ok(out)
    }
}

/// One CSV line, quoting fields that need it (RFC 4180).
fn csv_line(fields: &[&str]) -> String {
    let quoted: Vec<String> =
        fields
            .iter()
            .map(|f| {
                if f.contains([',', '"', '\n', '\r']) {
                    format!("\"{}\"", f.replace('"', "\"\""))
                } else {
                    f.to_string()
                }
            })
            .collect();
    quoted.join(",") + "\n"
}
