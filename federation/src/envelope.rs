//! Envelopes: what the federation moves. An envelope names its origin, its
//! place in the origin's sequence and where it is going; its payload is opaque.

use extranet_certs::NodeId;
use serde::{Deserialize, Serialize};

/// The two replicated sequences every origin keeps. Up events reach every
/// ancestor of the origin; down events reach every descendant of it. Keeping
/// them apart keeps each sequence dense at every receiver, so a receiver can
/// always tell a gap from a filtered event.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
pub enum Channel {
    /// Towards the region (filings, status, reports).
    Up,
    /// Towards the leaves (receipts, delegations, decisions, notices,
    /// calendars, revocation lists).
    Down,
}

/// One replicated sequence: an origin's up or down events.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
pub struct StreamId {
    /// The node that wrote the events.
    pub origin: NodeId,
    /// Which of its sequences.
    pub channel: Channel,
}

/// Where a down event takes effect. The origin's children store it and
/// relay it to those of their children whose subtree it reaches into
/// ([`Scope::reaches_into`]); only nodes in scope hand it to their domain.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
pub enum Scope {
    /// Exactly this node.
    Node(NodeId),
    /// This node and everything below it.
    Subtree(NodeId),
}

impl Scope {
    /// Whether `node` is in scope.
    pub fn covers(&self, node: &NodeId) -> bool {
        match self {
            Scope::Node(n) => n == node,
            Scope::Subtree(n) => node.is_within(n),
        }
    }

    /// Whether any node of `root`'s subtree is in scope: the event must
    /// reach `root` (to take effect there or be relayed on), else a
    /// parent may skip it for `root` ([`crate::Frame::Skip`]).
    pub fn reaches_into(&self, root: &NodeId) -> bool {
        match self {
            Scope::Node(n) => n.is_within(root),
            Scope::Subtree(n) => n.is_within(root) || root.is_within(n),
        }
    }
}

/// Where an event goes when its origin writes it.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
pub enum Route {
    /// To every ancestor of the origin.
    Up,
    /// To the descendants of the origin, taking effect within the scope.
    Down(Scope),
}

impl Route {
    /// The channel an event on this route is sequenced in.
    pub fn channel(&self) -> Channel {
        match self {
            Route::Up => Channel::Up,
            Route::Down(_) => Channel::Down,
        }
    }
}

/// One event, exactly as its origin wrote it. Identified by
/// (origin, channel, seq); relays never change any field.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Envelope {
    /// The node that wrote it.
    pub origin: NodeId,
    /// Dense per (origin, channel), from 1.
    pub seq: u64,
    /// Where it goes; its channel is `route.channel()`.
    pub route: Route,
    /// The payload's type, e.g. `filing.v1`; the federation never reads it.
    pub kind: String,
    /// The payload, encoded by whoever owns `kind`.
    pub payload: Vec<u8>,
    /// When the origin wrote it, Unix milliseconds.
    pub created_at_ms: i64,
}

impl Envelope {
    /// The stream this event belongs to.
    pub fn stream(&self) -> StreamId {
        StreamId { origin: self.origin.clone(), channel: self.route.channel() }
    }

    /// Whether the node `me` should hand this event to its domain (as opposed
    /// to only storing and relaying it): up events take effect at every
    /// ancestor; down events where their scope covers `me`.
    pub fn takes_effect_at(&self, me: &NodeId) -> bool {
        match &self.route {
            Route::Up => me.is_ancestor_of(&self.origin),
            Route::Down(scope) => me != &self.origin && scope.covers(me),
        }
    }
}
