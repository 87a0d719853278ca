//! The `Inspections` service (Art.28): the operator records an inspection
//! of a unit of this node or of a lower node, and accepts or returns the
//! answers; the inspected party answers — a unit with its certificate at
//! the authority's node, a lower node's operator at its own node. A unit
//! sees only the inspections of itself.

use std::sync::Arc;

use extranet_proto::v1 as pb;
use extranet_proto::v1::inspections_server::Inspections;
use tonic::{Request, Response, Status};

use super::auth::{Caller, Gate};
use super::idempotent::Once;
use super::paging;
use crate::calendar;
use crate::codec;
use crate::domain::inspection::{Inspected, Inspection, InspectionId, InspectionRequest, RectificationState, Review};
use crate::error::{NodeError, Result};
use crate::ops::inspection::{self as ops, Respondent};
use crate::store::NodeStore;
use crate::topology::Topology;

/// Serves `extranet.v1.Inspections` for one node.
pub struct InspectionsService {
    store: NodeStore,
    gate: Gate,
    topology: Arc<Topology>,
}

impl InspectionsService {
    /// The service over `store`, authorising through `gate`; names of
    /// divisions (this node's on the written order, an inspected node's)
    /// come from `topology`.
    pub fn new(store: NodeStore, gate: Gate, topology: Arc<Topology>) -> Self {
        InspectionsService { store, gate, topology }
    }

    fn name_of(&self, n: &extranet_certs::NodeId) -> Option<&str> {
        self.topology.get(n).map(|d| d.name_zh.as_str())
    }

    fn visible(&self, caller: &Caller, id: &str) -> Result<Inspection> {
        let id = id.trim();
        InspectionId::check_key(id)?;
        let i = self
            .store
            .inspection(id)?
            .ok_or_else(|| NodeError::NotFound(format!("本节点没有编号为 {id} 的监督检查")))?;
        if !may_see(caller, &i) {
            return Err(NodeError::PermissionDenied("接入单位只能查看对本单位的监督检查".into()));
        }
        Ok(i)
    }
}

/// An operator sees every inspection held here; a unit, those of itself.
fn may_see(caller: &Caller, i: &Inspection) -> bool {
    match caller {
        Caller::Operator(_) => true,
        Caller::Unit(u) => i.inspected == Inspected::Unit(u.clone()),
    }
}

/// Whether `i` waits on this node: an answer to review (own), or a
/// finding to answer (of this node, or of the calling unit).
pub fn waits_on(i: &Inspection, me: &extranet_certs::NodeId, caller: &Caller) -> bool {
    let has = |s: RectificationState| i.rectifications().any(|(_, r)| r.state == s);
    match caller {
        Caller::Unit(_) => has(RectificationState::Open),
        Caller::Operator(_) => {
            (&i.id.origin == me && has(RectificationState::Responded))
                || (i.inspects_node(me) && has(RectificationState::Open))
        }
    }
}

fn answer(i: &Inspection) -> pb::Inspection {
    codec::inspection_to_pb(i, Some(calendar::today()))
}

fn request(r: &pb::RecordInspectionRequest) -> Result<InspectionRequest> {
    Ok(InspectionRequest {
        inspected: codec::inspected_from_pb(&r.unit_id, &r.inspected_node)?,
        inspected_name: String::new(),
        date: codec::date("date", &r.date)?,
        scope: r.scope.clone(),
        inspectors: r.inspectors.clone(),
        findings: codec::findings_from_pb(&r.findings),
    })
}

#[tonic::async_trait]
impl Inspections for InspectionsService {
    async fn record_inspection(
        &self,
        req: Request<pb::RecordInspectionRequest>,
    ) -> Result<Response<pb::Inspection>, Status> {
        let (by, r) = self.gate.operator_request(req)?;
        Once::new(&by, "RecordInspection", &r.request_id)?
            .answer(&self.store, async {
                let req = request(&r)?;
                let node_name = match &req.inspected {
                    Inspected::Node(n) => self.name_of(n),
                    Inspected::Unit(_) => None,
                };
                let division = self.name_of(self.store.me());
                Ok(answer(&ops::record(&self.store, req, node_name, &by, division).await?))
            })
            .await
    }

    async fn respond_to_finding(
        &self,
        req: Request<pb::RespondToFindingRequest>,
    ) -> Result<Response<pb::Inspection>, Status> {
        let caller = self.gate.member(&req)?;
        let r = req.into_inner();
        Once::new(&caller.label(), "RespondToFinding", &r.request_id)?
            .answer(&self.store, async {
                InspectionId::check_key(r.id.trim())?;
                let finding = codec::finding_number(r.finding)?;
                let who = match &caller {
                    Caller::Unit(u) => Respondent::Unit(u),
                    Caller::Operator(op) => Respondent::Operator(op),
                };
                Ok(answer(&ops::respond(&self.store, r.id.trim(), finding, &r.text, who).await?))
            })
            .await
    }

    async fn review_finding(&self, req: Request<pb::ReviewFindingRequest>) -> Result<Response<pb::Inspection>, Status> {
        let (by, r) = self.gate.operator_request(req)?;
        Once::new(&by, "ReviewFinding", &r.request_id)?
            .answer(&self.store, async {
                InspectionId::check_key(r.id.trim())?;
                let finding = codec::finding_number(r.finding)?;
                let review = if r.accept {
                    Review::Accept { note: r.text.clone() }
                } else {
                    Review::Return { reason: r.text.clone() }
                };
                Ok(answer(&ops::review(&self.store, r.id.trim(), finding, review, &by).await?))
            })
            .await
    }

    async fn get_inspection(&self, req: Request<pb::GetInspectionRequest>) -> Result<Response<pb::Inspection>, Status> {
        let caller = self.gate.member(&req)?;
        Ok(Response::new(answer(&self.visible(&caller, &req.get_ref().id)?)))
    }

    async fn list_inspections(
        &self,
        req: Request<pb::ListInspectionsRequest>,
    ) -> Result<Response<pb::ListInspectionsResponse>, Status> {
        let caller = self.gate.member(&req)?;
        let r = req.into_inner();
        let page = paging::spec(&r.page_token, r.page_size, 0)?;
        let today = calendar::today();
        let me = self.store.me().clone();
        let rows: Vec<(String, Inspection)> = self
            .store
            .inspections()?
            .into_iter()
            .filter(|i| may_see(&caller, i))
            .filter(|i| !r.waiting_only || waits_on(i, &me, &caller))
            .filter(|i| !r.overdue_only || i.overdue(today).next().is_some())
            // the latest first
            .map(|i| (format!("{:020}|{}", i64::MAX - i.recorded_at_ms, i.id.key()), i))
            .collect();
        let (inspections, next_page_token) = paging::fill(paging::after_key(rows, &page), &page, answer)?;
        Ok(Response::new(pb::ListInspectionsResponse { inspections, next_page_token }))
    }
}
