//! The `Units` service: the registry of access units (接入单位) at a node.

use std::sync::Arc;

use extranet_proto::v1 as pb;
use extranet_proto::v1::units_server::Units;
use tonic::{Request, Response, Status};

use super::auth::{Caller, Gate};
use super::idempotent::operator_write;
use crate::codec;
use crate::domain::{UnitId, UnitStatus};
use crate::error::{NodeError, Result};
use crate::ops::units;
use crate::store::NodeStore;
use crate::topology::Topology;

/// Serves `extranet.v1.Units` for one node.
pub struct UnitsService {
    store: NodeStore,
    gate: Gate,
    /// The federation's divisions: a unit sits in one of them.
    topology: Arc<Topology>,
}

impl UnitsService {
    /// The service over `store`, authorising through `gate`, checking
    /// divisions against `topology`.
    pub fn new(store: NodeStore, gate: Gate, topology: Arc<Topology>) -> Self {
        UnitsService { store, gate, topology }
    }
}

fn unit_id(s: &str) -> Result<UnitId> {
    UnitId::parse(s).map_err(|_| NodeError::invalid("id", format!("“{s}” 不是单位编号")))
}

#[tonic::async_trait]
impl Units for UnitsService {
    async fn register_unit(&self, req: Request<pb::RegisterUnitRequest>) -> Result<Response<pb::Unit>, Status> {
        operator_write(&self.gate, &self.store, "RegisterUnit", req, |by, r| async move {
            let now = chrono::Utc::now().timestamp_millis();
            let unit = codec::unit_from_pb(r.unit, self.store.me(), &by, now)?;
            if self.topology.get(&unit.division).is_none() {
                return Err(NodeError::invalid(
                    "unit.division",
                    format!("{} 不是本联邦区划拓扑中的区划（见 extranet topology show）", unit.division),
                ));
            }
            Ok(codec::unit_to_pb(&units::register(&self.store, unit).await?))
        })
        .await
    }

    async fn get_unit(&self, req: Request<pb::GetUnitRequest>) -> Result<Response<pb::Unit>, Status> {
        let caller = self.gate.member(&req)?;
        let id = unit_id(&req.into_inner().id)?;
        if let Caller::Unit(own) = &caller
            && own != &id
        {
            return Err(NodeError::PermissionDenied(format!("接入单位 {own} 只能查看本单位的登记信息")).into());
        }
        let u = self.store.unit(&id)?.ok_or_else(|| NodeError::NotFound(format!("本节点没有登记单位 {id}")))?;
        Ok(Response::new(codec::unit_to_pb(&u)))
    }

    async fn list_units(&self, req: Request<pb::ListUnitsRequest>) -> Result<Response<pb::ListUnitsResponse>, Status> {
        let (_, r) = self.gate.operator_request(req)?;
        let page = super::paging::spec(&r.page_token, r.page_size, 0)?;
        let rows = self.store.units()?.into_iter().map(|u| (u.id.to_string(), u)).collect();
        let (units, next_page_token) =
            super::paging::fill(super::paging::after_key(rows, &page), &page, codec::unit_to_pb)?;
        Ok(Response::new(pb::ListUnitsResponse { units, next_page_token }))
    }

    async fn set_unit_status(&self, req: Request<pb::SetUnitStatusRequest>) -> Result<Response<pb::Unit>, Status> {
        operator_write(
            &self.gate,
            &self.store,
            "SetUnitStatus",
            req,
            |by, r| async move { self.set_status(&r, &by).await },
        )
        .await
    }

    async fn update_unit(&self, req: Request<pb::UpdateUnitRequest>) -> Result<Response<pb::Unit>, Status> {
        operator_write(&self.gate, &self.store, "UpdateUnit", req, |by, r| async move {
            let id = unit_id(&r.id)?;
            let update = codec::unit_update_from_pb(&r)?;
            Ok(codec::unit_to_pb(&units::update(&self.store, &id, update, &r.reason, &by).await?))
        })
        .await
    }
}

impl UnitsService {
    /// Suspends or resumes a unit (the body of `SetUnitStatus`).
    async fn set_status(&self, r: &pb::SetUnitStatusRequest, by: &str) -> Result<pb::Unit> {
        let id = unit_id(&r.id)?;
        let to = match pb::UnitStatus::try_from(r.status) {
            Ok(pb::UnitStatus::Suspended) => UnitStatus::Suspended,
            Ok(pb::UnitStatus::Connected) => UnitStatus::Connected,
            _ => {
                return Err(NodeError::invalid(
                    "status",
                    "只能设为 SUSPENDED（暂停）或 CONNECTED（恢复）；接入与撤销随申请办理",
                ));
            }
        };
        let reason = crate::domain::limits::optional_text("reason", &r.reason)?;
        let unit = units::set_status(&self.store, &id, to, &reason, by).await?;
        Ok(codec::unit_to_pb(&unit))
    }
}
