//! The CSV and the printed document of an evaluation: what a spreadsheet
//! and a printer are given, and that no text typed anywhere in the subtree
//! runs as markup or as a formula.

use chrono::TimeZone;
use extranet_certs::NodeId;
use extranet_domain::evaluation::{ClassFigures, Grade};

use super::*;
use crate::calendar::beijing;

const MIN: i64 = 60_000;

/// A name with a comma and quotes, as a registry may hold one.
const ODD: &str = "中国电信,\"拉萨\"分公司";

fn figures(kind: PartyKind, name: &str, faults: u32) -> PartyFigures {
    PartyFigures {
        kind,
        name: name.into(),
        faults,
        response_decided: 3,
        responded_within: 2,
        response_median_ms: Some(20 * MIN),
        response_worst_ms: Some(70 * MIN),
        classes: vec![ClassFigures { class: FaultClass::Urban, faults, decided: 2, within: 1 }],
        repair_median_ms: Some(90 * MIN),
        repair_worst_ms: Some(1800 * MIN),
        open: 1,
        breaches: 2,
        scored: 3,
        score_sum: 10,
        score_counts: [0, 1, 1, 0, 1],
    }
}

fn evaluation() -> Evaluation {
    Evaluation {
        year: 2026,
        node: NodeId::parse("540000/540100").unwrap(),
        as_of_ms: beijing().with_ymd_and_hms(2027, 1, 1, 0, 10, 0).unwrap().timestamp_millis(),
        tickets: 4,
        parties: vec![
            figures(PartyKind::LinkProvider, ODD, 3),
            figures(PartyKind::LinkProvider, "", 1),
            figures(PartyKind::Maintainer, "拉萨网维科技", 4),
        ],
        assessments: vec![
            Assessment {
                kind: PartyKind::LinkProvider,
                name: ODD.into(),
                item: AssessedItem::Bandwidth,
                grade: Grade::Good,
                comment: "=HYPERLINK(\"x\")".into(),
            },
            Assessment {
                kind: PartyKind::Maintainer,
                name: "拉萨网维科技".into(),
                item: AssessedItem::Assurance,
                grade: Grade::Excellent,
                comment: "全年无安全事件\n巡检记录齐全".into(),
            },
        ],
        conclusion: "总体良好。<script>alert(1)</script>\n第二段".into(),
    }
}

#[test]
fn the_csv_opens_with_a_bom_and_the_chinese_header_and_has_one_row_per_party() {
    let csv = csv(&evaluation());
    let body = csv.strip_prefix('\u{feff}').expect("a byte-order mark first");
    let header = body.split("\r\n").next().unwrap();
    assert!(
        header.starts_with("单位类型,单位名称,故障数,响应已判定,1小时内响应,响应及时率（%）,响应时间中位数（分钟）")
    );
    assert!(header.contains("骨干网络修复及时率（%）") && header.contains("修复时间中位数（小时）"), "{header}");
    assert!(header.ends_with("其他事项（评级）,其他事项（说明）"), "{header}");
    let columns = header.split(',').count();
    // the party rows run from the header to the blank line (no field of theirs here breaks a line
    // except the second assessment's, quoted)
    let table = body.split("\r\n\r\n").next().unwrap();
    let rows: Vec<&str> = table.split("\r\n").skip(1).collect();
    assert_eq!(rows.len(), 3, "{table}");
    assert!(rows[0].starts_with("链路提供单位,\"中国电信,\"\"拉萨\"\"分公司\",3,3,2,66.7,20.0,70.0,0,0,0,,3,2,1,50.0,0,0,0,,1.5,30.0,1,2,3,3.33,0,1,1,0,1,良,"));
    assert!(rows[1].starts_with("链路提供单位,（未登记）,1,"), "{}", rows[1]);
    assert!(rows[2].starts_with("运维服务单位,拉萨网维科技,4,"));
    assert!(rows[2].contains(",优,\"全年无安全事件\n巡检记录齐全\","), "a line break is quoted: {}", rows[2]);
    assert_eq!(rows[1].split(',').count(), columns, "a row has as many cells as the header");
}

#[test]
fn a_csv_field_is_quoted_as_rfc_4180_says_and_a_formula_is_defused() {
    assert_eq!(field("拉萨"), "拉萨");
    assert_eq!(field(ODD), "\"中国电信,\"\"拉萨\"\"分公司\"");
    assert_eq!(field("a\r\nb"), "\"a\r\nb\"");
    assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
    assert_eq!(field("@SUM(A1)"), "'@SUM(A1)");
    let csv = csv(&evaluation());
    assert!(csv.contains(",良,\"'=HYPERLINK(\"\"x\"\")\","), "{csv}");
    assert!(csv.ends_with("评估结论,\"总体良好。<script>alert(1)</script>\n第二段\"\r\n"), "{csv}");
    assert!(
        csv.contains("\r\n\r\n评估年度,2026\r\n评估节点,540000/540100\r\n统计截至（北京时间）,2027-01-01 00:10:00\r\n")
    );
}

#[test]
fn the_document_is_a_standalone_a4_page_with_every_text_escaped() {
    let doc = document(&evaluation(), "拉萨市<经信局>");
    assert!(doc.starts_with("<!DOCTYPE html><html lang=\"zh-CN\">"), "{}", &doc[..60]);
    assert!(doc.contains("size: A4"));
    assert!(!doc.contains("http://") && !doc.contains("https://"), "no external address");
    assert!(!doc.contains("<script"), "no script, and the conclusion's is text");
    assert!(doc.contains("总体良好。&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(doc.contains("拉萨市&lt;经信局&gt;") && !doc.contains("<经信局>"));
    assert!(doc.contains("<td>中国电信,&quot;拉萨&quot;分公司</td>"));
    assert!(doc.contains("<title>2026 年度政务外网运行质量综合评估报告</title>"));
    assert!(doc.contains("2027-01-01 00:10:00（北京时间）"));
    assert!(doc.contains("取自本级及下级节点的故障工单"));
}

#[test]
fn the_document_shows_each_kinds_figures_and_assessments() {
    let doc = document(&evaluation(), "拉萨市经信局");
    let providers = doc.find("一、链路提供单位").expect("providers' section");
    let maintainers = doc.find("二、运维服务单位").expect("O&M units' section");
    let conclusion = doc.find("三、评估结论").expect("conclusion");
    assert!(providers < maintainers && maintainers < conclusion);
    let section = &doc[providers..maintainers];
    // 2 of 3 decided on time, 20 min / 70 min, urban 1 of 2, 90 min / 30 h, mean 10 / 3
    for shown in ["2 / 3（66.7%）", "20 分钟 / 1 小时 10 分钟", "城区 1 / 2（50.0%）", "1 小时 30 分钟 / 1 天 6 小时"]
    {
        assert!(section.contains(shown), "{shown}");
    }
    assert!(section.contains("3.33 分（3 件）") && section.contains("（未登记）"));
    assert!(section.contains("链路通畅及带宽情况") && section.contains("良"));
    let section = &doc[maintainers..conclusion];
    assert!(section.contains("安全保障") && section.contains("优") && section.contains("全年无安全事件"));
    assert!(doc[conclusion..].contains("<p>第二段</p>"), "each line of the conclusion a paragraph");
}
