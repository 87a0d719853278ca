//! `extranet status`: who this node is, how its links are, what it owes.

use extranet_proto::v1 as pb;

use super::{Conn, output};

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
    for w in &r.warnings {
        println!("警告：{w}");
    }
}
