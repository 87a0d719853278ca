//! Revocation lists travelling down from a CA node: checked against the
//! issuing CA before they replace the held list.

use extranet_certs::TlsMaterial;
use extranet_federation::Envelope;

use super::decoded::decoded;
use crate::codec;
use crate::store::{Tx, TxResult};

/// A node below a CA takes in that CA's new revocation list, once it is
/// proven signed by that CA and newer than the list held (a forged or
/// garbage list, or an older one that would undo revocations, is refused:
/// the held list stays and the refusal is noted); the server reloads its
/// verifiers once the write is durable.
pub(super) fn record_crl(tls: Option<&TlsMaterial>, tx: &mut Tx<'_>, event: &Envelope) -> TxResult<()> {
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
