//! The annual evaluation (运行质量综合评估, Art.27) as people take it away:
//! a CSV for a spreadsheet and a printable HTML document for the file.
//!
//! **CSV.** UTF-8 with a byte-order mark (without one Excel reads Chinese
//! as mojibake), CRLF line ends and RFC 4180 quoting. One rectangular
//! table, one row per party, so it sorts and filters as it is: every
//! measured figure (shares in percent to one decimal, response times in
//! minutes, repair times in hours, the unit in each header) and then the
//! hand assessments as columns, a grade and a comment for each of Art.27's
//! five items (an item not of the party's kind is left empty). After a
//! blank line, the year, node, instant and conclusion as label–value rows.
//! A text cell that a spreadsheet would run as a formula (`=`, `+`, `-`,
//! `@`) gets a leading `'`: names come from every node of the subtree.
//!
//! **Document.** One standalone A4 page set (no script, no external
//! address, inline style) built with maud, which escapes every text it is
//! given, as the console does.

use extranet_domain::evaluation::{AssessedItem, Assessment, Evaluation, PartyFigures, PartyKind, share};
use extranet_domain::fault::FaultClass;
use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::fault::span;
use super::text::time;

/// The classes in column order.
const CLASSES: [FaultClass; 3] = [FaultClass::Backbone, FaultClass::Urban, FaultClass::RemoteTownship];

/// Every assessed item, in column order.
const ITEMS: [AssessedItem; 5] = [
    AssessedItem::Bandwidth,
    AssessedItem::Protection,
    AssessedItem::DailyMaintenance,
    AssessedItem::Assurance,
    AssessedItem::Other,
];

/// How the row of tickets with no party registered is named.
const UNREGISTERED: &str = "（未登记）";

/// A party's name as shown.
fn shown(name: &str) -> &str {
    if name.is_empty() { UNREGISTERED } else { name }
}

/// `n` of `d` in percent to one decimal, without the sign; "" when `d` is 0.
fn percent(n: u32, d: u32) -> String {
    share(n, d).map_or(String::new(), |s| format!("{:.1}", s * 100.0))
}

/// Milliseconds in `unit_ms` units to one decimal; "" for none.
fn in_units(ms: Option<i64>, unit_ms: i64) -> String {
    ms.map_or(String::new(), |v| format!("{:.1}", v as f64 / unit_ms as f64))
}

const MINUTE_MS: i64 = 60_000;
const HOUR_MS: i64 = 3_600_000;

/// The evaluation as CSV (see the module doc for its shape).
pub fn csv(e: &Evaluation) -> String {
    let mut out = String::from("\u{feff}");
    line(&mut out, &header());
    for p in &e.parties {
        line(&mut out, &row(p, &e.assessments));
    }
    out.push_str("\r\n");
    let tail = [
        ("评估年度", e.year.to_string()),
        ("评估节点", e.node.to_string()),
        ("统计截至（北京时间）", time(e.as_of_ms)),
        ("计入故障数", e.tickets.to_string()),
        ("评估结论", e.conclusion.clone()),
    ];
    for (label, value) in tail {
        line(&mut out, &[label.to_string(), value]);
    }
    out
}

fn header() -> Vec<String> {
    let mut h: Vec<String> = ["单位类型", "单位名称", "故障数", "响应已判定", "1小时内响应", "响应及时率（%）"]
        .into_iter()
        .chain(["响应时间中位数（分钟）", "最长响应时间（分钟）"])
        .map(String::from)
        .collect();
    for c in CLASSES {
        let c = c.zh();
        h.extend([
            format!("{c}故障数"),
            format!("{c}修复已判定"),
            format!("{c}按时修复"),
            format!("{c}修复及时率（%）"),
        ]);
    }
    h.extend(
        ["修复时间中位数（小时）", "最长修复时间（小时）", "未关闭", "超时记录", "评分数", "平均满意度"]
            .into_iter()
            .map(String::from),
    );
    h.extend((1..=5).map(|s| format!("评{s}分")));
    for i in ITEMS {
        h.extend([format!("{}（评级）", i.zh()), format!("{}（说明）", i.zh())]);
    }
    h
}

fn row(p: &PartyFigures, assessments: &[Assessment]) -> Vec<String> {
    let mut r = vec![
        p.kind.zh().to_string(),
        shown(&p.name).to_string(),
        p.faults.to_string(),
        p.response_decided.to_string(),
        p.responded_within.to_string(),
        percent(p.responded_within, p.response_decided),
        in_units(p.response_median_ms, MINUTE_MS),
        in_units(p.response_worst_ms, MINUTE_MS),
    ];
    for class in CLASSES {
        match p.classes.iter().find(|c| c.class == class) {
            Some(c) => r.extend([
                c.faults.to_string(),
                c.decided.to_string(),
                c.within.to_string(),
                percent(c.within, c.decided),
            ]),
            None => r.extend(["0".into(), "0".into(), "0".into(), String::new()]),
        }
    }
    r.extend([
        in_units(p.repair_median_ms, HOUR_MS),
        in_units(p.repair_worst_ms, HOUR_MS),
        p.open.to_string(),
        p.breaches.to_string(),
        p.scored.to_string(),
        p.mean_score().map_or(String::new(), |m| format!("{m:.2}")),
    ]);
    r.extend(p.score_counts.iter().map(u32::to_string));
    for item in ITEMS {
        match assessments.iter().find(|a| a.kind == p.kind && a.name == p.name && a.item == item) {
            Some(a) => r.extend([a.grade.zh().to_string(), a.comment.clone()]),
            None => r.extend([String::new(), String::new()]),
        }
    }
    r
}

/// Appends one CSV record, each field quoted as RFC 4180 requires.
fn line(out: &mut String, fields: &[String]) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&field(f));
    }
    out.push_str("\r\n");
}

/// One field: a would-be formula defused with `'`, then quoted (quotes
/// doubled) if it holds a comma, a quote or a line break.
fn field(v: &str) -> String {
    let v = if v.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{v}") } else { v.to_string() };
    if v.contains([',', '"', '\r', '\n']) { format!("\"{}\"", v.replace('"', "\"\"")) } else { v }
}

/// The printed documents' style (A4, Song typeface, ruled tables).
const STYLE: &str = "@page { size: A4; margin: 20mm }
body { font-family: 'SimSun', 'Songti SC', 'Noto Serif CJK SC', serif; font-size: 10.5pt; color: #000; margin: 0 }
h1 { font-size: 18pt; text-align: center; margin: 0 0 12pt }
h2 { font-size: 13pt; margin: 14pt 0 6pt }
h3 { font-size: 11pt; margin: 10pt 0 4pt }
p { margin: 3pt 0; line-height: 1.6 }
table { border-collapse: collapse; width: 100%; font-size: 9pt }
thead { display: table-header-group }
tr { page-break-inside: avoid }
th, td { border: 0.5pt solid #000; padding: 2pt 3pt; vertical-align: top; text-align: left }
th { background: #eee }
td.n { text-align: right; white-space: nowrap }
td.c { white-space: nowrap }
td.t { white-space: pre-line }
.note { font-size: 9pt; margin-top: 14pt }
.sign { margin-top: 28pt; text-align: right }";

/// A standalone printable document titled `title`: the title as its
/// heading, then `body`, then the authority's signature and seal line. The
/// evaluation and the annual work report (`report.rs`) print alike.
pub fn printed(title: &str, authority_name: &str, body: Markup) -> String {
    let page = html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                title { (title) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                h1 { (title) }
                (body)
                p.sign { (authority_name) br; "（盖章）　　　　年　　月　　日" }
            }
        }
    };
    page.into_string()
}

/// The evaluation as a standalone printable HTML document, by the
/// authority named `authority_name`.
pub fn document(e: &Evaluation, authority_name: &str) -> String {
    let title = format!("{} 年度政务外网运行质量综合评估报告", e.year);
    let body = html! {
        p { "评估单位：" (authority_name) "（节点 " (e.node) "）" }
        p { "评估年度：" (e.year) " 年（按北京时间的故障报告时间归入年度）" }
        p { "实测数据统计截至：" (time(e.as_of_ms)) "（北京时间），计入故障 " (e.tickets) " 件" }
        (kind_section("一、", PartyKind::LinkProvider, e))
        (kind_section("二、", PartyKind::Maintainer, e))
        h2 { "三、评估结论" }
        @if e.conclusion.trim().is_empty() {
            p { "（未填写）" }
        } @else {
            @for para in e.conclusion.lines().filter(|l| !l.trim().is_empty()) { p { (para) } }
        }
        (notes())
    };
    printed(&title, authority_name, body)
}

/// One kind's measured table and its hand assessments.
fn kind_section(number: &str, kind: PartyKind, e: &Evaluation) -> Markup {
    let parties: Vec<&PartyFigures> = e.parties.iter().filter(|p| p.kind == kind).collect();
    html! {
        h2 { (number) (kind.zh()) }
        h3 { "实测数据" }
        @if parties.is_empty() {
            p { "本年度没有计入的故障。" }
        } @else {
            table {
                thead { tr {
                    th { "单位" } th { "故障" } th { "1 小时内响应" } th { "响应用时（中位 / 最长）" }
                    th { "按时修复" } th { "修复用时（中位 / 最长）" } th { "未关闭" } th { "超时记录" } th { "满意度" }
                } }
                tbody { @for p in &parties { (figures_row(p)) } }
            }
        }
        h3 { "人工评估" }
        (assessed(&parties, &e.assessments))
    }
}

fn figures_row(p: &PartyFigures) -> Markup {
    let (decided, within) = p.repair_totals();
    html! {
        tr {
            td { (shown(&p.name)) }
            td.n { (p.faults) }
            td.n { (ratio(p.responded_within, p.response_decided)) }
            td.n { (times(p.response_median_ms, p.response_worst_ms)) }
            td.c {
                div { "合计 " (ratio(within, decided)) }
                @for c in &p.classes { div { (c.class.zh()) " " (ratio(c.within, c.decided)) } }
            }
            td.n { (times(p.repair_median_ms, p.repair_worst_ms)) }
            td.n { (p.open) }
            td.n { (p.breaches) }
            td.n {
                @match p.mean_score() {
                    Some(m) => { (format!("{m:.2}")) " 分（" (p.scored) " 件）" }
                    None => "—",
                }
            }
        }
    }
}

/// The hand assessments of `parties`, in their order and each kind's item order.
fn assessed(parties: &[&PartyFigures], all: &[Assessment]) -> Markup {
    let rows: Vec<&Assessment> = parties
        .iter()
        .flat_map(|p| {
            p.kind
                .assessed_items()
                .iter()
                .filter_map(move |&item| all.iter().find(|a| a.kind == p.kind && a.name == p.name && a.item == item))
        })
        .collect();
    html! {
        @if rows.is_empty() {
            p { "未作人工评估。" }
        } @else {
            table {
                thead { tr { th { "单位" } th { "项目" } th { "评级" } th { "说明" } } }
                tbody {
                    @for a in rows {
                        tr { td { (a.name) } td { (a.item.zh()) } td { (a.grade.zh()) } td.t { (a.comment) } }
                    }
                }
            }
        }
    }
}

/// The columns of [`people_rows`].
pub const PEOPLE_HEADER: [&str; 9] =
    ["类型", "单位", "故障", "1 小时内响应", "按时修复", "响应 中位/最长", "修复 中位/最长", "未关闭/超时", "满意度"];

/// The figures as rows of a table for a person (`extranet evaluation …`).
pub fn people_rows(e: &Evaluation) -> Vec<Vec<String>> {
    e.parties
        .iter()
        .map(|p| {
            let (decided, within) = p.repair_totals();
            vec![
                p.kind.zh().to_string(),
                shown(&p.name).to_string(),
                p.faults.to_string(),
                ratio(p.responded_within, p.response_decided),
                ratio(within, decided),
                times(p.response_median_ms, p.response_worst_ms),
                times(p.repair_median_ms, p.repair_worst_ms),
                format!("{}/{}", p.open, p.breaches),
                p.mean_score().map_or("—".into(), |m| format!("{m:.2}（{} 份）", p.scored)),
            ]
        })
        .collect()
}

/// "within / decided（share）", or "—" when none is decided.
fn ratio(within: u32, decided: u32) -> String {
    match share(within, decided) {
        Some(s) => format!("{within} / {decided}（{:.1}%）", s * 100.0),
        None => "—".into(),
    }
}

/// "median / worst" as lengths of time, or "—".
fn times(median: Option<i64>, worst: Option<i64>) -> String {
    match (median, worst) {
        (Some(m), Some(w)) => format!("{} / {}", span(m), span(w)),
        _ => "—".into(),
    }
}

fn notes() -> Markup {
    html! {
        div.note {
            p { "说明：" }
            p { "1. 以上实测数据取自本级及下级节点的故障工单（故障报告），由系统按工单记录计算，未经人工录入；人工评估各项由评估单位填写。" }
            p { "2. 响应时限为报告后 1 小时；修复时限按故障当时的类别：骨干网络 2 小时、城区 48 小时、偏远乡镇 72 小时（第十三条），待单位确认期间不计时。" }
            p { "3. 统计时仍在时限内、尚未完成的响应或修复不计入及时率（计为未关闭）；“a / b”为按时完成数 / 已判定数；中位数在偶数个时取较小者。" }
            p { "4. “" (UNREGISTERED) "”一行为报告时接入点未登记该类单位的故障，不作人工评估；满意度只计已关闭工单的评分。" }
        }
    }
}

#[cfg(test)]
mod tests;
