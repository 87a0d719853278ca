//! Federation-wide verification (地址核查) over replicated records: every
//! delegation lies inside its parent's pool, every assignment inside its
//! node's pool, nothing a node handed out overlaps anything else it handed
//! out, and no two assignments anywhere overlap. Pure, so it can be run on
//! generated records as well as on a store's replicas.

use std::collections::BTreeMap;

use extranet_ids::NodeId;
use ipnet::IpNet;
use serde::Serialize;

use super::records::{Assignment, Delegation};

/// What verification checked and what it found.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize)]
pub struct VerifyReport {
    /// Nodes whose pools were checked.
    pub nodes: usize,
    /// Live delegations checked.
    pub delegations: usize,
    /// Live assignments checked.
    pub assignments: usize,
    /// Every problem found, one sentence each; empty when all is well.
    pub problems: Vec<String>,
}

impl VerifyReport {
    /// Whether nothing was wrong.
    pub fn passed(&self) -> bool {
        self.problems.is_empty()
    }
}

/// (family, first, last) of a prefix, as integers for sorting and sweeping.
fn span(net: &IpNet) -> (u8, u128, u128) {
    match net {
        IpNet::V4(n) => (4, u32::from(n.network()).into(), u32::from(n.broadcast()).into()),
        IpNet::V6(n) => (6, u128::from(n.network()), u128::from(n.broadcast())),
    }
}

/// Reports every pair of overlapping items in `items` (label, prefix).
fn sweep(what: &str, mut items: Vec<(String, IpNet)>, problems: &mut Vec<String>) {
    items.sort_by_key(|(l, n)| (span(n), l.clone()));
    let mut last: Option<(u8, u128, usize)> = None;
    for (i, (label, net)) in items.iter().enumerate() {
        let (fam, first, end) = span(net);
        if let Some((lf, lend, li)) = last
            && lf == fam
            && first <= lend
        {
            let (other, onet) = &items[li];
            problems.push(format!("{what}重叠：{label}（{net}）与 {other}（{onet}）"));
        }
        if last.is_none_or(|(lf, lend, _)| lf != fam || end > lend) {
            last = Some((fam, end, i));
        }
    }
}

/// Verifies the subtree of `top`, whose own pool is `top_roots`.
pub fn verify(
    top: &NodeId,
    top_roots: &[IpNet],
    delegations: &[Delegation],
    assignments: &[Assignment],
) -> VerifyReport {
    let mut report = VerifyReport::default();
    let mut pools: BTreeMap<&NodeId, Vec<IpNet>> = BTreeMap::new();
    pools.insert(top, top_roots.to_vec());
    let live_d: Vec<&Delegation> =
        delegations.iter().filter(|d| d.is_live() && d.child.is_within(top) && &d.child != top).collect();
    for d in &live_d {
        pools.entry(&d.child).or_default().push(d.prefix);
    }
    let inside = |node: &NodeId, net: &IpNet| pools.get(node).is_some_and(|p| p.iter().any(|r| r.contains(net)));
    let mut per_node: BTreeMap<&NodeId, Vec<(String, IpNet)>> = BTreeMap::new();
    for d in &live_d {
        report.delegations += 1;
        if !inside(&d.parent, &d.prefix) {
            report
                .problems
                .push(format!("{} 委派给 {} 的 {} 不在 {} 的地址池内", d.parent, d.child, d.prefix, d.parent));
        }
        per_node.entry(&d.parent).or_default().push((format!("委派给 {}", d.child), d.prefix));
    }
    let mut all = Vec::new();
    for a in assignments.iter().filter(|a| a.is_live() && a.id.node.is_within(top)) {
        report.assignments += 1;
        if !inside(&a.id.node, &a.prefix) {
            report.problems.push(format!("分配 {} 的 {} 不在 {} 的地址池内", a.id, a.prefix, a.id.node));
        }
        per_node.entry(&a.id.node).or_default().push((format!("分配 {}", a.id), a.prefix));
        all.push((format!("分配 {}", a.id), a.prefix));
    }
    for (node, items) in per_node {
        sweep(&format!("{node} 内"), items, &mut report.problems);
    }
    sweep("全辖区分配", all, &mut report.problems);
    report.nodes = pools.len();
    report
}
