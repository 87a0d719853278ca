//! The simulated network: a child's dialer that reaches its parent's
//! current incarnation through a proxy, unless the link is partitioned or
//! the parent is down. The proxy delays every frame (a seeded random delay
//! per hop, so one link stays ordered while different links race),
//! sometimes delivers an `Events` frame twice, sometimes drops one and cuts
//! the link mid-batch, and writes every frame it carries to the trace. It
//! also records every `Ack` as a promise of the node that sent it.

use std::time::Duration;

use extranet_federation::{Dialer, FedError, Frame, Link, link_pair};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::ledger::Kind;
use crate::plan::NetFaults;
use crate::world::{World, mix};

/// Dials the parent of node `child`.
pub struct SimDialer {
    pub world: World,
    pub child: usize,
}

impl Dialer for SimDialer {
    async fn dial(&self) -> Result<Link, FedError> {
        tokio::time::sleep(Duration::from_millis(1)).await;
        let (engine, child_id, parent, parent_id, dial, seed, net, cut) = {
            let mut st = self.world.lock();
            let parent = st.tree.parent(self.child).expect("a child has a parent");
            let engine = match (&st.nodes[parent].engine, st.partitioned[self.child]) {
                (Some(e), false) => e.clone(),
                _ => return Err(FedError::Transport("模拟网络：上级不可达".into())),
            };
            st.dials += 1;
            let dial = st.dials;
            let cut = CancellationToken::new();
            st.links[self.child].push(cut.clone());
            st.trace.push(format!("dial {dial}: {} -> {}", self.child, parent));
            let ids = (st.tree.ids[self.child].clone(), st.tree.ids[parent].clone());
            (engine, ids.0, parent, ids.1, dial, st.seed, st.net, cut)
        };
        let (child_end, proxy_c) = link_pair(child_id.clone(), parent_id.clone(), 8, cut.clone());
        let (proxy_p, parent_end) = link_pair(child_id, parent_id, 8, cut.clone());
        let hop = |dir: u64, from: usize| Hop {
            world: self.world.clone(),
            name: format!("d{dial}{}", if dir == 0 { '^' } else { 'v' }),
            from,
            rng: StdRng::seed_from_u64(mix(seed, dial, dir)),
            net,
            cut: cut.clone(),
        };
        tokio::spawn(hop(0, self.child).run(proxy_c.rx, proxy_p.tx));
        tokio::spawn(hop(1, parent).run(proxy_p.rx, proxy_c.tx));
        let world = self.world.clone();
        tokio::spawn(async move {
            if let Err(e @ FedError::Conflict { .. }) = engine.serve_child(parent_end).await {
                let at = world.now();
                world.lock().ledger.violate(Kind::Conflict, at, format!("上级拒绝了冲突事件：{e}"));
            }
        });
        Ok(child_end)
    }
}

/// One direction of one proxied link.
struct Hop {
    world: World,
    name: String,
    /// The node sending on this hop.
    from: usize,
    rng: StdRng,
    net: NetFaults,
    cut: CancellationToken,
}

impl Hop {
    async fn run(mut self, mut rx: mpsc::Receiver<Result<Frame, FedError>>, tx: mpsc::Sender<Frame>) {
        loop {
            let frame = tokio::select! {
                biased;
                _ = self.cut.cancelled() => return,
                f = rx.recv() => match f {
                    Some(Ok(frame)) => frame,
                    _ => return,
                },
            };
            self.note(&frame);
            let delay = self.rng.random_range(0..=self.net.max_delay_us);
            tokio::time::sleep(Duration::from_micros(delay)).await;
            let events = matches!(frame, Frame::Events(_) | Frame::Scoped { .. });
            if events && self.rng.random_range(0..1000) < self.net.cut_per_mille {
                self.world.lock().trace.push(format!("{} cut mid-batch", self.name));
                self.cut.cancel();
                return;
            }
            let twice = events && self.rng.random_range(0..1000) < self.net.dup_per_mille;
            if twice && tx.send(frame.clone()).await.is_err() {
                return;
            }
            if tx.send(frame).await.is_err() {
                return;
            }
        }
    }

    /// Traces the frame and records an `Ack` as its sender's promise.
    fn note(&self, frame: &Frame) {
        let text = match frame {
            Frame::Hello { cursors, .. } => format!("Hello {cursors:?}"),
            Frame::Events(evs) => format!("Events {}", ids(evs)),
            Frame::Scoped { events, skips } => {
                let runs: Vec<String> =
                    skips.iter().map(|r| format!("{}:{}-{}", r.stream.origin, r.from, r.through)).collect();
                format!("Events {} skipped {}", ids(events), runs.join(","))
            }
            Frame::Ack(c) => format!("Ack {c:?}"),
            Frame::CaughtUp => "CaughtUp".into(),
            Frame::Ping { owed, .. } => format!("Ping {}", owed.count),
            Frame::Summary { summary: s, .. } => format!("Summary {} {}", s.origin, s.generated_at_ms),
        };
        let at = self.world.now();
        let mut st = self.world.lock();
        st.trace.push(format!("{:.6} {} {text}", at.as_secs_f64(), self.name));
        if let Frame::Ack(cursors) = frame {
            st.ledger.claim(self.from, cursors);
        }
        let store = st.nodes[self.from].store.clone();
        let early: Option<String> = match frame {
            Frame::Events(evs) | Frame::Scoped { events: evs, .. } => evs
                .iter()
                .find(|e| store.durable_cursor(&e.stream()) < e.seq)
                .map(|e| format!("发出了尚未持久化的事件 {} {:?} 序号 {}", e.origin, e.route.channel(), e.seq)),
            Frame::Ack(cursors) => cursors
                .iter()
                .find(|(s, c)| store.durable_cursor(s) < *c)
                .map(|(s, c)| format!("确认了尚未持久化的 {} {:?} 至 {c}", s.origin, s.channel)),
            _ => None,
        };
        if let Some(what) = early {
            let what = format!("{} {what}", st.tree.ids[self.from]);
            st.ledger.violate(Kind::BeforeDurable, at, what);
        }
    }
}

/// The events of a batch, for the trace.
fn ids(evs: &[extranet_federation::Envelope]) -> String {
    let ids: Vec<String> = evs.iter().map(|e| format!("{}:{:?}:{}", e.origin, e.route.channel(), e.seq)).collect();
    ids.join(",")
}
