//! The `Approvals` service (Art.21): an operator applies at its node for a
//! major adjustment; the operator of each level on the path decides in
//! turn; every holder answers with the stage and how long each level has
//! had it. Operators only, each at its own node.

use std::sync::Arc;

use extranet_proto::v1 as pb;
use extranet_proto::v1::approvals_server::Approvals;
use tonic::{Request, Response, Status};

use super::auth::Gate;
use super::idempotent::operator_write;
use super::paging;
use crate::codec;
use crate::domain::approval::{ApprovalId, MajorAdjustment, Stage};
use crate::error::{NodeError, Result};
use crate::ops;
use crate::store::NodeStore;
use crate::topology::Topology;

/// Serves `extranet.v1.Approvals` for one node.
pub struct ApprovalsService {
    store: NodeStore,
    gate: Gate,
    topology: Arc<Topology>,
}

impl ApprovalsService {
    /// The service over `store`, authorising through `gate`; `topology`
    /// names the divisions on the written notices.
    pub fn new(store: NodeStore, gate: Gate, topology: Arc<Topology>) -> Self {
        ApprovalsService { store, gate, topology }
    }

    fn held(&self, id: &str) -> Result<MajorAdjustment> {
        let id = id.trim();
        ApprovalId::check_key(id)?;
        self.store.approval(id)?.ok_or_else(|| NodeError::NotFound(format!("本节点没有编号为 {id} 的审批申请")))
    }
}

fn answer(a: &MajorAdjustment) -> pb::MajorAdjustment {
    codec::approval_to_pb(a, true)
}

#[tonic::async_trait]
impl Approvals for ApprovalsService {
    async fn apply_for_approval(
        &self,
        req: Request<pb::ApplyForApprovalRequest>,
    ) -> Result<Response<pb::MajorAdjustment>, Status> {
        operator_write(&self.gate, &self.store, "ApplyForApproval", req, |by, r| async move {
            let p = codec::proposal_from_pb(r.proposal.as_ref())?;
            Ok(answer(&ops::approval::apply(&self.store, p, &by).await?))
        })
        .await
    }

    async fn decide_approval(
        &self,
        req: Request<pb::DecideApprovalRequest>,
    ) -> Result<Response<pb::MajorAdjustment>, Status> {
        operator_write(&self.gate, &self.store, "DecideApproval", req, |by, r| async move {
            let id = r.id.trim();
            ApprovalId::check_key(id)?;
            let verdict = codec::verdict_from_pb(&r.verdict)?;
            let division = self.topology.get(self.store.me()).map(|d| d.name_zh.clone());
            let a = ops::approval::decide(&self.store, id, verdict, &r.reason, &by, division.as_deref()).await?;
            Ok(answer(&a))
        })
        .await
    }

    async fn get_approval(
        &self,
        req: Request<pb::GetApprovalRequest>,
    ) -> Result<Response<pb::MajorAdjustment>, Status> {
        self.gate.operator(&req)?;
        Ok(Response::new(answer(&self.held(&req.get_ref().id)?)))
    }

    async fn list_approvals(
        &self,
        req: Request<pb::ListApprovalsRequest>,
    ) -> Result<Response<pb::ListApprovalsResponse>, Status> {
        let (_, r) = self.gate.operator_request(req)?;
        let page = paging::spec(&r.page_token, r.page_size, 0)?;
        let me = self.store.me().clone();
        let rows: Vec<(String, MajorAdjustment)> = self
            .store
            .approvals()?
            .into_iter()
            .map(|a| (a.stage() == Stage::Pending(me.clone()), a))
            .filter(|(waiting, _)| *waiting || !r.waiting_only)
            // waiting on this level first, then the newest
            .map(|(waiting, a)| {
                (format!("{}|{:020}|{}", u8::from(!waiting), i64::MAX - a.applied_at_ms, a.id.key()), a)
            })
            .collect();
        let (approvals, next_page_token) = paging::fill(paging::after_key(rows, &page), &page, answer)?;
        Ok(Response::new(pb::ListApprovalsResponse { approvals, next_page_token }))
    }
}
