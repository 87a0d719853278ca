//! Link health as operators see it: for the parent and every child, whether
//! the link is up, since when, and how much each side owes the other. The
//! outbound backlog is computed from the store, so it is known — and grows
//! visibly — while a link is down, which is exactly when it matters.

use std::collections::BTreeMap;

use extranet_certs::NodeId;

use crate::registry::Registry;
use crate::{Backlog, EventStore, FedError, PeerRole, StreamId};

/// The state of all of a node's links.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct LinkStatus {
    /// This node.
    pub me: NodeId,
    /// The link to the parent; `None` at the top of the federation.
    pub parent: Option<PeerStatus>,
    /// Links to children: every child that ever synced, is connected now, or
    /// is expected by configuration — so a child that never connected shows.
    pub children: Vec<PeerStatus>,
}

/// The state of one link.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PeerStatus {
    /// The peer.
    pub node: NodeId,
    /// Whether a session is up (both Hellos exchanged).
    pub connected: bool,
    /// When the link last went up or down, Unix ms (0 = not since start).
    pub since_ms: i64,
    /// When the last frame arrived from the peer, Unix ms (0 = never since
    /// start).
    pub last_contact_ms: i64,
    /// What we hold for the peer that it has not acknowledged.
    pub outbound: Backlog,
    /// What the peer said it owes us, in its last `Ping`.
    pub inbound: Backlog,
    /// How far the peer's clock runs ahead of ours (negative: behind), ms,
    /// from its last `Ping`; `None` before the first one.
    pub clock_offset_ms: Option<i64>,
}

/// What we owe a peer: for every stream in `ours` (our cursors of the
/// streams we send it), the events above what it acknowledged in `acked`;
/// the oldest is the first unacknowledged event of any stream.
pub(crate) fn backlog<S: EventStore>(
    store: &S,
    ours: &[(StreamId, u64)],
    acked: &BTreeMap<StreamId, u64>,
) -> Result<Backlog, FedError> {
    let mut out = Backlog::default();
    for (stream, cursor) in ours {
        let done = acked.get(stream).copied().unwrap_or(0);
        if *cursor <= done {
            continue;
        }
        out.count += cursor - done;
        if let Some(first) = store.read(stream, done, 1)?.first() {
            let t = first.created_at_ms;
            if out.oldest_created_at_ms == 0 || t < out.oldest_created_at_ms {
                out.oldest_created_at_ms = t;
            }
        }
    }
    Ok(out)
}

/// Our cursors of the streams we send to `role`'s peer.
pub(crate) fn sent_streams(all: &[(StreamId, u64)], me: &NodeId, role: &PeerRole) -> Vec<(StreamId, u64)> {
    all.iter().filter(|(s, _)| role.sends(me, s)).cloned().collect()
}

/// Builds the status of every link of `me`.
pub(crate) fn link_status<S: EventStore>(store: &S, registry: &Registry, me: &NodeId) -> Result<LinkStatus, FedError> {
    let all = store.cursors()?;
    let parent = match me.parent() {
        Some(p) => Some(peer_status(store, registry, me, &all, PeerRole::Parent(p))?),
        None => None,
    };
    let mut kids = registry.peers();
    kids.extend(store.known_peers()?);
    let mut children = Vec::new();
    for kid in kids.into_iter().filter(|k| k.parent().as_ref() == Some(me)) {
        children.push(peer_status(store, registry, me, &all, PeerRole::Child(kid))?);
    }
    Ok(LinkStatus { me: me.clone(), parent, children })
}

fn peer_status<S: EventStore>(
    store: &S,
    registry: &Registry,
    me: &NodeId,
    all: &[(StreamId, u64)],
    role: PeerRole,
) -> Result<PeerStatus, FedError> {
    let node = role.node().clone();
    let acked: BTreeMap<StreamId, u64> = store.peer_cursors(&node)?.into_iter().collect();
    let outbound = backlog(store, &sent_streams(all, me, &role), &acked)?;
    let live = registry.live(&node);
    Ok(PeerStatus {
        node,
        connected: live.connected,
        since_ms: live.since_ms,
        last_contact_ms: live.last_contact_ms,
        outbound,
        inbound: live.inbound,
        clock_offset_ms: live.clock_offset_ms,
    })
}
