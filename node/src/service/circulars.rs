//! The `Circulars` service (Art.28, Art.29): the operator issues a circular
//! to this node's subtree; every node of it lists the circulars it holds
//! (its own and its ancestors'). A unit sees only those naming it, which
//! is its history of circulars.

use std::sync::Arc;

use extranet_certs::NodeId;
use extranet_proto::v1 as pb;
use extranet_proto::v1::circulars_server::Circulars;
use tonic::{Request, Response, Status};

use super::auth::{Caller, Gate};
use super::idempotent::Once;
use super::paging;
use crate::codec;
use crate::domain::{Circular, CircularId};
use crate::error::{NodeError, Result};
use crate::ops::circular;
use crate::store::NodeStore;
use crate::topology::Topology;

/// Serves `extranet.v1.Circulars` for one node.
pub struct CircularsService {
    store: NodeStore,
    gate: Gate,
    topology: Arc<Topology>,
}

impl CircularsService {
    /// A circular held here that `caller` may see.
    fn visible(&self, caller: &Caller, id: &str) -> Result<Circular> {
        let id = id.trim();
        CircularId::check_key(id)?;
        let c = self.store.circular(id)?.ok_or_else(|| NodeError::NotFound(format!("本节点没有编号为 {id} 的通报")))?;
        if !may_see(caller, &c, self.store.me()) {
            return Err(NodeError::PermissionDenied("接入单位只能查看点名本单位的通报".into()));
        }
        Ok(c)
    }

    /// The service over `store`, authorising through `gate`; the document
    /// names this node's division from `topology`.
    pub fn new(store: NodeStore, gate: Gate, topology: Arc<Topology>) -> Self {
        CircularsService { store, gate, topology }
    }
}

/// An operator sees every circular held here; a unit, those naming it at this node.
fn may_see(caller: &Caller, c: &Circular, me: &NodeId) -> bool {
    match caller {
        Caller::Operator(_) => true,
        Caller::Unit(u) => c.names(me, u),
    }
}

fn optional_node(field: &'static str, v: &str) -> Result<Option<NodeId>> {
    match v.trim() {
        "" => Ok(None),
        s => Ok(Some(NodeId::parse(s).map_err(|e| NodeError::invalid(field, e.to_string()))?)),
    }
}

#[tonic::async_trait]
impl Circulars for CircularsService {
    async fn issue(&self, req: Request<pb::IssueCircularRequest>) -> Result<Response<pb::Circular>, Status> {
        let (by, r) = self.gate.operator_request(req)?;
        Once::new(&by, "IssueCircular", &r.request_id)?
            .answer(&self.store, async {
                let content = codec::circular_content_from_pb(r.content.as_ref())?;
                let division = self.topology.get(self.store.me()).map(|d| d.name_zh.as_str());
                Ok(codec::circular_to_pb(&circular::issue(&self.store, content, &by, division).await?))
            })
            .await
    }

    async fn list(
        &self,
        req: Request<pb::ListCircularsRequest>,
    ) -> Result<Response<pb::ListCircularsResponse>, Status> {
        let caller = self.gate.member(&req)?;
        let r = req.into_inner();
        let page = paging::spec(&r.page_token, r.page_size, 0)?;
        let unit = codec::optional_unit("unit_id", &r.unit_id)?;
        let unit_node = optional_node("unit_node", &r.unit_node)?;
        let issuer = optional_node("issuer", &r.issuer)?;
        let me = self.store.me().clone();
        let names = |c: &Circular| {
            unit.as_ref().is_none_or(|u| {
                c.content.units.iter().any(|n| &n.unit == u && unit_node.as_ref().is_none_or(|at| &n.node == at))
            })
        };
        let rows: Vec<(String, Circular)> = self
            .store
            .circulars()?
            .into_iter()
            .filter(|c| may_see(&caller, c, &me))
            .filter(names)
            .filter(|c| issuer.as_ref().is_none_or(|i| &c.id.origin == i))
            // the latest first
            .map(|c| (format!("{:020}|{}", i64::MAX - c.issued_at_ms, c.id.key()), c))
            .collect();
        let (circulars, next_page_token) =
            paging::fill(paging::after_key(rows, &page), &page, |c: &Circular| codec::circular_to_pb(c))?;
        Ok(Response::new(pb::ListCircularsResponse { circulars, next_page_token }))
    }

    async fn get(&self, req: Request<pb::GetCircularRequest>) -> Result<Response<pb::Circular>, Status> {
        let caller = self.gate.member(&req)?;
        Ok(Response::new(codec::circular_to_pb(&self.visible(&caller, &req.get_ref().id)?)))
    }
}
