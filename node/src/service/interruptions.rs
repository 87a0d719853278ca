//! The `Interruptions` service (Art.24): units and operators ask their own
//! node for approval of a maintenance interruption; the operator approves
//! (filing the report to the region) or rejects; the requester starts and
//! finishes the work. A unit sees and acts on only its own.

use extranet_certs::NodeId;
use extranet_proto::v1 as pb;
use extranet_proto::v1::interruptions_server::Interruptions;
use tonic::{Request, Response, Status};

use super::auth::{Caller, Gate};
use super::idempotent::Once;
use super::paging;
use crate::codec::{self, WireEnum};
use crate::domain::{Interruption, InterruptionId, InterruptionState, UnitId};
use crate::error::{NodeError, Result};
use crate::ops::interruption;
use crate::store::NodeStore;
use crate::store::health::now_ms;

/// Serves `extranet.v1.Interruptions` for one node.
pub struct InterruptionsService {
    store: NodeStore,
    gate: Gate,
}

impl InterruptionsService {
    /// The service over `store`, authorising through `gate`.
    pub fn new(store: NodeStore, gate: Gate) -> Self {
        InterruptionsService { store, gate }
    }

    /// An interruption held here that `caller` may see.
    fn visible(&self, caller: &Caller, id: &str) -> Result<Interruption> {
        let id = id.trim();
        InterruptionId::check_key(id)?;
        let i = self
            .store
            .interruption(id)?
            .ok_or_else(|| NodeError::NotFound(format!("本节点没有编号为 {id} 的中断申请")))?;
        if let Caller::Unit(own) = caller
            && !is_own(&i, own, &self.store)
        {
            return Err(NodeError::PermissionDenied(format!("接入单位 {own} 只能查看本单位的中断申请")));
        }
        Ok(i)
    }
}

fn is_own(i: &Interruption, unit: &UnitId, store: &NodeStore) -> bool {
    i.is_of(unit) && &i.id.origin == store.me()
}

fn answer(i: &Interruption) -> pb::Interruption {
    codec::interruption_to_pb(i, now_ms())
}

/// The states a list asks for (empty: all); an unknown value is refused.
fn states(v: &[i32]) -> Result<Vec<InterruptionState>> {
    v.iter()
        .map(|s| {
            InterruptionState::from_pb(*s).ok_or_else(|| NodeError::invalid("states", format!("未知的中断状态 {s}")))
        })
        .collect()
}

#[tonic::async_trait]
impl Interruptions for InterruptionsService {
    async fn request_interruption(
        &self,
        req: Request<pb::RequestInterruptionRequest>,
    ) -> Result<Response<pb::Interruption>, Status> {
        let (caller, r) = self.gate.member_request(req)?;
        Once::new(&caller.label(), "RequestInterruption", &r.request_id)?
            .answer(&self.store, async {
                let mut request = codec::plan_from_pb(r.plan.as_ref())?;
                if let Caller::Unit(own) = &caller {
                    match &request.unit {
                        Some(u) if u != own => {
                            return Err(NodeError::PermissionDenied(format!("接入单位 {own} 只能为本单位申请中断")));
                        }
                        _ => request.unit = Some(own.clone()),
                    }
                }
                Ok(answer(&interruption::request(&self.store, request, &caller.label()).await?))
            })
            .await
    }

    async fn act_on_interruption(
        &self,
        req: Request<pb::ActOnInterruptionRequest>,
    ) -> Result<Response<pb::Interruption>, Status> {
        let (caller, r) = self.gate.member_request(req)?;
        Once::new(&caller.label(), "ActOnInterruption", &r.request_id)?
            .answer(&self.store, async {
                let id = r.id.trim();
                InterruptionId::check_key(id)?;
                let action = codec::interruption_action_from_pb(&r)?;
                let unit = match &caller {
                    Caller::Unit(u) => Some(u),
                    Caller::Operator(_) => None,
                };
                Ok(answer(&interruption::act(&self.store, id, action, &caller.label(), unit).await?))
            })
            .await
    }

    async fn get_interruption(
        &self,
        req: Request<pb::GetInterruptionRequest>,
    ) -> Result<Response<pb::Interruption>, Status> {
        let caller = self.gate.member(&req)?;
        Ok(Response::new(answer(&self.visible(&caller, &req.get_ref().id)?)))
    }

    async fn list_interruptions(
        &self,
        req: Request<pb::ListInterruptionsRequest>,
    ) -> Result<Response<pb::ListInterruptionsResponse>, Status> {
        let (caller, r) = self.gate.member_request(req)?;
        let page = paging::spec(&r.page_token, r.page_size, 0)?;
        let wanted = states(&r.states)?;
        let subtree = match r.subtree.trim() {
            "" => None,
            s => Some(NodeId::parse(s).map_err(|e| NodeError::invalid("subtree", e.to_string()))?),
        };
        let rows: Vec<(String, Interruption)> = self
            .store
            .interruptions()?
            .into_iter()
            .filter(|i| match &caller {
                Caller::Unit(own) => is_own(i, own, &self.store),
                Caller::Operator(_) => true,
            })
            .filter(|i| wanted.is_empty() || wanted.contains(&i.state))
            .filter(|i| subtree.as_ref().is_none_or(|s| i.id.origin.is_within(s)))
            // the latest window first: the key sorts by its start, descending
            .map(|i| (format!("{:020}|{}", i64::MAX - i.plan.window_start_ms, i.id.key()), i))
            .collect();
        let (interruptions, next_page_token) = paging::fill(paging::after_key(rows, &page), &page, answer)?;
        Ok(Response::new(pb::ListInterruptionsResponse { interruptions, next_page_token }))
    }
}
