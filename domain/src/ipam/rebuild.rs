//! A node's pool as its records imply it: the records are the truth, the
//! pool is derived, so nothing can drift between the two.

use extranet_ids::NodeId;
use ipnet::IpNet;

use super::pool::{Holder, Pool};
use super::records::{Assignment, Delegation, RecordState, Reservation};

/// The records a node's pool is derived from.
#[derive(Clone, Copy)]
pub struct Records<'a> {
    /// The region's configured root pools (empty below the region).
    pub top_roots: &'a [IpNet],
    /// Every delegation held.
    pub delegations: &'a [Delegation],
    /// Every assignment held.
    pub assignments: &'a [Assignment],
    /// This node's reservations.
    pub reservations: &'a [Reservation],
}

/// The pool of `me` for one family at `now_ms`: roots are `top_roots` (the
/// region's configured pools) plus the live delegations to `me`; occupants
/// are its reservations, what `me` delegated and assigned, and what it ended less than
/// `quarantine_ms` ago. A record that cannot be placed (it would break the
/// pool's invariants) is logged and left out, never allowed to corrupt it.
pub fn pool_from_records(me: &NodeId, records: &Records<'_>, v6: bool, now_ms: i64, quarantine_ms: i64) -> Pool {
    let Records { top_roots, delegations, assignments, reservations } = *records;
    let fam = |n: &IpNet| matches!(n, IpNet::V6(_)) == v6;
    let mut pool = Pool::new();
    let received = delegations.iter().filter(|d| &d.child == me && d.is_live()).map(|d| d.prefix);
    for root in top_roots.iter().copied().chain(received).filter(fam) {
        if let Err(e) = pool.add_root(root) {
            tracing::warn!(%root, error = %e, "address root left out of the pool");
        }
    }
    let mut place = |net: IpNet, holder: Holder| {
        if let Err(e) = pool.insert("prefix", net, holder) {
            tracing::warn!(%net, error = %e, "address record left out of the pool");
        }
    };
    let ended = |s: &RecordState| match s {
        RecordState::Ended { at_ms, .. } if at_ms + quarantine_ms > now_ms => {
            Some(Holder::Quarantined { until_ms: at_ms + quarantine_ms })
        }
        _ => None,
    };
    for r in reservations.iter().filter(|r| fam(&r.prefix)) {
        place(r.prefix, Holder::Reserved(r.note.clone()));
    }
    for d in delegations.iter().filter(|d| &d.parent == me && fam(&d.prefix)) {
        match &d.state {
            RecordState::Live => place(d.prefix, Holder::Delegated(d.child.clone())),
            s => {
                if let Some(h) = ended(s) {
                    place(d.prefix, h)
                }
            }
        }
    }
    for a in assignments.iter().filter(|a| &a.id.node == me && fam(&a.prefix)) {
        match &a.state {
            RecordState::Live => {
                place(a.prefix, Holder::Assigned { number: a.id.number, assignee: a.assignee.clone() })
            }
            s => {
                if let Some(h) = ended(s) {
                    place(a.prefix, h)
                }
            }
        }
    }
    pool
}
