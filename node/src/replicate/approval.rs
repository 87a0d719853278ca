//! Applications for a major adjustment where they travel: every holder
//! merges what an `approval.v1` event brings into the copy it holds. It
//! takes only the decisions of the sending level and of levels below it —
//! never one of a level above the sender, so nothing a lower node sends can
//! stand for a higher one's decision — and only from a sender that is the
//! applicant or a level of its path.

use extranet_federation::Envelope;

use super::decoded::decoded;
use crate::codec;
use crate::domain::approval::MajorAdjustment;
use crate::store::{Tx, TxResult};

/// A holder merges an application or a level's decision.
pub(super) fn record_approval(tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
    let Some(sent) = decoded(tx, event, codec::decode_approval(&event.payload))? else { return Ok(()) };
    merge(tx, event, sent)
}

/// This node's own event handed back after a restore: its own application
/// or its own decision, merged back, the counters past them.
pub(super) fn restore_approval(tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
    let Some(sent) = decoded(tx, event, codec::decode_approval(&event.payload))? else { return Ok(()) };
    let me = tx.me().clone();
    if sent.id.origin == me {
        tx.raise_number("approval", sent.id.number)?;
    }
    for d in sent.decisions.iter().filter(|d| d.level == me) {
        if let Some((year, n)) = notice_seq(&d.notice.number) {
            tx.raise_number(&format!("approval-notice/{year}"), n)?;
        }
    }
    tracing::warn!(approval = %sent.id, "own approval event recovered from a peer after a restore");
    merge(tx, event, sent)
}

fn merge(tx: &mut Tx<'_>, event: &Envelope, mut sent: MajorAdjustment) -> TxResult<()> {
    let from = &event.origin;
    if from != &sent.id.origin && !from.is_ancestor_of(&sent.id.origin) {
        tracing::warn!(origin = %from, approval = %sent.id, "approval event from off the application's path ignored");
        return Ok(());
    }
    let decisions: Vec<_> = std::mem::take(&mut sent.decisions)
        .into_iter()
        .filter(|d| &d.level == from || from.is_ancestor_of(&d.level))
        .collect();
    let mut held = tx.approval(&sent.id.key())?.unwrap_or(sent);
    let before = held.decisions.len();
    for d in decisions {
        held.record(d);
    }
    if held.decisions.len() != before || tx.approval(&held.id.key())?.is_none() {
        tx.put_approval(&held)?;
    }
    Ok(())
}

/// The (year, sequence) of a notice number `540100〔2026〕S001号`.
fn notice_seq(number: &str) -> Option<(i32, u64)> {
    let (_, rest) = number.split_once('〔')?;
    let (year, rest) = rest.split_once('〕')?;
    let seq = rest.strip_prefix('S')?.strip_suffix('号')?;
    Some((year.parse().ok()?, seq.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use extranet_certs::NodeId;
    use extranet_federation::{EventStore, Route};

    use super::*;
    use crate::domain::Contact;
    use crate::domain::approval::{ApprovalId, Decision, NoticeFacts, Proposal, Stage, Verdict};
    use crate::replicate::DomainApplier;
    use crate::store::NodeStore;

    fn n(s: &str) -> NodeId {
        NodeId::parse(s).unwrap()
    }

    fn application(county: &NodeId) -> MajorAdjustment {
        let p = Proposal {
            title: "县级核心节点设备更换".into(),
            description: "更换核心交换机".into(),
            scope: "全县".into(),
            planned_start: "2099-01-01".parse().unwrap(),
            contact: Contact { name: "次仁".into(), phone: "13908905678".into() },
        };
        let id = ApprovalId { origin: county.clone(), number: 1 };
        MajorAdjustment::apply(id, p, 1, "operator", "2026-12-01".parse().unwrap()).unwrap()
    }

    fn decision(a: &MajorAdjustment, level: &NodeId) -> Decision {
        let facts = NoticeFacts {
            level,
            division: None,
            verdict: Verdict::Approved,
            reason: "",
            number: "x".into(),
            on: "2026-12-02".parse().unwrap(),
            by: "forger",
        };
        Decision {
            notice: a.notice(&facts),
            level: level.clone(),
            verdict: Verdict::Approved,
            by: "forger".into(),
            at_ms: 2,
            reason: String::new(),
        }
    }

    /// A county's own event claiming the region's (or its prefecture's)
    /// approval of its application is taken as the application only: the
    /// prefecture still waits on itself.
    #[tokio::test]
    async fn a_lower_node_cannot_send_a_higher_levels_decision() {
        let dir = tempfile::tempdir().unwrap();
        let (pref, county) = (n("540000/540100"), n("540000/540100/540102"));
        let store = NodeStore::open(dir.path(), pref.clone(), Arc::new(DomainApplier::without_pki())).unwrap();
        let mut a = application(&county);
        for level in [n("540000"), pref.clone()] {
            let d = decision(&a, &level);
            a.decisions.push(d);
        }
        let event = extranet_federation::Envelope {
            origin: county.clone(),
            seq: 1,
            route: Route::Up,
            kind: codec::KIND_APPROVAL.into(),
            payload: codec::encode_approval(&a),
            created_at_ms: 0,
        };
        store.accept(&event, true).unwrap();
        let held = store.approval(&a.id.key()).unwrap().expect("the application is held");
        assert!(held.decisions.is_empty(), "no decision above the sender is taken: {:?}", held.decisions);
        assert_eq!(held.stage(), Stage::Pending(pref));
        store.close();
    }
}
