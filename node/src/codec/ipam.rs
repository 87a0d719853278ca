//! Address records on the wire, and the edge validation of address requests.

use extranet_certs::NodeId;
use extranet_proto::v1 as pb;
use ipnet::IpNet;
use prost::Message;

use super::enums::WireEnum;
use crate::domain::ipam::{
    AddressLedgerEntry, AssigneeId, Assignment, AssignmentId, Delegation, Purpose, RecordState, RequestId,
    RequestState, SpaceRequest,
};
use crate::error::{NodeError, Result};

/// Event kind of a delegation: down to the child, up to every ancestor.
pub const KIND_IPAM_DELEGATION: &str = "ipam.delegation.v1";
/// Event kind of an assignment travelling up.
pub const KIND_IPAM_ASSIGNMENT: &str = "ipam.assignment.v1";

/// Checks a wire purpose.
pub fn purpose_from_pb(v: i32) -> Result<Purpose> {
    Purpose::from_pb(v).ok_or_else(|| NodeError::invalid("purpose", "用途必须是 接入单位、信息系统 或 基础设施 之一"))
}

fn ended(s: &RecordState) -> (bool, i64, String, String, bool) {
    match s {
        RecordState::Live => (true, 0, String::new(), String::new(), false),
        RecordState::Ended { at_ms, by, reason, forced } => (false, *at_ms, by.clone(), reason.clone(), *forced),
    }
}

fn state(live: bool, at_ms: i64, by: String, reason: String, forced: bool) -> RecordState {
    if live { RecordState::Live } else { RecordState::Ended { at_ms, by, reason, forced } }
}

fn net(field: &'static str, s: &str) -> Result<IpNet> {
    Ok(crate::domain::ipam::parse_prefix(field, s)?)
}

fn opt(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

/// The wire form of a delegation.
pub fn delegation_to_pb(d: &Delegation) -> pb::DelegationRecord {
    let (live, ended_at_ms, ended_by, ended_reason, forced) = ended(&d.state);
    pb::DelegationRecord {
        parent: d.parent.to_string(),
        number: d.number,
        child: d.child.to_string(),
        prefix: d.prefix.to_string(),
        by: d.by.clone(),
        at_ms: d.at_ms,
        live,
        ended_at_ms,
        ended_by,
        ended_reason,
        forced,
    }
}

/// Reads a delegation from the wire.
pub fn delegation_from_pb(p: pb::DelegationRecord) -> Result<Delegation> {
    Ok(Delegation {
        parent: NodeId::parse(&p.parent)?,
        number: p.number,
        child: NodeId::parse(&p.child)?,
        prefix: net("prefix", &p.prefix)?,
        by: p.by,
        at_ms: p.at_ms,
        state: state(p.live, p.ended_at_ms, p.ended_by, p.ended_reason, p.forced),
    })
}

/// The wire form of an assignment.
pub fn assignment_to_pb(a: &Assignment) -> pb::AssignmentRecord {
    let (live, ended_at_ms, ended_by, ended_reason, _) = ended(&a.state);
    pb::AssignmentRecord {
        node: a.id.node.to_string(),
        number: a.id.number,
        id: a.id.to_string(),
        prefix: a.prefix.to_string(),
        purpose: a.purpose.to_pb() as i32,
        assignee: a.assignee.to_string(),
        serves: a.serves.clone(),
        by: a.by.clone(),
        at_ms: a.at_ms,
        ipv4_justification: a.ipv4_justification.clone().unwrap_or_default(),
        ipv4_approved_by: a.ipv4_approved_by.clone().unwrap_or_default(),
        live,
        ended_at_ms,
        ended_by,
        ended_reason,
        // a fact of this node's orders, not of the assignment: set in answers only
        disconnected_by: String::new(),
    }
}

/// Reads an assignment from the wire.
pub fn assignment_from_pb(p: pb::AssignmentRecord) -> Result<Assignment> {
    Ok(Assignment {
        id: AssignmentId { node: NodeId::parse(&p.node)?, number: p.number },
        prefix: net("prefix", &p.prefix)?,
        purpose: purpose_from_pb(p.purpose)?,
        assignee: AssigneeId::new(&p.assignee)?,
        serves: p.serves,
        by: p.by,
        at_ms: p.at_ms,
        ipv4_justification: opt(&p.ipv4_justification),
        ipv4_approved_by: opt(&p.ipv4_approved_by),
        state: state(p.live, p.ended_at_ms, p.ended_by, p.ended_reason, false),
    })
}

/// The wire form of a ledger entry.
pub fn ledger_to_pb(e: &AddressLedgerEntry) -> pb::LedgerRecord {
    pb::LedgerRecord {
        number: e.number,
        at_ms: e.at_ms,
        by: e.by.clone(),
        action: e.action.clone(),
        assignee: e.assignee.as_ref().map(|a| a.to_string()).unwrap_or_default(),
        prefixes: e.prefixes.iter().map(|p| p.to_string()).collect(),
        reason: e.reason.clone(),
    }
}

/// Payload of an `ipam.delegation.v1` event.
pub fn encode_delegation(d: &Delegation) -> Vec<u8> {
    delegation_to_pb(d).encode_to_vec()
}

/// Reads an `ipam.delegation.v1` payload.
pub fn decode_delegation(bytes: &[u8]) -> Result<Delegation> {
    delegation_from_pb(super::decode_payload(bytes, "委派事件")?)
}

/// Payload of an `ipam.assignment.v1` event.
pub fn encode_assignment(a: &Assignment) -> Vec<u8> {
    assignment_to_pb(a).encode_to_vec()
}

/// Reads an `ipam.assignment.v1` payload.
pub fn decode_assignment(bytes: &[u8]) -> Result<Assignment> {
    assignment_from_pb(super::decode_payload(bytes, "分配事件")?)
}

/// Parses an assignment's display id, e.g. `540102-A000001`, given the
/// node it must belong to.
pub fn assignment_number(me: &NodeId, id: &str) -> Result<u64> {
    let (code, number) = super::split_numbered_id(id, "-A", "分配编号格式应为 “区划代码-A序号”，例如 540102-A000001")?;
    if code != me.code() {
        return Err(NodeError::invalid("id", format!("{id} 不是本节点（{}）的分配记录", me.code())));
    }
    Ok(number)
}

/// Event kind of a request for more space travelling up to the parent.
pub const KIND_IPAM_REQUEST: &str = "ipam.request.v1";
/// Event kind of the parent's decision travelling down to the child.
pub const KIND_IPAM_DECISION: &str = "ipam.decision.v1";

/// The wire form of a request for more space.
pub fn request_to_pb(r: &SpaceRequest) -> pb::SpaceRequestRecord {
    let mut p = pb::SpaceRequestRecord {
        node: r.id.node.to_string(),
        number: r.id.number,
        id: r.id.to_string(),
        ipv4: !r.v6,
        length: r.len.into(),
        reason: r.reason.clone(),
        by: r.by.clone(),
        at_ms: r.at_ms,
        state: pb::RequestState::Pending as i32,
        ..Default::default()
    };
    match &r.state {
        RequestState::Pending => {}
        RequestState::Granted { prefix, by, at_ms } => {
            p.state = pb::RequestState::Granted as i32;
            (p.granted_prefix, p.decided_by, p.decided_at_ms) = (prefix.to_string(), by.clone(), *at_ms);
        }
        RequestState::Refused { reason, by, at_ms } => {
            p.state = pb::RequestState::Refused as i32;
            (p.refusal_reason, p.decided_by, p.decided_at_ms) = (reason.clone(), by.clone(), *at_ms);
        }
    }
    p
}

/// Reads a request for more space from the wire.
pub fn request_from_pb(p: pb::SpaceRequestRecord) -> Result<SpaceRequest> {
    let state = match pb::RequestState::try_from(p.state) {
        Ok(pb::RequestState::Pending) => RequestState::Pending,
        Ok(pb::RequestState::Granted) => RequestState::Granted {
            prefix: net("granted_prefix", &p.granted_prefix)?,
            by: p.decided_by,
            at_ms: p.decided_at_ms,
        },
        Ok(pb::RequestState::Refused) => {
            RequestState::Refused { reason: p.refusal_reason, by: p.decided_by, at_ms: p.decided_at_ms }
        }
        _ => return Err(NodeError::invalid("state", "申请状态无效")),
    };
    let len = u8::try_from(p.length).map_err(|_| NodeError::invalid("length", "前缀长度无效"))?;
    Ok(SpaceRequest {
        id: RequestId { node: NodeId::parse(&p.node)?, number: p.number },
        v6: !p.ipv4,
        len,
        reason: p.reason,
        by: p.by,
        at_ms: p.at_ms,
        state,
    })
}

/// Payload of an `ipam.request.v1` or `ipam.decision.v1` event.
pub fn encode_request(r: &SpaceRequest) -> Vec<u8> {
    request_to_pb(r).encode_to_vec()
}

/// Reads an `ipam.request.v1` or `ipam.decision.v1` payload.
pub fn decode_request(bytes: &[u8]) -> Result<SpaceRequest> {
    request_from_pb(super::decode_payload(bytes, "扩充申请事件")?)
}

/// Parses a request's display id, e.g. `540102-R000001`, given this node
/// (its parent decides it).
pub fn request_id(parent: &NodeId, id: &str) -> Result<RequestId> {
    let (code, number) = super::split_numbered_id(id, "-R", "申请编号格式应为 “区划代码-R序号”，例如 540102-R000001")?;
    let node = parent.child(code).map_err(|e| NodeError::invalid("id", e.to_string()))?;
    Ok(RequestId { node, number })
}
