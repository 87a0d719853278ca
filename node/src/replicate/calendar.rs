//! The working-day calendar the region publishes, taken in below it.

use extranet_federation::Envelope;

use super::decoded::decoded;
use crate::codec;
use crate::store::{Tx, TxResult};

/// A node takes in a calendar the region published, if it is newer than
/// the one it holds (a repeated or older version changes nothing).
pub(super) fn record_calendar(tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
    if event.origin.parent().is_some() {
        tracing::warn!(origin = %event.origin, "calendar not published by the region ignored");
        return Ok(());
    }
    let Some(doc) = decoded(tx, event, codec::decode_calendar(&event.payload))? else { return Ok(()) };
    if tx.put_calendar(&doc)? {
        tracing::info!(version = doc.version, origin = %event.origin, "calendar version taken in");
    }
    Ok(())
}
