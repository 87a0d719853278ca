//! The sending half of a session: streams every event the peer lacks, per
//! stream in order, in batches, within the flow-control window; sends our
//! acks, `CaughtUp` once the backlog found at Hello is out, and a `Ping`
//! every heartbeat. It wakes when the store makes new events durable, when
//! an ack opens the window, and on every heartbeat (so even a store that
//! forgot to signal is drained within one heartbeat).

use std::collections::{HashMap, HashSet};

use extranet_certs::NodeId;
use tokio::sync::mpsc;
use tokio::time::{Instant, MissedTickBehavior};

use crate::clock::wall_ms;
use crate::core::Core;
use crate::flow::{Cursors, Shared};
use crate::link::closed;
use crate::status::{backlog, sent_streams};
use crate::{Channel, Envelope, EventStore, FedError, Frame, PeerRole, Route, Skipped, StreamId};

/// Most payload bytes (roughly) in one `Events` frame, so a batch of large
/// events stays well below the transport's message limit. A single event
/// larger than this still goes out, alone.
const MAX_BATCH_BYTES: usize = 1 << 20;

/// Most events of one relayed down stream read in one batch for a child
/// that is skipped what does not concern it, so a long run to skip never
/// holds a runtime worker for long; the rest is read for the next batch.
const SCAN_BUDGET: usize = 4096;

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
    /// The peer is a child that takes skipped runs ([`Frame::Scoped`]).
    skips: bool,
    /// Per relayed down stream, how far it was read for this child: past
    /// what was sent or skipped, only events that reach nowhere in its
    /// subtree (the run still to skip).
    scanned: HashMap<StreamId, u64>,
    /// Send the runs still to skip even with no event after them (on a
    /// heartbeat, and until `CaughtUp`).
    flush_runs: bool,
    /// Relayed streams held with holes that this child (which takes no
    /// runs) cannot be sent past; warned once per session.
    stalled: HashSet<StreamId>,
}

/// One batch being filled: events and the runs skipped before them.
#[derive(Default)]
struct Fill {
    events: Vec<Envelope>,
    skips: Vec<Skipped>,
    bytes: usize,
}

impl Fill {
    fn push(&mut self, ev: Envelope) {
        self.bytes += ev.payload.len() + ev.kind.len();
        self.events.push(ev);
    }

    fn full(&self, room: usize) -> bool {
        self.events.len() >= room || self.bytes >= MAX_BATCH_BYTES
    }
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
        Outbound {
            core,
            role,
            tx,
            shared,
            target,
            caught_up_sent: false,
            rotate: 0,
            summaries_sent: HashMap::new(),
            returned,
            skips: false,
            scanned: HashMap::new(),
            flush_runs: false,
            stalled: HashSet::new(),
        }
    }

    /// Skips, for this child, relayed down events that reach nowhere in
    /// its subtree (it said in its `Hello` that it takes runs).
    pub fn skipping(mut self, skips: bool) -> Self {
        self.skips = skips;
        self
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
                _ = tick.tick() => {
                    // Runs with nothing after them go out now, so the
                    // child's cursor and the backlog we report are current.
                    self.flush_runs = true;
                    self.pump().await?;
                    self.flush_runs = false;
                    self.ping().await?;
                }
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
        let fill = self.fill(&ours, room)?;
        if fill.events.is_empty() && fill.skips.is_empty() {
            return Ok(false);
        }
        // Never send what a crash could still take back from us. Down to a
        // child that may wait for a flush shared with other writes; up to the
        // parent only the writes of up events are waited for. Runs alone
        // hold nothing to lose.
        match self.role {
            PeerRole::Child(_) if !fill.events.is_empty() => self.core.store.sync_soon().await?,
            PeerRole::Child(_) => {}
            PeerRole::Parent(_) => self.core.store.sync_up().await?,
        }
        {
            let mut flow = self.shared.flow();
            for run in &fill.skips {
                flow.record_skip(&run.stream, run.through);
            }
            for ev in &fill.events {
                flow.record_sent(&ev.stream(), ev.seq);
            }
        }
        let frame = match fill.skips.is_empty() {
            true => Frame::Events(fill.events),
            false => Frame::Scoped { events: fill.events, skips: fill.skips },
        };
        self.send(frame).await?;
        Ok(true)
    }

    /// Reads up to `room` events the peer lacks, round-robin over streams.
    fn fill(&mut self, ours: &[(StreamId, u64)], room: usize) -> Result<Fill, FedError> {
        let sent: Vec<u64> = {
            let flow = self.shared.flow();
            ours.iter().map(|(s, _)| flow.sent(s)).collect()
        };
        let mut fill = Fill::default();
        let n = ours.len();
        self.rotate = self.rotate.wrapping_add(1);
        for i in 0..n {
            let k = (self.rotate + i) % n;
            let ((stream, cursor), from) = (&ours[k], sent[k]);
            if *cursor <= from {
                continue;
            }
            if self.skips && stream.channel == Channel::Down && stream.origin != self.core.me {
                self.fill_scoped(stream, *cursor, from, room, &mut fill)?;
            } else {
                self.fill_dense(stream, from, room, &mut fill)?;
            }
            if fill.full(room) {
                break;
            }
        }
        Ok(fill)
    }

    /// Every event of `stream` after `from`, in order, with no hole.
    fn fill_dense(&mut self, stream: &StreamId, from: u64, room: usize, fill: &mut Fill) -> Result<(), FedError> {
        for (expected, ev) in (from + 1..).zip(self.core.store.read(stream, from, room - fill.events.len())?) {
            if ev.stream() != *stream || ev.seq < expected {
                return Err(FedError::Store(format!("存储返回了错位的事件：{} 期望序号 {expected}", stream.origin)));
            }
            if ev.seq != expected {
                // A hole our parent skipped for us: this child, of an older
                // version, cannot be told to skip it.
                if self.stalled.insert(stream.clone()) {
                    tracing::error!(origin = %stream.origin, seq = expected, peer = %self.role.node(),
                        "下级为旧版本，无法跳过本节点未收到的范围外事件：该事件流暂停向其发送，请先升级下级");
                }
                return Ok(());
            }
            fill.push(ev);
            if fill.full(room) {
                break;
            }
        }
        Ok(())
    }

    /// What this child needs of relayed down `stream` after `from` (what it
    /// was sent or skipped): the events whose scope reaches into its
    /// subtree, each with the run skipped just before it, and — when
    /// flushing, or if nothing follows — the run after the last.
    fn fill_scoped(
        &mut self,
        stream: &StreamId,
        cursor: u64,
        from: u64,
        room: usize,
        fill: &mut Fill,
    ) -> Result<(), FedError> {
        let child = self.role.node().clone();
        let mut pos = from;
        let mut scan = self.scanned.get(stream).copied().unwrap_or(0).max(from);
        let mut budget = SCAN_BUDGET;
        'read: while scan < cursor && !fill.full(room) && budget > 0 {
            // As many as could still go, so events that all go are read once.
            let want = (room - fill.events.len()).min(budget);
            budget -= want;
            let evs = self.core.store.read(stream, scan, want)?;
            if evs.is_empty() {
                // Nothing more held: the rest up to our cursor was skipped
                // for us, so it reaches nowhere below us either.
                scan = cursor;
                break;
            }
            for ev in evs {
                if ev.seq > cursor || ev.stream() != *stream {
                    scan = cursor;
                    break 'read;
                }
                let Route::Down(scope) = &ev.route else {
                    return Err(FedError::Store(format!("下行事件流中有上行事件：{} 序号 {}", stream.origin, ev.seq)));
                };
                if scope.reaches_into(&child) {
                    if ev.seq > pos + 1 {
                        fill.skips.push(Skipped { stream: stream.clone(), from: pos + 1, through: ev.seq - 1 });
                    }
                    pos = ev.seq;
                    scan = ev.seq;
                    fill.push(ev);
                    if fill.full(room) {
                        break 'read;
                    }
                } else {
                    scan = ev.seq;
                }
            }
        }
        let trailing = self.flush_runs || !self.caught_up_sent;
        if scan > pos && trailing {
            fill.skips.push(Skipped { stream: stream.clone(), from: pos + 1, through: scan });
            pos = scan;
        }
        self.scanned.insert(stream.clone(), scan.max(pos));
        Ok(())
    }

    /// Sends `CaughtUp` once everything held at Hello has been sent.
    async fn maybe_caught_up(&mut self) -> Result<(), FedError> {
        if self.caught_up_sent {
            return Ok(());
        }
        let done = {
            let flow = self.shared.flow();
            // A stream stalled for an older child can never get there.
            self.target.iter().all(|(s, c)| flow.sent(s) >= *c || self.stalled.contains(s))
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

    /// Keep-alive carrying what we still owe the peer. Cursors moved by
    /// runs skipped since the last one are saved first (at most once a
    /// heartbeat), so backlog figures count nothing skipped.
    async fn ping(&mut self) -> Result<(), FedError> {
        let moved = self.shared.flow().take_moved_by_runs();
        if let Some(saved) = moved {
            self.core.store.save_peer_cursors(self.role.node(), &saved)?;
        }
        let ours = sent_streams(&self.core.store.cursors()?, &self.core.me, self.role);
        let acked = self.shared.flow().acked();
        let owed = backlog(&*self.core.store, &ours, &acked)?;
        self.send(Frame::Ping { owed, sent_at_ms: wall_ms() }).await
    }

    async fn send(&self, frame: Frame) -> Result<(), FedError> {
        self.tx.send(frame).await.map_err(|_| closed())
    }
}
