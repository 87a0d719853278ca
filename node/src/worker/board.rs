//! The runner's record of what each worker is doing, shared with the status
//! service so an operator sees a stuck or failing worker without reading
//! logs.

use std::sync::{Arc, Mutex};

/// What a worker is doing now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activity {
    /// Waiting for its next wake-up (or, after a failure, for the backoff).
    Idle,
    /// A unit is in progress.
    Working,
    /// Ended: the node is shutting down, or what it waited on is gone.
    Stopped,
}

/// One worker's state as the runner last recorded it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkerReport {
    /// The worker's name.
    pub name: &'static str,
    /// What it is doing.
    pub activity: Activity,
    /// Since when (Unix ms).
    pub since_ms: i64,
    /// When its current run of failed units began (Unix ms); `None` once a
    /// unit succeeds.
    pub failing_since_ms: Option<i64>,
    /// The last failed unit's error (or panic message), while failing.
    pub last_error: Option<String>,
    /// Failed units in a row.
    pub failures: u32,
    /// Units completed (successfully or not) since the node started.
    pub units: u64,
}

impl WorkerReport {
    /// The state's code on the wire: `working`, `failing` (waiting to retry
    /// a failed unit), `idle` or `stopped`.
    pub fn state_code(&self) -> &'static str {
        match self.activity {
            Activity::Working => "working",
            Activity::Stopped => "stopped",
            Activity::Idle if self.failing_since_ms.is_some() => "failing",
            Activity::Idle => "idle",
        }
    }
}

/// Every worker's report, in the order the workers were added; cheap to
/// clone (one shared list).
#[derive(Clone, Default)]
pub struct Board(Arc<Mutex<Vec<WorkerReport>>>);

/// A worker's place on the [`Board`].
#[derive(Clone)]
pub(super) struct Slot {
    board: Board,
    index: usize,
}

impl Board {
    /// Every worker's report now.
    pub fn list(&self) -> Vec<WorkerReport> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Adds an idle worker named `name`.
    pub(super) fn add(&self, name: &'static str) -> Slot {
        let mut all = self.0.lock().unwrap_or_else(|e| e.into_inner());
        all.push(WorkerReport {
            name,
            activity: Activity::Idle,
            since_ms: now_ms(),
            failing_since_ms: None,
            last_error: None,
            failures: 0,
            units: 0,
        });
        Slot { board: self.clone(), index: all.len() - 1 }
    }
}

impl Slot {
    fn update(&self, f: impl FnOnce(&mut WorkerReport)) {
        let mut all = self.board.0.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut all[self.index]);
    }

    /// Marks the worker as doing `activity` from now.
    pub(super) fn set(&self, activity: Activity) {
        self.update(|r| {
            r.activity = activity;
            r.since_ms = now_ms();
        });
    }

    /// Records the outcome of a unit (`Err`: its error) and marks the worker
    /// idle; returns how many units in a row have failed.
    pub(super) fn finished(&self, outcome: Result<(), String>) -> u32 {
        let mut failures = 0;
        self.update(|r| {
            let now = now_ms();
            r.units += 1;
            r.activity = Activity::Idle;
            r.since_ms = now;
            match outcome {
                Ok(()) => {
                    r.failures = 0;
                    r.failing_since_ms = None;
                    r.last_error = None;
                }
                Err(e) => {
                    r.failures += 1;
                    r.failing_since_ms.get_or_insert(now);
                    r.last_error = Some(e);
                }
            }
            failures = r.failures;
        });
        failures
    }
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
