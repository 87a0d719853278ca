//! What the simulated federation promised, as it promised it: events
//! acknowledged to a client (their origin's `sync` returned Ok), cursors a
//! receiver acknowledged to a peer, restores; and every broken invariant
//! found, with when it was found.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use extranet_federation::{Envelope, StreamId};

/// Which invariant broke.
#[derive(Clone, Copy, PartialEq, Eq, Debug, PartialOrd, Ord)]
pub enum Kind {
    /// An event acknowledged to a client is gone.
    LostClientAck,
    /// A receiver acknowledged a cursor it no longer holds after a crash.
    LostPeerAck,
    /// One event applied twice in one node's image.
    AppliedTwice,
    /// A stream's events applied out of order.
    OrderBroken,
    /// A stream held with a hole in it.
    GapSkipped,
    /// A neighbour holds an event a crash took from the node it came through.
    SentBeforeDurable,
    /// A node sent an event, or acknowledged a cursor, it had not yet made
    /// durable (seen on the wire).
    BeforeDurable,
    /// An origin issued a sequence number a node holds with other content.
    SeqReused,
    /// The engine refused an event as a conflicting duplicate.
    Conflict,
    /// After healing, some node does not hold what it should.
    NotConverged,
}

/// One broken invariant.
#[derive(Clone, Debug)]
pub struct Violation {
    pub kind: Kind,
    pub at: Duration,
    pub what: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{:?} at {:.3}s] {}", self.kind, self.at.as_secs_f64(), self.what)
    }
}

/// The promises and findings of one run.
#[derive(Default)]
pub struct Ledger {
    /// (origin index, event, when acknowledged to the client).
    pub client_acked: Vec<(usize, Envelope, Duration)>,
    /// Highest cursor each node acknowledged to a peer, per stream, since
    /// its last restore.
    pub peer_claims: BTreeMap<(usize, StreamId), u64>,
    /// When each node was last restored from a snapshot.
    pub restored_at: BTreeMap<usize, Duration>,
    /// Writes refused because the node was recovering.
    pub refused: u64,
    /// Restores from a snapshot carried out.
    pub restores: u64,
    pub violations: Vec<Violation>,
}

impl Ledger {
    pub fn violate(&mut self, kind: Kind, at: Duration, what: String) {
        self.violations.push(Violation { kind, at, what });
    }

    pub fn claim(&mut self, node: usize, cursors: &[(StreamId, u64)]) {
        for (s, c) in cursors {
            let e = self.peer_claims.entry((node, s.clone())).or_insert(0);
            *e = (*e).max(*c);
        }
    }

    /// A restore legitimately forgets what the node held since the backup.
    pub fn restored(&mut self, node: usize, at: Duration) {
        self.peer_claims.retain(|(n, _), _| *n != node);
        self.restored_at.insert(node, at);
        self.restores += 1;
    }

    pub fn kinds(&self) -> Vec<Kind> {
        let mut k: Vec<Kind> = self.violations.iter().map(|v| v.kind).collect();
        k.sort();
        k.dedup();
        k
    }
}
