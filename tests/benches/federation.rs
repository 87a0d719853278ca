//! Benchmark (prints figures; not a timed test), each beside the floor
//! measured in the same run and process (`federation/floor.rs`: a bare
//! tonic unary call over the project's mTLS, a durable write on the default
//! engine) and its ratio to it (issue 11, point 1):
//! - durable filings per second accepted at one node with 1, 8 and 64
//!   concurrent clients (each acknowledged only after flush + fsync),
//!   while the federation relays them up and receipts come back down; the
//!   1-client rate against one bare call plus one durable write done
//!   sequentially, the 64-client rate against bare calls with 64 in flight;
//! - county → prefecture → region propagation latency, p50 and p99, against
//!   the two-hop floor 2 × (bare call p50 + durable write p50).
//!
//! Run: `cargo bench -p extranet-tests --bench federation`
//! (`BENCH_SECS` sets the seconds per concurrency level, default 3;
//! `BENCH_CLIENTS=1,64` the levels, default 1, 8 and 64).

#[path = "federation/floor.rs"]
mod floor;

use std::time::Duration;

use extranet_tests::{Harness, bench};

fn main() -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let secs: u64 = bench::env("BENCH_SECS", 3);
    let h = Harness::four().await?;
    let county = h.county_a();
    let f = floor::measure(h.node(&county), secs.max(1)).await?;
    println!("floor (same run, same process):");
    println!(
        "  bare mTLS unary call: p50 {:.3} ms, {:.0} calls/s with 64 in flight",
        bench::ms(f.rpc_p50),
        f.rpc_rate_64
    );
    println!(
        "  durable write ({}): p50 {:.3} ms alone, {:.0} writes/s in batches of 64",
        extranet_node::store::engine::EngineKind::default().name(),
        bench::ms(f.write_p50),
        f.write_rate_64
    );
    println!("durable filings/s at one node ({county}), {secs} s per level:");
    let levels: Vec<usize> = std::env::var("BENCH_CLIENTS")
        .ok()
        .map(|v| v.split(',').filter_map(|c| c.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1, 8, 64]);
    for clients in levels {
        let (before, cpu0) = (counts(&h), bench::cpu_secs(None)?);
        let (rate, acked) = throughput(&h, clients, Duration::from_secs(secs)).await?;
        let (after, cpu1) = (counts(&h), bench::cpu_secs(None)?);
        let (floor, what) = match clients {
            1 => (f.sequential_rate(), "one bare call + one durable write, sequential"),
            _ => (f.rpc_rate_64, "bare calls, 64 in flight"),
        };
        println!(
            "  {clients:>3} clients: {rate:>8.0} filings/s = {:>5.1}% of {floor:.0}/s ({what})",
            100.0 * rate / floor
        );
        let per = |x: u64| x as f64 / acked.max(1) as f64;
        let each: Vec<String> = before
            .iter()
            .zip(&after)
            .map(|((n, w0, f0), (_, w1, f1))| format!("{n} {:.2}/{:.2}", per(w1 - w0), per(f1 - f0)))
            .collect();
        println!(
            "       per filing: {:.2} ms of CPU (process, 4 nodes and the clients); transactions/flushes at {}",
            1e3 * (cpu1 - cpu0) / acked.max(1) as f64,
            each.join(", ")
        );
    }
    // the backlog of the throughput runs drains first
    let p = bench::propagation(&h, &h.county_a(), &h.region(), 200, Duration::from_secs(300)).await?;
    let two_hops = f.two_hops();
    println!("county → region propagation over 2 mTLS hops ({} filings, sequential):", p.n);
    println!("  floor 2 × (call p50 + durable write p50) = {:.2} ms", bench::ms(two_hops));
    for (name, d) in [("p50", p.p50), ("p99", p.p99)] {
        let ratio = d.as_secs_f64() / two_hops.as_secs_f64();
        println!("  {name} {:.2} ms = {ratio:.1}× the floor", bench::ms(d));
    }
    h.shutdown().await;
    Ok(())
}

/// Filings per second and filings acknowledged.
async fn throughput(h: &Harness, clients: usize, dur: Duration) -> anyhow::Result<(f64, u64)> {
    let client = h.fed.client(&h.county_a()).await?;
    let done = bench::Load::run_for(&client, clients, dur).await?;
    Ok((done.per_sec, done.acked))
}

/// Each node's last path segment, writes begun and flushes so far: where a
/// filing's work lands across the federation (group commit shares flushes).
fn counts(h: &Harness) -> Vec<(String, u64, u64)> {
    [h.region(), h.prefecture(), h.county_a(), h.county_b()]
        .iter()
        .map(|n| {
            let d = h.running(n).store.durability();
            let short = n.as_str().rsplit('/').next().unwrap_or(n.as_str()).to_string();
            (short, d.writes_begun(), d.flushes())
        })
        .collect()
}
