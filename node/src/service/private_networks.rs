//! The `PrivateNetworks` service (Art.5, Art.9, Art.10): the operators of
//! a node — its jurisdiction's competent authority — register the
//! non-classified private networks of the jurisdiction and record their
//! migration; they read their own register and the copies sent up from
//! their subtree. Units have no part in it.

use extranet_certs::NodeId;
use extranet_proto::v1 as pb;
use extranet_proto::v1::private_networks_server::PrivateNetworks;
use tonic::{Request, Response, Status};

use super::auth::Gate;
use super::idempotent::Once;
use super::paging;
use crate::codec::{self, WireEnum};
use crate::domain::{MigrationStatus, PrivateNetwork, PrivateNetworkId};
use crate::error::{NodeError, Result};
use crate::ops::private_network;
use crate::store::NodeStore;

/// Serves `extranet.v1.PrivateNetworks` for one node.
pub struct PrivateNetworksService {
    store: NodeStore,
    gate: Gate,
}

impl PrivateNetworksService {
    /// The service over `store`, authorising through `gate`.
    pub fn new(store: NodeStore, gate: Gate) -> Self {
        PrivateNetworksService { store, gate }
    }

    /// A network held here, by its display id.
    fn held(&self, id: &str) -> Result<PrivateNetwork> {
        let id = id.trim();
        PrivateNetworkId::check_key(id)?;
        self.store
            .private_network(id)?
            .ok_or_else(|| NodeError::NotFound(format!("本节点没有编号为 {id} 的非涉密业务专网")))
    }
}

/// The subtree filter of a list: a node path (`540000/540100`), or none.
fn under(v: &str) -> Result<Option<NodeId>> {
    match v.trim() {
        "" => Ok(None),
        p => Ok(Some(
            NodeId::parse(p)
                .map_err(|_| NodeError::invalid("under", format!("“{p}” 不是节点路径，例如 540000/540100")))?,
        )),
    }
}

/// The status filter of a list (unspecified: all).
fn status(v: i32) -> Result<Option<MigrationStatus>> {
    if v == pb::MigrationStatus::Unspecified as i32 {
        return Ok(None);
    }
    MigrationStatus::from_pb(v).map(Some).ok_or_else(|| NodeError::invalid("status", "应为未迁移、计划迁移或已迁移"))
}

#[tonic::async_trait]
impl PrivateNetworks for PrivateNetworksService {
    async fn register(
        &self,
        req: Request<pb::RegisterPrivateNetworkRequest>,
    ) -> Result<Response<pb::PrivateNetwork>, Status> {
        let (by, r) = self.gate.operator_request(req)?;
        Once::new(&by, "RegisterPrivateNetwork", &r.request_id)?
            .answer(&self.store, async {
                let req = codec::private_network_details_from_pb(r.details.as_ref())?;
                Ok(codec::private_network_to_pb(&private_network::register(&self.store, req, &by).await?))
            })
            .await
    }

    async fn update(
        &self,
        req: Request<pb::UpdatePrivateNetworkRequest>,
    ) -> Result<Response<pb::PrivateNetwork>, Status> {
        let (by, r) = self.gate.operator_request(req)?;
        Once::new(&by, "UpdatePrivateNetwork", &r.request_id)?
            .answer(&self.store, async {
                let id = r.id.trim();
                PrivateNetworkId::check_key(id)?;
                let action = codec::private_network_action_from_pb(r.step.as_ref())?;
                let n = private_network::update(&self.store, id, action, &r.note, &by).await?;
                Ok(codec::private_network_to_pb(&n))
            })
            .await
    }

    async fn list(
        &self,
        req: Request<pb::ListPrivateNetworksRequest>,
    ) -> Result<Response<pb::ListPrivateNetworksResponse>, Status> {
        self.gate.operator(&req)?;
        let r = req.into_inner();
        let page = paging::spec(&r.page_token, r.page_size, 0)?;
        let (under, status) = (under(&r.under)?, status(r.status)?);
        let rows: Vec<(String, PrivateNetwork)> = self
            .store
            .private_networks()?
            .into_iter()
            .filter(|n| under.as_ref().is_none_or(|u| n.id.origin.is_within(u)))
            .filter(|n| status.is_none_or(|s| n.status() == s))
            .map(|n| (format!("{}|{:020}", n.id.origin, n.id.number), n))
            .collect();
        let (networks, next_page_token) =
            paging::fill(paging::after_key(rows, &page), &page, |n: &PrivateNetwork| codec::private_network_to_pb(n))?;
        Ok(Response::new(pb::ListPrivateNetworksResponse { networks, next_page_token }))
    }

    async fn get(&self, req: Request<pb::GetPrivateNetworkRequest>) -> Result<Response<pb::PrivateNetwork>, Status> {
        self.gate.operator(&req)?;
        Ok(Response::new(codec::private_network_to_pb(&self.held(&req.get_ref().id)?)))
    }
}
