//! A node's background workers run under one runner: `extranet status` lists
//! each of them by name with its state, and a stopped node has let go of its
//! data directory when `stop` returns (the runner awaited every worker).
//!
//! ```text
//!   540000 ── 540100
//! ```

use std::collections::BTreeSet;
use std::process::Command;
use std::time::{Duration, Instant};

use extranet_certs::NodeId;
use extranet_proto::v1 as pb;
use extranet_tests::{Harness, PATIENCE};

/// Every worker a node runs, by the name status reports.
const WORKERS: &[&str] =
    &["store-health", "address-reclaimer", "ipam-decider", "fault-breaches", "crl-watcher", "summary-publisher"];

/// `n`'s status report, as its operator reads it over gRPC.
async fn status(h: &Harness, n: &NodeId) -> anyhow::Result<pb::StatusReport> {
    Ok(h.fed.client(n).await?.status().get_status(pb::GetStatusRequest {}).await?.into_inner())
}

/// Waits until every worker of `n` has run its first unit; returns the report.
async fn wait_workers_ran(h: &Harness, n: &NodeId) -> anyhow::Result<pb::StatusReport> {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let r = status(h, n).await?;
        if !r.workers.is_empty() && r.workers.iter().all(|w| w.units >= 1) {
            return Ok(r);
        }
        let seen: Vec<String> = r.workers.iter().map(|w| format!("{}={}/{}", w.name, w.state, w.units)).collect();
        anyhow::ensure!(Instant::now() < deadline, "{n}: not every worker ran in time; last seen: {seen:?}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Runs `extranet status [extra]` as `n`'s operator; returns its stdout.
fn cli_status(h: &Harness, n: &NodeId, extra: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_extranet-under-test"))
        .arg("status")
        .args(extra)
        .arg("--endpoint")
        .arg(h.running(n).addr.to_string())
        .arg("--cert-dir")
        .arg(h.node(n).operator().path())
        .output()
        .expect("run the binary");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_lists_every_worker_of_the_node_with_its_state() -> anyhow::Result<()> {
    let h = Harness::tree(&["540000", "540000/540100"]).await?;
    let pref = h.prefecture();
    let r = wait_workers_ran(&h, &pref).await?;
    let names: BTreeSet<&str> = r.workers.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(names, WORKERS.iter().copied().collect(), "{:?}", r.workers);
    for w in &r.workers {
        assert!(matches!(w.state.as_str(), "idle" | "working"), "a healthy node's worker is not failing: {w:?}");
        assert!(w.since_ms > 0 && w.failing_since_ms == 0 && w.last_error.is_empty(), "{w:?}");
    }

    let text = tokio::task::block_in_place(|| cli_status(&h, &pref, &[]));
    assert!(text.contains("后台任务"), "{text}");
    for name in WORKERS {
        let line = text.lines().find(|l| l.contains(name)).unwrap_or_else(|| panic!("{name} missing:\n{text}"));
        assert!(line.contains("空闲") || line.contains("运行中"), "{line}");
    }
    let json = tokio::task::block_in_place(|| cli_status(&h, &pref, &["--json"]));
    assert!(json.contains("\"workers\": ["), "{json}");
    for name in WORKERS {
        assert!(json.contains(&format!("\"name\": \"{name}\"")), "{name} missing from --json:\n{json}");
    }
    h.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_node_has_released_its_data_when_stop_returns() -> anyhow::Result<()> {
    let mut h = Harness::tree(&["540000", "540000/540100"]).await?;
    let pref = h.prefecture();
    for round in 0..3 {
        // the workers are mid-flight: a write wakes every store watcher
        let f = h.file_cutover(&pref, extranet_tests::valid_cutover()).await?;
        h.fed.stop(&pref).await?;
        // at once, no retry: a worker still holding the store would keep sled's lock
        h.fed.start(&pref).await.map_err(|e| anyhow::anyhow!("restart {round} refused: {e}"))?;
        assert!(h.running(&pref).store.filing(&f.id)?.is_some(), "filing {} kept over the restart", f.id);
    }
    wait_workers_ran(&h, &pref).await?;
    h.shutdown().await;
    Ok(())
}
