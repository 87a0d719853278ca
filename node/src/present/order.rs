//! How a disconnection order reads to a person: its state and steps in
//! Chinese, the deadline with its calendar version, overdue marked
//! (`extranet order …`, the console's pages).

use extranet_proto::v1 as pb;

use super::text::time;
use crate::codec::WireEnum;
use crate::domain::OrderState;
use crate::domain::order::StepKind;

/// A state in Chinese, overdue marked.
pub fn state_zh(o: &pb::Order) -> String {
    let s = OrderState::from_pb(o.state).map_or("—", OrderState::zh);
    if o.overdue { format!("{s}（已逾期）") } else { s.to_string() }
}

/// A step's kind in Chinese.
pub fn step_zh(v: i32) -> &'static str {
    StepKind::from_pb(v).map_or("—", StepKind::zh)
}

/// A deadline: due date, working days, calendar version.
pub fn deadline_zh(d: Option<&pb::OrderDeadline>) -> String {
    let Some(d) = d else { return "—".into() };
    let provisional = if d.provisional { "，暂定" } else { "" };
    let local = if d.local_affected { "，含本地假日" } else { "" };
    let v = super::access::versions(d.calendar_version, &d.local_by, d.local_version);
    format!("{}（自 {} 起 {} 个工作日，{v}{provisional}{local}）", d.due, d.from, d.working_days)
}

/// One order as a row of `extranet order list`.
pub fn row(o: &pb::Order) -> Vec<String> {
    vec![
        o.id.clone(),
        state_zh(o),
        format!("{}（{}）", o.unit_name, o.unit_id),
        o.deadline.as_ref().map_or_else(|| "—".into(), |d| d.due.clone()),
        o.history.first().map_or_else(|| "—".into(), |s| time(s.at_ms)),
        o.reason.clone(),
    ]
}

/// The header of [`row`].
pub const HEADER: [&str; 6] = ["编号", "状态", "单位", "整改期限", "下达时间", "原因"];

/// Prints one order with its history and documents' numbers.
pub fn print_order(o: &pb::Order) {
    println!("中断连接通知：{}    状态：{}", o.id, state_zh(o));
    println!("单位：{}（{}）    下达节点：{}", o.unit_name, o.unit_id, o.origin);
    println!("原因：{}", o.reason);
    println!("整改期限：{}", deadline_zh(o.deadline.as_ref()));
    let number = |n: &Option<pb::WrittenNotice>| n.as_ref().map_or_else(|| "—".to_string(), |n| n.number.clone());
    println!("通知书：{}    恢复连接通知：{}", number(&o.order_notice), number(&o.lifting_notice));
    for s in &o.history {
        let due = s.deadline.as_ref().map(|d| format!("（期限 {}）", d.due)).unwrap_or_default();
        println!("  {}  {}  {}  {}{due}", time(s.at_ms), step_zh(s.kind), s.by, s.note);
    }
}
