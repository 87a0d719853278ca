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
    /// The registered device (`540102-E000001`) when the item comes from
    /// the device register of the node that holds it; none for a
    /// free-text item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
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
    /// Whether the checklist is the device register of the node holding
    /// the unit's devices (it replaced the free-text list when that node
    /// reported); only such a list can close the entry.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub devices_registered: bool,
    /// The day the entry closed: every registered device reclaimed and the
    /// addresses released (已结清).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_on: Option<NaiveDate>,
}

impl WithdrawalEntry {
    /// Takes the checklist the holding node reported from its device
    /// register (`items` empty: it registered none, and the free-text list
    /// stays); closes the entry when that finishes it.
    pub fn take_holder_checklist(&mut self, items: Vec<ChecklistItem>, today: NaiveDate) {
        if !items.is_empty() {
            self.devices = items;
            self.devices_registered = true;
        }
        self.close_if_done(today);
    }

    /// Closes the entry on `today` once every registered device is
    /// reclaimed and the addresses are released; a closed entry stays closed.
    pub fn close_if_done(&mut self, today: NaiveDate) {
        let devices_done = self.devices_registered && self.devices.iter().all(|d| d.reclaimed);
        let addresses_done = matches!(self.address_reclaim, AddressReclaim::Done { .. });
        if self.closed_on.is_none() && devices_done && addresses_done {
            self.closed_on = Some(today);
        }
    }

    /// Chinese state for the ledger: closed, or what it waits for.
    pub fn state_zh(&self) -> String {
        if let Some(d) = self.closed_on {
            return format!("已结清（{d}）");
        }
        let left = self.devices.iter().filter(|d| !d.reclaimed).count();
        match (self.devices_registered, left) {
            (false, _) => "待持有节点按设备登记确认回收".into(),
            (true, 0) => "设备已全部回收，待地址回收".into(),
            (true, n) => format!("待回收设备 {n} 台"),
        }
    }
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
        "状态",
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
                e.state_zh(),
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
            devices: vec![ChecklistItem { item: "接入路由器".into(), reclaimed: false, device: None }],
            address_reclaim: AddressReclaim::Requested,
            devices_registered: false,
            closed_on: None,
        };
        let csv = to_csv(&[e]);
        let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert!(lines[0].starts_with("台账编号,登记日期,接入单位"));
        assert!(lines[1].contains("\"城关区\"\"教育局\"\"\""), "{}", lines[1]);
        assert!(lines[1].contains("\"机构撤并, 不再需要\""));
        assert!(lines[1].contains("接入路由器（待回收）") && lines[1].contains("已申请回收"));
    }

    #[test]
    fn an_entry_closes_once_the_holders_devices_and_the_addresses_are_reclaimed() {
        let today: NaiveDate = "2026-03-09".parse().unwrap();
        let item = |n: u64, reclaimed| ChecklistItem {
            item: format!("接入路由器 {n}"),
            reclaimed,
            device: Some(format!("540102-E{n:06}")),
        };
        let mut e = WithdrawalEntry {
            number: 1,
            recorded_on: today,
            recorded_by: "operator".into(),
            unit_node: NodeId::parse("540000/540100/540102").unwrap(),
            unit_id: UnitId::parse("u0001").unwrap(),
            unit_name: "城关区教育局".into(),
            division: NodeId::parse("540000/540100/540102").unwrap(),
            application: "540102-A000002".into(),
            reason: "机构撤并".into(),
            devices: DEFAULT_DEVICES
                .iter()
                .map(|d| ChecklistItem { item: d.to_string(), reclaimed: false, device: None })
                .collect(),
            address_reclaim: AddressReclaim::Done { released: vec![] },
            devices_registered: false,
            closed_on: None,
        };
        e.take_holder_checklist(Vec::new(), today);
        assert_eq!(
            (e.devices.len(), e.closed_on),
            (DEFAULT_DEVICES.len(), None),
            "no register: the free-text list stays, open"
        );
        e.take_holder_checklist(vec![item(1, true), item(2, false)], today);
        assert_eq!(e.closed_on, None);
        assert_eq!(e.state_zh(), "待回收设备 1 台");
        e.take_holder_checklist(vec![item(1, true), item(2, true)], today);
        assert_eq!(e.closed_on, Some(today));
    }
}
