//! Disconnection orders replicated up the tree: every ancestor keeps
//! the latest copy of each order issued below it (the highest
//! revision wins, so a late relay never undoes a newer step), and a node
//! restored from an old backup takes its own back from its parent.

use extranet_federation::Envelope;

use super::decoded::decoded;
use crate::codec;
use crate::store::{Tx, TxResult};

/// An ancestor records an order from its subtree (the unit is shown disconnected there).
pub(super) fn record_order(tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
    let Some(i) = decoded(tx, event, codec::decode_order(&event.payload))? else { return Ok(()) };
    if i.id.origin != event.origin {
        tracing::warn!(origin = %event.origin, order = %i.id, "order event naming another origin ignored");
        return Ok(());
    }
    tx.put_order(&i)?;
    Ok(())
}

/// This node's own order, handed back by a peer after a restore:
/// back in its records (unless a later revision is held), its counter past it.
pub(super) fn restore_order(tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
    let Some(i) = decoded(tx, event, codec::decode_order(&event.payload))? else { return Ok(()) };
    if &i.id.origin != tx.me() {
        return tx.record_unapplied(event, "恢复的中断连接通知事件所载通知不属于本节点");
    }
    tx.put_order(&i)?;
    tracing::warn!(order = %i.id, "own order recovered from a peer after a restore");
    tx.raise_number("order", i.id.number)
}
