//! How `extranet ipam …` shows its answers: tables for people, `--json`
//! for scripts.

use extranet_proto::v1 as pb;

use super::conn::Conn;
use super::output;

fn pct(x: f64) -> String {
    format!("{:.2}%", x * 100.0)
}

/// A pool view.
pub fn pool(conn: &Conn, v: &pb::PoolView) -> anyhow::Result<()> {
    output::emit(conn.json, v, print_pool)
}

fn print_pool(v: &pb::PoolView) {
    println!(
        "节点 {}：生效分配 {} 条，下级委派 {} 条，IPv6 占比 {}",
        v.node,
        v.assignments,
        v.delegations,
        pct(v.ipv6_share)
    );
    output::table_of(&["地址池", "已委派", "已分配", "保留", "隔离期"], &v.roots, |r| {
        vec![r.root.clone(), pct(r.delegated), pct(r.assigned), pct(r.reserved), pct(r.quarantined)]
    });
    println!("最大空闲块：{}", v.largest_free.join(" "));
    if !v.flagged.is_empty() {
        println!("已中断连接单位的地址分配（第二十五条第（四）项，保留未释放）：");
        print_assignments(&v.flagged);
    }
}

/// One delegation.
pub fn delegation(conn: &Conn, d: &pb::DelegationRecord) -> anyhow::Result<()> {
    output::emit(conn.json, d, |d| {
        let state = if d.live { "生效".to_string() } else { format!("已回收（{}）", d.ended_reason) };
        println!("{} → {}：{}，{}，{} {}", d.parent, d.child, d.prefix, state, d.by, output::time(d.at_ms));
    })
}

/// What a reclaim of an assignee's space took back.
pub fn reclaimed(e: &pb::LedgerRecord) {
    println!("已回收 {} 的 {} 个前缀，台账第 {} 条：{}", e.assignee, e.prefixes.len(), e.number, e.prefixes.join(" "));
}

/// Assignments as a table.
pub fn assignments(conn: &Conn, list: &[pb::AssignmentRecord]) -> anyhow::Result<()> {
    output::emit(conn.json, list, print_assignments)
}

fn print_assignments(list: &[pb::AssignmentRecord]) {
    output::table_of(&["编号", "前缀", "用途", "使用单位", "服务对象", "状态"], list, |a| {
        let purpose = pb::Purpose::try_from(a.purpose).map(|p| p.as_str_name().to_string()).unwrap_or_default();
        let state = match (a.live, a.disconnected_by.as_str()) {
            (false, _) => "已释放".to_string(),
            (true, "") => "生效".to_string(),
            (true, order) => format!("生效，单位已中断连接（{order}）"),
        };
        vec![a.id.clone(), a.prefix.clone(), purpose, a.assignee.clone(), a.serves.clone(), state]
    });
}

/// Requests for more space as a table.
pub fn requests(conn: &Conn, list: &[pb::SpaceRequestRecord]) -> anyhow::Result<()> {
    output::emit(conn.json, list, print_requests)
}

fn print_requests(list: &[pb::SpaceRequestRecord]) {
    output::table_of(&["编号", "长度", "理由", "提出时间", "状态"], list, |r| {
        let state = match pb::RequestState::try_from(r.state) {
            Ok(pb::RequestState::Pending) => "待上级决定".to_string(),
            Ok(pb::RequestState::Granted) => format!("已批准：{}", r.granted_prefix),
            Ok(pb::RequestState::Refused) => format!("不予批准：{}", r.refusal_reason),
            _ => "未知".to_string(),
        };
        vec![r.id.clone(), format!("/{}", r.length), r.reason.clone(), output::time(r.at_ms), state]
    });
}

/// A lookup answer.
pub fn lookup(conn: &Conn, r: &pb::LookupResponse) -> anyhow::Result<()> {
    output::emit(conn.json, r, |r| {
        for d in &r.delegations {
            println!("委派：{} → {}（{}）", d.parent, d.child, d.prefix);
        }
        match &r.assignment {
            Some(a) => {
                println!("分配：{} 节点 {} 使用单位 {}（{}）服务 {}", a.id, a.node, a.assignee, a.prefix, a.serves);
                if !a.disconnected_by.is_empty() {
                    println!("注意：使用单位已依中断连接通知 {} 中断连接（第二十五条第（四）项）", a.disconnected_by);
                }
            }
            None => println!("没有生效的分配覆盖该地址"),
        }
    })
}

/// A verification report; fails the command when problems were found.
pub fn verify(conn: &Conn, r: &pb::VerifyResponse) -> anyhow::Result<()> {
    output::emit(conn.json, r, |r| {
        println!("已核查 {} 个节点的地址池、{} 条委派、{} 条分配", r.nodes, r.delegations, r.assignments);
        if r.problems.is_empty() {
            println!("通过：每条委派都在上级地址池内，每条分配都在其节点的地址池内，任何两者互不重叠");
        }
        r.problems.iter().for_each(|p| println!("问题：{p}"));
    })?;
    anyhow::ensure!(r.problems.is_empty(), "地址核查发现 {} 个问题", r.problems.len());
    Ok(())
}
