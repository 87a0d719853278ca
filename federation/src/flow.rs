//! Per-session bookkeeping shared by the two halves of a session: what we
//! sent and what the peer acknowledged (flow control), acknowledgements we
//! owe the peer, and the catch-up slot, behind one lock with the sending
//! half's wake-up ([`Shared`]). Kept apart from the I/O so the receiving
//! half never waits on the sending half, and below both halves so neither
//! reaches into the session that runs them.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Mutex, MutexGuard};

use tokio::sync::{Notify, OwnedSemaphorePermit};

use crate::StreamId;

/// Cursors by stream.
pub(crate) type Cursors = BTreeMap<StreamId, u64>;

/// State shared by the two halves of a session.
pub(crate) struct Shared {
    flow: Mutex<Flow>,
    /// Wakes the sending half: an ack arrived (window opened) or we owe one.
    pub wake: Notify,
}

impl Shared {
    /// Starts a session's shared state from its bookkeeping.
    pub fn new(flow: Flow) -> Self {
        Shared { flow: Mutex::new(flow), wake: Notify::new() }
    }

    /// The session's bookkeeping; never held across an `.await`.
    pub fn flow(&self) -> MutexGuard<'_, Flow> {
        self.flow.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Bookkeeping of one session.
pub(crate) struct Flow {
    /// Highest sequence sent or skipped per stream (starts at the peer's
    /// Hello cursor).
    sent: Cursors,
    /// Events sent and not yet acknowledged, per stream, in order: the
    /// window counts these, never skipped runs.
    unacked: BTreeMap<StreamId, VecDeque<u64>>,
    /// End of the last run skipped per stream ([`crate::Frame::Skip`]):
    /// never acknowledged on its own, so it counts as acknowledged once
    /// every event sent before it is.
    skipped: Cursors,
    /// Highest sequence the peer acknowledged per stream.
    acked: Cursors,
    /// `saved` moved on a skipped run, not an ack: to persist.
    saved_moved: bool,
    /// The peer's acknowledged cursors as persisted, including streams this
    /// session does not touch.
    saved: Cursors,
    /// Cursors we must still acknowledge to the peer.
    pending_ack: Cursors,
    /// The parent's catch-up slot, held until both sides caught up.
    permit: Option<OwnedSemaphorePermit>,
    we_caught_up: bool,
    peer_caught_up: bool,
}

impl Flow {
    /// Starts from the peer's Hello cursors (already filtered to the streams
    /// we send it) and its previously saved cursors.
    pub fn new(hello: Cursors, mut saved: Cursors, permit: Option<OwnedSemaphorePermit>) -> Self {
        saved.extend(hello.iter().map(|(s, c)| (s.clone(), *c)));
        Flow {
            sent: hello.clone(),
            unacked: BTreeMap::new(),
            skipped: Cursors::new(),
            acked: hello,
            saved_moved: false,
            saved,
            pending_ack: Cursors::new(),
            permit,
            we_caught_up: false,
            peer_caught_up: false,
        }
    }

    /// The peer's acknowledged cursors, for backlog reports: a skipped
    /// run counts once nothing sent before it is still unacknowledged.
    pub fn acked(&self) -> Cursors {
        let mut out = self.acked.clone();
        for (stream, through) in &self.skipped {
            if self.unacked.get(stream).is_none_or(VecDeque::is_empty) {
                let e = out.entry(stream.clone()).or_insert(0);
                *e = (*e).max(*through);
            }
        }
        out
    }

    /// Highest sequence of `stream` sent so far this session.
    pub fn sent(&self, stream: &StreamId) -> u64 {
        self.sent.get(stream).copied().unwrap_or(0)
    }

    /// Events sent but not yet acknowledged.
    pub fn in_flight(&self) -> u64 {
        self.unacked.values().map(|q| q.len() as u64).sum()
    }

    /// Records that event `seq` of `stream` was sent.
    pub fn record_sent(&mut self, stream: &StreamId, seq: u64) {
        self.advance(stream, seq);
        self.unacked.entry(stream.clone()).or_default().push_back(seq);
    }

    /// Records that `stream` was skipped for the peer up to `through`.
    pub fn record_skip(&mut self, stream: &StreamId, through: u64) {
        self.advance(stream, through);
        let e = self.skipped.entry(stream.clone()).or_insert(0);
        *e = (*e).max(through);
        if self.unacked.get(stream).is_none_or(VecDeque::is_empty) {
            self.saved.insert(stream.clone(), through);
            self.saved_moved = true;
        }
    }

    /// The cursors to persist if a skipped run moved them since the last
    /// call (an ack persists its own).
    pub fn take_moved_by_runs(&mut self) -> Option<Vec<(StreamId, u64)>> {
        std::mem::take(&mut self.saved_moved).then(|| self.saved())
    }

    fn advance(&mut self, stream: &StreamId, seq: u64) {
        let e = self.sent.entry(stream.clone()).or_insert(0);
        *e = (*e).max(seq);
    }

    /// Takes in the peer's acknowledgement; refuses an ack of something never
    /// sent. Returns the cursors to persist.
    pub fn record_ack(&mut self, cursors: &[(StreamId, u64)]) -> Result<Vec<(StreamId, u64)>, String> {
        for (stream, seq) in cursors {
            let sent = self.sent(stream);
            if *seq > sent {
                return Err(format!(
                    "确认了未发送的事件：{} {:?} 序号 {seq}（已发送至 {sent}）",
                    stream.origin, stream.channel
                ));
            }
            let a = self.acked.entry(stream.clone()).or_insert(0);
            *a = (*a).max(*seq);
            if let Some(q) = self.unacked.get_mut(stream) {
                while q.front().is_some_and(|s| s <= seq) {
                    q.pop_front();
                }
            }
        }
        let effective = self.acked();
        for (stream, _) in cursors {
            if let Some(v) = effective.get(stream) {
                self.saved.insert(stream.clone(), *v);
            }
        }
        Ok(self.saved())
    }

    /// The peer's cursors to persist: what it stated in its Hello or
    /// acknowledged since, over what was saved before.
    pub fn saved(&self) -> Vec<(StreamId, u64)> {
        self.saved.iter().map(|(s, c)| (s.clone(), *c)).collect()
    }

    /// Queues cursors to acknowledge (newer cursors replace older ones).
    pub fn add_pending_ack(&mut self, cursors: Cursors) {
        for (s, c) in cursors {
            let e = self.pending_ack.entry(s).or_insert(0);
            *e = (*e).max(c);
        }
    }

    /// Takes every queued acknowledgement.
    pub fn take_pending_ack(&mut self) -> Vec<(StreamId, u64)> {
        std::mem::take(&mut self.pending_ack).into_iter().collect()
    }

    /// We sent everything we held at Hello; returns whether the catch-up is
    /// now over on both sides.
    pub fn we_caught_up(&mut self) -> bool {
        self.we_caught_up = true;
        self.release_if_done()
    }

    /// The peer sent everything it held at Hello; returns whether the
    /// catch-up is now over on both sides.
    pub fn peer_caught_up(&mut self) -> bool {
        self.peer_caught_up = true;
        self.release_if_done()
    }

    fn release_if_done(&mut self) -> bool {
        let done = self.we_caught_up && self.peer_caught_up;
        if done {
            self.permit = None;
        }
        done
    }
}

#[cfg(test)]
mod tests {
    use extranet_certs::NodeId;

    use super::*;
    use crate::Channel;

    fn up(o: &str) -> StreamId {
        StreamId { origin: NodeId::parse(o).unwrap(), channel: Channel::Up }
    }

    #[test]
    fn window_and_acks() {
        let a = up("540000/540100");
        let b = up("540000/540100/540102");
        let hello: Cursors = [(a.clone(), 5)].into();
        let saved: Cursors = [(a.clone(), 3), (b.clone(), 1)].into();
        let mut f = Flow::new(hello, saved, None);
        assert_eq!(f.in_flight(), 0);
        (6..=9).for_each(|seq| f.record_sent(&a, seq));
        (1..=4).for_each(|seq| f.record_sent(&b, seq));
        assert_eq!(f.in_flight(), 8);
        let saved = f.record_ack(&[(a.clone(), 7)]).unwrap();
        assert_eq!(saved, vec![(a.clone(), 7), (b.clone(), 1)]);
        assert_eq!(f.in_flight(), 6);
        assert!(f.record_ack(&[(b.clone(), 5)]).is_err());
        // an older ack never moves the cursor back
        f.record_ack(&[(a.clone(), 6)]).unwrap();
        assert_eq!(f.acked()[&a], 7);
    }

    #[test]
    fn a_skipped_run_is_outside_the_window_and_counts_once_what_precedes_it_is_acked() {
        let a = StreamId { origin: NodeId::parse("540000").unwrap(), channel: Channel::Down };
        let mut f = Flow::new([(a.clone(), 2)].into(), Cursors::new(), None);
        f.record_sent(&a, 3);
        f.record_skip(&a, 500);
        assert_eq!(f.in_flight(), 1, "only the event is in flight, not the 497 skipped");
        assert_eq!(f.sent(&a), 500);
        assert_eq!(f.acked()[&a], 2, "event 3 is not yet acknowledged, so neither is the run after it");
        let saved = f.record_ack(&[(a.clone(), 3)]).unwrap();
        assert_eq!(f.in_flight(), 0);
        assert_eq!(f.acked()[&a], 500);
        assert_eq!(saved, vec![(a.clone(), 500)], "saved for backlog figures as held");
        assert!(f.record_ack(&[(a, 501)]).is_err(), "nothing beyond what was sent or skipped");
    }

    #[test]
    fn pending_acks_coalesce() {
        let a = up("540000/540100");
        let mut f = Flow::new(Cursors::new(), Cursors::new(), None);
        f.add_pending_ack([(a.clone(), 3)].into());
        f.add_pending_ack([(a.clone(), 5)].into());
        assert_eq!(f.take_pending_ack(), vec![(a, 5)]);
        assert!(f.take_pending_ack().is_empty());
        assert!(!f.we_caught_up());
        assert!(f.peer_caught_up());
    }
}
