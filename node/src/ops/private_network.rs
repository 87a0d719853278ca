//! The register of non-classified private networks at its own node (Art.5,
//! Art.9, Art.10): the operator — the jurisdiction's competent authority —
//! registers an existing network and records its planned migration day,
//! its migration and the end of its lease fees. Each write stores the
//! network, moves its counters and sends the whole record to every
//! ancestor (`private-network.v1`) in one transaction; it is answered once
//! durable.

use extranet_federation::Route;

use super::idempotency;
use crate::codec;
use crate::domain::private_network::PrivateNetworkDetails;
use crate::domain::{PrivateNetwork, PrivateNetworkAction, PrivateNetworkId, limits};
use crate::error::{NodeError, Result};
use crate::store::{NodeStore, Tx, TxResult, abort};

/// Registers a private network of this node's jurisdiction from `req`, by `by`.
pub async fn register(store: &NodeStore, req: PrivateNetworkDetails, by: &str) -> Result<PrivateNetwork> {
    let n = store.transact(|tx| {
        let id = PrivateNetworkId { origin: tx.me().clone(), number: tx.next_number("private_network")? };
        let n = PrivateNetwork::register(id, req.clone(), tx.now_ms(), by).or_else(abort)?;
        write(tx, &n)?;
        idempotency::record(tx, || codec::private_network_to_pb(&n))?;
        Ok(n)
    })?;
    store.sync().await?;
    tracing::info!(network = %n.id, status = n.status().zh(), by, "private network registered");
    Ok(n)
}

/// Takes `action` (with `note`) on network `key`, which this node must
/// have registered, by `by`.
pub async fn update(
    store: &NodeStore,
    key: &str,
    action: PrivateNetworkAction,
    note: &str,
    by: &str,
) -> Result<PrivateNetwork> {
    let n = store.transact(|tx| {
        let mut n = owned(tx, key)?;
        n.act(action, note, tx.now_ms(), by).or_else(abort)?;
        write(tx, &n)?;
        idempotency::record(tx, || codec::private_network_to_pb(&n))?;
        Ok(n)
    })?;
    store.sync().await?;
    tracing::info!(network = %n.id, status = n.status().zh(), fees_still_paid = n.fees_still_paid(), by, "private network step");
    Ok(n)
}

/// The network `key`, which this node must own.
fn owned(tx: &Tx<'_>, key: &str) -> TxResult<PrivateNetwork> {
    let n = tx
        .private_network(key)?
        .ok_or_else(|| NodeError::NotFound(format!("本节点没有编号为 {key} 的非涉密业务专网")))
        .or_else(abort)?;
    if &n.id.origin != tx.me() {
        return abort(NodeError::PermissionDenied(format!(
            "非涉密业务专网 {key} 由 {} 的主管部门登记维护（第十条），本节点只保存其上报的副本",
            n.id.origin
        )));
    }
    Ok(n)
}

/// Within a write: stores the network and sends it up.
fn write(tx: &mut Tx<'_>, n: &PrivateNetwork) -> TxResult<()> {
    let payload = codec::encode_private_network(n);
    limits::event_payload("private_network", payload.len()).or_else(abort)?;
    tx.put_private_network(n)?;
    tx.emit(Route::Up, codec::KIND_PRIVATE_NETWORK, payload)?;
    Ok(())
}
