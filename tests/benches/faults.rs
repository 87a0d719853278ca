//! Fault clocks at scale (issue 13's benchmark): one county store (no
//! network) holding `BENCH_TICKETS` fault tickets (default 100,000; one in
//! ten open, the rest worked through to closed, some late), then
//! - the breach scan the `fault-breaches` worker runs (median of 21),
//! - the summary's fault figures (median of 101),
//! - and durable fault reports and cutover filings per second through the
//!   node's own operations, on that store and on an empty one, in
//!   alternating rounds (a fresh empty store each round), with the median
//!   ratio of each.
//!
//! The scan and the warnings read the index of open tickets only, and the
//! figures are counters kept in each write's transaction, so none of them
//! should move with the closed history.
//!
//! Run: `cargo bench -p extranet-tests --bench faults` (`BENCH_SECS` per
//! round and store, default 2; `BENCH_ROUNDS`, default 5; `BENCH_WRITERS`,
//! default 64; the store engine is the default one, redb).

use std::sync::Arc;
use std::time::{Duration, Instant};

use extranet_certs::NodeId;
use extranet_node::domain::fault::FaultReport;
use extranet_node::domain::{Contact, Cutover, FaultAction, FaultClass, FaultId, FaultTicket, FilingDetails};
use extranet_node::ops;
use extranet_node::replicate::DomainApplier;
use extranet_node::store::{NodeStore, SelfRestart, StoreConfig};
use extranet_tests::bench::env;

const COUNTY: &str = "540000/540100/540102";
const BATCH: u64 = 2_000;
const MIN: i64 = 60_000;

fn main() -> anyhow::Result<()> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(run())
}

fn open(dir: &std::path::Path) -> anyhow::Result<NodeStore> {
    let cfg = StoreConfig { restart: SelfRestart::Report, ..Default::default() };
    Ok(NodeStore::open_with(dir, NodeId::parse(COUNTY)?, Arc::new(DomainApplier::without_pki()), &cfg)?)
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn report(n: u64, at: i64, class: FaultClass) -> FaultReport {
    FaultReport {
        unit: None,
        access_point: format!("接入点 {n}"),
        description: "链路中断".into(),
        down_since_ms: at,
        contact: Contact { name: "卓玛".into(), phone: "13908901234".into() },
        class,
    }
}

/// A ticket as a year of work leaves it: one in ten still open, the rest
/// answered, repaired and closed, one in five of those late.
fn ticket(n: u64, now: i64) -> anyhow::Result<FaultTicket> {
    let me = NodeId::parse(COUNTY)?;
    let at = now - (n as i64 % 300_000) * MIN - 200 * MIN;
    let class = [FaultClass::Backbone, FaultClass::Urban, FaultClass::RemoteTownship][(n % 3) as usize];
    let mut t = FaultTicket::open(FaultId { origin: me.clone(), number: n }, report(n, at, class), at, "bench", &me)?;
    if !n.is_multiple_of(10) {
        let late = if n.is_multiple_of(5) { 90 } else { 20 };
        t.act(FaultAction::Acknowledge, at + late * MIN, "bench", &me)?;
        t.act(FaultAction::MarkRepaired, at + (late + 60) * MIN, "bench", &me)?;
        t.act(FaultAction::Close { satisfaction: Some(4) }, at + (late + 90) * MIN, "unit:bench", &me)?;
    }
    Ok(t)
}

fn fill(store: &NodeStore, tickets: u64) -> anyhow::Result<()> {
    let now = extranet_node::store::health::now_ms();
    let mut n = 1;
    while n <= tickets {
        let batch: Vec<FaultTicket> =
            (n..(n + BATCH).min(tickets + 1)).map(|i| ticket(i, now)).collect::<anyhow::Result<_>>()?;
        store.transact(|tx| {
            for t in &batch {
                tx.put_fault(t)?;
            }
            tx.raise_number("fault", batch.last().map_or(0, |t| t.id.number))
        })?;
        n += BATCH;
    }
    Ok(())
}

async fn report_for(store: &NodeStore, writers: usize, dur: Duration) -> anyhow::Result<f64> {
    let store = store.clone();
    extranet_tests::bench::rate_for(writers, dur, move |w| {
        let store = store.clone();
        async move {
            let r = report(w as u64, extranet_node::store::health::now_ms(), FaultClass::Urban);
            ops::fault::report(&store, r, None, "bench").await.map(drop)
        }
    })
    .await
}

/// Durable cutover filings per second through the node's own operation.
async fn file_for(store: &NodeStore, writers: usize, dur: Duration) -> anyhow::Result<f64> {
    let store = store.clone();
    let start = chrono::Utc::now().with_timezone(&extranet_node::calendar::beijing()) + chrono::Duration::days(7);
    let cutover = Cutover {
        affected_units: vec!["城关区人民政府办公室".into()],
        window_start: start.fixed_offset(),
        window_end: (start + chrono::Duration::hours(2)).fixed_offset(),
        notified_on: extranet_node::calendar::today(),
        description: "核心交换机升级".into(),
        major_adjustment: false,
        major_approval: None,
        affected_names: Vec::new(),
        contact: String::new(),
    };
    extranet_tests::bench::rate_for(writers, dur, move |_| {
        let (store, details) = (store.clone(), FilingDetails::Cutover(cutover.clone()));
        async move { ops::filing::file(&store, details, "bench").await.map(drop) }
    })
    .await
}

/// `rate` on a fresh empty store and on `full`, in alternating rounds;
/// prints each round and the median ratio against the 90% target.
async fn compare(
    what: &str,
    full: &NodeStore,
    tickets: u64,
    rounds: usize,
    rate: impl AsyncFn(&NodeStore) -> anyhow::Result<f64>,
) -> anyhow::Result<()> {
    let (mut e_rates, mut f_rates, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        let edir = tempfile::tempdir()?;
        let empty = open(edir.path())?;
        let e = rate(&empty).await?;
        let f = rate(full).await?;
        println!("  {what}, round {}: empty {e:.0}/s, with history {f:.0}/s ({:.0}%)", round + 1, f / e * 100.0);
        e_rates.push(e);
        f_rates.push(f);
        ratios.push(f / e);
    }
    let ratio = median(ratios);
    println!(
        "  {what}/s: empty median {:.0}, with {tickets} tickets median {:.0}; median ratio {:.0}% (target ≥ 90%: {})",
        median(e_rates),
        median(f_rates),
        ratio * 100.0,
        extranet_tests::bench::met(ratio >= 0.9)
    );
    Ok(())
}

async fn run() -> anyhow::Result<()> {
    let tickets: u64 = env("BENCH_TICKETS", 100_000);
    let secs = Duration::from_secs(env("BENCH_SECS", 2));
    let (rounds, writers): (usize, usize) = (env("BENCH_ROUNDS", 5), env("BENCH_WRITERS", 64));
    println!(
        "== one county store with {tickets} fault tickets ({writers} writers, {rounds} rounds of {} s each)",
        secs.as_secs()
    );
    let dir = tempfile::tempdir()?;
    let full = open(dir.path())?;
    let started = Instant::now();
    fill(&full, tickets)?;
    full.sync().await?;
    println!("  fill: {tickets} tickets in {:.1} s (durable)", started.elapsed().as_secs_f64());
    let mut scans = Vec::new();
    for _ in 0..21 {
        let t = Instant::now();
        let changed = ops::fault::record_due_breaches(&full).await?;
        scans.push(t.elapsed().as_secs_f64() * 1e3);
        std::hint::black_box(changed);
    }
    let now = extranet_node::store::health::now_ms();
    let mut figures = Vec::new();
    for _ in 0..101 {
        let t = Instant::now();
        let (f, open) = (full.figures(extranet_node::calendar::today())?, full.open_faults()?);
        std::hint::black_box(extranet_node::oversight::summary::fault_figures(&f, &open, now));
        figures.push(t.elapsed().as_secs_f64() * 1e3);
    }
    println!("  breach scan: median {:.2} ms (of 21; the first records the late open ones)", median(scans));
    println!("  summary fault figures: median {:.2} ms (of 101)", median(figures));
    compare("fault reports", &full, tickets, rounds, async |store| report_for(store, writers, secs).await).await?;
    compare("cutover filings", &full, tickets, rounds, async |store| file_for(store, writers, secs).await).await?;
    Ok(())
}
