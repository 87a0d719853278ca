//! Fixture sample of a private network (Art.5): registered, planned,
//! migrated and its lease fees stopped. Its stored bytes and its
//! `private-network.v1` payload are checked in like every other record's
//! (`fixtures.rs`).

use crate::domain::private_network::PrivateNetworkDetails;
use crate::domain::{PrivateNetwork, PrivateNetworkAction, PrivateNetworkId};
use extranet_certs::NodeId;

/// A county's network: registered, planned, migrated, fees stopped.
pub(crate) fn private_network() -> PrivateNetwork {
    let req =
        PrivateNetworkDetails { notes: "2019 年建成".into(), ..crate::domain::testing::private_network_details() };
    let id = PrivateNetworkId { origin: NodeId::parse("540000/540100/540102").unwrap(), number: 1 };
    let mut n = PrivateNetwork::register(id, req, 1_764_000_000_000, "operator").unwrap();
    let plan = PrivateNetworkAction::Plan { on: "2025-11-30".parse().unwrap() };
    n.act(plan, "", 1_764_000_100_000, "operator").unwrap();
    let done = PrivateNetworkAction::Migrated { on: "2025-11-28".parse().unwrap() };
    n.act(done, "割接至政务外网", 1_764_300_000_000, "operator").unwrap();
    n.act(PrivateNetworkAction::FeesStopped, "财政已停拨", 1_764_400_000_000, "operator").unwrap();
    n
}
