//! How `extranet access …` shows its answers to people (the `--json` form
//! is the wire message itself).

use extranet_proto::v1 as pb;

use super::output;
pub use crate::present::access::mark;
use crate::present::access::{deadline_marks, kind_zh, next_due, state_zh, versions};

/// A submitted application: where it went and its deadlines.
pub fn print_submitted(a: &pb::Application) {
    println!("已提交并落盘：{}（{}）", a.id, kind_zh(a.kind));
    if let Some(r) = &a.routing {
        let whither = if r.forwarded { format!("已转交 {}", r.competent) } else { "由本节点审批".into() };
        println!("{whither}：{}", r.reason);
    }
    for d in &a.deadlines {
        let v = versions(d.calendar_version, &d.local_by, d.local_version);
        println!("{}期限：{}{}（{v}）", d.name, d.due, deadline_marks(d));
    }
}

/// Open and overdue applications per deciding node of the subtree.
pub fn print_overdue_counts(r: &pb::OverdueCountsResponse) {
    output::table_of(&["审批节点", "办理中", "逾期申请", "逾期期限", "最长逾期"], &r.nodes, |n| {
        vec![
            n.node.clone(),
            n.open_applications.to_string(),
            n.overdue_applications.to_string(),
            n.overdue_deadlines.to_string(),
            format!("{} 个工作日", n.most_working_days_late),
        ]
    });
    println!(
        "截至 {}，本节点及下级共 {} 项申请逾期",
        r.today,
        r.nodes.iter().map(|n| n.overdue_applications).sum::<u32>()
    );
}

/// The applications late at this node, by how many working days.
pub fn print_overdue(r: &pb::OverdueResponse) {
    output::table_of(
        &["编号", "申请单位", "状态", "期限", "到期日", "已逾期", "日历版本"],
        &r.items,
        |i| {
            vec![
                i.id.clone(),
                i.unit_name.clone(),
                state_zh(i.state).into(),
                i.deadline.clone(),
                format!("{}{}", i.due, mark(i.provisional)),
                format!("{} 个工作日", i.working_days_late),
                i.calendar_version.to_string(),
            ]
        },
    );
    println!("截至 {}，本节点审批的申请共 {} 项逾期", r.today, r.items.len());
}

/// An application after a decision: its state and the deadlines still open.
pub fn print_decided(a: &pb::Application) {
    println!("申请 {} 现为：{}", a.id, state_zh(a.state));
    if a.lodged_at != a.routing.as_ref().map(|r| r.competent.clone()).unwrap_or_default() {
        println!("结果将随联邦送回受理节点 {}", a.lodged_at);
    }
    for d in a.deadlines.iter().filter(|d| d.met_on.is_empty()) {
        println!("{}期限：{}{}", d.name, d.due, deadline_marks(d));
    }
}

/// One application as a row of `extranet access list`.
pub fn row(a: &pb::Application) -> Vec<String> {
    vec![
        a.id.clone(),
        kind_zh(a.kind).into(),
        a.unit.as_ref().map(|u| u.name.clone()).unwrap_or_default(),
        state_zh(a.state).into(),
        a.routing.as_ref().map(|r| r.competent.clone()).unwrap_or_default(),
        next_due(a),
    ]
}

/// One application with its routing, deadlines and history.
pub fn print_application(a: &pb::Application) {
    let unit = a.unit.clone().unwrap_or_default();
    let form = a.form.clone().unwrap_or_default();
    println!("申请编号：{}（{}）    状态：{}", a.id, kind_zh(a.kind), state_zh(a.state));
    println!("申请单位：{}（{}@{}）    提交：{} 于 {}", unit.name, unit.id, unit.node, a.submitted_by, a.submitted_on);
    if let Some(r) = &a.routing {
        println!("审批机关：{}    {}", r.competent, r.reason);
    }
    println!("依据/原因：{}", form.basis);
    println!("范围：{}    位置：{}    带宽：{} Mbit/s", form.scope, form.location, form.bandwidth_mbps);
    println!("技术要求：{}    安全措施：{}", form.technical_requirements, form.security_measures);
    println!("不涉密声明（第八条）：{}", if form.declares_no_classified_information { "已声明" } else { "未声明" });
    if !a.access_plan.is_empty() {
        println!("接入方案：{}", a.access_plan);
    }
    if !a.rejection_reasons.is_empty() {
        println!("未通过原因：{}（书面告知书：extranet access notice {}）", a.rejection_reasons, a.id);
    }
    for d in &a.deadlines {
        let met = if d.met_on.is_empty() { "未完成".to_string() } else { format!("已于 {} 完成", d.met_on) };
        let v = versions(d.calendar_version, &d.local_by, d.local_version);
        println!("{}期限：{}{}（{v}），{met}", d.name, d.due, deadline_marks(d));
    }
    for t in &a.history {
        println!("  {}  {}  {}@{}  {}", output::time(t.at_ms), state_zh(t.state), t.by, t.node, t.note);
    }
}
