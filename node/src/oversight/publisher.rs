//! Publishes this node's summary every `summary_interval` and promptly when
//! its figures change (a write made durable), so the parent hears of a
//! change within a moment and of a silent node within the interval.

use std::time::Duration;

use extranet_certs::TlsMaterial;
use extranet_federation::{Engine, EventStore};
use extranet_proto::v1 as pb;
use prost::Message;
use tokio::time::MissedTickBehavior;

use super::build_summary;
use crate::config::OversightConfig;
use crate::error::Result;
use crate::ops::ipam::Ipam;
use crate::store::NodeStore;
use crate::worker::{Wake, Worker};

/// Pause after a durable write before summarising, so a burst of writes
/// makes one summary.
const SETTLE: Duration = Duration::from_millis(100);

/// The summary publisher: a worker of the node's runner. Its first unit
/// publishes at once; then one every interval, and one after each durable
/// write (settled) that changed the figures.
pub struct Publisher {
    ipam: Ipam,
    engine: Engine<NodeStore>,
    tls: TlsMaterial,
    tick: tokio::time::Interval,
    durable: tokio::sync::watch::Receiver<u64>,
    /// Whether the coming unit publishes even if the figures did not change
    /// (the periodic one does).
    forced: bool,
    last: Option<pb::NodeSummary>,
}

impl Publisher {
    /// The publisher of `ipam`'s node's summary, every `cfg.interval()`.
    pub fn new(ipam: Ipam, engine: Engine<NodeStore>, tls: TlsMaterial, cfg: &OversightConfig) -> Self {
        let interval = cfg.interval();
        // the first unit is the first periodic one; the next tick is due one interval later
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
        tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let durable = ipam.store().durable_watch();
        Publisher { ipam, engine, tls, tick, durable, forced: true, last: None }
    }
}

impl Worker for Publisher {
    fn name(&self) -> &'static str {
        "summary-publisher"
    }

    async fn work(&mut self) -> Result<()> {
        self.durable.borrow_and_update();
        let prev_at = self.last.as_ref().map_or(0, |s| s.generated_at_ms);
        let now = chrono::Utc::now().timestamp_millis().max(prev_at + 1);
        let summary = build_summary(&self.ipam, &self.engine, &self.tls, now)?;
        if !self.forced && self.last.as_ref().is_some_and(|l| same_figures(l, &summary)) {
            return Ok(());
        }
        let published = self.engine.publish_summary(now, summary.encode_to_vec());
        self.last = Some(summary);
        Ok(published?)
    }

    async fn wait(&mut self) -> Wake {
        self.forced = tokio::select! {
            _ = self.tick.tick() => true,
            r = self.durable.changed() => {
                if r.is_err() {
                    return Wake::Closed;
                }
                tokio::time::sleep(SETTLE).await;
                false
            }
        };
        Wake::Ready
    }
}

/// Whether two summaries show the same figures of the node's records
/// (filings, applications, units, addresses, calendar warning): a durable
/// write that changed any of them publishes at once. Link health and ages
/// change by themselves and wait for the periodic summary.
fn same_figures(a: &pb::NodeSummary, b: &pb::NodeSummary) -> bool {
    a.filings == b.filings
        && a.applications == b.applications
        && a.units == b.units
        && a.addresses == b.addresses
        && a.calendar_warning == b.calendar_warning
}
