//! The engine under a real `extranet serve` process of its own, so its
//! memory is the engine's and nothing else's: the county serves a filled
//! store, takes more filings over gRPC from 64 clients, has its `VmRSS` and
//! `VmHWM` read, and is then killed with `kill -9` while those clients
//! still file. Spawned again, it is timed to its status answering and to a
//! new filing being acknowledged. (The county runs without a parent link:
//! no upstream traffic is counted.)

use std::time::{Duration, Instant};

use extranet_certs::NodeId;
use extranet_node::client::{Client, CredentialDir};
use extranet_proto::v1 as pb;
use extranet_tests::bench::{Load, Memory, memory, ms};
use extranet_tests::{Harness, Served, eventually, valid_cutover};

use super::Figures;

/// Concurrent gRPC clients filing at the served node.
const CLIENTS: usize = 64;

/// How long a restarted node may take to answer before the bench fails.
const RECOVERY_PATIENCE: Duration = Duration::from_secs(300);

fn spawn(h: &Harness, node: &NodeId) -> anyhow::Result<(Served, String)> {
    let exe = env!("CARGO_BIN_EXE_extranet-under-test");
    Served::spawn(exe, &h.node(node).config_path(), &[])
}

/// Serves `node` (its store holding `held`, e.g. "50000 filings"), files
/// `filings` over gRPC from [`CLIENTS`] clients, reads the process's
/// memory, kills it with `kill -9` while the clients still file, and times
/// its recovery.
pub async fn kill_and_recover(
    h: &Harness,
    node: &NodeId,
    held: &str,
    filings: u64,
    figs: &mut Figures,
) -> anyhow::Result<()> {
    let label = format!("{held} + {filings} over gRPC");
    let creds = h.node(node).operator();
    let seen = load_then_kill(h, node, &creds, filings).await?;
    figs.put(format!("served ({label}): memory RSS / peak"), mib(seen.memory));
    figs.put(format!("served ({label}): durable filings/s, {CLIENTS} clients"), format!("{:.0}", seen.rate));
    println!("  (killed with -9 under load after {} filings acknowledged)", seen.acked);
    let recovery = recover(h, node, &creds).await?;
    figs.put(format!("recovery after kill -9 ({label}): status answers"), format!("{:.0} ms", ms(recovery.status)));
    figs.put(
        format!("recovery after kill -9 ({label}): a filing acknowledged"),
        format!("{:.0} ms", ms(recovery.filed)),
    );
    figs.put(format!("recovered process ({label}): memory RSS / peak"), mib(recovery.memory));
    Ok(())
}

/// What the served node showed just before it was killed.
struct UnderLoad {
    memory: Memory,
    rate: f64,
    /// Filings acknowledged in all, the last ones while it was killed.
    acked: u64,
}

/// Serves `node` and files until `filings` are acknowledged; reads the
/// process's memory, then kills it with `kill -9`, writes in flight.
async fn load_then_kill(h: &Harness, node: &NodeId, creds: &CredentialDir, filings: u64) -> anyhow::Result<UnderLoad> {
    let (mut served, addr) = spawn(h, node)?;
    let client = Client::connect(&addr, creds).await?;
    extranet_tests::register_cutover_unit(&client).await?;
    let load = Load::start(&client, CLIENTS);
    let (started, mut shown) = (Instant::now(), Instant::now());
    eventually(&format!("{filings} filings at the served node"), RECOVERY_PATIENCE, async || {
        let n = load.acked();
        if shown.elapsed() > Duration::from_secs(5) {
            shown = Instant::now();
            println!("  … served node: {n} / {filings} filed, {:.0} s", started.elapsed().as_secs_f64());
        }
        Ok((n >= filings, n))
    })
    .await?;
    let memory = memory(Some(served.0.id()))?;
    let rate = load.acked() as f64 / started.elapsed().as_secs_f64();
    served.0.kill()?; // SIGKILL with writes in flight
    served.0.wait()?;
    let acked = load.stop().await.acked;
    Ok(UnderLoad { memory, rate, acked })
}

fn mib(m: Memory) -> String {
    format!("{:.0} / {:.0} MiB", m.rss_kib as f64 / 1024.0, m.hwm_kib as f64 / 1024.0)
}

/// How long the restarted node took, from its spawn.
struct Recovery {
    status: Duration,
    filed: Duration,
    memory: Memory,
}

/// Spawns the killed node again and times it to its status answering and
/// to a new filing acknowledged (each retried every few ms until it works).
async fn recover(h: &Harness, node: &NodeId, creds: &CredentialDir) -> anyhow::Result<Recovery> {
    let t0 = Instant::now();
    let (served, addr) = spawn(h, node)?;
    let client = retry("the restarted node's status", async || {
        let client = Client::connect(&addr, creds).await?;
        client.status().get_status(pb::GetStatusRequest {}).await?;
        Ok(client)
    })
    .await?;
    let status = t0.elapsed();
    retry("a filing at the restarted node", async || {
        let req = pb::FileCutoverRequest { cutover: Some(valid_cutover()), ..Default::default() };
        Ok(client.filings().file_cutover(req).await?)
    })
    .await?;
    let filed = t0.elapsed();
    let memory = memory(Some(served.0.id()))?;
    drop(served);
    Ok(Recovery { status, filed, memory })
}

/// Calls `f` until it succeeds (every 2 ms, up to [`RECOVERY_PATIENCE`]).
async fn retry<T>(what: &str, mut f: impl AsyncFnMut() -> anyhow::Result<T>) -> anyhow::Result<T> {
    let deadline = Instant::now() + RECOVERY_PATIENCE;
    loop {
        match f().await {
            Ok(v) => return Ok(v),
            Err(e) if Instant::now() >= deadline => {
                anyhow::bail!("{what}: still failing after {RECOVERY_PATIENCE:?}: {e}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(2)).await,
        }
    }
}
