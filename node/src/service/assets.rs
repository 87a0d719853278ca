//! The `Assets` service (Art.14, Art.17, Art.18, Art.20): the node's
//! operators register the unified devices and access rooms of the units
//! registered here, record changes under approved applications and
//! violations, and confirm devices reclaimed. Thin: each call checks its
//! input, then one operation of `ops::assets` / `ops::device_reclaim`.

use extranet_proto::v1 as pb;
use extranet_proto::v1::assets_server::Assets;
use tonic::{Request, Response, Status};

use super::auth::Gate;
use super::idempotent::Once;
use crate::codec;
use crate::domain::Choice;
use crate::domain::asset::{DeviceAction, DeviceState};
use crate::error::NodeError;
use crate::ops::{assets, device_reclaim};
use crate::store::NodeStore;

/// Serves `extranet.v1.Assets` for one node.
pub struct AssetsService {
    store: NodeStore,
    gate: Gate,
}

impl AssetsService {
    /// The service over `store`, authorising through `gate`.
    pub fn new(store: NodeStore, gate: Gate) -> Self {
        AssetsService { store, gate }
    }
}

#[tonic::async_trait]
impl Assets for AssetsService {
    async fn register_device(&self, req: Request<pb::RegisterDeviceRequest>) -> Result<Response<pb::Device>, Status> {
        let (by, r) = self.gate.operator_request(req)?;
        Once::new(&by, "RegisterDevice", &r.request_id)?
            .answer(&self.store, async {
                let form = codec::device_form_from_pb(&r)?;
                Ok(codec::device_to_pb(&assets::register_device(&self.store, form, &by).await?))
            })
            .await
    }

    async fn change_device(&self, req: Request<pb::ChangeDeviceRequest>) -> Result<Response<pb::Device>, Status> {
        let (by, r) = self.gate.operator_request(req)?;
        Once::new(&by, "ChangeDevice", &r.request_id)?
            .answer(&self.store, async {
                let action = DeviceAction::parse(&r.action, &r.location)?;
                let d = assets::change_device(&self.store, r.id.trim(), action, &r.application, &r.note, &by);
                Ok(codec::device_to_pb(&d.await?))
            })
            .await
    }

    async fn record_violation(&self, req: Request<pb::RecordViolationRequest>) -> Result<Response<pb::Device>, Status> {
        let (by, r) = self.gate.operator_request(req)?;
        Once::new(&by, "RecordViolation", &r.request_id)?
            .answer(&self.store, async {
                let found_on = match r.found_on.trim() {
                    "" => crate::calendar::today(),
                    typed => codec::date("found_on", typed)?,
                };
                let d = assets::record_violation(&self.store, r.id.trim(), &r.what, found_on, &by);
                Ok(codec::device_to_pb(&d.await?))
            })
            .await
    }

    async fn reclaim_device(&self, req: Request<pb::ReclaimDeviceRequest>) -> Result<Response<pb::Device>, Status> {
        let (by, r) = self.gate.operator_request(req)?;
        Once::new(&by, "ReclaimDevice", &r.request_id)?
            .answer(&self.store, async {
                Ok(codec::device_to_pb(&device_reclaim::reclaim_device(&self.store, r.id.trim(), &r.note, &by).await?))
            })
            .await
    }

    async fn list_devices(
        &self,
        req: Request<pb::ListDevicesRequest>,
    ) -> Result<Response<pb::ListDevicesResponse>, Status> {
        self.gate.operator(&req)?;
        let r = req.into_inner();
        let unit = codec::optional_unit("unit_id", &r.unit_id)?;
        let state = match r.state.trim() {
            "" => None,
            s => Some(DeviceState::from_value(s).ok_or_else(|| {
                NodeError::invalid("state", "设备状态应为 in-service、switched-off、to-reclaim 或 reclaimed")
            })?),
        };
        let devices = self
            .store
            .devices()?
            .into_iter()
            .filter(|d| unit.as_ref().is_none_or(|u| &d.unit == u) && state.is_none_or(|s| d.state == s))
            .map(|d| codec::device_to_pb(&d))
            .collect();
        Ok(Response::new(pb::ListDevicesResponse { devices }))
    }

    async fn record_room(&self, req: Request<pb::RecordRoomRequest>) -> Result<Response<pb::AccessRoom>, Status> {
        let (by, r) = self.gate.operator_request(req)?;
        Once::new(&by, "RecordRoom", &r.request_id)?
            .answer(&self.store, async {
                let room = codec::room_from_pb(r.room.as_ref(), &by)?;
                Ok(codec::room_to_pb(&assets::record_room(&self.store, room).await?, crate::calendar::today()))
            })
            .await
    }

    async fn list_rooms(&self, req: Request<pb::ListRoomsRequest>) -> Result<Response<pb::ListRoomsResponse>, Status> {
        self.gate.operator(&req)?;
        let today = crate::calendar::today();
        let rooms = self.store.rooms()?.iter().map(|r| codec::room_to_pb(r, today)).collect();
        Ok(Response::new(pb::ListRoomsResponse { rooms }))
    }
}
