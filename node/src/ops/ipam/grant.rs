//! Handing out space: delegations to children, assignments to users.

use extranet_certs::NodeId;
use extranet_federation::{Route, Scope};
use ipnet::IpNet;

use super::Ipam;
use crate::codec;
use crate::domain::ipam::{AssigneeId, Assignment, AssignmentId, Delegation, Holder, Purpose, RecordState};
use crate::error::{NodeError, Result};
use crate::ops::idempotency;
use crate::store::abort;

/// What to assign: a length (best-fit) or an exact prefix, and the record's facts.
#[derive(Clone, Debug)]
pub struct AssignSpec {
    /// IPv6 (the default, Art.6) or IPv4.
    pub v6: bool,
    /// Prefix length; `None` = the policy's default.
    pub len: Option<u8>,
    /// An exact prefix instead.
    pub prefix: Option<IpNet>,
    /// What it is for.
    pub purpose: Purpose,
    /// Who holds it.
    pub assignee: AssigneeId,
    /// The application or filing it serves.
    pub serves: String,
    /// IPv4: the written justification.
    pub ipv4_justification: Option<String>,
    /// IPv4: who approved it.
    pub ipv4_approved_by: Option<String>,
}

/// Where a new block goes: a given prefix, or a length the pool picks.
fn length_of(field: &'static str, spec_len: Option<u8>, prefix: Option<IpNet>, default: Option<u8>) -> Result<u8> {
    match (prefix, spec_len) {
        (Some(p), _) => Ok(p.prefix_len()),
        (None, Some(l)) => Ok(l),
        (None, None) => default.ok_or_else(|| NodeError::invalid(field, "地址规划中没有该层级的默认长度，请指定长度")),
    }
}

impl Ipam {
    /// Delegates space to the direct child `child`: an exact `prefix`, or a
    /// sparse `/len` (default: the child's tier length in the plan).
    pub async fn delegate(
        &self,
        child: &NodeId,
        v6: bool,
        len: Option<u8>,
        prefix: Option<IpNet>,
        by: &str,
    ) -> Result<Delegation> {
        if child.parent().as_ref() != Some(self.me()) {
            return Err(NodeError::invalid("child", format!("{child} 不是本节点（{}）的直接下级", self.me())));
        }
        if prefix.is_some_and(|p| matches!(p, IpNet::V6(_)) != v6) {
            return Err(NodeError::invalid("prefix", "前缀的地址族与请求不一致"));
        }
        let len = length_of("length", len, prefix, self.policy.delegation_len(child.depth(), v6))?;
        if len > if v6 { 64 } else { 30 } {
            return Err(NodeError::invalid("length", format!("委派长度 /{len} 过长，下级将无地址可分配")));
        }
        let d = self
            .write_pool(v6, |pool, tx| {
                let net = match prefix {
                    Some(p) => pool.insert("prefix", p, Holder::Delegated(child.clone())).map(|_| p),
                    None => pool.delegate(len, v6, child, self.now_ms()),
                }
                .or_else(abort)?;
                let d = Delegation {
                    parent: tx.me().clone(),
                    number: tx.next_number("ipam-delegation")?,
                    child: child.clone(),
                    prefix: net,
                    by: by.to_string(),
                    at_ms: self.now_ms(),
                    state: RecordState::Live,
                };
                announce_delegation(tx, &d)?;
                idempotency::record(tx, || codec::delegation_to_pb(&d))?;
                Ok(d)
            })
            .await?;
        tracing::info!(child = %d.child, prefix = %d.prefix, by, "prefix delegated");
        Ok(d)
    }

    /// Assigns space from this node's pool to one of its users.
    pub async fn assign(&self, spec: AssignSpec, by: &str) -> Result<Assignment> {
        check_ipv4_approval(&spec, by)?;
        self.assign_then(spec, by, |tx, a| idempotency::record(tx, || codec::assignment_to_pb(a))).await
    }

    /// Assigns as [`Ipam::assign`] after the caller checked the IPv4 rule,
    /// and runs `then` on the assignment in the same write (a decision that
    /// grants it, the idempotent answer): both commit, or neither.
    pub(crate) async fn assign_then(
        &self,
        spec: AssignSpec,
        by: &str,
        then: impl Fn(&mut crate::store::Tx<'_>, &Assignment) -> crate::store::TxResult<()> + Sync,
    ) -> Result<Assignment> {
        let v6 = spec.v6;
        if spec.prefix.is_some_and(|p| matches!(p, IpNet::V6(_)) != v6) {
            return Err(NodeError::invalid("prefix", "前缀的地址族与请求不一致"));
        }
        let len = length_of("length", spec.len, spec.prefix, Some(self.policy.assign_default(v6)))?;
        self.policy.assign_range(v6).check(if spec.prefix.is_some() { "prefix" } else { "length" }, len)?;
        let a = self
            .write_pool(v6, |pool, tx| {
                let number = tx.next_number("ipam-assignment")?;
                let holder = Holder::Assigned { number, assignee: spec.assignee.clone() };
                let net = match spec.prefix {
                    Some(p) => pool.insert("prefix", p, holder).map(|_| p),
                    None => pool.assign(len, v6, number, &spec.assignee, self.now_ms()),
                }
                .or_else(abort)?;
                let a = Assignment {
                    id: AssignmentId { node: tx.me().clone(), number },
                    prefix: net,
                    purpose: spec.purpose,
                    assignee: spec.assignee.clone(),
                    serves: spec.serves.clone(),
                    by: by.to_string(),
                    at_ms: self.now_ms(),
                    ipv4_justification: spec.ipv4_justification.clone(),
                    ipv4_approved_by: spec.ipv4_approved_by.clone(),
                    state: RecordState::Live,
                };
                tx.put_ipam_assignment(&a)?;
                tx.emit(Route::Up, codec::KIND_IPAM_ASSIGNMENT, codec::encode_assignment(&a))?;
                then(tx, &a)?;
                Ok(a)
            })
            .await?;
        tracing::info!(id = %a.id, prefix = %a.prefix, assignee = %a.assignee, by, "prefix assigned");
        Ok(a)
    }
}

/// Writes a delegation at its owner and announces it down to the child
/// (where it becomes the child's pool) and up to every ancestor (so
/// verification above sees it).
pub(crate) fn announce_delegation(tx: &mut crate::store::Tx<'_>, d: &Delegation) -> crate::store::TxResult<()> {
    tx.put_ipam_delegation(d)?;
    let payload = codec::encode_delegation(d);
    tx.emit(Route::Down(Scope::Node(d.child.clone())), codec::KIND_IPAM_DELEGATION, payload.clone())?;
    tx.emit(Route::Up, codec::KIND_IPAM_DELEGATION, payload)?;
    Ok(())
}

/// IPv4 is the exception (Art.6): it needs a written justification and an
/// approver other than the operator assigning it.
fn check_ipv4_approval(spec: &AssignSpec, by: &str) -> Result<()> {
    if spec.v6 {
        return Ok(());
    }
    let why = spec.ipv4_justification.as_deref().map(str::trim).unwrap_or("");
    if why.chars().count() < 10 {
        return Err(NodeError::invalid("ipv4_justification", "分配 IPv4 地址须提交书面理由（至少 10 个字，第六条）"));
    }
    match spec.ipv4_approved_by.as_deref().map(str::trim) {
        Some(a) if !a.is_empty() && a != by => Ok(()),
        _ => Err(NodeError::invalid(
            "ipv4_approved_by",
            "分配 IPv4 地址须经另一名负责人批准，批准人不能是分配操作员本人",
        )),
    }
}
