//! Circulars ↔ `extranet.v1`: what an issuer asks for, checked at the edge,
//! and the record as an answer and as the `circular.v1` payload that
//! travels down the issuer's subtree (issued once; the highest revision wins).

use extranet_certs::NodeId;
use extranet_proto::v1 as pb;
use prost::Message;

use super::access::notice_to_pb;
use super::access_event::notice_from_pb;
use super::enums::WireEnum;
use crate::domain::circular::CircularRequest;
use crate::domain::{Circular, CircularId, CircularKind, NamedUnit, UnitId};
use crate::error::{NodeError, Result};

/// Event kind of a circular travelling down.
pub const KIND_CIRCULAR: &str = "circular.v1";

fn named_from_pb(u: &pb::CircularUnit) -> Result<NamedUnit> {
    let node = NodeId::parse(u.node.trim()).map_err(|_| {
        NodeError::invalid("units.node", format!("“{}” 不是节点的区划路径（如 540000/540100/540102）", u.node))
    })?;
    let unit = UnitId::parse(u.unit_id.trim())
        .map_err(|_| NodeError::invalid("units.unit_id", format!("“{}” 不是单位编号", u.unit_id)))?;
    Ok(NamedUnit { node, unit, name: u.name.clone() })
}

/// What a circular says, as a caller or a peer sent it (checked further by the domain).
pub fn circular_content_from_pb(c: Option<&pb::CircularContent>) -> Result<CircularRequest> {
    let c = c.ok_or_else(|| NodeError::invalid("content", "缺少通报内容"))?;
    Ok(CircularRequest {
        kind: CircularKind::from_pb(c.kind).ok_or_else(|| {
            NodeError::invalid("kind", "应为网络安全事件通报、不履行网络安全保护义务或拒绝或阻碍监督检查之一")
        })?,
        title: c.title.clone(),
        facts: c.facts.clone(),
        requirements: c.requirements.clone(),
        units: c.units.iter().map(named_from_pb).collect::<Result<_>>()?,
        incidents: c.incidents.clone(),
        orders: c.orders.clone(),
        inspections: c.inspections.clone(),
    })
}

fn content_to_pb(c: &CircularRequest) -> pb::CircularContent {
    pb::CircularContent {
        kind: c.kind.to_pb() as i32,
        title: c.title.clone(),
        facts: c.facts.clone(),
        requirements: c.requirements.clone(),
        units: c
            .units
            .iter()
            .map(|u| pb::CircularUnit { node: u.node.to_string(), unit_id: u.unit.to_string(), name: u.name.clone() })
            .collect(),
        incidents: c.incidents.clone(),
        orders: c.orders.clone(),
        inspections: c.inspections.clone(),
    }
}

/// The wire form of a circular.
pub fn circular_to_pb(c: &Circular) -> pb::Circular {
    pb::Circular {
        id: c.id.key(),
        origin: c.id.origin.to_string(),
        number: c.id.number,
        content: Some(content_to_pb(&c.content)),
        issued_at_ms: c.issued_at_ms,
        issued_by: c.issued_by.clone(),
        notice: Some(notice_to_pb(&c.notice)),
        revision: c.revision,
    }
}

/// Reads a circular from a peer's `circular.v1` payload.
pub fn circular_from_pb(p: pb::Circular) -> Result<Circular> {
    let notice = p.notice.ok_or_else(|| NodeError::invalid("notice", "缺少通报文书"))?;
    Ok(Circular {
        id: CircularId { origin: NodeId::parse(&p.origin)?, number: p.number },
        content: circular_content_from_pb(p.content.as_ref())?,
        issued_at_ms: p.issued_at_ms,
        issued_by: p.issued_by,
        notice: notice_from_pb("notice", "notice", notice)?,
        revision: p.revision,
    })
}

/// Payload of a `circular.v1` event.
pub fn encode_circular(c: &Circular) -> Vec<u8> {
    circular_to_pb(c).encode_to_vec()
}

/// Reads a `circular.v1` payload.
pub fn decode_circular(bytes: &[u8]) -> Result<Circular> {
    circular_from_pb(super::decode_payload(bytes, "通报事件")?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::fixtures::{circular, read};

    /// The `circular.v1` payload a node wrote is read back as the same record.
    #[test]
    fn the_checked_in_circular_payload_decodes_to_its_record() {
        let c = circular();
        assert_eq!(decode_circular(&read("wire/circular.v1/issued.bin")).unwrap(), c);
        assert_eq!(decode_circular(&encode_circular(&c)).unwrap(), c);
    }
}
