//! The `Access` service: units submit applications at their node; Art.15
//! decides who must decide them, and an application lodged at the wrong node
//! is forwarded there; the owner moves it through review, approval,
//! implementation or rejection against the Art.16 clocks; every change goes
//! back to where it was lodged.

use std::sync::Arc;

use chrono::NaiveDate;
use extranet_certs::NodeId;
use extranet_proto::v1 as pb;
use extranet_proto::v1::access_server::Access;
use tonic::{Request, Response, Status};

use super::auth::{Caller, Gate};
use super::idempotent::Once;
use crate::calendar;
use crate::codec::{self};
use crate::domain::{Application, ApplicationId, UnitId};
use crate::error::{NodeError, Result};
use crate::ops::access::{Decision, current, decide, overdue, route, submit};
use crate::store::NodeStore;
use crate::topology::Topology;

/// Serves `extranet.v1.Access` for one node.
pub struct AccessService {
    store: NodeStore,
    gate: Gate,
    /// Division names, for written notices.
    topology: Arc<Topology>,
}

impl AccessService {
    /// The service over `store`, authorising through `gate`, naming
    /// divisions from `topology`.
    pub fn new(store: NodeStore, gate: Gate, topology: Arc<Topology>) -> Self {
        AccessService { store, gate, topology }
    }
}

fn check_id(id: &str) -> Result<String> {
    let id = id.trim().to_string();
    ApplicationId::check_key(&id)?;
    Ok(id)
}

impl AccessService {
    /// An application held here that `caller` may see.
    fn visible(&self, caller: &Caller, id: &str) -> Result<Application> {
        let id = check_id(id)?;
        let app =
            self.store.application(&id)?.ok_or_else(|| NodeError::NotFound(format!("本节点没有编号为 {id} 的申请")))?;
        if let Caller::Unit(own) = caller
            && !is_own(&app, own, self.store.me())
        {
            return Err(NodeError::PermissionDenied(format!("接入单位 {own} 只能查看本单位的申请")));
        }
        let mut app = app;
        app.refresh_deadlines(&*self.store.calendar_for(&app.routing.competent)?);
        Ok(app)
    }

    /// Applies an operator's decision, once per request id of `method`.
    async fn decide(
        &self,
        (by, method, request_id): (String, &str, &str),
        id: &str,
        d: Decision,
    ) -> Result<Response<pb::Application>, Status> {
        Once::new(&by, method, request_id)?
            .answer(&self.store, async {
                let id = check_id(id)?;
                let division = self.topology.get(self.store.me()).map(|d| d.name_zh.as_str());
                let app = decide(&self.store, &id, d, &by, division).await?;
                Ok(codec::application_to_pb(&app, self.store.me()))
            })
            .await
    }
}

/// The date a query is counted at: `v`, or today.
fn as_of(v: &str) -> Result<NaiveDate> {
    match v.trim() {
        "" => Ok(calendar::today()),
        s => codec::date("as_of", s),
    }
}

fn is_own(app: &Application, unit: &UnitId, me: &NodeId) -> bool {
    &app.unit.id == unit && &app.unit.node == me
}

/// The unit a request is about: a unit may name only itself (or leave it
/// out); an operator must name one.
fn unit_in_request(caller: &Caller, requested: &str) -> Result<UnitId> {
    caller.unit_for("unit_id", requested)
}

fn nonempty(field: &'static str, v: &str, rule: &str) -> Result<String> {
    let v = v.trim();
    if v.is_empty() { Err(NodeError::invalid(field, rule.to_string())) } else { codec::text(field, v) }
}

#[tonic::async_trait]
impl Access for AccessService {
    async fn route(&self, req: Request<pb::RouteRequest>) -> Result<Response<pb::RouteDecision>, Status> {
        let (caller, r) = self.gate.member_request(req)?;
        let id = unit_in_request(&caller, &r.unit_id)?;
        let unit = self.store.unit(&id)?.ok_or_else(|| NodeError::NotFound(format!("本节点没有登记单位 {id}")))?;
        let decision = route(&unit, codec::span_from_pb(r.span)?)?;
        Ok(Response::new(codec::route_to_pb(&decision, self.store.me())))
    }

    async fn submit(&self, req: Request<pb::SubmitRequest>) -> Result<Response<pb::Application>, Status> {
        let (caller, r) = self.gate.member_request(req)?;
        Once::new(&caller.label(), "Submit", &r.request_id)?
            .answer(&self.store, async {
                let unit = unit_in_request(&caller, &r.unit_id)?;
                let kind = codec::kind_from_pb(r.kind)?;
                let form = codec::form_from_pb(r.form, kind)?;
                let app = submit(&self.store, &unit, kind, form, &caller.label()).await?;
                Ok(codec::application_to_pb(&app, self.store.me()))
            })
            .await
    }

    async fn list_applications(
        &self,
        req: Request<pb::ListApplicationsRequest>,
    ) -> Result<Response<pb::ListApplicationsResponse>, Status> {
        let (caller, r) = self.gate.member_request(req)?;
        let state = codec::state_from_pb(r.state)?;
        let due_before = match r.due_before.trim() {
            "" => None,
            s => Some(codec::date("due_before", s)?),
        };
        let me = self.store.me();
        let cal = self.store.calendar()?;
        let today = calendar::today();
        let page = super::paging::spec(&r.page_token, r.page_size, 0)?;
        let apps: Vec<(String, Application)> = current(&self.store, self.store.applications()?)?
            .into_iter()
            .filter(|a| match &caller {
                Caller::Unit(own) => is_own(a, own, me),
                Caller::Operator(_) => true,
            })
            .filter(|a| state.is_none_or(|s| a.state == s))
            .filter(|a| due_before.is_none_or(|d| a.next_due().is_some_and(|n| n <= d)))
            .filter(|a| !r.overdue || !a.overdue(&cal, today).is_empty())
            .map(|a| (due_order_key(&a), a))
            .collect();
        let rows = super::paging::after_key(apps, &page);
        let (applications, next_page_token) =
            super::paging::fill(rows, &page, |a: &Application| codec::application_to_pb(a, me))?;
        Ok(Response::new(pb::ListApplicationsResponse { applications, next_page_token }))
    }

    async fn get_application(
        &self,
        req: Request<pb::GetApplicationRequest>,
    ) -> Result<Response<pb::Application>, Status> {
        let caller = self.gate.member(&req)?;
        let app = self.visible(&caller, &req.into_inner().id)?;
        Ok(Response::new(codec::application_to_pb(&app, self.store.me())))
    }

    async fn review(&self, req: Request<pb::ReviewRequest>) -> Result<Response<pb::Application>, Status> {
        let (by, r) = self.gate.operator_request(req)?;
        self.decide((by, "Review", &r.request_id), &r.id, Decision::Review).await
    }

    async fn approve(&self, req: Request<pb::ApproveRequest>) -> Result<Response<pb::Application>, Status> {
        let (by, r) = self.gate.operator_request(req)?;
        let plan = nonempty("access_plan", &r.access_plan, "批准时须附与申请单位共同制定的接入方案（第十六条）")?;
        self.decide((by, "Approve", &r.request_id), &r.id, Decision::Approve(plan)).await
    }

    async fn reject(&self, req: Request<pb::RejectRequest>) -> Result<Response<pb::Application>, Status> {
        let (by, r) = self.gate.operator_request(req)?;
        let reasons = nonempty("reasons", &r.reasons, "审核未通过须书面告知原因（第十六条）")?;
        self.decide((by, "Reject", &r.request_id), &r.id, Decision::Reject(reasons)).await
    }

    async fn implement(&self, req: Request<pb::ImplementRequest>) -> Result<Response<pb::Application>, Status> {
        let (by, r) = self.gate.operator_request(req)?;
        let d = if r.done { Decision::Complete } else { Decision::StartImplementing };
        self.decide((by, "Implement", &r.request_id), &r.id, d).await
    }

    async fn withdraw(&self, req: Request<pb::WithdrawRequest>) -> Result<Response<pb::Application>, Status> {
        let (by, r) = self.gate.operator_request(req)?;
        let devices =
            crate::domain::limits::items("devices", &r.devices, crate::domain::limits::MAX_WITHDRAWAL_DEVICES)
                .map_err(NodeError::from)?;
        self.decide((by, "Withdraw", &r.request_id), &r.id, Decision::Withdraw(devices)).await
    }

    async fn overdue(&self, req: Request<pb::OverdueRequest>) -> Result<Response<pb::OverdueResponse>, Status> {
        let (_, r) = self.gate.operator_request(req)?;
        let today = as_of(&r.as_of)?;
        let cal = self.store.calendar()?;
        let apps = current(&self.store, self.store.applications()?)?;
        let items = overdue(&apps, self.store.me(), &cal, today)
            .into_iter()
            .map(|l| pb::OverdueItem {
                id: l.application.id.key(),
                unit_name: l.application.unit.name.clone(),
                state: codec::state_to_pb(l.application.state) as i32,
                deadline: l.name.into(),
                due: l.deadline.due.to_string(),
                working_days_late: l.working_days,
                calendar_version: l.deadline.calendar_version,
                provisional: l.deadline.provisional,
            })
            .collect();
        Ok(Response::new(pb::OverdueResponse { today: today.to_string(), items }))
    }

    async fn overdue_counts(
        &self,
        req: Request<pb::OverdueCountsRequest>,
    ) -> Result<Response<pb::OverdueCountsResponse>, Status> {
        self.gate.operator(&req)?;
        let today = as_of(&req.into_inner().as_of)?;
        let cal = self.store.calendar()?;
        let me = self.store.me();
        let own = self.store.applications()?.into_iter().filter(|a| a.owned_by(me)).map(|a| a.summary());
        let mut rows: std::collections::BTreeMap<NodeId, pb::NodeOverdue> = Default::default();
        for mut s in own.chain(self.store.deadline_summaries()?).filter(|s| !s.state.is_final()) {
            s.deadlines.refresh(&*self.store.calendar_for(&s.owner)?);
            let row = rows
                .entry(s.owner.clone())
                .or_insert_with(|| pb::NodeOverdue { node: s.owner.to_string(), ..Default::default() });
            let late = s.deadlines.overdue(s.state, &cal, today);
            row.open_applications += 1;
            row.overdue_applications += u32::from(!late.is_empty());
            row.overdue_deadlines += late.len() as u32;
            row.most_working_days_late = late.iter().map(|l| l.2).fold(row.most_working_days_late, i64::max);
        }
        Ok(Response::new(pb::OverdueCountsResponse { today: today.to_string(), nodes: rows.into_values().collect() }))
    }

    async fn get_notice(&self, req: Request<pb::GetNoticeRequest>) -> Result<Response<pb::WrittenNotice>, Status> {
        let caller = self.gate.member(&req)?;
        let app = self.visible(&caller, &req.into_inner().id)?;
        let r = app.rejection.ok_or_else(|| {
            NodeError::precondition(format!(
                "申请 {} 当前为“{}”，没有书面告知书（只在审核未通过时出具）",
                app.id,
                app.state.zh()
            ))
        })?;
        Ok(Response::new(codec::notice_to_pb(&r.notice)))
    }

    async fn export_ledger(&self, req: Request<pb::ExportLedgerRequest>) -> Result<Response<pb::LedgerExport>, Status> {
        self.gate.operator(&req)?;
        let entries = self.store.ledger()?;
        Ok(Response::new(pb::LedgerExport {
            csv: crate::domain::ledger::to_csv(&entries),
            entries: entries.len() as u32,
            rows: entries.iter().map(codec::ledger_entry_to_pb).collect(),
        }))
    }
}

/// The list order of applications as a string (earliest next deadline first,
/// those with none last, then by id), which is also their page token.
fn due_order_key(a: &Application) -> String {
    match a.next_due() {
        Some(d) => format!("0{d}|{}", a.id.key()),
        None => format!("1|{}", a.id.key()),
    }
}
