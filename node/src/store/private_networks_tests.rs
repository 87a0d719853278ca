//! The private networks' counters (issue 11: moved in each write, never a
//! scan): own networks by status, the fees still paid and the migrations
//! by year; own and replicated ones for the annual report's
//! `private_networks_migrated_in`; an older revision changes nothing; and
//! a recount on open gives the same counters.

use std::sync::Arc;

use super::figures::MARKER;
use super::{NodeStore, TreeId, fixtures_private_networks::private_network};
use crate::domain::private_network::PrivateNetworkDetails;
use crate::domain::{PrivateNetwork, PrivateNetworkAction, PrivateNetworkId};
use crate::error::NodeError;

const ME: &str = "540000/540100";
const NOW: i64 = 1_764_500_000_000; // 2025-11-30 Beijing

fn open(dir: &std::path::Path) -> NodeStore {
    NodeStore::open(dir, ME.parse().unwrap(), Arc::new(crate::replicate::DomainApplier::without_pki())).unwrap()
}

fn own(number: u64, migrated_on: Option<&str>) -> PrivateNetwork {
    let req = PrivateNetworkDetails {
        owner_department: "拉萨市医疗保障局".into(),
        name: format!("拉萨市医保专网 {number}"),
        scope: "拉萨市".into(),
        link_count: 3,
        links: String::new(),
        planned_on: None,
        migrated_on: migrated_on.map(|d| d.parse().unwrap()),
        lease_fees_stopped: false,
        notes: String::new(),
    };
    PrivateNetwork::register(PrivateNetworkId { origin: ME.parse().unwrap(), number }, req, NOW, "op").unwrap()
}

fn privnet_counters(store: &NodeStore) -> Vec<(Vec<u8>, Vec<u8>)> {
    store
        .view(|t| {
            let mut out = Vec::new();
            for item in t.scan_prefix(TreeId::Figures, b"privnet/") {
                out.push(item?);
            }
            Ok::<_, NodeError>(out)
        })
        .unwrap()
}

#[tokio::test]
async fn own_and_replicated_networks_count_in_each_write_and_a_recount_agrees() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let mut planned = own(2, None);
    planned.act(PrivateNetworkAction::Plan { on: "2026-06-30".parse().unwrap() }, "", NOW, "op").unwrap();
    store
        .transact(|tx| {
            tx.put_private_network(&own(1, None))?;
            tx.put_private_network(&planned)?;
            tx.put_private_network(&own(3, Some("2024-05-01")))?;
            tx.put_private_network(&private_network()) // a county's, migrated 2025 with fees stopped
        })
        .unwrap();
    let f = store.figures("2025-11-30".parse().unwrap()).unwrap().private_networks;
    assert_eq!((f.total, f.fees_still_paid), (3, 1), "own only: {f:?}");
    let by: Vec<_> = f.by_status.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(by, [("migrated", 1), ("planned", 1), ("unplanned", 1)]);
    assert_eq!(f.migrated_by_year.into_iter().collect::<Vec<_>>(), [(2024, 1)]);
    assert_eq!(
        (store.private_networks_migrated_in(2025).unwrap(), store.private_networks_migrated_in(2024).unwrap()),
        (1, 1)
    );
    // a step moves the counters; an older copy arriving late changes nothing
    let mut done = planned.clone();
    done.act(PrivateNetworkAction::Migrated { on: "2025-11-29".parse().unwrap() }, "", NOW, "op").unwrap();
    let written = store.transact(|tx| Ok((tx.put_private_network(&done)?, tx.put_private_network(&planned)?))).unwrap();
    assert_eq!(written, (true, false));
    let f = store.figures("2025-11-30".parse().unwrap()).unwrap().private_networks;
    assert_eq!((f.by_status.get("planned"), f.by_status.get("migrated"), f.fees_still_paid), (None, Some(&2), 2));
    assert_eq!(store.private_networks_migrated_in(2025).unwrap(), 2, "the county's and this node's");
    // counted afresh on open, the counters are the same
    let counted = privnet_counters(&store);
    store.transact(|tx| tx.remove(TreeId::Figures, MARKER)).unwrap();
    store.close();
    store.closed().await;
    drop(store);
    let reopened = open(dir.path());
    assert_eq!(privnet_counters(&reopened), counted);
    reopened.close();
}
