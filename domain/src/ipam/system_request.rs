//! A unit's application for the addresses of an information system
//! (信息系统 IP 地址申请, Art.23: 部署信息系统应向本级政务外网主管部门申请
//! IP 地址). Lodged by the unit (or an operator for it) at the node it is
//! registered at, decided there: a grant makes the assignment in the same
//! write, so the launch filing that follows can name its addresses and the
//! node can check them. IPv6 by default; IPv4 only with a written reason
//! (Art.6), which the deciding operator approves by granting.

use extranet_ids::NodeId;
use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use super::AssignmentId;
use crate::error::{DomainError, Result};
use crate::unit::UnitId;

/// Shortest IPv4 reason accepted, in characters (as for any IPv4 assignment).
pub const MIN_IPV4_REASON_CHARS: usize = 10;

/// Identifies an application: the node it was lodged at and its number
/// there, shown as `<division code>-Q<number>`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
pub struct SystemRequestId {
    /// The node that holds and decides it.
    pub node: NodeId,
    /// Its number there, from 1.
    pub number: u64,
}

crate::numbered_id!(SystemRequestId, node, "-Q", "地址申请编号格式应为 “区划代码-Q序号”，例如 540102-Q000001");

/// Where an application stands.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum SystemRequestState {
    /// Waiting on the node's operator (待审核).
    Pending,
    /// Granted: the assignment made for it (已分配).
    Granted {
        /// The assignment.
        assignment: AssignmentId,
        /// Its prefix.
        prefix: IpNet,
        /// The operator who granted it.
        by: String,
        /// When, Unix ms.
        at_ms: i64,
    },
    /// Refused, with the reason (不予分配).
    Refused {
        /// Why.
        reason: String,
        /// The operator who refused it.
        by: String,
        /// When, Unix ms.
        at_ms: i64,
    },
}

/// What a unit asks for.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct SystemRequestForm {
    /// The information system the addresses are for (信息系统名称).
    pub system_name: String,
    /// IPv6 (the default, Art.6) or IPv4.
    pub v6: bool,
    /// Prefix length wanted; `None` = the node's default for assignments.
    pub len: Option<u8>,
    /// What the addresses are for.
    pub reason: String,
    /// IPv4 only: why IPv6 will not do (Art.6, 非必要不再使用 IPv4).
    pub ipv4_justification: Option<String>,
}

impl SystemRequestForm {
    /// Checks the form: an IPv4 request needs its written reason; an IPv6
    /// one carries none.
    pub fn check(&self) -> Result<()> {
        let why = self.ipv4_justification.as_deref().map(str::trim).unwrap_or("");
        if !self.v6 && why.chars().count() < MIN_IPV4_REASON_CHARS {
            return Err(DomainError::invalid(
                "ipv4_justification",
                format!("申请 IPv4 地址须说明不能使用 IPv6 的理由（至少 {MIN_IPV4_REASON_CHARS} 个字，第六条）"),
            ));
        }
        if self.v6 && !why.is_empty() {
            return Err(DomainError::invalid("ipv4_justification", "申请 IPv6 地址无需填写 IPv4 理由"));
        }
        Ok(())
    }
}

/// A unit's application for a system's addresses, as held at its node.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct SystemRequest {
    /// Its id.
    pub id: SystemRequestId,
    /// The unit applying (registered at this node).
    pub unit: UnitId,
    /// What it asks for.
    pub form: SystemRequestForm,
    /// Who lodged it: the unit's certificate, or an operator for it.
    pub by: String,
    /// When, Unix ms.
    pub at_ms: i64,
    /// Where it stands.
    pub state: SystemRequestState,
}

impl SystemRequest {
    /// Whether it still waits on a decision.
    pub fn is_pending(&self) -> bool {
        self.state == SystemRequestState::Pending
    }

    /// A decision may be taken once: refused otherwise, saying how it stands.
    pub fn check_pending(&self) -> Result<()> {
        match &self.state {
            SystemRequestState::Pending => Ok(()),
            SystemRequestState::Granted { assignment, .. } => Err(DomainError::FailedPrecondition(format!(
                "地址申请 {} 已分配（{assignment}），不能再次决定",
                self.id
            ))),
            SystemRequestState::Refused { .. } => {
                Err(DomainError::FailedPrecondition(format!("地址申请 {} 已不予分配，不能再次决定", self.id)))
            }
        }
    }

    /// Stable code of the state, for scripts and figures.
    pub fn state_code(&self) -> &'static str {
        match self.state {
            SystemRequestState::Pending => "pending",
            SystemRequestState::Granted { .. } => "granted",
            SystemRequestState::Refused { .. } => "refused",
        }
    }

    /// Chinese name of the state.
    pub fn state_zh(&self) -> &'static str {
        match self.state {
            SystemRequestState::Pending => "待审核",
            SystemRequestState::Granted { .. } => "已分配",
            SystemRequestState::Refused { .. } => "不予分配",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(v6: bool, why: Option<&str>) -> SystemRequestForm {
        SystemRequestForm {
            system_name: "不动产登记系统".into(),
            v6,
            len: None,
            reason: "对外服务".into(),
            ipv4_justification: why.map(str::to_string),
        }
    }

    #[test]
    fn ipv4_needs_a_written_reason_and_ipv6_none() {
        assert!(form(true, None).check().is_ok());
        let e = form(false, Some("旧设备")).check().unwrap_err();
        assert!(e.to_string().contains("ipv4_justification") && e.to_string().contains("第六条"), "{e}");
        assert!(form(false, Some("厂商设备固件只支持 IPv4 地址，暂无法升级")).check().is_ok());
        assert!(form(true, Some("多余的理由文字很多很多")).check().is_err());
    }

    #[test]
    fn the_id_reads_back_from_its_key() {
        let id = SystemRequestId { node: NodeId::parse("540000/540100/540102").unwrap(), number: 7 };
        assert_eq!(id.key(), "540102-Q000007");
        assert!(SystemRequestId::check_key("540102-Q000007").is_ok());
    }
}
