//! The working-day calendars taken in: the region's below it, a
//! prefecture's local one in its subtree (and as a copy above it).

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

/// A node takes in a prefecture's local calendar: below the prefecture it
/// applies (its subtree's calendar), above it it is a copy for oversight,
/// used only for the deadlines of that subtree. Only from the prefecture
/// itself; a newer version of that prefecture's replaces the one held.
pub(super) fn record_local_calendar(tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
    let Some(local) = decoded(tx, event, codec::decode_local_calendar(&event.payload))? else { return Ok(()) };
    let me = tx.me().clone();
    let related = me.is_within(&local.subtree) || me.is_ancestor_of(&local.subtree);
    if local.subtree != event.origin || local.subtree.depth() != 2 || !related {
        tracing::warn!(origin = %event.origin, subtree = %local.subtree, "local calendar not from its prefecture ignored");
        return Ok(());
    }
    if tx.put_local_calendar(&local)? {
        tracing::info!(version = local.doc.version, subtree = %local.subtree, "local calendar version taken in");
    }
    Ok(())
}
