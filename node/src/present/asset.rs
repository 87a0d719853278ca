//! Access-point assets as people read them (Chinese), shared by the CLI
//! and the console: a device's kind and state by their Chinese names, and
//! one line of its history.

use extranet_proto::v1 as pb;

use crate::domain::Choice;
use crate::domain::asset::{DeviceKind, DeviceState};

/// A device's kind in Chinese (the value itself when unknown).
pub fn kind_zh(d: &pb::Device) -> String {
    DeviceKind::from_value(&d.kind).map_or(d.kind.clone(), |k| k.zh().to_string())
}

/// A device's state in Chinese (the value itself when unknown).
pub fn state_zh(d: &pb::Device) -> String {
    DeviceState::from_value(&d.state).map_or(d.state.clone(), |s| s.zh().to_string())
}

/// What a step did, in Chinese.
pub fn step_zh(action: &str) -> &'static str {
    match action {
        "register" => "登记",
        "move" => "移动",
        "repurpose" => "挪用",
        "modify" => "改造",
        "switch-off" => "关闭",
        "switch-on" => "恢复运行",
        "to-reclaim" => "转待回收",
        "reclaim" => "回收",
        _ => "变动",
    }
}

/// One row of a device table.
pub fn device_row(d: &pb::Device) -> Vec<String> {
    let violations = if d.violations.is_empty() { "—".to_string() } else { format!("{} 条", d.violations.len()) };
    vec![
        d.id.clone(),
        d.unit_id.clone(),
        kind_zh(d),
        format!("{}（{}）", d.model, d.serial),
        d.holder.clone(),
        d.location.clone(),
        state_zh(d),
        violations,
    ]
}

/// The headers of [`device_row`].
pub const DEVICE_HEADERS: [&str; 8] = ["编号", "单位", "类型", "型号（序列号）", "保管人", "位置", "状态", "违规"];

/// One row of a room table.
pub fn room_row(r: &pb::AccessRoom) -> Vec<String> {
    let current = if r.current { "是" } else { "否（逾期）" };
    vec![
        r.unit_id.clone(),
        r.location.clone(),
        r.power_backup.clone(),
        r.standard.clone(),
        r.checked_on.clone(),
        r.checked_by.clone(),
        current.into(),
    ]
}

/// The headers of [`room_row`].
pub const ROOM_HEADERS: [&str; 7] = ["单位", "位置", "电力保障", "依据标准", "检查日期", "检查人", "近一年已检查"];
