//! How a security incident reads to a person (`extranet incident …`, the
//! console's pages): the departments told and still missing in Chinese,
//! the authority's decision, the steps.

use extranet_proto::v1 as pb;

use super::text::time;
use crate::codec::WireEnum;
use crate::domain::UpDecision;
use crate::domain::incident::{Channel, Department, StepKind};

/// A department in Chinese (网信, 保密, …).
pub fn department_zh(v: i32) -> &'static str {
    Department::from_pb(v).map_or("—", Department::zh)
}

/// A channel in Chinese (电话, 书面, …).
pub fn channel_zh(v: i32) -> &'static str {
    Channel::from_pb(v).map_or("—", Channel::zh)
}

/// A step's kind in Chinese.
pub fn step_zh(v: i32) -> &'static str {
    StepKind::from_pb(v).map_or("—", StepKind::zh)
}

/// The departments still missing, joined: `保密、安全`, or `—` when none.
pub fn missing_zh(i: &pb::Incident) -> String {
    if i.missing_departments.is_empty() {
        return "—".into();
    }
    i.missing_departments.iter().map(|d| department_zh(*d)).collect::<Vec<_>>().join("、")
}

/// Where it stands: the decision, closed marked.
pub fn state_zh(i: &pb::Incident) -> String {
    let d = UpDecision::from_pb(i.decision).map_or("—", UpDecision::zh);
    if i.closed { format!("{d}，已处置完毕") } else { d.to_string() }
}

/// 重大 or 一般.
pub fn grade_zh(i: &pb::Incident) -> &'static str {
    if i.report.as_ref().is_some_and(|r| r.major) { "重大" } else { "一般" }
}

/// One incident as a row of `extranet incident list`.
pub fn row(i: &pb::Incident) -> Vec<String> {
    let r = i.report.clone().unwrap_or_default();
    vec![
        i.id.clone(),
        grade_zh(i).into(),
        r.title,
        if r.unit_id.is_empty() { "本级".into() } else { r.unit_id },
        time(r.occurred_at_ms),
        format!("{}/5 未报：{}", 5 - i.missing_departments.len().min(5), missing_zh(i)),
        state_zh(i),
    ]
}

/// The header of [`row`].
pub const HEADER: [&str; 7] = ["编号", "级别", "事件", "单位", "发生时间", "向五部门报告", "研判"];

/// Prints one incident with the departments told and its steps.
pub fn print_incident(i: &pb::Incident) {
    let r = i.report.clone().unwrap_or_default();
    println!("安全事件：{}    级别：{}    {}", i.id, grade_zh(i), state_zh(i));
    println!(
        "事件：{}    单位：{}    报告节点：{}",
        r.title,
        if r.unit_id.is_empty() { "本级" } else { &r.unit_id },
        i.origin
    );
    println!("发生时间：{}（北京时间）", time(r.occurred_at_ms));
    println!("经过：{}", r.description);
    println!("影响：{}", r.impact);
    println!("已采取措施：{}", r.measures);
    if let Some(c) = &r.contact {
        println!("联系人：{} {}", c.name, c.phone);
    }
    if r.major {
        println!("尚未记录报告的部门（第二十六条第（一）项）：{}", missing_zh(i));
    }
    for d in &i.departments {
        let (dept, channel) = (department_zh(d.department), channel_zh(d.channel));
        println!("  已报{dept}：{}  {channel}  报告人 {}  {}", time(d.at_ms), d.reporter, d.note);
    }
    for s in &i.history {
        println!("  {}  {}  {}  {}", time(s.at_ms), step_zh(s.kind), s.by, s.note);
    }
}
