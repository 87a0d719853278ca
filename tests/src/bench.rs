//! Measuring helpers shared by the benches (`tests/benches/`): one way to
//! time county → region propagation, load a node with filing clients, read
//! a process's memory and CPU and a data directory's size, so `--bench federation` and `--bench storage` report
//! the same figure the same way instead of two copies drifting apart.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use extranet_certs::NodeId;
use extranet_federation::{Channel, EventStore, StreamId};
use extranet_node::client::Client;
use extranet_node::store::NodeStore;
use extranet_proto::v1 as pb;

use crate::{Harness, valid_cutover};

/// The value of environment knob `name`, or `default` when unset or unparsable.
pub fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|s| s.parse().ok()).unwrap_or(default)
}

/// Propagation latency percentiles over `n` sequential filings.
#[derive(Clone, Copy, Debug)]
pub struct Propagation {
    /// Median.
    pub p50: Duration,
    /// 99th percentile.
    pub p99: Duration,
    /// How many filings were timed.
    pub n: usize,
}

/// The highest contiguous sequence of `origin`'s up stream held in `store`.
pub fn up_cursor(store: &NodeStore, origin: &NodeId) -> anyhow::Result<u64> {
    let stream = StreamId { origin: origin.clone(), channel: Channel::Up };
    Ok(store.cursors()?.into_iter().find(|(s, _)| *s == stream).map_or(0, |(_, seq)| seq))
}

/// Files `n` cutovers at `origin` one after the other, each timed from the
/// call to `at` holding it (woken by `at`'s durability watch, so the time is
/// when `at` had it durable). Waits first (up to `drain`) until `at` holds
/// everything `origin` filed before, so an earlier backlog is not counted.
pub async fn propagation(
    h: &Harness,
    origin: &NodeId,
    at: &NodeId,
    n: usize,
    drain: Duration,
) -> anyhow::Result<Propagation> {
    anyhow::ensure!(n > 0, "propagation needs at least one filing");
    let (held, from) = (h.running(at).store.clone(), h.running(origin).store.clone());
    let head = up_cursor(&from, origin)?;
    let deadline = Instant::now() + drain;
    while up_cursor(&held, origin)? < head && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    h.cutover_unit(origin).await?;
    let mut filings = h.fed.client(origin).await?.filings();
    let mut watch = held.durable_watch();
    let mut samples = Vec::with_capacity(n);
    // made once: building it reads the built-in calendar, which is not what is timed
    let cutover = valid_cutover();
    for _ in 0..n {
        let t0 = Instant::now();
        let f = filings
            .file_cutover(pb::FileCutoverRequest { cutover: Some(cutover.clone()), ..Default::default() })
            .await?
            .into_inner();
        while held.filing(&f.id)?.is_none() {
            tokio::time::timeout(Duration::from_secs(5), watch.changed()).await??;
        }
        samples.push(t0.elapsed());
    }
    samples.sort();
    Ok(Propagation { p50: samples[n / 2], p99: samples[(n * 99) / 100], n })
}

/// A process's memory from `/proc/<pid>/status` (Linux), KiB.
#[derive(Clone, Copy, Debug, Default)]
pub struct Memory {
    /// Resident now (`VmRSS`).
    pub rss_kib: u64,
    /// Highest resident so far (`VmHWM`).
    pub hwm_kib: u64,
}

/// The memory of process `pid` (`None`: this process).
pub fn memory(pid: Option<u32>) -> anyhow::Result<Memory> {
    let path = pid.map_or("/proc/self/status".to_string(), |p| format!("/proc/{p}/status"));
    let status = std::fs::read_to_string(&path)?;
    let field = |name: &str| -> anyhow::Result<u64> {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .ok_or_else(|| anyhow::anyhow!("{path}: no {name}"))
    };
    Ok(Memory { rss_kib: field("VmRSS:")?, hwm_kib: field("VmHWM:")? })
}

/// CPU seconds (user + system) process `pid` (`None`: this process) has
/// used so far (Linux `/proc/<pid>/stat`).
pub fn cpu_secs(pid: Option<u32>) -> anyhow::Result<f64> {
    let path = pid.map_or("/proc/self/stat".to_string(), |p| format!("/proc/{p}/stat"));
    let stat = std::fs::read_to_string(&path)?;
    // after the command name (in parentheses) the first field is the state,
    // field 3; utime and stime, fields 14 and 15, are at 11 and 12 there
    let rest = stat.rsplit_once(')').map(|(_, r)| r).ok_or_else(|| anyhow::anyhow!("{path} unreadable"))?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| -> anyhow::Result<f64> {
        Ok(fields.get(i).ok_or_else(|| anyhow::anyhow!("{path}: field {i} missing"))?.parse::<f64>()?)
    };
    // SAFETY: sysconf has no preconditions.
    let per_sec = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    Ok((ticks(11)? + ticks(12)?) / per_sec)
}

/// "met" or "NOT MET", for a figure printed beside its target.
pub fn met(ok: bool) -> &'static str {
    if ok { "met" } else { "NOT MET" }
}

/// Bytes of every file under `dir`.
pub fn dir_bytes(dir: &Path) -> std::io::Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let meta = entry.metadata()?;
        total += if meta.is_dir() { dir_bytes(&entry.path())? } else { meta.len() };
    }
    Ok(total)
}

/// Milliseconds, for printing.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Runs `writers` tasks, each calling `op(i)` (`i` its index) back to
/// back for `dur`; answers the completed calls per second. A call's error
/// ends the run with it.
pub async fn rate_for<F, E>(
    writers: usize,
    dur: Duration,
    op: impl Fn(usize) -> F + Send + Sync + 'static,
) -> anyhow::Result<f64>
where
    F: std::future::Future<Output = Result<(), E>> + Send + 'static,
    E: std::error::Error + Send + Sync + 'static,
{
    let (done, stop, op) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicBool::new(false)), Arc::new(op));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..writers {
        let (done, stop, op) = (done.clone(), stop.clone(), op.clone());
        tasks.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                op(i).await?;
                done.fetch_add(1, Ordering::Relaxed);
            }
            Ok::<(), E>(())
        }));
    }
    tokio::time::sleep(dur).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await??;
    }
    Ok(done.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64())
}

/// Clients filing cutovers at one node as fast as they can until stopped;
/// a client ends at its first error (a node killed under load refuses).
pub struct Load {
    acked: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    tasks: Vec<tokio::task::JoinHandle<Option<tonic::Status>>>,
    started: Instant,
}

/// What a [`Load`] did.
pub struct Loaded {
    /// Filings acknowledged.
    pub acked: u64,
    /// Acknowledged per second, from the start to the stop.
    pub per_sec: f64,
    /// The first error a client ended on, if one did.
    pub error: Option<tonic::Status>,
}

impl Load {
    /// Starts `writers` clients filing through `client` (whose node holds
    /// [`crate::CUTOVER_UNIT`]: [`crate::register_cutover_unit`]).
    pub fn start(client: &Client, writers: usize) -> Self {
        let (acked, stop) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicBool::new(false)));
        // made once: building it reads the built-in calendar, which is not what is measured
        let cutover = valid_cutover();
        let tasks = (0..writers)
            .map(|_| {
                let (mut filings, acked, stop, cutover) =
                    (client.filings(), acked.clone(), stop.clone(), cutover.clone());
                tokio::spawn(async move {
                    while !stop.load(Ordering::Relaxed) {
                        let req = pb::FileCutoverRequest { cutover: Some(cutover.clone()), ..Default::default() };
                        if let Err(e) = filings.file_cutover(req).await {
                            return Some(e);
                        }
                        acked.fetch_add(1, Ordering::Relaxed);
                    }
                    None
                })
            })
            .collect();
        Load { acked, stop, tasks, started: Instant::now() }
    }

    /// Filings acknowledged so far.
    pub fn acked(&self) -> u64 {
        self.acked.load(Ordering::Relaxed)
    }

    /// Since the start.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// Stops the clients and waits for them.
    pub async fn stop(self) -> Loaded {
        self.stop.store(true, Ordering::Relaxed);
        let mut error = None;
        for t in self.tasks {
            if let Ok(Some(e)) = t.await {
                error.get_or_insert(e);
            }
        }
        let acked = self.acked.load(Ordering::Relaxed);
        Loaded { acked, per_sec: acked as f64 / self.started.elapsed().as_secs_f64(), error }
    }

    /// Runs `writers` clients for `dur` and stops them; fails if one failed.
    pub async fn run_for(client: &Client, writers: usize, dur: Duration) -> anyhow::Result<Loaded> {
        crate::register_cutover_unit(client).await?;
        let load = Load::start(client, writers);
        tokio::time::sleep(dur).await; // the measurement window
        let done = load.stop().await;
        match done.error {
            Some(e) => Err(anyhow::anyhow!("a filing client failed: {e}")),
            None => Ok(done),
        }
    }
}
