//! Benchmark of the whole region (prints figures; not a timed test):
//! - from starting the 82-node federation until the region's oversight
//!   shows all 81 descendants healthy (summaries every 3 s, stale after 10 s);
//! - from a county's change (a filed cutover) until the region's oversight
//!   counts it, for one county in each prefecture; median and worst;
//! - resident memory per node (VmRSS of this process / 82).
//!
//! Run: `cargo bench -p extranet-tests --bench region`

use std::time::{Duration, Instant};

use extranet_node::config::OversightConfig;
use extranet_proto::v1 as pb;
use extranet_tests::{Harness, id, row, valid_cutover, xizang_paths};

fn main() -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let paths = xizang_paths();
    let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
    let minted = Instant::now();
    let mut h = Harness::created(&refs)?;
    h.fed.configure(|c| {
        c.oversight = OversightConfig { summary_interval_secs: 3, stale_after_secs: 10, ..Default::default() };
    })?;
    println!("PKI and configs for {} nodes: {} ms", refs.len(), minted.elapsed().as_millis());
    let region = id("540000");
    let started = Instant::now();
    h.fed.start_all().await?;
    let up = started.elapsed();
    let all_ok = |v: &pb::OversightView| v.rows.len() == 82 && v.rows.iter().all(|r| r.health() == pb::Health::Ok);
    h.wait_oversight(&region, "all healthy", Duration::from_secs(300), all_ok).await?;
    println!(
        "start → all 81 descendants healthy at the region: {} ms (nodes listening after {} ms)",
        started.elapsed().as_millis(),
        up.as_millis()
    );

    let counties = ["540102", "540202", "540302", "540402", "540502", "540602", "542526"];
    let mut lat = Vec::new();
    for code in counties {
        let path = paths.iter().find(|p| p.ends_with(code)).expect("county in topology").clone();
        let t = Instant::now();
        h.file_cutover(&id(&path), valid_cutover()).await?;
        h.wait_oversight(&region, "county change counted", Duration::from_secs(60), |v| {
            row(v, &path).subtree.unwrap_or_default().filings >= 1
        })
        .await?;
        lat.push(t.elapsed());
    }
    lat.sort();
    println!(
        "county change → visible in the region's oversight ({} counties, one per prefecture): median {} ms, worst {} ms",
        lat.len(),
        lat[lat.len() / 2].as_millis(),
        lat[lat.len() - 1].as_millis()
    );
    let rss_kib = vm_rss_kib()?;
    println!(
        "resident memory: {:.1} MiB total, {:.2} MiB per node (82 nodes in one process)",
        rss_kib as f64 / 1024.0,
        rss_kib as f64 / 1024.0 / 82.0
    );
    h.shutdown().await;
    Ok(())
}

fn vm_rss_kib() -> anyhow::Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).ok_or_else(|| anyhow::anyhow!("no VmRSS"))?;
    Ok(line.split_whitespace().nth(1).unwrap_or("0").parse()?)
}
