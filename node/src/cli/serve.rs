//! `extranet serve --config FILE`: run one node until it is told to stop.

use std::path::PathBuf;

use crate::config::NodeConfig;
use crate::signal::shutdown_signal;

/// Runs `extranet serve`: starts the node, then stops it cleanly on Ctrl-C or SIGTERM.
pub async fn run(path: PathBuf) -> anyhow::Result<()> {
    let cfg = NodeConfig::load(&path)?;
    let node = crate::server::start(&cfg).await?;
    println!("节点 {} 已启动，监听 {}", cfg.node, node.addr);
    shutdown_signal().await;
    tracing::info!("shutdown requested");
    node.shutdown().await;
    Ok(())
}
