//! The one owner of a node's background tasks: it runs each [`Worker`]'s
//! units under a supervisor that survives a failing or panicking unit, and
//! it keeps the node's other long-lived tasks (the gRPC server, the metrics
//! endpoint, the parent link), so that shutdown has one thing to await
//! before the store closes.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::task::{JoinError, JoinHandle};
use tokio_util::sync::CancellationToken;

use super::board::{Activity, Board, Slot};
use super::{Wake, Worker};

/// First pause after a failed unit; doubled on each further failure in a row.
const BACKOFF_MIN: Duration = Duration::from_millis(500);
/// Longest pause after failed units.
const BACKOFF_MAX: Duration = Duration::from_secs(30);

/// Runs a node's workers and holds its other background tasks until
/// [`Runner::shutdown`].
pub struct Runner {
    board: Board,
    cancel: CancellationToken,
    backoff: (Duration, Duration),
    tasks: Vec<(&'static str, JoinHandle<()>)>,
}

impl Runner {
    /// A runner whose workers stop when `node` is cancelled or at
    /// [`Runner::shutdown`], whichever comes first.
    pub fn new(node: &CancellationToken) -> Self {
        Runner {
            board: Board::default(),
            cancel: node.child_token(),
            backoff: (BACKOFF_MIN, BACKOFF_MAX),
            tasks: Vec::new(),
        }
    }

    /// The same runner pausing between `min` and `max` after failed units
    /// (tests use short pauses).
    pub fn with_backoff(mut self, min: Duration, max: Duration) -> Self {
        self.backoff = (min, max.max(min));
        self
    }

    /// Where the workers' states are recorded (for `extranet status`).
    pub fn board(&self) -> Board {
        self.board.clone()
    }

    /// Starts `worker`: one unit at once, then a unit after each wake-up,
    /// until shutdown or until its wait reports [`Wake::Closed`].
    pub fn spawn<W: Worker>(&mut self, worker: W) {
        let name = worker.name();
        let slot = self.board.add(name);
        let handle = tokio::spawn(supervise(worker, slot, self.cancel.clone(), self.backoff));
        self.tasks.push((name, handle));
    }

    /// Takes over a task that is not a worker (a server or a link, stopped by
    /// the node's cancellation token): shutdown awaits it too.
    pub fn own(&mut self, name: &'static str, task: JoinHandle<()>) {
        self.tasks.push((name, task));
    }

    /// Stops every worker once its unit in progress (if any) is done and
    /// waits for every task it holds to end. When this returns, no unit runs
    /// and nothing the workers held (the store among it) is held any more.
    pub async fn shutdown(mut self) {
        self.cancel.cancel();
        for (name, task) in std::mem::take(&mut self.tasks) {
            if let Err(e) = task.await {
                tracing::error!(task = name, error = %e, "background task ended abnormally");
            }
        }
    }
}

impl Drop for Runner {
    /// A runner dropped without [`Runner::shutdown`] (a node whose start
    /// failed half-way) still stops its workers, though nothing waits for them.
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

/// Marks the worker stopped however its supervisor ends (even by a panic in
/// its `wait`).
struct StopOnDrop(Slot);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.set(Activity::Stopped);
    }
}

/// Runs `worker`'s units until `cancel`; each unit runs in a task of its own,
/// so a panic ends the unit (seen through its `JoinHandle`), not the worker.
async fn supervise<W: Worker>(worker: W, slot: Slot, cancel: CancellationToken, backoff: (Duration, Duration)) {
    let name = worker.name();
    let worker = Arc::new(Mutex::new(worker));
    let slot = StopOnDrop(slot);
    while !cancel.is_cancelled() {
        slot.0.set(Activity::Working);
        let mut guard = Arc::clone(&worker).lock_owned().await;
        // not raced against `cancel`: shutdown waits for the unit to finish
        let outcome = match tokio::spawn(async move { guard.work().await }).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(e.to_string()),
            Err(e) => Err(panic_message(e)),
        };
        let error = outcome.as_ref().err().cloned();
        let failures = slot.0.finished(outcome);
        if let Some(error) = &error {
            tracing::warn!(worker = name, %error, failures, "background unit failed; retried at the next wake-up");
        }
        let pause = (failures > 0).then(|| pause_after(failures, backoff));
        let wake = tokio::select! {
            biased;
            _ = cancel.cancelled() => break,
            w = wait_after(&worker, pause) => w,
        };
        if wake == Wake::Closed {
            tracing::info!(worker = name, "background worker has nothing more to wait for; it ends");
            break;
        }
    }
}

/// Sleeps `pause` (after failures), then waits for the worker's own wake-up;
/// wake-ups during the pause are not lost (they are watch channels and
/// timers the worker re-checks).
async fn wait_after<W: Worker>(worker: &Mutex<W>, pause: Option<Duration>) -> Wake {
    if let Some(p) = pause {
        tokio::time::sleep(p).await;
    }
    worker.lock().await.wait().await
}

/// `min` doubled for each failure after the first, at most `max`.
fn pause_after(failures: u32, (min, max): (Duration, Duration)) -> Duration {
    min.saturating_mul(1u32 << failures.saturating_sub(1).min(16)).min(max)
}

/// What a unit's task ended with when it did not return: its panic message.
fn panic_message(e: JoinError) -> String {
    if !e.is_panic() {
        return format!("任务被取消：{e}");
    }
    let payload = e.into_panic();
    let text = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "（无消息）".into());
    format!("任务崩溃（panic）：{text}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pause_doubles_per_failure_up_to_the_maximum() {
        let b = (Duration::from_millis(500), Duration::from_secs(30));
        assert_eq!(pause_after(1, b), Duration::from_millis(500));
        assert_eq!(pause_after(2, b), Duration::from_secs(1));
        assert_eq!(pause_after(4, b), Duration::from_secs(4));
        assert_eq!(pause_after(40, b), Duration::from_secs(30));
    }
}
