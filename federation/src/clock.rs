//! The engine's clock for dating the summaries it hears.
//!
//! A summary is ordered and aged by when its holder heard it, never by the
//! origin's clock ([`crate::Summary`]). That instant is read here: the wall
//! clock once per process, then advanced by the runtime's monotonic clock.
//! So an NTP step on this machine cannot reorder what it heard, and inside a
//! deterministic simulation (a paused runtime clock), where nodes restart
//! without the wall clock moving, every node reads one consistent clock and
//! the same seed dates every summary the same way relative to the others.

use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use tokio::time::Instant;

/// Wall-clock Unix ms and the monotonic instant it was read at.
static ANCHOR: OnceLock<(i64, Instant)> = OnceLock::new();

/// Now, Unix ms: the wall clock at the first call, advanced monotonically.
pub(crate) fn now_ms() -> i64 {
    let (anchor_ms, at) = *ANCHOR.get_or_init(|| (wall_ms(), Instant::now()));
    let elapsed = i64::try_from(Instant::now().saturating_duration_since(at).as_millis()).unwrap_or(i64::MAX);
    anchor_ms.saturating_add(elapsed)
}

/// Wall-clock now, Unix milliseconds, as it is (status is read by people).
pub(crate) fn wall_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX)).unwrap_or(0)
}
