//! The operations' half of idempotent write RPCs (`service/idempotent.rs`
//! is the other): the key of the call being answered travels to the one
//! transaction that makes its change through a task-local scope rather than
//! through every operation's signature, and that transaction stores the
//! response under it, so the key exists exactly when the write does.
//! Operations shared with background work (automatic grants, reclaims, the
//! demo) run outside any scope and record nothing.

use std::future::Future;

use prost::Message;

use crate::error::NodeError;
use crate::store::{Tx, TxResult, abort};

tokio::task_local! {
    /// The key of the request being answered, while its body runs.
    static SCOPE: Vec<u8>;
}

/// Runs `body` with `key` as the key of the call being answered.
pub async fn scope<F: Future>(key: Vec<u8>, body: F) -> F::Output {
    SCOPE.scope(key, body).await
}

/// Within the write of the call being answered: stores `response()` under
/// its key in this transaction. Outside a scope it does nothing. If the key
/// is already taken (a concurrent repeat committed first), aborts: this
/// write is dropped and [`Once::answer`](crate::service::idempotent::Once::answer) returns the stored response.
pub fn record<M: Message>(tx: &mut Tx<'_>, response: impl FnOnce() -> M) -> TxResult<()> {
    let Ok(key) = SCOPE.try_with(|k| k.clone()) else { return Ok(()) };
    if tx.remembered_response(&key)?.is_some() {
        return abort(NodeError::precondition("同一请求编号的请求已办理"));
    }
    tx.remember_response(&key, &response().encode_to_vec())
}
