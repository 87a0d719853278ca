//! The store's health: whether it may still take writes and acknowledge them.
//!
//! A store is healthy until the disk lets it down. Three things can happen,
//! and each needs a different answer:
//!
//! - **The data disk is full** (`ENOSPC`, `EDQUOT`). Nothing is lost, but no
//!   write can be made durable. Writes are answered `RESOURCE_EXHAUSTED`;
//!   the flusher probes for free space and, once there is some, the node
//!   restarts itself ([`super::watchdog::SelfRestart`]): sled keeps an I/O
//!   error for good once it has seen one, and only reopening clears it.
//! - **A flush or fsync failed otherwise** (`EIO` and friends). After a failed
//!   fsync Linux may report a later one as successful although the data never
//!   reached the disk (PostgreSQL's "fsyncgate"), so a retry cannot be
//!   believed. Every waiter fails, nothing more is acknowledged, and the node
//!   stays unhealthy until it is restarted (which re-opens and re-reads the
//!   store from disk).
//! - **A storage call hangs** (sled #1412). The watchdog marks the store
//!   stalled; by default the process then exits so its supervisor restarts it.
//!
//! The state is a watch so the status service, the health service, metrics
//! and every waiting `sync()` learn of a change at once.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::watch;

use crate::error::NodeError;

/// What the store can do right now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreState {
    /// Writes are taken and acknowledged once durable.
    Healthy,
    /// The data disk is full: writes are refused until space returns.
    DiskFull {
        /// When it was first seen, Unix ms.
        since_ms: i64,
        /// The operating system's words.
        detail: String,
    },
    /// A flush or fsync failed: nothing more is acknowledged until a restart.
    Failed {
        /// When it failed, Unix ms.
        since_ms: i64,
        /// The operating system's words.
        detail: String,
    },
    /// The disk has space again after being full, but sled keeps the error
    /// it saw: the store must be reopened, which means restarting the node.
    RestartNeeded {
        /// When space was found again, Unix ms.
        since_ms: i64,
    },
    /// A storage call has not finished within the watchdog's bound.
    Stalled {
        /// When the watchdog noticed, Unix ms.
        since_ms: i64,
        /// Which call, and for how long.
        detail: String,
    },
}

impl StoreState {
    /// Whether writes may be taken and acknowledged.
    pub fn is_healthy(&self) -> bool {
        matches!(self, StoreState::Healthy)
    }

    /// A short machine name: `healthy`, `disk_full`, `failed`, `stalled`.
    pub fn code(&self) -> &'static str {
        match self {
            StoreState::Healthy => "healthy",
            StoreState::DiskFull { .. } => "disk_full",
            StoreState::Failed { .. } => "failed",
            StoreState::RestartNeeded { .. } => "restart_needed",
            StoreState::Stalled { .. } => "stalled",
        }
    }

    /// Since when the store has been in this state (0 when healthy).
    pub fn since_ms(&self) -> i64 {
        match self {
            StoreState::Healthy => 0,
            StoreState::DiskFull { since_ms, .. }
            | StoreState::RestartNeeded { since_ms }
            | StoreState::Failed { since_ms, .. }
            | StoreState::Stalled { since_ms, .. } => *since_ms,
        }
    }

    /// What an operator reads: Chinese, with what to do.
    pub fn describe(&self) -> String {
        match self {
            StoreState::Healthy => "存储正常".into(),
            StoreState::DiskFull { detail, .. } => {
                format!("节点数据盘已满，写入暂停（{detail}）；腾出空间后节点自动重启并恢复")
            }
            StoreState::RestartNeeded { .. } => {
                "数据盘已有空间，节点正在重启以重新打开存储（未自动重启时请手动重启节点）".into()
            }
            StoreState::Failed { detail, .. } => {
                format!("数据写入磁盘失败（{detail}）；节点不再确认任何写入，请检查磁盘后重启节点")
            }
            StoreState::Stalled { detail, .. } => format!("存储操作卡住（{detail}）；节点需要重启"),
        }
    }

    /// The error a write or a waiting acknowledgement gets in this state.
    pub fn refusal(&self) -> Option<NodeError> {
        match self {
            StoreState::Healthy => None,
            StoreState::DiskFull { .. } => Some(NodeError::DiskFull(self.describe())),
            StoreState::RestartNeeded { .. } | StoreState::Failed { .. } | StoreState::Stalled { .. } => {
                Some(NodeError::Unavailable(self.describe()))
            }
        }
    }
}

/// Whether an I/O error means the disk (or the quota) is full.
pub fn is_disk_full(e: &std::io::Error) -> bool {
    // ENOSPC = 28, EDQUOT = 122 on Linux.
    e.kind() == std::io::ErrorKind::StorageFull || matches!(e.raw_os_error(), Some(28) | Some(122))
}

/// The shared health of one store. Cheap to clone.
#[derive(Clone)]
pub struct Health {
    state: Arc<watch::Sender<StoreState>>,
    log: Arc<std::sync::Mutex<Option<Instant>>>,
}

/// How often a continuing problem is logged again (not once per attempt).
const LOG_EVERY: Duration = Duration::from_secs(60);

impl Default for Health {
    fn default() -> Self {
        Health { state: Arc::new(watch::Sender::new(StoreState::Healthy)), log: Default::default() }
    }
}

impl Health {
    /// The state now.
    pub fn get(&self) -> StoreState {
        self.state.borrow().clone()
    }

    /// A watch of the state.
    pub fn watch(&self) -> watch::Receiver<StoreState> {
        self.state.subscribe()
    }

    /// Refuses a write unless the store is healthy.
    pub fn check_writable(&self) -> Result<(), NodeError> {
        match self.state.borrow().refusal() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Moves to `next` unless the store is already in a worse state (a failed
    /// or stalled store is not made healthy or merely full by a later event).
    pub fn set(&self, next: StoreState) {
        let changed = self.state.send_if_modified(|s| {
            let keep = matches!(s, StoreState::Failed { .. } | StoreState::Stalled { .. })
                || (matches!(s, StoreState::DiskFull { .. } | StoreState::RestartNeeded { .. })
                    && matches!(next, StoreState::DiskFull { .. }));
            if keep || *s == next {
                return false;
            }
            *s = next.clone();
            true
        });
        if changed {
            self.log_now(&next);
        } else {
            self.log_throttled();
        }
    }

    fn log_now(&self, s: &StoreState) {
        *self.log.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
        match s {
            StoreState::Healthy => tracing::info!("store healthy"),
            other => tracing::error!(state = other.code(), "{}", other.describe()),
        }
    }

    /// Logs the continuing state at most once per [`LOG_EVERY`].
    fn log_throttled(&self) {
        let s = self.get();
        if s.is_healthy() {
            return;
        }
        let mut last = self.log.lock().unwrap_or_else(|e| e.into_inner());
        if last.is_none_or(|t| t.elapsed() >= LOG_EVERY) {
            *last = Some(Instant::now());
            drop(last);
            tracing::error!(state = s.code(), "{}（持续中）", s.describe());
        }
    }
}

/// Now, Unix ms.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_store_is_not_made_healthy_or_full_by_later_events() {
        let h = Health::default();
        h.set(StoreState::Failed { since_ms: 1, detail: "EIO".into() });
        h.set(StoreState::DiskFull { since_ms: 2, detail: "ENOSPC".into() });
        assert_eq!(h.get().code(), "failed");
        assert!(matches!(h.check_writable(), Err(NodeError::Unavailable(_))));
    }

    #[test]
    fn a_full_disk_refuses_writes_as_resource_exhausted_then_unavailable_until_restarted() {
        let h = Health::default();
        h.set(StoreState::DiskFull { since_ms: 1, detail: "No space left on device".into() });
        let e = h.check_writable().unwrap_err();
        assert_eq!(tonic::Status::from(e).code(), tonic::Code::ResourceExhausted);
        h.set(StoreState::RestartNeeded { since_ms: 2 });
        h.set(StoreState::DiskFull { since_ms: 3, detail: "again".into() });
        let e = h.check_writable().unwrap_err();
        assert_eq!(tonic::Status::from(e).code(), tonic::Code::Unavailable);
    }

    #[test]
    fn enospc_and_edquot_are_a_full_disk_and_eio_is_not() {
        assert!(is_disk_full(&std::io::Error::from_raw_os_error(28)));
        assert!(is_disk_full(&std::io::Error::from_raw_os_error(122)));
        assert!(!is_disk_full(&std::io::Error::from_raw_os_error(5)));
    }
}
