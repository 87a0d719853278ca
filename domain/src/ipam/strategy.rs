//! Where new space goes. Assignments: aligned best-fit, so the smallest free
//! block that fits is used up first and large blocks stay whole.
//! Delegations: sparse, by bisection (RFC 3531's spirit, as the RIRs do):
//! each new child starts at the beginning of the largest free block, which
//! keeps the space after every earlier child free for as long as possible,
//! so a child that needs more can usually grow in place.

use extranet_ids::NodeId;
use ipnet::IpNet;

use super::pool::{Holder, Pool};
use super::records::AssigneeId;
use crate::error::{DomainError, Result};

impl Pool {
    /// The smallest free block of at least `/len`, lowest address first,
    /// cut to its first `/len`.
    pub fn best_fit(&self, len: u8, v6: bool) -> Option<IpNet> {
        let blocks = self.free_blocks(v6);
        let best = blocks.iter().filter(|b| b.prefix_len() <= len).max_by(|a, b| {
            // longest prefix (smallest block) wins; on a tie the lower address.
            a.prefix_len().cmp(&b.prefix_len()).then(b.network().cmp(&a.network()))
        })?;
        IpNet::new(best.network(), len).ok()
    }

    /// The largest free block, lowest address first, cut to its first `/len`.
    pub fn sparse_fit(&self, len: u8, v6: bool) -> Option<IpNet> {
        let blocks = self.free_blocks(v6);
        let best = blocks
            .iter()
            .filter(|b| b.prefix_len() <= len)
            .min_by(|a, b| a.prefix_len().cmp(&b.prefix_len()).then(a.network().cmp(&b.network())))?;
        IpNet::new(best.network(), len).ok()
    }

    /// Assigns the best-fitting free `/len` to `assignee` under assignment
    /// `number`, after releasing quarantine that ended by `now_ms`.
    pub fn assign(&mut self, len: u8, v6: bool, number: u64, assignee: &AssigneeId, now_ms: i64) -> Result<IpNet> {
        self.release_expired(now_ms);
        let net = self.best_fit(len, v6).ok_or_else(|| exhausted(len))?;
        self.insert("length", net, Holder::Assigned { number, assignee: assignee.clone() })?;
        Ok(net)
    }

    /// Delegates a sparse free `/len` to `child`.
    pub fn delegate(&mut self, len: u8, v6: bool, child: &NodeId, now_ms: i64) -> Result<IpNet> {
        self.release_expired(now_ms);
        let net = self.sparse_fit(len, v6).ok_or_else(|| exhausted(len))?;
        self.insert("length", net, Holder::Delegated(child.clone()))?;
        Ok(net)
    }

    /// The block `net` would become if it grew in place by one bit: its
    /// supernet, when that lies in the same root and its other half is free.
    pub fn growth_of(&self, net: &IpNet) -> Option<IpNet> {
        let root = self.root_of(net)?;
        let sup = net.supernet().filter(|s| root.contains(s))?;
        let sibling = sup.subnets(net.prefix_len()).ok()?.find(|s| s != net)?;
        self.overlapping(&sibling).is_none().then_some(sup)
    }

    /// Grows a delegation to `child` in place by one bit, if the space
    /// beside it is free; returns the grown prefix.
    pub fn grow_delegation(&mut self, net: &IpNet, child: &NodeId, now_ms: i64) -> Option<IpNet> {
        self.release_expired(now_ms);
        if self.holder(net) != Some(&Holder::Delegated(child.clone())) {
            return None;
        }
        let sup = self.growth_of(net)?;
        self.used.remove(net);
        self.used.insert(sup, Holder::Delegated(child.clone()));
        Some(sup)
    }
}

fn exhausted(len: u8) -> DomainError {
    DomainError::FailedPrecondition(format!("地址池中已没有可用的 /{len} 空间；请向上级申请扩充地址"))
}

#[cfg(test)]
mod unit {
    use super::*;

    fn net(s: &str) -> IpNet {
        s.parse().unwrap()
    }

    fn region() -> Pool {
        let mut p = Pool::new();
        p.add_root(net("2408:8000::/32")).unwrap();
        p
    }

    #[test]
    fn delegations_bisect_the_pool() {
        let mut p = region();
        let kids: Vec<NodeId> = (1..=4).map(|i| NodeId::parse(&format!("540000/5401{i:02}")).unwrap()).collect();
        let got: Vec<String> = kids.iter().map(|k| p.delegate(40, true, k, 0).unwrap().to_string()).collect();
        assert_eq!(got, ["2408:8000::/40", "2408:8000:8000::/40", "2408:8000:4000::/40", "2408:8000:c000::/40"]);
        // each child can grow in place
        assert_eq!(p.growth_of(&net("2408:8000::/40")), Some(net("2408:8000::/39")));
    }

    #[test]
    fn assignments_fill_the_smallest_hole_first() {
        let mut p = Pool::new();
        p.add_root(net("2408:8000:100::/48")).unwrap();
        let u = AssigneeId::new("unit-a").unwrap();
        let a = p.assign(64, true, 1, &u, 0).unwrap();
        let b = p.assign(56, true, 2, &u, 0).unwrap();
        let c = p.assign(64, true, 3, &u, 0).unwrap();
        assert_eq!(a, net("2408:8000:100::/64"));
        assert_eq!(c, net("2408:8000:100:1::/64"), "best fit reuses the small hole beside the first /64");
        assert_eq!(b, net("2408:8000:100:100::/56"));
    }

    #[test]
    fn quarantine_holds_freed_space_until_the_grace_ends() {
        let mut p = Pool::new();
        p.add_root(net("10.1.0.0/30")).unwrap();
        let u = AssigneeId::new("u").unwrap();
        let a = p.assign(30, false, 1, &u, 0).unwrap();
        p.free(&a, 100).unwrap();
        assert!(p.assign(30, false, 2, &u, 99).is_err());
        assert_eq!(p.assign(30, false, 2, &u, 100).unwrap(), a);
    }

    #[test]
    fn outside_the_pool_and_overlap_are_refused() {
        let mut p = region();
        let e = p.insert("prefix", net("2001:db8::/64"), Holder::Reserved("x".into())).unwrap_err();
        assert!(e.to_string().contains("prefix"), "{e}");
        p.insert("prefix", net("2408:8000::/48"), Holder::Reserved("x".into())).unwrap();
        assert!(p.insert("prefix", net("2408:8000::/64"), Holder::Reserved("y".into())).is_err());
        assert!(p.insert("prefix", net("2408:8000::/40"), Holder::Reserved("y".into())).is_err());
        assert!(p.add_root(net("2408:8000:1::/48")).is_err(), "a root inside a root");
    }
}
