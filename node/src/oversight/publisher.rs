//! Publishes this node's summary every `summary_interval` and promptly when
//! its figures change (a write made durable), so the parent hears of a
//! change within a moment and of a silent node within the interval.

use std::time::Duration;

use extranet_certs::TlsMaterial;
use extranet_federation::{Engine, EventStore};
use extranet_proto::v1 as pb;
use prost::Message;
use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;
use tokio_util::sync::CancellationToken;

use super::build_summary;
use crate::config::OversightConfig;
use crate::service::ipam::Ipam;
use crate::store::NodeStore;

/// Pause after a durable write before summarising, so a burst of writes
/// makes one summary.
const SETTLE: Duration = Duration::from_millis(100);

/// Starts the publisher; it stops when `cancel` is cancelled.
pub fn spawn(
    ipam: Ipam,
    engine: Engine<NodeStore>,
    tls: TlsMaterial,
    cfg: &OversightConfig,
    cancel: CancellationToken,
) -> JoinHandle<()> {
    let interval = cfg.interval();
    let store = ipam.store().clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(interval);
        tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut durable = store.durable_watch();
        let mut last: Option<pb::NodeSummary> = None;
        loop {
            let forced = tokio::select! {
                _ = tick.tick() => true,
                r = durable.changed() => { if r.is_err() { return } tokio::time::sleep(SETTLE).await; false }
                _ = cancel.cancelled() => return,
            };
            durable.borrow_and_update();
            let prev_at = last.as_ref().map_or(0, |s| s.generated_at_ms);
            let now = chrono::Utc::now().timestamp_millis().max(prev_at + 1);
            let summary = match build_summary(&ipam, &engine, &tls, now) {
                Ok(s) => s,
                Err(e) => {
                    tracing::warn!(error = %e, "无法生成状态摘要");
                    continue;
                }
            };
            if !forced && last.as_ref().is_some_and(|l| same_figures(l, &summary)) {
                continue;
            }
            if let Err(e) = engine.publish_summary(now, summary.encode_to_vec()) {
                tracing::warn!(error = %e, "无法保存状态摘要");
            }
            last = Some(summary);
        }
    })
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
