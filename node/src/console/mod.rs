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
//! | [`state`] | what every page works with: services, sessions, certificates, store, topology |
//! | [`sessions`] | one-time sign-in links and the bounded session table |
//! | [`grpc`] | the `Console` gRPC service: `extranet console login` asks it for a link |
//! | [`listen`] | the HTTPS listener (the node's certificate, bounded connections) |
//! | [`guard`] | the session extractor, CSRF-checked forms, in-process calls |
//! | [`html`] | the bare HTML document every page sits in |
//! | [`failure`] | a refusal as a page, and the one mapping of a gRPC code to an HTTP status |
//! | [`page`] | the signed-in frame, navigation, form parts, security headers |
//! | [`draw`] | server-rendered SVG: utilisation bars, timelines, health |
//! | [`assets`] | the embedded stylesheet and the small script (nothing is fetched from elsewhere, Art.3) |
//! | [`pages`] | the pages: sign-in, today, filings, applications, addresses, oversight, calendar |
//!
//! Pages render on the server and work without JavaScript; the script only
//! keeps countdowns and the cutover form's earliest start live.

pub mod assets;
pub mod draw;
pub mod failure;
pub mod grpc;
pub mod guard;
pub mod html;
pub mod listen;
pub mod page;
pub mod pages;
pub mod sessions;
pub mod state;

use std::net::SocketAddr;

use extranet_certs::TlsMaterial;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub use grpc::ConsoleService;
pub use sessions::Sessions;
pub use state::Console;

use crate::error::{NodeError, Result};

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
        .layer(axum::extract::DefaultBodyLimit::max(guard::MAX_FORM_BYTES))
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
