//! Fault tickets ↔ `extranet.v1`: a report and a step checked at the edge,
//! the ticket as an answer (with its clocks computed at answer time) and as
//! the `fault.v1` payload that travels up (the whole ticket; the highest
//! revision wins).

use extranet_certs::NodeId;
use extranet_proto::v1 as pb;
use prost::Message;

use super::access::{contact, contact_to_pb};
use super::enums::WireEnum;
use crate::domain::fault::{Breach, FaultReport, Party, Step};
use crate::domain::{ClockKind, FaultAction, FaultClass, FaultId, FaultState, FaultTicket, Policy, UnitId};
use crate::error::{NodeError, Result};

/// Event kind of a ticket travelling up.
pub const KIND_FAULT: &str = "fault.v1";

/// A report as the caller sent it; the class is resolved by the operation
/// (`None`: from the unit's township flag).
pub fn report_from_pb(r: &pb::ReportFaultRequest, now_ms: i64) -> Result<(FaultReport, Option<FaultClass>)> {
    let class = match r.class {
        0 => None,
        v => Some(FaultClass::from_pb(v).ok_or_else(|| NodeError::invalid("class", "应为骨干网络、城区或偏远乡镇"))?),
    };
    let unit = match r.unit_id.trim() {
        "" => None,
        u => Some(UnitId::parse(u).map_err(|_| NodeError::invalid("unit_id", format!("“{u}” 不是单位编号")))?),
    };
    let report = FaultReport {
        unit,
        access_point: r.access_point.clone(),
        description: r.description.clone(),
        down_since_ms: if r.down_since_ms == 0 { now_ms } else { r.down_since_ms },
        contact: contact("contact", "contact.name", "contact.phone", r.contact.as_ref())?,
        class: class.unwrap_or(FaultClass::Urban),
    };
    Ok((report, class))
}

/// The step a request asks for.
pub fn action_from_pb(r: &pb::ActOnFaultRequest) -> Result<FaultAction> {
    use pb::FaultAction as A;
    Ok(match A::try_from(r.action).unwrap_or(A::Unspecified) {
        A::Acknowledge => FaultAction::Acknowledge,
        A::StartRepair => FaultAction::StartRepair,
        A::MarkRepaired => FaultAction::MarkRepaired,
        A::Close => FaultAction::Close {
            satisfaction: match r.satisfaction {
                0 => None,
                s => Some(u8::try_from(s).map_err(|_| NodeError::invalid("satisfaction", "满意度评分须为 1 至 5"))?),
            },
        },
        A::Reopen => FaultAction::Reopen { reason: r.text.clone() },
        A::Reclassify => FaultAction::Reclassify {
            class: FaultClass::from_pb(r.class).ok_or_else(|| NodeError::invalid("class", "更改类别须指明新类别"))?,
            reason: r.text.clone(),
        },
        A::Note => FaultAction::Note { text: r.text.clone() },
        A::Unspecified => {
            return Err(NodeError::invalid(
                "action",
                "应为响应、开始修复、修复完成、关闭、重新打开、更改类别或备注之一",
            ));
        }
    })
}

/// The wire form of a ticket, with its clocks as of `now_ms` (0: none,
/// as in events).
pub fn fault_to_pb(t: &FaultTicket, now_ms: i64) -> pb::FaultTicket {
    let clocks = if now_ms == 0 {
        Vec::new()
    } else {
        t.clocks(now_ms)
            .iter()
            .map(|c| pb::FaultClockView {
                clock: c.clock.to_pb() as i32,
                running: c.running,
                deadline_ms: c.deadline_ms,
                met_at_ms: c.met_at_ms.unwrap_or(0),
                left_ms: c.left_ms,
            })
            .collect()
    };
    pb::FaultTicket {
        id: t.id.key(),
        origin: t.id.origin.to_string(),
        number: t.id.number,
        unit_id: t.unit.as_ref().map(|u| u.to_string()).unwrap_or_default(),
        access_point: t.access_point.clone(),
        description: t.description.clone(),
        down_since_ms: t.down_since_ms,
        contact: Some(contact_to_pb(&t.contact)),
        policy: Some(pb::FaultPolicy {
            class: t.policy.class.to_pb() as i32,
            response_ms: t.policy.response_ms,
            repair_ms: t.policy.repair_ms,
        }),
        reported_at_ms: t.reported_at_ms,
        state: t.state.to_pb() as i32,
        history: t
            .history
            .iter()
            .map(|s| pb::FaultStep {
                state: s.state.to_pb() as i32,
                at_ms: s.at_ms,
                by: s.by.clone(),
                node: s.node.to_string(),
                note: s.note.clone(),
            })
            .collect(),
        breaches: t
            .breaches
            .iter()
            .map(|b| pb::FaultBreach {
                clock: b.clock.to_pb() as i32,
                deadline_ms: b.deadline_ms,
                recorded_at_ms: b.recorded_at_ms,
            })
            .collect(),
        satisfaction: t.satisfaction.map_or(0, u32::from),
        revision: t.revision,
        clocks,
        now_ms,
        provider: t.provider.as_ref().map(party_to_pb),
        maintainer: t.maintainer.as_ref().map(party_to_pb),
    }
}

fn party_to_pb(p: &Party) -> pb::FaultParty {
    pb::FaultParty { id: p.id.clone(), name: p.name.clone() }
}

fn party(p: Option<pb::FaultParty>) -> Option<Party> {
    p.map(|p| Party { id: p.id, name: p.name })
}

fn state(v: i32) -> Result<FaultState> {
    FaultState::from_pb(v).ok_or_else(|| NodeError::invalid("state", "未知的故障状态"))
}

/// Reads a ticket from a peer's `fault.v1` payload.
pub fn fault_from_pb(p: pb::FaultTicket) -> Result<FaultTicket> {
    let policy = p.policy.ok_or_else(|| NodeError::invalid("policy", "缺少时限"))?;
    let class =
        FaultClass::from_pb(policy.class).ok_or_else(|| NodeError::invalid("policy.class", "未知的故障类别"))?;
    let history = p
        .history
        .into_iter()
        .map(|s| {
            Ok(Step { state: state(s.state)?, at_ms: s.at_ms, by: s.by, node: NodeId::parse(&s.node)?, note: s.note })
        })
        .collect::<Result<Vec<_>>>()?;
    let breaches = p
        .breaches
        .into_iter()
        .map(|b| {
            let clock =
                ClockKind::from_pb(b.clock).ok_or_else(|| NodeError::invalid("breaches.clock", "未知的时钟"))?;
            Ok(Breach { clock, deadline_ms: b.deadline_ms, recorded_at_ms: b.recorded_at_ms })
        })
        .collect::<Result<Vec<_>>>()?;
    if history.is_empty() {
        return Err(NodeError::invalid("history", "故障记录至少包含报告这一步"));
    }
    Ok(FaultTicket {
        id: FaultId { origin: NodeId::parse(&p.origin)?, number: p.number },
        unit: match p.unit_id.as_str() {
            "" => None,
            u => Some(UnitId::parse(u)?),
        },
        access_point: p.access_point,
        description: p.description,
        down_since_ms: p.down_since_ms,
        contact: contact("contact", "contact.name", "contact.phone", p.contact.as_ref())?,
        policy: Policy { class, response_ms: policy.response_ms, repair_ms: policy.repair_ms },
        reported_at_ms: p.reported_at_ms,
        state: state(p.state)?,
        history,
        breaches,
        satisfaction: u8::try_from(p.satisfaction).ok().filter(|s| *s > 0),
        revision: p.revision,
        provider: party(p.provider),
        maintainer: party(p.maintainer),
    })
}

/// Payload of a `fault.v1` event.
pub fn encode_fault(t: &FaultTicket) -> Vec<u8> {
    fault_to_pb(t, 0).encode_to_vec()
}

/// Reads a `fault.v1` payload.
pub fn decode_fault(bytes: &[u8]) -> Result<FaultTicket> {
    fault_from_pb(super::decode_payload(bytes, "故障事件")?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::fixtures::{fault_ticket, read};

    /// The `fault.v1` payload a node wrote is read back as the same ticket.
    #[test]
    fn the_checked_in_fault_payload_decodes_to_its_ticket() {
        let t = fault_ticket();
        assert_eq!(t.breaches.len(), 1, "the sample carries a breach");
        assert_eq!(decode_fault(&read("wire/fault.v1/ticket.bin")).unwrap(), t);
        assert_eq!(decode_fault(&encode_fault(&t)).unwrap(), t);
    }
}
