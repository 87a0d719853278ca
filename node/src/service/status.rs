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

/// Serves `extranet.v1.NodeStatus` for one node.
pub struct StatusService {
    engine: Engine<NodeStore>,
    gate: Gate,
    tls: TlsMaterial,
}

impl StatusService {
    /// The service reporting on `engine`'s links and `tls`'s certificates.
    pub fn new(engine: Engine<NodeStore>, gate: Gate, tls: TlsMaterial) -> Self {
        StatusService { engine, gate, tls }
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
    }
}

/// Builds the report (also used by the oversight and the demo).
pub fn report(engine: &Engine<NodeStore>, tls: &TlsMaterial) -> Result<pb::StatusReport, NodeError> {
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
    warnings.extend(engine.store().calendar_warning(crate::calendar::today())?);
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
    })
}

#[tonic::async_trait]
impl NodeStatus for StatusService {
    async fn get_status(&self, req: Request<pb::GetStatusRequest>) -> Result<Response<pb::StatusReport>, Status> {
        self.gate.operator(&req)?;
        Ok(Response::new(report(&self.engine, &self.tls)?))
    }
}
