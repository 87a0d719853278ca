//! Private networks ↔ `extranet.v1`: what is registered and a step on a
//! network checked at the edge, the record as an answer and as the
//! `private-network.v1` payload every change sends up (the whole record;
//! the highest revision wins).

use chrono::NaiveDate;
use extranet_certs::NodeId;
use extranet_proto::v1 as pb;
use prost::Message;

use super::enums::WireEnum;
use crate::domain::private_network::{PrivateNetworkDetails, Step, StepKind};
use crate::domain::{PrivateNetwork, PrivateNetworkAction, PrivateNetworkId};
use crate::error::{NodeError, Result};

/// Event kind of a private network travelling up.
pub const KIND_PRIVATE_NETWORK: &str = "private-network.v1";

/// An optional day: empty is none, else YYYY-MM-DD in range.
fn optional_day(field: &'static str, v: &str) -> Result<Option<NaiveDate>> {
    if v.trim().is_empty() { Ok(None) } else { super::date(field, v).map(Some) }
}

fn day_to_pb(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// What a caller or a peer registered (checked further by the domain).
pub fn private_network_details_from_pb(d: Option<&pb::PrivateNetworkDetails>) -> Result<PrivateNetworkDetails> {
    let d = d.ok_or_else(|| NodeError::invalid("details", "缺少专网登记内容"))?;
    Ok(PrivateNetworkDetails {
        owner_department: d.owner_department.clone(),
        name: d.name.clone(),
        scope: d.scope.clone(),
        link_count: d.link_count,
        links: d.links.clone(),
        planned_on: optional_day("planned_on", &d.planned_on)?,
        migrated_on: optional_day("migrated_on", &d.migrated_on)?,
        lease_fees_stopped: d.lease_fees_stopped,
        notes: d.notes.clone(),
    })
}

/// The step a caller asked for: exactly one.
pub fn private_network_action_from_pb(
    step: Option<&pb::update_private_network_request::Step>,
) -> Result<PrivateNetworkAction> {
    use pb::update_private_network_request::Step as S;
    match step {
        Some(S::Plan(p)) => Ok(PrivateNetworkAction::Plan { on: super::date("planned_on", &p.planned_on)? }),
        Some(S::Migrated(m)) => Ok(PrivateNetworkAction::Migrated { on: super::date("migrated_on", &m.migrated_on)? }),
        Some(S::FeesStopped(_)) => Ok(PrivateNetworkAction::FeesStopped),
        None => Err(NodeError::invalid(
            "step",
            "应给出一项：确定迁移计划（plan）、完成迁移（migrated）或租赁费已停止（fees_stopped）",
        )),
    }
}

fn details_to_pb(d: &PrivateNetworkDetails) -> pb::PrivateNetworkDetails {
    pb::PrivateNetworkDetails {
        owner_department: d.owner_department.clone(),
        name: d.name.clone(),
        scope: d.scope.clone(),
        link_count: d.link_count,
        links: d.links.clone(),
        planned_on: day_to_pb(d.planned_on),
        migrated_on: day_to_pb(d.migrated_on),
        lease_fees_stopped: d.lease_fees_stopped,
        notes: d.notes.clone(),
    }
}

/// The wire form of a network.
pub fn private_network_to_pb(n: &PrivateNetwork) -> pb::PrivateNetwork {
    pb::PrivateNetwork {
        id: n.id.key(),
        origin: n.id.origin.to_string(),
        number: n.id.number,
        details: Some(details_to_pb(&n.details)),
        status: n.status().to_pb() as i32,
        fees_still_paid: n.fees_still_paid(),
        history: n
            .history
            .iter()
            .map(|s| pb::PrivateNetworkStep {
                kind: s.kind.to_pb() as i32,
                at_ms: s.at_ms,
                by: s.by.clone(),
                note: s.note.clone(),
            })
            .collect(),
        revision: n.revision,
    }
}

/// Reads a network from a peer's `private-network.v1` payload.
pub fn private_network_from_pb(p: pb::PrivateNetwork) -> Result<PrivateNetwork> {
    let history = p
        .history
        .into_iter()
        .map(|s| {
            let kind = StepKind::from_pb(s.kind).ok_or_else(|| NodeError::invalid("history.kind", "未知的步骤"))?;
            Ok(Step { kind, at_ms: s.at_ms, by: s.by, note: s.note })
        })
        .collect::<Result<Vec<_>>>()?;
    if history.first().is_none_or(|s| s.kind != StepKind::Registered) {
        return Err(NodeError::invalid("history", "专网记录的第一步应为登记"));
    }
    Ok(PrivateNetwork {
        id: PrivateNetworkId { origin: NodeId::parse(&p.origin)?, number: p.number },
        details: private_network_details_from_pb(p.details.as_ref())?,
        history,
        revision: p.revision,
    })
}

/// Payload of a `private-network.v1` event.
pub fn encode_private_network(n: &PrivateNetwork) -> Vec<u8> {
    private_network_to_pb(n).encode_to_vec()
}

/// Reads a `private-network.v1` payload.
pub fn decode_private_network(bytes: &[u8]) -> Result<PrivateNetwork> {
    private_network_from_pb(super::decode_payload(bytes, "非涉密业务专网事件")?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::fixtures::read;
    use crate::store::fixtures_private_networks::private_network;

    /// The `private-network.v1` payload a node wrote is read back as the same record.
    #[test]
    fn the_checked_in_private_network_payload_decodes_to_its_record() {
        let n = private_network();
        assert_eq!(decode_private_network(&read("wire/private-network.v1/migrated.bin")).unwrap(), n);
        assert_eq!(decode_private_network(&encode_private_network(&n)).unwrap(), n);
    }
}
