//! The first wire format of the access events, `access.v1` and
//! `access.summary.v1`: JSON of the domain records. Nodes no longer emit it
//! (they send `access.v2` / `access.summary.v2`, protobuf), but still read
//! it when a peer that was not yet upgraded sends it, or when it is found in
//! the event log. The JSON is serde's form of [`AccessMessage`] and of the
//! domain structs as they stood when it was replaced; the fixture tests
//! (`node/tests/fixtures/wire/*.v1/`) fail if a domain change breaks it, and
//! then the old shape must be frozen here as its own structs.

use serde::{Deserialize, Serialize};

use super::access_event::{AccessMessage, check_application, check_deadlines};
use crate::domain::{Application, DeadlineSummary};
use crate::error::{NodeError, Result};

/// Event kind of the JSON form of a message about an application.
pub const KIND_ACCESS_V1: &str = "access.v1";
/// Event kind of the JSON form of an owner's deadline summary.
pub const KIND_ACCESS_SUMMARY_V1: &str = "access.summary.v1";

/// The JSON shape of an `access.v1` payload.
#[derive(Serialize, Deserialize)]
enum V1Message {
    Forward { to: extranet_certs::NodeId, application: Box<Application> },
    Decision { to: extranet_certs::NodeId, application: Box<Application> },
}

/// Reads an `access.v1` payload; every date must lie in range.
pub fn decode_access_v1(bytes: &[u8]) -> Result<AccessMessage> {
    let m: V1Message =
        serde_json::from_slice(bytes).map_err(|e| NodeError::invalid("payload", format!("申请事件无法解码：{e}")))?;
    let (m, application) = match m {
        V1Message::Forward { to, application } => {
            (AccessMessage::Forward { to, application: application.clone() }, application)
        }
        V1Message::Decision { to, application } => {
            (AccessMessage::Decision { to, application: application.clone() }, application)
        }
    };
    check_application(&application)?;
    Ok(m)
}

/// Reads an `access.summary.v1` payload; every date must lie in range.
pub fn decode_summary_v1(bytes: &[u8]) -> Result<DeadlineSummary> {
    let s: DeadlineSummary = serde_json::from_slice(bytes)
        .map_err(|e| NodeError::invalid("payload", format!("期限摘要事件无法解码：{e}")))?;
    check_deadlines("summary.deadlines", &s.deadlines)?;
    Ok(s)
}

/// Reads the payload of an access event of either kind (`access.v2`
/// protobuf, or the older `access.v1` JSON).
pub fn decode_access_of(kind: &str, bytes: &[u8]) -> Result<AccessMessage> {
    if kind == KIND_ACCESS_V1 { decode_access_v1(bytes) } else { super::decode_access(bytes) }
}

/// Reads the payload of a deadline-summary event of either kind
/// (`access.summary.v2` protobuf, or the older `access.summary.v1` JSON).
pub fn decode_summary_of(kind: &str, bytes: &[u8]) -> Result<DeadlineSummary> {
    if kind == KIND_ACCESS_SUMMARY_V1 { decode_summary_v1(bytes) } else { super::decode_summary(bytes) }
}

/// The `access.v1` JSON of `m`, as nodes before `access.v2` sent it (for
/// tests that play such a node).
#[cfg(test)]
pub(crate) fn encode_access_v1(m: &AccessMessage) -> Vec<u8> {
    let v1 = match m.clone() {
        AccessMessage::Forward { to, application } => V1Message::Forward { to, application },
        AccessMessage::Decision { to, application } => V1Message::Decision { to, application },
        AccessMessage::UnitChanged { .. }
        | AccessMessage::DevicesReclaimed { .. }
        | AccessMessage::AddressesReleased { .. } => {
            unreachable!("access.v1 has no unit change or device checklist; only access.v2 carries them")
        }
    };
    serde_json::to_vec(&v1).expect("an application always serialises")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::fixtures::{access_messages, deadline_summary, read};

    /// The bytes nodes sent before `access.v2` still read as what they said.
    #[test]
    fn the_access_v1_json_payloads_of_older_nodes_still_read() {
        let [forward, decision] = <[AccessMessage; 2]>::try_from(access_messages()).unwrap();
        assert_eq!(decode_access_v1(&read("wire/access.v1/forward.json")).unwrap(), forward);
        assert_eq!(decode_access_v1(&read("wire/access.v1/decision.json")).unwrap(), decision);
        assert_eq!(decode_summary_v1(&read("wire/access.summary.v1/summary.json")).unwrap(), deadline_summary());
    }
}
