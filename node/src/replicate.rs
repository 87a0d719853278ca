//! What each replicated event does where it takes effect: the domain's side
//! of the federation. Runs inside the transaction that accepts the event.

use extranet_federation::{Envelope, Route, Scope};

use crate::codec;
use crate::domain::Receipt;
use crate::error::Result;
use crate::store::{Applier, Tx, TxResult};

/// The node's [`Applier`]: filings are recorded at every ancestor, which
/// answers with its receipt; receipts are recorded at the origin.
pub struct DomainApplier;

impl Applier for DomainApplier {
    fn apply(&self, tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
        match event.kind.as_str() {
            codec::KIND_FILING => record_filing(tx, event),
            codec::KIND_RECEIPT => record_receipt(tx, event),
            codec::KIND_CRL => record_crl(tx, event),
            codec::KIND_IPAM_DELEGATION => crate::replicate_ipam::record_delegation(tx, event),
            codec::KIND_IPAM_ASSIGNMENT => crate::replicate_ipam::record_assignment(tx, event),
            codec::KIND_IPAM_REQUEST => crate::replicate_ipam::record_request(tx, event),
            codec::KIND_IPAM_DECISION => crate::replicate_ipam::record_decision(tx, event),
            other => {
                tracing::warn!(kind = other, origin = %event.origin, seq = event.seq, "unknown event kind stored but not applied");
                Ok(())
            }
        }
    }
}

/// An ancestor records a filing from its subtree (逐级报备) and sends its
/// receipt (备案回执) back down to the origin.
fn record_filing(tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
    let Some(mut filing) = decoded(event, codec::decode_filing(&event.payload)) else { return Ok(()) };
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
    let Some((key, receipt)) = decoded(event, codec::decode_receipt(&event.payload)) else { return Ok(()) };
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

/// A node below a CA takes in that CA's new revocation list; the server
/// reloads its verifiers once the write is durable.
fn record_crl(tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
    let Some((issuer, der)) = decoded(event, codec::decode_crl(&event.payload)) else { return Ok(()) };
    if issuer != event.origin {
        tracing::warn!(origin = %event.origin, %issuer, "revocation list of another CA ignored");
        return Ok(());
    }
    tx.put_crl(&issuer, &der)
}

/// A payload this version cannot read is kept (it is in the event log and
/// will be relayed) but not applied, and logged: one bad event must not stop
/// the stream behind it.
pub(crate) fn decoded<T>(event: &Envelope, r: Result<T>) -> Option<T> {
    r.map_err(|e| tracing::warn!(origin = %event.origin, seq = event.seq, kind = %event.kind, error = %e, "event payload not applied"))
        .ok()
}
