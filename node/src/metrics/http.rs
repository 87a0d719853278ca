//! The scrape endpoint: a deliberately tiny HTTP/1.1 responder on a local
//! port answering `GET /metrics` (anything else: 404). It reads one request
//! per connection and closes it, which is all Prometheus needs.

use std::net::SocketAddr;
use std::sync::Arc;

use extranet_federation::Engine;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::Metrics;
use crate::error::{NodeError, Result};
use crate::store::NodeStore;

/// Serves `metrics` on `listen` until `cancel`; returns the bound address.
pub async fn serve(
    listen: &str,
    metrics: Arc<Metrics>,
    engine: Engine<NodeStore>,
    store: NodeStore,
    cancel: CancellationToken,
) -> Result<(SocketAddr, JoinHandle<()>)> {
    let listener =
        TcpListener::bind(listen).await.map_err(|e| NodeError::config(format!("指标端口无法监听 {listen}：{e}")))?;
    let addr = listener.local_addr().map_err(|e| NodeError::config(e.to_string()))?;
    let task = tokio::spawn(async move {
        loop {
            let conn = tokio::select! {
                c = listener.accept() => c,
                _ = cancel.cancelled() => return,
            };
            let Ok((stream, _)) = conn else { continue };
            let (metrics, engine, store) = (Arc::clone(&metrics), engine.clone(), store.clone());
            tokio::spawn(async move {
                if let Err(e) = answer(stream, &metrics, &engine, &store).await {
                    tracing::debug!(error = %e, "metrics request failed");
                }
            });
        }
    });
    Ok((addr, task))
}

async fn answer(
    mut stream: TcpStream,
    metrics: &Metrics,
    engine: &Engine<NodeStore>,
    store: &NodeStore,
) -> std::io::Result<()> {
    let mut buf = vec![0u8; 2048];
    let n = tokio::time::timeout(std::time::Duration::from_secs(5), stream.read(&mut buf)).await.unwrap_or(Ok(0))?;
    let head = String::from_utf8_lossy(&buf[..n]);
    let (status, ctype, body) = if head.starts_with("GET /metrics ") || head.starts_with("GET /metrics?") {
        metrics.refresh(engine, store);
        ("200 OK", "application/openmetrics-text; version=1.0.0; charset=utf-8", metrics.render())
    } else {
        ("404 Not Found", "text/plain; charset=utf-8", "only GET /metrics is served here\n".to_string())
    };
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(response.as_bytes()).await?;
    stream.shutdown().await
}
