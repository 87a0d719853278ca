//! Tuning of the sync engine, with defaults fit for a county link.

use std::time::Duration;

/// How the engine paces, batches and heals its links. The defaults suit the
/// region's tree (81 children under one region, links that drop often);
/// change them per deployment, not per link.
#[derive(Clone, Debug)]
pub struct EngineConfig {
    /// Most events in one `Events` frame; bounds the size of one write and
    /// of one durability barrier at the receiver.
    pub batch_size: usize,
    /// Most events sent but not yet acknowledged on one link; flow control
    /// so a catch-up cannot flood a slow link or a busy parent.
    pub window: usize,
    /// How often each side sends a `Ping` (keep-alive and backlog report).
    pub heartbeat: Duration,
    /// A link on which nothing arrived for this long is dead; also bounds
    /// dialling and waiting for the child's `Hello`.
    pub dead_after: Duration,
    /// Shortest pause before redialling the parent.
    pub backoff_min: Duration,
    /// Longest pause before redialling the parent; a session that lived at
    /// least this long resets the backoff.
    pub backoff_max: Duration,
    /// Most catch-ups a parent serves at once, so a restart of the region
    /// does not face every child's backlog at the same time.
    pub max_concurrent_catchups: usize,
    /// Software version announced in `Hello`, for oversight.
    pub version: String,
    /// Seed of the redial jitter; `None` (production) draws from the OS.
    /// Simulations set it so a seed replays the same reconnects.
    pub jitter_seed: Option<u64>,
    /// Refuse writes (see [`crate::Engine::recovering`]) until the parent
    /// and every child known to the store have stated, in a `Hello`, how
    /// much of this node's own streams they hold. Set it when starting a
    /// node restored from a backup: without it writes are allowed at start
    /// and a restored node may issue a sequence number a peer already holds
    /// before the first `Hello` tells it so.
    pub confirm_own_streams: bool,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            batch_size: 256,
            window: 4096,
            heartbeat: Duration::from_secs(5),
            dead_after: Duration::from_secs(20),
            backoff_min: Duration::from_millis(200),
            backoff_max: Duration::from_secs(30),
            max_concurrent_catchups: 8,
            version: env!("CARGO_PKG_VERSION").to_string(),
            jitter_seed: None,
            confirm_own_streams: false,
        }
    }
}

impl EngineConfig {
    /// The configuration with every bound made usable (no zero batch,
    /// window or slot count, `backoff_max >= backoff_min`, a heartbeat
    /// shorter than the dead interval), so a typo cannot wedge a link.
    pub fn sanitized(mut self) -> Self {
        self.batch_size = self.batch_size.max(1);
        self.window = self.window.max(1);
        self.max_concurrent_catchups = self.max_concurrent_catchups.max(1);
        self.heartbeat = self.heartbeat.max(Duration::from_millis(1));
        if self.dead_after <= self.heartbeat {
            self.dead_after = self.heartbeat * 3;
        }
        self.backoff_min = self.backoff_min.max(Duration::from_millis(1));
        self.backoff_max = self.backoff_max.max(self.backoff_min);
        self
    }
}
