//! The simulated federation at run time: for every node its disk (a
//! [`SimStore`] that outlives crashes), its current engine incarnation and
//! its uplink; the partitions and open links; the snapshots taken; the
//! ledger and the trace. [`World::apply`] carries out one step of the plan.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use extranet_federation::simstore::Image;
use extranet_federation::{Engine, EngineConfig, EventStore, Route, Scope, SimStore, SyncFault};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::check;
use crate::ledger::Ledger;
use crate::net::SimDialer;
use crate::plan::{NetFaults, Step};
use crate::tree::Tree;

/// One node: its disk and, while it runs, its engine.
pub struct SimNode {
    pub store: Arc<SimStore>,
    pub engine: Option<Engine<SimStore>>,
    stop: CancellationToken,
    incarnation: u64,
    /// Restored and not yet confirmed by its peers: starts with
    /// `confirm_own_streams`, as the restore procedure says.
    pub confirm: bool,
}

/// Everything of one run; locked briefly, never across an `.await`.
pub struct State {
    pub tree: Tree,
    pub nodes: Vec<SimNode>,
    pub partitioned: Vec<bool>,
    /// Cut tokens of the links each child opened.
    pub links: Vec<Vec<CancellationToken>>,
    pub snapshots: Vec<Vec<Image>>,
    pub ledger: Ledger,
    pub trace: Vec<String>,
    pub dials: u64,
    pub seed: u64,
    pub net: NetFaults,
    writes: u64,
    /// The summary each node published last, after healing.
    pub final_summary: Vec<i64>,
    t0: Instant,
}

/// Shared handle on the run.
#[derive(Clone)]
pub struct World(Arc<Mutex<State>>);

/// A well-mixed seed for one component of one run (splitmix64).
pub fn mix(seed: u64, a: u64, b: u64) -> u64 {
    let mut z = seed ^ a.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ b.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl World {
    pub fn new(seed: u64, net: NetFaults, fault: SyncFault) -> World {
        let tree = Tree::standard();
        let sync_delay = Duration::from_micros(net.max_sync_us);
        let nodes = (0..tree.len())
            .map(|i| SimNode {
                store: Arc::new(SimStore::new(tree.ids[i].clone(), mix(seed, i as u64, 1), sync_delay, fault)),
                engine: None,
                stop: CancellationToken::new(),
                incarnation: 0,
                confirm: false,
            })
            .collect();
        let n = tree.len();
        World(Arc::new(Mutex::new(State {
            tree,
            nodes,
            partitioned: vec![false; n],
            links: vec![Vec::new(); n],
            snapshots: vec![Vec::new(); n],
            ledger: Ledger::default(),
            trace: Vec::new(),
            dials: 0,
            seed,
            net,
            writes: 0,
            final_summary: vec![0; n],
            t0: Instant::now(),
        })))
    }

    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Simulated time since the run began.
    pub fn now(&self) -> Duration {
        let t0 = self.lock().t0;
        Instant::now() - t0
    }

    pub fn apply(&self, step: Step) {
        let at = self.now();
        self.lock().trace.push(format!("{:.6} step {step:?}", at.as_secs_f64()));
        match step {
            Step::Write { node, pick } => self.write(node, pick, at),
            Step::Summary { node } => {
                if let Some(e) = &self.lock().nodes[node].engine {
                    let _ = e.publish_summary(ms(at), format!("summary {node}").into_bytes());
                }
            }
            Step::Snapshot { node } => {
                let mut st = self.lock();
                let image = st.nodes[node].store.durable_image();
                st.snapshots[node].push(image);
            }
            Step::Crash { node } => self.down(node, None, at),
            Step::Restore { node, pick } => self.down(node, Some(pick), at),
            Step::Start { node } => self.start(node),
            Step::Partition { child } => {
                let mut st = self.lock();
                st.partitioned[child] = true;
                st.links[child].drain(..).for_each(|c| c.cancel());
            }
            Step::Heal { child } => self.lock().partitioned[child] = false,
            Step::Cut { child } => self.lock().links[child].drain(..).for_each(|c| c.cancel()),
        }
        self.settle();
    }

    /// Starts `i`'s next incarnation on its disk, if it is down.
    pub fn start(&self, i: usize) {
        let mut st = self.lock();
        if st.nodes[i].engine.is_some() {
            return;
        }
        let seed = st.seed;
        let node = &mut st.nodes[i];
        node.incarnation += 1;
        let config = EngineConfig {
            batch_size: 8,
            window: 32,
            heartbeat: Duration::from_secs(1),
            dead_after: Duration::from_secs(4),
            backoff_min: Duration::from_millis(20),
            backoff_max: Duration::from_secs(2),
            max_concurrent_catchups: 2,
            version: "sim".into(),
            jitter_seed: Some(mix(seed, i as u64, node.incarnation)),
            confirm_own_streams: node.confirm,
        };
        let engine = Engine::new(st.tree.ids[i].clone(), st.nodes[i].store.clone(), config);
        for c in st.tree.children(i) {
            engine.add_expected_child(st.tree.ids[c].clone());
        }
        let stop = CancellationToken::new();
        if st.tree.parent(i).is_some() {
            engine.spawn_uplink(SimDialer { world: self.clone(), child: i }, stop.clone());
        }
        st.nodes[i].engine = Some(engine);
        st.nodes[i].stop = stop;
    }

    /// Stops `i` by a crash, or by a restore from snapshot `pick`.
    fn down(&self, i: usize, mut restore: Option<u64>, at: Duration) {
        let mut st = self.lock();
        if st.nodes[i].engine.is_none() {
            return;
        }
        if let (Some(_), Err(why)) = (restore, check::restore_recoverable(&st, i)) {
            st.trace.push(format!("restore of {i} becomes a crash: {why}"));
            restore = None;
        }
        let Some(engine) = st.nodes[i].engine.take() else {
            return;
        };
        engine.shutdown();
        st.nodes[i].stop.cancel();
        let mut cut: Vec<usize> = st.tree.children(i);
        cut.push(i);
        for c in cut {
            st.links[c].drain(..).for_each(|t| t.cancel());
        }
        let seed = mix(st.seed, i as u64, st.nodes[i].incarnation + 100);
        let next = match restore {
            None => {
                let next = st.nodes[i].store.crash(seed);
                let image = next.visible();
                let State { ledger, tree, .. } = &mut *st;
                check::after_crash(ledger, tree, i, &image, at);
                check::sent_before_durable(&mut st, i, &image, at);
                next
            }
            Some(pick) => {
                // Backups newer than the one restored hold a history the
                // federation abandons now (see docs/protocol.md, Known
                // limits): the operator's backup set starts again from it.
                let snaps = &mut st.snapshots[i];
                let backup = match snaps.len() {
                    0 => Image::default(),
                    n => {
                        let k = (pick % n as u64) as usize;
                        snaps.truncate(k + 1);
                        snaps[k].clone()
                    }
                };
                st.ledger.restored(i, at);
                st.nodes[i].confirm = true;
                st.nodes[i].store.restore(backup, seed)
            }
        };
        st.nodes[i].store = Arc::new(next);
    }

    /// A client writes at `i`: refused while the node is down or
    /// recovering; acknowledged to the client once `sync` returned.
    fn write(&self, i: usize, pick: u64, at: Duration) {
        let mut st = self.lock();
        let Some(route) = route_of(&st.tree, i, pick) else {
            return;
        };
        let Some(engine) = st.nodes[i].engine.clone() else {
            return;
        };
        if engine.recovering().is_some_and(|r| r.blocks(route.channel())) {
            st.ledger.refused += 1;
            st.trace.push(format!("write at {i} refused: recovering"));
            return;
        }
        st.writes += 1;
        let payload = format!("write {} at {i}", st.writes).into_bytes();
        let store = st.nodes[i].store.clone();
        let Ok(ev) = store.append_own(route, "sim.v1", payload, ms(at)) else {
            return;
        };
        check::on_issue(&mut st, i, &ev, at);
        drop(st);
        let world = self.clone();
        tokio::spawn(async move {
            if store.sync().await.is_ok() {
                let at = world.now();
                world.lock().ledger.client_acked.push((i, ev, at));
            }
        });
    }

    /// Ends the faults: every partition heals and every node runs.
    pub fn heal(&self) {
        let n = {
            let mut st = self.lock();
            st.partitioned.iter_mut().for_each(|p| *p = false);
            st.tree.len()
        };
        (0..n).for_each(|i| self.start(i));
    }

    /// Every node publishes one last summary, newer than any before.
    pub fn publish_final_summaries(&self) {
        let at = ms(self.now()) + 1;
        let mut st = self.lock();
        for i in 0..st.tree.len() {
            if let Some(e) = &st.nodes[i].engine {
                let _ = e.publish_summary(at, b"final".to_vec());
            }
            st.final_summary[i] = at;
        }
    }

    /// A restored node whose peers confirmed its own streams needs no
    /// confirmation at its next start.
    fn settle(&self) {
        let mut st = self.lock();
        for node in st.nodes.iter_mut() {
            if node.confirm && node.engine.as_ref().is_some_and(|e| e.recovering().is_none()) {
                node.confirm = false;
            }
        }
    }

    /// Stops every node (end of run).
    pub fn stop_all(&self) {
        let st = self.lock();
        for node in &st.nodes {
            if let Some(e) = &node.engine {
                e.shutdown();
            }
            node.stop.cancel();
        }
    }

    pub fn poll_settle(&self) {
        self.settle();
    }
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// The route of a write at `i`: up from anything but the region, down
/// (to the whole subtree or one node below) from anything with children.
fn route_of(tree: &Tree, i: usize, pick: u64) -> Option<Route> {
    let kids = tree.children(i);
    let up = tree.parent(i).is_some();
    let down = !kids.is_empty();
    let want_up = match (up, down) {
        (false, false) => return None,
        (true, true) => pick & 1 == 0,
        (u, _) => u,
    };
    if want_up {
        return Some(Route::Up);
    }
    let below: Vec<usize> = (0..tree.len()).filter(|&j| tree.ids[i].is_ancestor_of(&tree.ids[j])).collect();
    let k = (pick >> 1) as usize;
    let scope = match k % 3 {
        0 => Scope::Subtree(tree.ids[i].clone()),
        1 => Scope::Subtree(tree.ids[kids[k / 3 % kids.len()]].clone()),
        _ => Scope::Node(tree.ids[below[k / 3 % below.len()]].clone()),
    };
    Some(Route::Down(scope))
}

/// The trait is needed for `read` on stores in checks.
pub fn held<S: EventStore>(
    store: &S,
    stream: &extranet_federation::StreamId,
    seq: u64,
) -> Option<extranet_federation::Envelope> {
    store.read(stream, seq.saturating_sub(1), 1).ok().and_then(|v| v.into_iter().next()).filter(|e| e.seq == seq)
}
