//! How a maintenance interruption reads to a person: its state and what it
//! affects in Chinese, the window in Beijing time, an overrun, its history
//! (`extranet interruption …`, the console's pages).

use extranet_proto::v1 as pb;

use super::fault::span;
use super::text::time;
use crate::codec::WireEnum;
use crate::domain::{Affects, InterruptionState};

/// The unit doing the work, or the authority's own.
pub fn or_own(unit_id: &str) -> &str {
    if unit_id.is_empty() { "本级主管部门" } else { unit_id }
}

/// A state in Chinese.
pub fn state_zh(v: i32) -> &'static str {
    InterruptionState::from_pb(v).map_or("—", InterruptionState::zh)
}

/// What it affects, in Chinese.
pub fn affects_zh(v: i32) -> &'static str {
    Affects::from_pb(v).map_or("—", Affects::zh)
}

/// The plan of `i` (an empty one if a peer left it out).
pub fn plan(i: &pb::Interruption) -> pb::InterruptionPlan {
    i.plan.clone().unwrap_or_default()
}

/// How far it ran past its window, in Chinese ("" if it did not).
pub fn overrun(i: &pb::Interruption) -> String {
    if i.overrun_ms > 0 { format!("超出窗口 {}", span(i.overrun_ms)) } else { String::new() }
}

/// One interruption as a row of `extranet interruption list`.
pub fn row(i: &pb::Interruption) -> Vec<String> {
    let p = plan(i);
    vec![
        i.id.clone(),
        format!("{} {}", state_zh(i.state), overrun(i)).trim().to_string(),
        affects_zh(p.affects).into(),
        p.affected.clone(),
        time(p.window_start_ms),
        time(p.window_end_ms),
        or_own(&p.unit_id).into(),
        if i.filing_id.is_empty() { "—".into() } else { i.filing_id.clone() },
    ]
}

/// Prints one interruption with its history.
pub fn print_interruption(i: &pb::Interruption) {
    let p = plan(i);
    let c = p.contact.clone().unwrap_or_default();
    println!("中断编号：{}    状态：{} {}", i.id, state_zh(i.state), overrun(i));
    println!("中断对象：{}（{}）    作业单位：{}", p.affected, affects_zh(p.affects), or_own(&p.unit_id));
    let (from, until) = (time(p.window_start_ms), time(p.window_end_ms));
    println!("窗口：{from} 至 {until}（北京时间）    联系人：{} {}", c.name, c.phone);
    println!("原因：{}", p.reason);
    if i.filing_id.is_empty() {
        println!("报备：批准后自动向自治区级报备（第二十四条）");
    } else {
        println!("报备：备案 {}（extranet filing show {} 查看各级回执）", i.filing_id, i.filing_id);
    }
    for s in &i.history {
        println!("  {}  {}  {}  {}", time(s.at_ms), state_zh(s.state), s.by, s.note);
    }
}
