//! The rules of a system launch (信息系统上线) and a system change (信息系统
//! 变更) filing, Art.23 and Art.26(4): filed *before* the date it takes
//! effect, by or for a unit registered at the node, using only addresses
//! the node's own address management assigned to that unit. A launch that
//! names an address the node never handed out, or handed to another unit,
//! is the paper record that no one could check; here it is refused, naming
//! the address and why.

use chrono::NaiveDate;
use ipnet::IpNet;

use crate::error::{DomainError, Result};
use crate::ipam::{Assignment, AssignmentId, Purpose, RecordState};

/// A launch or change takes effect on `date`; it must be filed that day at
/// the latest (上线或变更前须备案, Art.23).
pub fn check_effective_date(field: &'static str, date: NaiveDate, today: NaiveDate) -> Result<()> {
    if date < today {
        return Err(DomainError::FailedPrecondition(format!(
            "{field}：信息系统须在正式上线或变更前备案（第二十三条），日期 {date} 已早于今天 {today}"
        )));
    }
    Ok(())
}

/// Links each address of a launch to the assignment of this node that
/// covers it and serves `unit`; `own` are the assignments this node made.
/// Refused, naming the first address that fails and why, when an address
/// lies in no assignment, in one of another unit, in an ended one, in one
/// for the network's own infrastructure, or is IPv4 without the written
/// justification Art.6 asks for. The answer lists each assignment once.
pub fn link_addresses(addresses: &[IpNet], unit: &str, own: &[Assignment]) -> Result<Vec<AssignmentId>> {
    let mut linked: Vec<AssignmentId> = Vec::new();
    for net in addresses {
        let a = covering(net, own)?;
        check_serves(net, unit, a)?;
        if !linked.contains(&a.id) {
            linked.push(a.id.clone());
        }
    }
    Ok(linked)
}

/// The assignment whose prefix holds `net`, preferring one in force.
fn covering<'a>(net: &IpNet, own: &'a [Assignment]) -> Result<&'a Assignment> {
    let holding: Vec<&Assignment> = own.iter().filter(|a| a.prefix.contains(net)).collect();
    let found = holding.iter().find(|a| a.is_live()).or(holding.first()).copied();
    found.ok_or_else(|| refuse(net, "不在本节点的任何地址分配中，请先向本级申请 IP 地址（第二十三条）".into()))
}

fn check_serves(net: &IpNet, unit: &str, a: &Assignment) -> Result<()> {
    if let RecordState::Ended { reason, .. } = &a.state {
        return Err(refuse(net, format!("所属分配 {} 已释放（{reason}）", a.id)));
    }
    if a.assignee.as_str() != unit {
        return Err(refuse(net, format!("所属分配 {} 的使用单位是 {}，不是本单位 {unit}", a.id, a.assignee)));
    }
    if a.purpose == Purpose::Infrastructure {
        return Err(refuse(net, format!("所属分配 {} 用于政务外网基础设施，不能用于信息系统", a.id)));
    }
    if matches!(net, IpNet::V4(_)) && a.ipv4_justification.as_deref().is_none_or(|j| j.trim().is_empty()) {
        return Err(refuse(net, format!("IPv4 地址所属分配 {} 没有第六条要求的书面理由", a.id)));
    }
    Ok(())
}

fn refuse(net: &IpNet, why: String) -> DomainError {
    DomainError::FailedPrecondition(format!("launch.addresses：地址 {net} {why}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipam::AssigneeId;
    use extranet_ids::NodeId;

    fn assignment(number: u64, prefix: &str, unit: &str) -> Assignment {
        Assignment {
            id: AssignmentId { node: NodeId::parse("540000/540100/540102").unwrap(), number },
            prefix: prefix.parse().unwrap(),
            purpose: Purpose::InformationSystem,
            assignee: AssigneeId::new(unit).unwrap(),
            serves: String::new(),
            by: "op".into(),
            at_ms: 0,
            ipv4_justification: None,
            ipv4_approved_by: None,
            state: RecordState::Live,
        }
    }

    fn nets(s: &[&str]) -> Vec<IpNet> {
        s.iter().map(|x| x.parse().unwrap()).collect()
    }

    #[test]
    fn addresses_link_to_the_units_assignments_once_each() {
        let own = [assignment(1, "2408:8000::/64", "u0001"), assignment(2, "2408:8001::/64", "u0001")];
        let linked = link_addresses(&nets(&["2408:8000::10/128", "2408:8000::/64", "2408:8001::1/128"]), "u0001", &own);
        assert_eq!(linked.unwrap().iter().map(|a| a.number).collect::<Vec<_>>(), vec![1, 2]);
    }

    #[test]
    fn each_refusal_names_the_address_and_why() {
        let mut ended = assignment(3, "2408:8003::/64", "u0001");
        ended.state = RecordState::Ended { at_ms: 1, by: "op".into(), reason: "撤销".into(), forced: false };
        let mut infra = assignment(4, "2408:8004::/64", "u0001");
        infra.purpose = Purpose::Infrastructure;
        let own = [assignment(1, "2408:8000::/64", "u0002"), ended, infra, assignment(5, "10.1.0.0/24", "u0001")];
        for (addr, why) in [
            ("2408:9999::1/128", "不在本节点的任何地址分配中"),
            ("2408:8000::1/128", "使用单位是 u0002"),
            ("2408:8003::1/128", "已释放"),
            ("2408:8004::1/128", "基础设施"),
            ("10.1.0.5/32", "第六条"),
        ] {
            let e = link_addresses(&nets(&[addr]), "u0001", &own).unwrap_err();
            assert!(matches!(e, DomainError::FailedPrecondition(_)), "{addr}: {e}");
            assert!(e.to_string().contains(addr) && e.to_string().contains(why), "{addr}: {e}");
        }
    }

    #[test]
    fn a_date_before_today_is_refused_and_today_is_not() {
        let today: NaiveDate = "2026-12-02".parse().unwrap();
        assert!(check_effective_date("launch.launch_date", today, today).is_ok());
        let e = check_effective_date("launch.launch_date", "2026-12-01".parse().unwrap(), today).unwrap_err();
        assert!(matches!(e, DomainError::FailedPrecondition(_)) && e.to_string().contains("2026-12-01"));
    }
}
