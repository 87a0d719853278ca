//! The web console (控制台): a Chinese HTTPS site served by the node itself,
//! for the operators of its 经信部门 and the staff of its access units.
//!
//! It holds no rule of its own. Every page and form calls the node's gRPC
//! service objects in process ([`Services`], the same instances the gRPC
//! server serves) with a request that carries the signed-in certificate's
//! identity exactly as an mTLS connection would ([`guard`]), so who may do
//! what, every check and every refusal message are the services' own.
//!
//! | module | what |
//! | --- | --- |
//! | [`sessions`] | one-time sign-in links and the bounded session table |
//! | [`grpc`] | the `Console` gRPC service: `extranet console login` asks it for a link |
//! | [`listen`] | the HTTPS listener (the node's certificate, bounded connections) |
//! | [`guard`] | the session extractor, CSRF-checked forms, in-process calls |
//! | [`page`] | the page frame, navigation, errors as pages, HTTP status of a refusal |
//! | [`draw`] | server-rendered SVG: utilisation bars, timelines, health |
//! | [`assets`] | the embedded stylesheet and the small script (nothing is fetched from elsewhere, Art.3) |
//! | [`pages`] | the pages: sign-in, today, filings, applications, addresses, oversight, calendar |
//!
//! Pages render on the server and work without JavaScript; the script only
//! keeps countdowns and the cutover form's earliest start live.

pub mod assets;
pub mod draw;
pub mod grpc;
pub mod guard;
pub mod listen;
pub mod page;
pub mod pages;
pub mod sessions;

use std::net::SocketAddr;
use std::sync::Arc;

use extranet_certs::{NodeId, TlsMaterial};
use extranet_federation::Engine;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub use grpc::ConsoleService;
pub use sessions::Sessions;

use crate::config::ConsoleConfig;
use crate::error::{NodeError, Result};
use crate::service::Services;
use crate::store::NodeStore;
use crate::topology::Topology;

/// Largest form body the console reads.
const MAX_FORM_BYTES: usize = 64 * 1024;

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
    engine: Engine<NodeStore>,
    topology: Arc<Topology>,
}

impl Console {
    /// The console of the node whose services and parts these are.
    pub(crate) fn new(
        services: Services,
        sessions: Arc<Sessions>,
        parts: &crate::server::Parts,
        _cfg: &ConsoleConfig,
    ) -> Self {
        Console {
            inner: Arc::new(Inner {
                services,
                sessions,
                tls: parts.tls.clone(),
                store: parts.store.clone(),
                engine: parts.engine.clone(),
                topology: Arc::clone(&parts.topology),
            }),
        }
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

    /// The node's federation engine (its links, for the front page).
    pub fn engine(&self) -> &Engine<NodeStore> {
        &self.inner.engine
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

/// Serves the console on `listen` until `cancel`; returns the address bound.
pub async fn serve(
    listen: &str,
    console: Console,
    tls: TlsMaterial,
    cancel: CancellationToken,
) -> Result<(SocketAddr, JoinHandle<()>)> {
    let addr: SocketAddr = tokio::net::lookup_host(listen)
        .await
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(|| NodeError::config(format!("[console] listen 地址 “{listen}” 无效，应为 主机:端口")))?;
    let listener = listen::TlsListener::bind(addr, tls.browser_config(), cancel.clone())
        .await
        .map_err(|e| NodeError::config(format!("控制台无法监听 {addr}：{e}")))?;
    let local = axum::serve::Listener::local_addr(&listener).map_err(|e| NodeError::config(e.to_string()))?;
    let app = pages::router()
        .layer(axum::extract::DefaultBodyLimit::max(MAX_FORM_BYTES))
        .layer(axum::middleware::map_response(page::security_headers))
        .with_state(console);
    let task = tokio::spawn(async move {
        let served = axum::serve(listener, app).with_graceful_shutdown(cancel.cancelled_owned()).await;
        if let Err(e) = served {
            tracing::error!(error = %e, "web console stopped with an error");
        }
    });
    tracing::info!(%local, "web console serving");
    Ok((local, task))
}
