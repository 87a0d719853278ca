//! Re-applying this node's own events when a peer hands them back.
//!
//! A node restored from an older backup has lost what it wrote after the
//! backup, but its peers hold copies: its parent its up stream, its children
//! its down stream. The federation engine takes those events back
//! ([`extranet_federation::EventStore::accept_own_recovered`]) before the
//! node writes again; this puts them back into the node's own records, so a
//! filing acknowledged to an operator is there again and its number is never
//! issued twice. Filings and the address records this node owns
//! (delegations it made, its assignments, its requests for space) are put
//! back, with their counters moved past them. What is not re-applied (access
//! messages and deadline summaries) is still stored — its sequence number is
//! never reused — and listed among the events not applied, so
//! `extranet status` says so.

use extranet_federation::Envelope;
use ipnet::IpNet;

use crate::codec;
use crate::replicate::decoded;
use crate::store::{Tx, TxResult};

/// Re-applies `event`, one of this node's own, within `tx`.
pub fn recover_own(tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
    match event.kind.as_str() {
        codec::KIND_FILING => restore_filing(tx, event),
        codec::KIND_IPAM_DELEGATION => restore_delegation(tx, event),
        codec::KIND_IPAM_ASSIGNMENT => restore_assignment(tx, event),
        codec::KIND_IPAM_REQUEST => restore_request(tx, event),
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

/// A delegation this node made, back in its pool records.
fn restore_delegation(tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
    let Some(d) = decoded(tx, event, codec::decode_delegation(&event.payload))? else { return Ok(()) };
    if &d.parent != tx.me() {
        return tx.record_unapplied(event, "恢复的委派事件所载委派不是本节点作出的");
    }
    tx.put_ipam_delegation(&d)?;
    tx.ipam_bump_version(matches!(d.prefix, IpNet::V6(_)))?;
    tx.raise_number("ipam-delegation", d.number)
}

/// An assignment this node made, back in its records.
fn restore_assignment(tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
    let Some(a) = decoded(tx, event, codec::decode_assignment(&event.payload))? else { return Ok(()) };
    if &a.id.node != tx.me() {
        return tx.record_unapplied(event, "恢复的分配事件所载分配不是本节点作出的");
    }
    tx.put_ipam_assignment(&a)?;
    tx.ipam_bump_version(matches!(a.prefix, IpNet::V6(_)))?;
    tx.raise_number("ipam-assignment", a.id.number)
}

/// A request for more space this node made, back in its records (unless a
/// later state of it, such as the parent's decision, is already held).
fn restore_request(tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
    let Some(r) = decoded(tx, event, codec::decode_request(&event.payload))? else { return Ok(()) };
    if &r.id.node != tx.me() {
        return tx.record_unapplied(event, "恢复的扩容申请事件所载申请不是本节点提出的");
    }
    if tx.ipam_request(&r.id.node, r.id.number)?.is_none() {
        tx.put_ipam_request(&r)?;
    }
    tx.raise_number("ipam-request", r.id.number)
}
