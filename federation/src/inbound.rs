//! The receiving half of a session: checks every event against the link's
//! rules, hands it to the store, makes each batch durable and only then
//! queues its acknowledgement. It never waits on the link's send buffer.

use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::core::Core;
use crate::flow::{Cursors, Shared};
use crate::relay::refuse;
use crate::{Accepted, Channel, Envelope, EventStore, FedError, Frame, Incoming, PeerRole, Skipped, StreamId, Summary};

/// How often, at most, the cursors a peer acknowledged are saved while
/// acknowledgements keep coming (the last one is saved at most this much
/// later). They only feed backlog figures after a restart, and a save per
/// acknowledgement was a store commit per hop and per receipt (issue 11).
const SAVE_ACKS_EVERY: Duration = Duration::from_millis(200);

/// The receiving half of one session.
pub(crate) struct Inbound<'a, S> {
    core: &'a Core<S>,
    role: &'a PeerRole,
    rx: mpsc::Receiver<Result<Frame, FedError>>,
    shared: &'a Shared,
    /// Our own stream this peer may send back, and how far (its `Hello`).
    own: (StreamId, u64),
    /// Acknowledged cursors not yet saved, and when they were last saved.
    unsaved: Option<Vec<(StreamId, u64)>>,
    saved_at: Instant,
}

impl<'a, S: EventStore> Inbound<'a, S> {
    pub fn new(
        core: &'a Core<S>,
        role: &'a PeerRole,
        rx: mpsc::Receiver<Result<Frame, FedError>>,
        shared: &'a Shared,
        own: (StreamId, u64),
    ) -> Self {
        Inbound { core, role, rx, shared, own, unsaved: None, saved_at: Instant::now() }
    }

    /// Receives frames until the peer closes the link (`Ok`), the link fails
    /// or falls silent for `dead_after`, or the peer breaks the protocol.
    pub async fn run(mut self) -> Result<(), FedError> {
        let res = self.receive().await;
        // what the peer acknowledged last is kept however the session ends
        let saved = self.save_acks();
        res.and(saved)
    }

    async fn receive(&mut self) -> Result<(), FedError> {
        let dead_after = self.core.config.dead_after;
        let mut heard = Instant::now();
        loop {
            let dead_at = heard + dead_after;
            let until = match self.unsaved {
                Some(_) => dead_at.min(self.saved_at + SAVE_ACKS_EVERY),
                None => dead_at,
            };
            let Ok(next) = tokio::time::timeout_at(until, self.rx.recv()).await else {
                if Instant::now() >= dead_at {
                    return Err(FedError::Transport(format!("{dead_after:?} 内未收到对端任何帧，判定链路已断开")));
                }
                self.save_acks()?;
                continue;
            };
            let frame = match next {
                None => {
                    tracing::info!("对端关闭了链路");
                    return Ok(());
                }
                Some(result) => result?,
            };
            heard = Instant::now();
            self.core.registry.touch(self.role.node());
            self.handle(frame).await?;
        }
    }

    /// Saves the acknowledged cursors not yet saved.
    fn save_acks(&mut self) -> Result<(), FedError> {
        if let Some(save) = self.unsaved.take() {
            self.core.store.save_peer_cursors(self.role.node(), &save)?;
            self.saved_at = Instant::now();
        }
        Ok(())
    }

    async fn handle(&mut self, frame: Frame) -> Result<(), FedError> {
        match frame {
            Frame::Events(events) => self.on_events(&events, &[]).await,
            Frame::Scoped { events, skips } => self.on_events(&events, &skips).await,
            Frame::Ack(cursors) => self.on_ack(&cursors),
            Frame::CaughtUp => {
                if self.shared.flow().peer_caught_up() {
                    tracing::info!("双方追赶完成");
                }
                Ok(())
            }
            Frame::Ping { owed, sent_at_ms } => {
                self.core.registry.set_inbound(self.role.node(), owed, sent_at_ms);
                Ok(())
            }
            Frame::Hello { .. } => Err(FedError::Protocol("会话中重复发送 Hello".into())),
            Frame::Summary { mut summary, age_ms } => {
                // Dated on our clock: a negative age (a broken sender) is none.
                summary.heard_at_ms = crate::clock::now_ms().saturating_sub(age_ms.max(0));
                self.on_summary(&summary)
            }
        }
    }

    /// Keeps a summary from a child if its origin lies within the child's
    /// subtree (the rule of up events); anything else ends the session.
    fn on_summary(&mut self, summary: &Summary) -> Result<(), FedError> {
        let as_up = StreamId { origin: summary.origin.clone(), channel: Channel::Up };
        if !matches!(self.role, PeerRole::Child(_)) || !self.role.accepts(&self.core.me, &as_up) {
            let reason = format!("发送了其无权发送的状态摘要：来源 {}", summary.origin);
            return Err(refuse(self.role.node(), reason));
        }
        self.core.keep_summary(summary)?;
        Ok(())
    }

    /// Accepts a batch: refuse it if any event is outside the link's rules;
    /// take it in (one atomic write at the node's store), skip duplicates
    /// (after checking they are the same event), stop at a gap; then sync
    /// and queue the ack.
    async fn on_events(&mut self, events: &[Envelope], skips: &[Skipped]) -> Result<(), FedError> {
        let mut batch = self.admit(events)?;
        let trailing = self.admit_skips(&mut batch, skips)?;
        let outcomes = self.core.store.accept_batch(&batch)?;
        let mut touched = Cursors::new();
        let mut recovered = false;
        for (inc, accepted) in batch.iter().zip(outcomes) {
            let ev = inc.event;
            match accepted {
                Accepted::Applied => note(&mut touched, ev.stream(), ev.seq),
                Accepted::Duplicate => {
                    self.same_as_held(ev)?;
                    note(&mut touched, ev.stream(), ev.seq);
                }
                Accepted::Gap { expected } => return Err(self.gap(&ev.stream(), expected, inc.follows + 1)),
            }
            recovered |= inc.own;
        }
        if !trailing.is_empty() {
            for (run, moved) in trailing.iter().zip(self.core.store.skip(&trailing)?) {
                if let Accepted::Gap { expected } = moved {
                    return Err(self.gap(&run.stream, expected, run.from));
                }
                note(&mut touched, run.stream.clone(), run.through);
            }
            // Runs alone move cursors past nothing held: no flush, and the
            // next acknowledgement covers them.
            if events.is_empty() {
                return Ok(());
            }
        }
        if touched.is_empty() {
            return Ok(());
        }
        // Events going down (from the parent) may share a later flush; what
        // goes up, or is our own taken back, is made durable at once.
        if matches!(self.role, PeerRole::Parent(_)) && !recovered {
            self.core.store.sync_soon().await?;
        } else {
            self.core.store.sync().await?;
        }
        if recovered {
            let own = &self.own.0;
            let held = self.core.store.cursors()?.into_iter().find(|(s, _)| s == own).map_or(0, |(_, c)| c);
            self.core.recovery.on_progress(own, held);
        }
        self.shared.flow().add_pending_ack(touched);
        self.shared.wake.notify_one();
        Ok(())
    }

    /// Checks every event of a batch against the link's rules before any of
    /// it is taken in, and says how each is to be taken: one of our own
    /// events this peer holds for us (after a restore), or one to store and
    /// — where it takes effect here — apply.
    fn admit<'e>(&self, events: &'e [Envelope]) -> Result<Vec<Incoming<'e>>, FedError> {
        let me = &self.core.me;
        let mut batch = Vec::with_capacity(events.len());
        for ev in events {
            let stream = ev.stream();
            let own = stream == self.own.0 && ev.seq <= self.own.1;
            if !own && !self.role.accepts(me, &stream) {
                let reason = format!("发送了其无权发送的事件：来源 {} {:?} 序号 {}", ev.origin, stream.channel, ev.seq);
                return Err(refuse(self.role.node(), reason));
            }
            batch.push(Incoming::dense(ev, !own && ev.takes_effect_at(me), own));
        }
        Ok(batch)
    }

    /// A gap: the session ends and the next resumes from the cursor.
    fn gap(&self, stream: &StreamId, expected: u64, got: u64) -> FedError {
        let msg =
            format!("事件序号不连续：来源 {} {:?} 期望序号 {expected}，收到 {got}", stream.origin, stream.channel);
        tracing::warn!(peer = %self.role.node(), "{msg}");
        FedError::Protocol(msg)
    }

    /// Checks the runs a parent skipped for us and ties each to the event
    /// right after it (which may then follow on the run's start); returns
    /// the runs that come after every event of their stream. Anything
    /// else — runs from a child, of the parent's own stream, of a stream
    /// it may not send, not touching an event or after one — is refused.
    fn admit_skips(&self, batch: &mut [Incoming<'_>], skips: &[Skipped]) -> Result<Vec<Skipped>, FedError> {
        let peer = self.role.node();
        let mut trailing: Vec<Skipped> = Vec::new();
        for run in skips {
            let stream = &run.stream;
            let allowed = matches!(self.role, PeerRole::Parent(_))
                && self.core.store.takes_skips()
                && &stream.origin != peer
                && self.role.accepts(&self.core.me, stream);
            if !allowed {
                let reason = format!(
                    "跳过了其无权跳过的事件：来源 {} {:?} 序号 {} 至 {}",
                    stream.origin, stream.channel, run.from, run.through
                );
                return Err(refuse(peer, reason));
            }
            let same =
                |inc: &Incoming<'_>| inc.event.origin == stream.origin && inc.event.route.channel() == stream.channel;
            if batch.iter().any(|inc| same(inc) && (run.from..=run.through).contains(&inc.event.seq)) {
                return Err(FedError::Protocol(format!(
                    "跳过的序号范围与事件交错：来源 {} 自 {}",
                    stream.origin, run.from
                )));
            }
            match batch.iter_mut().find(|inc| same(inc) && inc.event.seq > run.through) {
                Some(next) if next.event.seq == run.through + 1 && next.follows == run.through => {
                    next.follows = run.from - 1;
                }
                None if !trailing.iter().any(|t| t.stream == *stream) => trailing.push(run.clone()),
                _ => {
                    let msg = format!("跳过的序号范围与其后的事件不衔接：来源 {} 至 {}", stream.origin, run.through);
                    return Err(FedError::Protocol(msg));
                }
            }
        }
        Ok(trailing)
    }

    /// A duplicate must be the very event we hold: one origin issuing a
    /// sequence number twice with other content (a node restored from an
    /// old backup) must raise an alarm, never be acknowledged as held.
    fn same_as_held(&self, ev: &Envelope) -> Result<(), FedError> {
        let held = self.core.store.read(&ev.stream(), ev.seq.saturating_sub(1), 1)?;
        match held.first() {
            Some(h) if h == ev => Ok(()),
            // Not held though at or below the cursor: the parent skipped it
            // for us once; there is nothing to compare it with. Only a
            // relayed down stream can have such a hole.
            Some(h) if h.seq != ev.seq && self.may_be_skipped(ev) => Ok(()),
            None if self.may_be_skipped(ev) => Ok(()),
            Some(h) => {
                let peer = self.role.node();
                let reason = format!(
                    "来源 {} {:?} 序号 {} 已持有内容不同的事件（持有 {}，收到 {}）：该来源重复使用了序号",
                    ev.origin,
                    ev.route.channel(),
                    ev.seq,
                    h.kind,
                    ev.kind
                );
                tracing::error!(peer = %peer, origin = %ev.origin, seq = ev.seq, "{reason}");
                Err(FedError::Conflict { peer: peer.clone(), reason })
            }
            None => Err(FedError::Store(format!("存储称已持有 {} 序号 {}，却读不到它", ev.origin, ev.seq))),
        }
    }

    /// Whether `ev` may be missing here below the cursor: a down event the
    /// parent relayed (not its own), kept by a store that takes runs.
    fn may_be_skipped(&self, ev: &Envelope) -> bool {
        matches!(self.role, PeerRole::Parent(_))
            && ev.route.channel() == Channel::Down
            && &ev.origin != self.role.node()
            && self.core.store.takes_skips()
    }

    /// Takes in the peer's ack: opens the window and persists the peer's
    /// cursors for backlog figures — at once if none were saved for a
    /// while, else within [`SAVE_ACKS_EVERY`].
    fn on_ack(&mut self, cursors: &[(StreamId, u64)]) -> Result<(), FedError> {
        let save = self.shared.flow().record_ack(cursors).map_err(FedError::Protocol)?;
        self.shared.wake.notify_one();
        self.unsaved = Some(save);
        if self.saved_at.elapsed() >= SAVE_ACKS_EVERY {
            self.save_acks()?;
        }
        Ok(())
    }
}

/// Remembers that `stream` is held at least up to `seq`.
fn note(touched: &mut Cursors, stream: StreamId, seq: u64) {
    let e = touched.entry(stream).or_insert(0);
    *e = (*e).max(seq);
}
