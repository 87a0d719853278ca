//! `extranet status`: who this node is, how its links are, what it owes.

use extranet_proto::v1 as pb;

use super::conn::Conn;
use super::output;

/// Runs `extranet status`.
pub async fn run(conn: &Conn) -> anyhow::Result<()> {
    let r = conn.client().await?.status().get_status(pb::GetStatusRequest {}).await?.into_inner();
    output::emit(conn.json, &r, print_report)
}

fn backlog(b: &Option<pb::Backlog>, now_ms: i64) -> String {
    match b {
        Some(b) if b.count > 0 => {
            format!("{} 条（最早 {} 前）", b.count, output::age(now_ms.saturating_sub(b.oldest_created_at_ms) / 1000))
        }
        _ => "0".into(),
    }
}

fn link_row(p: &pb::PeerLink, role: &str, now_ms: i64) -> Vec<String> {
    vec![
        role.into(),
        p.node.clone(),
        if p.connected { "已连接".into() } else { "未连接".into() },
        output::time(p.since_ms),
        output::time(p.last_contact_ms),
        backlog(&p.outbound, now_ms),
        backlog(&p.inbound, now_ms),
    ]
}

/// A worker's state for a person: 空闲, 运行中, 失败自 … (with the last
/// error), 已停止.
pub fn worker_state(w: &pb::WorkerStatus) -> String {
    let failing = || format!("失败自 {}（连续 {} 次）：{}", output::time(w.failing_since_ms), w.failures, w.last_error);
    match w.state.as_str() {
        "idle" => "空闲".into(),
        "working" if w.failing_since_ms > 0 => format!("运行中（重试；{}）", failing()),
        "working" => "运行中".into(),
        "failing" => failing(),
        "stopped" => "已停止".into(),
        other => other.into(),
    }
}

fn worker_row(w: &pb::WorkerStatus) -> Vec<String> {
    vec![w.name.clone(), worker_state(w), output::time(w.since_ms), w.units.to_string()]
}

/// Prints a status report for a person.
pub fn print_report(r: &pb::StatusReport) {
    println!("节点：{}    版本：{}    时间：{}", r.node, r.software_version, output::time(r.now_ms));
    let mut rows = Vec::new();
    match &r.parent {
        Some(p) => rows.push(link_row(p, "上级", r.now_ms)),
        None => println!("上级：无（本节点为最上级）"),
    }
    rows.extend(r.children.iter().map(|c| link_row(c, "下级", r.now_ms)));
    if !rows.is_empty() {
        output::table(&["链路", "节点", "状态", "自", "最近联系", "待发送(本端欠对端)", "待接收(对端欠本端)"], &rows);
    }
    println!("证书：");
    for c in &r.certificates {
        println!("  {:<6} {}  到期 {}", c.kind, c.subject, output::time(c.not_after_ms));
    }
    if !r.workers.is_empty() {
        output::table_of(&["后台任务", "状态", "自", "已运行次数"], &r.workers, worker_row);
    }
    for w in &r.warnings {
        println!("警告：{w}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(state: &str, failing_since_ms: i64) -> pb::WorkerStatus {
        pb::WorkerStatus {
            name: "ipam-decider".into(),
            state: state.into(),
            failing_since_ms,
            last_error: if failing_since_ms > 0 { "存储错误：磁盘故障".into() } else { String::new() },
            failures: if failing_since_ms > 0 { 3 } else { 0 },
            ..Default::default()
        }
    }

    #[test]
    fn worker_states_read_in_chinese_with_the_failure_and_its_error() {
        assert_eq!(worker_state(&w("idle", 0)), "空闲");
        assert_eq!(worker_state(&w("working", 0)), "运行中");
        assert_eq!(worker_state(&w("stopped", 0)), "已停止");
        let since = 1_764_000_000_000;
        let failing = worker_state(&w("failing", since));
        assert!(failing.starts_with(&format!("失败自 {}", output::time(since))), "{failing}");
        assert!(failing.contains("连续 3 次") && failing.contains("磁盘故障"), "{failing}");
        let retrying = worker_state(&w("working", since));
        assert!(retrying.starts_with("运行中") && retrying.contains("失败自"), "{retrying}");
    }
}
