//! Security incidents reported up: every ancestor keeps the latest copy of
//! each incident its authority reported up below it (the highest revision
//! wins, so a late relay never undoes a newer step, and a relay that
//! arrives twice is one incident), and a node restored from an old backup
//! takes its own back from its parent.

use extranet_federation::Envelope;

use super::decoded::decoded;
use crate::codec;
use crate::store::{Tx, TxResult};

/// An ancestor records an incident reported up from its subtree.
pub(super) fn record_incident(tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
    let Some(i) = decoded(tx, event, codec::decode_incident(&event.payload))? else { return Ok(()) };
    if i.id.origin != event.origin {
        tracing::warn!(origin = %event.origin, incident = %i.id, "incident event naming another origin ignored");
        return Ok(());
    }
    tx.put_incident(&i)?;
    Ok(())
}

/// This node's own incident, handed back by its parent after a restore:
/// back in its records (unless a later revision is held), its counter past it.
pub(super) fn restore_incident(tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
    let Some(i) = decoded(tx, event, codec::decode_incident(&event.payload))? else { return Ok(()) };
    if &i.id.origin != tx.me() {
        return tx.record_unapplied(event, "恢复的安全事件事件所载事件不属于本节点");
    }
    tx.put_incident(&i)?;
    tracing::warn!(incident = %i.id, "own incident recovered from a peer after a restore");
    tx.raise_number("incident", i.id.number)
}
