//! What address events do where they take effect. A delegation coming down
//! becomes the child's pool — but only if it names this node and comes from
//! this node's own parent (the engine already refuses down events not from
//! an ancestor; this refuses one from the wrong ancestor, or naming another
//! node). Delegations and assignments going up become replicas above, so
//! any ancestor can verify its subtree.

use extranet_federation::{Envelope, Route};
use ipnet::IpNet;

use super::decoded::decoded;
use crate::codec;
use crate::store::{Tx, TxResult};

/// Applies an `ipam.delegation.v1` event.
pub fn record_delegation(tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
    let Some(d) = decoded(tx, event, codec::decode_delegation(&event.payload))? else { return Ok(()) };
    if d.parent != event.origin {
        tracing::warn!(origin = %event.origin, parent = %d.parent, "delegation naming another parent refused");
        return Ok(());
    }
    match &event.route {
        Route::Down(_) => {
            if &d.child != tx.me() || tx.me().parent().as_ref() != Some(&event.origin) {
                tracing::warn!(origin = %event.origin, child = %d.child, prefix = %d.prefix,
                    "delegation not from this node's parent, or not to this node: refused");
                return Ok(());
            }
            tx.put_ipam_delegation(&d)?;
            tx.ipam_bump_version(matches!(d.prefix, IpNet::V6(_)))?;
            if !d.is_live() {
                tx.mark_ipam_orphan_check()?;
            }
            tracing::info!(prefix = %d.prefix, live = d.is_live(), "delegation from parent applied");
        }
        _ => {
            if &d.parent != tx.me() {
                tx.put_ipam_delegation(&d)?;
            }
        }
    }
    Ok(())
}

/// Applies an `ipam.assignment.v1` event: a replica at an ancestor.
pub fn record_assignment(tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
    let Some(a) = decoded(tx, event, codec::decode_assignment(&event.payload))? else { return Ok(()) };
    if a.id.node != event.origin || &a.id.node == tx.me() {
        tracing::warn!(origin = %event.origin, id = %a.id, "assignment naming another node ignored");
        return Ok(());
    }
    tx.put_ipam_assignment(&a)
}

/// Applies an `ipam.request.v1` event: only the asking node's parent (the
/// owner of the space) records it, to decide it.
pub fn record_request(tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
    let Some(r) = decoded(tx, event, codec::decode_request(&event.payload))? else { return Ok(()) };
    if r.id.node != event.origin || event.origin.parent().as_ref() != Some(tx.me()) {
        return Ok(());
    }
    if tx.ipam_request(&r.id.node, r.id.number)?.is_none() {
        tx.put_ipam_request(&r)?;
    }
    Ok(())
}

/// Applies an `ipam.decision.v1` event at the asking child, if it comes
/// from the child's own parent.
pub fn record_decision(tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
    let Some(r) = decoded(tx, event, codec::decode_request(&event.payload))? else { return Ok(()) };
    if &r.id.node != tx.me() || tx.me().parent().as_ref() != Some(&event.origin) {
        tracing::warn!(origin = %event.origin, id = %r.id, "decision not from this node's parent refused");
        return Ok(());
    }
    tx.put_ipam_request(&r)
}
