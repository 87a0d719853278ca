//! The `Oversight` service: the view of this node's subtree, built from the
//! latest summaries it holds (its own and those its children relayed).

use std::collections::BTreeMap;
use std::sync::Arc;

use extranet_certs::NodeId;
use extranet_federation::Engine;
use extranet_proto::v1 as pb;
use extranet_proto::v1::oversight_server::Oversight;
use prost::Message;
use tonic::{Request, Response, Status};

use super::auth::Gate;
use crate::config::OversightConfig;
use crate::error::NodeError;
use crate::oversight::{Bounds, Held, build_view};
use crate::store::NodeStore;
use crate::topology::Topology;

/// Serves `extranet.v1.Oversight` for one node.
pub struct OversightService {
    engine: Engine<NodeStore>,
    gate: Gate,
    topology: Arc<Topology>,
    bounds: Bounds,
}

impl OversightService {
    /// The service over `engine`'s held summaries, listing `topology`'s
    /// divisions, with `cfg`'s staleness interval.
    pub fn new(engine: Engine<NodeStore>, gate: Gate, topology: Arc<Topology>, cfg: &OversightConfig) -> Self {
        OversightService { engine, gate, topology, bounds: Bounds::of(cfg) }
    }
}

/// The oversight view of `engine`'s node now (also used by the demo and tests).
pub fn view(engine: &Engine<NodeStore>, topology: &Topology, bounds: Bounds) -> Result<pb::OversightView, NodeError> {
    let mut held = BTreeMap::<NodeId, Held>::new();
    for s in engine.summaries()? {
        match pb::NodeSummary::decode(s.payload.as_slice()) {
            Ok(summary) => {
                held.insert(s.origin, Held { summary, heard_at_ms: s.heard_at_ms });
            }
            Err(e) => tracing::warn!(origin = %s.origin, error = %e, "无法解析状态摘要，视为未上报"),
        }
    }
    let now = chrono::Utc::now().timestamp_millis();
    Ok(build_view(engine.me(), topology, held, now, bounds))
}

#[tonic::async_trait]
impl Oversight for OversightService {
    async fn get_oversight(
        &self,
        req: Request<pb::GetOversightRequest>,
    ) -> Result<Response<pb::OversightView>, Status> {
        self.gate.operator(&req)?;
        Ok(Response::new(view(&self.engine, &self.topology, self.bounds)?))
    }
}
