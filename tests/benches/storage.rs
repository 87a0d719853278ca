//! The two store engines side by side (issue 10): every figure the issue
//! asks for, for each engine, in one run — one block per engine, then a
//! table (rows = figures, columns = engines) for the docs. Engines run one
//! after the other, each on fresh data directories:
//!
//! - durable filings per second with 1, 8 and 64 concurrent writers, on one
//!   bare node store (no network) through the node's own filing operation,
//!   each acknowledged only after the engine's durability barrier
//!   (`store.rs`);
//! - disk bytes per filing after `BENCH_FILINGS` filings, and the time to
//!   open that store again in-process (`store.rs`);
//! - resident memory of a real `extranet serve` process on that engine
//!   (`VmRSS`, `VmHWM` of the child), serving the filled store after
//!   `BENCH_SERVED` more filings through gRPC from 64 clients; then that
//!   process killed with `kill -9` under that load, and the time from
//!   spawning it again to its status answering and to a new filing being
//!   acknowledged (`served.rs`);
//! - county → prefecture → region propagation p50/p99 over real mTLS
//!   (three in-process nodes, `BENCH_PROPAGATION` sequential filings, each
//!   timed from the call to the region holding it), and the catch-up rate:
//!   the prefecture stopped, the county files `BENCH_CATCHUP` filings (in
//!   large transactions, as below: the figure is the catch-up, not the
//!   filing), the prefecture starts, events per second until the region holds them all
//!   (`federated.rs`);
//! - the time to open a store holding `BENCH_OPEN_EVENTS` events (the same
//!   store, topped up with large transactions of the filing operation's own
//!   write), and the same served process, memory and recovery after
//!   `kill -9` under load, on that store (`store.rs`, `served.rs`).
//!
//! Run: `cargo bench -p extranet-tests --bench storage` (about 4 minutes
//! with the defaults on a 2-core machine, about 2 GB of temporary disk at its
//! peak; the large stores take most of it). Knobs (environment):
//!
//! | variable | default | what |
//! |---|---|---|
//! | `BENCH_ENGINES` | `sled,redb` | which engines, in that order |
//! | `BENCH_SECS` | 3 | seconds per concurrency level (1, 8, 64 writers) |
//! | `BENCH_FILINGS` | 50000 | filings in the in-process fill (bytes per filing, reopen; the served store) |
//! | `BENCH_SERVED` | 20000 | filings through the served process before its memory is read and it is killed |
//! | `BENCH_PROPAGATION` | 300 | sequential filings timed county → region |
//! | `BENCH_CATCHUP` | 20000 | filings the region catches up on through the restarted prefecture |
//! | `BENCH_OPEN_EVENTS` | 1000000 | events in the store whose open and recovery are timed (0: skip) |
//! | `BENCH_BATCH` | 5000 | filings per transaction in the fast fills (catch-up, open) |

#[path = "storage/federated.rs"]
mod federated;
#[path = "storage/served.rs"]
mod served;
#[path = "storage/store.rs"]
mod store;

use extranet_node::store::engine::EngineKind;
use extranet_tests::bench::env;
use extranet_tests::{FOUR, Harness};

/// Filings acknowledged by the node serving the large store before it is killed.
const LOAD_BEFORE_KILL: u64 = 2_000;

fn main() -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(run())
}

/// The run's knobs (see the table above).
#[derive(Clone, Debug)]
pub struct Knobs {
    secs: u64,
    fill: u64,
    served: u64,
    propagation: usize,
    catchup: u64,
    open_events: u64,
    batch: u64,
}

impl Knobs {
    fn from_env() -> Self {
        Knobs {
            secs: env("BENCH_SECS", 3),
            fill: env("BENCH_FILINGS", 50_000),
            served: env("BENCH_SERVED", 20_000),
            propagation: env("BENCH_PROPAGATION", 300),
            catchup: env("BENCH_CATCHUP", 20_000),
            open_events: env("BENCH_OPEN_EVENTS", 1_000_000),
            batch: env("BENCH_BATCH", 5_000).max(1),
        }
    }
}

/// One engine's figures, in the order they were measured: (figure, value).
#[derive(Default)]
pub struct Figures(Vec<(String, String)>);

impl Figures {
    /// Records `value` for `figure` and prints it in the engine's block.
    pub fn put(&mut self, figure: impl Into<String>, value: String) {
        let figure = figure.into();
        println!("  {figure}: {value}");
        self.0.push((figure, value));
    }

    fn get(&self, figure: &str) -> &str {
        self.0.iter().find(|(f, _)| f == figure).map_or("—", |(_, v)| v.as_str())
    }
}

async fn run() -> anyhow::Result<()> {
    let knobs = Knobs::from_env();
    let engines: String = env("BENCH_ENGINES", "sled,redb".to_string());
    let mut results = Vec::new();
    for name in engines.split(',') {
        let engine = EngineKind::ALL
            .into_iter()
            .find(|k| k.name() == name.trim())
            .ok_or_else(|| anyhow::anyhow!("BENCH_ENGINES: unknown engine {name}"))?;
        println!("== {} ({knobs:?})", engine.name());
        let started = std::time::Instant::now();
        let mut figs = Figures::default();
        // the county of a three-node tree, its certificates minted; only the
        // county runs here, in-process or as its own process, on one store
        let h = Harness::created_with_engine(&FOUR[..3], engine)?;
        let (county, fig) = (h.county_a(), &mut figs);
        let dir = h.node(&county).config.data_dir.clone();
        store::fill_and_reopen(&dir, &county, engine, &knobs, fig).await?;
        let held = format!("{} filings", knobs.fill);
        served::kill_and_recover(&h, &county, &held, knobs.served, fig).await?;
        federated::propagation_and_catch_up(engine, &knobs, fig).await?;
        if store::open_large(&dir, &county, engine, &knobs, fig).await? {
            let held = format!("{} events", knobs.open_events);
            served::kill_and_recover(&h, &county, &held, LOAD_BEFORE_KILL, fig).await?;
        }
        drop(h);
        println!("  ({} done in {:.0} s)", engine.name(), started.elapsed().as_secs_f64());
        results.push((engine, figs));
    }
    print_table(&results);
    Ok(())
}

/// The side-by-side table, as Markdown for the docs.
fn print_table(results: &[(EngineKind, Figures)]) {
    let Some((_, first)) = results.first() else { return };
    println!();
    let names: Vec<&str> = results.iter().map(|(e, _)| e.name()).collect();
    println!("| figure | {} |", names.join(" | "));
    println!("|---|{}", "---|".repeat(names.len()));
    for (figure, _) in &first.0 {
        let values: Vec<&str> = results.iter().map(|(_, f)| f.get(figure)).collect();
        println!("| {figure} | {} |", values.join(" | "));
    }
}
