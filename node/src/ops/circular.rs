//! Circulars issued by this node's authority (Art.28, Art.29): the
//! operator issues one to the node's subtree; the incidents and orders it
//! refers to must be held here (its own, or reported up from below). One
//! write stores it, numbers its document in the authority's series for the
//! year, and sends it down to every node of the subtree (`circular.v1`).

use extranet_federation::{Route, Scope};

use super::idempotency;
use crate::calendar::year_of_ms;
use crate::codec;
use crate::domain::circular::{CircularRequest, Issuer};
use crate::domain::{Circular, CircularId, limits};
use crate::error::{NodeError, Result};
use crate::store::{NodeStore, Tx, TxResult, abort};

/// Issues a circular from `req` by operator `by`; `division` names this
/// node's division on the document. Answered once durable.
pub async fn issue(store: &NodeStore, req: CircularRequest, by: &str, division: Option<&str>) -> Result<Circular> {
    let c = store.transact(|tx| {
        held(tx, &req)?;
        let me = tx.me().clone();
        let id = CircularId { origin: me.clone(), number: tx.next_number("circular")? };
        let seq = tx.next_number(&format!("circular_notice/{}", year_of_ms(tx.now_ms())))?;
        let c = Circular::issue(id, req.clone(), tx.now_ms(), by, &Issuer { authority: &me, division, seq })
            .or_else(abort)?;
        let payload = codec::encode_circular(&c);
        limits::event_payload("circular", payload.len()).or_else(abort)?;
        tx.put_circular(&c)?;
        tx.emit(Route::Down(Scope::Subtree(me)), codec::KIND_CIRCULAR, payload)?;
        idempotency::record(tx, || codec::circular_to_pb(&c))?;
        Ok(c)
    })?;
    store.sync().await?;
    tracing::warn!(circular = %c.id, number = %c.notice.number, kind = c.content.kind.zh(), by, "circular issued");
    Ok(c)
}

/// The incidents and orders `req` refers to are held here.
fn held(tx: &Tx<'_>, req: &CircularRequest) -> TxResult<()> {
    for key in req.incidents.iter().map(|k| k.trim()).filter(|k| !k.is_empty()) {
        if tx.incident(key)?.is_none() {
            return abort(NodeError::invalid("incidents", format!("本节点没有安全事件 {key}（本级或下级上报的）")));
        }
    }
    for key in req.orders.iter().map(|k| k.trim()).filter(|k| !k.is_empty()) {
        if tx.order(key)?.is_none() {
            return abort(NodeError::invalid("orders", format!("本节点没有中断连接通知 {key}（本级或下级下达的）")));
        }
    }
    Ok(())
}
