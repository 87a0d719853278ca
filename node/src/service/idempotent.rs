//! Idempotent write RPCs (defect 12): a call cut mid-flight may have been
//! recorded although the client saw `UNAVAILABLE`, so a client retries with
//! the same request id and must get the original answer, not a second write.
//!
//! A handler wraps its body in [`Once::answer`]; the one transaction that
//! makes the RPC's change calls [`crate::ops::idempotency::record`] with the
//! response it will give.
//! The response is stored under (caller, method, request id) in *that*
//! transaction, so the key exists exactly when the write does. The key
//! travels to the transaction through a task-local scope rather than through
//! every domain signature: domain operations shared with background work
//! (automatic grants, reclaims, the demo) run outside any scope and record
//! nothing.
//!
//! A repeat with the same id answers the stored response even if its other
//! fields differ: the id names the operation, and the client asked for it
//! once (documented in docs/protocol.md).

use std::future::Future;

use extranet_proto::v1 as pb;
use prost::Message;
use tonic::{Request, Response, Status};

use super::auth::Gate;
use crate::error::{NodeError, Result};
use crate::store::NodeStore;

/// Longest request id accepted (a UUID is 36).
const MAX_ID_LEN: usize = 64;

/// The idempotency key of one write RPC call, if the client gave one.
pub struct Once {
    key: Option<Vec<u8>>,
}

impl Once {
    /// The key of `method` called by `caller` with `request_id` (empty: no
    /// key); refuses an id that is too long or has other characters.
    pub fn new(caller: &str, method: &str, request_id: &str) -> Result<Self> {
        if request_id.is_empty() {
            return Ok(Once { key: None });
        }
        let ok = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
        if request_id.len() > MAX_ID_LEN || !request_id.bytes().all(ok) {
            return Err(NodeError::invalid(
                "request_id",
                format!("请求编号至多 {MAX_ID_LEN} 个字符，只能由字母、数字、“-”和“_”组成（如 UUID）"),
            ));
        }
        Ok(Once { key: Some(format!("{caller}\0{method}\0{request_id}").into_bytes()) })
    }

    /// Answers the call: the stored response of an earlier call with the
    /// same key (once durable), else what `body` answers, its write recorded
    /// under the key. A body that lost the race to a concurrent repeat
    /// writes nothing and answers the winner's response.
    pub async fn answer<M: Message + Default>(
        &self,
        store: &NodeStore,
        body: impl Future<Output = Result<M>>,
    ) -> Result<Response<M>, Status> {
        let Some(key) = &self.key else { return Ok(Response::new(body.await?)) };
        if let Some(m) = stored(store, key).await? {
            return Ok(Response::new(m));
        }
        match crate::ops::idempotency::scope(key.clone(), body).await {
            Ok(m) => Ok(Response::new(m)),
            Err(e) => match stored(store, key).await? {
                Some(m) => Ok(Response::new(m)),
                None => Err(e.into()),
            },
        }
    }
}

/// A write request: it carries the client's idempotency key, field
/// `request_id` of every write message.
pub trait WriteRequest {
    /// The key the client chose (empty: none).
    fn request_id(&self) -> &str;
}

macro_rules! write_requests {
    ($($t:ty),* $(,)?) => {
        $(impl WriteRequest for $t {
            fn request_id(&self) -> &str {
                &self.request_id
            }
        })*
    };
}

write_requests!(
    pb::FileCutoverRequest,
    pb::FileLaunchRequest,
    pb::FileSystemChangeRequest,
    pb::RequestSystemAddressesRequest,
    pb::DecideSystemRequestRequest,
    pb::FileAnnualReportRequest,
    pb::FileEvaluationRequest,
    pb::ApplyForApprovalRequest,
    pb::DecideApprovalRequest,
    pb::RegisterUnitRequest,
    pb::SetUnitStatusRequest,
    pb::UpdateUnitRequest,
    pb::PublishCalendarRequest,
    pb::PublishLocalCalendarRequest,
    pb::RevokeRequest,
);

/// Answers a write RPC `method` that only an operator of this node may call:
/// authorises the caller through `gate`, then answers once per request id
/// (see [`Once::answer`]) what `body` makes of the operator's name and the
/// message.
pub async fn operator_write<T: WriteRequest, M: Message + Default, F: Future<Output = Result<M>>>(
    gate: &Gate,
    store: &NodeStore,
    method: &str,
    req: Request<T>,
    body: impl FnOnce(String, T) -> F,
) -> Result<Response<M>, Status> {
    let (by, r) = gate.operator_request(req)?;
    let once = Once::new(&by, method, r.request_id())?;
    once.answer(store, body(by, r)).await
}

/// Answers a write RPC `method` that an operator or a unit of this node may
/// call, as [`operator_write`] does; `body` gets the caller.
pub async fn member_write<T: WriteRequest, M: Message + Default, F: Future<Output = Result<M>>>(
    gate: &Gate,
    store: &NodeStore,
    method: &str,
    req: Request<T>,
    body: impl FnOnce(super::Caller, T) -> F,
) -> Result<Response<M>, Status> {
    let (caller, r) = gate.member_request(req)?;
    let once = Once::new(&caller.label(), method, r.request_id())?;
    once.answer(store, body(caller, r)).await
}

/// The response stored under `key`, after waiting until it is durable (the
/// original call may still be waiting for its fsync).
async fn stored<M: Message + Default>(store: &NodeStore, key: &[u8]) -> Result<Option<M>> {
    let Some(bytes) = store.remembered_response(key)? else { return Ok(None) };
    store.sync().await?;
    M::decode(bytes.as_slice()).map(Some).map_err(|e| NodeError::Store(format!("已保存的应答无法解码：{e}")))
}

#[cfg(test)]
mod tests {
    use super::Once;
    use crate::error::NodeError;
    use extranet_domain::DomainError;

    #[test]
    fn the_key_is_scoped_by_caller_and_method() {
        let key = |c, m, id| Once::new(c, m, id).unwrap().key;
        assert_eq!(key("op", "Submit", "a-1"), Some(b"op\0Submit\0a-1".to_vec()), "stored key layout");
        assert_ne!(key("op", "Submit", "a-1"), key("unit:u0001", "Submit", "a-1"));
        assert_ne!(key("op", "Submit", "a-1"), key("op", "Review", "a-1"));
        assert_eq!(key("op", "Submit", ""), None, "no id, no idempotency");
    }

    #[test]
    fn an_invalid_id_names_the_field() {
        for bad in ["a b", "a\0b", "编号", "a/b", &"x".repeat(65)] {
            match Once::new("op", "Submit", bad) {
                Err(NodeError::Domain(DomainError::Invalid { field, .. })) => assert_eq!(field, "request_id"),
                other => panic!("{bad:?} accepted: {:?}", other.map(|o| o.key)),
            }
        }
        assert!(Once::new("op", "Submit", &"x".repeat(64)).is_ok());
        assert!(Once::new("op", "Submit", "0b7e6d1c-5f3a-4d2e-9c1b-7a8f6e5d4c3b_X").is_ok());
    }
}
