//! What each replicated event does where it takes effect: the domain's side
//! of the federation. Runs inside the transaction that accepts the event.
//! One table ([`DomainApplier`]) sends each kind to its area's applier:
//!
//! | file | kinds |
//! | --- | --- |
//! | `filing.rs` | `filing.v1`, `receipt.v1` |
//! | `approval.rs` | `approval.v1` (an application or a level's decision, merged; only the sender's level and those below it) |
//! | `revised.rs` | the whole record, latest revision wins: `fault.v1`, `interruption.v1`, `order.v1`, `incident.v1` (up once its authority reported it), `private-network.v1` |
//! | `circular.rs` | `circular.v1` (down the issuer's subtree; issued once) |
//! | `inspection.rs` | `inspection.v1` (the whole record, latest revision wins), `inspection.response.v1` (merged by the authority, only from the inspected node) |
//! | `access.rs` | `access.v2`/`access.v1`, `access.summary.v2`/`access.summary.v1` |
//! | `devices.rs` | the device checklist and released addresses of a withdrawal, to its deciding node (in `access.v2`) |
//! | `ipam.rs` | `ipam.delegation.v1`, `ipam.assignment.v1`, `ipam.request.v1`, `ipam.decision.v1` |
//! | `pki.rs` | `crl.v1` |
//! | `calendar.rs` | `calendar.v1`, `calendar.local.v1` (a prefecture's, in its subtree; a copy above) |
//! | `recover.rs` | this node's own events handed back by a peer after a restore |
//! | `decoded.rs` | the rule for a payload that cannot be applied |

mod access;
mod approval;
mod calendar;
mod circular;
mod decoded;
pub mod devices;
mod filing;
mod inspection;
mod ipam;
mod pki;
mod recover;
mod revised;
mod send;

use extranet_certs::TlsMaterial;
use extranet_federation::Envelope;

pub use access::{announce, send_unit_change, sync_unit_status};
pub use inspection::write_own_inspection;
pub use send::{route_to, send_access};

use crate::codec;
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
            codec::KIND_FILING => filing::record_filing(tx, event),
            codec::KIND_FAULT => revised::record::<crate::domain::FaultTicket>(tx, event),
            codec::KIND_INTERRUPTION => revised::record::<crate::domain::Interruption>(tx, event),
            codec::KIND_APPROVAL => approval::record_approval(tx, event),
            codec::KIND_ORDER => revised::record::<crate::domain::Order>(tx, event),
            codec::KIND_INCIDENT => revised::record::<crate::domain::Incident>(tx, event),
            codec::KIND_PRIVATE_NETWORK => revised::record::<crate::domain::PrivateNetwork>(tx, event),
            codec::KIND_CIRCULAR => circular::record_circular(tx, event),
            codec::KIND_INSPECTION => inspection::record_inspection(tx, event),
            codec::KIND_INSPECTION_RESPONSE => inspection::record_response(tx, event),
            codec::KIND_RECEIPT => filing::record_receipt(tx, event),
            codec::KIND_CRL => pki::record_crl(self.tls.as_ref(), tx, event),
            codec::KIND_CALENDAR => calendar::record_calendar(tx, event),
            codec::KIND_CALENDAR_LOCAL => calendar::record_local_calendar(tx, event),
            codec::KIND_ACCESS | codec::KIND_ACCESS_V1 => access::record_access(tx, event),
            codec::KIND_ACCESS_SUMMARY | codec::KIND_ACCESS_SUMMARY_V1 => access::record_summary(tx, event),
            codec::KIND_IPAM_DELEGATION => ipam::record_delegation(tx, event),
            codec::KIND_IPAM_ASSIGNMENT => ipam::record_assignment(tx, event),
            codec::KIND_IPAM_REQUEST => ipam::record_request(tx, event),
            codec::KIND_IPAM_DECISION => ipam::record_decision(tx, event),
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
        recover::recover_own(tx, event)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use extranet_certs::NodeId;
    use extranet_federation::{Accepted, EventStore, Route};

    use super::*;
    use crate::codec::AccessMessage;
    use crate::domain::ApplicationKind;
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
