//! Benchmark (prints figures; not a timed test):
//! - durable filings per second accepted at one node with 1, 8 and 64
//!   concurrent clients (each acknowledged only after flush + fsync);
//! - county → prefecture → region propagation latency, p50 and p99.
//!
//! Run: `cargo bench -p extranet-tests --bench federation`
//! (`BENCH_SECS` sets the seconds per concurrency level, default 3).

use std::time::{Duration, Instant};

use extranet_proto::v1 as pb;
use extranet_tests::{Harness, bench, valid_cutover};

fn main() -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let secs: u64 = bench::env("BENCH_SECS", 3);
    let h = Harness::four().await?;
    let county = h.county_a();
    println!("durable filings/s at one node ({}), {secs} s per level:", county);
    for clients in [1usize, 8, 64] {
        let rate = throughput(&h, clients, Duration::from_secs(secs)).await?;
        println!("  {clients:>3} clients: {rate:>8.0} filings/s");
    }
    // the backlog of the throughput runs drains first
    let p = bench::propagation(&h, &h.county_a(), &h.region(), 200, Duration::from_secs(300)).await?;
    println!("county → region propagation over 2 mTLS hops ({} filings, sequential):", p.n);
    println!("  p50 {:.2} ms   p99 {:.2} ms", bench::ms(p.p50), bench::ms(p.p99));
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
