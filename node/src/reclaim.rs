//! Where withdrawal (Art.17) meets address management: the one seam between
//! this side and IPAM (issue 4, built separately).
//!
//! When a withdrawal is carried out, [`request_address_reclaim`] runs inside
//! the withdrawal's transaction and records in the ledger entry that the
//! unit's addresses are to be reclaimed (`AddressReclaim::Requested`). The
//! address-management side then calls [`pending_address_reclaims`] to learn
//! which units' addresses to release, and [`confirm_address_reclaim`] once it
//! has released them; nothing here knows what a prefix or a pool is.

use crate::domain::{AddressReclaim, LedgerEntry};
use crate::error::{NodeError, Result};
use crate::store::{NodeStore, Tx, TxResult};

/// Asks for the addresses of the unit in `entry` to be reclaimed; called in
/// the withdrawal's transaction. Today it only records the request; when
/// address management lands, this is where it hooks in if it wants to act
/// within the same write.
pub fn request_address_reclaim(_tx: &mut Tx<'_>, entry: &LedgerEntry) -> TxResult<AddressReclaim> {
    tracing::info!(unit = %entry.unit_id, node = %entry.unit_node, ledger = entry.number, "address reclaim requested");
    Ok(AddressReclaim::Requested)
}

/// Ledger entries whose address reclaim is requested and not yet confirmed.
pub fn pending_address_reclaims(store: &NodeStore) -> Result<Vec<LedgerEntry>> {
    Ok(store.ledger()?.into_iter().filter(|e| e.address_reclaim == AddressReclaim::Requested).collect())
}

/// Records that address management released `released` for ledger entry
/// `number`; returns the updated entry once durable.
pub async fn confirm_address_reclaim(store: &NodeStore, number: u64, released: Vec<String>) -> Result<LedgerEntry> {
    let entry = store.transact(|tx| {
        let Some(mut e) = tx.ledger_entry(number)? else {
            return crate::store::abort(NodeError::NotFound(format!("台账中没有第 {number} 号")));
        };
        e.address_reclaim = AddressReclaim::Done { released: released.clone() };
        tx.put_ledger_entry(&e)?;
        Ok(e)
    })?;
    store.sync().await?;
    Ok(entry)
}
