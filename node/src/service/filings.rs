//! The `Filings` service: operators file cutovers and system launches at
//! their own node, and list what their node and its subtree filed.

use extranet_certs::NodeId;
use extranet_proto::v1 as pb;
use extranet_proto::v1::filings_server::Filings;
use tonic::{Request, Response, Status};

use super::auth::{Caller, Gate};
use super::idempotent::{member_write, operator_write};
use super::paging;
use crate::calendar;
use crate::codec;
use crate::domain::{FilingDetails, FilingId};
use crate::error::{NodeError, Result};
use crate::ops::{self, filing};
use crate::store::NodeStore;

/// Serves `extranet.v1.Filings` for one node.
pub struct FilingsService {
    store: NodeStore,
    gate: Gate,
    /// Divisions counted in annual reports (default: Xizang).
    topology: std::sync::Arc<crate::topology::Topology>,
}

impl FilingsService {
    /// The service over `store`, authorising through `gate`. Art.21's notice
    /// rule uses the calendar in force in the store at each request.
    pub fn new(store: NodeStore, gate: Gate) -> Self {
        let topology = std::sync::Arc::new(crate::topology::Topology::xizang());
        FilingsService { store, gate, topology }
    }

    /// Uses `topology` for the subtree figures of annual reports.
    pub fn with_topology(mut self, topology: std::sync::Arc<crate::topology::Topology>) -> Self {
        self.topology = topology;
        self
    }
}

#[tonic::async_trait]
impl Filings for FilingsService {
    async fn file_cutover(&self, req: Request<pb::FileCutoverRequest>) -> Result<Response<pb::Filing>, Status> {
        operator_write(&self.gate, &self.store, "FileCutover", req, |by, r| async move {
            let today = calendar::today();
            let cutover = codec::cutover_request_from_pb(r.cutover, today)?;
            crate::domain::filing::check_window_ahead(&cutover, chrono::Utc::now().fixed_offset())?;
            crate::domain::filing::check_cutover(&cutover, &*self.store.calendar()?, today)?;
            Ok(codec::filing_to_pb(&filing::file_cutover(&self.store, cutover, &by).await?))
        })
        .await
    }

    async fn get_cutover_notice(
        &self,
        req: Request<pb::GetFilingRequest>,
    ) -> Result<Response<pb::WrittenNotice>, Status> {
        let id = req.get_ref().id.trim().to_string();
        let f = self.get_filing(req).await?.into_inner();
        let f = codec::filing_from_pb(f)?;
        let division = self.topology.get(&f.id.origin).map(|d| d.name_zh.as_str());
        let notice = crate::domain::cutover_notice::cutover_notice(&f, division)
            .ok_or_else(|| NodeError::invalid("id", format!("{id} 不是割接备案，没有割接通知")))?;
        Ok(Response::new(codec::notice_to_pb(&notice)))
    }

    async fn file_launch(&self, req: Request<pb::FileLaunchRequest>) -> Result<Response<pb::Filing>, Status> {
        member_write(&self.gate, &self.store, "FileLaunch", req, |caller, r| async move {
            let launch = codec::launch_from_pb(r.launch, self.store.me())?;
            let unit = caller.unit_for("launch.owning_unit", &launch.owning_unit)?;
            Ok(codec::filing_to_pb(&ops::launch::file_launch(&self.store, launch, &unit, &caller.label()).await?))
        })
        .await
    }

    async fn file_system_change(
        &self,
        req: Request<pb::FileSystemChangeRequest>,
    ) -> Result<Response<pb::Filing>, Status> {
        member_write(&self.gate, &self.store, "FileSystemChange", req, |caller, r| async move {
            let change = codec::change_from_pb(r.change, self.store.me())?;
            let unit = caller.unit_for("change.system.owning_unit", &change.system.owning_unit)?;
            Ok(codec::filing_to_pb(&ops::launch::file_change(&self.store, change, &unit, &caller.label()).await?))
        })
        .await
    }

    async fn file_annual_report(
        &self,
        req: Request<pb::FileAnnualReportRequest>,
    ) -> Result<Response<pb::Filing>, Status> {
        operator_write(&self.gate, &self.store, "FileAnnualReport", req, |by, r| async move {
            let f = ops::report::file_annual(&self.store, &self.topology, &r, &by).await?;
            Ok(codec::filing_to_pb(&f))
        })
        .await
    }

    async fn draft_annual_report(
        &self,
        req: Request<pb::DraftAnnualReportRequest>,
    ) -> Result<Response<pb::AnnualReportDetails>, Status> {
        let (_, r) = self.gate.operator_request(req)?;
        let now = crate::store::health::now_ms();
        let d = ops::report::draft(&self.store, &self.topology, r.year, String::new(), now)?;
        Ok(Response::new(codec::annual_report_to_pb(&d)))
    }

    async fn list_filings(
        &self,
        req: Request<pb::ListFilingsRequest>,
    ) -> Result<Response<pb::ListFilingsResponse>, Status> {
        let (caller, r) = self.gate.member_request(req)?;
        let sees = |f: &crate::domain::Filing| visible(&caller, self.store.me(), f);
        let subtree = match r.subtree.trim() {
            "" => None,
            s => Some(NodeId::parse(s).map_err(|e| NodeError::invalid("subtree", e.to_string()))?),
        };
        let page = paging::spec(&r.page_token, r.page_size, r.limit)?;
        let kind = r.kind.trim();
        if !kind.is_empty() && !FilingDetails::KIND_CODES.contains(&kind) {
            let known = FilingDetails::KIND_CODES.join("、");
            return Err(NodeError::invalid("kind", format!("“{kind}” 不是备案类型，应为 {known} 之一")).into());
        }
        // sled is read lazily while the page fills: off the runtime's workers.
        let (filings, next_page_token) = crate::store::blocking(|| {
            let rows = self.store.filings_desc(page.after.as_deref()).filter(|item| {
                item.as_ref().map_or(true, |(_, f)| {
                    sees(f)
                        && subtree.as_ref().is_none_or(|s| f.id.origin.is_within(s))
                        && (kind.is_empty() || f.details.kind_code() == kind)
                })
            });
            paging::fill(rows, &page, codec::filing_to_pb)
        })?;
        Ok(Response::new(pb::ListFilingsResponse { filings, next_page_token }))
    }

    async fn get_filing(&self, req: Request<pb::GetFilingRequest>) -> Result<Response<pb::Filing>, Status> {
        let caller = self.gate.member(&req)?;
        let id = req.into_inner().id.trim().to_string();
        FilingId::check_key(&id).map_err(NodeError::from)?;
        let f = self.store.filing(&id)?.filter(|f| visible(&caller, self.store.me(), f));
        let f = f.ok_or_else(|| NodeError::NotFound(format!("本节点没有编号为 {id} 的备案")))?;
        Ok(Response::new(codec::filing_to_pb(&f)))
    }
}

/// An operator reads every filing held here; a unit only those of this
/// node that concern it (its systems' launches and changes, the cutovers
/// that affect it).
fn visible(caller: &Caller, me: &NodeId, f: &crate::domain::Filing) -> bool {
    match caller {
        Caller::Operator(_) => true,
        Caller::Unit(u) => &f.id.origin == me && f.concerns_unit(u.as_str()),
    }
}
