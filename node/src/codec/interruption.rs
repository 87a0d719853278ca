//! Maintenance interruptions ↔ `extranet.v1`: a request and a step checked
//! at the edge, the record as an answer and as the `interruption.v1`
//! payload that travels up (the whole record; the highest revision wins),
//! and the report of an approval as filing details.

use extranet_certs::NodeId;
use extranet_proto::v1 as pb;
use prost::Message;

use super::access::{contact, contact_to_pb};
use super::enums::WireEnum;
use crate::domain::interruption::{InterruptionFiling, InterruptionStep, Plan};
use crate::domain::{Affects, FilingId, Interruption, InterruptionAction, InterruptionId, InterruptionState, UnitId};
use crate::error::{NodeError, Result};

/// Event kind of an interruption travelling up.
pub const KIND_INTERRUPTION: &str = "interruption.v1";

fn unit(field: &'static str, v: &str) -> Result<Option<UnitId>> {
    match v.trim() {
        "" => Ok(None),
        u => Ok(Some(UnitId::parse(u).map_err(|_| NodeError::invalid(field, format!("“{u}” 不是单位编号")))?)),
    }
}

/// A plan as a caller or a peer sent it (checked further by the domain).
pub fn plan_from_pb(p: Option<&pb::InterruptionPlan>) -> Result<Plan> {
    let p = p.ok_or_else(|| NodeError::invalid("plan", "缺少中断计划"))?;
    Ok(Plan {
        unit: unit("plan.unit_id", &p.unit_id)?,
        affects: Affects::from_pb(p.affects)
            .ok_or_else(|| NodeError::invalid("plan.affects", "应为网络（network）或重要业务系统（system）"))?,
        affected: p.affected.clone(),
        reason: p.reason.clone(),
        window_start_ms: p.window_start_ms,
        window_end_ms: p.window_end_ms,
        contact: contact("plan.contact", "plan.contact.name", "plan.contact.phone", p.contact.as_ref())?,
    })
}

/// The wire form of a plan.
pub fn plan_to_pb(p: &Plan) -> pb::InterruptionPlan {
    pb::InterruptionPlan {
        unit_id: p.unit.as_ref().map(|u| u.to_string()).unwrap_or_default(),
        affects: p.affects.to_pb() as i32,
        affected: p.affected.clone(),
        reason: p.reason.clone(),
        window_start_ms: p.window_start_ms,
        window_end_ms: p.window_end_ms,
        contact: Some(contact_to_pb(&p.contact)),
    }
}

/// The step a request asks for.
pub fn interruption_action_from_pb(r: &pb::ActOnInterruptionRequest) -> Result<InterruptionAction> {
    use pb::InterruptionAction as A;
    let text = r.text.clone();
    Ok(match A::try_from(r.action).unwrap_or(A::Unspecified) {
        A::Approve => InterruptionAction::Approve { note: text },
        A::Reject => InterruptionAction::Reject { reason: text },
        A::Withdraw => InterruptionAction::Withdraw { reason: text },
        A::Start => InterruptionAction::Start,
        A::Finish => InterruptionAction::Finish { note: text },
        A::Unspecified => return Err(NodeError::invalid("action", "应为批准、驳回、撤回、开始实施或结束之一")),
    })
}

/// The wire form of an interruption, its overrun as of `now_ms` (0: none,
/// as in events).
pub fn interruption_to_pb(i: &Interruption, now_ms: i64) -> pb::Interruption {
    pb::Interruption {
        id: i.id.key(),
        origin: i.id.origin.to_string(),
        number: i.id.number,
        plan: Some(plan_to_pb(&i.plan)),
        state: i.state.to_pb() as i32,
        history: i
            .history
            .iter()
            .map(|s| pb::InterruptionStep {
                state: s.state.to_pb() as i32,
                at_ms: s.at_ms,
                by: s.by.clone(),
                note: s.note.clone(),
            })
            .collect(),
        filing_id: i.filing.as_ref().map(|f| f.key()).unwrap_or_default(),
        revision: i.revision,
        overrun_ms: if now_ms == 0 { 0 } else { i.overrun_ms(now_ms) },
    }
}

fn state(v: i32) -> Result<InterruptionState> {
    InterruptionState::from_pb(v).ok_or_else(|| NodeError::invalid("state", "未知的中断状态"))
}

/// Reads an interruption from a peer's `interruption.v1` payload.
pub fn interruption_from_pb(p: pb::Interruption) -> Result<Interruption> {
    let history = p
        .history
        .into_iter()
        .map(|s| Ok(InterruptionStep { state: state(s.state)?, at_ms: s.at_ms, by: s.by, note: s.note }))
        .collect::<Result<Vec<_>>>()?;
    if history.is_empty() {
        return Err(NodeError::invalid("history", "中断记录至少包含申请这一步"));
    }
    let origin = NodeId::parse(&p.origin)?;
    Ok(Interruption {
        id: InterruptionId { origin: origin.clone(), number: p.number },
        plan: plan_from_pb(p.plan.as_ref())?,
        state: state(p.state)?,
        history,
        filing: match p.filing_id.as_str() {
            "" => None,
            // the report is filed at the interruption's own node
            f => Some(FilingId { origin: origin.clone(), number: number_of("filing_id", f, "-")? }),
        },
        revision: p.revision,
    })
}

/// The number of a displayed id `<code><marker><number>` that names a
/// record of a node already known from the context.
fn number_of(field: &'static str, key: &str, marker: &str) -> Result<u64> {
    key.rsplit_once(marker)
        .and_then(|(_, n)| n.parse().ok())
        .ok_or_else(|| NodeError::invalid(field, format!("“{key}” 不是有效的编号")))
}

/// Payload of an `interruption.v1` event.
pub fn encode_interruption(i: &Interruption) -> Vec<u8> {
    interruption_to_pb(i, 0).encode_to_vec()
}

/// Reads an `interruption.v1` payload.
pub fn decode_interruption(bytes: &[u8]) -> Result<Interruption> {
    interruption_from_pb(super::decode_payload(bytes, "中断事件")?)
}

/// The filing details of an approval's report.
pub(super) fn interruption_filing_to_pb(f: &InterruptionFiling) -> pb::InterruptionDetails {
    pb::InterruptionDetails {
        interruption_id: f.interruption.key(),
        plan: Some(plan_to_pb(&f.plan)),
        approved_by: f.approved_by.clone(),
        approved_at_ms: f.approved_at_ms,
        note: f.note.clone(),
    }
}

/// Reads an approval's report from a filing of `origin`.
pub(super) fn interruption_filing_from_pb(d: pb::InterruptionDetails, origin: &NodeId) -> Result<InterruptionFiling> {
    // the interruption is the filing's own node's
    let number = number_of("interruption.interruption_id", &d.interruption_id, "-M")?;
    Ok(InterruptionFiling {
        interruption: InterruptionId { origin: origin.clone(), number },
        plan: plan_from_pb(d.plan.as_ref())?,
        approved_by: d.approved_by,
        approved_at_ms: d.approved_at_ms,
        note: d.note,
    })
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::fixtures::{interruption, interruption_filing, read};

    /// The `interruption.v1` payload and the filing of an approval a node
    /// wrote are read back as the same records.
    #[test]
    fn the_checked_in_interruption_payloads_decode_to_their_records() {
        let i = interruption();
        assert_eq!(decode_interruption(&read("wire/interruption.v1/under_way.bin")).unwrap(), i);
        assert_eq!(decode_interruption(&encode_interruption(&i)).unwrap(), i);
        let f = interruption_filing();
        assert_eq!(super::super::decode_filing(&read("wire/filing.v1/interruption.bin")).unwrap(), f);
    }
}
