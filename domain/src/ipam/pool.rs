//! One node's pool (地址池): the prefixes delegated to it, and what occupies
//! them. Occupants never overlap one another and always lie inside a root;
//! every mutation checks both, so no caller can break them.

use std::collections::BTreeMap;

use extranet_ids::NodeId;
use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use super::prefix::size_of;
use super::records::AssigneeId;
use crate::error::{DomainError, Result};

/// What occupies a block of the pool.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum Holder {
    /// Delegated to a child node (下级委派).
    Delegated(NodeId),
    /// Assigned to a user of this node (分配), by assignment number.
    Assigned {
        /// The assignment's number at this node.
        number: u64,
        /// Who holds it.
        assignee: AssigneeId,
    },
    /// Held back by the operator (保留).
    Reserved(String),
    /// Freed, not reusable before `until_ms` (隔离期), so stale routes and
    /// firewall rules cannot hand one unit another's traffic.
    Quarantined {
        /// End of the grace period, Unix ms.
        until_ms: i64,
    },
}

/// The space of one node: roots and occupants, both ordered by address so
/// every walk over them is deterministic.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct Pool {
    pub(super) roots: BTreeMap<IpNet, ()>,
    pub(super) used: BTreeMap<IpNet, Holder>,
}

/// Utilisation of one root of a pool, in addresses.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct PoolUsage {
    /// The root prefix.
    pub root: IpNet,
    /// Addresses in the root.
    pub total: u128,
    /// Addresses delegated to children.
    pub delegated: u128,
    /// Addresses assigned locally.
    pub assigned: u128,
    /// Addresses reserved.
    pub reserved: u128,
    /// Addresses in quarantine.
    pub quarantined: u128,
}

/// The occupant of `map` overlapping `net`, if any. Occupants are disjoint,
/// so besides those starting inside `net` only the one just before it can
/// overlap (by containing it).
fn overlap_in<'a, V>(map: &'a BTreeMap<IpNet, V>, net: &IpNet) -> Option<(&'a IpNet, &'a V)> {
    let lo = IpNet::new(net.network(), 0).ok()?;
    let hi = IpNet::new(net.broadcast(), net.max_prefix_len()).ok()?;
    if let Some(hit) = map.range(lo..=hi).next() {
        return Some(hit);
    }
    map.range(..lo).next_back().filter(|(k, _)| k.contains(net))
}

impl Pool {
    /// An empty pool.
    pub fn new() -> Self {
        Pool::default()
    }

    /// Adds a root (a delegation received, or the region's configured pool).
    /// A root containing existing roots absorbs them (a delegation grown in
    /// place); a root inside or across another is refused.
    pub fn add_root(&mut self, net: IpNet) -> Result<()> {
        if let Some((held, _)) = overlap_in(&self.roots, &net)
            && !net.contains(held)
        {
            return Err(DomainError::FailedPrecondition(format!("前缀 {net} 与本节点已有地址池 {held} 重叠")));
        }
        let inner: Vec<IpNet> = self.roots.keys().filter(|r| net.contains(*r)).copied().collect();
        for r in inner {
            self.roots.remove(&r);
        }
        self.roots.insert(net, ());
        Ok(())
    }

    /// Removes a root and everything in it (a delegation reclaimed by the parent).
    pub fn remove_root(&mut self, net: &IpNet) -> bool {
        self.used.retain(|k, _| !net.contains(k));
        self.roots.remove(net).is_some()
    }

    /// The roots, in address order.
    pub fn roots(&self) -> impl Iterator<Item = &IpNet> {
        self.roots.keys()
    }

    /// The occupants, in address order.
    pub fn occupants(&self) -> impl Iterator<Item = (&IpNet, &Holder)> {
        self.used.iter()
    }

    /// The root containing `net`, if any.
    pub fn root_of(&self, net: &IpNet) -> Option<IpNet> {
        overlap_in(&self.roots, net).map(|(r, _)| *r).filter(|r| r.contains(net))
    }

    /// The occupant overlapping `net`, if any.
    pub fn overlapping(&self, net: &IpNet) -> Option<(&IpNet, &Holder)> {
        overlap_in(&self.used, net)
    }

    /// The exact occupant of `net`.
    pub fn holder(&self, net: &IpNet) -> Option<&Holder> {
        self.used.get(net)
    }

    /// Places `holder` on `net`: refused outside the pool (`field` names the
    /// request field) or over anything already there.
    pub fn insert(&mut self, field: &'static str, net: IpNet, holder: Holder) -> Result<()> {
        if self.root_of(&net).is_none() {
            return Err(DomainError::invalid(field, format!("{net} 不在本节点的地址池内（只能使用上级委派的地址）")));
        }
        if let Some((held, by)) = self.overlapping(&net) {
            return Err(DomainError::FailedPrecondition(format!("{net} 与已占用的 {held}（{}）重叠", describe(by))));
        }
        self.used.insert(net, holder);
        Ok(())
    }

    /// Replaces the occupant of exactly `net`, returning the previous one.
    pub fn replace(&mut self, net: &IpNet, holder: Holder) -> Option<Holder> {
        self.used.get_mut(net).map(|h| std::mem::replace(h, holder))
    }

    /// Frees `net` into quarantine until `until_ms`; returns what held it.
    pub fn free(&mut self, net: &IpNet, until_ms: i64) -> Result<Holder> {
        match self.used.get(net) {
            None | Some(Holder::Quarantined { .. }) => {
                Err(DomainError::FailedPrecondition(format!("{net} 当前没有被占用，无需释放")))
            }
            Some(_) => Ok(self.replace(net, Holder::Quarantined { until_ms }).expect("present")),
        }
    }

    /// Releases a reservation at once (reserved space was never in use, so
    /// it needs no quarantine).
    pub fn unreserve(&mut self, net: &IpNet) -> Result<String> {
        match self.used.get(net) {
            Some(Holder::Reserved(note)) => {
                let note = note.clone();
                self.used.remove(net);
                Ok(note)
            }
            _ => Err(DomainError::FailedPrecondition(format!("{net} 不是保留地址"))),
        }
    }

    /// Frees every assignment of `assignee` into quarantine, in address order.
    pub fn reclaim_assignee(&mut self, assignee: &AssigneeId, until_ms: i64) -> Vec<(IpNet, u64)> {
        let mut out = Vec::new();
        for (net, h) in self.used.iter_mut() {
            if let Holder::Assigned { number, assignee: a } = h
                && a == assignee
            {
                out.push((*net, *number));
                *h = Holder::Quarantined { until_ms };
            }
        }
        out
    }

    /// Makes quarantined space whose grace period ended at `now_ms` free.
    pub fn release_expired(&mut self, now_ms: i64) {
        self.used.retain(|_, h| !matches!(h, Holder::Quarantined { until_ms } if *until_ms <= now_ms));
    }

    /// The maximal free aligned blocks of the pool, in address order;
    /// `v6` picks the family. One pass over the occupants: each gap between
    /// them is cut into its maximal aligned blocks.
    pub fn free_blocks(&self, v6: bool) -> Vec<IpNet> {
        let mut out = Vec::new();
        for root in self.roots.keys().filter(|r| matches!(r, IpNet::V6(_)) == v6) {
            let (first, last) = bounds(root);
            let mut cursor = Some(first);
            let lo = IpNet::new(root.network(), 0).expect("length 0 is valid");
            let hi = IpNet::new(root.broadcast(), root.max_prefix_len()).expect("max length is valid");
            for occ in self.used.range(lo..=hi).map(|(n, _)| n) {
                let (start, end) = bounds(occ);
                if let Some(c) = cursor.filter(|c| *c < start) {
                    cut(c, start - 1, root.max_prefix_len(), &mut out);
                }
                cursor = end.checked_add(1).filter(|n| *n <= last);
            }
            if let Some(c) = cursor {
                cut(c, last, root.max_prefix_len(), &mut out);
            }
        }
        out
    }

    /// The same as [`Pool::free_blocks`], by recursive halving: the slow,
    /// obviously right version the tests compare against.
    #[cfg(test)]
    pub(super) fn free_blocks_by_halving(&self, v6: bool) -> Vec<IpNet> {
        let mut out = Vec::new();
        for root in self.roots.keys().filter(|r| matches!(r, IpNet::V6(_)) == v6) {
            self.collect_free(*root, &mut out);
        }
        out
    }

    #[cfg(test)]
    fn collect_free(&self, block: IpNet, out: &mut Vec<IpNet>) {
        match self.overlapping(&block) {
            None => out.push(block),
            Some((held, _)) if held.contains(&block) => {}
            Some(_) => {
                for half in block.subnets(block.prefix_len() + 1).into_iter().flatten() {
                    self.collect_free(half, out);
                }
            }
        }
    }

    /// Up to `limit` free blocks of exactly `/len` (NetBox's "available
    /// prefixes"), in address order.
    pub fn available(&self, len: u8, v6: bool, limit: usize) -> Vec<IpNet> {
        let mut out = Vec::new();
        for block in self.free_blocks(v6).into_iter().filter(|b| b.prefix_len() <= len) {
            for sub in block.subnets(len).into_iter().flatten() {
                if out.len() >= limit {
                    return out;
                }
                out.push(sub);
            }
        }
        out
    }

    /// Utilisation per root, in address order.
    pub fn usage(&self) -> Vec<PoolUsage> {
        self.roots
            .keys()
            .map(|root| {
                let mut u = PoolUsage {
                    root: *root,
                    total: size_of(root),
                    delegated: 0,
                    assigned: 0,
                    reserved: 0,
                    quarantined: 0,
                };
                for (net, h) in self.used.iter().filter(|(n, _)| root.contains(*n)) {
                    let slot = match h {
                        Holder::Delegated(_) => &mut u.delegated,
                        Holder::Assigned { .. } => &mut u.assigned,
                        Holder::Reserved(_) => &mut u.reserved,
                        Holder::Quarantined { .. } => &mut u.quarantined,
                    };
                    *slot = slot.saturating_add(size_of(net));
                }
                u
            })
            .collect()
    }
}

/// First and last address of `net` as integers.
fn bounds(net: &IpNet) -> (u128, u128) {
    match net {
        IpNet::V4(n) => (u32::from(n.network()).into(), u32::from(n.broadcast()).into()),
        IpNet::V6(n) => (n.network().into(), n.broadcast().into()),
    }
}

/// Appends the maximal aligned blocks covering `lo..=hi` (addresses of a
/// family with `max` bits), in address order.
fn cut(mut lo: u128, hi: u128, max: u8, out: &mut Vec<IpNet>) {
    loop {
        let align = if lo == 0 { u32::from(max) } else { lo.trailing_zeros().min(u32::from(max)) };
        let span = hi - lo; // addresses after lo, so the block size is span + 1
        let fits = if span == u128::MAX { 128 } else { 127 - (span + 1).leading_zeros() };
        let bits = align.min(fits);
        let len = max - bits as u8;
        let net = match max {
            32 => u32::try_from(lo).ok().and_then(|a| IpNet::new(std::net::Ipv4Addr::from(a).into(), len).ok()),
            _ => IpNet::new(std::net::Ipv6Addr::from(lo).into(), len).ok(),
        };
        out.extend(net);
        match 1u128.checked_shl(bits).and_then(|size| lo.checked_add(size)) {
            Some(next) if next <= hi && next > lo => lo = next,
            _ => return,
        }
    }
}

/// A short Chinese description of an occupant, for error messages.
pub fn describe(h: &Holder) -> String {
    match h {
        Holder::Delegated(n) => format!("已委派给 {n}"),
        Holder::Assigned { number, assignee } => format!("分配记录 {number}，使用单位 {assignee}"),
        Holder::Reserved(note) => format!("保留：{note}"),
        Holder::Quarantined { until_ms } => format!("隔离期至 {until_ms}"),
    }
}
