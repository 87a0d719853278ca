//! How a fault ticket reads to a person: its class, state and clocks in
//! Chinese ("还剩 40 分钟", "已超时 2 小时 5 分钟"), the ticket with its
//! history (`extranet fault …`; the console's pages to come).

use extranet_proto::v1 as pb;

use super::text::time;

/// A class in Chinese.
pub fn class_zh(v: i32) -> &'static str {
    match pb::FaultClass::try_from(v).unwrap_or_default() {
        pb::FaultClass::Backbone => "骨干网络",
        pb::FaultClass::Urban => "城区",
        pb::FaultClass::RemoteTownship => "偏远乡镇",
        pb::FaultClass::Unspecified => "—",
    }
}

/// A state in Chinese.
pub fn state_zh(v: i32) -> &'static str {
    match pb::FaultState::try_from(v).unwrap_or_default() {
        pb::FaultState::Reported => "已报告",
        pb::FaultState::Acknowledged => "已响应",
        pb::FaultState::Repairing => "修复中",
        pb::FaultState::Repaired => "已修复",
        pb::FaultState::Closed => "已关闭",
        pb::FaultState::Unspecified => "—",
    }
}

/// A length of time in Chinese, to the minute.
pub fn span(ms: i64) -> String {
    let m = ms.abs() / 60_000;
    match (m / 1440, m % 1440 / 60, m % 60) {
        (0, 0, m) => format!("{m} 分钟"),
        (0, h, m) => format!("{h} 小时 {m} 分钟"),
        (d, h, _) => format!("{d} 天 {h} 小时"),
    }
}

/// A clock for a person: met, left, or late.
pub fn clock_text(c: &pb::FaultClockView) -> String {
    match (c.running, c.left_ms >= 0) {
        (true, true) => format!("还剩 {}（{} 到期）", span(c.left_ms), time(c.deadline_ms)),
        (true, false) => format!("已超时 {}", span(c.left_ms)),
        (false, true) => format!("已按时完成（{}）", time(c.met_at_ms)),
        (false, false) => format!("超时 {} 完成（{}）", span(c.left_ms), time(c.met_at_ms)),
    }
}

/// The clock of kind `k` on `t`, for a person ("—" if not computed).
pub fn clock_of(t: &pb::FaultTicket, k: pb::FaultClock) -> String {
    t.clocks.iter().find(|c| c.clock == k as i32).map_or("—".into(), clock_text)
}

/// One ticket as a row of `extranet fault list`.
pub fn row(t: &pb::FaultTicket) -> Vec<String> {
    vec![
        t.id.clone(),
        class_zh(t.policy.map_or(0, |p| p.class)).into(),
        state_zh(t.state).into(),
        t.access_point.clone(),
        time(t.reported_at_ms),
        clock_of(t, pb::FaultClock::Response),
        clock_of(t, pb::FaultClock::Repair),
        if t.breaches.is_empty() { String::new() } else { format!("超时 {} 项", t.breaches.len()) },
    ]
}

/// Prints one ticket with its clocks and history.
pub fn print_ticket(t: &pb::FaultTicket) {
    let c = t.contact.clone().unwrap_or_default();
    println!(
        "故障编号：{}    状态：{}    类别：{}",
        t.id,
        state_zh(t.state),
        class_zh(t.policy.map_or(0, |p| p.class))
    );
    println!(
        "接入点：{}    单位：{}    联系人：{} {}",
        t.access_point,
        if t.unit_id.is_empty() { "—" } else { &t.unit_id },
        c.name,
        c.phone
    );
    println!("故障情况：{}    故障开始：{}    报告：{}", t.description, time(t.down_since_ms), time(t.reported_at_ms));
    println!("响应（1 小时）：{}", clock_of(t, pb::FaultClock::Response));
    println!("修复：{}", clock_of(t, pb::FaultClock::Repair));
    for b in &t.breaches {
        let which = if b.clock == pb::FaultClock::Response as i32 { "响应" } else { "修复" };
        println!("超时记录：{which}时限 {} 已过（记录于 {}）", time(b.deadline_ms), time(b.recorded_at_ms));
    }
    if t.satisfaction > 0 {
        println!("满意度：{}", t.satisfaction);
    }
    for s in &t.history {
        println!("  {}  {}  {}@{}  {}", time(s.at_ms), state_zh(s.state), s.by, s.node, s.note);
    }
}
