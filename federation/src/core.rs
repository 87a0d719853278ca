//! The state every link of one node shares: the store, the configuration,
//! the catch-up slots, the link registry, the summary signal, the recovery
//! state. It lives below the sessions that use it and the [`crate::Engine`]
//! that owns it, so neither has to reach up into the other.

use std::sync::Arc;

use extranet_certs::NodeId;
use tokio::sync::{Semaphore, watch};
use tokio_util::sync::CancellationToken;

use crate::recovery::Recovery;
use crate::registry::Registry;
use crate::{EngineConfig, EventStore, FedError, Summary};

/// Everything a session needs from its engine.
pub(crate) struct Core<S> {
    pub me: NodeId,
    pub store: Arc<S>,
    pub config: EngineConfig,
    /// Catch-up slots a parent hands to children (see `session`).
    pub catchups: Arc<Semaphore>,
    pub registry: Arc<Registry>,
    /// Cancelled by [`crate::Engine::shutdown`]; parent of every session's token.
    pub shutdown: CancellationToken,
    /// Bumped whenever a newer summary was stored (ours or a descendant's),
    /// so the session to the parent sends it promptly.
    pub summaries: watch::Sender<u64>,
    /// Whether our own streams are behind a peer's copy (restore from backup).
    pub recovery: Recovery,
}

impl<S: EventStore> Core<S> {
    /// Stores `summary` if it supersedes the held one and wakes the uplink;
    /// returns whether it was kept.
    pub fn keep_summary(&self, summary: &Summary) -> Result<bool, FedError> {
        let kept = self.store.put_summary(summary)?;
        if kept {
            self.summaries.send_modify(|n| *n = n.wrapping_add(1));
        }
        Ok(kept)
    }
}
