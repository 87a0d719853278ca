//! Re-applying this node's own events when a peer hands them back.
//!
//! A node restored from an older backup has lost what it wrote after the
//! backup, but its peers hold copies: its parent its up stream, its children
//! its down stream. The federation engine takes those events back
//! ([`extranet_federation::EventStore::accept_own_recovered`]) before the
//! node writes again; this puts them back into the node's own records, so a
//! filing acknowledged to an operator is there again and its number is never
//! issued twice. What is not re-applied (kinds other than filings) is still
//! stored — its sequence number is never reused — and listed among the
//! events not applied, so `extranet status` says so.

use extranet_federation::Envelope;

use crate::codec;
use crate::replicate::decoded;
use crate::store::{Tx, TxResult};

/// Re-applies `event`, one of this node's own, within `tx`.
pub fn recover_own(tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
    match event.kind.as_str() {
        codec::KIND_FILING => restore_filing(tx, event),
        _ => tx.record_unapplied(event, "从对端恢复的本节点事件：已保存（序号不会再次签发），未重新应用到本节点记录"),
    }
}

/// The filing back in the own records, and the filing counter past it.
fn restore_filing(tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
    let Some(filing) = decoded(tx, event, codec::decode_filing(&event.payload))? else { return Ok(()) };
    if &filing.id.origin != tx.me() {
        return tx.record_unapplied(event, "恢复的备案事件所载备案不属于本节点");
    }
    if tx.filing(&filing.id.key())?.is_none() {
        tx.put_filing(&filing)?;
    }
    tracing::warn!(filing = %filing.id, "own filing recovered from a peer after a restore");
    tx.raise_number("filing", filing.id.number)
}
