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
use super::idempotent::{self, Once};
use crate::calendar;
use crate::codec::{self, AccessMessage};
use crate::domain::access::Deadline;
use crate::domain::ledger::{ChecklistItem, DEFAULT_DEVICES};
use crate::domain::notice::NoticeFacts;
use crate::domain::routing::competent_authority;
use crate::domain::{
    AccessUnit, Action, AppState, Application, ApplicationForm, ApplicationId, ApplicationKind, Deadlines, LedgerEntry,
    RoutingDecision, RoutingInput, Transition, UnitId, UnitStatus, WrittenNotice,
};
use crate::error::{NodeError, Result};
use crate::reclaim;
use crate::replicate::{announce, send_access, sync_unit_status};
use crate::store::{NodeStore, Tx, TxResult, abort};
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

/// The competent authority for `unit`'s application spanning `span`.
pub fn route(unit: &AccessUnit, span: crate::domain::AccessSpan) -> Result<RoutingDecision> {
    Ok(competent_authority(&RoutingInput {
        division: unit.division.clone(),
        township: unit.township,
        vertically_managed: unit.vertically_managed,
        span,
    })?)
}

/// Whether a unit in `status` may lodge an application of `kind`: new
/// access unless already connected; changes and withdrawal only with access.
fn check_unit_may_apply(unit: &AccessUnit, kind: ApplicationKind) -> Result<()> {
    let ok = match kind {
        ApplicationKind::New => matches!(unit.status, UnitStatus::Applying | UnitStatus::Withdrawn),
        _ => matches!(unit.status, UnitStatus::Connected | UnitStatus::Suspended),
    };
    if ok {
        return Ok(());
    }
    Err(NodeError::FailedPrecondition(format!(
        "单位 {}（{}）当前为“{}”，不能提交{}：{}",
        unit.name,
        unit.id,
        unit.status.zh(),
        kind.zh(),
        if kind == ApplicationKind::New {
            "已接入的单位应提交变更申请"
        } else {
            "尚未接入的单位应先提交接入申请"
        }
    )))
}

/// Lodges an application of unit `unit_id` at this node: routed by Art.15,
/// its clocks started, and — when another node must decide — forwarded
/// there in the same write. Returns once durable.
pub async fn submit(
    store: &NodeStore,
    unit_id: &UnitId,
    kind: ApplicationKind,
    form: ApplicationForm,
    by: &str,
) -> Result<Application> {
    let cal = store.calendar()?;
    let today = calendar::today();
    let app = store.transact(|tx| {
        let Some(unit) = tx.unit(unit_id)? else {
            return abort(NodeError::NotFound(format!(
                "本节点没有登记单位 {unit_id}，请先登记（extranet unit register）"
            )));
        };
        check_unit_may_apply(&unit, kind).or_else(abort)?;
        let routing = route(&unit, form.span).or_else(abort)?;
        let me = tx.me().clone();
        let number = tx.next_number("application")?;
        let forwarded = routing.competent != me;
        let note = if forwarded {
            format!("转交 {}：{}", routing.competent, routing.reason)
        } else {
            routing.reason.clone()
        };
        let app = Application {
            id: ApplicationId { origin: me.clone(), number },
            kind,
            unit,
            form: form.clone(),
            submitted_on: today,
            submitted_by: by.to_string(),
            routing,
            state: AppState::Submitted,
            revision: 1,
            access_plan: None,
            rejection: None,
            deadlines: Deadlines::at_submission(&cal, today),
            ledger_number: None,
            history: vec![Transition {
                state: AppState::Submitted,
                at_ms: tx.now_ms(),
                by: by.to_string(),
                node: me,
                note,
            }],
        };
        tx.put_application(&app)?;
        if forwarded {
            send_access(
                tx,
                &AccessMessage::Forward { to: app.routing.competent.clone(), application: Box::new(app.clone()) },
            )?;
        } else {
            announce(tx, &app)?;
        }
        let here = tx.me().clone();
        idempotent::record(tx, || codec::application_to_pb(&app, &here))?;
        Ok(app)
    })?;
    store.sync().await?;
    tracing::info!(application = %app.id, kind = app.kind.zh(), competent = %app.routing.competent, by, "application lodged");
    Ok(app)
}

/// What an operator asks the owner to do; turned into an [`Action`] inside
/// the write, where the notice and ledger numbers are known.
#[derive(Clone, Debug)]
pub enum Decision {
    /// Take up for review.
    Review,
    /// Approve with the access plan.
    Approve(String),
    /// Reject with reasons (a written notice is issued).
    Reject(String),
    /// Start implementing.
    StartImplementing,
    /// Implementation done.
    Complete,
    /// Carry out a withdrawal, reclaiming these devices.
    Withdraw(Vec<String>),
}

/// Applies an operator's decision to an application this node owns, in one
/// write with its consequences (notice, ledger entry and address-reclaim
/// request, unit status, the record sent back to the lodging node).
/// `division` is this node's division name, for the notice.
pub async fn decide(
    store: &NodeStore,
    key: &str,
    decision: Decision,
    by: &str,
    division: Option<&str>,
) -> Result<Application> {
    let cal = store.calendar()?;
    let today = calendar::today();
    let app = store.transact(|tx| {
        let me = tx.me().clone();
        let Some(mut app) = tx.application(key)? else {
            return abort(NodeError::NotFound(format!("本节点没有编号为 {key} 的申请")));
        };
        if !app.owned_by(&me) {
            return abort(NodeError::PermissionDenied(format!(
                "申请 {key} 由 {} 审批（第十五条），本节点 {me} 的操作员无权办理",
                app.routing.competent
            )));
        }
        let action = match &decision {
            Decision::Review => Action::Review,
            Decision::Approve(plan) => Action::Approve { plan: plan.clone() },
            Decision::StartImplementing => Action::StartImplementing,
            Decision::Complete => Action::Complete,
            Decision::Reject(reasons) => {
                let notice = WrittenNotice::issue(&NoticeFacts {
                    application: &app.id.key(),
                    kind: app.kind.zh(),
                    unit_name: &app.unit.name,
                    submitted_on: app.submitted_on,
                    reasons,
                    decided_on: today,
                    authority: &me,
                    authority_division: division,
                    decided_by: by,
                });
                Action::Reject { reasons: reasons.clone(), notice }
            }
            Decision::Withdraw(devices) => {
                // If `act` below refuses, the whole write aborts, ledger entry included.
                let number = record_withdrawal(tx, &app, devices, today, by)?;
                Action::Withdraw { ledger: number }
            }
        };
        app.refresh_deadlines(&cal);
        app.act(action, &cal, today, tx.now_ms(), by, &me).or_else(abort)?;
        tx.put_application(&app)?;
        announce(tx, &app)?;
        sync_unit_status(tx, &app)?;
        if app.id.origin != me {
            send_access(
                tx,
                &AccessMessage::Decision { to: app.id.origin.clone(), application: Box::new(app.clone()) },
            )?;
        }
        idempotent::record(tx, || codec::application_to_pb(&app, &me))?;
        Ok(app)
    })?;
    store.sync().await?;
    tracing::info!(application = %app.id, state = app.state.zh(), by, "application decided");
    Ok(app)
}

/// Writes the ledger entry of a withdrawal (Art.17), with its device-reclaim
/// checklist and the address-reclaim request; returns its number.
fn record_withdrawal(
    tx: &mut Tx<'_>,
    app: &Application,
    devices: &[String],
    today: NaiveDate,
    by: &str,
) -> TxResult<u64> {
    let items: Vec<String> = if devices.is_empty() {
        DEFAULT_DEVICES.iter().map(|d| d.to_string()).collect()
    } else {
        devices.iter().map(|d| d.trim().to_string()).filter(|d| !d.is_empty()).collect()
    };
    let mut entry = LedgerEntry {
        number: tx.next_number("ledger")?,
        recorded_on: today,
        recorded_by: by.to_string(),
        unit_node: app.unit.node.clone(),
        unit_id: app.unit.id.clone(),
        unit_name: app.unit.name.clone(),
        division: app.unit.division.clone(),
        application: app.id.key(),
        reason: app.form.basis.clone(),
        devices: items.into_iter().map(|item| ChecklistItem { item, reclaimed: false }).collect(),
        address_reclaim: crate::domain::AddressReclaim::Requested,
    };
    entry.address_reclaim = reclaim::request_address_reclaim(tx, &entry)?;
    tx.put_ledger_entry(&entry)?;
    Ok(entry.number)
}

/// An overdue deadline of one application.
pub struct Late<'a> {
    /// The application.
    pub application: &'a Application,
    /// Which deadline.
    pub name: &'static str,
    /// The deadline.
    pub deadline: &'a Deadline,
    /// Working days late.
    pub working_days: i64,
}

/// Every missed deadline of the applications `node` owns, as of `today`,
/// latest first.
pub fn overdue<'a>(
    apps: &'a [Application],
    node: &NodeId,
    cal: &calendar::WorkCalendar,
    today: NaiveDate,
) -> Vec<Late<'a>> {
    let mut out: Vec<Late<'a>> = apps
        .iter()
        .filter(|a| a.owned_by(node))
        .flat_map(|a| {
            a.overdue(cal, today).into_iter().map(move |(name, deadline, working_days)| Late {
                application: a,
                name,
                deadline,
                working_days,
            })
        })
        .collect();
    out.sort_by(|a, b| b.working_days.cmp(&a.working_days).then(a.application.id.cmp(&b.application.id)));
    out
}

/// `apps` with their provisional deadlines recomputed from `cal`, the
/// calendar in force (deadlines are stored as computed, and read current).
pub fn current(mut apps: Vec<Application>, cal: &calendar::WorkCalendar) -> Vec<Application> {
    for a in &mut apps {
        a.refresh_deadlines(cal);
    }
    apps
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
        app.refresh_deadlines(&*self.store.calendar()?);
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
    match (caller, requested.trim()) {
        (Caller::Unit(own), "") => Ok(own.clone()),
        (Caller::Unit(own), other) if other != own.as_str() => {
            Err(NodeError::PermissionDenied(format!("接入单位 {own} 只能以本单位名义提交或查询")))
        }
        (Caller::Operator(_), "") => Err(NodeError::invalid("unit_id", "操作员代为办理时须指明申请单位")),
        (_, id) => UnitId::parse(id).map_err(|_| NodeError::invalid("unit_id", format!("“{id}” 不是单位编号"))),
    }
}

fn nonempty(field: &'static str, v: &str, rule: &str) -> Result<String> {
    let v = v.trim();
    if v.is_empty() { Err(NodeError::invalid(field, rule.to_string())) } else { codec::text(field, v) }
}

#[tonic::async_trait]
impl Access for AccessService {
    async fn route(&self, req: Request<pb::RouteRequest>) -> Result<Response<pb::RouteDecision>, Status> {
        let caller = self.gate.member(&req)?;
        let r = req.into_inner();
        let id = unit_in_request(&caller, &r.unit_id)?;
        let unit = self.store.unit(&id)?.ok_or_else(|| NodeError::NotFound(format!("本节点没有登记单位 {id}")))?;
        let decision = route(&unit, codec::span_from_pb(r.span)?)?;
        Ok(Response::new(codec::route_to_pb(&decision, self.store.me())))
    }

    async fn submit(&self, req: Request<pb::SubmitRequest>) -> Result<Response<pb::Application>, Status> {
        let caller = self.gate.member(&req)?;
        let r = req.into_inner();
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
        let caller = self.gate.member(&req)?;
        let r = req.into_inner();
        let state = codec::state_from_pb(r.state)?;
        let due_before = match r.due_before.trim() {
            "" => None,
            s => Some(codec::date("due_before", s)?),
        };
        let me = self.store.me();
        let cal = self.store.calendar()?;
        let today = calendar::today();
        let page = super::paging::spec(&r.page_token, r.page_size, 0)?;
        let apps: Vec<(String, Application)> = current(self.store.applications()?, &cal)
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
        let by = self.gate.operator(&req)?;
        let r = req.into_inner();
        self.decide((by, "Review", &r.request_id), &r.id, Decision::Review).await
    }

    async fn approve(&self, req: Request<pb::ApproveRequest>) -> Result<Response<pb::Application>, Status> {
        let by = self.gate.operator(&req)?;
        let r = req.into_inner();
        let plan = nonempty("access_plan", &r.access_plan, "批准时须附与申请单位共同制定的接入方案（第十六条）")?;
        self.decide((by, "Approve", &r.request_id), &r.id, Decision::Approve(plan)).await
    }

    async fn reject(&self, req: Request<pb::RejectRequest>) -> Result<Response<pb::Application>, Status> {
        let by = self.gate.operator(&req)?;
        let r = req.into_inner();
        let reasons = nonempty("reasons", &r.reasons, "审核未通过须书面告知原因（第十六条）")?;
        self.decide((by, "Reject", &r.request_id), &r.id, Decision::Reject(reasons)).await
    }

    async fn implement(&self, req: Request<pb::ImplementRequest>) -> Result<Response<pb::Application>, Status> {
        let by = self.gate.operator(&req)?;
        let r = req.into_inner();
        let d = if r.done { Decision::Complete } else { Decision::StartImplementing };
        self.decide((by, "Implement", &r.request_id), &r.id, d).await
    }

    async fn withdraw(&self, req: Request<pb::WithdrawRequest>) -> Result<Response<pb::Application>, Status> {
        let by = self.gate.operator(&req)?;
        let r = req.into_inner();
        let devices =
            crate::domain::limits::items("devices", &r.devices, crate::domain::limits::MAX_WITHDRAWAL_DEVICES)
                .map_err(NodeError::from)?;
        self.decide((by, "Withdraw", &r.request_id), &r.id, Decision::Withdraw(devices)).await
    }

    async fn overdue(&self, req: Request<pb::OverdueRequest>) -> Result<Response<pb::OverdueResponse>, Status> {
        self.gate.operator(&req)?;
        let r = req.into_inner();
        let today = as_of(&r.as_of)?;
        let cal = self.store.calendar()?;
        let apps = current(self.store.applications()?, &cal);
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
            s.deadlines.refresh(&cal);
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
            NodeError::FailedPrecondition(format!(
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
