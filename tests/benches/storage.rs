//! The two store engines side by side (issue 10), one engine after the
//! other in the same run, each on a fresh data directory of one node store
//! (no network), through the node's own filing operation — so a figure is
//! what a county's filings cost on that engine:
//!
//! - durable filings per second with 1, 8 and 64 concurrent writers (each
//!   acknowledged only after the engine's durability barrier);
//! - disk bytes per filing after `BENCH_FILINGS` filings (default 50,000);
//! - resident memory of the process after the fill, and its growth (the
//!   whole process: engines run one after the other, so only the first
//!   engine's growth is its own);
//! - time to open the filled store again, and its event count.
//!
//! Run: `cargo bench -p extranet-tests --bench storage`
//! (`BENCH_SECS` seconds per concurrency level, default 3;
//! `BENCH_FILINGS` filings in the fill, default 50,000;
//! `BENCH_ENGINES=sled,redb` which engines, in that order).

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use extranet_certs::NodeId;
use extranet_federation::EventStore;
use extranet_node::codec;
use extranet_node::domain::FilingDetails;
use extranet_node::ops;
use extranet_node::replicate::DomainApplier;
use extranet_node::store::engine::EngineKind;
use extranet_node::store::{NodeStore, SelfRestart, StoreConfig};
use extranet_tests::valid_cutover;

fn main() -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(run())
}

fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|s| s.parse().ok()).unwrap_or(default)
}

async fn run() -> anyhow::Result<()> {
    let secs: u64 = env("BENCH_SECS", 3);
    let fill: u64 = env("BENCH_FILINGS", 50_000);
    let engines: String = env("BENCH_ENGINES", "sled,redb".to_string());
    for name in engines.split(',') {
        let engine = match name.trim() {
            "sled" => EngineKind::Sled,
            "redb" => EngineKind::Redb,
            other => anyhow::bail!("BENCH_ENGINES: unknown engine {other}"),
        };
        let dir = tempfile::tempdir()?;
        println!("== {} ({} s per level, fill {fill} filings)", engine.name(), secs);
        let rss_before = rss_kib();
        let store = open(dir.path(), engine)?;
        let mut filings = 0;
        for writers in [1usize, 8, 64] {
            let (n, took) = file_many(&store, writers, Some(Duration::from_secs(secs)), u64::MAX).await?;
            filings += n;
            println!("  durable filings/s, {writers:>2} writers: {:>8.0}", n as f64 / took.as_secs_f64());
        }
        let (n, took) = file_many(&store, 64, None, fill.saturating_sub(filings)).await?;
        filings += n;
        println!("  fill to {filings} filings: {:.1} s", took.as_secs_f64());
        let rss_after = rss_kib();
        store.close();
        store.closed().await;
        drop(store);
        let bytes = dir_bytes(dir.path())?;
        println!("  disk: {:.1} MiB, {:.0} bytes per filing", bytes as f64 / 1048576.0, bytes as f64 / filings as f64);
        println!(
            "  resident memory after the fill: {:.0} MiB (grew {:.0} MiB)",
            rss_after as f64 / 1024.0,
            rss_after.saturating_sub(rss_before) as f64 / 1024.0
        );
        let started = Instant::now();
        let store = open(dir.path(), engine)?;
        let opened = started.elapsed();
        // the cursors say how many events each stream holds, without reading them
        let events: u64 = store.cursors()?.iter().map(|(_, seq)| seq).sum();
        println!("  open again with {events} events: {:.0} ms", opened.as_secs_f64() * 1e3);
        store.close();
        store.closed().await;
    }
    Ok(())
}

fn open(dir: &Path, engine: EngineKind) -> anyhow::Result<NodeStore> {
    let me = NodeId::parse("540000/540100/540102")?;
    let cfg = StoreConfig { restart: SelfRestart::Report, engine: Some(engine), ..Default::default() };
    Ok(NodeStore::open_with(dir, me, Arc::new(DomainApplier::without_pki()), &cfg)?)
}

/// Files cutovers from `writers` concurrent tasks, for `dur` or until `total`
/// are filed; returns how many and how long it took.
async fn file_many(
    store: &NodeStore,
    writers: usize,
    dur: Option<Duration>,
    total: u64,
) -> anyhow::Result<(u64, Duration)> {
    let details = FilingDetails::Cutover(codec::cutover_from_pb(Some(valid_cutover()))?);
    let (start, left) = (Instant::now(), Arc::new(AtomicU64::new(total)));
    let mut tasks = Vec::new();
    for _ in 0..writers {
        let (store, details, left) = (store.clone(), details.clone(), left.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = 0u64;
            while dur.is_none_or(|d| start.elapsed() < d)
                && left.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |l| l.checked_sub(1)).is_ok()
            {
                ops::filing::file(&store, details.clone(), "bench").await?;
                n += 1;
            }
            Ok::<u64, extranet_node::NodeError>(n)
        }));
    }
    let mut done = 0;
    for t in tasks {
        done += t.await??;
    }
    Ok((done, start.elapsed()))
}

/// Bytes of every file under `dir`.
fn dir_bytes(dir: &Path) -> std::io::Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let meta = entry.metadata()?;
        total += if meta.is_dir() { dir_bytes(&entry.path())? } else { meta.len() };
    }
    Ok(total)
}

/// This process's resident memory, KiB (Linux).
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
