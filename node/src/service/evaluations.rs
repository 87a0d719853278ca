//! The `Evaluations` service (Art.27): the operator drafts the year's
//! figures, adds the hand assessments and a conclusion, and files the
//! evaluation upward. Operators only: an access unit does not evaluate its
//! providers (it scores each repair when it closes its ticket).

use extranet_proto::v1 as pb;
use extranet_proto::v1::evaluations_server::Evaluations;
use tonic::{Request, Response, Status};

use super::auth::Gate;
use super::idempotent::operator_write;
use crate::codec;
use crate::ops;
use crate::store::NodeStore;
use crate::store::health::now_ms;

/// Serves `extranet.v1.Evaluations` for one node.
pub struct EvaluationsService {
    store: NodeStore,
    gate: Gate,
}

impl EvaluationsService {
    /// The service over `store`, authorising through `gate`.
    pub fn new(store: NodeStore, gate: Gate) -> Self {
        EvaluationsService { store, gate }
    }
}

#[tonic::async_trait]
impl Evaluations for EvaluationsService {
    async fn draft_evaluation(
        &self,
        req: Request<pb::DraftEvaluationRequest>,
    ) -> Result<Response<pb::EvaluationDetails>, Status> {
        let (_, r) = self.gate.operator_request(req)?;
        let e = ops::evaluation::draft(&self.store, r.year, now_ms())?;
        Ok(Response::new(codec::evaluation_to_pb(&e)))
    }

    async fn file_evaluation(&self, req: Request<pb::FileEvaluationRequest>) -> Result<Response<pb::Filing>, Status> {
        operator_write(&self.gate, &self.store, "FileEvaluation", req, |by, r| async move {
            let (assessments, conclusion) = codec::assessments_from_pb(&r)?;
            let f = ops::evaluation::file(&self.store, r.year, assessments, conclusion, &by).await?;
            Ok(codec::filing_to_pb(&f))
        })
        .await
    }
}
