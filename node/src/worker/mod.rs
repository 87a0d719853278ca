//! Background work of a node, in one shape: a [`Worker`] says what one unit
//! of its work is and what it waits for between units; the node's one
//! [`Runner`] runs every worker, reports each one's state (listed by
//! `extranet status`), retries a failing or panicking unit with a backoff,
//! and is awaited by shutdown before the store closes, so no background
//! unit ever writes to a closed store.
//!
//! The model is garage's `src/util/background/worker.rs`; unlike garage,
//! cancellation belongs to the runner alone: a worker's `wait` never sees the
//! shutdown, and a unit in progress is never cut off, only not followed by
//! another.

use std::future::Future;

use crate::error::Result;

mod board;
mod runner;
#[cfg(test)]
mod runner_tests;

pub use board::{Activity, Board, WorkerReport};
pub use runner::Runner;

/// What ended a worker's wait.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wake {
    /// Time for the next unit.
    Ready,
    /// What the worker waits on is gone (e.g. the store's watch closed):
    /// the worker has nothing more to do and ends.
    Closed,
}

/// One kind of background work of a node.
pub trait Worker: Send + 'static {
    /// A short, stable name (shown in `extranet status` and in logs).
    fn name(&self) -> &'static str;

    /// Does one unit of work. An `Err` (or a panic) is reported by the runner
    /// and the unit is retried at the next wake-up, no sooner than the
    /// runner's backoff.
    fn work(&mut self) -> impl Future<Output = Result<()>> + Send;

    /// Waits for the reason to run the next unit: a timer, a watch channel,
    /// a change in the store. The runner drops this future on shutdown, so
    /// it must be cancel-safe (as `select!` branches are).
    fn wait(&mut self) -> impl Future<Output = Wake> + Send;
}
