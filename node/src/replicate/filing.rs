//! Filings replicated up the tree (逐级报备): each ancestor records a
//! filing from its subtree and answers with its receipt (备案回执), which
//! the origin records.

use extranet_federation::{Envelope, Route, Scope};

use super::decoded::decoded;
use crate::codec;
use crate::domain::Receipt;
use crate::store::{Tx, TxResult};

/// An ancestor records a filing from its subtree (逐级报备) and sends its
/// receipt (备案回执) back down to the origin.
pub(super) fn record_filing(tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
    let Some(mut filing) = decoded(tx, event, codec::decode_filing(&event.payload))? else { return Ok(()) };
    if filing.id.origin != event.origin {
        tracing::warn!(origin = %event.origin, filing = %filing.id, "filing event whose record names another origin ignored");
        return Ok(());
    }
    let receipt = Receipt { node: tx.me().clone(), received_at_ms: tx.now_ms() };
    if let Some(held) = tx.filing(&filing.id.key())? {
        filing.receipts = held.receipts;
    } else {
        filing.receipts.clear();
    }
    filing.add_receipt(receipt.clone());
    tx.put_filing(&filing)?;
    let route = Route::Down(Scope::Node(filing.id.origin.clone()));
    tx.emit(route, codec::KIND_RECEIPT, codec::encode_receipt(&filing.id, &receipt))?;
    Ok(())
}

/// The origin records a receipt from one of its ancestors.
pub(super) fn record_receipt(tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
    let Some((key, receipt)) = decoded(tx, event, codec::decode_receipt(&event.payload))? else { return Ok(()) };
    if receipt.node != event.origin {
        tracing::warn!(origin = %event.origin, "receipt naming another node ignored");
        return Ok(());
    }
    match tx.filing(&key)? {
        Some(mut f) => {
            if f.add_receipt(receipt) {
                tx.put_filing(&f)?;
            }
        }
        None => tracing::warn!(filing = %key, "receipt for a filing not held here ignored"),
    }
    Ok(())
}
