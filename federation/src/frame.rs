//! Frames of the sync protocol, independent of the wire: the gRPC adapter
//! converts them to and from `extranet.v1.SyncFrame`; simulations pass them
//! through channels.

use extranet_certs::NodeId;

use crate::{Envelope, StreamId, Summary};

/// What one side owes the other.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Backlog {
    /// Events not yet acknowledged by the peer.
    pub count: u64,
    /// Creation time of the oldest of them, Unix ms (0 = none).
    pub oldest_created_at_ms: i64,
}

/// A run of one stream's sequence numbers that the sender skips for this
/// receiver (see [`Frame::Scoped`]).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Skipped {
    /// The stream (always a down stream of an origin above the sender).
    pub stream: StreamId,
    /// First sequence skipped: the one after what was sent before.
    pub from: u64,
    /// Last sequence skipped; the receiver's cursor moves here.
    pub through: u64,
}

/// One protocol frame.
#[derive(Clone, PartialEq, Debug)]
pub enum Frame {
    /// Opening frame: who I claim to be and what I already hold of yours.
    Hello {
        /// Claimed identity; must match the authenticated peer.
        node: NodeId,
        /// My cursors for the streams I receive from you, and of my own
        /// stream you hold (so you can send back what I lost in a restore).
        cursors: Vec<(StreamId, u64)>,
        /// Software version.
        version: String,
        /// How long I wait in silence before I judge the link dead (`None`
        /// from an older peer); you ping at least three times within it.
        dead_after: Option<std::time::Duration>,
        /// Whether I take [`Frame::Skip`]: a parent sends such a child only
        /// the relayed down events whose scope reaches into its subtree.
        skips: bool,
    },
    /// Events, in per-stream order.
    Events(Vec<Envelope>),
    /// Events, in per-stream order, with the runs of relayed down events
    /// the receiver will never get because their scope reaches nowhere in
    /// its subtree (only to a child whose `Hello` said `skips`). A run
    /// either ends just before an event of its stream in `events` or comes
    /// after all of them; the receiver moves its cursor past it and stores
    /// nothing. A frame of runs alone is not acknowledged: the next `Ack`
    /// covers it.
    Scoped {
        /// The events.
        events: Vec<Envelope>,
        /// The runs skipped, at most one before each event and one after
        /// the last event of each stream.
        skips: Vec<Skipped>,
    },
    /// Cursors after the preceding events were made durable.
    Ack(Vec<(StreamId, u64)>),
    /// Everything I held at Hello time has been sent.
    CaughtUp,
    /// Keep-alive, with what I owe you.
    Ping {
        /// My backlog towards you.
        owed: Backlog,
        /// My clock, Unix ms.
        sent_at_ms: i64,
    },
    /// The latest status summary of one node of my subtree (child → parent).
    /// The receiver dates it on its own clock at its now less `age_ms`, and
    /// sets the summary's `heard_at_ms` to that; what the sender put there
    /// is ignored.
    Summary {
        /// The summary.
        summary: Summary,
        /// How long ago I heard of it, ms, by my own clock.
        age_ms: i64,
    },
}
