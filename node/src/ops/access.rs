//! What an access application does (接入申请, Art.14–17): lodged at the
//! unit's node and routed to the competent one (Art.15), decided by its
//! owner with its consequences in one write (notice, withdrawal ledger entry
//! and address-reclaim request, unit status, the record sent back to the
//! lodging node), and its deadlines counted (Art.16).

use chrono::NaiveDate;
use extranet_certs::NodeId;

use super::{idempotency, withdrawn_addresses};
use crate::calendar;
use crate::codec::{self, AccessMessage};
use crate::domain::access::Deadline;
use crate::domain::ledger::{ChecklistItem, DEFAULT_DEVICES};
use crate::domain::notice::NoticeFacts;
use crate::domain::routing::competent_authority;
use crate::domain::{
    AccessUnit, Action, AppState, Application, ApplicationForm, ApplicationId, ApplicationKind, Deadlines,
    RoutingDecision, RoutingInput, Transition, UnitId, UnitStatus, WithdrawalEntry, WrittenNotice,
};
use crate::error::{NodeError, Result};
use crate::replicate::{announce, send_access, sync_unit_status};
use crate::store::{NodeStore, Tx, TxResult, abort};

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
    Err(NodeError::precondition(format!(
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
        idempotency::record(tx, || codec::application_to_pb(&app, &here))?;
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
        idempotency::record(tx, || codec::application_to_pb(&app, &me))?;
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
    let mut entry = WithdrawalEntry {
        number: tx.next_number("ledger")?,
        recorded_on: today,
        recorded_by: by.to_string(),
        unit_node: app.unit.node.clone(),
        unit_id: app.unit.id.clone(),
        unit_name: app.unit.name.clone(),
        division: app.unit.division.clone(),
        application: app.id.key(),
        reason: app.form.basis.clone(),
        devices: items.into_iter().map(|item| ChecklistItem { item, reclaimed: false, device: None }).collect(),
        address_reclaim: crate::domain::AddressReclaim::Requested,
        devices_registered: false,
        closed_on: None,
    };
    entry.address_reclaim = withdrawn_addresses::request_address_reclaim(tx, &entry)?;
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

/// `apps` with their deadlines recomputed by the correction policy from
/// the calendar in force at each one's deciding node as this node knows it
/// (deadlines are stored as computed, and read current).
pub fn current(store: &NodeStore, mut apps: Vec<Application>) -> Result<Vec<Application>> {
    for a in &mut apps {
        a.refresh_deadlines(&*store.calendar_for(&a.routing.competent)?);
    }
    Ok(apps)
}
