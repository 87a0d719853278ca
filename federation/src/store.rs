//! The storage the engine needs, as a trait: the node plugs in its `sled`
//! store; tests and simulations plug in [`crate::MemStore`].

use std::future::Future;

use extranet_certs::NodeId;
use tokio::sync::watch;

use crate::{Envelope, FedError, StreamId, Summary};

/// What became of an event offered to [`EventStore::accept`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Accepted {
    /// It was the next in its stream: stored, cursor advanced, and (when asked)
    /// handed to the domain — all in one atomic write.
    Applied,
    /// Already held (seq at or below the cursor): nothing changed.
    Duplicate,
    /// Its predecessor is missing: nothing changed; the sender must resend
    /// from the cursor.
    Gap {
        /// The sequence the store expected.
        expected: u64,
    },
}

/// What a skipped run does to a stream whose cursor is `cursor`: nothing
/// when already past it; moves the cursor to its end when it follows on
/// what is held (or overlaps it); a gap when something before it is
/// missing. The one rule every store applies.
pub fn skip_outcome(cursor: u64, from: u64, through: u64) -> Accepted {
    if through <= cursor {
        Accepted::Duplicate
    } else if from <= cursor + 1 {
        Accepted::Applied
    } else {
        Accepted::Gap { expected: cursor + 1 }
    }
}

/// Takes in skipped runs in order by [`skip_outcome`], reading each
/// stream's cursor with `cursor` and moving it with `move_to`; stops after
/// the first gap. How every store implements [`EventStore::skip`].
pub fn take_runs<E>(
    skips: &[crate::Skipped],
    mut cursor: impl FnMut(&StreamId) -> Result<u64, E>,
    mut move_to: impl FnMut(&StreamId, u64) -> Result<(), E>,
) -> Result<Vec<Accepted>, E> {
    let mut out = Vec::with_capacity(skips.len());
    for run in skips {
        let outcome = skip_outcome(cursor(&run.stream)?, run.from, run.through);
        if outcome == Accepted::Applied {
            move_to(&run.stream, run.through)?;
        }
        out.push(outcome);
        if matches!(outcome, Accepted::Gap { .. }) {
            break;
        }
    }
    Ok(out)
}

/// One event of a batch offered to [`EventStore::accept_batch`], with how to
/// take it in.
#[derive(Clone, Copy, Debug)]
pub struct Incoming<'a> {
    /// The event as the peer sent it.
    pub event: &'a Envelope,
    /// Whether the domain applies it here ([`EventStore::accept`]'s `deliver`).
    pub deliver: bool,
    /// Whether it is one of this node's own events taken back after a
    /// restore ([`EventStore::accept_own_recovered`]).
    pub own: bool,
    /// The lowest cursor at which it is the next of its stream: `seq - 1`,
    /// or less when the parent skipped the run before it
    /// ([`crate::Frame::Scoped`]); the cursor then jumps to `seq`.
    pub follows: u64,
}

impl<'a> Incoming<'a> {
    /// An event that must follow directly on the one before it.
    pub fn dense(event: &'a Envelope, deliver: bool, own: bool) -> Self {
        Incoming { event, deliver, own, follows: event.seq.saturating_sub(1) }
    }

    /// What it is to a stream whose cursor is `cursor`: a duplicate at or
    /// below it, next when the cursor is at least `follows`, else a gap.
    pub fn outcome(&self, cursor: u64) -> Accepted {
        if self.event.seq <= cursor {
            Accepted::Duplicate
        } else if cursor >= self.follows {
            Accepted::Applied
        } else {
            Accepted::Gap { expected: cursor + 1 }
        }
    }

    /// The run skipped just before it, if any.
    fn run_before(&self) -> Option<crate::Skipped> {
        let seq = self.event.seq;
        (self.follows + 1 < seq).then(|| crate::Skipped {
            stream: self.event.stream(),
            from: self.follows + 1,
            through: seq - 1,
        })
    }
}

/// Durable, ordered storage of every replicated stream a node holds: its own
/// events and those it received. Implementations must make each `accept`
/// atomic (event, cursor and domain effect together) and must never delete
/// an event or move a cursor backwards.
pub trait EventStore: Send + Sync + 'static {
    /// For every stream this node has, the highest sequence up to which it
    /// holds every event, or knows it was skipped for it.
    fn cursors(&self) -> Result<Vec<(StreamId, u64)>, FedError>;

    /// Up to `limit` events of `stream` with sequence above `after`, in
    /// order. A relayed down stream may have holes at or below the cursor:
    /// events the parent skipped because they reach nowhere in this
    /// node's subtree ([`EventStore::skip`]).
    fn read(&self, stream: &StreamId, after: u64, limit: usize) -> Result<Vec<Envelope>, FedError>;

    /// Takes in an event received from a peer. When it is the next in its
    /// stream, stores it and advances the cursor, and if `deliver` is set also
    /// applies it to the domain, in one atomic write. Never blocks on disk
    /// flushes: call [`EventStore::sync`] before acknowledging.
    fn accept(&self, event: &Envelope, deliver: bool) -> Result<Accepted, FedError>;

    /// Takes back one of this node's *own* events from the peer that holds
    /// it (the parent for the own up stream, a child for the own down
    /// stream), after a restore from an older backup lost it here. Same
    /// rules as [`EventStore::accept`] (next in stream → stored, cursor
    /// advanced; at or below the cursor → duplicate; beyond → gap), and
    /// when stored the domain re-applies it to its own records (filing
    /// numbers, counters) in the same atomic write, so the next own event
    /// gets a number above it. Never blocks on disk flushes.
    ///
    /// The default refuses: a store must opt in.
    fn accept_own_recovered(&self, event: &Envelope) -> Result<Accepted, FedError> {
        Err(FedError::Store(format!("本存储不支持恢复本节点自身的事件（来源 {} 序号 {}）", event.origin, event.seq)))
    }

    /// Takes in a batch from one peer, in order, exactly as
    /// [`EventStore::accept`] and [`EventStore::accept_own_recovered`]
    /// would one event at a time, and stops after the first gap: the
    /// outcomes returned are those of the events up to and including it. A
    /// store may (and the node's does) take the whole batch in one atomic
    /// write, so a catch-up costs one transaction per batch rather than
    /// per event; by default it takes the events one by one.
    fn accept_batch(&self, batch: &[Incoming<'_>]) -> Result<Vec<Accepted>, FedError> {
        let mut out = Vec::with_capacity(batch.len());
        for inc in batch {
            if let Some(run) = inc.run_before() {
                let moved = self.skip(std::slice::from_ref(&run))?;
                if let Some(gap @ Accepted::Gap { .. }) = moved.first() {
                    out.push(*gap);
                    break;
                }
            }
            let accepted =
                if inc.own { self.accept_own_recovered(inc.event)? } else { self.accept(inc.event, inc.deliver)? };
            out.push(accepted);
            if matches!(accepted, Accepted::Gap { .. }) {
                break;
            }
        }
        Ok(out)
    }

    /// Whether this store keeps relayed down streams with holes
    /// ([`EventStore::skip`]); the engine then asks its parent, in its
    /// `Hello`, to skip what reaches nowhere below it. By default it does
    /// not, and its parent sends it every event.
    fn takes_skips(&self) -> bool {
        false
    }

    /// Moves each stream's cursor past a run its parent skipped for this
    /// node ([`crate::Frame::Skip`]), in order, storing nothing, and stops
    /// after the first gap ([`skip_outcome`] says which). It need not be
    /// flushed: a cursor moved past nothing held is safe to lose, since the
    /// parent skips the run again from the cursor of the next `Hello`; a
    /// later `sync` covers it like any write. The default refuses.
    fn skip(&self, skips: &[crate::Skipped]) -> Result<Vec<Accepted>, FedError> {
        let _ = skips;
        Err(FedError::Store("本存储不支持跳过下行事件".into()))
    }

    /// Durability barrier (group commit): resolves once everything written
    /// before the call is flushed and fsynced. Returns at once when nothing
    /// was written since the last completed sync. Concurrent callers share
    /// one flush.
    ///
    /// **It must cover every write visible to its caller.** Once a write
    /// can be read by anyone — through [`EventStore::read`],
    /// [`EventStore::cursors`], or as the duplicate answer of `accept` —
    /// a `sync` that starts afterwards must not resolve before that write
    /// is durable, even when the write's own task has not yet reached its
    /// own barrier (between commit and marking it written). The engine
    /// relies on it: the sending half reads events and syncs before
    /// sending them, a `Hello` reads cursors and syncs before stating
    /// them, and a duplicate is acknowledged after a sync. A store whose
    /// `sync` targets only writes it has already marked written can let a
    /// peer acknowledge, or a client be told, what a crash then takes back.
    fn sync(&self) -> impl Future<Output = Result<(), FedError>> + Send;

    /// [`EventStore::sync`] for writes no one waits on promptly — events
    /// travelling down the tree (receipts, decisions, calendars), whose
    /// acknowledgement and relay may wait a moment: it may first wait a
    /// short while for a flush another writer asks for, so that one fsync
    /// covers both, and only then ask for one. The same guarantee as `sync`
    /// when it resolves; by default it is `sync`.
    fn sync_soon(&self) -> impl Future<Output = Result<(), FedError>> + Send {
        self.sync()
    }

    /// [`EventStore::sync`] for the sending half of a session to the parent:
    /// resolves once every write that put an event on an up stream, begun
    /// before the call, is durable — it need not wait for events going
    /// down that are made durable a moment later ([`EventStore::sync_soon`]).
    /// By default it is `sync`.
    fn sync_up(&self) -> impl Future<Output = Result<(), FedError>> + Send {
        self.sync()
    }

    /// A counter bumped after every sync that made new events durable; link
    /// sessions wait on it to learn there is something new to send.
    fn durable_watch(&self) -> watch::Receiver<u64>;

    /// Remembers the cursors a peer acknowledged, so backlog figures survive
    /// a restart. Need not be flushed synchronously.
    fn save_peer_cursors(&self, peer: &NodeId, cursors: &[(StreamId, u64)]) -> Result<(), FedError>;

    /// The cursors a peer last acknowledged (empty if never).
    fn peer_cursors(&self, peer: &NodeId) -> Result<Vec<(StreamId, u64)>, FedError>;

    /// Every peer whose cursors were ever saved.
    fn known_peers(&self) -> Result<Vec<NodeId>, FedError>;

    /// Keeps `summary` if it supersedes the one held for its origin
    /// ([`Summary::supersedes`]); returns whether it was kept. Latest-wins:
    /// at most one summary per origin is ever held. Need not be flushed
    /// synchronously (a lost summary is replaced by the next).
    fn put_summary(&self, summary: &Summary) -> Result<bool, FedError>;

    /// Every summary held whose origin is `root` or lies below it.
    fn summaries(&self, root: &NodeId) -> Result<Vec<Summary>, FedError>;
}
