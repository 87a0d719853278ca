//! One atomic write: the records it changes and the events it emits commit
//! together or not at all (the outbox rule of docs/architecture.md).

use extranet_certs::NodeId;
use extranet_federation::{Envelope, Route, StreamId};
use sled::transaction::{ConflictableTransactionError, TransactionalTree, UnabortableTransactionError};

use super::record::Record;
use super::{TreeId, keys};
use crate::error::NodeError;

/// Why a transaction stopped: an abort carrying the node's answer, or a
/// conflict (retried) or storage failure. Opaque outside the store, so no
/// engine type leaks into the code above it.
#[derive(Debug)]
pub struct TxError(pub(super) ConflictableTransactionError<NodeError>);

/// Result inside a transaction: an abort carries a [`NodeError`].
pub type TxResult<T> = Result<T, TxError>;

/// Aborts the transaction with `e`; nothing it wrote is kept.
pub fn abort<T>(e: impl Into<NodeError>) -> TxResult<T> {
    Err(TxError(ConflictableTransactionError::Abort(e.into())))
}

impl From<UnabortableTransactionError> for TxError {
    fn from(e: UnabortableTransactionError) -> Self {
        TxError(e.into())
    }
}

impl From<TxError> for NodeError {
    fn from(e: TxError) -> Self {
        match e.0 {
            ConflictableTransactionError::Abort(e) => e,
            ConflictableTransactionError::Storage(e) => e.into(),
            _ => NodeError::Store("事务冲突".into()),
        }
    }
}

/// The view of the store inside one transaction.
pub struct Tx<'a> {
    me: &'a NodeId,
    now_ms: i64,
    trees: &'a [TransactionalTree],
}

impl<'a> Tx<'a> {
    pub(super) fn new(me: &'a NodeId, now_ms: i64, trees: &'a [TransactionalTree]) -> Self {
        Tx { me, now_ms, trees }
    }

    /// One tree within this transaction.
    pub(crate) fn tree(&self, t: TreeId) -> &'a TransactionalTree {
        &self.trees[t as usize]
    }

    /// The record stored under `k` in tree `t`, if any.
    pub(super) fn get<T: Record>(&self, t: TreeId, k: &[u8]) -> TxResult<Option<T>> {
        match self.tree(t).get(k)? {
            Some(v) => Ok(Some(keys::decode(&v).or_else(abort)?)),
            None => Ok(None),
        }
    }

    /// Stores record `v` under `k` in tree `t`.
    pub(super) fn put<T: Record>(&mut self, t: TreeId, k: &[u8], v: &T) -> TxResult<()> {
        let value = keys::encode(v).or_else(abort)?;
        self.tree(t).insert(k, value)?;
        Ok(())
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
        keys::read_u64(self.tree(TreeId::Cursors).get(keys::stream_key(stream))?.as_deref()).or_else(abort)
    }

    /// Stores `env` as the next event of `stream` and advances the cursor.
    pub(super) fn append(&mut self, stream: &StreamId, env: &Envelope) -> TxResult<()> {
        let value = keys::encode(env).or_else(abort)?;
        self.tree(TreeId::Events).insert(keys::event_key(stream, env.seq), value)?;
        self.tree(TreeId::Cursors).insert(keys::stream_key(stream), &keys::u64_value(env.seq))?;
        Ok(())
    }

    /// Moves the named counter up to at least `n` (never down), so the next
    /// [`Tx::next_number`] is above a number recovered from a peer.
    pub fn raise_number(&mut self, counter: &str, n: u64) -> TxResult<()> {
        let key = format!("counter/{counter}");
        let held = keys::read_u64(self.tree(TreeId::Meta).get(key.as_bytes())?.as_deref()).or_else(abort)?;
        if n > held {
            self.tree(TreeId::Meta).insert(key.as_bytes(), &keys::u64_value(n))?;
        }
        Ok(())
    }

    /// Increments and returns the named counter (first value 1).
    pub fn next_number(&mut self, counter: &str) -> TxResult<u64> {
        let key = format!("counter/{counter}");
        let n = keys::read_u64(self.tree(TreeId::Meta).get(key.as_bytes())?.as_deref()).or_else(abort)? + 1;
        self.tree(TreeId::Meta).insert(key.as_bytes(), &keys::u64_value(n))?;
        Ok(n)
    }
}
