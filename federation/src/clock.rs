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

use tokio::time::Instant;

/// Wall-clock Unix ms and the monotonic instant it was read at.
static ANCHOR: OnceLock<(i64, Instant)> = OnceLock::new();

/// Now, Unix ms: the wall clock at the first call, advanced monotonically.
pub(crate) fn now_ms() -> i64 {
    let (wall_ms, at) = *ANCHOR.get_or_init(|| (crate::registry::now_ms(), Instant::now()));
    let elapsed = i64::try_from(Instant::now().saturating_duration_since(at).as_millis()).unwrap_or(i64::MAX);
    wall_ms.saturating_add(elapsed)
}
