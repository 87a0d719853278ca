//! One sync session over one link, from the opening `Hello`s to the end of
//! the link.
//!
//! 1. **Handshake.** The child sends its `Hello` at once. The parent first
//!    waits (at most `dead_after`) for the child's `Hello`, then for a
//!    catch-up slot, and only then answers with its own — so a parent that
//!    restarts meets at most `max_concurrent_catchups` catch-ups at a time
//!    while the other children wait, connected, in FIFO order. A `Hello`'s
//!    cursors are read and then made durable before they are sent, so a peer
//!    is never told we hold something a crash could still take away. The
//!    claimed node must equal the authenticated peer.
//! 2. **Streaming.** Two halves run side by side: the receiving half
//!    ([`crate::inbound`]) and the sending half ([`crate::outbound`]). They
//!    share only [`Flow`] bookkeeping; the receiving half never waits on the
//!    link's send buffer, so two peers that both have much to send cannot
//!    deadlock each other.
//! 3. **End.** The session ends when either half fails, the peer closes the
//!    link, the link is silent for `dead_after`, a newer session with the
//!    same peer starts, or the engine shuts down. Nothing is rolled back or
//!    deleted: the next session starts again from durable cursors.

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use extranet_certs::NodeId;
use tokio::sync::{Notify, OwnedSemaphorePermit, mpsc};
use tracing::Instrument;

use crate::engine::Core;
use crate::flow::{Cursors, Flow};
use crate::inbound::Inbound;
use crate::outbound::Outbound;
use crate::registry::SessionGuard;
use crate::routing::refuse;
use crate::status::sent_streams;
use crate::{EventStore, FedError, Frame, Link, PeerRole, StreamId};

/// State shared by the two halves of a session.
pub(crate) struct Shared {
    flow: Mutex<Flow>,
    /// Wakes the sending half: an ack arrived (window opened) or we owe one.
    pub wake: Notify,
}

impl Shared {
    /// The session's bookkeeping; never held across an `.await`.
    pub fn flow(&self) -> MutexGuard<'_, Flow> {
        self.flow.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Runs one session with `role`'s peer over `link` until it ends. Returns
/// `Ok` when it ended without fault (peer closed, shutdown, replaced).
pub(crate) async fn run<S: EventStore>(core: &Core<S>, role: PeerRole, link: Link) -> Result<(), FedError> {
    if &link.peer != role.node() || !role.is_related(&core.me) {
        let what = match &role {
            PeerRole::Parent(p) => format!("连接的对端不是本节点的上级 {p}"),
            PeerRole::Child(_) => format!("不是本节点 {} 的直接下级", core.me),
        };
        return Err(refuse(&link.peer, what));
    }
    let guard = core.registry.begin(role.node(), &core.shutdown);
    let token = guard.token.clone();
    let span = tracing::info_span!("link", me = %core.me, peer = %role.node());
    async {
        tokio::select! {
            _ = token.cancelled() => {
                tracing::debug!("会话被取消");
                Ok(())
            }
            r = drive(core, &role, link, &guard) => r,
        }
    }
    .instrument(span)
    .await
}

async fn drive<S: EventStore>(
    core: &Core<S>,
    role: &PeerRole,
    link: Link,
    guard: &SessionGuard,
) -> Result<(), FedError> {
    let Link { peer, tx, mut rx } = link;
    let (hello, permit) = match role {
        PeerRole::Parent(_) => {
            send_hello(core, role, &tx).await?;
            (recv_hello(core, role, &mut rx, None).await?, None)
        }
        PeerRole::Child(_) => {
            let hello = recv_hello(core, role, &mut rx, Some(core.config.dead_after)).await?;
            let permit = wait_for_slot(core, &mut rx).await?;
            send_hello(core, role, &tx).await?;
            (hello, Some(permit))
        }
    };
    guard.connected();
    let target: Cursors = sent_streams(&core.store.cursors()?, &core.me, role).into_iter().collect();
    warn_if_peer_ahead(&peer, &hello, &target);
    let saved = core.store.peer_cursors(&peer)?.into_iter().collect();
    let flow = Flow::new(hello, saved, permit);
    // What the peer states it holds is the truth for backlog figures, even
    // when it is less than before (a rebuilt peer is resent, never wiped).
    core.store.save_peer_cursors(&peer, &flow.saved())?;
    let shared = Shared { flow: Mutex::new(flow), wake: Notify::new() };
    tracing::info!(streams = target.len(), "会话已建立");
    tokio::select! {
        r = Inbound::new(core, role, rx, &shared).run() => r,
        r = Outbound::new(core, role, tx, &shared, target).run() => r,
    }
}

/// Sends our `Hello`: our durable cursors of every stream we take from the
/// peer.
async fn send_hello<S: EventStore>(core: &Core<S>, role: &PeerRole, tx: &mpsc::Sender<Frame>) -> Result<(), FedError> {
    let cursors: Vec<(StreamId, u64)> =
        core.store.cursors()?.into_iter().filter(|(s, _)| role.accepts(&core.me, s)).collect();
    core.store.sync().await?;
    let hello = Frame::Hello { node: core.me.clone(), cursors, version: core.config.version.clone() };
    tx.send(hello).await.map_err(|_| closed())
}

/// Waits for the peer's `Hello` and checks it; returns its cursors of the
/// streams we send it (others are ignored: they are not the peer's to ask).
async fn recv_hello<S: EventStore>(
    core: &Core<S>,
    role: &PeerRole,
    rx: &mut mpsc::Receiver<Result<Frame, FedError>>,
    limit: Option<Duration>,
) -> Result<Cursors, FedError> {
    let peer = role.node();
    let next = match limit {
        Some(d) => tokio::time::timeout(d, rx.recv())
            .await
            .map_err(|_| FedError::Transport(format!("对端 {peer} 在 {d:?} 内未发送 Hello")))?,
        None => rx.recv().await,
    };
    match next.ok_or_else(closed)?? {
        Frame::Hello { node, cursors, version } => {
            if &node != peer {
                return Err(refuse(peer, format!("Hello 声称身份为 {node}，与证书身份不符")));
            }
            core.registry.touch(peer);
            tracing::debug!(%version, "收到对端 Hello");
            Ok(cursors.into_iter().filter(|(s, _)| role.sends(&core.me, s)).collect())
        }
        other => Err(FedError::Protocol(format!("首帧必须是 Hello，收到 {}", frame_name(&other)))),
    }
}

/// The parent's wait for a catch-up slot. Any frame from the child before
/// our `Hello` breaks the protocol; the child hanging up ends the wait.
async fn wait_for_slot<S: EventStore>(
    core: &Core<S>,
    rx: &mut mpsc::Receiver<Result<Frame, FedError>>,
) -> Result<OwnedSemaphorePermit, FedError> {
    if core.catchups.available_permits() == 0 {
        tracing::info!("追赶名额已满，等待空闲名额");
    }
    tokio::select! {
        permit = core.catchups.clone().acquire_owned() => {
            permit.map_err(|_| FedError::Transport("追赶名额已关闭".into()))
        }
        frame = rx.recv() => Err(match frame {
            None => closed(),
            Some(Err(e)) => e,
            Some(Ok(f)) => FedError::Protocol(format!("在收到上级 Hello 之前发送了 {}", frame_name(&f))),
        }),
    }
}

/// A peer holding more of a stream than we do means we lost events (e.g. a
/// restore from an old backup): we keep going and never delete anything,
/// but an operator must know.
fn warn_if_peer_ahead(peer: &NodeId, hello: &Cursors, ours: &Cursors) {
    for (stream, theirs) in hello {
        let mine = ours.get(stream).copied().unwrap_or(0);
        if *theirs > mine {
            tracing::warn!(peer = %peer, origin = %stream.origin, channel = ?stream.channel, theirs, mine,
                "对端持有的事件多于本节点：本节点可能从旧备份恢复，需人工核查");
        }
    }
}

/// The error for a link the peer closed.
pub(crate) fn closed() -> FedError {
    FedError::Transport("对端已关闭链路".into())
}

/// A frame's name, for error messages.
pub(crate) fn frame_name(frame: &Frame) -> &'static str {
    match frame {
        Frame::Hello { .. } => "Hello",
        Frame::Events(_) => "Events",
        Frame::Ack(_) => "Ack",
        Frame::CaughtUp => "CaughtUp",
        Frame::Ping { .. } => "Ping",
        Frame::Summary(_) => "Summary",
    }
}
