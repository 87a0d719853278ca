//! One atomic write: the records it changes and the events it emits commit
//! together or not at all (the outbox rule of docs/architecture.md).

use super::engine::{EngineTx, TxStop};
use super::record::Record;
use super::{TreeId, keys};
use crate::error::NodeError;
use extranet_certs::NodeId;
use extranet_federation::{Envelope, Route, StreamId};

/// Why a transaction stopped: an abort carrying the node's answer, or a
/// conflict (retried) or storage failure. Opaque outside the store, so no
/// engine type leaks into the code above it.
#[derive(Debug)]
pub struct TxError(pub(super) TxStop);

/// Result inside a transaction: an abort carries a [`NodeError`].
pub type TxResult<T> = Result<T, TxError>;

/// Aborts the transaction with `e`; nothing it wrote is kept.
pub fn abort<T>(e: impl Into<NodeError>) -> TxResult<T> {
    Err(TxError(TxStop::Abort(e.into())))
}

impl From<TxStop> for TxError {
    fn from(e: TxStop) -> Self {
        TxError(e)
    }
}

impl From<TxError> for NodeError {
    fn from(e: TxError) -> Self {
        match e.0 {
            TxStop::Abort(e) => e,
            TxStop::Storage(e) => e.into(),
            TxStop::Conflict => NodeError::Store("事务冲突".into()),
        }
    }
}

/// The view of the store inside one transaction.
pub struct Tx<'a> {
    me: &'a NodeId,
    now_ms: i64,
    trees: &'a mut dyn EngineTx,
    /// Whether it put an event on an up stream (then the sending half to the
    /// parent waits for it to be durable: `Durability::sync_up`).
    wrote_up: bool,
}

impl<'a> Tx<'a> {
    pub(super) fn new(me: &'a NodeId, now_ms: i64, trees: &'a mut dyn EngineTx) -> Self {
        Tx { me, now_ms, trees, wrote_up: false }
    }

    /// Whether this write put an event on an up stream.
    pub(super) fn wrote_up(&self) -> bool {
        self.wrote_up
    }

    /// The value under `key` in tree `t`, as this transaction sees it.
    pub(crate) fn get(&self, t: TreeId, key: impl AsRef<[u8]>) -> TxResult<Option<Vec<u8>>> {
        Ok(self.trees.get(t, key.as_ref())?)
    }

    /// Sets `key` to `value` in tree `t`.
    pub(crate) fn insert(&mut self, t: TreeId, key: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> TxResult<()> {
        Ok(self.trees.insert(t, key.as_ref(), value.as_ref())?)
    }

    /// The record under `key` in tree `t`, decoded.
    pub(crate) fn read<T: Record>(&self, t: TreeId, key: impl AsRef<[u8]>) -> TxResult<Option<T>> {
        match self.get(t, key)? {
            Some(v) => Ok(Some(keys::decode(&v).or_else(abort)?)),
            None => Ok(None),
        }
    }

    /// Stores record `v` under `key` in tree `t`, encoded in its current format.
    pub(crate) fn write<T: Record>(&mut self, t: TreeId, key: impl AsRef<[u8]>, v: &T) -> TxResult<()> {
        let value = keys::encode(v).or_else(abort)?;
        self.insert(t, key, value)
    }

    /// Removes `key` from tree `t`.
    pub(crate) fn remove(&mut self, t: TreeId, key: impl AsRef<[u8]>) -> TxResult<()> {
        Ok(self.trees.remove(t, key.as_ref())?)
    }

    /// This node.
    pub fn me(&self) -> &NodeId {
        self.me
    }

    /// The transaction's clock, Unix ms (one instant for the whole write).
    pub fn now_ms(&self) -> i64 {
        self.now_ms
    }

    /// Appends an event originated by this node to its outbox, with the next
    /// sequence of its channel.
    pub fn emit(&mut self, route: Route, kind: &str, payload: Vec<u8>) -> TxResult<Envelope> {
        let stream = StreamId { origin: self.me.clone(), channel: route.channel() };
        let seq = self.cursor(&stream)? + 1;
        let env = Envelope {
            origin: self.me.clone(),
            seq,
            route,
            kind: kind.to_string(),
            payload,
            created_at_ms: self.now_ms,
        };
        self.append(&stream, &env)?;
        Ok(env)
    }

    /// Highest contiguous sequence held for `stream`.
    pub(super) fn cursor(&self, stream: &StreamId) -> TxResult<u64> {
        keys::read_u64(self.get(TreeId::Cursors, keys::stream_key(stream))?.as_deref()).or_else(abort)
    }

    /// Stores `env` as the next event of `stream` and advances the cursor.
    pub(super) fn append(&mut self, stream: &StreamId, env: &Envelope) -> TxResult<()> {
        let value = keys::encode(env).or_else(abort)?;
        self.insert(TreeId::Events, keys::event_key(stream, env.seq), value)?;
        self.insert(TreeId::Cursors, keys::stream_key(stream), keys::u64_value(env.seq))?;
        self.wrote_up |= stream.channel == extranet_federation::Channel::Up;
        Ok(())
    }

    /// Moves the cursor of `stream` to `through` over a run the parent
    /// skipped for this node; the caller checked it follows on the cursor.
    pub(super) fn skip_to(&mut self, stream: &StreamId, through: u64) -> TxResult<()> {
        self.insert(TreeId::Cursors, keys::stream_key(stream), keys::u64_value(through))
    }

    /// Moves the named counter up to at least `n` (never down), so the next
    /// [`Tx::next_number`] is above a number recovered from a peer.
    pub fn raise_number(&mut self, counter: &str, n: u64) -> TxResult<()> {
        let key = format!("counter/{counter}");
        let held = keys::read_u64(self.get(TreeId::Meta, key.as_bytes())?.as_deref()).or_else(abort)?;
        if n > held {
            self.insert(TreeId::Meta, key.as_bytes(), keys::u64_value(n))?;
        }
        Ok(())
    }

    /// Increments and returns the named counter (first value 1).
    pub fn next_number(&mut self, counter: &str) -> TxResult<u64> {
        let key = format!("counter/{counter}");
        let n = keys::read_u64(self.get(TreeId::Meta, key.as_bytes())?.as_deref()).or_else(abort)? + 1;
        self.insert(TreeId::Meta, key.as_bytes(), keys::u64_value(n))?;
        Ok(n)
    }
}
