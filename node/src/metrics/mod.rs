//! Prometheus metrics of one node, served on a separate local port
//! (`[metrics] listen`), apart from the mTLS gRPC port so a scraper needs
//! no federation certificate. Link state, backlogs and event counts are
//! read from the engine and the store at scrape time, so they are right
//! even for links that are down; RPC latencies are measured by a tower
//! layer on the gRPC server ([`RpcLatencyLayer`]); store flush latency is
//! the last group-commit flush ([`crate::store::Durability::last_flush`]).
//!
//! Built on `prometheus-client`, the Prometheus project's own Rust client:
//! text exposition format, no global registry, no unsafe.

mod http;
mod layer;

use std::sync::Arc;
use std::time::Duration;

use extranet_federation::{Engine, EventStore, PeerStatus};
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

pub use http::serve;
pub use layer::RpcLatencyLayer;

use crate::store::NodeStore;

type Labels = Vec<(&'static str, String)>;
type FloatGauge = Gauge<f64, std::sync::atomic::AtomicU64>;

fn latency_histogram() -> Histogram {
    // 0.5 ms … ~8 s
    Histogram::new(exponential_buckets(0.0005, 2.0, 15))
}

/// The metrics of one node.
pub struct Metrics {
    registry: Registry,
    link_connected: Family<Labels, Gauge>,
    backlog: Family<Labels, Gauge>,
    oldest_pending: Family<Labels, FloatGauge>,
    events: Family<Labels, Gauge>,
    flush_seconds: FloatGauge,
    store_state: Family<Labels, Gauge>,
    calendar_missing: Gauge,
    unapplied: Gauge,
    faults: FaultGauges,
    rpc_seconds: Family<Labels, Histogram, fn() -> Histogram>,
}

/// The fault figures an alerting system pages the duty officer on (Art.13).
#[derive(Default)]
struct FaultGauges {
    open: Family<Labels, Gauge>,
    warning: Gauge,
    breached: Gauge,
    next_deadline: FloatGauge,
}

impl FaultGauges {
    fn register(&self, registry: &mut Registry) {
        registry.register("faults_open", "Own fault tickets not yet closed, by class", self.open.clone());
        registry.register(
            "faults_warning",
            "Own open fault tickets whose response or repair clock is about to run out or has run out",
            self.warning.clone(),
        );
        registry.register(
            "faults_breached_this_year",
            "Breaches recorded on own fault tickets this year",
            self.breached.clone(),
        );
        registry.register(
            "fault_next_deadline_seconds",
            "Seconds to the nearest deadline of a running fault clock (negative: past it; 0: none)",
            self.next_deadline.clone(),
        );
    }

    fn set(&self, f: &extranet_proto::v1::FaultFigures, now_ms: i64) {
        for class in ["backbone", "urban", "remote-township"] {
            let n = f.open_by_class.get(class).copied().unwrap_or(0);
            self.open.get_or_create(&vec![("class", class.to_string())]).set(gauge(n));
        }
        self.warning.set(gauge(f.warning));
        self.breached.set(gauge(f.breached_this_year));
        let next = if f.next_deadline_ms == 0 { 0.0 } else { (f.next_deadline_ms - now_ms) as f64 / 1000.0 };
        self.next_deadline.set(next);
    }
}

impl Metrics {
    /// An empty set of metrics, registered.
    pub fn new() -> Arc<Self> {
        let mut registry = Registry::with_prefix("extranet");
        let link_connected = Family::<Labels, Gauge>::default();
        let backlog = Family::<Labels, Gauge>::default();
        let oldest_pending = Family::<Labels, FloatGauge>::default();
        let events = Family::<Labels, Gauge>::default();
        let flush_seconds = FloatGauge::default();
        let store_state = Family::<Labels, Gauge>::default();
        registry.register(
            "store_state",
            "1 for the store's current state (healthy, disk_full, restart_needed, failed, stalled), 0 for the others",
            store_state.clone(),
        );
        let (calendar_missing, unapplied) = (Gauge::default(), Gauge::default());
        let rpc_seconds = Family::new_with_constructor(latency_histogram as fn() -> Histogram);
        registry.register("link_connected", "1 if the sync link to the peer is open", link_connected.clone());
        registry.register(
            "backlog_events",
            "Events owed on a link (outbound: we owe; inbound: peer's report)",
            backlog.clone(),
        );
        registry.register(
            "backlog_oldest_age_seconds",
            "Age of the oldest event owed on a link",
            oldest_pending.clone(),
        );
        registry.register(
            "events_held",
            "Events held (origin own: written here; received: from peers)",
            events.clone(),
        );
        registry.register(
            "store_last_flush_seconds",
            "Duration of the last group-commit flush and fsync",
            flush_seconds.clone(),
        );
        registry.register(
            "calendar_next_year_missing",
            "1 if the calendar held lacks this year or, from 1 November, next year (deadlines then provisional)",
            calendar_missing.clone(),
        );
        registry.register(
            "events_unapplied",
            "Peer events stored but not applied (payload undecodable or out of range)",
            unapplied.clone(),
        );
        let faults = FaultGauges::default();
        faults.register(&mut registry);
        registry.register(
            "rpc_duration_seconds",
            "gRPC latency to the response headers, by method",
            rpc_seconds.clone(),
        );
        Arc::new(Metrics {
            registry,
            link_connected,
            backlog,
            oldest_pending,
            events,
            flush_seconds,
            store_state,
            calendar_missing,
            unapplied,
            faults,
            rpc_seconds,
        })
    }

    /// Records one RPC's latency.
    pub fn observe_rpc(&self, path: &str, took: Duration) {
        self.rpc_seconds.get_or_create(&vec![("method", path.to_string())]).observe(took.as_secs_f64());
    }

    /// Reads link, backlog, event and flush figures from `engine` and `store`.
    pub fn refresh(&self, engine: &Engine<NodeStore>, store: &NodeStore) {
        let now_ms = chrono::Utc::now().timestamp_millis();
        if let Ok(links) = engine.status() {
            let parent = links.parent.iter().map(|p| ("parent", p));
            for (role, p) in parent.chain(links.children.iter().map(|c| ("child", c))) {
                self.link(role, p, now_ms);
            }
        }
        if let Ok(cursors) = store.cursors() {
            let own: u64 = cursors.iter().filter(|(s, _)| &s.origin == store.me()).map(|(_, c)| c).sum();
            let all: u64 = cursors.iter().map(|(_, c)| c).sum();
            self.events.get_or_create(&vec![("origin", "own".into())]).set(gauge(own));
            self.events.get_or_create(&vec![("origin", "received".into())]).set(gauge(all - own));
        }
        self.flush_seconds.set(store.durability.last_flush().as_secs_f64());
        let now = store.health().get().code();
        for state in ["healthy", "disk_full", "restart_needed", "failed", "stalled"] {
            self.store_state.get_or_create(&vec![("state", state.to_string())]).set(i64::from(state == now));
        }
        self.refresh_records(store, crate::calendar::today());
    }

    /// The figures read from the store's records as of `today`: whether the
    /// calendar lacks a year, and the events stored but not applied.
    fn refresh_records(&self, store: &NodeStore, today: chrono::NaiveDate) {
        if let Ok(w) = store.calendar_warning(today) {
            self.calendar_missing.set(i64::from(w.is_some()));
        }
        if let Ok(u) = store.unapplied() {
            self.unapplied.set(gauge(u.len() as u64));
        }
        let now_ms = chrono::Utc::now().timestamp_millis();
        if let (Ok(figures), Ok(open)) = (store.figures(today), store.open_faults())
            && let Some(f) = crate::oversight::summary::fault_figures(&figures, &open, now_ms)
        {
            self.faults.set(&f, now_ms);
        }
    }

    fn link(&self, role: &'static str, p: &PeerStatus, now_ms: i64) {
        let peer = p.node.to_string();
        self.link_connected
            .get_or_create(&vec![("peer", peer.clone()), ("role", role.into())])
            .set(i64::from(p.connected));
        for (dir, b) in [("outbound", &p.outbound), ("inbound", &p.inbound)] {
            let labels = vec![("peer", peer.clone()), ("direction", dir.to_string())];
            self.backlog.get_or_create(&labels).set(gauge(b.count));
            let age =
                if b.count > 0 { now_ms.saturating_sub(b.oldest_created_at_ms).max(0) as f64 / 1000.0 } else { 0.0 };
            self.oldest_pending.get_or_create(&labels).set(age);
        }
    }

    /// The metrics in the Prometheus text format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}

fn gauge(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replicate::DomainApplier;

    #[tokio::test]
    async fn the_missing_calendar_gauge_follows_the_injected_date() {
        let dir = tempfile::tempdir().unwrap();
        let me = extranet_certs::NodeId::parse("540000/540100").unwrap();
        let store = NodeStore::open(dir.path(), me, Arc::new(DomainApplier::without_pki())).unwrap();
        let m = Metrics::new();
        m.refresh_records(&store, "2026-10-31".parse().unwrap());
        assert!(m.render().contains("extranet_calendar_next_year_missing 0"), "{}", m.render());
        m.refresh_records(&store, "2026-11-01".parse().unwrap());
        assert!(m.render().contains("extranet_calendar_next_year_missing 1"), "{}", m.render());
        assert!(m.render().contains("extranet_events_unapplied 0"), "{}", m.render());
        store.close();
    }
}
