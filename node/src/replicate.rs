//! What each replicated event does where it takes effect: the domain's side
//! of the federation. Runs inside the transaction that accepts the event.

use extranet_certs::{NodeId, TlsMaterial};
use extranet_federation::{Envelope, Route, Scope};

use crate::codec::{self, AccessMessage};
use crate::domain::{AppState, Application, ApplicationKind, Deadlines, Receipt, Transition, UnitStatus};
use crate::error::Result;
use crate::store::{Applier, Tx, TxResult};

/// The node's [`Applier`]: filings are recorded at every ancestor, which
/// answers with its receipt; receipts are recorded at the origin. It holds
/// the node's TLS material to verify revocation lists before storing them.
pub struct DomainApplier {
    /// Our chain and root: the CA certificates a revocation list is checked
    /// against. `None` (tools, unit tests): every revocation list is refused
    /// as unverifiable.
    pub tls: Option<TlsMaterial>,
}

impl DomainApplier {
    /// The applier of a served node, verifying revocation lists against `tls`.
    pub fn new(tls: TlsMaterial) -> Self {
        DomainApplier { tls: Some(tls) }
    }

    /// An applier with no certificates: revocation lists are refused.
    pub fn without_pki() -> Self {
        DomainApplier { tls: None }
    }
}

impl Applier for DomainApplier {
    fn apply(&self, tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
        match event.kind.as_str() {
            codec::KIND_FILING => record_filing(tx, event),
            codec::KIND_RECEIPT => record_receipt(tx, event),
            codec::KIND_CRL => record_crl(self.tls.as_ref(), tx, event),
            codec::KIND_CALENDAR => record_calendar(tx, event),
            codec::KIND_ACCESS | codec::KIND_ACCESS_V1 => record_access(tx, event),
            codec::KIND_ACCESS_SUMMARY | codec::KIND_ACCESS_SUMMARY_V1 => record_summary(tx, event),
            codec::KIND_IPAM_DELEGATION => crate::replicate_ipam::record_delegation(tx, event),
            codec::KIND_IPAM_ASSIGNMENT => crate::replicate_ipam::record_assignment(tx, event),
            codec::KIND_IPAM_REQUEST => crate::replicate_ipam::record_request(tx, event),
            codec::KIND_IPAM_DECISION => crate::replicate_ipam::record_decision(tx, event),
            other => {
                if let Some(why) = codec::newer_kind(other) {
                    tracing::warn!(kind = other, origin = %event.origin, seq = event.seq, "event of a newer format stored but not applied");
                    return tx.record_unapplied(event, &why);
                }
                tracing::warn!(kind = other, origin = %event.origin, seq = event.seq, "unknown event kind stored but not applied");
                Ok(())
            }
        }
    }

    fn recover_own(&self, tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
        crate::recover_own::recover_own(tx, event)
    }
}

/// An ancestor records a filing from its subtree (逐级报备) and sends its
/// receipt (备案回执) back down to the origin.
fn record_filing(tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
    let Some(mut filing) = decoded(tx, event, codec::decode_filing(&event.payload))? else { return Ok(()) };
    if filing.id.origin != event.origin {
        tracing::warn!(origin = %event.origin, filing = %filing.id, "filing event whose record names another origin ignored");
        return Ok(());
    }
    let receipt = Receipt { node: tx.me().clone(), received_at_ms: tx.now_ms() };
    if let Some(held) = tx.filing(&filing.id.key())? {
        filing.receipts = held.receipts;
    } else {
        filing.receipts.clear();
    }
    filing.add_receipt(receipt.clone());
    tx.put_filing(&filing)?;
    let route = Route::Down(Scope::Node(filing.id.origin.clone()));
    tx.emit(route, codec::KIND_RECEIPT, codec::encode_receipt(&filing.id, &receipt))?;
    Ok(())
}

/// The origin records a receipt from one of its ancestors.
fn record_receipt(tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
    let Some((key, receipt)) = decoded(tx, event, codec::decode_receipt(&event.payload))? else { return Ok(()) };
    if receipt.node != event.origin {
        tracing::warn!(origin = %event.origin, "receipt naming another node ignored");
        return Ok(());
    }
    match tx.filing(&key)? {
        Some(mut f) => {
            if f.add_receipt(receipt) {
                tx.put_filing(&f)?;
            }
        }
        None => tracing::warn!(filing = %key, "receipt for a filing not held here ignored"),
    }
    Ok(())
}

/// A node below a CA takes in that CA's new revocation list, once it is
/// proven signed by that CA and newer than the list held (a forged or
/// garbage list, or an older one that would undo revocations, is refused:
/// the held list stays and the refusal is noted); the server reloads its
/// verifiers once the write is durable.
fn record_crl(tls: Option<&TlsMaterial>, tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
    let Some((issuer, der)) = decoded(tx, event, codec::decode_crl(&event.payload))? else { return Ok(()) };
    if issuer != event.origin {
        tracing::warn!(origin = %event.origin, %issuer, "revocation list of another CA ignored");
        return Ok(());
    }
    let Some(tls) = tls else {
        return tx.refuse_crl(&issuer, "本节点没有可用于核验吊销列表签名的证书");
    };
    let held = tx.crl(&issuer)?;
    match tls.check_crl_update(&issuer, &der, held.as_deref()) {
        Ok(number) => {
            tracing::info!(%issuer, number, "revocation list taken in");
            tx.put_crl(&issuer, &der)
        }
        Err(e) => {
            tracing::error!(%issuer, seq = event.seq, error = %e, "revocation list refused; the held list stays in force");
            tx.refuse_crl(&issuer, &e.to_string())
        }
    }
}

/// A node takes in a calendar the region published, if it is newer than
/// the one it holds (a repeated or older version changes nothing).
fn record_calendar(tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
    if event.origin.parent().is_some() {
        tracing::warn!(origin = %event.origin, "calendar not published by the region ignored");
        return Ok(());
    }
    let Some(doc) = decoded(tx, event, codec::decode_calendar(&event.payload))? else { return Ok(()) };
    if tx.put_calendar(&doc)? {
        tracing::info!(version = doc.version, origin = %event.origin, "calendar version taken in");
    }
    Ok(())
}

/// The route of a message from `me` to the node `to` (a message to an owner,
/// or an owner's answer): up to an ancestor, down to a descendant, and
/// otherwise up to the nearest common ancestor, which sends it down.
pub fn route_to(me: &NodeId, to: &NodeId) -> Route {
    if me.is_ancestor_of(to) { Route::Down(Scope::Node(to.clone())) } else { Route::Up }
}

/// Sends `msg` to the node it names, in the current write.
pub fn send_access(tx: &mut Tx<'_>, msg: &AccessMessage) -> TxResult<()> {
    let route = route_to(tx.me(), msg.to());
    tx.emit(route, codec::KIND_ACCESS, codec::encode_access(msg))?;
    Ok(())
}

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
fn record_summary(tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
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
fn record_access(tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
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
    }
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
    let cal = tx.calendar_document()?.work_calendar();
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
        unit.status = status;
        tx.put_unit(&unit)?;
        if status == UnitStatus::Withdrawn {
            // wakes the address reclaimer (`reclaim.rs`)
            tx.count_withdrawal()?;
        }
    }
    Ok(())
}

/// A payload this version cannot read, or whose dates lie out of range, is
/// kept (it is in the event log and will be relayed) but not applied:
/// logged, and recorded with its reason for status and metrics. One bad
/// event must not stop the stream behind it, which an error here would do
/// for ever (the session would retry the same event on every reconnect).
pub(crate) fn decoded<T>(tx: &mut Tx<'_>, event: &Envelope, r: Result<T>) -> TxResult<Option<T>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(e) => {
            tracing::warn!(origin = %event.origin, seq = event.seq, kind = %event.kind, error = %e, "event payload not applied");
            tx.record_unapplied(event, &e.to_string())?;
            Ok(None)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use extranet_federation::{Accepted, EventStore};

    use super::*;
    use crate::domain::testing::sample;
    use crate::store::NodeStore;

    fn forward(number: u64, submitted_on: &str, me: &NodeId) -> Vec<u8> {
        let mut app = sample(ApplicationKind::New, "2026-12-01".parse().unwrap());
        app.id.number = number;
        app.routing.competent = me.clone();
        let v1 = codec::encode_access_v1(&AccessMessage::Forward { to: me.clone(), application: Box::new(app) });
        let json = String::from_utf8(v1).unwrap().replace("\"2026-12-01\"", &format!("\"{submitted_on}\""));
        json.into_bytes()
    }

    /// A county forwards an application dated near chrono's last day: the
    /// prefecture keeps the event and moves its cursor, records why it was
    /// not applied, and applies the next event of the same stream.
    #[tokio::test]
    async fn a_payload_out_of_range_is_stored_and_reported_not_applied() {
        let dir = tempfile::tempdir().unwrap();
        let me = NodeId::parse("540000/540100").unwrap();
        let county = NodeId::parse("540000/540100/540102").unwrap();
        let store = NodeStore::open(dir.path(), me.clone(), Arc::new(DomainApplier::without_pki())).unwrap();
        let event = |seq: u64, payload: Vec<u8>| Envelope {
            origin: county.clone(),
            seq,
            route: Route::Up,
            kind: codec::KIND_ACCESS_V1.into(),
            payload,
            created_at_ms: 0,
        };
        let bad = event(1, forward(1, "+262142-12-28", &me));
        assert_eq!(store.accept(&bad, true).unwrap(), Accepted::Applied, "stored, the stream moves on");
        let good = event(2, forward(2, "2026-12-01", &me));
        assert_eq!(store.accept(&good, true).unwrap(), Accepted::Applied);
        assert!(store.application("540102-A000001").unwrap().is_none(), "the bad one is not applied");
        assert!(store.application("540102-A000002").unwrap().is_some(), "the next one is");
        let unapplied = store.unapplied().unwrap();
        assert_eq!(unapplied.len(), 1);
        assert_eq!((unapplied[0].seq, unapplied[0].kind.as_str()), (1, codec::KIND_ACCESS_V1));
        assert!(unapplied[0].error.contains("application.submitted_on"), "{}", unapplied[0].error);
        assert_eq!(store.read(&bad.stream(), 0, 10).unwrap().len(), 2, "both events kept in the log");
        store.close();
    }
}
