//! Maintenance interruptions replicated up the tree: every ancestor keeps
//! the latest copy of each interruption requested below it (the highest
//! revision wins, so a late relay never undoes a newer step), and a node
//! restored from an old backup takes its own back from its parent.

use extranet_federation::Envelope;

use super::decoded::decoded;
use crate::codec;
use crate::store::{Tx, TxResult};

/// An ancestor records an interruption from its subtree.
pub(super) fn record_interruption(tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
    let Some(i) = decoded(tx, event, codec::decode_interruption(&event.payload))? else { return Ok(()) };
    if i.id.origin != event.origin {
        tracing::warn!(origin = %event.origin, interruption = %i.id, "interruption event naming another origin ignored");
        return Ok(());
    }
    tx.put_interruption(&i)?;
    Ok(())
}

/// This node's own interruption, handed back by a peer after a restore:
/// back in its records (unless a later revision is held), its counter past it.
pub(super) fn restore_interruption(tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
    let Some(i) = decoded(tx, event, codec::decode_interruption(&event.payload))? else { return Ok(()) };
    if &i.id.origin != tx.me() {
        return tx.record_unapplied(event, "恢复的中断事件所载中断申请不属于本节点");
    }
    tx.put_interruption(&i)?;
    tracing::warn!(interruption = %i.id, "own interruption recovered from a peer after a restore");
    tx.raise_number("interruption", i.id.number)
}
