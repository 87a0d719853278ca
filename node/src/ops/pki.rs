//! Publishing a CA node's revocation list: stored and sent down the tree in
//! one write, then applied to this node's own verifiers.

use extranet_certs::TlsMaterial;
use extranet_federation::{Route, Scope};
use extranet_proto::v1 as pb;

use super::idempotency;
use crate::codec;
use crate::error::Result;
use crate::store::NodeStore;

/// Publishes `der` as this node's revocation list: stored and announced to
/// the subtree in one write, made durable, then applied to our own verifiers.
/// `answer` is the response recorded with the write for a repeat.
pub async fn publish_crl(
    store: &NodeStore,
    tls: &TlsMaterial,
    der: Vec<u8>,
    answer: &pb::RevokeResponse,
) -> Result<()> {
    let me = store.me().clone();
    store.transact(|tx| {
        tx.put_crl(&me, &der)?;
        tx.emit(Route::Down(Scope::Subtree(me.clone())), codec::KIND_CRL, codec::encode_crl(&me, &der))?;
        idempotency::record(tx, || answer.clone())
    })?;
    store.sync().await?;
    for e in tls.set_crls_skipping_bad(store.crls()?) {
        tracing::error!(error = %e, "stored revocation list skipped");
    }
    Ok(())
}
