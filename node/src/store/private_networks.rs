//! The register of non-classified private networks in the store (Art.5,
//! Art.9, Art.10): the registering node's own networks and the copies its
//! ancestors hold (a copy is replaced only by a higher revision, so an old
//! event relayed late never undoes a newer step).
//!
//! Each write moves the record's share of the counters in the same
//! transaction (issue 11: O(1) per write, however long the register): an
//! own network counts once in the total, once under its status, as still
//! paying fees once migrated without them stopped, and under the year its
//! migration was done; every network held — own or replicated from below —
//! also counts under `privnet/held/migrated/<year>`, which is what
//! [`NodeStore::private_networks_migrated_in`] reads for the annual report.

use std::collections::BTreeMap;

use extranet_certs::NodeId;

use super::counter::{Share, by_year, counts, read_counter};
use super::{NodeStore, TreeId, Tx, TxResult, keys};
use crate::domain::Choice;
use crate::domain::PrivateNetwork;
use crate::error::Result;

/// A network's share of the counters (see the module).
pub(super) fn private_network_share(me: &NodeId, n: &PrivateNetwork) -> Share {
    let mut share = Vec::new();
    if let Some(year) = n.migrated_year() {
        share.push((format!("privnet/held/migrated/{year}").into_bytes(), 1));
    }
    if &n.id.origin != me {
        return share;
    }
    share.push((b"privnet/own/total".to_vec(), 1));
    share.push((format!("privnet/own/status/{}", n.status().value()).into_bytes(), 1));
    if n.fees_still_paid() {
        share.push((b"privnet/own/fees-still-paid".to_vec(), 1));
    }
    if let Some(year) = n.migrated_year() {
        share.push((format!("privnet/own/migrated/{year}").into_bytes(), 1));
    }
    share
}

/// This node's own private networks, from the counters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PrivateNetworkCounts {
    /// Registered here.
    pub total: u64,
    /// By status value (`unplanned`, `planned`, `migrated`).
    pub by_status: BTreeMap<String, u64>,
    /// Migrated with lease fees still paid.
    pub fees_still_paid: u64,
    /// Migrated, by the year migration was done.
    pub migrated_by_year: BTreeMap<i32, u64>,
}

/// The own networks' counts.
pub(super) fn private_network_counts(t: &dyn super::engine::Engine) -> Result<PrivateNetworkCounts> {
    let one = |k: &str| -> Result<u64> { Ok(counts(t, k)?.first().map_or(0, |(_, n)| *n)) };
    Ok(PrivateNetworkCounts {
        total: one("privnet/own/total")?,
        by_status: counts(t, "privnet/own/status/")?.into_iter().collect(),
        fees_still_paid: one("privnet/own/fees-still-paid")?,
        migrated_by_year: by_year(counts(t, "privnet/own/migrated/")?),
    })
}

impl NodeStore {
    /// One private network held here, by key (`540102-N000001`).
    pub fn private_network(&self, key: &str) -> Result<Option<PrivateNetwork>> {
        self.view(|t| t.get(TreeId::PrivateNetworks, key.as_bytes())?.map(|v| keys::decode(&v)).transpose())
    }

    /// Every private network held here: registered here, or below.
    pub fn private_networks(&self) -> Result<Vec<PrivateNetwork>> {
        self.view(|t| t.iter(TreeId::PrivateNetworks).map(|item| keys::decode(&item?.1)).collect())
    }

    /// How many of the private networks held here — this node's own and
    /// those replicated from its subtree — were migrated in `year` (by the
    /// day migration was done): one counter read, for the annual report
    /// (Art.10: 按要求向上级政务外网主管部门报送年度工作开展情况).
    pub fn private_networks_migrated_in(&self, year: i32) -> Result<u64> {
        self.view(|t| {
            let key = format!("privnet/held/migrated/{year}");
            Ok(u64::try_from(read_counter(t.get(TreeId::Figures, key.as_bytes())?.as_deref())?).unwrap_or(u64::MAX))
        })
    }
}

impl Tx<'_> {
    /// A private network held here.
    pub fn private_network(&self, key: &str) -> TxResult<Option<PrivateNetwork>> {
        self.read(TreeId::PrivateNetworks, key.as_bytes())
    }

    /// Writes a private network unless one of the same or a later revision
    /// is held, moving its counters; returns whether it was written.
    pub fn put_private_network(&mut self, n: &PrivateNetwork) -> TxResult<bool> {
        self.put_revised(TreeId::PrivateNetworks, &n.id.key(), n, private_network_share)
    }
}
