//! Security incidents at their own node (Art.26(1)): a unit or the
//! operator reports one; the departments told are recorded; the operator,
//! as the competent authority, decides whether to report it up and closes
//! it once handled. Each write stores the incident and moves its counters
//! in one transaction; once reported up, the same write sends the whole
//! record to every ancestor (`incident.v1`), and so does every later step.

use extranet_federation::Route;

use super::idempotency;
use crate::codec;
use crate::domain::incident::IncidentRequest;
use crate::domain::{Incident, IncidentAction, IncidentId, UnitId, limits};
use crate::error::{NodeError, Result};
use crate::store::{NodeStore, Tx, TxResult, abort};

/// Opens an incident at this node from `req`, by `by`; a named unit must
/// be registered here. Answered once durable.
pub async fn report(store: &NodeStore, req: IncidentRequest, by: &str) -> Result<Incident> {
    let i = store.transact(|tx| {
        if let Some(u) = &req.unit
            && tx.unit(u)?.is_none()
        {
            return abort(NodeError::NotFound(format!("本节点没有登记单位 {u}")));
        }
        let id = IncidentId { origin: tx.me().clone(), number: tx.next_number("incident")? };
        let i = Incident::report(id, req.clone(), tx.now_ms(), by).or_else(abort)?;
        write(tx, &i)?;
        idempotency::record(tx, || codec::incident_to_pb(&i))?;
        Ok(i)
    })?;
    store.sync().await?;
    tracing::warn!(incident = %i.id, major = i.report.major, by, "security incident reported");
    Ok(i)
}

/// Takes `action` on incident `key` owned by this node, by `by`; `unit` is
/// the access unit acting (its own incident only, and only as
/// [`IncidentAction::unit_may`] allows), `None` for an operator.
pub async fn act(
    store: &NodeStore,
    key: &str,
    action: IncidentAction,
    by: &str,
    unit: Option<&UnitId>,
) -> Result<Incident> {
    let i = store.transact(|tx| {
        let mut i = owned(tx, key)?;
        if let Some(u) = unit {
            if !i.is_of(u) {
                return abort(NodeError::PermissionDenied(format!("接入单位 {u} 只能办理本单位的安全事件")));
            }
            if !action.unit_may() {
                return abort(NodeError::PermissionDenied(
                    "是否上报上级和处置完毕由本级政务外网主管部门研判决定（第二十六条第（一）项）".into(),
                ));
            }
        }
        i.act(action.clone(), tx.now_ms(), by).or_else(abort)?;
        write(tx, &i)?;
        idempotency::record(tx, || codec::incident_to_pb(&i))?;
        Ok(i)
    })?;
    store.sync().await?;
    tracing::warn!(incident = %i.id, decision = i.decision.zh(), closed = i.closed, by, "incident step");
    Ok(i)
}

/// The incident `key`, which this node must own.
fn owned(tx: &Tx<'_>, key: &str) -> TxResult<Incident> {
    let i = tx
        .incident(key)?
        .ok_or_else(|| NodeError::NotFound(format!("本节点没有编号为 {key} 的安全事件")))
        .or_else(abort)?;
    if &i.id.origin != tx.me() {
        return abort(NodeError::PermissionDenied(format!(
            "安全事件 {key} 由 {} 的主管部门研判处置，本节点只保存其上报的副本",
            i.id.origin
        )));
    }
    Ok(i)
}

/// Within a write: stores the incident, and sends it up once reported up.
fn write(tx: &mut Tx<'_>, i: &Incident) -> TxResult<()> {
    let payload = codec::encode_incident(i);
    limits::event_payload("incident", payload.len()).or_else(abort)?;
    tx.put_incident(i)?;
    if i.travels_up() {
        tx.emit(Route::Up, codec::KIND_INCIDENT, payload)?;
    }
    Ok(())
}
