//! Oversight figures at any history size (issue 11, point 2): one county
//! store (no network), durable filings per second through the node's own
//! filing operation, and the time to read the summary's figures, on an
//! empty store and on one with a history of `BENCH_FILINGS` filings
//! (default 100,000, with their events), `BENCH_ASSIGNMENTS` address
//! assignments (100,000) and `BENCH_APPLICATIONS` applications (10,000; one
//! in ten still open, and overdue, the rest connected). The figures are
//! counters kept in each write's transaction, so neither should move with
//! the history. The two stores are measured in alternating rounds (a fresh
//! empty store each round), so a neighbour's load on a shared machine
//! falls on both alike; the bench prints every round, the medians and the
//! median ratio, and beside the figures the time of the full scan the
//! summary used to make (filings, applications and the address pool).
//! Then the same history at the county of a running three-node federation
//! (region, prefecture, county; summaries hourly, so only the prompt one
//! can carry a change): the time from a unit registered at the county
//! (acknowledged) until the region's oversight view counts it, empty and
//! with history.
//!
//! Run: `cargo bench -p extranet-tests --bench figures`
//! (`BENCH_SECS` seconds per round and store, default 2; `BENCH_ROUNDS`,
//! default 7; `BENCH_WRITERS` concurrent writers, default 64;
//! `BENCH_ENGINE=redb` for the other engine; the federation part runs the
//! harness's engine).

use std::sync::Arc;
use std::time::{Duration, Instant};

use extranet_certs::NodeId;
use extranet_node::domain::ipam::{AssigneeId, Assignment, AssignmentId, Delegation, Policy, Purpose, RecordState};
use extranet_node::domain::testing::sample;
use extranet_node::domain::{AppState, ApplicationKind, Filing, FilingDetails, FilingId};
use extranet_node::ops;
use extranet_node::ops::ipam::Ipam;
use extranet_node::replicate::DomainApplier;
use extranet_node::store::engine::EngineKind;
use extranet_node::store::{NodeStore, SelfRestart, StoreConfig};
use extranet_tests::{Harness, id, row, valid_cutover, valid_unit};

const COUNTY: &str = "540000/540100/540102";
/// Records per transaction of the fill.
const BATCH: u64 = 2_000;

fn main() -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(run())
}

fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|s| s.parse().ok()).unwrap_or(default)
}

async fn run() -> anyhow::Result<()> {
    let secs = Duration::from_secs(env("BENCH_SECS", 2));
    let (rounds, writers): (usize, usize) = (env("BENCH_ROUNDS", 7), env("BENCH_WRITERS", 64));
    let (filings, assignments, apps): (u64, u64, u64) =
        (env("BENCH_FILINGS", 100_000), env("BENCH_ASSIGNMENTS", 100_000), env("BENCH_APPLICATIONS", 10_000));
    println!(
        "== one county store ({}, {writers} writers; {rounds} rounds of {} s on each store, alternating)",
        env("BENCH_ENGINE", "sled".to_string()),
        secs.as_secs()
    );
    let full_dir = tempfile::tempdir()?;
    let full = open(full_dir.path())?;
    let started = Instant::now();
    fill(&full, filings, assignments, apps)?;
    full.sync().await?;
    let took = started.elapsed().as_secs_f64();
    println!("  fill: {filings} filings, {assignments} assignments, {apps} applications in {took:.1} s (durable)");
    // the engine digests a fill of many big transactions for a while after
    // it; history grows slowly in a real node, so that is not counted
    let warm = file_for(&full, writers, secs).await?;
    println!("  warm-up on the store with history (not counted): {warm:.0}/s");
    let (mut empty_rates, mut full_rates, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    let mut empty_figures_us = 0.0;
    for round in 0..rounds {
        // a fresh empty store each round, so it stays empty
        let dir = tempfile::tempdir()?;
        let empty = open(dir.path())?;
        if round == 0 {
            empty_figures_us = figures_us(&empty)?;
        }
        let e = file_for(&empty, writers, secs).await?;
        let f = file_for(&full, writers, secs).await?;
        println!("  round {round}: empty {e:>6.0}/s, with history {f:>6.0}/s ({:.1} %)", 100.0 * f / e);
        empty_rates.push(e);
        full_rates.push(f);
        ratios.push(f / e);
        empty.close();
        empty.closed().await;
    }
    let (e, f, r) = (median(empty_rates), median(full_rates), median(ratios));
    println!("  durable filings/s, median: empty {e:.0}, with history {f:.0}; median ratio {:.1} %", 100.0 * r);
    let ipam = Ipam::new(full.clone(), Policy::default());
    let (full_us, today) = (figures_us(&full)?, extranet_node::calendar::today());
    let overdue = full.figures(today)?.overdue;
    println!("  summary figures read (median of 101): empty {empty_figures_us:.1} µs, with history {full_us:.1} µs");
    println!(
        "    (with history {} reviews and {} notices overdue: the overdue deadlines are read, nothing else grows)",
        overdue.reviews, overdue.notices
    );
    println!("  the old full scan with history: {:.0} ms", old_scan_ms(&ipam)?);
    full.close();
    full.closed().await;
    propagation(filings, assignments, apps).await
}

/// Opens a county store on the engine `BENCH_ENGINE` names (`sled`, the
/// default, or `redb`).
fn open(dir: &std::path::Path) -> anyhow::Result<NodeStore> {
    let engine = match env("BENCH_ENGINE", "sled".to_string()).as_str() {
        "redb" => EngineKind::Redb,
        _ => EngineKind::Sled,
    };
    let cfg = StoreConfig { restart: SelfRestart::Report, engine: Some(engine), ..Default::default() };
    let applier = Arc::new(DomainApplier::without_pki());
    Ok(NodeStore::open_with(dir, NodeId::parse(COUNTY)?, applier, &cfg)?)
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// The time to read the summary's figures, median of 101, µs.
fn figures_us(store: &NodeStore) -> anyhow::Result<f64> {
    let today = extranet_node::calendar::today();
    let mut times = Vec::new();
    for _ in 0..101 {
        let t = Instant::now();
        std::hint::black_box(store.figures(today)?);
        times.push(t.elapsed().as_secs_f64() * 1e6);
    }
    Ok(median(times))
}

/// What the summary read before the counters — every filing, every
/// application, the pool (delegations, assignments, reservations) — ms.
fn old_scan_ms(ipam: &Ipam) -> anyhow::Result<f64> {
    let t = Instant::now();
    let store = ipam.store();
    std::hint::black_box((store.filings(None, usize::MAX)?, store.applications()?, ipam.summary()?));
    Ok(t.elapsed().as_secs_f64() * 1e3)
}

/// County change → region view, on an empty county and with history.
async fn propagation(filings: u64, assignments: u64, apps: u64) -> anyhow::Result<()> {
    let region = id("540000");
    let mut h = Harness::created(&["540000", "540000/540100", COUNTY])?;
    h.fed.configure(|c| {
        c.oversight.summary_interval_secs = 3_600;
        c.oversight.stale_after_secs = 7_200;
    })?;
    h.fed.start_all().await?;
    let patience = Duration::from_secs(60);
    h.wait_oversight(&region, "the county's first summary", patience, |v| row(v, COUNTY).summary.is_some()).await?;
    println!("== county change → region view (3 nodes, {CHANGES} changes each, median)");
    let empty = changes(&h, 0).await?;
    println!("  empty county:        {:>7.1} ms", empty);
    let store = h.running(&id(COUNTY)).store.clone();
    fill_filings_without_events(&store, filings)?;
    fill(&store, 0, assignments, apps)?;
    let full = changes(&h, CHANGES).await?;
    println!("  with history:        {:>7.1} ms", full);
    println!("  ratio with history / empty: {:.1} % of the time", 100.0 * full / empty);
    h.shutdown().await;
    Ok(())
}

/// Changes measured per run.
const CHANGES: usize = 15;

/// Registers `CHANGES` units at the county, one at a time, each timed from
/// the call until the region's view counts it; the median, ms.
async fn changes(h: &Harness, before: usize) -> anyhow::Result<f64> {
    let (county, region) = (id(COUNTY), id("540000"));
    let units = |v: &extranet_proto::v1::OversightView| {
        let s = row(v, COUNTY).summary.as_ref();
        s.and_then(|s| s.units.as_ref()).map_or(0, |u| u.by_status.values().sum::<u64>()) as usize
    };
    let mut took = Vec::new();
    for n in before..before + CHANGES {
        let started = Instant::now();
        h.register_unit(&county, valid_unit(&format!("u{n:04}"), COUNTY)).await?;
        while units(&h.oversight(&region)?) < n + 1 {
            anyhow::ensure!(started.elapsed() < Duration::from_secs(30), "unit {n} never reached the region");
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        took.push(started.elapsed().as_secs_f64() * 1e3);
    }
    took.sort_by(f64::total_cmp);
    Ok(took[took.len() / 2])
}

/// `n` own filings written straight to the store, without their events (so
/// the history does not travel up while the figures are measured).
fn fill_filings_without_events(store: &NodeStore, n: u64) -> anyhow::Result<()> {
    let details = FilingDetails::Cutover(extranet_node::codec::cutover_from_pb(Some(valid_cutover()))?);
    for from in (0..n).step_by(BATCH as usize) {
        store.transact(|tx| {
            let to = (from + BATCH).min(n);
            for number in from + 1..=to {
                let id = FilingId { origin: tx.me().clone(), number };
                let f =
                    Filing { id, filed_at_ms: 0, filed_by: "fill".into(), details: details.clone(), receipts: vec![] };
                tx.put_filing(&f)?;
            }
            tx.raise_number("filing", to)
        })?;
    }
    Ok(())
}

/// Files cutovers from `writers` concurrent tasks for `dur`; filings/s.
async fn file_for(store: &NodeStore, writers: usize, dur: Duration) -> anyhow::Result<f64> {
    let details = FilingDetails::Cutover(extranet_node::codec::cutover_from_pb(Some(valid_cutover()))?);
    let store = store.clone();
    extranet_tests::bench::rate_for(writers, dur, move |_| {
        let (store, details) = (store.clone(), details.clone());
        async move { ops::filing::file(&store, details, "bench").await.map(drop) }
    })
    .await
}

/// Writes the history through the store's own writers (and the filing
/// operation's write, events included), many records per transaction.
fn fill(store: &NodeStore, filings: u64, assignments: u64, apps: u64) -> anyhow::Result<()> {
    let details = FilingDetails::Cutover(extranet_node::codec::cutover_from_pb(Some(valid_cutover()))?);
    for from in (0..filings).step_by(BATCH as usize) {
        store.transact(|tx| {
            for _ in from..(from + BATCH).min(filings) {
                ops::filing::write_filing(tx, details.clone(), "fill")?;
            }
            Ok(())
        })?;
    }
    let me = store.me().clone();
    let pool = Delegation {
        parent: me.parent().expect("a county has a parent"),
        number: 1,
        child: me.clone(),
        prefix: "2001:db8::/32".parse()?,
        by: "fill".into(),
        at_ms: 0,
        state: RecordState::Live,
    };
    store.transact(|tx| tx.put_ipam_delegation(&pool))?;
    for from in (0..assignments).step_by(BATCH as usize) {
        store.transact(|tx| {
            for n in from..(from + BATCH).min(assignments) {
                tx.put_ipam_assignment(&assignment(&me, n))?;
            }
            tx.raise_number("ipam-assignment", from + BATCH)
        })?;
    }
    for from in (0..apps).step_by(BATCH as usize) {
        store.transact(|tx| {
            for n in from..(from + BATCH).min(apps) {
                let mut a = sample(ApplicationKind::New, "2026-01-05".parse().expect("a date"));
                a.id.number = n + 1;
                if n % 10 != 0 {
                    a.state = AppState::Connected;
                }
                tx.put_application(&a)?;
            }
            Ok(())
        })?;
    }
    Ok(())
}

/// The `n`th live /64 of the county's pool.
fn assignment(me: &NodeId, n: u64) -> Assignment {
    let prefix = format!("2001:db8:{:x}:{:x}::/64", n >> 16, n & 0xffff);
    Assignment {
        id: AssignmentId { node: me.clone(), number: n + 1 },
        prefix: prefix.parse().expect("a prefix"),
        purpose: Purpose::AccessUnit,
        assignee: AssigneeId::new(&format!("u{n}")).expect("an assignee"),
        serves: String::new(),
        by: "fill".into(),
        at_ms: 0,
        ipv4_justification: None,
        ipv4_approved_by: None,
        state: RecordState::Live,
    }
}
