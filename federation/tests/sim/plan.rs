//! The fault schedule a seed derives: client writes, summaries, crashes,
//! restores from older snapshots, partitions and cut links at fixed
//! simulated times, plus the per-frame odds of delay, duplication and a
//! cut mid-batch. Everything a run does is decided here or by RNGs seeded
//! from the same seed, so one seed always replays one run.

use std::fmt;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// One scheduled action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// A client writes one event at `node`; `pick` chooses channel and scope.
    Write { node: usize, pick: u64 },
    /// `node` publishes its status summary.
    Summary { node: usize },
    /// `node`'s durable image is copied aside (a backup).
    Snapshot { node: usize },
    /// `node` crashes: pending writes are lost.
    Crash { node: usize },
    /// `node` is stopped and restored from one of its older snapshots.
    Restore { node: usize, pick: u64 },
    /// `node` starts again (if it was down).
    Start { node: usize },
    /// The link between `child` and its parent is partitioned.
    Partition { child: usize },
    /// The partition of `child`'s link heals.
    Heal { child: usize },
    /// The current link of `child` is cut, as by a dropped connection.
    Cut { child: usize },
}

/// Per-frame network odds.
#[derive(Clone, Copy, Debug)]
pub struct NetFaults {
    /// Largest delay of one frame on one hop, in microseconds.
    pub max_delay_us: u64,
    /// Odds per thousand that an `Events` frame is delivered twice.
    pub dup_per_mille: u32,
    /// Odds per thousand that an `Events` frame is dropped and the link cut.
    pub cut_per_mille: u32,
    /// Longest time one `sync` takes on a node's disk, in microseconds.
    pub max_sync_us: u64,
}

/// A seed's whole schedule.
pub struct Plan {
    pub seed: u64,
    pub steps: Vec<(Duration, Step)>,
    pub net: NetFaults,
}

/// Simulated length of the faulty phase.
const FAULTY: u64 = 30_000;
/// Snapshots start after every link came up once, so a backup knows its
/// children (see `EngineConfig::confirm_own_streams`).
const FIRST_SNAPSHOT: u64 = 3_000;

impl Plan {
    pub fn from_seed(seed: u64, nodes: usize) -> Plan {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut steps = Vec::new();
        let at = |rng: &mut StdRng, from: u64| Duration::from_millis(rng.random_range(from..FAULTY));
        for _ in 0..rng.random_range(120..240) {
            let step = Step::Write { node: rng.random_range(0..nodes), pick: rng.random() };
            steps.push((at(&mut rng, 0), step));
        }
        for _ in 0..20 {
            steps.push((at(&mut rng, 0), Step::Summary { node: rng.random_range(0..nodes) }));
        }
        for node in 0..nodes {
            for _ in 0..3 {
                steps.push((at(&mut rng, FIRST_SNAPSHOT), Step::Snapshot { node }));
            }
        }
        for _ in 0..rng.random_range(0..5) {
            let node = rng.random_range(0..nodes);
            outage(&mut rng, &mut steps, Step::Crash { node }, Step::Start { node }, 50..4_000);
        }
        // Crashes right after a write, while it may still be pending.
        let writes: Vec<(Duration, usize)> = steps
            .iter()
            .filter_map(|(t, s)| match s {
                Step::Write { node, .. } => Some((*t, *node)),
                _ => None,
            })
            .collect();
        for _ in 0..rng.random_range(0..6) {
            let (t, node) = writes[rng.random_range(0..writes.len())];
            let at = t + Duration::from_micros(rng.random_range(0..8_000));
            steps.push((at, Step::Crash { node }));
            steps.push((at + Duration::from_millis(rng.random_range(50..2_000)), Step::Start { node }));
        }
        for _ in 0..rng.random_range(0..3) {
            let node = rng.random_range(0..nodes);
            let down = Step::Restore { node, pick: rng.random() };
            outage(&mut rng, &mut steps, down, Step::Start { node }, 50..3_000);
        }
        for _ in 0..rng.random_range(0..5) {
            let child = rng.random_range(1..nodes);
            outage(&mut rng, &mut steps, Step::Partition { child }, Step::Heal { child }, 500..10_000);
        }
        for _ in 0..rng.random_range(0..8) {
            steps.push((at(&mut rng, 0), Step::Cut { child: rng.random_range(1..nodes) }));
        }
        // Stable: equal times keep generation order.
        steps.sort_by_key(|(t, _)| *t);
        let net = NetFaults {
            max_delay_us: rng.random_range(0..5_000),
            dup_per_mille: rng.random_range(0..40),
            cut_per_mille: rng.random_range(0..20),
            max_sync_us: rng.random_range(200..10_000),
        };
        Plan { seed, steps, net }
    }

    /// The faults only (writes and summaries are counted, not listed).
    pub fn faults(&self) -> impl Iterator<Item = &(Duration, Step)> {
        self.steps.iter().filter(|(_, s)| !matches!(s, Step::Write { .. } | Step::Summary { .. }))
    }
}

fn outage(rng: &mut StdRng, steps: &mut Vec<(Duration, Step)>, down: Step, up: Step, len: std::ops::Range<u64>) {
    let from = Duration::from_millis(rng.random_range(1_000..FAULTY));
    steps.push((from, down));
    steps.push((from + Duration::from_millis(rng.random_range(len)), up));
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let writes = self.steps.iter().filter(|(_, s)| matches!(s, Step::Write { .. })).count();
        writeln!(f, "seed {}: {writes} writes, network {:?}", self.seed, self.net)?;
        for (t, step) in self.faults().filter(|(_, s)| !matches!(s, Step::Snapshot { .. })) {
            writeln!(f, "  {:>7.3}s {step:?}", t.as_secs_f64())?;
        }
        Ok(())
    }
}
