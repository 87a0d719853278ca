//! Identities of the federation: a node is its division path, and every
//! certificate names exactly one role at one node. A crate of its own with
//! no dependency beyond serde, so the domain (`extranet-domain`) can name
//! nodes without depending on the TLS stack; `extranet-certs` re-exports it.
//!
//! The identity travels as a DNS name in the certificate's subjectAltName, most
//! specific label first, so that an X.509 name constraint on a prefecture's
//! intermediate CA (`540100.540000.extranet`) confines everything it signs to
//! its own subtree — checked by standard path validation, not by our code:
//!
//! | role     | DNS name                                         |
//! |----------|--------------------------------------------------|
//! | node     | `node.540102.540100.540000.extranet`             |
//! | operator | `zhaxi.operator.540102.540100.540000.extranet`   |
//! | unit     | `u0001.unit.540102.540100.540000.extranet`       |

use std::fmt;

use serde::{Deserialize, Serialize};

/// An identity that breaks the federation's naming rules: the Chinese
/// message names the value and the rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct IdentityError(pub String);

/// The DNS suffix under which every identity of the federation lives.
pub const DNS_SUFFIX: &str = "extranet";

/// Most levels a path may have (nation, region, prefecture, county).
const MAX_DEPTH: usize = 4;

/// A node's identity: its division path from the top of the federation down,
/// e.g. `540000/540100/540102` (region / Lhasa / Chengguan). Each segment is a
/// six-digit GB/T 2260 division code.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NodeId(String);

impl NodeId {
    /// Parses and validates a division path such as `540000/540100/540102`.
    pub fn parse(s: &str) -> Result<Self, IdentityError> {
        let s = s.trim().trim_matches('/');
        let segments: Vec<&str> = s.split('/').collect();
        let bad = |rule: &str| IdentityError(format!("区划路径 “{s}” 无效：{rule}"));
        if s.is_empty() {
            return Err(bad("不能为空"));
        }
        if segments.len() > MAX_DEPTH {
            return Err(bad("层级不能超过 4 级"));
        }
        for seg in &segments {
            if seg.len() != 6 || !seg.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad("每一级须为 6 位数字区划代码（GB/T 2260），以 / 分隔"));
            }
        }
        for (i, seg) in segments.iter().enumerate() {
            if segments[..i].contains(seg) {
                return Err(bad("同一代码不能重复出现"));
            }
        }
        Ok(NodeId(segments.join("/")))
    }

    /// The path as text, e.g. `540000/540100/540102`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The node's own six-digit division code (the last segment).
    pub fn code(&self) -> &str {
        self.0.rsplit('/').next().unwrap_or(&self.0)
    }

    /// Number of segments: 1 for the top of the federation.
    pub fn depth(&self) -> usize {
        self.0.split('/').count()
    }

    /// The parent node, or `None` at the top.
    pub fn parent(&self) -> Option<NodeId> {
        self.0.rsplit_once('/').map(|(p, _)| NodeId(p.to_string()))
    }

    /// The path of a child of this node with the given code.
    pub fn child(&self, code: &str) -> Result<NodeId, IdentityError> {
        NodeId::parse(&format!("{}/{}", self.0, code))
    }

    /// Every ancestor, nearest first.
    pub fn ancestors(&self) -> Vec<NodeId> {
        let mut out = Vec::new();
        let mut cur = self.parent();
        while let Some(p) = cur {
            cur = p.parent();
            out.push(p);
        }
        out
    }

    /// True when `self` is `other` or lies below it.
    pub fn is_within(&self, other: &NodeId) -> bool {
        self.0 == other.0 || other.is_ancestor_of(self)
    }

    /// True when `self` lies strictly above `other`. Allocates nothing: a
    /// view of a national tree asks this millions of times.
    pub fn is_ancestor_of(&self, other: &NodeId) -> bool {
        other.0.len() > self.0.len() && other.0.starts_with(&self.0) && other.0.as_bytes()[self.0.len()] == b'/'
    }

    /// The DNS zone of this node's subtree, e.g. `540102.540100.540000.extranet`;
    /// the name constraint of an intermediate CA for this node.
    pub fn dns_zone(&self) -> String {
        let mut labels: Vec<&str> = self.0.split('/').collect();
        labels.reverse();
        format!("{}.{DNS_SUFFIX}", labels.join("."))
    }

    /// Parses the zone part of a DNS identity (inverse of [`NodeId::dns_zone`]).
    fn from_zone_labels(labels: &[&str]) -> Result<Self, IdentityError> {
        let mut codes: Vec<&str> = labels.to_vec();
        codes.reverse();
        NodeId::parse(&codes.join("/"))
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NodeId({})", self.0)
    }
}

impl TryFrom<String> for NodeId {
    type Error = IdentityError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        NodeId::parse(&s)
    }
}

impl From<NodeId> for String {
    fn from(n: NodeId) -> String {
        n.0
    }
}

impl std::str::FromStr for NodeId {
    type Err = IdentityError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        NodeId::parse(s)
    }
}

/// What a certificate lets its holder do.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
pub enum Role {
    /// A node of the federation (server and sync client).
    Node,
    /// A person operating one node (经信部门 operator), by login name.
    Operator(String),
    /// An access unit (接入单位) registered at one node, by unit id.
    Unit(String),
}

/// Who a certificate says its holder is: a role at a node.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
pub struct Identity {
    /// The node the holder belongs to or is bound to.
    pub node: NodeId,
    /// The holder's role there.
    pub role: Role,
}

impl Identity {
    /// A node identity.
    pub fn node(node: NodeId) -> Self {
        Identity { node, role: Role::Node }
    }

    /// An operator identity bound to `node`. Names are lowercase ASCII
    /// letters, digits and `-` (they become a DNS label).
    pub fn operator(node: NodeId, name: &str) -> Result<Self, IdentityError> {
        check_label("操作员名称", name)?;
        Ok(Identity { node, role: Role::Operator(name.to_string()) })
    }

    /// A unit identity registered at `node`.
    pub fn unit(node: NodeId, unit_id: &str) -> Result<Self, IdentityError> {
        check_label("单位编号", unit_id)?;
        Ok(Identity { node, role: Role::Unit(unit_id.to_string()) })
    }

    /// The DNS name carried in the certificate's subjectAltName.
    pub fn dns_name(&self) -> String {
        let zone = self.node.dns_zone();
        match &self.role {
            Role::Node => format!("node.{zone}"),
            Role::Operator(n) => format!("{n}.operator.{zone}"),
            Role::Unit(u) => format!("{u}.unit.{zone}"),
        }
    }

    /// Parses a DNS name produced by [`Identity::dns_name`].
    pub fn from_dns_name(name: &str) -> Result<Self, IdentityError> {
        let bad = || IdentityError(format!("证书身份 “{name}” 不是本联邦的格式"));
        let labels: Vec<&str> = name.trim_end_matches('.').split('.').collect();
        let (last, rest) = labels.split_last().ok_or_else(bad)?;
        if *last != DNS_SUFFIX {
            return Err(bad());
        }
        match rest {
            ["node", zone @ ..] => Ok(Identity::node(NodeId::from_zone_labels(zone)?)),
            [n, "operator", zone @ ..] => Identity::operator(NodeId::from_zone_labels(zone)?, n),
            [u, "unit", zone @ ..] => Identity::unit(NodeId::from_zone_labels(zone)?, u),
            _ => Err(bad()),
        }
    }
}

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.role {
            Role::Node => write!(f, "节点 {}", self.node),
            Role::Operator(n) => write!(f, "操作员 {n}@{}", self.node),
            Role::Unit(u) => write!(f, "接入单位 {u}@{}", self.node),
        }
    }
}

fn check_label(field: &str, s: &str) -> Result<(), IdentityError> {
    let ok = !s.is_empty()
        && s.len() <= 63
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.bytes().all(|b| b.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(IdentityError(format!("{field} “{s}” 无效：只能使用小写字母、数字和 -，不能全为数字，长度 1–63")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_relate() {
        let r = NodeId::parse("540000").unwrap();
        let p = NodeId::parse("540000/540100").unwrap();
        let c = NodeId::parse("540000/540100/540102").unwrap();
        assert_eq!(c.parent(), Some(p.clone()));
        assert_eq!(c.ancestors(), vec![p.clone(), r.clone()]);
        assert!(c.is_within(&p) && c.is_within(&c) && !p.is_within(&c));
        assert!(r.is_ancestor_of(&c) && !c.is_ancestor_of(&c));
        assert!(NodeId::parse("540000/5401000").is_err());
        assert!(NodeId::parse("540000/540100/540100").is_err());
        // a sibling whose code shares a prefix is not within
        let q = NodeId::parse("540000/54010").is_err();
        assert!(q);
        assert_eq!(c.code(), "540102");
    }

    #[test]
    fn dns_roundtrip() {
        let c = NodeId::parse("540000/540100/540102").unwrap();
        for id in [
            Identity::node(c.clone()),
            Identity::operator(c.clone(), "zhaxi").unwrap(),
            Identity::unit(c.clone(), "u0001").unwrap(),
        ] {
            assert_eq!(Identity::from_dns_name(&id.dns_name()).unwrap(), id);
        }
        assert_eq!(Identity::node(c).dns_name(), "node.540102.540100.540000.extranet");
        assert!(Identity::operator(NodeId::parse("540000").unwrap(), "Bad Name").is_err());
        assert!(Identity::from_dns_name("node.540102.example.com").is_err());
    }
}
