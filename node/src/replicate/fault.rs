//! Fault tickets replicated up the tree: every ancestor keeps the latest
//! copy of each ticket reported below it (the highest revision wins, so a
//! late relay never undoes a newer step), and a node restored from an old
//! backup takes its own tickets back from its parent.

use extranet_federation::Envelope;

use super::decoded::decoded;
use crate::codec;
use crate::store::{Tx, TxResult};

/// An ancestor records a ticket from its subtree.
pub(super) fn record_fault(tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
    let Some(ticket) = decoded(tx, event, codec::decode_fault(&event.payload))? else { return Ok(()) };
    if ticket.id.origin != event.origin {
        tracing::warn!(origin = %event.origin, fault = %ticket.id, "fault event whose ticket names another origin ignored");
        return Ok(());
    }
    tx.put_fault(&ticket)?;
    Ok(())
}

/// This node's own ticket, handed back by a peer after a restore: back in
/// its records (unless a later revision is held), its counter past it.
pub(super) fn restore_fault(tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
    let Some(ticket) = decoded(tx, event, codec::decode_fault(&event.payload))? else { return Ok(()) };
    if &ticket.id.origin != tx.me() {
        return tx.record_unapplied(event, "恢复的故障事件所载故障不属于本节点");
    }
    tx.put_fault(&ticket)?;
    tracing::warn!(fault = %ticket.id, "own fault ticket recovered from a peer after a restore");
    tx.raise_number("fault", ticket.id.number)
}
