//! Requests for more space (扩充地址申请): owned by the asking child, sent up
//! to its parent (the owner of the space), decided there, and the decision
//! sent back down. Until the decision arrives — however long the link is
//! down — the request is pending, never failed.

use extranet_ids::NodeId;
use ipnet::IpNet;
use serde::{Deserialize, Serialize};

/// Identifies a request: the asking node and its number there.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
pub struct RequestId {
    /// The asking node.
    pub node: NodeId,
    /// Its number there, from 1.
    pub number: u64,
}

crate::numbered_id!(RequestId, node, "-R");

/// Where a request stands.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum RequestState {
    /// Sent (or waiting to be sent); no decision yet (待批).
    Pending,
    /// Granted: the delegation now covers `prefix` (已批准).
    Granted {
        /// The delegation's prefix after the grant.
        prefix: IpNet,
        /// Who decided ("自动" within policy, or an operator).
        by: String,
        /// When, Unix ms.
        at_ms: i64,
    },
    /// Refused, with the reason (不予批准).
    Refused {
        /// Why.
        reason: String,
        /// Who decided.
        by: String,
        /// When, Unix ms.
        at_ms: i64,
    },
}

/// A child's request for another `/len` of one family.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct SpaceRequest {
    /// Its id.
    pub id: RequestId,
    /// IPv6 or IPv4.
    pub v6: bool,
    /// The size of the extra block wanted.
    pub len: u8,
    /// Why the space is needed.
    pub reason: String,
    /// Operator who asked.
    pub by: String,
    /// When, Unix ms.
    pub at_ms: i64,
    /// Where it stands.
    pub state: RequestState,
}

impl SpaceRequest {
    /// Whether no decision has arrived yet.
    pub fn is_pending(&self) -> bool {
        self.state == RequestState::Pending
    }
}
