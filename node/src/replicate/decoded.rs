//! One rule for every applier: a payload that cannot be applied is kept and
//! reported, never allowed to stop the stream behind it.

use extranet_federation::Envelope;

use crate::error::Result;
use crate::store::{Tx, TxResult};

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
