//! Supervision inspections where they travel (Art.28). An `inspection.v1`
//! event is the authority's whole record: every ancestor and the inspected
//! lower node keep the copy with the highest revision, taken only from the
//! authority itself. An `inspection.response.v1` event is a lower node's
//! answer: the authority merges it into its record only when the sender is
//! the inspected node — so no other node, above or beside, can answer for
//! it — and sends the record on, in the transaction that accepts it.

use extranet_federation::{Envelope, Route, Scope};

use super::decoded::decoded;
use crate::codec;
use crate::domain::inspection::{Inspected, Inspection};
use crate::domain::limits;
use crate::store::{Tx, TxResult, abort};

/// A holder keeps the latest copy of an inspection from its authority.
pub(super) fn record_inspection(tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
    let Some(i) = decoded(tx, event, codec::decode_inspection(&event.payload))? else { return Ok(()) };
    if i.id.origin != event.origin {
        tracing::warn!(origin = %event.origin, inspection = %i.id, "inspection event naming another origin ignored");
        return Ok(());
    }
    tx.put_inspection(&i)?;
    Ok(())
}

/// The authority merges an answer from the inspected node; every other
/// ancestor it passes lets it by.
pub(super) fn record_response(tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
    let Some((key, r)) = decoded(tx, event, codec::decode_inspection_response(&event.payload))? else {
        return Ok(());
    };
    let Some(mut i) = tx.inspection(&key)? else { return Ok(()) };
    if &i.id.origin != tx.me() {
        return Ok(());
    }
    if !i.inspects_node(&event.origin) {
        tracing::warn!(origin = %event.origin, inspection = %key, "answer from a node other than the inspected one ignored");
        return Ok(());
    }
    match i.respond(&r) {
        Ok(true) => write_own_inspection(tx, &i),
        Ok(false) => Ok(()),
        Err(e) => {
            tracing::warn!(inspection = %key, finding = r.finding, error = %e, "answer not merged");
            Ok(())
        }
    }
}

/// This node's own inspection handed back after a restore: back in its
/// records (unless a later revision is held), its counter past it.
pub(super) fn restore_inspection(tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
    let Some(i) = decoded(tx, event, codec::decode_inspection(&event.payload))? else { return Ok(()) };
    if &i.id.origin != tx.me() {
        return tx.record_unapplied(event, "恢复的监督检查事件所载检查不属于本节点");
    }
    tx.put_inspection(&i)?;
    tracing::warn!(inspection = %i.id, "own inspection recovered from a peer after a restore");
    tx.raise_number("inspection", i.id.number)
}

/// Within a write: stores an own inspection and sends it up and, for a
/// lower node, down to that node's subtree (also used when an answer from
/// below is merged).
pub fn write_own_inspection(tx: &mut Tx<'_>, i: &Inspection) -> TxResult<()> {
    let payload = codec::encode_inspection(i);
    limits::event_payload("inspection", payload.len()).or_else(abort)?;
    tx.put_inspection(i)?;
    if tx.me().parent().is_some() {
        tx.emit(Route::Up, codec::KIND_INSPECTION, payload.clone())?;
    }
    if let Inspected::Node(n) = &i.inspected {
        tx.emit(Route::Down(Scope::Subtree(n.clone())), codec::KIND_INSPECTION, payload)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use extranet_certs::NodeId;
    use extranet_federation::EventStore;

    use super::*;
    use crate::domain::inspection::{InspectionId, Response};
    use crate::replicate::DomainApplier;
    use crate::store::NodeStore;

    fn n(s: &str) -> NodeId {
        NodeId::parse(s).unwrap()
    }

    fn answer(from: &NodeId, i: &Inspection, seq: u64) -> Envelope {
        let r = Response { finding: 1, text: "已整改".into(), at_ms: 5, by: format!("{from}:op") };
        Envelope {
            origin: from.clone(),
            seq,
            route: Route::Up,
            kind: codec::KIND_INSPECTION_RESPONSE.into(),
            payload: codec::encode_inspection_response(&i.id, &r),
            created_at_ms: 0,
        }
    }

    /// The prefecture inspected 540102: an answer from its sibling 540103
    /// is not merged; one from 540102 is, and is sent on up and down.
    #[tokio::test]
    async fn only_the_inspected_node_can_answer_for_itself() {
        let dir = tempfile::tempdir().unwrap();
        let (pref, inspected, sibling) = (n("540000/540100"), n("540000/540100/540102"), n("540000/540100/540103"));
        let store = NodeStore::open(dir.path(), pref.clone(), Arc::new(DomainApplier::without_pki())).unwrap();
        let mut i = crate::store::fixtures::inspection();
        i.id = InspectionId { origin: pref.clone(), number: 1 };
        i.findings[0].rectification.as_mut().unwrap().state = crate::domain::inspection::RectificationState::Open;
        i.findings[0].rectification.as_mut().unwrap().steps.clear();
        store.transact(|tx| tx.put_inspection(&i)).unwrap();
        let key = i.id.key();
        store.accept(&answer(&sibling, &i, 1), true).unwrap();
        assert_eq!(store.inspection(&key).unwrap().unwrap().revision, i.revision, "a sibling cannot answer");
        store.accept(&answer(&inspected, &i, 1), true).unwrap();
        let held = store.inspection(&key).unwrap().unwrap();
        assert_eq!(held.revision, i.revision + 1, "the inspected node's answer is merged");
        assert_eq!(held.open().next().unwrap().1.state, crate::domain::inspection::RectificationState::Responded);
        store.close();
    }
}
