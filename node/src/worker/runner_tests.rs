//! The runner's promises: a failing or panicking unit is reported and
//! retried; shutdown waits for a unit in progress and leaves no worker behind.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::{Runner, Wake, Worker, WorkerReport};
use crate::error::{NodeError, Result};

/// What a scripted unit does on its `n`th call (from 1).
#[derive(Clone, Copy)]
enum Act {
    Succeed,
    Fail,
    Panic,
}

/// A worker whose units follow `script`; it wakes at once after each unit.
struct Scripted {
    calls: Arc<AtomicU32>,
    script: fn(u32) -> Act,
}

impl Worker for Scripted {
    fn name(&self) -> &'static str {
        "scripted"
    }

    async fn work(&mut self) -> Result<()> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        match (self.script)(n) {
            Act::Succeed => Ok(()),
            Act::Fail => Err(NodeError::Store(format!("第 {n} 次：磁盘故障"))),
            Act::Panic => panic!("第 {n} 次：崩溃"),
        }
    }

    async fn wait(&mut self) -> Wake {
        tokio::task::yield_now().await;
        Wake::Ready
    }
}

fn fast_runner(cancel: &CancellationToken) -> Runner {
    Runner::new(cancel).with_backoff(Duration::from_millis(5), Duration::from_millis(20))
}

/// Polls the runner's one worker until `ok` holds; fails with the last report.
async fn wait_report(runner: &Runner, what: &str, ok: impl Fn(&WorkerReport) -> bool) -> WorkerReport {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let r = runner.board().list().pop().expect("one worker on the board");
        if ok(&r) {
            return r;
        }
        assert!(Instant::now() < deadline, "{what}; last report: {r:?}");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

#[tokio::test]
async fn a_unit_that_errors_is_reported_failing_and_retried_until_it_succeeds() {
    let cancel = CancellationToken::new();
    let mut runner = fast_runner(&cancel);
    let calls = Arc::new(AtomicU32::new(0));
    runner.spawn(Scripted { calls: calls.clone(), script: |n| if n <= 4 { Act::Fail } else { Act::Succeed } });
    let failing = wait_report(&runner, "failing after three errors", |r| r.failures >= 3).await;
    assert_eq!(failing.name, "scripted");
    assert!(failing.failing_since_ms.is_some(), "{failing:?}");
    assert!(failing.last_error.as_deref().unwrap_or_default().contains("磁盘故障"), "{failing:?}");
    let recovered = wait_report(&runner, "recovered on the fifth try", |r| r.failures == 0 && r.units >= 5).await;
    assert_eq!((recovered.failing_since_ms, recovered.last_error), (None, None));
    assert!(calls.load(Ordering::SeqCst) >= 5, "the failing unit was retried");
    runner.shutdown().await;
}

#[tokio::test]
async fn a_unit_that_panics_is_reported_and_the_worker_keeps_running() {
    let cancel = CancellationToken::new();
    let mut runner = fast_runner(&cancel);
    let calls = Arc::new(AtomicU32::new(0));
    runner.spawn(Scripted { calls: calls.clone(), script: |n| if n <= 2 { Act::Panic } else { Act::Succeed } });
    let failing = wait_report(&runner, "failing after a panic", |r| r.state_code() == "failing").await;
    assert!(failing.last_error.as_deref().unwrap_or_default().contains("崩溃"), "{failing:?}");
    wait_report(&runner, "running again after the panics", |r| r.units >= 4 && r.failures == 0).await;
    assert!(calls.load(Ordering::SeqCst) >= 4, "the worker survived its panicking units");
    runner.shutdown().await;
}

/// A worker whose first unit waits for `release`; it holds `held` while alive.
struct Slow {
    started: Arc<Notify>,
    release: Arc<Notify>,
    finished: Arc<AtomicBool>,
    _held: Arc<()>,
}

impl Worker for Slow {
    fn name(&self) -> &'static str {
        "slow"
    }

    async fn work(&mut self) -> Result<()> {
        self.started.notify_one();
        self.release.notified().await;
        self.finished.store(true, Ordering::SeqCst);
        Ok(())
    }

    async fn wait(&mut self) -> Wake {
        tokio::task::yield_now().await;
        Wake::Ready
    }
}

#[tokio::test]
async fn shutdown_waits_for_the_unit_in_progress_and_leaves_no_worker_running() {
    let cancel = CancellationToken::new();
    let mut runner = fast_runner(&cancel);
    let (started, release, finished, held) =
        (Arc::new(Notify::new()), Arc::new(Notify::new()), Arc::new(AtomicBool::new(false)), Arc::new(()));
    runner.spawn(Slow {
        started: started.clone(),
        release: release.clone(),
        finished: finished.clone(),
        _held: held.clone(),
    });
    started.notified().await;
    let done = finished.clone();
    let shutdown = tokio::spawn(async move {
        runner.shutdown().await;
        done.load(Ordering::SeqCst)
    });
    // current-thread runtime: yielding lets the shutdown run as far as it can
    for _ in 0..100 {
        tokio::task::yield_now().await;
    }
    assert!(!shutdown.is_finished(), "shutdown returned while a unit was still in progress");
    release.notify_one();
    assert!(shutdown.await.expect("shutdown task"), "the unit in progress finished before shutdown returned");
    assert_eq!(Arc::strong_count(&held), 1, "no worker is left (running or held) after shutdown returns");
}

/// A worker whose wait says its source is gone.
struct Orphan;

impl Worker for Orphan {
    fn name(&self) -> &'static str {
        "orphan"
    }

    async fn work(&mut self) -> Result<()> {
        Ok(())
    }

    async fn wait(&mut self) -> Wake {
        Wake::Closed
    }
}

#[tokio::test]
async fn a_worker_whose_source_closed_is_reported_stopped() {
    let cancel = CancellationToken::new();
    let mut runner = fast_runner(&cancel);
    runner.spawn(Orphan);
    let r = wait_report(&runner, "stopped", |r| r.state_code() == "stopped").await;
    assert_eq!(r.units, 1);
    runner.shutdown().await;
}

#[tokio::test]
async fn cancelling_the_node_stops_the_workers() {
    let cancel = CancellationToken::new();
    let mut runner = fast_runner(&cancel);
    runner.spawn(Scripted { calls: Arc::new(AtomicU32::new(0)), script: |_| Act::Succeed });
    cancel.cancel();
    wait_report(&runner, "stopped once the node is cancelled", |r| r.state_code() == "stopped").await;
    runner.shutdown().await;
}
