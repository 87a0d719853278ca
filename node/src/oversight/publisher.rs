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
        // it reads the store: never on a runtime worker thread
        let summary = crate::store::blocking(|| build_summary(self.ipam.store(), &self.engine, &self.tls, now))?;
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

/// Whether two summaries say the same, apart from what changes by itself:
/// the time it was made, the last contact with the parent and the backlogs
/// either way (every write and every acknowledgement move them; they ride
/// the periodic summary). Any other change — a figure of the records
/// (filings, applications, units, addresses), the calendar warning, a link
/// up or down, a new certificate — publishes at once.
fn same_figures(a: &pb::NodeSummary, b: &pb::NodeSummary) -> bool {
    let steady = |s: &pb::NodeSummary| pb::NodeSummary {
        generated_at_ms: 0,
        parent_last_contact_ms: 0,
        owed_to_parent: None,
        owed_by_parent: None,
        ..s.clone()
    };
    steady(a) == steady(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Any figure publishes at once (a unit, an application, an address
    /// figure — not only filings); the clock and backlogs wait.
    #[test]
    fn any_figure_but_not_the_clock_or_backlogs_makes_a_summary_new() {
        let base = pb::NodeSummary { generated_at_ms: 1, ..Default::default() };
        let mut later = base.clone();
        later.generated_at_ms = 2;
        later.parent_last_contact_ms = 7;
        later.owed_to_parent = Some(pb::Backlog { count: 3, oldest_created_at_ms: 1 });
        assert!(same_figures(&base, &later), "time and backlogs alone wait for the interval");
        let mut units = base.clone();
        units.units = Some(pb::UnitFigures { by_status: [("已接入".to_string(), 1)].into_iter().collect() });
        let mut apps = base.clone();
        apps.applications = Some(pb::ApplicationFigures { overdue_reviews: 1, ..Default::default() });
        let mut addresses = base.clone();
        addresses.addresses = Some(pb::AddressFigures { pool_utilisation: 0.5, ipv6_share: 1.0 });
        let mut link = base.clone();
        link.parent_connected = true;
        for changed in [units, apps, addresses, link] {
            assert!(!same_figures(&base, &changed), "{changed:?} publishes at once");
        }
    }
}
