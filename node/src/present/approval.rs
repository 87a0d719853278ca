//! How an application for a major adjustment (重大建设或调整, Art.21) reads
//! to a person: where it stands, how long each level of its path has had
//! it, and each level's decision with its notice number
//! (`extranet approval …`, the console's pages).

use extranet_proto::v1 as pb;

use super::text::{age, time};

/// The node code of a division path ("540000/540100" → "540100").
pub fn level_code(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Where an application stands, in Chinese.
pub fn stage_zh(a: &pb::MajorAdjustment) -> String {
    let level = level_code(&a.stage_level);
    match a.stage.as_str() {
        "pending" => format!("待 {level} 审批"),
        "approved" => "已获自治区级批准，可以开工".into(),
        "rejected" => format!("已被 {level} 驳回"),
        other => other.to_string(),
    }
}

/// A verdict code in Chinese.
pub fn verdict_zh(v: &str) -> &'static str {
    match v {
        "approve" => "同意",
        "reject" => "不同意",
        _ => "—",
    }
}

/// How long a level has had it: until its decision, else until `now_ms`.
pub fn waited(w: &pb::ApprovalWait, now_ms: i64) -> String {
    let end = if w.decided_ms > 0 { w.decided_ms } else { now_ms };
    age((end - w.since_ms) / 1000)
}

/// One application as a row of `extranet approval list`.
pub fn row(a: &pb::MajorAdjustment, now_ms: i64) -> Vec<String> {
    let title = a.proposal.as_ref().map_or("", |p| p.title.as_str());
    let waiting = a.waits.iter().find(|w| w.decided_ms == 0).map_or_else(|| "—".into(), |w| waited(w, now_ms));
    vec![a.id.clone(), stage_zh(a), title.to_string(), time(a.applied_at_ms), waiting]
}

/// The header of [`row`].
pub const HEADER: [&str; 5] = ["编号", "进度", "事项", "申请时间", "本级已等待"];

/// Prints one application with its path and decisions.
pub fn print_approval(a: &pb::MajorAdjustment, now_ms: i64) {
    println!("重大建设或调整审批申请：{}    进度：{}", a.id, stage_zh(a));
    println!("申请节点：{}    申请人：{}    申请时间：{}", level_code(&a.origin), a.applied_by, time(a.applied_at_ms));
    if let Some(p) = &a.proposal {
        println!("事项：{}", p.title);
        println!("内容：{}", p.description);
        println!("影响范围：{}", p.scope);
        let contact = p.contact.as_ref().map(|c| format!("{} {}", c.name, c.phone)).unwrap_or_default();
        println!("计划开工：{}    联系人：{contact}", p.planned_start);
    }
    println!("逐级审批：");
    for w in &a.waits {
        let level = level_code(&w.level);
        let decision = a.decisions.iter().find(|d| d.level == w.level);
        let what = decision.map_or_else(
            || "审批中".to_string(),
            |d| format!("{}（{}，{}）{} {}", verdict_zh(&d.verdict), d.by, time(d.at_ms), d.notice_number, d.reason),
        );
        println!("  {level}  收到 {}  用时 {}  {what}", time(w.since_ms), waited(w, now_ms));
    }
}
