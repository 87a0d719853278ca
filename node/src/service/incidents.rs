//! The `Incidents` service (Art.26(1)): a unit reports its own security
//! incidents at its node and records the departments it told; the
//! operator reports for the node or a unit, records departments, decides
//! whether to report an incident up and closes it. A unit sees only its own.

use extranet_proto::v1 as pb;
use extranet_proto::v1::incidents_server::Incidents;
use tonic::{Request, Response, Status};

use super::auth::{Caller, Gate};
use super::idempotent::Once;
use super::paging;
use crate::codec;
use crate::domain::{Incident, IncidentAction, IncidentId, UnitId};
use crate::error::{NodeError, Result};
use crate::ops::incident;
use crate::store::NodeStore;

/// Serves `extranet.v1.Incidents` for one node.
pub struct IncidentsService {
    store: NodeStore,
    gate: Gate,
}

impl IncidentsService {
    /// The service over `store`, authorising through `gate`.
    pub fn new(store: NodeStore, gate: Gate) -> Self {
        IncidentsService { store, gate }
    }

    /// An incident held here that `caller` may see.
    fn visible(&self, caller: &Caller, id: &str) -> Result<Incident> {
        let id = id.trim();
        IncidentId::check_key(id)?;
        let i =
            self.store.incident(id)?.ok_or_else(|| NodeError::NotFound(format!("本节点没有编号为 {id} 的安全事件")))?;
        if !may_see(caller, &i, self.store.me()) {
            return Err(NodeError::PermissionDenied("接入单位只能查看本单位报告的安全事件".into()));
        }
        Ok(i)
    }

    /// Takes `action` on incident `id` for `caller`.
    async fn act(&self, caller: &Caller, id: &str, action: IncidentAction) -> Result<pb::Incident> {
        let id = id.trim();
        IncidentId::check_key(id)?;
        let unit = match caller {
            Caller::Unit(u) => Some(u),
            Caller::Operator(_) => None,
        };
        Ok(codec::incident_to_pb(&incident::act(&self.store, id, action, &caller.label(), unit).await?))
    }
}

/// An operator sees every incident held here; a unit, its own reported here.
fn may_see(caller: &Caller, i: &Incident, me: &extranet_certs::NodeId) -> bool {
    match caller {
        Caller::Operator(_) => true,
        Caller::Unit(u) => i.is_of(u) && &i.id.origin == me,
    }
}

#[tonic::async_trait]
impl Incidents for IncidentsService {
    async fn report(&self, req: Request<pb::ReportIncidentRequest>) -> Result<Response<pb::Incident>, Status> {
        let (caller, r) = self.gate.member_request(req)?;
        Once::new(&caller.label(), "ReportIncident", &r.request_id)?
            .answer(&self.store, async {
                let mut report = codec::incident_report_from_pb(r.report.as_ref())?;
                if let Caller::Unit(u) = &caller {
                    match &report.unit {
                        Some(named) if named != u => {
                            return Err(NodeError::PermissionDenied(format!("接入单位 {u} 只能报告本单位的安全事件")));
                        }
                        _ => report.unit = Some(u.clone()),
                    }
                }
                Ok(codec::incident_to_pb(&incident::report(&self.store, report, &caller.label()).await?))
            })
            .await
    }

    async fn record_department_report(
        &self,
        req: Request<pb::RecordDepartmentReportRequest>,
    ) -> Result<Response<pb::Incident>, Status> {
        let (caller, r) = self.gate.member_request(req)?;
        Once::new(&caller.label(), "RecordDepartmentReport", &r.request_id)?
            .answer(&self.store, async {
                let d = codec::department_report_from_pb(r.report.as_ref())?;
                self.act(&caller, &r.id, IncidentAction::Department(d)).await
            })
            .await
    }

    async fn report_up(&self, req: Request<pb::ReportUpRequest>) -> Result<Response<pb::Incident>, Status> {
        let (by, r) = self.gate.operator_request(req)?;
        Once::new(&by, "ReportUp", &r.request_id)?
            .answer(&self.store, async {
                let action = IncidentAction::Decide { report_up: r.report_up, note: r.note.clone() };
                self.act(&Caller::Operator(by.clone()), &r.id, action).await
            })
            .await
    }

    async fn close(&self, req: Request<pb::CloseIncidentRequest>) -> Result<Response<pb::Incident>, Status> {
        let (by, r) = self.gate.operator_request(req)?;
        Once::new(&by, "CloseIncident", &r.request_id)?
            .answer(&self.store, async {
                self.act(&Caller::Operator(by.clone()), &r.id, IncidentAction::Close { note: r.note.clone() }).await
            })
            .await
    }

    async fn list(
        &self,
        req: Request<pb::ListIncidentsRequest>,
    ) -> Result<Response<pb::ListIncidentsResponse>, Status> {
        let caller = self.gate.member(&req)?;
        let r = req.into_inner();
        let page = paging::spec(&r.page_token, r.page_size, 0)?;
        let unit = codec::optional_unit("unit_id", &r.unit_id)?;
        let me = self.store.me().clone();
        let rows: Vec<(String, Incident)> = self
            .store
            .incidents()?
            .into_iter()
            .filter(|i| may_see(&caller, i, &me))
            .filter(|i| unit.as_ref().is_none_or(|u: &UnitId| i.is_of(u)))
            .filter(|i| !r.major_only || i.report.major)
            .filter(|i| !r.waiting_only || (i.id.origin == me && i.waits()))
            // the latest first
            .map(|i| (format!("{:020}|{}", i64::MAX - i.reported_at_ms(), i.id.key()), i))
            .collect();
        let (incidents, next_page_token) =
            paging::fill(paging::after_key(rows, &page), &page, |i: &Incident| codec::incident_to_pb(i))?;
        Ok(Response::new(pb::ListIncidentsResponse { incidents, next_page_token }))
    }

    async fn get(&self, req: Request<pb::GetIncidentRequest>) -> Result<Response<pb::Incident>, Status> {
        let caller = self.gate.member(&req)?;
        Ok(Response::new(codec::incident_to_pb(&self.visible(&caller, &req.get_ref().id)?)))
    }
}
