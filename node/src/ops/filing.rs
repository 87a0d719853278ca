//! Filing at the origin: a cutover, a system launch or an annual report is
//! recorded and announced up the tree in one write, and answered only once
//! durable.

use extranet_federation::Route;

use super::idempotency;
use crate::codec;
use crate::domain::limits;
use crate::domain::{Filing, FilingDetails, FilingId};
use crate::error::Result;
use crate::store::{NodeStore, Tx, TxResult, abort};

/// Records a filing at its origin and queues its announcement up the tree in
/// the same write; returns once both are durable.
pub async fn file(store: &NodeStore, details: FilingDetails, by: &str) -> Result<Filing> {
    let filing = store.transact(|tx| {
        let f = write_filing(tx, details.clone(), by)?;
        idempotency::record(tx, || codec::filing_to_pb(&f))?;
        Ok(f)
    })?;
    store.sync().await?;
    tracing::info!(filing = %filing.id, kind = filing.details.kind_zh(), by, "filing accepted");
    Ok(filing)
}

/// Within a write: takes the next filing number, records the filing and
/// appends its `filing.v1` event to the up stream (the outbox).
pub fn write_filing(tx: &mut Tx<'_>, details: FilingDetails, by: &str) -> TxResult<Filing> {
    let number = tx.next_number("filing")?;
    let f = Filing {
        id: FilingId { origin: tx.me().clone(), number },
        filed_at_ms: tx.now_ms(),
        filed_by: by.to_string(),
        details,
        receipts: Vec::new(),
    };
    let payload = codec::encode_filing(&f);
    limits::event_payload("filing", payload.len()).or_else(abort)?;
    tx.put_filing(&f)?;
    tx.emit(Route::Up, codec::KIND_FILING, payload)?;
    Ok(f)
}
