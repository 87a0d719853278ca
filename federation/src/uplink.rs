//! The child side of the federation: keep one link to the parent open,
//! forever, without hammering the parent when it is down.

use rand::SeedableRng;
use rand::rngs::StdRng;
use tokio_util::sync::CancellationToken;

use crate::core::Core;
use crate::{Backoff, Dialer, EventStore, FedError, PeerRole};

/// Dials, syncs, and redials with backoff until `shutdown` or the engine's
/// own shutdown is cancelled. A session that lived at least `backoff_max`
/// proves the link healthy and resets the backoff; shorter ones keep it
/// growing, so a link that drops right after connecting does not redial in
/// a tight loop.
pub(crate) async fn run<S: EventStore, D: Dialer>(core: &Core<S>, dialer: &D, shutdown: &CancellationToken) {
    let Some(parent) = core.me.parent() else {
        tracing::warn!(me = %core.me, "顶层节点没有上级，不建立上行链路");
        return;
    };
    let config = &core.config;
    let mut backoff = Backoff::new(config.backoff_min, config.backoff_max);
    let mut rng = match config.jitter_seed {
        Some(seed) => StdRng::seed_from_u64(seed),
        None => StdRng::from_rng(&mut rand::rng()),
    };
    loop {
        let started = tokio::time::Instant::now();
        let result = tokio::select! {
            biased;
            _ = shutdown.cancelled() => break,
            _ = core.shutdown.cancelled() => break,
            r = connect_and_sync(core, dialer, PeerRole::Parent(parent.clone())) => r,
        };
        match result {
            Ok(()) => tracing::info!(%parent, "与上级的会话结束"),
            Err(e) => tracing::warn!(%parent, error = %e, "与上级的会话失败"),
        }
        if started.elapsed() >= config.backoff_max {
            backoff.reset();
        }
        let delay = backoff.next_delay_with(&mut rng);
        tracing::debug!(?delay, "稍后重新连接上级");
        tokio::select! {
            biased;
            _ = shutdown.cancelled() => break,
            _ = core.shutdown.cancelled() => break,
            _ = tokio::time::sleep(delay) => {}
        }
    }
    tracing::info!(%parent, "上行链路已停止");
}

async fn connect_and_sync<S: EventStore, D: Dialer>(
    core: &Core<S>,
    dialer: &D,
    role: PeerRole,
) -> Result<(), FedError> {
    let limit = core.config.dead_after;
    let link = tokio::time::timeout(limit, dialer.dial())
        .await
        .map_err(|_| FedError::Transport(format!("{limit:?} 内未能连接上级 {}", role.node())))??;
    crate::session::run(core, role, link).await
}
