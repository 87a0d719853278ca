//! The engine under one bare node store, in this process (no network):
//! durable filings per second through the node's own filing operation, disk
//! bytes per filing after the fill, the time to open it again, and the time
//! to open a store of a million events. Large stores are filled with large
//! transactions of the filing operation's own write
//! ([`ops::filing::write_filing`]): the same records and events, without a
//! durability barrier per filing.

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
use extranet_tests::bench::{dir_bytes, ms};
use extranet_tests::valid_cutover;

use super::{Figures, Knobs};

/// Filings/s at 1, 8 and 64 writers on a fresh store of node `me` in `dir`,
/// then filled to `knobs.fill` filings; its bytes per filing and the time to
/// open it again. The store is closed afterwards (a served node takes it).
pub async fn fill_and_reopen(
    dir: &Path,
    me: &NodeId,
    engine: EngineKind,
    knobs: &Knobs,
    figs: &mut Figures,
) -> anyhow::Result<()> {
    let store = open(dir, me, engine)?;
    let mut filings = 0;
    for writers in [1usize, 8, 64] {
        let (n, took) = file_many(&store, writers, Some(Duration::from_secs(knobs.secs)), u64::MAX).await?;
        filings += n;
        figs.put(
            format!("durable filings/s, {writers} writer{}", if writers == 1 { "" } else { "s" }),
            format!("{:.0}", n as f64 / took.as_secs_f64()),
        );
    }
    let (n, took) = file_many(&store, 64, None, knobs.fill.saturating_sub(filings)).await?;
    filings += n;
    println!("  (filled to {filings} filings in {:.1} s)", took.as_secs_f64());
    close(store).await;
    let bytes = dir_bytes(dir)?;
    let per_filing = bytes as f64 / filings as f64;
    figs.put(
        format!("disk bytes per filing after {} filings", knobs.fill),
        format!("{per_filing:.0} ({:.1} MiB, {filings} filings)", bytes as f64 / 1048576.0),
    );
    let (opened, events) = timed_open(dir, me, engine).await?;
    figs.put(
        format!("reopen in-process after {} filings", knobs.fill),
        format!("{:.0} ms ({events} events)", ms(opened)),
    );
    Ok(())
}

/// Tops the store of `me` at `dir` up to `knobs.open_events` events (in
/// large transactions) and times opening it, its event count read from the
/// cursors. Returns whether the store now holds that many.
pub async fn open_large(
    dir: &Path,
    me: &NodeId,
    engine: EngineKind,
    knobs: &Knobs,
    figs: &mut Figures,
) -> anyhow::Result<bool> {
    if knobs.open_events == 0 {
        return Ok(false);
    }
    let store = open(dir, me, engine)?;
    let held: u64 = store.cursors()?.iter().map(|(_, seq)| seq).sum();
    let more = knobs.open_events.saturating_sub(held);
    let took = fill_fast(&store, more, knobs.batch, "large store").await?;
    let rate = more as f64 / took.as_secs_f64();
    println!("  (large store: {more} more filings in {:.0} s, {rate:.0}/s)", took.as_secs_f64());
    close(store).await;
    println!("  (large store on disk: {:.0} MiB)", dir_bytes(dir)? as f64 / 1048576.0);
    let (opened, events) = timed_open(dir, me, engine).await?;
    figs.put(
        format!("open a store of {} events", knobs.open_events),
        format!("{:.0} ms ({events} counted)", ms(opened)),
    );
    Ok(true)
}

/// Files `total` cutovers into `store` in transactions of `batch` filings
/// each, every transaction made durable before the next; prints progress
/// every 5 s. Returns how long it took.
pub async fn fill_fast(store: &NodeStore, total: u64, batch: u64, what: &str) -> anyhow::Result<Duration> {
    let details = FilingDetails::Cutover(codec::cutover_from_pb(Some(valid_cutover()))?);
    let (start, mut done, mut shown) = (Instant::now(), 0u64, Instant::now());
    while done < total {
        let n = batch.min(total - done);
        store.transact(|tx| {
            for _ in 0..n {
                ops::filing::write_filing(tx, details.clone(), "bench")?;
            }
            Ok(())
        })?;
        store.sync().await?;
        done += n;
        if shown.elapsed() >= Duration::from_secs(5) && done < total {
            shown = Instant::now();
            println!("  … {what}: {done} / {total} filed, {:.0} s", start.elapsed().as_secs_f64());
        }
    }
    Ok(start.elapsed())
}

/// Opens the store at `dir` again, timed, and counts its events from the
/// cursors (without reading them); closes it again.
async fn timed_open(dir: &Path, me: &NodeId, engine: EngineKind) -> anyhow::Result<(Duration, u64)> {
    let started = Instant::now();
    let store = open(dir, me, engine)?;
    let opened = started.elapsed();
    let events: u64 = store.cursors()?.iter().map(|(_, seq)| seq).sum();
    close(store).await;
    Ok((opened, events))
}

fn open(dir: &Path, me: &NodeId, engine: EngineKind) -> anyhow::Result<NodeStore> {
    let cfg = StoreConfig { restart: SelfRestart::Report, engine: Some(engine), ..Default::default() };
    Ok(NodeStore::open_with(dir, me.clone(), Arc::new(DomainApplier::without_pki()), &cfg)?)
}

/// Closes `store` and waits until the engine has let go of its files.
async fn close(store: NodeStore) {
    store.close();
    store.closed().await;
    drop(store);
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
