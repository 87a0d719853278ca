//! The node's storage: one `sled` database, and the only module that names
//! its trees. Everything written goes through a [`Tx`] — one atomic sled
//! transaction that changes records *and* appends the events announcing them
//! (the outbox) — and is acknowledged only after [`NodeStore::sync`].

mod durability;
mod events;
mod keys;
mod tx;

use std::path::Path;
use std::sync::Arc;

use extranet_certs::NodeId;
use extranet_federation::Envelope;
use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError};

pub use durability::Durability;
pub use tx::{Tx, TxResult, abort};

use crate::domain::Filing;
use crate::error::{NodeError, Result};

/// sled's page cache for one node. A county node may have 1–2 GB of RAM and
/// sled's RSS has been seen at several times its cache, so keep it small.
const CACHE_BYTES: u64 = 32 * 1024 * 1024;

/// What the domain does when a replicated event takes effect at this node.
/// Runs inside the same transaction that stores the event and moves its
/// cursor, so the effect happens exactly once.
pub trait Applier: Send + Sync + 'static {
    /// Applies `event` within `tx`.
    fn apply(&self, tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()>;
}

/// The trees of one node's database.
#[derive(Clone)]
pub(crate) struct Trees {
    /// (stream, seq) → envelope: every event this node wrote or accepted.
    pub events: sled::Tree,
    /// stream → highest contiguous seq held.
    pub cursors: sled::Tree,
    /// filing key → filing (own and replicas).
    pub filings: sled::Tree,
    /// named counters and small settings.
    pub meta: sled::Tree,
    /// peer → cursors it acknowledged.
    pub peers: sled::Tree,
}

/// One node's durable store. Cheap to clone.
#[derive(Clone)]
pub struct NodeStore {
    pub(crate) me: NodeId,
    db: sled::Db,
    pub(crate) trees: Trees,
    pub(crate) durability: Durability,
    pub(crate) applier: Arc<dyn Applier>,
}

impl NodeStore {
    /// Opens (or creates) the store of node `me` in `dir`.
    pub fn open(dir: &Path, me: NodeId, applier: Arc<dyn Applier>) -> Result<Self> {
        std::fs::create_dir_all(dir)
            .map_err(|e| NodeError::Store(format!("无法创建数据目录 {}：{e}", dir.display())))?;
        let db = sled::Config::new()
            .path(dir)
            .cache_capacity(CACHE_BYTES)
            .mode(sled::Mode::LowSpace)
            .open()
            .map_err(|e| NodeError::Store(format!("无法打开数据目录 {}：{e}", dir.display())))?;
        let trees = Trees {
            events: db.open_tree("events")?,
            cursors: db.open_tree("cursors")?,
            filings: db.open_tree("filings")?,
            meta: db.open_tree("meta")?,
            peers: db.open_tree("peers")?,
        };
        let durability = Durability::start(db.clone(), dir)?;
        Ok(NodeStore { me, db, trees, durability, applier })
    }

    /// Runs `f` as one atomic transaction over every tree; retried by sled on
    /// conflict, so `f` must have no effects outside `tx`. Not yet durable:
    /// follow with [`NodeStore::sync`] before acknowledging.
    pub fn transact<R>(&self, f: impl Fn(&mut Tx<'_>) -> TxResult<R>) -> Result<R> {
        let t = &self.trees;
        let now_ms = chrono::Utc::now().timestamp_millis();
        let res = (&t.events, &t.cursors, &t.filings, &t.meta).transaction(|(ev, cur, fil, meta)| {
            let mut tx = Tx::new(&self.me, now_ms, ev, cur, fil, meta);
            f(&mut tx)
        });
        match res {
            Ok(r) => {
                self.durability.mark_written();
                Ok(r)
            }
            Err(TransactionError::Abort(e)) => Err(e),
            Err(TransactionError::Storage(e)) => Err(e.into()),
        }
    }

    /// Waits until everything written so far is flushed and fsynced.
    pub async fn sync(&self) -> Result<()> {
        self.durability.sync().await
    }

    /// This node's identity.
    pub fn me(&self) -> &NodeId {
        &self.me
    }

    /// One filing by its key (`540102-000001`).
    pub fn filing(&self, key: &str) -> Result<Option<Filing>> {
        self.trees.filings.get(key.as_bytes())?.map(|v| keys::decode(&v)).transpose()
    }

    /// Every filing held here whose origin lies within `subtree`, newest first.
    pub fn filings(&self, subtree: Option<&NodeId>, limit: usize) -> Result<Vec<Filing>> {
        let mut out = Vec::new();
        for item in self.trees.filings.iter() {
            let (_, v) = item?;
            let f: Filing = keys::decode(&v)?;
            if subtree.is_none_or(|s| f.id.origin.is_within(s)) {
                out.push(f);
            }
        }
        out.sort_by(|a, b| b.filed_at_ms.cmp(&a.filed_at_ms).then(b.id.cmp(&a.id)));
        out.truncate(limit);
        Ok(out)
    }

    /// Every revocation list held (this node's CA's and its ancestors').
    pub fn crls(&self) -> Result<Vec<Vec<u8>>> {
        let mut out = Vec::new();
        for item in self.trees.meta.scan_prefix(b"crl/") {
            out.push(item?.1.to_vec());
        }
        Ok(out)
    }

    /// Stops the flusher after a final flush; the store can then be reopened.
    pub fn close(&self) {
        let _ = self.db.flush();
        self.durability.close();
    }
}

impl From<ConflictableTransactionError<NodeError>> for NodeError {
    fn from(e: ConflictableTransactionError<NodeError>) -> Self {
        match e {
            ConflictableTransactionError::Abort(e) => e,
            ConflictableTransactionError::Storage(e) => e.into(),
            _ => NodeError::Store("事务冲突".into()),
        }
    }
}
