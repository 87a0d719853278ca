//! One applier for every whole record that travels up and merges "latest
//! revision wins" (fault tickets, interruptions, orders, incidents, private
//! networks): an ancestor keeps the latest copy of each record made below
//! it (a late relay never undoes a newer step, a relay that arrives twice
//! is one record), and a node restored from an old backup takes its own
//! back from its parent, its numbering raised past them.

use extranet_certs::NodeId;
use extranet_federation::Envelope;

use super::decoded::decoded;
use crate::error::Result;
use crate::store::{Tx, TxResult};

/// A record that travels up whole, as its applier needs it.
pub(super) trait UpRecord: Sized {
    /// What it is in logs (`fault`, `order`, …) and the name of its numbering.
    const NUMBERING: &'static str;
    /// Why a restored event naming another node is not applied (Chinese).
    const NOT_OURS: &'static str;
    /// Reads the event's payload.
    fn decode(payload: &[u8]) -> Result<Self>;
    /// The node that made it, and its number there.
    fn origin(&self) -> (&NodeId, u64);
    /// Its display id.
    fn key(&self) -> String;
    /// Writes it unless a later revision is held.
    fn put(&self, tx: &mut Tx<'_>) -> TxResult<bool>;
}

/// An ancestor records a record from its subtree; one naming another
/// origin than the event's is ignored.
pub(super) fn record<T: UpRecord>(tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
    let Some(r) = decoded(tx, event, T::decode(&event.payload))? else { return Ok(()) };
    if r.origin().0 != &event.origin {
        tracing::warn!(origin = %event.origin, record = %r.key(), kind = T::NUMBERING, "event naming another origin ignored");
        return Ok(());
    }
    r.put(tx)?;
    Ok(())
}

/// This node's own record, handed back by a peer after a restore: back in
/// its records (unless a later revision is held), its numbering past it.
pub(super) fn restore<T: UpRecord>(tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
    let Some(r) = decoded(tx, event, T::decode(&event.payload))? else { return Ok(()) };
    let (origin, number) = r.origin();
    if origin != tx.me() {
        return tx.record_unapplied(event, T::NOT_OURS);
    }
    r.put(tx)?;
    tracing::warn!(record = %r.key(), kind = T::NUMBERING, "own record recovered from a peer after a restore");
    tx.raise_number(T::NUMBERING, number)
}

/// Implements [`UpRecord`] for `$t`: its numbering, the reason a restored
/// foreign one is refused, its payload decoder and its store writer.
macro_rules! up_record {
    ($t:ty, $numbering:literal, $not_ours:literal, $decode:path, $put:ident) => {
        impl UpRecord for $t {
            const NUMBERING: &'static str = $numbering;
            const NOT_OURS: &'static str = $not_ours;

            fn decode(payload: &[u8]) -> Result<Self> {
                $decode(payload)
            }

            fn origin(&self) -> (&NodeId, u64) {
                (&self.id.origin, self.id.number)
            }

            fn key(&self) -> String {
                self.id.key()
            }

            fn put(&self, tx: &mut Tx<'_>) -> TxResult<bool> {
                tx.$put(self)
            }
        }
    };
}

up_record!(
    crate::domain::FaultTicket,
    "fault",
    "恢复的故障事件所载故障不属于本节点",
    crate::codec::decode_fault,
    put_fault
);
up_record!(
    crate::domain::Interruption,
    "interruption",
    "恢复的中断事件所载中断申请不属于本节点",
    crate::codec::decode_interruption,
    put_interruption
);
up_record!(
    crate::domain::Order,
    "order",
    "恢复的中断连接通知事件所载通知不属于本节点",
    crate::codec::decode_order,
    put_order
);
up_record!(
    crate::domain::Incident,
    "incident",
    "恢复的安全事件事件所载事件不属于本节点",
    crate::codec::decode_incident,
    put_incident
);
up_record!(
    crate::domain::PrivateNetwork,
    "private_network",
    "恢复的非涉密业务专网事件所载专网不属于本节点",
    crate::codec::decode_private_network,
    put_private_network
);
