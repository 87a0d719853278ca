//! The sending half of a session: streams every event the peer lacks, per
//! stream in order, in batches, within the flow-control window; sends our
//! acks, `CaughtUp` once the backlog found at Hello is out, and a `Ping`
//! every heartbeat. It wakes when the store makes new events durable, when
//! an ack opens the window, and on every heartbeat (so even a store that
//! forgot to signal is drained within one heartbeat).

use std::collections::HashMap;

use extranet_certs::NodeId;
use tokio::sync::mpsc;
use tokio::time::{Instant, MissedTickBehavior};

use crate::clock::wall_ms;
use crate::core::Core;
use crate::flow::{Cursors, Shared};
use crate::link::closed;
use crate::status::{backlog, sent_streams};
use crate::{Channel, Envelope, EventStore, FedError, Frame, PeerRole, StreamId};

/// Most payload bytes (roughly) in one `Events` frame, so a batch of large
/// events stays well below the transport's message limit. A single event
/// larger than this still goes out, alone.
const MAX_BATCH_BYTES: usize = 1 << 20;

/// The sending half of one session.
pub(crate) struct Outbound<'a, S> {
    core: &'a Core<S>,
    role: &'a PeerRole,
    tx: mpsc::Sender<Frame>,
    shared: &'a Shared,
    /// Our cursors when the session opened: the catch-up to send.
    target: Cursors,
    caught_up_sent: bool,
    /// Where the next batch starts scanning, so no stream starves another.
    rotate: usize,
    /// Newest summary sent per origin on this session (to the parent only).
    summaries_sent: HashMap<NodeId, i64>,
    /// The peer's own stream, sent back up to this cursor because it holds
    /// less of it than we do (see `crate::recovery`).
    returned: Option<(StreamId, u64)>,
}

impl<'a, S: EventStore> Outbound<'a, S> {
    pub fn new(
        core: &'a Core<S>,
        role: &'a PeerRole,
        tx: mpsc::Sender<Frame>,
        shared: &'a Shared,
        target: Cursors,
        returned: Option<(StreamId, u64)>,
    ) -> Self {
        let summaries_sent = HashMap::new();
        Outbound { core, role, tx, shared, target, caught_up_sent: false, rotate: 0, summaries_sent, returned }
    }

    /// Sends, pinging every `heartbeat`, until the link fails; never
    /// returns `Ok` on its own.
    pub async fn run(mut self, heartbeat: std::time::Duration) -> Result<(), FedError> {
        let mut durable = self.core.store.durable_watch();
        let mut summaries = self.core.summaries.subscribe();
        let to_parent = matches!(self.role, PeerRole::Parent(_));
        let mut tick = tokio::time::interval_at(Instant::now() + heartbeat, heartbeat);
        tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            durable.borrow_and_update();
            summaries.borrow_and_update();
            self.pump().await?;
            self.send_summaries().await?;
            tokio::select! {
                // Fixed order keeps simulations reproducible; the tick comes
                // first so a busy store can never starve the keep-alive.
                biased;
                _ = tick.tick() => self.ping().await?,
                changed = durable.changed() => {
                    changed.map_err(|_| FedError::Store("存储的持久化通知已关闭".into()))?;
                }
                // Only the session to the parent sends summaries; the others
                // do not wait on them (one waiter keeps wake order fixed).
                _ = summaries.changed(), if to_parent => {}
                _ = self.shared.wake.notified() => {}
            }
        }
    }

    /// Sends owed acks and every batch the window allows, then `CaughtUp`
    /// if it is due.
    async fn pump(&mut self) -> Result<(), FedError> {
        loop {
            self.send_acks().await?;
            if !self.send_batch().await? {
                break;
            }
        }
        self.send_acks().await?;
        self.maybe_caught_up().await
    }

    async fn send_acks(&mut self) -> Result<(), FedError> {
        let cursors = self.shared.flow().take_pending_ack();
        if cursors.is_empty() {
            return Ok(());
        }
        self.send(Frame::Ack(cursors)).await
    }

    /// Sends one batch if there is something to send and room in the
    /// window; returns whether it sent one.
    async fn send_batch(&mut self) -> Result<bool, FedError> {
        let config = &self.core.config;
        let room = {
            let in_flight = usize::try_from(self.shared.flow().in_flight()).unwrap_or(usize::MAX);
            config.window.saturating_sub(in_flight).min(config.batch_size)
        };
        if room == 0 {
            return Ok(false);
        }
        let mut ours = sent_streams(&self.core.store.cursors()?, &self.core.me, self.role);
        ours.extend(self.returned.clone());
        let batch = self.fill(&ours, room)?;
        if batch.is_empty() {
            return Ok(false);
        }
        // Never send what a crash could still take back from us. Down to a
        // child that may wait for a flush shared with other writes; up to the
        // parent only the writes of up events are waited for.
        match self.role {
            PeerRole::Child(_) => self.core.store.sync_soon().await?,
            PeerRole::Parent(_) => self.core.store.sync_up().await?,
        }
        {
            let mut flow = self.shared.flow();
            for ev in &batch {
                flow.record_sent(&ev.stream(), ev.seq);
            }
        }
        self.send(Frame::Events(batch)).await?;
        Ok(true)
    }

    /// Reads up to `room` events the peer lacks, round-robin over streams.
    fn fill(&mut self, ours: &[(StreamId, u64)], room: usize) -> Result<Vec<Envelope>, FedError> {
        let sent: Vec<u64> = {
            let flow = self.shared.flow();
            ours.iter().map(|(s, _)| flow.sent(s)).collect()
        };
        let mut batch = Vec::new();
        let mut bytes = 0usize;
        let n = ours.len();
        self.rotate = self.rotate.wrapping_add(1);
        for i in 0..n {
            let k = (self.rotate + i) % n;
            let ((stream, cursor), from) = (&ours[k], sent[k]);
            if *cursor <= from {
                continue;
            }
            for (expected, ev) in (from + 1..).zip(self.core.store.read(stream, from, room - batch.len())?) {
                if ev.seq != expected || ev.stream() != *stream {
                    return Err(FedError::Store(format!(
                        "存储返回了错位的事件：{} 期望序号 {expected}",
                        stream.origin
                    )));
                }
                bytes += ev.payload.len() + ev.kind.len();
                batch.push(ev);
                if bytes >= MAX_BATCH_BYTES {
                    return Ok(batch);
                }
            }
            if batch.len() >= room {
                break;
            }
        }
        Ok(batch)
    }

    /// Sends `CaughtUp` once everything held at Hello has been sent.
    async fn maybe_caught_up(&mut self) -> Result<(), FedError> {
        if self.caught_up_sent {
            return Ok(());
        }
        let done = {
            let flow = self.shared.flow();
            self.target.iter().all(|(s, c)| flow.sent(s) >= *c)
        };
        if !done {
            return Ok(());
        }
        self.send(Frame::CaughtUp).await?;
        self.caught_up_sent = true;
        if self.shared.flow().we_caught_up() {
            tracing::info!("双方追赶完成");
        }
        Ok(())
    }

    /// To the parent: every summary of our subtree newer than what this
    /// session already sent. Never to a child.
    async fn send_summaries(&mut self) -> Result<(), FedError> {
        if !matches!(self.role, PeerRole::Parent(_)) {
            return Ok(());
        }
        for s in self.core.store.summaries(&self.core.me)? {
            let as_up = StreamId { origin: s.origin.clone(), channel: Channel::Up };
            let sent = self.summaries_sent.get(&s.origin).copied();
            if !self.role.sends(&self.core.me, &as_up) || sent.is_some_and(|t| t >= s.heard_at_ms) {
                continue;
            }
            self.summaries_sent.insert(s.origin.clone(), s.heard_at_ms);
            let age_ms = crate::clock::now_ms().saturating_sub(s.heard_at_ms).max(0);
            self.send(Frame::Summary { summary: s, age_ms }).await?;
        }
        Ok(())
    }

    /// Keep-alive carrying what we still owe the peer.
    async fn ping(&mut self) -> Result<(), FedError> {
        let ours = sent_streams(&self.core.store.cursors()?, &self.core.me, self.role);
        let acked = self.shared.flow().acked().clone();
        let owed = backlog(&*self.core.store, &ours, &acked)?;
        self.send(Frame::Ping { owed, sent_at_ms: wall_ms() }).await
    }

    async fn send(&self, frame: Frame) -> Result<(), FedError> {
        self.tx.send(frame).await.map_err(|_| closed())
    }
}
