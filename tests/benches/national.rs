//! Benchmark of a national tree (issue 11, point 8; prints figures beside
//! their targets, not a timed test): the nation, 31 provinces, 10
//! prefectures in each and 10 counties in each prefecture (3,442 nodes,
//! `extranet_tests::national`), every node in this one process with its own
//! store, certificates and mTLS listener on loopback, with the production
//! defaults for links and oversight (`BENCH_SUMMARY_SECS` overrides the
//! summary interval; stale after four intervals):
//! - minting the PKI and configs;
//! - starting every node, until the nation's oversight shows every
//!   descendant healthy (target ≤ 60 s);
//! - the nation's oversight view over gRPC, 3,442 rows (target ≤ 200 ms);
//! - a county's change (a filed cutover) until the nation's view counts it,
//!   for one county in each of a few provinces (target ≤ 1 s), once on a
//!   settled federation and once back to back, with when each level heard
//!   it. A receipt the nation writes is stored whole by the 31 provinces
//!   and below them only on the path to the county it is for (relays skip
//!   it for everyone else); before that it went to all 3,441 nodes, and a
//!   filing made meanwhile waited for its fsync behind thousands of others.
//!   Settling waits until every node's cursor is past the nation's events,
//!   and prints how many copies the tree stores;
//! - CPU of the idle federation and resident memory per node.
//!
//! Run: `EXTRANET_STORE_ENGINE=redb cargo bench -p extranet-tests --bench national`
//! (with sled each node holds 6 files, more than a hard limit of 20,000
//! allows for 3,442 nodes; the bench says so before starting).

use std::time::{Duration, Instant};

use extranet_certs::NodeId;
use extranet_federation::{Channel, EventStore, StreamId};
use extranet_node::config::{OversightConfig, SyncTuning};
use extranet_proto::v1 as pb;
use extranet_tests::national::{national_paths, national_tsv};
use extranet_tests::{Harness, bench, eventually, id, row, valid_cutover};
use prost::Message;

/// Prefectures per province and counties per prefecture.
const FAN_OUT: usize = 10;
/// Oversight view calls timed.
const QUERIES: usize = 20;
/// One county in each of these provinces files a cutover.
const COUNTIES: [&str; 5] = ["110000", "320000", "440000", "540000", "650000"];

fn main() -> anyhow::Result<()> {
    let limit = raise_open_files();
    check_open_files(limit, 1 + 31 * (1 + FAN_OUT * (1 + FAN_OUT)))?;
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let paths = national_paths(FAN_OUT, FAN_OUT);
    let n = paths.len();
    let top = id(&paths[0]);
    let mut h = mint(&paths)?;
    let started = Instant::now();
    start(&mut h, &paths).await?;
    let up = started.elapsed();
    wait_all_healthy(&h, &top, n).await?;
    let healthy = started.elapsed();
    println!("nodes listening after {:.1} s", up.as_secs_f64());
    verdict("start → every descendant healthy at the nation", healthy.as_secs_f64(), 60.0, "s");

    let (median, worst, rows) = time_queries(&h, &top).await?;
    println!(
        "nation's oversight view over gRPC: {rows} rows, {QUERIES} calls, median {median:.1} ms, worst {worst:.1} ms"
    );
    verdict("oversight view, median", median, 200.0, "ms");
    verdict("oversight view, worst", worst, 200.0, "ms");

    let cpu = idle_cpu(Duration::from_secs(10)).await?;
    println!("CPU of the idle federation (heartbeats, periodic summaries): {cpu:.0}% of one core over 10 s");
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("county changes, each on a settled federation:");
    let lat = county_changes(&h, &paths, 1, true).await?;
    println!("county change → counted in the nation's view ({} counties, settled): {lat:.0?}", lat.len());
    verdict("county change → nation's view, settled, median", ms(lat[lat.len() / 2]), 1000.0, "ms");
    verdict("county change → nation's view, settled, worst", ms(lat[lat.len() - 1]), 1000.0, "ms");
    println!("county changes back to back (the previous filings' receipts still going down the tree):");
    let lat = county_changes(&h, &paths, 2, false).await?;
    println!("county change → counted in the nation's view ({} counties, back to back): {lat:.0?}", lat.len());
    verdict("county change → nation's view, back to back, median", ms(lat[lat.len() / 2]), 1000.0, "ms");
    verdict("county change → nation's view, back to back, worst", ms(lat[lat.len() - 1]), 1000.0, "ms");
    let (took, events, copies) = wait_settled(&h, &paths).await?;
    println!(
        "  then the nation's {events} down event(s) reached or skipped at all {} nodes after {took:.1?} ({copies} copies stored)",
        n - 1
    );

    let rss_kib = bench::memory(None)?.rss_kib;
    println!(
        "resident memory: {:.0} MiB total, {:.2} MiB per node ({n} nodes in one process)",
        rss_kib as f64 / 1024.0,
        rss_kib as f64 / 1024.0 / n as f64
    );
    let stopping = Instant::now();
    h.shutdown().await;
    println!("shutdown of {n} nodes: {:.1} s", stopping.elapsed().as_secs_f64());
    Ok(())
}

/// Mints the PKI and configs of `paths` with the national topology file.
fn mint(paths: &[String]) -> anyhow::Result<Harness> {
    let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
    let minted = Instant::now();
    let mut h = Harness::created(&refs)?;
    let topology = h.fed.root.join("national.tsv");
    std::fs::write(&topology, national_tsv(FAN_OUT, FAN_OUT))?;
    let interval: u64 = std::env::var("BENCH_SUMMARY_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(30);
    h.fed.configure(|c| {
        c.sync = SyncTuning::default();
        c.oversight = OversightConfig {
            summary_interval_secs: interval,
            stale_after_secs: interval * 4,
            topology: Some(topology.clone()),
            ..Default::default()
        };
    })?;
    println!(
        "PKI and configs for {} nodes: {:.1} s (summaries every {interval} s, stale after {} s; engine {})",
        refs.len(),
        minted.elapsed().as_secs_f64(),
        interval * 4,
        extranet_tests::store_engine()?.name()
    );
    Ok(h)
}

/// Starts every node, parents first, with a progress line every 500.
async fn start(h: &mut Harness, paths: &[String]) -> anyhow::Result<()> {
    let t = Instant::now();
    for (i, p) in paths.iter().enumerate() {
        h.fed.start(&id(p)).await?;
        if (i + 1) % 500 == 0 || i + 1 == paths.len() {
            println!("  {:>5} nodes started: {:.1} s", i + 1, t.elapsed().as_secs_f64());
        }
    }
    Ok(())
}

/// Waits until the nation's view has `n` rows, every one healthy (looking
/// every quarter second, so the figure is that coarse); prints how many
/// are healthy every ten seconds.
async fn wait_all_healthy(h: &Harness, top: &NodeId, n: usize) -> anyhow::Result<()> {
    let mut next_report = Instant::now() + Duration::from_secs(10);
    eventually("every node healthy at the nation", Duration::from_secs(600), async || {
        // four looks a second: building a view of 3,442 rows takes CPU
        // from the nodes being measured
        tokio::time::sleep(Duration::from_millis(250)).await;
        let v = h.oversight(top)?;
        let ok = v.rows.iter().filter(|r| r.health() == pb::Health::Ok).count();
        if Instant::now() >= next_report {
            println!("  {ok} of {n} rows healthy");
            next_report += Duration::from_secs(10);
        }
        Ok((v.rows.len() == n && ok == n, format!("{ok} of {} rows healthy", v.rows.len())))
    })
    .await?;
    Ok(())
}

/// Times [`QUERIES`] calls of the nation's oversight view over gRPC, as
/// its operator on one connection: median and worst in ms, and the rows.
async fn time_queries(h: &Harness, top: &NodeId) -> anyhow::Result<(f64, f64, usize)> {
    let mut client = h.fed.client(top).await?.oversight().max_decoding_message_size(64 << 20);
    let mut times = Vec::new();
    let mut rows = 0;
    for _ in 0..QUERIES {
        let t = Instant::now();
        let v = client.get_oversight(pb::GetOversightRequest::default()).await?.into_inner();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        rows = v.rows.len();
    }
    times.sort_by(f64::total_cmp);
    Ok((times[times.len() / 2], times[times.len() - 1], rows))
}

/// Files a cutover at county `county` of prefecture 01 in each of
/// [`COUNTIES`]' provinces in turn and times until the nation holds the
/// county's summary counting it (read from the nation's store by the
/// county's key: polling the whole 3,442-row view every few ms would itself
/// load the nodes measured), then checks the nation's view counts it.
/// With `settle`, each filing waits until the nation's down events (its
/// receipt of the previous filing among them) have reached every node, and
/// prints how long that took. Returns the times sorted.
async fn county_changes(h: &Harness, paths: &[String], county: usize, settle: bool) -> anyhow::Result<Vec<Duration>> {
    let top = id(&paths[0]);
    let mut lat = Vec::new();
    for province in COUNTIES {
        if settle {
            let (took, events, copies) = wait_settled(h, paths).await?;
            println!(
                "  the nation's {events} down event(s) reached or skipped at all {} nodes after {took:.1?} ({copies} copies stored)",
                paths.len() - 1
            );
        }
        let code = format!("{}01{county:02}", &province[..2]);
        let path = paths.iter().find(|p| p.ends_with(&code)).expect("county in the tree").clone();
        let county = id(&path);
        let t = Instant::now();
        let filed_at_ms = chrono::Utc::now().timestamp_millis();
        h.file_cutover(&county, valid_cutover()).await?;
        let acked = t.elapsed();
        eventually("the county's change held at the nation", Duration::from_secs(60), async || {
            let filings = held_filings(h, &top, &county)?;
            Ok((filings >= 1, filings))
        })
        .await?;
        lat.push(t.elapsed());
        let counted = row(&h.oversight(&top)?, &path).subtree.unwrap_or_default().filings;
        anyhow::ensure!(counted >= 1, "the nation holds {path}'s summary but its view does not count it");
        println!("  {path}: filing acknowledged after {acked:.0?}; heard: {}", hops(h, &county, filed_at_ms)?);
    }
    lat.sort();
    Ok(lat)
}

/// Waits until every node's cursor of the nation's down stream is at the
/// nation's (the provinces hold it whole; below them each node holds only
/// the events that reach its subtree and is told to skip the rest, on the
/// next heartbeat of each relay); returns the wait, how many events the
/// nation emitted and how many copies of them the whole tree stores.
async fn wait_settled(h: &Harness, paths: &[String]) -> anyhow::Result<(Duration, usize, usize)> {
    let t = Instant::now();
    let down = StreamId { origin: id(&paths[0]), channel: Channel::Down };
    let cursor = |p: &String| -> u64 {
        let all = h.running(&id(p)).store.cursors().unwrap_or_default();
        all.into_iter().find(|(s, _)| *s == down).map_or(0, |(_, c)| c)
    };
    let emitted = cursor(&paths[0]);
    eventually("the nation's down stream at every node", Duration::from_secs(300), async || {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let behind = paths[1..].iter().filter(|p| cursor(p) < emitted).count();
        Ok((behind == 0, format!("{behind} nodes behind")))
    })
    .await?;
    let took = t.elapsed();
    let held = |p: &String| h.running(&id(p)).store.read(&down, 0, usize::MAX).map_or(0, |e| e.len());
    let copies = paths[1..].iter().map(held).sum();
    Ok((took, usize::try_from(emitted)?, copies))
}

/// The filings counted by the summary of `county` held at `at`.
fn held_filings(h: &Harness, at: &NodeId, county: &NodeId) -> anyhow::Result<u64> {
    let held = h.running(at).store.summaries(county)?.into_iter().find(|s| &s.origin == county);
    let Some(held) = held else { return Ok(0) };
    let summary = pb::NodeSummary::decode(held.payload.as_slice())?;
    Ok(summary.filings.iter().map(|f| f.count).sum())
}

/// Where a county's change spent its time: when the county published the
/// summary that counts it and when each ancestor heard it (each by its own
/// store's record), in ms after the filing was sent.
fn hops(h: &Harness, county: &NodeId, filed_at_ms: i64) -> anyhow::Result<String> {
    let mut out = Vec::new();
    for at in std::iter::once(county.clone()).chain(county.ancestors()) {
        let held = h.running(&at).store.summaries(county)?.into_iter().find(|s| &s.origin == county);
        let heard = held.map_or("-".to_string(), |s| format!("+{}", s.heard_at_ms - filed_at_ms));
        out.push(format!("{} {heard} ms", at.code()));
    }
    Ok(out.join(" → "))
}

/// CPU the idle federation uses, in % of one core, over `window`.
async fn idle_cpu(window: Duration) -> anyhow::Result<f64> {
    let (t0, c0) = (Instant::now(), bench::cpu_secs(None)?);
    tokio::time::sleep(window).await;
    Ok((bench::cpu_secs(None)? - c0) / t0.elapsed().as_secs_f64() * 100.0)
}

/// Prints `what` beside its target and whether it is met.
fn verdict(what: &str, value: f64, target: f64, unit: &str) {
    println!("{what}: {value:.1} {unit} (target ≤ {target} {unit}): {}", bench::met(value <= target));
}

/// Raises the soft limit of open files to the hard limit (each node holds
/// its listener, its store's files and both ends of its uplink), and the
/// hard limit too where the process may (as root).
fn raise_open_files() -> u64 {
    let mut lim = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit/setrlimit only read and write the struct passed.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return 0;
        }
        let wanted = lim.rlim_max.max(1 << 17);
        let raised = libc::rlimit { rlim_cur: wanted, rlim_max: wanted };
        if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) != 0 {
            lim.rlim_cur = lim.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        }
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim);
    }
    println!("open files limit: {}", lim.rlim_cur);
    lim.rlim_cur
}

/// Refuses to start a tree that would run out of file descriptors half
/// way (seen: sled at 3,300 of 3,442 nodes under a hard limit of 20,000,
/// crawling): each node holds its listener and both ends of its uplink,
/// and its store's files — sled its data file twice (once to fsync it)
/// and the data directory, redb one file.
fn check_open_files(limit: u64, nodes: usize) -> anyhow::Result<()> {
    let engine = extranet_tests::store_engine()?;
    let per_node = match engine {
        extranet_node::store::engine::EngineKind::Sled => 6,
        extranet_node::store::engine::EngineKind::Redb => 4,
    };
    let needed = (nodes * per_node + 500) as u64;
    anyhow::ensure!(
        limit >= needed,
        "{nodes} nodes on {} need about {needed} open files, the limit is {limit} (raise the hard limit, \
         or EXTRANET_STORE_ENGINE=redb: 4 per node)",
        engine.name()
    );
    Ok(())
}
