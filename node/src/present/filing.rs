//! How a filing reads to a person: its kind in Chinese, its details and its
//! receipts (`extranet filing show`, `report annual`, the demo).

use extranet_proto::v1 as pb;

use super::text::time;

/// The filing's kind in Chinese.
pub fn kind(f: &pb::Filing) -> &'static str {
    match f.details {
        Some(pb::filing::Details::Cutover(_)) => "割接备案",
        Some(pb::filing::Details::Launch(_)) => "上线备案",
        Some(pb::filing::Details::Change(_)) => "变更备案",
        Some(pb::filing::Details::AnnualReport(_)) => "年度工作报告",
        Some(pb::filing::Details::Interruption(_)) => "维护作业中断报备",
        Some(pb::filing::Details::Evaluation(_)) => "年度运行质量综合评估",
        None => "未知",
    }
}

/// The system of a launch or change, its addresses with the assignments
/// they were checked against (Art.23) and the security test (Art.26(4)).
fn print_system(l: &pb::LaunchDetails, date_label: &str) {
    println!("信息系统：{}    所属单位：{}    {date_label}：{}", l.system_name, l.owning_unit, l.launch_date);
    println!("使用地址：{}", l.addresses.join(", "));
    let linked = if l.assignment_ids.is_empty() {
        "—（早于地址关联的备案）".into()
    } else {
        l.assignment_ids.join(", ")
    };
    println!("地址分配：{linked}");
    println!("安全检测（第二十六条第（四）项）：{}", l.security_test_ref);
}

/// Prints one filing for a person.
pub fn print_filing(f: &pb::Filing) {
    println!("备案编号：{}（{}）", f.id, kind(f));
    println!("来源节点：{}    提交人：{}    落盘时间：{}", f.origin, f.filed_by, time(f.filed_at_ms));
    match &f.details {
        Some(pb::filing::Details::Cutover(c)) => {
            println!("涉及单位：{}", c.affected_units.join("、"));
            println!("割接窗口：{} 至 {}", c.window_start, c.window_end);
            println!("通知日期：{}    重大调整：{}", c.notified_on, if c.major_adjustment { "是" } else { "否" });
            println!("内容：{}", c.description);
        }
        Some(pb::filing::Details::Launch(l)) => print_system(l, "上线日期"),
        Some(pb::filing::Details::Change(c)) => {
            println!("变更的上线备案：{}    变更内容：{}", c.launch_id, c.what_changes);
            print_system(&c.system.clone().unwrap_or_default(), "变更日期");
        }
        Some(pb::filing::Details::AnnualReport(r)) => {
            println!(
                "年度：{}    割接备案：{}    上线备案：{}（其中本节点 {}）",
                r.year, r.cutovers, r.launches, r.own_filings
            );
            println!("下辖节点（含本节点）：{}，已报送本年度报告：{}", r.subtree_nodes, r.subtree_reporting);
            if let Ok(report) = crate::codec::annual_report_from_pb(r.clone()) {
                println!("尚未报送：{}", super::report::not_reported(&report));
            }
            println!("说明：{}", if r.notes.is_empty() { "—" } else { &r.notes });
            println!("（extranet report show {} 查看全部数据，--html 文件 导出可打印的报告）", f.id);
        }
        Some(pb::filing::Details::Interruption(d)) => {
            let i = d.plan.clone().unwrap_or_default();
            println!("中断申请：{}    作业单位：{}", d.interruption_id, super::interruption::or_own(&i.unit_id));
            println!("中断对象：{}（{}）", i.affected, super::interruption::affects_zh(i.affects));
            println!("批准窗口：{} 至 {}（北京时间）", time(i.window_start_ms), time(i.window_end_ms));
            println!("原因：{}", i.reason);
            println!("批准：{} 于 {}    意见：{}", d.approved_by, time(d.approved_at_ms), or_dash(&d.note));
        }
        Some(pb::filing::Details::Evaluation(e)) => {
            println!("评估年度：{}    统计故障：{} 件    评估单位：{} 家", e.year, e.tickets, e.parties.len());
            println!("评估结论：{}", e.conclusion);
            println!("（extranet evaluation show {} --html 文件 导出可打印的评估报告，--csv 导出数据）", f.id);
        }
        None => {}
    }
    if f.receipts.is_empty() {
        println!("回执：尚未收到上级回执");
    }
    for r in &f.receipts {
        println!("回执：{} 于 {} 接收", r.node, time(r.received_at_ms));
    }
}

fn or_dash(v: &str) -> &str {
    if v.is_empty() { "—" } else { v }
}
