//! The relay rules: which streams travel over which link, and in which
//! direction. These two rules are the whole authorisation model of the sync
//! protocol: a child can only feed its parent events born in its own
//! subtree, and a parent can only feed a child down events born at or above
//! it. (Named "relay", not "routing": in the node, routing is Art.15's
//! choice of the competent level, a different thing.)

use extranet_certs::NodeId;

use crate::{Channel, FedError, StreamId};

/// The peer at the other end of a link, seen from this node.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum PeerRole {
    /// Our parent: we dialled it; it sends us down events.
    Parent(NodeId),
    /// One of our direct children: it dialled us; it sends us up events.
    Child(NodeId),
}

impl PeerRole {
    /// The peer's node.
    pub fn node(&self) -> &NodeId {
        match self {
            PeerRole::Parent(n) | PeerRole::Child(n) => n,
        }
    }

    /// Whether this node (`me`) sends `stream` to the peer: to the parent the
    /// up streams of our own subtree; to a child the down streams of
    /// ourselves and our ancestors.
    pub fn sends(&self, me: &NodeId, stream: &StreamId) -> bool {
        match self {
            PeerRole::Parent(_) => stream.channel == Channel::Up && stream.origin.is_within(me),
            PeerRole::Child(_) => stream.channel == Channel::Down && me.is_within(&stream.origin),
        }
    }

    /// Whether this node (`me`) accepts `stream` from the peer: from a child
    /// the up streams of that child's subtree; from the parent the down
    /// streams of the parent and its ancestors.
    pub fn accepts(&self, me: &NodeId, stream: &StreamId) -> bool {
        match self {
            PeerRole::Child(c) => stream.channel == Channel::Up && stream.origin.is_within(c),
            PeerRole::Parent(_) => stream.channel == Channel::Down && stream.origin.is_ancestor_of(me),
        }
    }

    /// Whether the peer may send this node (`me`) events of `stream`, one of
    /// our *own* streams, back for recovery after a restore: our up stream
    /// from the parent (it holds what we sent it), our down stream from a
    /// child. The only case in which own-origin events are accepted.
    pub fn returns_own(&self, me: &NodeId, stream: &StreamId) -> bool {
        &stream.origin == me
            && match self {
                PeerRole::Parent(_) => stream.channel == Channel::Up,
                PeerRole::Child(_) => stream.channel == Channel::Down,
            }
    }

    /// The peer's own stream that this node holds and may send back to it
    /// for recovery (see [`PeerRole::returns_own`], seen from the other end).
    pub fn peers_own(&self) -> StreamId {
        match self {
            PeerRole::Parent(p) => StreamId { origin: p.clone(), channel: Channel::Down },
            PeerRole::Child(c) => StreamId { origin: c.clone(), channel: Channel::Up },
        }
    }

    /// This node's own stream the peer holds (and may send back).
    pub fn own_held_by_peer(&self, me: &NodeId) -> StreamId {
        match self {
            PeerRole::Parent(_) => StreamId { origin: me.clone(), channel: Channel::Up },
            PeerRole::Child(_) => StreamId { origin: me.clone(), channel: Channel::Down },
        }
    }

    /// Whether the peer may be on the other end at all: a parent must be our
    /// parent, a child must be our direct child.
    pub fn is_related(&self, me: &NodeId) -> bool {
        match self {
            PeerRole::Parent(p) => me.parent().as_ref() == Some(p),
            PeerRole::Child(c) => c.parent().as_ref() == Some(me),
        }
    }
}

/// Refuses something the authenticated `peer` tried: logs it with the
/// peer's identity (an operator must be able to see who tried what) and
/// returns the error that ends the session.
pub fn refuse(peer: &NodeId, reason: String) -> FedError {
    tracing::warn!(peer = %peer, %reason, "拒绝对端请求并结束会话");
    FedError::Refused { peer: peer.clone(), reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> NodeId {
        NodeId::parse(s).unwrap()
    }

    fn up(o: &str) -> StreamId {
        StreamId { origin: n(o), channel: Channel::Up }
    }

    fn down(o: &str) -> StreamId {
        StreamId { origin: n(o), channel: Channel::Down }
    }

    #[test]
    fn parent_link_rules() {
        let me = n("540000/540100");
        let parent = PeerRole::Parent(n("540000"));
        assert!(parent.is_related(&me));
        assert!(parent.sends(&me, &up("540000/540100")));
        assert!(parent.sends(&me, &up("540000/540100/540102")));
        assert!(!parent.sends(&me, &up("540000/540200")));
        assert!(!parent.sends(&me, &down("540000/540100")));
        assert!(parent.accepts(&me, &down("540000")));
        assert!(!parent.accepts(&me, &down("540000/540100")));
        assert!(!parent.accepts(&me, &down("540000/540200")));
        assert!(!parent.accepts(&me, &up("540000")));
    }

    #[test]
    fn child_link_rules() {
        let me = n("540000/540100");
        let child = PeerRole::Child(n("540000/540100/540102"));
        assert!(child.is_related(&me));
        assert!(!PeerRole::Child(n("540000/540200/540202")).is_related(&me));
        assert!(child.sends(&me, &down("540000/540100")));
        assert!(child.sends(&me, &down("540000")));
        assert!(!child.sends(&me, &down("540000/540100/540103")));
        assert!(!child.sends(&me, &up("540000/540100")));
        assert!(child.accepts(&me, &up("540000/540100/540102")));
        assert!(!child.accepts(&me, &up("540000/540100/540103")));
        assert!(!child.accepts(&me, &up("540000/540100")));
        assert!(!child.accepts(&me, &down("540000/540100/540102")));
    }
}
