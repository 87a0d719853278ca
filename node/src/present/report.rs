//! The annual work report (年度工作开展情况报告, Art.10) as people read it:
//! one table of figures — each row the node's own and its subtree's —
//! for the CLI and the console, the nodes that have not reported, and the
//! printable A4 document (the evaluation's style: no script, no external
//! address, every text escaped by maud).

use extranet_domain::report::{AnnualReport, YearFigures};
use maud::{Markup, html};

use super::text::time;

/// The table's columns.
pub const HEADER: [&str; 4] = ["类别", "项目", "本节点", "本节点及下辖"];

/// One figure's row: section, item, and how to read it from a scope.
type Row = (&'static str, &'static str, fn(&YearFigures) -> u64);

/// Every figure, in the order the report reads.
const ROWS: [Row; 28] = [
    ("接入单位", "本年度登记", |f| f.units_registered),
    ("接入单位", "本年度信息变更", |f| f.units_updated),
    ("接入单位", "申请中（截至报告时）", |f| f.units_applying),
    ("接入单位", "已接入（截至报告时）", |f| f.units_connected),
    ("接入单位", "已暂停（截至报告时）", |f| f.units_suspended),
    ("接入单位", "已撤销（截至报告时）", |f| f.units_withdrawn),
    ("接入申请", "本年度提交", |f| f.applications),
    ("接入申请", "其中 接入申请", |f| f.applications_new),
    ("接入申请", "其中 变更申请", |f| f.applications_change),
    ("接入申请", "其中 撤销申请", |f| f.applications_withdrawal),
    ("接入申请", "其中 网络资源变更申请", |f| f.applications_resource_change),
    ("接入申请", "本年度批准", |f| f.approved),
    ("接入申请", "本年度未通过", |f| f.rejected),
    ("接入申请", "超过第十六条时限", |f| f.applications_overdue),
    ("备案", "割接备案", |f| f.cutovers),
    ("备案", "上线备案", |f| f.launches),
    ("备案", "变更备案", |f| f.changes),
    ("备案", "维护作业中断报备", |f| f.interruptions),
    ("备案", "年度运行质量综合评估", |f| f.evaluations),
    ("故障", "本年度报告", |f| f.faults),
    ("故障", "超过第十三条时限", |f| f.fault_breaches),
    ("监督检查", "本年度开展", |f| f.inspections),
    ("监督检查", "发现问题", |f| f.findings),
    ("监督检查", "限期整改", |f| f.rectifications),
    ("监督检查", "整改逾期（截至报告时）", |f| f.rectifications_overdue),
    ("中断连接与限期整改", "本年度下达", |f| f.orders_issued),
    ("中断连接与限期整改", "本年度恢复连接", |f| f.orders_lifted),
    ("非涉密业务专网", "本年度完成迁移", |f| f.private_networks_migrated),
];

/// The figures as table rows (`HEADER`'s columns).
pub fn rows(r: &AnnualReport) -> Vec<Vec<String>> {
    ROWS.iter()
        .map(|(section, item, get)| {
            vec![section.to_string(), item.to_string(), get(&r.own).to_string(), get(&r.subtree).to_string()]
        })
        .collect()
}

/// A share in basis points as a percentage, `12.34%`.
pub fn percent(bp: u32) -> String {
    format!("{}.{:02}%", bp / 100, bp % 100)
}

/// The address management line (截至报告时).
pub fn addresses(r: &AnnualReport) -> String {
    match r.addresses {
        Some(a) => format!(
            "地址池使用率 {}，IPv6 地址分配占比 {}（本节点地址管理，截至报告时）",
            percent(a.pool_utilisation_bp),
            percent(a.ipv6_share_bp)
        ),
        None => "本节点尚无地址池".into(),
    }
}

/// The nodes that have not reported, `城关区（540000/540100/540102）、…`, or 无.
pub fn not_reported(r: &AnnualReport) -> String {
    if r.not_reported.is_empty() {
        return "无".into();
    }
    r.not_reported.iter().map(|n| format!("{}（{}）", n.name, n.node)).collect::<Vec<_>>().join("、")
}

/// The report as a standalone printable HTML document, by the authority
/// named `authority_name`.
pub fn document(r: &AnnualReport, authority_name: &str) -> String {
    let title = format!("{} 年度政务外网工作开展情况报告", r.year);
    let body = html! {
        p { "报告单位：" (authority_name) }
        p { "报告年度：" (r.year) " 年（北京时间）；数据统计截至：" (time(r.as_of_ms)) }
        h2 { "一、主要数据" }
        (figures_table(r))
        p { "地址管理：" (addresses(r)) }
        h2 { "二、下辖节点报送情况" }
        p { "下辖节点（含本节点）" (r.subtree_nodes) " 个，已报送本年度工作报告 " (r.subtree_reporting) " 个。" }
        p { "尚未报送：" (not_reported(r)) }
        h2 { "三、工作情况说明" }
        @if r.notes.trim().is_empty() {
            p { "（未填写）" }
        } @else {
            @for para in r.notes.lines().filter(|l| !l.trim().is_empty()) { p { (para) } }
        }
        p.note { "统计口径：申请按提交日、结果按审核办结日，备案按报备日，故障按报告时间、超时按时限届满时间，监督检查按检查日，中断连接与限期整改按下达和恢复日，专网按迁移完成日归入年度；接入单位和地址按报告时的状态，下辖节点的接入单位按其最近一次状态摘要。" }
    };
    super::evaluation::printed(&title, authority_name, body)
}

/// The figures as one ruled table.
pub fn figures_table(r: &AnnualReport) -> Markup {
    html! {
        table {
            thead { tr { @for h in HEADER { th { (h) } } } }
            tbody {
                @for row in rows(r) {
                    tr { td.c { (row[0]) } td { (row[1]) } td.n { (row[2]) } td.n { (row[3]) } }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use extranet_domain::report::{AddressShares, NamedNode};

    #[test]
    fn the_document_names_every_figure_and_the_nodes_that_have_not_reported() {
        let mut r = AnnualReport { year: 2026, notes: "完成<链路>改造".into(), ..AnnualReport::default() };
        r.subtree.private_networks_migrated = 3;
        r.addresses = Some(AddressShares { pool_utilisation_bp: 1234, ipv6_share_bp: 10_000 });
        let county = extranet_certs::NodeId::parse("540000/540100/540103").unwrap();
        r.not_reported = vec![NamedNode { node: county, name: "堆龙德庆区".into() }];
        let html = document(&r, "拉萨市");
        assert!(html.contains("size: A4") && html.contains("2026 年度政务外网工作开展情况报告"));
        assert!(html.contains("堆龙德庆区（540000/540100/540103）") && html.contains("12.34%"));
        assert!(html.contains("完成&lt;链路&gt;改造"), "the notes are escaped");
        assert_eq!(rows(&r).len(), ROWS.len());
        assert_eq!(rows(&r).last().unwrap()[3], "3");
    }
}
