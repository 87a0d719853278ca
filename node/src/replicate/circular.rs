//! Circulars travelling down: every node of the issuer's subtree keeps the
//! circular (issued once, so a relay that arrives twice changes nothing),
//! and an issuer restored from an old backup takes its own back from its
//! children, its document series moved past it.

use extranet_federation::Envelope;

use super::decoded::decoded;
use crate::calendar::year_of_ms;
use crate::codec;
use crate::store::{Tx, TxResult};

/// A node of the issuer's subtree records a circular from above.
pub(super) fn record_circular(tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
    let Some(c) = decoded(tx, event, codec::decode_circular(&event.payload))? else { return Ok(()) };
    if c.id.origin != event.origin || !tx.me().is_within(&c.id.origin) {
        tracing::warn!(origin = %event.origin, circular = %c.id, "circular event not from an ancestor's authority ignored");
        return Ok(());
    }
    tx.put_circular(&c)?;
    Ok(())
}

/// This node's own circular, handed back by a child after a restore: back
/// in its records, its counters past it (the id and the document's number).
pub(super) fn restore_circular(tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
    let Some(c) = decoded(tx, event, codec::decode_circular(&event.payload))? else { return Ok(()) };
    if &c.id.origin != tx.me() {
        return tx.record_unapplied(event, "恢复的通报事件所载通报不是本节点发布的");
    }
    tx.put_circular(&c)?;
    tracing::warn!(circular = %c.id, "own circular recovered from a peer after a restore");
    let seq = c.notice.number.rsplit_once('通').and_then(|(_, n)| n.trim_end_matches('号').parse().ok());
    if let Some(seq) = seq {
        tx.raise_number(&format!("circular_notice/{}", year_of_ms(c.issued_at_ms)), seq)?;
    }
    tx.raise_number("circular", c.id.number)
}
