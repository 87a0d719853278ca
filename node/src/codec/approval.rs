//! Approvals of major adjustments ↔ `extranet.v1`: a proposal checked at
//! the edge, the application as an answer (with its stage and waits) and
//! as the `approval.v1` payload (the record as the sender knows it).

use extranet_certs::NodeId;
use extranet_proto::v1 as pb;
use prost::Message;

use super::access::{contact, contact_to_pb};
use crate::domain::approval::{ApprovalId, Decision, MajorAdjustment, Proposal, Stage, Verdict};
use crate::domain::{Choice, WrittenNotice};
use crate::error::{NodeError, Result};

/// Event kind of an application or a level's decision, travelling.
pub const KIND_APPROVAL: &str = "approval.v1";

/// A proposal as the caller sent it (checked further by the domain).
pub fn proposal_from_pb(p: Option<&pb::ApprovalProposal>) -> Result<Proposal> {
    let p = p.ok_or_else(|| NodeError::invalid("proposal", "缺少申请内容"))?;
    Ok(Proposal {
        title: p.title.clone(),
        description: p.description.clone(),
        scope: p.scope.clone(),
        planned_start: super::date("proposal.planned_start", &p.planned_start)?,
        contact: contact("proposal.contact", "proposal.contact.name", "proposal.contact.phone", p.contact.as_ref())?,
    })
}

/// A verdict as typed: `approve` or `reject`.
pub fn verdict_from_pb(v: &str) -> Result<Verdict> {
    Verdict::from_value(v.trim())
        .ok_or_else(|| NodeError::invalid("verdict", "应为 approve（同意）或 reject（不同意）"))
}

fn decision_to_pb(d: &Decision) -> pb::ApprovalDecision {
    pb::ApprovalDecision {
        level: d.level.to_string(),
        verdict: d.verdict.value().into(),
        by: d.by.clone(),
        at_ms: d.at_ms,
        reason: d.reason.clone(),
        notice_number: d.notice.number.clone(),
        notice_date: d.notice.issued_on.to_string(),
        notice_text: d.notice.text.clone(),
        notice_html: d.notice.html.clone(),
    }
}

fn decision_from_pb(d: pb::ApprovalDecision) -> Result<Decision> {
    let level = NodeId::parse(&d.level)?;
    Ok(Decision {
        verdict: verdict_from_pb(&d.verdict)?,
        by: d.by,
        at_ms: d.at_ms,
        reason: d.reason,
        notice: WrittenNotice {
            number: d.notice_number,
            issued_on: super::date("decisions.notice_date", &d.notice_date)?,
            authority: level.clone(),
            text: d.notice_text,
            html: d.notice_html,
        },
        level,
    })
}

/// The wire form of an application; as an `answer`, with its
/// stage and the waits at each level, else (events) the record alone.
pub fn approval_to_pb(a: &MajorAdjustment, answer: bool) -> pb::MajorAdjustment {
    let p = &a.proposal;
    let (stage, stage_level, waits) = if answer {
        let (code, level) = match a.stage() {
            Stage::Pending(l) => ("pending", l.to_string()),
            Stage::Approved => ("approved", String::new()),
            Stage::Rejected(l) => ("rejected", l.to_string()),
        };
        let waits = a
            .waits()
            .into_iter()
            .map(|w| pb::ApprovalWait {
                level: w.level.to_string(),
                since_ms: w.since_ms,
                decided_ms: w.decided_ms.unwrap_or(0),
            })
            .collect();
        (code.to_string(), level, waits)
    } else {
        (String::new(), String::new(), Vec::new())
    };
    pb::MajorAdjustment {
        id: a.id.key(),
        origin: a.id.origin.to_string(),
        number: a.id.number,
        proposal: Some(pb::ApprovalProposal {
            title: p.title.clone(),
            description: p.description.clone(),
            scope: p.scope.clone(),
            planned_start: p.planned_start.to_string(),
            contact: Some(contact_to_pb(&p.contact)),
        }),
        applied_at_ms: a.applied_at_ms,
        applied_by: a.applied_by.clone(),
        decisions: a.decisions.iter().map(decision_to_pb).collect(),
        stage,
        stage_level,
        waits,
    }
}

/// Reads an application from a peer's `approval.v1` payload.
pub fn approval_from_pb(p: pb::MajorAdjustment) -> Result<MajorAdjustment> {
    Ok(MajorAdjustment {
        id: ApprovalId { origin: NodeId::parse(&p.origin)?, number: p.number },
        proposal: proposal_from_pb(p.proposal.as_ref())?,
        applied_at_ms: p.applied_at_ms,
        applied_by: p.applied_by,
        decisions: p.decisions.into_iter().map(decision_from_pb).collect::<Result<_>>()?,
    })
}

/// Payload of an `approval.v1` event.
pub fn encode_approval(a: &MajorAdjustment) -> Vec<u8> {
    approval_to_pb(a, false).encode_to_vec()
}

/// Reads an `approval.v1` payload.
pub fn decode_approval(bytes: &[u8]) -> Result<MajorAdjustment> {
    approval_from_pb(super::decode_payload(bytes, "审批事件")?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::fixtures::{approval, read};

    /// The `approval.v1` payload a node wrote is read back as the same record.
    #[test]
    fn the_checked_in_approval_payload_decodes_to_its_record() {
        let a = approval();
        assert_eq!(decode_approval(&read("wire/approval.v1/waiting_on_region.bin")).unwrap(), a);
        assert_eq!(decode_approval(&encode_approval(&a)).unwrap(), a);
    }
}
