//! Small nodes stay small (issue 11, point 6): a county run as a real
//! `extranet serve` process with an empty store, connected to its
//! prefecture (the region and the prefecture run in this process), on the
//! production defaults for its links and its oversight (its prefecture runs
//! on the tests' quick tuning, which judges a link dead after 4 s; the
//! county learns that from the prefecture's `Hello` and pings every 1.3 s
//! instead of 5 s — before it did, the prefecture hung up on it every few
//! seconds and this bench measured a reconnect loop). Once its uplink is
//! up it is left idle for a window (run as the systemd unit runs it, with
//! `MALLOC_ARENA_MAX=2`), and the bench prints its resident
//! memory and the CPU it used, beside the targets (≤ 16 MiB
//! resident, < 0.5% of one core). Then its prefecture stops, the county
//! takes `BENCH_CATCHUP` filings from 64 clients, the prefecture starts,
//! and once the region holds them all the county's memory is printed
//! again (target ≤ 64 MiB).
//!
//! Run: `cargo bench -p extranet-tests --bench small`
//! (`BENCH_IDLE_SECS` the idle window, default 30; `BENCH_CATCHUP` the
//! backlog, default 50,000; 0 skips it).

use std::time::{Duration, Instant};

use extranet_node::client::Client;
use extranet_node::config::{NodeConfig, OversightConfig, SyncTuning};
use extranet_proto::v1 as pb;
use extranet_tests::{Harness, PATIENCE, Served, bench, eventually, id};

fn main() -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let window = Duration::from_secs(bench::env("BENCH_IDLE_SECS", 30));
    let mut h = Harness::created(&["540000", "540000/540100", "540000/540100/540102"])?;
    let (region, pref, county) = (id("540000"), id("540000/540100"), id("540000/540100/540102"));
    h.fed.start(&region).await?;
    h.fed.start(&pref).await?;
    let node = h.node(&county);
    let mut cfg = NodeConfig::load(&node.config_path())?;
    cfg.parent = Some(h.node(&pref).config.listen.clone());
    cfg.sync = SyncTuning::default();
    cfg.oversight = OversightConfig::default();
    cfg.save(&node.config_path())?;
    let engine = cfg.store.engine.unwrap_or_default().name();
    // as deploy/systemd/extranet.service and the Dockerfile run it
    let deployed = [("MALLOC_ARENA_MAX", "2")];
    let exe = env!("CARGO_BIN_EXE_extranet-under-test");
    let (served, addr) = Served::spawn(exe, &node.config_path(), &deployed)?;
    let pid = served.0.id();
    let client = Client::connect(&addr, &node.operator()).await?;
    eventually("the county's uplink to connect", PATIENCE, async || {
        let status = client.status().get_status(pb::GetStatusRequest {}).await?.into_inner();
        Ok((status.parent.as_ref().is_some_and(|p| p.connected), status.parent))
    })
    .await?;
    let after_start = bench::memory(Some(pid))?;
    println!(
        "a county as a real process ({engine}, empty store, uplink connected, production defaults, MALLOC_ARENA_MAX=2):"
    );
    println!("  resident after start: {:.1} MiB", after_start.rss_kib as f64 / 1024.0);
    let (cpu0, t0) = (bench::cpu_secs(Some(pid))?, Instant::now());
    tokio::time::sleep(window).await; // the measurement window itself, not a wait for a condition
    let (cpu1, took) = (bench::cpu_secs(Some(pid))?, t0.elapsed());
    let idle = bench::memory(Some(pid))?;
    let cpu = 100.0 * (cpu1 - cpu0) / took.as_secs_f64();
    let (rss, hwm) = (idle.rss_kib as f64 / 1024.0, idle.hwm_kib as f64 / 1024.0);
    println!(
        "  idle {:.0} s: resident {rss:.1} MiB (peak {hwm:.1}), target ≤ 16 MiB: {}",
        took.as_secs_f64(),
        bench::met(rss <= 16.0)
    );
    println!("  idle CPU: {cpu:.2}% of one core, target < 0.5%: {}", bench::met(cpu < 0.5));
    let backlog: u64 = bench::env("BENCH_CATCHUP", 50_000);
    if backlog > 0 {
        h.fed.stop(&pref).await?;
        let backlog = file_many(&client, backlog).await?;
        let started = Instant::now();
        h.fed.start(&pref).await?;
        let region_store = h.running(&region).store.clone();
        eventually("the region to hold the county's backlog", Duration::from_secs(900), async || {
            let held = bench::up_cursor(&region_store, &county)?;
            Ok((held >= backlog, held))
        })
        .await?;
        let after = bench::memory(Some(pid))?;
        let (rss, hwm) = (after.rss_kib as f64 / 1024.0, after.hwm_kib as f64 / 1024.0);
        println!(
            "  after filing {backlog} with its prefecture down and catching up ({:.1} s):",
            started.elapsed().as_secs_f64()
        );
        println!("  resident {rss:.1} MiB (peak {hwm:.1}), target ≤ 64 MiB: {}", bench::met(rss <= 64.0));
    }
    drop(served);
    h.shutdown().await;
    Ok(())
}

/// Files at least `n` cutovers at the county from 64 clients, with
/// progress lines; answers how many were acknowledged.
async fn file_many(client: &Client, n: u64) -> anyhow::Result<u64> {
    extranet_tests::register_cutover_unit(client).await?;
    let load = bench::Load::start(client, 64);
    let mut shown = Instant::now();
    eventually(&format!("{n} filings at the county"), Duration::from_secs(900), async || {
        if shown.elapsed() > Duration::from_secs(5) {
            shown = Instant::now();
            println!("  … {} / {n} filed, {:.0} s", load.acked(), load.elapsed().as_secs_f64());
        }
        Ok((load.acked() >= n, load.acked()))
    })
    .await?;
    let done = load.stop().await;
    match done.error {
        Some(e) => Err(anyhow::anyhow!("a filing client failed: {e}")),
        None => Ok(done.acked),
    }
}
