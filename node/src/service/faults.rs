//! The `Faults` service: units and operators report faults at their own
//! node; the operator records the provider's response and repair, the unit
//! confirms or disputes; every answer carries both clocks as of now. A unit
//! sees and acts on only its own tickets — and sees, without acting on
//! them, the backbone faults announced down from above (a link down on the
//! backbone is why its own may be down too).

use extranet_proto::v1 as pb;
use extranet_proto::v1::faults_server::Faults;
use tonic::{Request, Response, Status};

use super::auth::{Caller, Gate};
use super::idempotent::Once;
use super::paging;
use crate::codec;
use crate::domain::{FaultClass, FaultState, FaultTicket, UnitId};
use crate::error::{NodeError, Result};
use crate::ops::fault;
use crate::store::NodeStore;
use crate::store::health::now_ms;

/// Serves `extranet.v1.Faults` for one node.
pub struct FaultsService {
    store: NodeStore,
    gate: Gate,
}

impl FaultsService {
    /// The service over `store`, authorising through `gate`.
    pub fn new(store: NodeStore, gate: Gate) -> Self {
        FaultsService { store, gate }
    }

    /// A ticket held here that `caller` may see.
    fn visible(&self, caller: &Caller, id: &str) -> Result<FaultTicket> {
        let id = id.trim();
        crate::domain::FaultId::check_key(id)?;
        let t = self.store.fault(id)?.ok_or_else(|| NodeError::NotFound(format!("本节点没有编号为 {id} 的故障")))?;
        if let Caller::Unit(own) = caller
            && !unit_sees(&t, own, &self.store)
        {
            return Err(NodeError::PermissionDenied(format!("接入单位 {own} 只能查看本单位的故障")));
        }
        Ok(t)
    }
}

fn is_own(t: &FaultTicket, unit: &UnitId, store: &NodeStore) -> bool {
    t.unit.as_ref() == Some(unit) && &t.id.origin == store.me()
}

/// A unit sees its own tickets and the backbone faults its node was told
/// of from above (an ancestor's, announced down); acting stays its own only.
fn unit_sees(t: &FaultTicket, unit: &UnitId, store: &NodeStore) -> bool {
    is_own(t, unit, store) || (t.policy.class == FaultClass::Backbone && t.id.origin.is_ancestor_of(store.me()))
}

fn answer(t: &FaultTicket) -> pb::FaultTicket {
    codec::fault_to_pb(t, now_ms())
}

#[tonic::async_trait]
impl Faults for FaultsService {
    async fn report_fault(&self, req: Request<pb::ReportFaultRequest>) -> Result<Response<pb::FaultTicket>, Status> {
        let (caller, r) = self.gate.member_request(req)?;
        Once::new(&caller.label(), "ReportFault", &r.request_id)?
            .answer(&self.store, async {
                let (mut report, class) = codec::report_from_pb(&r, now_ms())?;
                if let Caller::Unit(own) = &caller {
                    match &report.unit {
                        Some(u) if u != own => {
                            return Err(NodeError::PermissionDenied(format!("接入单位 {own} 只能报告本单位的故障")));
                        }
                        _ => report.unit = Some(own.clone()),
                    }
                }
                Ok(answer(&fault::report(&self.store, report, class, &caller.label()).await?))
            })
            .await
    }

    async fn act_on_fault(&self, req: Request<pb::ActOnFaultRequest>) -> Result<Response<pb::FaultTicket>, Status> {
        let (caller, r) = self.gate.member_request(req)?;
        Once::new(&caller.label(), "ActOnFault", &r.request_id)?
            .answer(&self.store, async {
                let id = r.id.trim();
                crate::domain::FaultId::check_key(id)?;
                let action = codec::action_from_pb(&r)?;
                let unit = match &caller {
                    Caller::Unit(u) => Some(u),
                    Caller::Operator(_) => None,
                };
                Ok(answer(&fault::act(&self.store, id, action, &caller.label(), unit).await?))
            })
            .await
    }

    async fn get_fault(&self, req: Request<pb::GetFaultRequest>) -> Result<Response<pb::FaultTicket>, Status> {
        let caller = self.gate.member(&req)?;
        Ok(Response::new(answer(&self.visible(&caller, &req.get_ref().id)?)))
    }

    async fn list_faults(
        &self,
        req: Request<pb::ListFaultsRequest>,
    ) -> Result<Response<pb::ListFaultsResponse>, Status> {
        let (caller, r) = self.gate.member_request(req)?;
        let page = paging::spec(&r.page_token, r.page_size, 0)?;
        let rows: Vec<(String, FaultTicket)> = self
            .store
            .faults()?
            .into_iter()
            .filter(|t| match &caller {
                Caller::Unit(own) => unit_sees(t, own, &self.store),
                Caller::Operator(_) => true,
            })
            .filter(|t| !r.open_only || t.state != FaultState::Closed)
            // newest first: the key sorts by the report time, descending
            .map(|t| (format!("{:020}|{}", i64::MAX - t.reported_at_ms, t.id.key()), t))
            .collect();
        let (faults, next_page_token) = paging::fill(paging::after_key(rows, &page), &page, answer)?;
        Ok(Response::new(pb::ListFaultsResponse { faults, next_page_token }))
    }

    async fn put_provider(&self, req: Request<pb::PutProviderRequest>) -> Result<Response<pb::LinkProvider>, Status> {
        Ok(Response::new(self.put_provider_(req).await?))
    }

    async fn put_maintainer(
        &self,
        req: Request<pb::PutMaintainerRequest>,
    ) -> Result<Response<pb::MaintenanceUnit>, Status> {
        Ok(Response::new(self.put_maintainer_(req).await?))
    }

    async fn put_access_point(
        &self,
        req: Request<pb::PutAccessPointRequest>,
    ) -> Result<Response<pb::AccessPoint>, Status> {
        Ok(Response::new(self.put_access_point_(req).await?))
    }

    async fn get_registry(&self, req: Request<pb::GetRegistryRequest>) -> Result<Response<pb::Registry>, Status> {
        Ok(Response::new(self.get_registry_(req)?))
    }
}

/// The registry RPCs of [`FaultsService`]: the operator registers, members read.
impl FaultsService {
    async fn put_provider_(&self, req: Request<pb::PutProviderRequest>) -> Result<pb::LinkProvider> {
        let (by, r) = self.gate.operator_request(req)?;
        let p = codec::provider_from_pb(r.provider)?;
        Ok(codec::provider_to_pb(&crate::ops::fault_registry::put_provider(&self.store, p, &by).await?))
    }

    async fn put_maintainer_(&self, req: Request<pb::PutMaintainerRequest>) -> Result<pb::MaintenanceUnit> {
        let (by, r) = self.gate.operator_request(req)?;
        let m = codec::maintainer_from_pb(r.maintainer)?;
        Ok(codec::maintainer_to_pb(&crate::ops::fault_registry::put_maintainer(&self.store, m, &by).await?, now_ms()))
    }

    async fn put_access_point_(&self, req: Request<pb::PutAccessPointRequest>) -> Result<pb::AccessPoint> {
        let (by, r) = self.gate.operator_request(req)?;
        let (a, class) = codec::access_point_from_pb(r.access_point)?;
        Ok(codec::access_point_to_pb(&crate::ops::fault_registry::put_access_point(&self.store, a, class, &by).await?))
    }

    fn get_registry_(&self, req: Request<pb::GetRegistryRequest>) -> Result<pb::Registry> {
        self.gate.member(&req)?;
        let r = self.store.fault_registry()?;
        let now = now_ms();
        Ok(pb::Registry {
            providers: r.providers.iter().map(codec::provider_to_pb).collect(),
            maintainers: r.maintainers.iter().map(|m| codec::maintainer_to_pb(m, now)).collect(),
            access_points: r.access_points.iter().map(codec::access_point_to_pb).collect(),
        })
    }
}
