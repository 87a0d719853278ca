//! The `Units` service: the registry of access units (接入单位) at a node.

use std::sync::Arc;

use extranet_proto::v1 as pb;
use extranet_proto::v1::units_server::Units;
use tonic::{Request, Response, Status};

use super::auth::{Caller, Gate};
use super::idempotent::{self, Once};
use crate::codec;
use crate::domain::{AccessUnit, UnitId, UnitStatus};
use crate::error::{NodeError, Result};
use crate::store::{NodeStore, abort};
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

/// Registers `unit` (already validated); refuses an id already taken.
pub async fn register(store: &NodeStore, unit: AccessUnit) -> Result<AccessUnit> {
    store.transact(|tx| {
        if tx.unit(&unit.id)?.is_some() {
            return abort(NodeError::FailedPrecondition(format!("单位编号 {} 已在本节点登记", unit.id)));
        }
        tx.put_unit(&unit)?;
        idempotent::record(tx, || codec::unit_to_pb(&unit))
    })?;
    store.sync().await?;
    tracing::info!(unit = %unit.id, name = %unit.name, by = %unit.registered_by, "unit registered");
    Ok(unit)
}

fn unit_id(s: &str) -> Result<UnitId> {
    UnitId::parse(s).map_err(|_| NodeError::invalid("id", format!("“{s}” 不是单位编号")))
}

#[tonic::async_trait]
impl Units for UnitsService {
    async fn register_unit(&self, req: Request<pb::RegisterUnitRequest>) -> Result<Response<pb::Unit>, Status> {
        let by = self.gate.operator(&req)?;
        let r = req.into_inner();
        Once::new(&by, "RegisterUnit", &r.request_id)?
            .answer(&self.store, async {
                let now = chrono::Utc::now().timestamp_millis();
                let unit = codec::unit_from_pb(r.unit, self.store.me(), &by, now)?;
                if self.topology.get(&unit.division).is_none() {
                    return Err(NodeError::invalid(
                        "unit.division",
                        format!("{} 不是本联邦区划拓扑中的区划（见 extranet topology show）", unit.division),
                    ));
                }
                Ok(codec::unit_to_pb(&register(&self.store, unit).await?))
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
        self.gate.operator(&req)?;
        let r = req.into_inner();
        let page = super::paging::spec(&r.page_token, r.page_size, 0)?;
        let rows = self.store.units()?.into_iter().map(|u| (u.id.to_string(), u)).collect();
        let (units, next_page_token) =
            super::paging::fill(super::paging::after_key(rows, &page), &page, codec::unit_to_pb)?;
        Ok(Response::new(pb::ListUnitsResponse { units, next_page_token }))
    }

    async fn set_unit_status(&self, req: Request<pb::SetUnitStatusRequest>) -> Result<Response<pb::Unit>, Status> {
        let by = self.gate.operator(&req)?;
        let r = req.into_inner();
        Once::new(&by, "SetUnitStatus", &r.request_id)?.answer(&self.store, self.set_status(&r, &by)).await
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
        let unit = self.store.transact(|tx| {
            let Some(mut u) = tx.unit(&id)? else {
                return abort(NodeError::NotFound(format!("本节点没有登记单位 {id}")));
            };
            let allowed = matches!(
                (u.status, to),
                (UnitStatus::Connected, UnitStatus::Suspended) | (UnitStatus::Suspended, UnitStatus::Connected)
            );
            if !allowed {
                return abort(NodeError::FailedPrecondition(format!(
                    "单位 {id} 当前为“{}”，不能设为“{}”：只有已接入的单位可以暂停，只有已暂停的单位可以恢复",
                    u.status.zh(),
                    to.zh()
                )));
            }
            u.status = to;
            tx.put_unit(&u)?;
            idempotent::record(tx, || codec::unit_to_pb(&u))?;
            Ok(u)
        })?;
        self.store.sync().await?;
        tracing::warn!(unit = %id, status = to.zh(), by, %reason, "unit status set");
        Ok(codec::unit_to_pb(&unit))
    }
}
