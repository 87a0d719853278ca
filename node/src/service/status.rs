//! The `NodeStatus` service: identity, links, backlogs and certificate expiry.

use extranet_certs::TlsMaterial;
use extranet_certs::inspect::expiry_warnings;
use extranet_federation::{Backlog, Engine, PeerStatus};
use extranet_proto::v1 as pb;
use extranet_proto::v1::node_status_server::NodeStatus;
use tonic::{Request, Response, Status};

use super::auth::Gate;
use crate::error::NodeError;
use crate::store::NodeStore;
use crate::worker::{Board, WorkerReport};

/// Serves `extranet.v1.NodeStatus` for one node.
pub struct StatusService {
    engine: Engine<NodeStore>,
    gate: Gate,
    tls: TlsMaterial,
    skew_warn_ms: i64,
    workers: Board,
}

impl StatusService {
    /// The service reporting on `engine`'s links and `tls`'s certificates,
    /// warning when the parent's clock is off ours by more than `skew_warn_ms`.
    pub fn new(engine: Engine<NodeStore>, gate: Gate, tls: TlsMaterial, skew_warn_ms: i64) -> Self {
        StatusService { engine, gate, tls, skew_warn_ms, workers: Board::default() }
    }

    /// The same service also listing the workers recorded on `workers`.
    pub fn with_workers(mut self, workers: Board) -> Self {
        self.workers = workers;
        self
    }
}

/// A worker's report on the wire.
pub fn worker(r: &WorkerReport) -> pb::WorkerStatus {
    pb::WorkerStatus {
        name: r.name.to_string(),
        state: r.state_code().to_string(),
        since_ms: r.since_ms,
        failing_since_ms: r.failing_since_ms.unwrap_or(0),
        last_error: r.last_error.clone().unwrap_or_default(),
        failures: r.failures,
        units: r.units,
    }
}

fn backlog(b: &Backlog) -> pb::Backlog {
    pb::Backlog { count: b.count, oldest_created_at_ms: b.oldest_created_at_ms }
}

fn peer(p: &PeerStatus) -> pb::PeerLink {
    pb::PeerLink {
        node: p.node.to_string(),
        connected: p.connected,
        since_ms: p.since_ms,
        last_contact_ms: p.last_contact_ms,
        outbound: Some(backlog(&p.outbound)),
        inbound: Some(backlog(&p.inbound)),
        clock_offset_ms: p.clock_offset_ms,
    }
}

/// The warning for a parent whose clock is further off ours than `bound_ms`:
/// this node's filing times and deadline starts follow its own clock.
pub fn clock_warning(parent: Option<&PeerStatus>, bound_ms: i64) -> Option<String> {
    let p = parent?;
    let offset = p.clock_offset_ms?;
    if offset.saturating_abs() <= bound_ms {
        return None;
    }
    let (dir, secs) = if offset > 0 { ("慢", offset / 1000) } else { ("快", offset.saturating_abs() / 1000) };
    Some(format!(
        "本节点时钟比上级 {} {dir} {secs} 秒（超过 {} 秒）：备案时间与期限起算依本节点时钟，请校准 NTP",
        p.node,
        bound_ms / 1000
    ))
}

/// Builds the report (also used by the oversight and the demo).
pub fn report(engine: &Engine<NodeStore>, tls: &TlsMaterial, skew_warn_ms: i64) -> Result<pb::StatusReport, NodeError> {
    let links = engine.status()?;
    let chain = tls.chain_info();
    let now = chrono::Utc::now();
    let certificates = chain
        .iter()
        .map(|c| pb::CertificateExpiry {
            subject: c.identity.as_ref().map(|i| i.to_string()).unwrap_or_else(|| c.subject.clone()),
            kind: if !c.is_ca {
                "node"
            } else if c.subject == c.issuer {
                "root"
            } else {
                "ca"
            }
            .to_string(),
            not_after_ms: c.not_after.timestamp_millis(),
        })
        .collect();
    let state = engine.store().health().get();
    let mut warnings = expiry_warnings(&chain, now);
    if !state.is_healthy() {
        warnings.insert(0, state.describe());
    }
    if let Some(r) = engine.recovering() {
        warnings.insert(0, format!("本节点正在恢复，暂不受理写入：{}", r.message()));
    }
    warnings.extend(clock_warning(links.parent.as_ref(), skew_warn_ms));
    warnings.extend(engine.store().calendar_warning(crate::calendar::today())?);
    warnings.extend(crate::ops::fault::warnings(engine.store(), now.timestamp_millis())?);
    warnings.extend(crate::ops::interruption::warnings(engine.store(), now.timestamp_millis())?);
    let unapplied = engine.store().unapplied()?;
    if let Some(last) = unapplied.last() {
        warnings.push(format!(
            "收到 {} 个无法应用的事件（已保存、未应用），最近一个：{} 第 {} 号 {}：{}",
            unapplied.len(),
            last.origin,
            last.seq,
            last.kind,
            last.error
        ));
    }
    Ok(pb::StatusReport {
        node: links.me.to_string(),
        software_version: crate::VERSION.to_string(),
        parent: links.parent.as_ref().map(peer),
        children: links.children.iter().map(peer).collect(),
        certificates,
        warnings,
        now_ms: now.timestamp_millis(),
        storage: Some(pb::StorageHealth {
            state: state.code().to_string(),
            since_ms: state.since_ms(),
            message: state.describe(),
        }),
        workers: Vec::new(),
    })
}

#[tonic::async_trait]
impl NodeStatus for StatusService {
    async fn get_status(&self, req: Request<pb::GetStatusRequest>) -> Result<Response<pb::StatusReport>, Status> {
        self.gate.operator(&req)?;
        let mut r = report(&self.engine, &self.tls, self.skew_warn_ms)?;
        r.workers = self.workers.list().iter().map(worker).collect();
        Ok(Response::new(r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parent(offset: Option<i64>) -> PeerStatus {
        PeerStatus {
            node: "540000/540100".parse().unwrap(),
            connected: true,
            since_ms: 0,
            last_contact_ms: 0,
            outbound: Backlog::default(),
            inbound: Backlog::default(),
            clock_offset_ms: offset,
        }
    }

    #[test]
    fn a_clock_off_the_parents_by_more_than_the_bound_is_warned_about() {
        assert_eq!(clock_warning(Some(&parent(Some(60_000))), 120_000), None);
        assert_eq!(clock_warning(Some(&parent(None)), 120_000), None, "no keep-alive yet: nothing known");
        let behind = clock_warning(Some(&parent(Some(600_000))), 120_000).unwrap();
        assert!(behind.contains("慢 600 秒"), "{behind}");
        let ahead = clock_warning(Some(&parent(Some(-86_400_000))), 120_000).unwrap();
        assert!(ahead.contains("快 86400 秒"), "{ahead}");
    }
}
