//! How a supervision inspection reads to a person (Art.28): who was
//! inspected, each finding with its rectification's state (overdue marked)
//! and deadline, and the steps (`extranet inspection …`).

use extranet_proto::v1 as pb;

use super::order::deadline_zh;
use super::text::time;
use crate::codec::WireEnum;
use crate::domain::inspection::{RectificationState, RectificationStepKind};

/// A finding as a person types it (CLI `--finding`, a line of the
/// console's form): `text@N` orders a rectification within N working days,
/// plain `text` records the finding only.
pub fn parse_finding(s: &str) -> pb::FindingRequest {
    let s = s.trim();
    match s.rsplit_once('@').and_then(|(t, n)| n.trim().parse().ok().map(|n| (t, n))) {
        Some((text, working_days)) => pb::FindingRequest { text: text.into(), working_days },
        None => pb::FindingRequest { text: s.into(), working_days: 0 },
    }
}

/// Who was inspected: `城关区教育局（u0001）` or `城关区（540000/…）`.
pub fn inspected_zh(i: &pb::Inspection) -> String {
    let id = if i.unit_id.is_empty() { &i.inspected_node } else { &i.unit_id };
    format!("{}（{id}）", i.inspected_name)
}

/// A rectification's state in Chinese, overdue marked.
pub fn rectification_zh(r: &pb::Rectification) -> String {
    let s = RectificationState::from_pb(r.state).map_or("—", RectificationState::zh);
    if r.overdue { format!("{s}（已逾期）") } else { s.to_string() }
}

fn count(i: &pb::Inspection, f: impl Fn(&pb::Rectification) -> bool) -> usize {
    i.findings.iter().filter_map(|f| f.rectification.as_ref()).filter(|r| f(r)).count()
}

/// One inspection as a row of `extranet inspection list`.
pub fn row(i: &pb::Inspection) -> Vec<String> {
    let open = count(i, |r| r.state != RectificationState::Closed.to_pb() as i32);
    vec![
        i.id.clone(),
        i.date.clone(),
        inspected_zh(i),
        i.findings.len().to_string(),
        open.to_string(),
        count(i, |r| r.overdue).to_string(),
        i.scope.clone(),
    ]
}

/// The header of [`row`].
pub const HEADER: [&str; 7] = ["编号", "检查日期", "被检查方", "问题", "未完成整改", "逾期", "检查内容"];

/// Prints one inspection with its findings and steps.
pub fn print_inspection(i: &pb::Inspection) {
    println!("监督检查：{}    检查日期：{}    检查机关：{}", i.id, i.date, i.origin);
    println!("被检查方：{}", inspected_zh(i));
    println!("检查内容：{}    检查人员：{}", i.scope, i.inspectors.join("、"));
    println!("整改通知书：{}", i.notice.as_ref().map_or("—", |n| n.number.as_str()));
    for f in &i.findings {
        println!("{}．{}", f.number, f.text);
        let Some(r) = &f.rectification else { continue };
        println!("    整改：{}    期限：{}", rectification_zh(r), deadline_zh(r.deadline.as_ref()));
        for s in &r.steps {
            let kind = RectificationStepKind::from_pb(s.kind).map_or("—", RectificationStepKind::zh);
            println!("    {}  {kind}  {}  {}", time(s.at_ms), s.by, s.note);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finding_names_its_working_days_after_an_at_sign() {
        assert_eq!(parse_finding("默认口令@5"), pb::FindingRequest { text: "默认口令".into(), working_days: 5 });
        assert_eq!(parse_finding("a@b"), pb::FindingRequest { text: "a@b".into(), working_days: 0 });
    }
}
