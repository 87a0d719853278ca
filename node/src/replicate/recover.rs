//! Re-applying this node's own events when a peer hands them back.
//!
//! A node restored from an older backup has lost what it wrote after the
//! backup, but its peers hold copies: its parent its up stream, its children
//! its down stream. The federation engine takes those events back
//! ([`extranet_federation::EventStore::accept_own_recovered`]) before the
//! node writes again; this puts them back into the node's own records, so a
//! filing acknowledged to an operator is there again and its number is never
//! issued twice. Filings, the address records this node owns (delegations
//! it made, its assignments, its requests for space) and the applications
//! that left it (one it lodged and forwarded under Art.15, one it decided
//! for a unit lodged elsewhere) are put back, with their counters moved past
//! them. An application lodged and decided here travels only as a deadline
//! summary: its number is never issued again, but its full record cannot
//! come back, so that summary is stored and listed among the events not
//! applied, and `extranet status` says so. Any other own event is kept the
//! same way: stored (its sequence number is never reused) and listed.

use extranet_federation::Envelope;
use ipnet::IpNet;

use super::decoded::decoded;
use crate::codec;
use crate::codec::AccessMessage;
use crate::domain::Application;
use crate::store::{Tx, TxResult};

/// Re-applies `event`, one of this node's own, within `tx`.
pub fn recover_own(tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
    match event.kind.as_str() {
        codec::KIND_FILING => restore_filing(tx, event),
        codec::KIND_FAULT => super::revised::restore::<crate::domain::FaultTicket>(tx, event),
        codec::KIND_INTERRUPTION => super::revised::restore::<crate::domain::Interruption>(tx, event),
        codec::KIND_APPROVAL => super::approval::restore_approval(tx, event),
        codec::KIND_ORDER => super::revised::restore::<crate::domain::Order>(tx, event),
        codec::KIND_INCIDENT => super::revised::restore::<crate::domain::Incident>(tx, event),
        codec::KIND_PRIVATE_NETWORK => super::revised::restore::<crate::domain::PrivateNetwork>(tx, event),
        codec::KIND_CIRCULAR => super::circular::restore_circular(tx, event),
        codec::KIND_CALENDAR_LOCAL => super::calendar::record_local_calendar(tx, event),
        codec::KIND_INSPECTION => super::inspection::restore_inspection(tx, event),
        codec::KIND_IPAM_DELEGATION => restore_delegation(tx, event),
        codec::KIND_IPAM_ASSIGNMENT => restore_assignment(tx, event),
        codec::KIND_IPAM_REQUEST => restore_request(tx, event),
        codec::KIND_ACCESS | codec::KIND_ACCESS_V1 => restore_access(tx, event),
        codec::KIND_ACCESS_SUMMARY | codec::KIND_ACCESS_SUMMARY_V1 => restore_summary(tx, event),
        _ => tx.record_unapplied(event, "从对端恢复的本节点事件：已保存（序号不会再次签发），未重新应用到本节点记录"),
    }
}

/// The filing back in the own records, and the filing counter past it.
fn restore_filing(tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
    let Some(filing) = decoded(tx, event, codec::decode_filing(&event.payload))? else { return Ok(()) };
    if &filing.id.origin != tx.me() {
        return tx.record_unapplied(event, "恢复的备案事件所载备案不属于本节点");
    }
    if tx.filing(&filing.id.key())?.is_none() {
        tx.put_filing(&filing)?;
    }
    tracing::warn!(filing = %filing.id, "own filing recovered from a peer after a restore");
    tx.raise_number("filing", filing.id.number)
}

/// A delegation this node made, back in its pool records.
fn restore_delegation(tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
    let Some(d) = decoded(tx, event, codec::decode_delegation(&event.payload))? else { return Ok(()) };
    if &d.parent != tx.me() {
        return tx.record_unapplied(event, "恢复的委派事件所载委派不是本节点作出的");
    }
    tx.put_ipam_delegation(&d)?;
    tx.ipam_bump_version(matches!(d.prefix, IpNet::V6(_)))?;
    tx.raise_number("ipam-delegation", d.number)
}

/// An assignment this node made, back in its records.
fn restore_assignment(tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
    let Some(a) = decoded(tx, event, codec::decode_assignment(&event.payload))? else { return Ok(()) };
    if &a.id.node != tx.me() {
        return tx.record_unapplied(event, "恢复的分配事件所载分配不是本节点作出的");
    }
    tx.put_ipam_assignment(&a)?;
    tx.ipam_bump_version(matches!(a.prefix, IpNet::V6(_)))?;
    tx.raise_number("ipam-assignment", a.id.number)
}

/// A request for more space this node made, back in its records (unless a
/// later state of it, such as the parent's decision, is already held).
fn restore_request(tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
    let Some(r) = decoded(tx, event, codec::decode_request(&event.payload))? else { return Ok(()) };
    if &r.id.node != tx.me() {
        return tx.record_unapplied(event, "恢复的扩容申请事件所载申请不是本节点提出的");
    }
    if tx.ipam_request(&r.id.node, r.id.number)?.is_none() {
        tx.put_ipam_request(&r)?;
    }
    tx.raise_number("ipam-request", r.id.number)
}

/// An application message this node sent: one it lodged and forwarded to
/// the competent node, or one it decided and sent back to the lodging node.
fn restore_access(tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
    let Some(msg) = decoded(tx, event, codec::decode_access_of(&event.kind, &event.payload))? else { return Ok(()) };
    let me = tx.me().clone();
    match msg {
        AccessMessage::Forward { application, .. } if application.id.origin == me => {
            restore_application(tx, &application)?;
            if application.unit.node == me && tx.unit(&application.unit.id)?.is_none() {
                // the unit registered here after the backup, as it stood when it applied
                tx.put_unit(&application.unit)?;
            }
            tx.raise_number("application", application.id.number)
        }
        AccessMessage::Decision { application, .. } if application.owned_by(&me) => {
            restore_application(tx, &application)?;
            match application.ledger_number {
                Some(n) => tx.raise_number("ledger", n),
                None => Ok(()),
            }
        }
        _ => tx.record_unapplied(event, "恢复的接入申请事件所载申请不是本节点受理或审批的"),
    }
}

/// `app` back in the records unless a later revision of it is held (the
/// owner's decisions may already have come back through the normal stream).
fn restore_application(tx: &mut Tx<'_>, app: &Application) -> TxResult<()> {
    if tx.application(&app.id.key())?.is_some_and(|held| held.revision >= app.revision) {
        return Ok(());
    }
    tracing::warn!(application = %app.id, revision = app.revision, "own application recovered from a peer after a restore");
    tx.put_application(app)
}

/// A deadline summary this node announced as an application's owner. The
/// full record of an application lodged and decided here never left the
/// node; the summary still says its number was issued.
fn restore_summary(tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
    let Some(summary) = decoded(tx, event, codec::decode_summary_of(&event.kind, &event.payload))? else {
        return Ok(());
    };
    let code = tx.me().code().to_string();
    let own_number =
        codec::split_numbered_id(&summary.id, "-A", "申请编号").ok().filter(|(c, _)| *c == code).map(|(_, n)| n);
    // One lodged elsewhere comes back whole with the decision sent to its
    // lodging node (`restore_access`).
    let Some(n) = own_number else { return Ok(()) };
    tx.raise_number("application", n)?;
    if tx.application(&summary.id)?.is_some_and(|held| held.revision >= summary.revision) {
        return Ok(());
    }
    tx.record_unapplied(
        event,
        &format!(
            "申请 {} 的全文未离开本节点，备份之后的记录无法从对端恢复（对端只有其期限摘要：{}，第 {} 版）；编号不会再次签发",
            summary.id,
            summary.state.zh(),
            summary.revision
        ),
    )
}
