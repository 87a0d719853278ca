//! Benchmark (prints figures; not a timed test):
//! - durable filings per second accepted at one node with 1, 8 and 64
//!   concurrent clients (each acknowledged only after flush + fsync);
//! - county → prefecture → region propagation latency, p50 and p99.
//!
//! Run: `cargo bench -p extranet-tests --bench federation`
//! (`BENCH_SECS` sets the seconds per concurrency level, default 3).

use std::time::{Duration, Instant};

use extranet_federation::EventStore;
use extranet_proto::v1 as pb;
use extranet_tests::{Harness, valid_cutover};

fn main() -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let secs: u64 = std::env::var("BENCH_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(3);
    let h = Harness::four().await?;
    let county = h.county_a();
    println!("durable filings/s at one node ({}), {secs} s per level:", county);
    for clients in [1usize, 8, 64] {
        let rate = throughput(&h, clients, Duration::from_secs(secs)).await?;
        println!("  {clients:>3} clients: {rate:>8.0} filings/s");
    }
    let (p50, p99, n) = propagation(&h, 200).await?;
    println!("county → region propagation over 2 mTLS hops ({n} filings, sequential):");
    println!("  p50 {:.2} ms   p99 {:.2} ms", p50.as_secs_f64() * 1e3, p99.as_secs_f64() * 1e3);
    h.shutdown().await;
    Ok(())
}

async fn throughput(h: &Harness, clients: usize, dur: Duration) -> anyhow::Result<f64> {
    let client = h.fed.client(&h.county_a()).await?;
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let mut f = client.filings();
        tasks.push(tokio::spawn(async move {
            let mut n = 0u64;
            while start.elapsed() < dur {
                f.file_cutover(pb::FileCutoverRequest { cutover: Some(valid_cutover()), ..Default::default() }).await?;
                n += 1;
            }
            Ok::<u64, tonic::Status>(n)
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await??;
    }
    Ok(total as f64 / start.elapsed().as_secs_f64())
}

async fn propagation(h: &Harness, n: usize) -> anyhow::Result<(Duration, Duration, usize)> {
    // let the backlog of the throughput runs drain first
    let region = h.running(&h.region()).store.clone();
    let county_head = |h: &Harness| h.up_events(&h.county_a(), &h.county_a()).map(|v| v.len());
    let head = county_head(h)?;
    let deadline = Instant::now() + Duration::from_secs(300);
    while h.up_events(&h.region(), &h.county_a())?.len() < head && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut filings = h.fed.client(&h.county_a()).await?.filings();
    let mut watch = region.durable_watch();
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        let t0 = Instant::now();
        let f = filings
            .file_cutover(pb::FileCutoverRequest { cutover: Some(valid_cutover()), ..Default::default() })
            .await?
            .into_inner();
        while region.filing(&f.id)?.is_none() {
            tokio::time::timeout(Duration::from_secs(5), watch.changed()).await??;
        }
        samples.push(t0.elapsed());
    }
    samples.sort();
    Ok((samples[n / 2], samples[(n * 99) / 100], n))
}
