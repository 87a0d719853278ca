//! Access applications between nodes (Art.15): a message to the owner or
//! from it, relayed by the nearest common ancestor, and the owner's
//! deadline summaries travelling up for oversight. Also what an owner's
//! write announces ([`announce`]) and what a unit's status
//! follows ([`sync_unit_status`]), used by the operations too.

use extranet_certs::NodeId;
use extranet_federation::{Envelope, Route, Scope};

use super::decoded::decoded;
use super::send::send_access;
use crate::codec::{self, AccessMessage};
use crate::domain::{AccessUnit, AppState, Application, ApplicationKind, Deadlines, Transition, UnitStatus};
use crate::store::{Tx, TxResult};

/// The owner of `app` tells its ancestors where its deadlines stand, in the
/// write that changed it, so every level above can count what is overdue.
pub fn announce(tx: &mut Tx<'_>, app: &Application) -> TxResult<()> {
    if app.owned_by(tx.me()) && tx.me().parent().is_some() {
        tx.emit(Route::Up, codec::KIND_ACCESS_SUMMARY, codec::encode_summary(&app.summary()))?;
    }
    Ok(())
}

/// An ancestor keeps the newest deadline summary of an application its
/// subtree decides.
pub(super) fn record_summary(tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
    let summary = codec::decode_summary_of(&event.kind, &event.payload);
    let Some(summary) = decoded(tx, event, summary)? else { return Ok(()) };
    if summary.owner != event.origin {
        tracing::warn!(origin = %event.origin, application = %summary.id, "summary not from the owner ignored");
        return Ok(());
    }
    tx.put_deadline_summary(&summary)
}

/// A message about an application: taken in by the node it names; sent on
/// down by the nearest common ancestor of sender and addressee when it
/// reached it going up; ignored elsewhere.
pub(super) fn record_access(tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
    let Some(msg) = decoded(tx, event, codec::decode_access_of(&event.kind, &event.payload))? else { return Ok(()) };
    let me = tx.me().clone();
    let to = msg.to().clone();
    if to != me {
        if event.route == Route::Up && is_turning_point(&me, &event.origin, &to) {
            tx.emit(Route::Down(Scope::Node(to)), codec::KIND_ACCESS, codec::encode_access(&msg))?;
        }
        return Ok(());
    }
    match msg {
        AccessMessage::Forward { application, .. } => take_forwarded(tx, *application, &event.origin),
        AccessMessage::Decision { application, .. } => take_decision(tx, *application, &event.origin),
        AccessMessage::UnitChanged { application, unit, .. } => take_unit(tx, &application, *unit, &event.origin),
        AccessMessage::DevicesReclaimed { application, devices, .. } => {
            super::devices::take_checklist(tx, &application, devices, &event.origin)
        }
        AccessMessage::AddressesReleased { application, released, .. } => {
            super::devices::take_addresses(tx, &application, released, &event.origin)
        }
    }
}

/// The competent node takes the applicant unit as updated where it is
/// registered (Art.11) into an application it decides — only from the
/// node the application was lodged at, and only for that unit.
fn take_unit(tx: &mut Tx<'_>, key: &str, unit: AccessUnit, from: &NodeId) -> TxResult<()> {
    let Some(mut app) = tx.application(key)? else { return Ok(()) };
    if !app.owned_by(tx.me()) || &app.id.origin != from || app.unit.id != unit.id {
        tracing::warn!(application = key, %from, "unit change not from the lodging node ignored");
        return Ok(());
    }
    app.unit = unit;
    tx.put_application(&app)
}

/// At the lodging node, in the write that updated `unit`: tells the
/// competent node of each open application of it decided elsewhere
/// (`keys`, read before the write) the unit as it now stands.
pub fn send_unit_change(tx: &mut Tx<'_>, unit: &AccessUnit, keys: &[String]) -> TxResult<()> {
    for key in keys {
        let Some(app) = tx.application(key)? else { continue };
        if app.owned_by(tx.me()) || app.state.is_final() || app.unit.id != unit.id {
            continue;
        }
        let to = app.routing.competent.clone();
        send_access(tx, &AccessMessage::UnitChanged { to, application: key.clone(), unit: Box::new(unit.clone()) })?;
    }
    Ok(())
}

/// Whether `me`, an ancestor of `origin`, is where a message from `origin`
/// to `to` turns down: `to` lies in `me`'s subtree but not in the branch
/// `origin` came up through.
fn is_turning_point(me: &NodeId, origin: &NodeId, to: &NodeId) -> bool {
    let branch = origin.ancestors().into_iter().find(|a| a.parent().as_ref() == Some(me)).unwrap_or(origin.clone());
    to.is_within(me) && !to.is_within(&branch)
}

/// The competent node takes in an application lodged elsewhere: its clocks
/// restart from the submission date on this node's calendar, and its record
/// goes back to the lodging node so the applicant sees where it is.
fn take_forwarded(tx: &mut Tx<'_>, mut app: Application, from: &NodeId) -> TxResult<()> {
    if tx.application(&app.id.key())?.is_some() {
        return Ok(());
    }
    let me = tx.me().clone();
    // `from` is the lodging node, or the common ancestor that turned it down.
    if !app.owned_by(&me) || !app.id.origin.is_within(from) {
        tracing::warn!(application = %app.id, %from, "forwarded application not for this node ignored");
        return Ok(());
    }
    let cal = tx.work_calendar()?;
    app.deadlines = Deadlines::at_submission(&cal, app.submitted_on);
    app.revision += 1;
    app.history.push(Transition {
        state: AppState::Submitted,
        at_ms: tx.now_ms(),
        by: me.to_string(),
        node: me.clone(),
        note: format!("已收到 {from} 转来的申请（第十五条），由本级受理"),
    });
    tx.put_application(&app)?;
    announce(tx, &app)?;
    send_access(tx, &AccessMessage::Decision { to: app.id.origin.clone(), application: Box::new(app) })
}

/// The lodging node takes in the owner's newer record: only from the owner
/// it routed the application to (or the common ancestor relaying for it).
fn take_decision(tx: &mut Tx<'_>, app: Application, from: &NodeId) -> TxResult<()> {
    let held = tx.application(&app.id.key())?;
    let from_owner = held.as_ref().is_some_and(|h| h.routing.competent == app.routing.competent)
        && app.routing.competent.is_within(from);
    if !from_owner {
        tracing::warn!(application = %app.id, %from, "decision not from the application's owner ignored");
        return Ok(());
    }
    if held.is_some_and(|h| h.revision >= app.revision) {
        return Ok(());
    }
    tx.put_application(&app)?;
    sync_unit_status(tx, &app)
}

/// Where the applicant is registered, its status follows its applications:
/// connected once a new access is done, withdrawn once a withdrawal is.
pub fn sync_unit_status(tx: &mut Tx<'_>, app: &Application) -> TxResult<()> {
    if &app.unit.node != tx.me() {
        return Ok(());
    }
    let status = match (app.kind, app.state) {
        (ApplicationKind::New, AppState::Connected) => UnitStatus::Connected,
        (ApplicationKind::Withdrawal, AppState::Withdrawn) => UnitStatus::Withdrawn,
        _ => return Ok(()),
    };
    if let Some(mut unit) = tx.unit(&app.unit.id)?
        && unit.status != status
    {
        let reason = format!("接入申请 {} 已办结", app.id.key());
        let at_ms = tx.now_ms();
        unit.set_status(status, &reason, at_ms, "本节点（随接入申请）");
        tx.put_unit(&unit)?;
        if status == UnitStatus::Withdrawn {
            // wakes the address reclaimer (`ops/withdrawn_addresses.rs`)
            tx.count_withdrawal()?;
            super::devices::begin_reclaim(tx, &unit, app)?;
        }
    }
    Ok(())
}
