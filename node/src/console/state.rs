//! What every console page works with: the node's shared services, the
//! sessions, its certificates, its store (the calendar in force) and the
//! topology (division names), in one cheap handle.

use std::sync::Arc;

use extranet_certs::{NodeId, TlsMaterial};

use super::sessions::Sessions;
use crate::service::Services;
use crate::store::NodeStore;
use crate::topology::Topology;

/// Everything a page needs, cheap to clone.
#[derive(Clone)]
pub struct Console {
    inner: Arc<Inner>,
}

struct Inner {
    services: Services,
    sessions: Arc<Sessions>,
    tls: TlsMaterial,
    store: NodeStore,
    topology: Arc<Topology>,
}

impl Console {
    /// The console over a node's `services`, `sessions`, certificates,
    /// store (its calendar) and topology (division names).
    pub fn new(
        services: Services,
        sessions: Arc<Sessions>,
        tls: TlsMaterial,
        store: NodeStore,
        topology: Arc<Topology>,
    ) -> Self {
        Console { inner: Arc::new(Inner { services, sessions, tls, store, topology }) }
    }

    /// The node's services.
    pub fn services(&self) -> &Services {
        &self.inner.services
    }

    /// The sign-in links and sessions.
    pub fn sessions(&self) -> &Sessions {
        &self.inner.sessions
    }

    /// The node's certificates (revocation checks).
    pub fn tls(&self) -> &TlsMaterial {
        &self.inner.tls
    }

    /// The node's store (its calendar, for the live cutover check).
    pub fn store(&self) -> &NodeStore {
        &self.inner.store
    }

    /// This node.
    pub fn me(&self) -> &NodeId {
        self.inner.store.me()
    }

    /// Whether the topology puts any node below this one.
    pub fn has_children(&self) -> bool {
        self.inner.topology.subtree(self.me()).len() > 1
    }

    /// The topology.
    pub fn topology(&self) -> &Topology {
        &self.inner.topology
    }

    /// A division's Chinese name with its code, e.g. `噶尔县（542523）`.
    pub fn division(&self, id: &str) -> String {
        let code = id.rsplit('/').next().unwrap_or(id);
        match NodeId::parse(id).ok().and_then(|n| self.inner.topology.get(&n).map(|d| d.name_zh.clone())) {
            Some(name) => format!("{name}（{code}）"),
            None => code.to_string(),
        }
    }
}
