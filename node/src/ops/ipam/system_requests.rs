//! Units' applications for a system's addresses (Art.23): lodged and
//! decided at the unit's own node. A grant assigns from the node's pool in
//! the very write that records the decision, so no application is granted
//! without its assignment, nor an assignment made twice for one
//! application. A unit's written reason for IPv4 and the operator's grant
//! are the two parties Art.6's exception needs.

use super::Ipam;
use super::grant::AssignSpec;
use crate::codec;
use crate::domain::UnitId;
use crate::domain::UnitStatus;
use crate::domain::ipam::{AssigneeId, Purpose, SystemRequest, SystemRequestForm, SystemRequestId, SystemRequestState};
use crate::error::{NodeError, Result};
use crate::ops::idempotency;
use crate::store::{Tx, TxResult, abort};

impl Ipam {
    /// Lodges `unit`'s application; durable and pending when it returns.
    /// Refused for a unit not registered here, or withdrawn.
    pub async fn request_system(&self, unit: &UnitId, form: SystemRequestForm, by: &str) -> Result<SystemRequest> {
        form.check()?;
        let r = self.store.transact(|tx| {
            check_unit(tx, unit)?;
            let r = SystemRequest {
                id: SystemRequestId { node: tx.me().clone(), number: tx.next_number("system-request")? },
                unit: unit.clone(),
                form: form.clone(),
                by: by.to_string(),
                at_ms: self.now_ms(),
                state: SystemRequestState::Pending,
            };
            tx.put_system_request(&r)?;
            idempotency::record(tx, || codec::system_request_to_pb(&r, ""))?;
            Ok(r)
        })?;
        self.store.sync().await?;
        tracing::info!(id = %r.id, unit = %unit, "application for a system's addresses lodged");
        Ok(r)
    }

    /// Grants (assigning the addresses) or refuses a pending application.
    pub async fn decide_system(
        &self,
        id: &SystemRequestId,
        grant: bool,
        reason: &str,
        by: &str,
    ) -> Result<SystemRequest> {
        let key = id.key();
        let held = self.store.system_request(&key)?;
        let held = held.ok_or_else(|| NodeError::NotFound(format!("本节点没有地址申请 {key}")))?;
        held.check_pending()?;
        let r = if grant {
            self.grant_system(&held, by).await?
        } else {
            if reason.trim().is_empty() {
                return Err(NodeError::invalid("reason", "不予分配须说明理由"));
            }
            let refused =
                SystemRequestState::Refused { reason: reason.to_string(), by: by.to_string(), at_ms: self.now_ms() };
            let r = self.store.transact(|tx| decided(tx, &key, refused.clone()))?;
            self.store.sync().await?;
            r
        };
        tracing::info!(id = %key, state = r.state_code(), by, "application for a system's addresses decided");
        Ok(r)
    }

    async fn grant_system(&self, held: &SystemRequest, by: &str) -> Result<SystemRequest> {
        let spec = AssignSpec {
            v6: held.form.v6,
            len: held.form.len,
            prefix: None,
            purpose: Purpose::InformationSystem,
            assignee: AssigneeId::new(held.unit.as_str())?,
            serves: held.id.key(),
            ipv4_justification: held.form.ipv4_justification.clone(),
            ipv4_approved_by: (!held.form.v6).then(|| by.to_string()),
        };
        let key = held.id.key();
        let out = std::sync::Mutex::new(None);
        self.assign_then(spec, by, |tx, a| {
            let granted = SystemRequestState::Granted {
                assignment: a.id.clone(),
                prefix: a.prefix,
                by: by.to_string(),
                at_ms: a.at_ms,
            };
            let r = decided(tx, &key, granted)?;
            *out.lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
            Ok(())
        })
        .await?;
        let r = out.into_inner().unwrap_or_else(|e| e.into_inner());
        r.ok_or_else(|| NodeError::Store("地址申请的决定没有写入".into()))
    }
}

/// Within a write: the application with its decision, refused if another
/// decision committed first.
fn decided(tx: &mut Tx<'_>, key: &str, state: SystemRequestState) -> TxResult<SystemRequest> {
    let Some(mut r) = tx.system_request(key)? else {
        return abort(NodeError::NotFound(format!("本节点没有地址申请 {key}")));
    };
    r.check_pending().or_else(abort)?;
    r.state = state;
    tx.put_system_request(&r)?;
    idempotency::record(tx, || codec::system_request_to_pb(&r, ""))?;
    Ok(r)
}

/// The unit must be registered here and not withdrawn.
pub(crate) fn check_unit(tx: &Tx<'_>, unit: &UnitId) -> TxResult<crate::domain::AccessUnit> {
    match tx.unit(unit)? {
        None => abort(NodeError::invalid("unit_id", format!("本节点没有登记接入单位 {unit}"))),
        Some(u) if u.status == UnitStatus::Withdrawn => {
            abort(NodeError::precondition(format!("接入单位 {unit}（{}）已撤销接入", u.name)))
        }
        Some(u) => Ok(u),
    }
}
