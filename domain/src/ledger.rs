//! The withdrawal ledger (台账, Art.17): when a unit's access is withdrawn,
//! the authority reclaims its IP addresses and devices and records it. Each
//! entry carries the device-reclaim checklist and the state of the address
//! reclaim; the ledger exports to CSV.

use chrono::NaiveDate;
use extranet_ids::NodeId;
use serde::{Deserialize, Serialize};

use super::unit::UnitId;

/// Devices reclaimed when no list is given: what a county access point
/// usually has, deployed by the authority (统一部署的相关设备, Art.18).
pub const DEFAULT_DEVICES: &[&str] = &[
    "接入路由器",
    "接入交换机",
    "防火墙等安全设备",
    "光纤收发器或线路终端设备",
    "统一部署的其他设备（含配套线缆、机柜附件）",
];

/// One device to reclaim.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ChecklistItem {
    /// What.
    pub item: String,
    /// Reclaimed yet.
    pub reclaimed: bool,
}

/// Where the reclaim of the unit's extranet addresses stands; the address
/// reclaimer (`crate::reclaim`) records the outcome.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum AddressReclaim {
    /// Requested of address management; not yet confirmed.
    Requested,
    /// Address management ended the unit's assignments of these prefixes
    /// (none: it held no addresses at this node).
    Done {
        /// The prefixes released.
        released: Vec<String>,
    },
}

impl AddressReclaim {
    /// Chinese description for the ledger.
    pub fn zh(&self) -> String {
        match self {
            AddressReclaim::Requested => "已申请回收，待地址管理确认".into(),
            AddressReclaim::Done { released } if released.is_empty() => "无需回收（本节点未给该单位分配地址）".into(),
            AddressReclaim::Done { released } => format!("已回收：{}", released.join(" ")),
        }
    }
}

/// One ledger entry.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct WithdrawalEntry {
    /// Number in this node's ledger, from 1.
    pub number: u64,
    /// Date recorded.
    pub recorded_on: NaiveDate,
    /// Operator who recorded it.
    pub recorded_by: String,
    /// The unit's node.
    pub unit_node: NodeId,
    /// The unit's id there.
    pub unit_id: UnitId,
    /// The unit's name.
    pub unit_name: String,
    /// The division it sat in.
    pub division: NodeId,
    /// The withdrawal application.
    pub application: String,
    /// Why (the application's reason).
    pub reason: String,
    /// Devices to reclaim.
    pub devices: Vec<ChecklistItem>,
    /// The addresses.
    pub address_reclaim: AddressReclaim,
}

/// The ledger as CSV (RFC 4180, UTF-8 with a BOM so spreadsheet programs
/// read the Chinese correctly), header in Chinese.
pub fn to_csv(entries: &[WithdrawalEntry]) -> String {
    let mut out = String::from("\u{feff}");
    let header = [
        "台账编号",
        "登记日期",
        "接入单位",
        "单位编号",
        "登记节点",
        "所在区划",
        "撤销申请",
        "撤销原因",
        "设备回收清单",
        "IP地址回收",
        "登记人",
    ];
    push_row(&mut out, header.iter().map(|s| s.to_string()));
    for e in entries {
        let devices: Vec<String> = e
            .devices
            .iter()
            .map(|d| format!("{}（{}）", d.item, if d.reclaimed { "已回收" } else { "待回收" }))
            .collect();
        push_row(
            &mut out,
            [
                e.number.to_string(),
                e.recorded_on.to_string(),
                e.unit_name.clone(),
                e.unit_id.to_string(),
                e.unit_node.to_string(),
                e.division.to_string(),
                e.application.clone(),
                e.reason.clone(),
                devices.join("；"),
                e.address_reclaim.zh(),
                e.recorded_by.clone(),
            ]
            .into_iter(),
        );
    }
    out
}

fn push_row(out: &mut String, cells: impl Iterator<Item = String>) {
    let cells: Vec<String> = cells.map(|c| csv_cell(&c)).collect();
    out.push_str(&cells.join(","));
    out.push_str("\r\n");
}

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_quoting() {
        let e = WithdrawalEntry {
            number: 1,
            recorded_on: "2026-03-02".parse().unwrap(),
            recorded_by: "operator".into(),
            unit_node: NodeId::parse("540000/540100/540102").unwrap(),
            unit_id: UnitId::parse("u0001").unwrap(),
            unit_name: "城关区\"教育局\"".into(),
            division: NodeId::parse("540000/540100/540102").unwrap(),
            application: "540102-A000002".into(),
            reason: "机构撤并, 不再需要".into(),
            devices: vec![ChecklistItem { item: "接入路由器".into(), reclaimed: false }],
            address_reclaim: AddressReclaim::Requested,
        };
        let csv = to_csv(&[e]);
        let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert!(lines[0].starts_with("台账编号,登记日期,接入单位"));
        assert!(lines[1].contains("\"城关区\"\"教育局\"\"\""), "{}", lines[1]);
        assert!(lines[1].contains("\"机构撤并, 不再需要\""));
        assert!(lines[1].contains("接入路由器（待回收）") && lines[1].contains("已申请回收"));
    }
}
