//! Recovery of this node's own streams after a restore from an older
//! backup. Peers hold copies of what we wrote — the parent our up stream,
//! the children our down stream — so a peer that states in its `Hello` more
//! of an own stream than we hold proves we lost events. Until we took them
//! back (the peer sends them, we re-apply them to our own records), a new
//! write would reuse a sequence number the peer already holds with other
//! content; so the node refuses writes while [`crate::Engine::recovering`]
//! says so.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Mutex, MutexGuard};

use extranet_certs::NodeId;
use tokio::sync::watch;

use crate::{Channel, StreamId};

/// Why this node must not write yet, per own stream.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct RecoveringStream {
    /// One of this node's own streams.
    pub stream: StreamId,
    /// The peer holding the most of it, which sends it back; `None` while
    /// only waiting for peers to state what they hold.
    pub from: Option<NodeId>,
    /// Peers that must still state what they hold of it
    /// ([`crate::EngineConfig::confirm_own_streams`]).
    pub waiting_for: Vec<NodeId>,
    /// How much of it we hold now.
    pub held: u64,
    /// How much of it a peer holds: recovery ends once `held` reaches it.
    pub target: u64,
}

/// This node is recovering its own streams: writes must be refused
/// (`UNAVAILABLE`, with [`Recovering::message`]) until it is over.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Recovering {
    /// Every own stream not yet recovered or confirmed.
    pub streams: Vec<RecoveringStream>,
}

impl Recovering {
    /// Whether writes on `channel` must wait.
    pub fn blocks(&self, channel: Channel) -> bool {
        self.streams.iter().any(|s| s.stream.channel == channel)
    }

    /// The text to refuse a write with: what is recovered from whom.
    pub fn message(&self) -> String {
        let parts: Vec<String> = self
            .streams
            .iter()
            .map(|s| {
                let channel = match s.stream.channel {
                    Channel::Up => "上行",
                    Channel::Down => "下行",
                };
                match &s.from {
                    Some(peer) => format!("正从 {peer} 恢复本节点{channel}事件（已有 {}，需至 {}）", s.held, s.target),
                    None => {
                        let who: Vec<String> = s.waiting_for.iter().map(|n| n.to_string()).collect();
                        format!("等待 {} 核对本节点{channel}事件", who.join("、"))
                    }
                }
            })
            .collect();
        format!("本节点正在从备份恢复后核对自身事件，完成前暂不受理写入：{}", parts.join("；"))
    }
}

#[derive(Default)]
struct StreamState {
    waiting: BTreeSet<NodeId>,
    from: Option<NodeId>,
    held: u64,
    target: u64,
}

impl StreamState {
    fn done(&self) -> bool {
        self.waiting.is_empty() && self.held >= self.target
    }
}

/// The engine's recovery bookkeeping, published on a watch.
pub(crate) struct Recovery {
    me: NodeId,
    /// Started with [`crate::EngineConfig::confirm_own_streams`].
    confirm: bool,
    /// Peers whose `Hello` this engine has seen, per own stream.
    heard: Mutex<BTreeSet<(StreamId, NodeId)>>,
    streams: Mutex<BTreeMap<StreamId, StreamState>>,
    tx: watch::Sender<Option<Recovering>>,
}

impl Recovery {
    /// Nothing to recover, unless `confirm` names the peers that must first
    /// state what they hold: the parent for our up stream, children for
    /// our down stream.
    pub fn new(me: &NodeId, confirm: Option<(Option<NodeId>, Vec<NodeId>)>) -> Self {
        let mut streams = BTreeMap::new();
        let confirming = confirm.is_some();
        if let Some((parent, children)) = confirm {
            let mut wait = |channel, peers: Vec<NodeId>| {
                if !peers.is_empty() {
                    let state = StreamState { waiting: peers.into_iter().collect(), ..StreamState::default() };
                    streams.insert(StreamId { origin: me.clone(), channel }, state);
                }
            };
            wait(Channel::Up, parent.into_iter().collect());
            wait(Channel::Down, children);
        }
        let recovery = Recovery {
            me: me.clone(),
            confirm: confirming,
            heard: Mutex::new(BTreeSet::new()),
            streams: Mutex::new(streams),
            tx: watch::Sender::new(None),
        };
        recovery.publish(&recovery.lock());
        recovery
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<StreamId, StreamState>> {
        self.streams.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// In confirm mode, `child` (configured, perhaps unknown to the
    /// backup) must also state what it holds of our down stream.
    pub fn expect_child(&self, child: &NodeId) {
        let stream = StreamId { origin: self.me.clone(), channel: Channel::Down };
        let heard = self.heard.lock().unwrap_or_else(|e| e.into_inner()).contains(&(stream.clone(), child.clone()));
        if !self.confirm || heard {
            return;
        }
        let mut streams = self.lock();
        streams.entry(stream).or_default().waiting.insert(child.clone());
        self.publish(&streams);
    }

    /// `peer` stated in its `Hello` that it holds `theirs` of our own
    /// `stream`, of which we hold `mine`.
    pub fn on_hello(&self, peer: &NodeId, stream: &StreamId, theirs: u64, mine: u64) {
        self.heard.lock().unwrap_or_else(|e| e.into_inner()).insert((stream.clone(), peer.clone()));
        let mut streams = self.lock();
        let state = streams.entry(stream.clone()).or_default();
        state.waiting.remove(peer);
        state.held = state.held.max(mine);
        if theirs > state.held && theirs > state.target {
            tracing::warn!(%peer, origin = %stream.origin, channel = ?stream.channel, theirs, mine,
                "对端持有的本节点事件多于本节点（可能从旧备份恢复）：暂停写入，从对端恢复");
            state.target = theirs;
            state.from = Some(peer.clone());
        }
        self.publish(&streams);
    }

    /// We now hold `held` of our own `stream`.
    pub fn on_progress(&self, stream: &StreamId, held: u64) {
        let mut streams = self.lock();
        let Some(state) = streams.get_mut(stream) else {
            return;
        };
        state.held = state.held.max(held);
        if state.held >= state.target && state.from.take().is_some() {
            tracing::info!(origin = %stream.origin, channel = ?stream.channel, held, "本节点自身事件已恢复");
        }
        self.publish(&streams);
    }

    /// The current state: `None` when nothing blocks writes.
    pub fn current(&self) -> Option<Recovering> {
        self.tx.borrow().clone()
    }

    /// Follows the state as it changes.
    pub fn watch(&self) -> watch::Receiver<Option<Recovering>> {
        self.tx.subscribe()
    }

    fn publish(&self, streams: &BTreeMap<StreamId, StreamState>) {
        let list: Vec<RecoveringStream> = streams
            .iter()
            .filter(|(_, st)| !st.done())
            .map(|(stream, st)| RecoveringStream {
                stream: stream.clone(),
                from: st.from.clone(),
                waiting_for: st.waiting.iter().cloned().collect(),
                held: st.held,
                target: st.target,
            })
            .collect();
        let next = (!list.is_empty()).then_some(Recovering { streams: list });
        self.tx.send_if_modified(|cur| {
            let changed = *cur != next;
            *cur = next;
            changed
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> NodeId {
        NodeId::parse(s).unwrap()
    }

    #[test]
    fn a_peer_ahead_blocks_until_caught_up() {
        let me = n("540000/540100");
        let up = StreamId { origin: me.clone(), channel: Channel::Up };
        let r = Recovery::new(&me, None);
        assert_eq!(r.current(), None);
        r.on_hello(&n("540000"), &up, 3, 3);
        assert_eq!(r.current(), None, "a peer holding no more is no reason to wait");
        r.on_hello(&n("540000"), &up, 9, 4);
        let state = r.current().expect("recovering");
        assert!(state.blocks(Channel::Up) && !state.blocks(Channel::Down));
        assert!(state.message().contains("540000") && state.message().contains("需至 9"), "{}", state.message());
        r.on_progress(&up, 8);
        assert!(r.current().is_some());
        r.on_progress(&up, 9);
        assert_eq!(r.current(), None);
    }

    #[test]
    fn confirm_mode_waits_for_every_named_peer() {
        let me = n("540000/540100");
        let kid = n("540000/540100/540102");
        let r = Recovery::new(&me, Some((Some(n("540000")), vec![kid.clone()])));
        let state = r.current().expect("waiting");
        assert!(state.blocks(Channel::Up) && state.blocks(Channel::Down));
        r.on_hello(&n("540000"), &StreamId { origin: me.clone(), channel: Channel::Up }, 0, 0);
        assert!(!r.current().unwrap().blocks(Channel::Up));
        r.on_hello(&kid, &StreamId { origin: me.clone(), channel: Channel::Down }, 2, 2);
        assert_eq!(r.current(), None);
        r.expect_child(&kid);
        assert_eq!(r.current(), None, "a child already heard is not waited for again");
        let other = n("540000/540100/540103");
        r.expect_child(&other);
        assert_eq!(r.current().unwrap().streams[0].waiting_for, vec![other]);
    }
}
