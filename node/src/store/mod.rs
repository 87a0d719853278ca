//! The node's storage: one `sled` database, and the only module that names
//! its trees. Everything written goes through a [`Tx`] — one atomic sled
//! transaction that changes records *and* appends the events announcing them
//! (the outbox) — and is acknowledged only after [`NodeStore::sync`].

mod access;
mod calendar;
mod durability;
mod events;
mod filings;
mod ipam;
mod keys;
mod oversight;
mod pki;
mod report;
mod trees;
mod tx;
mod unapplied;

use std::path::Path;
use std::sync::Arc;

use extranet_certs::NodeId;
use extranet_federation::Envelope;
use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError};

pub use durability::Durability;
pub use report::YearFilings;
pub use trees::TreeId;
pub use tx::{Tx, TxResult, abort};
pub use unapplied::Unapplied;

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

/// The open trees of one node's database, indexed by [`TreeId`].
#[derive(Clone)]
pub(crate) struct Trees(Vec<sled::Tree>);

impl Trees {
    fn open(db: &sled::Db) -> Result<Self> {
        Ok(Trees(TreeId::ALL.iter().map(|t| db.open_tree(t.name())).collect::<Result<_, _>>()?))
    }

    /// One tree.
    pub(crate) fn get(&self, t: TreeId) -> &sled::Tree {
        &self.0[t as usize]
    }
}

/// One node's durable store. Cheap to clone.
#[derive(Clone)]
pub struct NodeStore {
    pub(crate) me: NodeId,
    db: sled::Db,
    pub(crate) trees: Trees,
    pub(crate) durability: Durability,
    pub(crate) applier: Arc<dyn Applier>,
    pub(crate) calendar_cache: calendar::Cache,
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
        let trees = Trees::open(&db)?;
        let durability = Durability::start(db.clone(), dir)?;
        Ok(NodeStore { me, db, trees, durability, applier, calendar_cache: Default::default() })
    }

    /// Runs `f` as one atomic transaction over every tree; retried by sled on
    /// conflict, so `f` must have no effects outside `tx`. Not yet durable:
    /// follow with [`NodeStore::sync`] before acknowledging.
    pub fn transact<R>(&self, f: impl Fn(&mut Tx<'_>) -> TxResult<R>) -> Result<R> {
        let now_ms = chrono::Utc::now().timestamp_millis();
        let res = self.trees.0.as_slice().transaction(|views| {
            let mut tx = Tx::new(&self.me, now_ms, views);
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
