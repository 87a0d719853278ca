//! Units' applications for a system's addresses on the wire: the request
//! checked at the edge, the record for listing.

use extranet_proto::v1 as pb;

use super::text;
use crate::domain::ipam::{SystemRequest, SystemRequestForm, SystemRequestState};
use crate::domain::limits;
use crate::error::{NodeError, Result};

/// The form of an application, its fields checked (the Art.6 rule is the
/// domain's, [`SystemRequestForm::check`]).
pub fn system_form_from_pb(r: &pb::RequestSystemAddressesRequest) -> Result<SystemRequestForm> {
    let len = match r.length {
        0 => None,
        1..=128 => Some(r.length as u8),
        _ => return Err(NodeError::invalid("length", "前缀长度应在 1–128 之间")),
    };
    let why = limits::optional_text("ipv4_justification", &r.ipv4_justification)?;
    let form = SystemRequestForm {
        system_name: text("system_name", &r.system_name)?,
        v6: !r.ipv4,
        len,
        reason: text("reason", &r.reason)?,
        ipv4_justification: (!why.is_empty()).then_some(why),
    };
    form.check()?;
    Ok(form)
}

/// The wire form of an application; `unit_name` is the unit's registered
/// name where the caller has it.
pub fn system_request_to_pb(r: &SystemRequest, unit_name: &str) -> pb::SystemRequestRecord {
    let mut p = pb::SystemRequestRecord {
        id: r.id.key(),
        unit_id: r.unit.to_string(),
        unit_name: unit_name.to_string(),
        system_name: r.form.system_name.clone(),
        ipv4: !r.form.v6,
        length: r.form.len.map_or(0, u32::from),
        reason: r.form.reason.clone(),
        ipv4_justification: r.form.ipv4_justification.clone().unwrap_or_default(),
        by: r.by.clone(),
        at_ms: r.at_ms,
        state: pb::SystemRequestState::Pending as i32,
        ..Default::default()
    };
    match &r.state {
        SystemRequestState::Pending => {}
        SystemRequestState::Granted { assignment, prefix, by, at_ms } => {
            p.state = pb::SystemRequestState::Granted as i32;
            (p.assignment_id, p.prefix) = (assignment.key(), prefix.to_string());
            (p.decided_by, p.decided_at_ms) = (by.clone(), *at_ms);
        }
        SystemRequestState::Refused { reason, by, at_ms } => {
            p.state = pb::SystemRequestState::Refused as i32;
            (p.refusal_reason, p.decided_by, p.decided_at_ms) = (reason.clone(), by.clone(), *at_ms);
        }
    }
    p
}
