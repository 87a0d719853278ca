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
//!    share only [`Shared`] bookkeeping; the receiving half never waits on the
//!    link's send buffer, so two peers that both have much to send cannot
//!    deadlock each other.
//! 3. **End.** The session ends when either half fails, the peer closes the
//!    link, the link is silent for `dead_after`, a newer session with the
//!    same peer starts, or the engine shuts down. Nothing is rolled back or
//!    deleted: the next session starts again from durable cursors.

use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, mpsc};
use tracing::Instrument;

use crate::core::Core;
use crate::flow::{Cursors, Flow, Shared};
use crate::inbound::Inbound;
use crate::link::closed;
use crate::outbound::Outbound;
use crate::registry::SessionGuard;
use crate::relay::refuse;
use crate::status::sent_streams;
use crate::{EventStore, FedError, Frame, Link, PeerRole, StreamId};

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
            biased;
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
    let all = core.store.cursors()?;
    let mut target: Cursors = sent_streams(&all, &core.me, role).into_iter().collect();
    let own = role.own_held_by_peer(&core.me);
    let own_limit = hello.sends.get(&own).copied().unwrap_or(0);
    core.recovery.on_hello(&peer, &own, own_limit, cursor_of(&all, &own));
    let heartbeat = hello.heartbeat;
    // Only a child is sent runs, and only if it said it takes them.
    let skips = hello.skips && matches!(role, PeerRole::Child(_));
    let mut start = hello.sends;
    let returns = give_back(role, &all, hello.peers_own);
    if let Some((stream, theirs, ours)) = &returns {
        tracing::warn!(origin = %stream.origin, theirs, ours, "对端持有的自身事件少于本节点：回送供其恢复");
        start.insert(stream.clone(), *theirs);
        target.insert(stream.clone(), *ours);
    }
    let saved = core.store.peer_cursors(&peer)?.into_iter().collect();
    let flow = Flow::new(start, saved, permit);
    // What the peer states it holds is the truth for backlog figures, even
    // when it is less than before (a rebuilt peer is resent, never wiped).
    core.store.save_peer_cursors(&peer, &flow.saved())?;
    let shared = Shared::new(flow);
    tracing::info!(streams = target.len(), "会话已建立");
    let returned = returns.map(|(s, _, ours)| (s, ours));
    tokio::select! {
        biased;
        r = Inbound::new(core, role, rx, &shared, (own, own_limit)).run() => r,
        r = Outbound::new(core, role, tx, &shared, target, returned).skipping(skips).run(heartbeat) => r,
    }
}

/// What a peer's `Hello` tells us.
struct PeerHello {
    /// Its cursors of the streams we send it.
    sends: Cursors,
    /// Its cursor of its own stream that we hold (`None` from a peer that
    /// does not state it: an older version, which cannot take it back).
    peers_own: Option<u64>,
    /// Our heartbeat on this session ([`heartbeat_for`]).
    heartbeat: Duration,
    /// Whether it takes skipped runs ([`Frame::Scoped`]).
    skips: bool,
}

/// Our heartbeat towards a peer that judges a link dead after
/// `peer_dead_after`: ours, or a third of the peer's limit when that is
/// shorter, so a peer tuned tighter than we are never hangs up on a link
/// that is alive (a county on the default 5 s heartbeat under a parent that
/// waits 4 s would otherwise reconnect for ever).
pub(crate) fn heartbeat_for(ours: Duration, peer_dead_after: Option<Duration>) -> Duration {
    peer_dead_after.map_or(ours, |d| ours.min(d / 3)).max(Duration::from_millis(1))
}

/// The peer's own stream to send back, when it holds less of it than we
/// do (it was restored from an older backup): (stream, its cursor, ours).
fn give_back(role: &PeerRole, all: &[(StreamId, u64)], theirs: Option<u64>) -> Option<(StreamId, u64, u64)> {
    let stream = role.peers_own();
    let ours = cursor_of(all, &stream);
    theirs.filter(|t| *t < ours).map(|t| (stream, t, ours))
}

fn cursor_of(all: &[(StreamId, u64)], stream: &StreamId) -> u64 {
    all.iter().find(|(s, _)| s == stream).map(|(_, c)| *c).unwrap_or(0)
}

/// Sends our `Hello`: our durable cursors of every stream we take from the
/// peer, and of our own stream the peer holds (so it can send back what we
/// lack; an older peer ignores a cursor it does not expect).
async fn send_hello<S: EventStore>(core: &Core<S>, role: &PeerRole, tx: &mpsc::Sender<Frame>) -> Result<(), FedError> {
    let all = core.store.cursors()?;
    let own = role.own_held_by_peer(&core.me);
    let own_cursor = cursor_of(&all, &own);
    let mut cursors: Vec<(StreamId, u64)> = all.into_iter().filter(|(s, _)| role.accepts(&core.me, s)).collect();
    cursors.push((own, own_cursor));
    core.store.sync().await?;
    let hello = Frame::Hello {
        node: core.me.clone(),
        cursors,
        version: core.config.version.clone(),
        dead_after: Some(core.config.dead_after),
        skips: core.store.takes_skips(),
    };
    tx.send(hello).await.map_err(|_| closed())
}

/// Waits for the peer's `Hello` and checks it; returns its cursors of the
/// streams we send it and of its own stream we hold (others are ignored:
/// they are not the peer's to ask).
async fn recv_hello<S: EventStore>(
    core: &Core<S>,
    role: &PeerRole,
    rx: &mut mpsc::Receiver<Result<Frame, FedError>>,
    limit: Option<Duration>,
) -> Result<PeerHello, FedError> {
    let peer = role.node();
    let next = match limit {
        Some(d) => tokio::time::timeout(d, rx.recv())
            .await
            .map_err(|_| FedError::Transport(format!("对端 {peer} 在 {d:?} 内未发送 Hello")))?,
        None => rx.recv().await,
    };
    match next.ok_or_else(closed)?? {
        Frame::Hello { node, cursors, version, dead_after, skips } => {
            if &node != peer {
                return Err(refuse(peer, format!("Hello 声称身份为 {node}，与证书身份不符")));
            }
            core.registry.touch(peer);
            tracing::debug!(%version, "收到对端 Hello");
            let own = role.peers_own();
            let peers_own = cursors.iter().find(|(s, _)| *s == own).map(|(_, c)| *c);
            let sends = cursors.into_iter().filter(|(s, _)| role.sends(&core.me, s)).collect();
            let heartbeat = heartbeat_for(core.config.heartbeat, dead_after);
            if heartbeat < core.config.heartbeat {
                tracing::info!(?heartbeat, peer_dead_after = ?dead_after, "对端判定链路断开的时限较短：本会话按其时限加快心跳");
            }
            Ok(PeerHello { sends, peers_own, heartbeat, skips })
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
        biased;
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

/// A frame's name, for error messages.
pub(crate) fn frame_name(frame: &Frame) -> &'static str {
    match frame {
        Frame::Hello { .. } => "Hello",
        Frame::Events(_) | Frame::Scoped { .. } => "Events",
        Frame::Ack(_) => "Ack",
        Frame::CaughtUp => "CaughtUp",
        Frame::Ping { .. } => "Ping",
        Frame::Summary { .. } => "Summary",
    }
}
