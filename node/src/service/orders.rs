//! The `Orders` service (Art.25(4)): the operator orders a unit of this
//! node disconnected with a rectification deadline, lifts the order or
//! extends the deadline; the unit reports its rectification. A unit sees
//! and acts on only its own orders — and may do so while disconnected:
//! these calls pass [`Gate::member_under_order`], every other call a
//! disconnected unit makes is refused by [`Gate::member`].

use std::sync::Arc;

use extranet_certs::NodeId;
use extranet_proto::v1 as pb;
use extranet_proto::v1::orders_server::Orders;
use tonic::{Request, Response, Status};

use super::auth::{Caller, Gate};
use super::idempotent::Once;
use super::paging;
use crate::calendar;
use crate::codec::{self, WireEnum};
use crate::domain::{Order, OrderId, OrderState};
use crate::error::{NodeError, Result};
use crate::ops::order;
use crate::store::NodeStore;
use crate::topology::Topology;

/// Serves `extranet.v1.Orders` for one node.
pub struct OrdersService {
    store: NodeStore,
    gate: Gate,
    topology: Arc<Topology>,
}

impl OrdersService {
    /// The service over `store`, authorising through `gate`; the written
    /// documents name this node's division from `topology`.
    pub fn new(store: NodeStore, gate: Gate, topology: Arc<Topology>) -> Self {
        OrdersService { store, gate, topology }
    }

    fn division(&self) -> Option<&str> {
        self.topology.get(self.store.me()).map(|d| d.name_zh.as_str())
    }

    /// An order held here that `caller` may see.
    fn visible(&self, caller: &Caller, id: &str) -> Result<Order> {
        let id = id.trim();
        OrderId::check_key(id)?;
        let o = self
            .store
            .order(id)?
            .ok_or_else(|| NodeError::NotFound(format!("本节点没有编号为 {id} 的中断连接通知")))?;
        if !may_see(caller, &o, self.store.me()) {
            return Err(NodeError::PermissionDenied("接入单位只能查看本单位的中断连接通知".into()));
        }
        Ok(o)
    }
}

/// An operator sees every order held here; a unit, its own orders issued here.
fn may_see(caller: &Caller, o: &Order, me: &NodeId) -> bool {
    match caller {
        Caller::Operator(_) => true,
        Caller::Unit(u) => &o.unit == u && &o.id.origin == me,
    }
}

fn answer(o: &Order) -> pb::Order {
    codec::order_to_pb(o, Some(calendar::today()))
}

/// The states a list asks for (empty: all); an unknown value is refused.
fn states(v: &[i32]) -> Result<Vec<OrderState>> {
    v.iter()
        .map(|s| OrderState::from_pb(*s).ok_or_else(|| NodeError::invalid("states", format!("未知的通知状态 {s}"))))
        .collect()
}

#[tonic::async_trait]
impl Orders for OrdersService {
    async fn issue_order(&self, req: Request<pb::IssueOrderRequest>) -> Result<Response<pb::Order>, Status> {
        let (by, r) = self.gate.operator_request(req)?;
        Once::new(&by, "IssueOrder", &r.request_id)?
            .answer(&self.store, async {
                let unit = codec::order_unit("unit_id", &r.unit_id)?;
                let o = order::issue(&self.store, &unit, &r.reason, r.working_days, &by, self.division()).await?;
                Ok(answer(&o))
            })
            .await
    }

    async fn act_on_order(&self, req: Request<pb::ActOnOrderRequest>) -> Result<Response<pb::Order>, Status> {
        let caller = self.gate.member_under_order(&req)?;
        let r = req.into_inner();
        Once::new(&caller.label(), "ActOnOrder", &r.request_id)?
            .answer(&self.store, async {
                let id = r.id.trim();
                OrderId::check_key(id)?;
                let action = codec::order_action_from_pb(&r)?;
                let unit = match &caller {
                    Caller::Unit(u) => Some(u),
                    Caller::Operator(_) => None,
                };
                let o = order::act(&self.store, id, action, &caller.label(), unit, self.division()).await?;
                Ok(answer(&o))
            })
            .await
    }

    async fn get_order(&self, req: Request<pb::GetOrderRequest>) -> Result<Response<pb::Order>, Status> {
        let caller = self.gate.member_under_order(&req)?;
        Ok(Response::new(answer(&self.visible(&caller, &req.get_ref().id)?)))
    }

    async fn list_orders(
        &self,
        req: Request<pb::ListOrdersRequest>,
    ) -> Result<Response<pb::ListOrdersResponse>, Status> {
        let caller = self.gate.member_under_order(&req)?;
        let r = req.into_inner();
        let page = paging::spec(&r.page_token, r.page_size, 0)?;
        let wanted = states(&r.states)?;
        let unit = match r.unit_id.trim() {
            "" => None,
            u => Some(codec::order_unit("unit_id", u)?),
        };
        let subtree = match r.subtree.trim() {
            "" => None,
            s => Some(NodeId::parse(s).map_err(|e| NodeError::invalid("subtree", e.to_string()))?),
        };
        let today = calendar::today();
        let me = self.store.me().clone();
        let rows: Vec<(String, Order)> = self
            .store
            .orders()?
            .into_iter()
            .filter(|o| may_see(&caller, o, &me))
            .filter(|o| wanted.is_empty() || wanted.contains(&o.state))
            .filter(|o| unit.as_ref().is_none_or(|u| &o.unit == u))
            .filter(|o| subtree.as_ref().is_none_or(|s| o.id.origin.is_within(s)))
            .filter(|o| !r.overdue_only || o.is_overdue(today))
            // the latest first
            .map(|o| (format!("{:020}|{}", i64::MAX - o.issued_at_ms(), o.id.key()), o))
            .collect();
        let (orders, next_page_token) = paging::fill(paging::after_key(rows, &page), &page, answer)?;
        Ok(Response::new(pb::ListOrdersResponse { orders, next_page_token }))
    }
}
