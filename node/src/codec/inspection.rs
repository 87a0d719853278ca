//! Supervision inspections ↔ `extranet.v1` (Art.28): a recorded inspection
//! checked at the edge, the record as an answer and as the `inspection.v1`
//! payload (the whole record; the highest revision wins), and a lower
//! node's answer as the `inspection.response.v1` payload.

use chrono::NaiveDate;
use extranet_certs::NodeId;
use extranet_proto::v1 as pb;
use prost::Message;

use super::access::notice_to_pb;
use super::access_event::notice_from_pb;
use super::enums::WireEnum;
use super::order::{deadline_from_pb, deadline_to_pb};
use crate::domain::UnitId;
use crate::domain::inspection::{
    Finding, FindingRequest, Inspected, Inspection, InspectionId, Rectification, RectificationState, RectificationStep,
    RectificationStepKind, Response,
};
use crate::error::{NodeError, Result};

/// Event kind of an inspection travelling up and down.
pub const KIND_INSPECTION: &str = "inspection.v1";
/// Event kind of a lower node's answer travelling up.
pub const KIND_INSPECTION_RESPONSE: &str = "inspection.response.v1";

/// Who a request inspects: exactly one of a unit and a lower node.
pub fn inspected_from_pb(unit: &str, node: &str) -> Result<Inspected> {
    match (unit.trim(), node.trim()) {
        ("", "") => Err(NodeError::invalid("unit_id", "须填写被检查的接入单位编号或下级节点（inspected_node）之一")),
        (u, "") => UnitId::parse(u)
            .map(Inspected::Unit)
            .map_err(|_| NodeError::invalid("unit_id", format!("“{u}” 不是单位编号"))),
        ("", n) => {
            NodeId::parse(n).map(Inspected::Node).map_err(|e| NodeError::invalid("inspected_node", e.to_string()))
        }
        _ => Err(NodeError::invalid("inspected_node", "单位编号和下级节点只能填写其一")),
    }
}

/// The findings a request records.
pub fn findings_from_pb(v: &[pb::FindingRequest]) -> Vec<FindingRequest> {
    v.iter()
        .map(|f| FindingRequest { text: f.text.clone(), working_days: (f.working_days > 0).then_some(f.working_days) })
        .collect()
}

/// The finding number a request names (from 1).
pub fn finding_number(n: u32) -> Result<usize> {
    match n {
        0 => Err(NodeError::invalid("finding", "须写明问题序号（从 1 起）")),
        n => Ok(n as usize),
    }
}

fn rectification_to_pb(r: &Rectification, today: Option<NaiveDate>) -> pb::Rectification {
    pb::Rectification {
        deadline: Some(deadline_to_pb(&r.deadline)),
        state: r.state.to_pb() as i32,
        steps: r
            .steps
            .iter()
            .map(|s| pb::RectificationStep {
                kind: s.kind.to_pb() as i32,
                at_ms: s.at_ms,
                by: s.by.clone(),
                note: s.note.clone(),
            })
            .collect(),
        overdue: today.is_some_and(|t| r.is_overdue(t)),
    }
}

/// The wire form of an inspection, overdue as of `today` (`None`: false, as in events).
pub fn inspection_to_pb(i: &Inspection, today: Option<NaiveDate>) -> pb::Inspection {
    let (unit_id, inspected_node) = match &i.inspected {
        Inspected::Unit(u) => (u.to_string(), String::new()),
        Inspected::Node(n) => (String::new(), n.to_string()),
    };
    pb::Inspection {
        id: i.id.key(),
        origin: i.id.origin.to_string(),
        number: i.id.number,
        unit_id,
        inspected_node,
        inspected_name: i.inspected_name.clone(),
        date: i.date.to_string(),
        scope: i.scope.clone(),
        inspectors: i.inspectors.clone(),
        findings: i
            .findings
            .iter()
            .enumerate()
            .map(|(n, f)| pb::Finding {
                number: u32::try_from(n + 1).unwrap_or(u32::MAX),
                text: f.text.clone(),
                rectification: f.rectification.as_ref().map(|r| rectification_to_pb(r, today)),
            })
            .collect(),
        recorded_at_ms: i.recorded_at_ms,
        recorded_by: i.recorded_by.clone(),
        notice: i.notice.as_ref().map(notice_to_pb),
        revision: i.revision,
    }
}

fn rectification_from_pb(r: pb::Rectification) -> Result<Rectification> {
    let steps = r
        .steps
        .into_iter()
        .map(|s| {
            Ok(RectificationStep {
                kind: RectificationStepKind::from_pb(s.kind)
                    .ok_or_else(|| NodeError::invalid("findings.steps.kind", "未知的整改步骤"))?,
                at_ms: s.at_ms,
                by: s.by,
                note: s.note,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Rectification {
        deadline: deadline_from_pb(r.deadline)?,
        state: RectificationState::from_pb(r.state)
            .ok_or_else(|| NodeError::invalid("findings.state", "未知的整改状态"))?,
        steps,
    })
}

/// Reads an inspection from a peer's `inspection.v1` payload.
pub fn inspection_from_pb(p: pb::Inspection) -> Result<Inspection> {
    let findings = p
        .findings
        .into_iter()
        .map(|f| Ok(Finding { text: f.text, rectification: f.rectification.map(rectification_from_pb).transpose()? }))
        .collect::<Result<Vec<_>>>()?;
    Ok(Inspection {
        id: InspectionId { origin: NodeId::parse(&p.origin)?, number: p.number },
        inspected: inspected_from_pb(&p.unit_id, &p.inspected_node)?,
        inspected_name: p.inspected_name,
        date: super::access_event::day("date", &p.date)?,
        scope: p.scope,
        inspectors: p.inspectors,
        findings,
        recorded_at_ms: p.recorded_at_ms,
        recorded_by: p.recorded_by,
        notice: p.notice.map(|n| notice_from_pb("notice", "notice", n)).transpose()?,
        revision: p.revision,
    })
}

/// Payload of an `inspection.v1` event.
pub fn encode_inspection(i: &Inspection) -> Vec<u8> {
    inspection_to_pb(i, None).encode_to_vec()
}

/// Reads an `inspection.v1` payload.
pub fn decode_inspection(bytes: &[u8]) -> Result<Inspection> {
    inspection_from_pb(super::decode_payload(bytes, "监督检查事件")?)
}

/// Payload of an `inspection.response.v1` event: inspection `id`'s answer `r`.
pub fn encode_inspection_response(id: &InspectionId, r: &Response) -> Vec<u8> {
    pb::InspectionResponseEvent {
        inspection: id.key(),
        finding: u32::try_from(r.finding).unwrap_or(u32::MAX),
        text: r.text.clone(),
        at_ms: r.at_ms,
        by: r.by.clone(),
    }
    .encode_to_vec()
}

/// Reads an `inspection.response.v1` payload: the inspection's key and the answer.
pub fn decode_inspection_response(bytes: &[u8]) -> Result<(String, Response)> {
    let e: pb::InspectionResponseEvent = super::decode_payload(bytes, "整改答复事件")?;
    InspectionId::check_key(&e.inspection)?;
    let r = Response { finding: finding_number(e.finding)?, text: e.text, at_ms: e.at_ms, by: e.by };
    Ok((e.inspection, r))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::fixtures::{inspection, read};

    /// The `inspection.v1` payload a node wrote is read back as the same record.
    #[test]
    fn the_checked_in_inspection_payload_decodes_to_its_record() {
        let i = inspection();
        assert_eq!(decode_inspection(&read("wire/inspection.v1/closed.bin")).unwrap(), i);
        assert_eq!(decode_inspection(&encode_inspection(&i)).unwrap(), i);
    }

    #[test]
    fn exactly_one_of_unit_and_node_is_inspected() {
        let field = |u: &str, n: &str| match inspected_from_pb(u, n) {
            Err(NodeError::Domain(crate::domain::DomainError::Invalid { field, .. })) => field.to_string(),
            other => format!("{other:?}"),
        };
        assert_eq!(field("", ""), "unit_id");
        assert_eq!(field("u0001", "540000/540100"), "inspected_node");
        assert_eq!(field("", "not a path"), "inspected_node");
        assert!(matches!(inspected_from_pb("u0001", ""), Ok(Inspected::Unit(_))));
    }
}
