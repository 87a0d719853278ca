//! Deterministic simulation of a whole federation tree: the real engine,
//! the real relay and acceptance rules, in-memory links, a store that
//! knows what a crash takes away, and faults — crashes, restores from older
//! snapshots, partitions, delays, duplicated and cut batches — all drawn
//! from one seed on a paused-clock, single-threaded Tokio runtime. The same
//! seed replays the same run, frame by frame.
//!
//! CI runs a fixed set of seeds. More:
//! `SIM_SEEDS=500 cargo test -p extranet-federation --test sim --release ci_seeds`;
//! one seed, verbosely: `SIM_SEED=42 cargo test -p extranet-federation --test sim replay -- --nocapture`.

mod check;
mod ledger;
mod net;
mod plan;
mod tree;
mod world;

use std::time::Duration;

use extranet_federation::SyncFault;
use tokio::time::Instant;

use crate::ledger::{Kind, Violation};
use crate::plan::Plan;
use crate::world::World;

/// What one seed did.
struct Outcome {
    seed: u64,
    plan: String,
    violations: Vec<Violation>,
    kinds: Vec<Kind>,
    trace: Vec<String>,
    acked: usize,
    refused: u64,
    restores: u64,
}

impl Outcome {
    fn report(&self) -> String {
        let mut out = format!("模拟失败：seed {}\n故障计划：\n{}违反的不变量：\n", self.seed, self.plan);
        // The first three of each kind, so one flood cannot hide the rest.
        for kind in &self.kinds {
            for v in self.violations.iter().filter(|v| v.kind == *kind).take(3) {
                out.push_str(&format!("  {v}\n"));
            }
        }
        out.push_str(&format!("  （共 {} 条）\n", self.violations.len()));
        out.push_str(&format!(
            "重放：SIM_SEED={} cargo test -p extranet-federation --test sim replay -- --nocapture\n",
            self.seed
        ));
        out
    }
}

/// Runs one seed to the end: the faulty phase, healing, the wait for
/// convergence (at most five simulated minutes), the checks.
fn run(seed: u64, fault: SyncFault) -> Outcome {
    let rt = tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().expect("runtime");
    rt.block_on(async move {
        let plan = Plan::from_seed(seed, tree::Tree::standard().len());
        let world = World::new(seed, plan.net, fault);
        let n = world.lock().tree.len();
        (0..n).for_each(|i| world.start(i));
        let start = Instant::now();
        for (t, step) in &plan.steps {
            tokio::time::sleep_until(start + *t).await;
            world.apply(*step);
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
        world.heal();
        tokio::time::sleep(Duration::from_secs(1)).await;
        world.publish_final_summaries();
        let deadline = Instant::now() + Duration::from_secs(300);
        let converged = loop {
            world.poll_settle();
            let r = check::converged(&world.lock());
            if r.is_ok() || Instant::now() >= deadline {
                break r;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        };
        let at = world.now();
        check::at_end(&mut world.lock(), converged, at);
        world.stop_all();
        tokio::time::sleep(Duration::from_millis(10)).await;
        let mut st = world.lock();
        Outcome {
            seed,
            plan: plan.to_string(),
            kinds: st.ledger.kinds(),
            violations: std::mem::take(&mut st.ledger.violations),
            trace: std::mem::take(&mut st.trace),
            acked: st.ledger.client_acked.len(),
            refused: st.ledger.refused,
            restores: st.ledger.restores,
        }
    })
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

/// The seeds CI runs; `SIM_SEEDS` (count) and `SIM_SEED_BASE` change them.
fn ci_seeds() -> std::ops::Range<u64> {
    let base = env_u64("SIM_SEED_BASE").unwrap_or(1);
    base..base + env_u64("SIM_SEEDS").unwrap_or(24)
}

#[test]
fn ci_seeds_hold_every_invariant() {
    let (mut failures, mut restores, mut refused) = (Vec::new(), 0, 0);
    for seed in ci_seeds() {
        let o = run(seed, SyncFault::Honest);
        assert!(o.acked > 50, "seed {seed}: only {} writes acknowledged, the run did too little", o.acked);
        (restores, refused) = (restores + o.restores, refused + o.refused);
        if !o.violations.is_empty() {
            failures.push(o.report());
        }
    }
    println!("{:?}：从旧快照恢复 {restores} 次，恢复期间拒绝写入 {refused} 次", ci_seeds());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(restores > 0 && refused > 0, "the seeds must restore nodes and make them recover");
}

#[test]
fn replay() {
    let seed = env_u64("SIM_SEED").unwrap_or(1);
    let o = run(seed, SyncFault::Honest);
    println!("{}", o.plan);
    println!(
        "已确认写入 {}，从旧快照恢复 {} 次，恢复期间拒绝写入 {}，帧与步骤 {} 条",
        o.acked,
        o.restores,
        o.refused,
        o.trace.len()
    );
    if std::env::var("SIM_TRACE").is_ok() {
        o.trace.iter().for_each(|l| println!("{l}"));
    }
    assert!(o.violations.is_empty(), "{}", o.report());
}

#[test]
fn the_same_seed_replays_the_same_run() {
    let a = run(5, SyncFault::Honest);
    let b = run(5, SyncFault::Honest);
    assert!(a.trace.len() > 1000, "a run this short proves nothing: {} lines", a.trace.len());
    let first = a.trace.iter().zip(&b.trace).position(|(x, y)| x != y);
    let around = |t: &[String], k: usize| t[k.saturating_sub(3)..(k + 3).min(t.len())].join("\n");
    if let Some(k) = first {
        panic!("runs diverge at line {k}:\n{}\n-- versus --\n{}", around(&a.trace, k), around(&b.trace, k));
    }
    assert_eq!(a.trace.len(), b.trace.len(), "runs differ in length");
    assert_eq!(a.kinds, b.kinds);
}

/// A store whose `sync` confirms without making anything durable must be
/// caught by some CI seed as a lost acknowledgement.
fn caught(fault: SyncFault) -> (u64, Outcome) {
    for seed in ci_seeds() {
        let o = run(seed, fault);
        if o.kinds.iter().any(|k| matches!(k, Kind::LostClientAck | Kind::LostPeerAck)) {
            return (seed, o);
        }
    }
    panic!("no CI seed noticed a {fault:?} sync");
}

#[test]
fn a_lying_sync_loses_acknowledged_events_and_the_simulation_says_so() {
    let (seed, o) = caught(SyncFault::Lies);
    println!("seed {seed}:\n{}", o.report());
}

#[test]
fn a_sync_with_a_stale_target_is_caught_too() {
    let (seed, o) = caught(SyncFault::Stale);
    println!("seed {seed}:\n{}", o.report());
}
