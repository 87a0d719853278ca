//! `extranet.v1.Ipam` over gRPC: every RPC authorised as an operator of
//! this node, validated at the edge, then handed to [`Ipam`].

use extranet_certs::NodeId;
use extranet_proto::v1 as pb;
use extranet_proto::v1::ipam_server::Ipam as IpamRpc;
use ipnet::IpNet;
use tonic::{Request, Response, Status};

use crate::codec;
use crate::domain::ipam::{AssigneeId, Assignment, parse_prefix};
use crate::domain::limits;
use crate::error::{NodeError, Result};
use crate::ops::ipam::Ipam;
use crate::ops::ipam::grant::AssignSpec;
use crate::service::auth::Gate;
use crate::service::idempotent::Once;
use crate::store::NodeStore;

/// Serves `extranet.v1.Ipam` for one node.
pub struct IpamService {
    ipam: Ipam,
    gate: Gate,
}

impl IpamService {
    /// The service over `ipam`, authorising through `gate`.
    pub fn new(ipam: Ipam, gate: Gate) -> Self {
        IpamService { ipam, gate }
    }

    /// Answers a write `method` of `by` once per request id (see [`Once`]).
    async fn once<M: prost::Message + Default>(
        &self,
        by: &str,
        method: &str,
        request_id: &str,
        body: impl Future<Output = Result<M>>,
    ) -> Result<Response<M>, Status> {
        Once::new(by, method, request_id)?.answer(self.ipam.store(), body).await
    }

    /// A write `method` of `by` to the pool itself at field `prefix`,
    /// answered once per request id with the pool as it stands afterwards.
    async fn pool_write<F: Future<Output = Result<()>>>(
        &self,
        (by, method, request_id): (&str, &str, &str),
        prefix: &str,
        body: impl FnOnce(IpNet) -> F,
    ) -> Result<Response<pb::PoolView>, Status> {
        let net = parse_prefix("prefix", prefix).map_err(NodeError::from)?;
        self.once(by, method, request_id, body(net)).await?;
        Ok(Response::new(pool_view(&self.ipam)?))
    }
}

impl IpamService {
    /// A unit's registered name, or empty when it cannot be read.
    fn unit_name(&self, unit: &crate::domain::UnitId) -> String {
        self.ipam.store().unit(unit).ok().flatten().map(|u| u.name).unwrap_or_default()
    }
}

fn length(field: &'static str, v: u32) -> Result<Option<u8>> {
    match v {
        0 => Ok(None),
        1..=128 => Ok(Some(v as u8)),
        _ => Err(NodeError::invalid(field, "前缀长度应在 1–128 之间")),
    }
}

fn prefix_opt(field: &'static str, s: &str) -> Result<Option<IpNet>> {
    if s.trim().is_empty() { Ok(None) } else { Ok(Some(parse_prefix(field, s)?)) }
}

fn text_opt(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

fn share(part: u128, total: u128) -> f64 {
    if total == 0 { 0.0 } else { part as f64 / total as f64 }
}

fn pool_view(ipam: &Ipam) -> Result<pb::PoolView> {
    let s = ipam.summary()?;
    Ok(pb::PoolView {
        node: ipam.store().me().to_string(),
        roots: s
            .usage
            .iter()
            .map(|u| pb::RootUsage {
                root: u.root.to_string(),
                delegated: share(u.delegated, u.total),
                assigned: share(u.assigned, u.total),
                reserved: share(u.reserved, u.total),
                quarantined: share(u.quarantined, u.total),
            })
            .collect(),
        largest_free: s.largest_free.iter().map(|n| n.to_string()).collect(),
        ipv6_share: s.ipv6_share,
        assignments: s.assignments as u64,
        delegations: s.delegations as u64,
        flagged: flagged(ipam.store())?,
    })
}

/// The answer for an assignment, flagged with the standing disconnection
/// order of its assignee if it is a unit of this node under one (Art.25(4)).
fn flag(store: &NodeStore, a: &Assignment) -> Result<pb::AssignmentRecord> {
    let mut r = codec::assignment_to_pb(a);
    if &a.id.node == store.me() {
        r.disconnected_by = store.disconnection(a.assignee.as_str())?.map(|d| d.order).unwrap_or_default();
    }
    Ok(r)
}

/// Live assignments of this node whose assignee is disconnected, flagged:
/// read only while some unit is (the index is empty otherwise).
fn flagged(store: &NodeStore) -> Result<Vec<pb::AssignmentRecord>> {
    if store.disconnections()?.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for a in store.ipam_assignments()?.iter().filter(|a| a.is_live() && &a.id.node == store.me()) {
        let r = flag(store, a)?;
        if !r.disconnected_by.is_empty() {
            out.push(r);
        }
    }
    Ok(out)
}

/// Parses an address or a prefix for lookup.
fn address(s: &str) -> Result<IpNet> {
    let t = s.trim();
    t.parse::<IpNet>()
        .map(|n| n.trunc())
        .or_else(|_| t.parse::<std::net::IpAddr>().map(IpNet::from))
        .map_err(|_| NodeError::invalid("address", format!("“{t}” 不是 IP 地址或前缀")))
}

#[tonic::async_trait]
impl IpamRpc for IpamService {
    async fn add_root(&self, req: Request<pb::AddRootRequest>) -> Result<Response<pb::PoolView>, Status> {
        let (by, r) = self.gate.operator_request(req)?;
        self.pool_write((&by, "AddRoot", &r.request_id), &r.prefix, |net| self.ipam.add_root(net)).await
    }

    async fn reserve(&self, req: Request<pb::ReserveRequest>) -> Result<Response<pb::PoolView>, Status> {
        let (by, r) = self.gate.operator_request(req)?;
        let (net, note) = (parse_prefix("prefix", &r.prefix).map_err(NodeError::from)?, codec::text("note", &r.note)?);
        self.once(&by, "Reserve", &r.request_id, self.ipam.reserve(net, &note, &by)).await?;
        Ok(Response::new(pool_view(&self.ipam)?))
    }

    async fn unreserve(&self, req: Request<pb::UnreserveRequest>) -> Result<Response<pb::PoolView>, Status> {
        let (by, r) = self.gate.operator_request(req)?;
        self.pool_write((&by, "Unreserve", &r.request_id), &r.prefix, |net| self.ipam.unreserve(net)).await
    }

    async fn delegate(&self, req: Request<pb::DelegateRequest>) -> Result<Response<pb::DelegationRecord>, Status> {
        let (by, r) = self.gate.operator_request(req)?;
        let child = NodeId::parse(r.child.trim()).map_err(|e| NodeError::invalid("child", e.to_string()))?;
        let (len, prefix) = (length("length", r.length)?, prefix_opt("prefix", &r.prefix)?);
        let d = self.ipam.delegate(&child, !r.ipv4, len, prefix, &by);
        self.once(&by, "Delegate", &r.request_id, async { Ok(codec::delegation_to_pb(&d.await?)) }).await
    }

    async fn assign(&self, req: Request<pb::AssignRequest>) -> Result<Response<pb::AssignmentRecord>, Status> {
        let (by, r) = self.gate.operator_request(req)?;
        let spec = AssignSpec {
            v6: !r.ipv4,
            len: length("length", r.length)?,
            prefix: prefix_opt("prefix", &r.prefix)?,
            purpose: codec::purpose_from_pb(r.purpose)?,
            assignee: AssigneeId::new(&r.assignee).map_err(NodeError::from)?,
            serves: codec::text("serves", &r.serves)?,
            ipv4_justification: text_opt(&r.ipv4_justification),
            ipv4_approved_by: text_opt(&r.ipv4_approved_by),
        };
        let a = self.ipam.assign(spec, &by);
        let store = self.ipam.store().clone();
        self.once(&by, "Assign", &r.request_id, async { flag(&store, &a.await?) }).await
    }

    async fn free(&self, req: Request<pb::FreeRequest>) -> Result<Response<pb::AssignmentRecord>, Status> {
        let (by, r) = self.gate.operator_request(req)?;
        let number = codec::assignment_number(self.ipam.store().me(), &r.id)?;
        let reason = limits::optional_text("reason", &r.reason).map_err(NodeError::from)?;
        let a = self.ipam.free(number, &by, &reason);
        let store = self.ipam.store().clone();
        self.once(&by, "Free", &r.request_id, async { flag(&store, &a.await?) }).await
    }

    async fn reclaim_assignee(
        &self,
        req: Request<pb::ReclaimAssigneeRequest>,
    ) -> Result<Response<pb::LedgerRecord>, Status> {
        let (by, r) = self.gate.operator_request(req)?;
        let assignee = AssigneeId::new(&r.assignee).map_err(NodeError::from)?;
        let reason = codec::text("reason", &r.reason)?;
        let e = self.ipam.reclaim_assignee(&assignee, &by, &reason);
        self.once(&by, "ReclaimAssignee", &r.request_id, async { Ok(codec::ledger_to_pb(&e.await?)) }).await
    }

    async fn reclaim_delegation(
        &self,
        req: Request<pb::ReclaimDelegationRequest>,
    ) -> Result<Response<pb::DelegationRecord>, Status> {
        let (by, r) = self.gate.operator_request(req)?;
        let net = parse_prefix("prefix", &r.prefix).map_err(NodeError::from)?;
        let reason = limits::optional_text("reason", &r.reason).map_err(NodeError::from)?;
        let d = self.ipam.reclaim_delegation(net, r.force, &by, &reason);
        self.once(&by, "ReclaimDelegation", &r.request_id, async { Ok(codec::delegation_to_pb(&d.await?)) }).await
    }

    async fn show(&self, req: Request<pb::ShowRequest>) -> Result<Response<pb::PoolView>, Status> {
        self.gate.operator(&req)?;
        Ok(Response::new(pool_view(&self.ipam)?))
    }

    async fn available(&self, req: Request<pb::AvailableRequest>) -> Result<Response<pb::AvailableResponse>, Status> {
        let (_, r) = self.gate.operator_request(req)?;
        let max = if r.ipv4 { 32 } else { 128 };
        let len = length("length", r.length)?
            .filter(|l| *l <= max)
            .ok_or_else(|| NodeError::invalid("length", format!("请给出 1–{max} 之间的前缀长度")))?;
        let limit = if r.limit == 0 { 20 } else { r.limit.min(10_000) as usize };
        let nets = self.ipam.available(len, !r.ipv4, limit)?;
        Ok(Response::new(pb::AvailableResponse { prefixes: nets.iter().map(|n| n.to_string()).collect() }))
    }

    async fn lookup(&self, req: Request<pb::LookupRequest>) -> Result<Response<pb::LookupResponse>, Status> {
        self.gate.operator(&req)?;
        let net = address(&req.into_inner().address)?;
        let (ds, a) = self.ipam.lookup(&net)?;
        Ok(Response::new(pb::LookupResponse {
            delegations: ds.iter().map(codec::delegation_to_pb).collect(),
            assignment: a.as_ref().map(|a| flag(self.ipam.store(), a)).transpose()?,
        }))
    }

    async fn verify(&self, req: Request<pb::VerifyRequest>) -> Result<Response<pb::VerifyResponse>, Status> {
        self.gate.operator(&req)?;
        let r = self.ipam.verify()?;
        Ok(Response::new(pb::VerifyResponse {
            nodes: r.nodes as u64,
            delegations: r.delegations as u64,
            assignments: r.assignments as u64,
            problems: r.problems,
        }))
    }

    async fn request_space(
        &self,
        req: Request<pb::RequestSpaceRequest>,
    ) -> Result<Response<pb::SpaceRequestRecord>, Status> {
        let (by, r) = self.gate.operator_request(req)?;
        let reason = codec::text("reason", &r.reason)?;
        let got = self.ipam.request_space(!r.ipv4, length("length", r.length)?, &reason, &by);
        self.once(&by, "RequestSpace", &r.request_id, async { Ok(codec::request_to_pb(&got.await?)) }).await
    }

    async fn decide(&self, req: Request<pb::DecideRequest>) -> Result<Response<pb::SpaceRequestRecord>, Status> {
        let (by, r) = self.gate.operator_request(req)?;
        let id = codec::request_id(self.ipam.store().me(), &r.id)?;
        let reason = limits::optional_text("reason", &r.reason).map_err(NodeError::from)?;
        let got = self.ipam.decide(&id, r.grant, &reason, &by);
        self.once(&by, "Decide", &r.request_id, async { Ok(codec::request_to_pb(&got.await?)) }).await
    }

    async fn list_requests(
        &self,
        req: Request<pb::ListRequestsRequest>,
    ) -> Result<Response<pb::ListRequestsResponse>, Status> {
        let (_, r) = self.gate.operator_request(req)?;
        let page = crate::service::paging::spec(&r.page_token, r.page_size, 0)?;
        // oldest first; the key keeps that order as a string
        let all =
            self.ipam.store().ipam_requests()?.into_iter().map(|q| (format!("{:020}|{}", q.at_ms.max(0), q.id), q));
        let rows = crate::service::paging::after_key(all.collect(), &page);
        let (requests, next_page_token) = crate::service::paging::fill(rows, &page, codec::request_to_pb)?;
        Ok(Response::new(pb::ListRequestsResponse { requests, next_page_token }))
    }

    async fn export(&self, req: Request<pb::ExportRequest>) -> Result<Response<pb::ExportResponse>, Status> {
        self.gate.operator(&req)?;
        Ok(Response::new(pb::ExportResponse { csv: self.ipam.export_csv()? }))
    }

    async fn request_system_addresses(
        &self,
        req: Request<pb::RequestSystemAddressesRequest>,
    ) -> Result<Response<pb::SystemRequestRecord>, Status> {
        let (caller, r) = self.gate.member_request(req)?;
        let unit = caller.unit_for("unit_id", &r.unit_id)?;
        let form = codec::system_form_from_pb(&r)?;
        let by = caller.label();
        let got = self.ipam.request_system(&unit, form, &by);
        let name = self.unit_name(&unit);
        self.once(&by, "RequestSystemAddresses", &r.request_id, async {
            Ok(codec::system_request_to_pb(&got.await?, &name))
        })
        .await
    }

    async fn decide_system_request(
        &self,
        req: Request<pb::DecideSystemRequestRequest>,
    ) -> Result<Response<pb::SystemRequestRecord>, Status> {
        let (by, r) = self.gate.operator_request(req)?;
        let key = r.id.trim();
        crate::domain::ipam::SystemRequestId::check_key(key).map_err(NodeError::from)?;
        let number = key.rsplit_once("-Q").and_then(|(_, n)| n.parse().ok()).unwrap_or_default();
        let id = crate::domain::ipam::SystemRequestId { node: self.ipam.store().me().clone(), number };
        let reason = limits::optional_text("reason", &r.reason).map_err(NodeError::from)?;
        let got = self.ipam.decide_system(&id, r.grant, &reason, &by);
        self.once(&by, "DecideSystemRequest", &r.request_id, async {
            let d = got.await?;
            Ok(codec::system_request_to_pb(&d, &self.unit_name(&d.unit)))
        })
        .await
    }

    async fn list_system_requests(
        &self,
        req: Request<pb::ListSystemRequestsRequest>,
    ) -> Result<Response<pb::ListSystemRequestsResponse>, Status> {
        let (caller, r) = self.gate.member_request(req)?;
        let requests = self
            .ipam
            .store()
            .system_requests()?
            .into_iter()
            .filter(|q| !r.pending_only || q.is_pending())
            .filter(|q| match &caller {
                crate::service::Caller::Operator(_) => true,
                crate::service::Caller::Unit(u) => &q.unit == u,
            })
            .map(|q| codec::system_request_to_pb(&q, &self.unit_name(&q.unit)))
            .collect();
        Ok(Response::new(pb::ListSystemRequestsResponse { requests }))
    }
}
