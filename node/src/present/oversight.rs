//! How the oversight view reads to a person: the tree below a node as an
//! indented table with health, backlog, overdue, filings, utilisation and
//! last heard, then its calendar and clock warnings (`extranet oversight`,
//! the regional demo).

use extranet_proto::v1 as pb;

use super::text::{age, table, time};

fn totals(r: &pb::OversightRow) -> pb::Totals {
    r.subtree.unwrap_or_default()
}

/// A row's own figures, not its subtree's.
pub fn own(r: &pb::OversightRow) -> pb::Totals {
    crate::oversight::view::own_totals(r)
}

/// A row's health in Chinese: 正常, 失联 N 分钟, 从未连接.
pub fn health_zh(r: &pb::OversightRow) -> String {
    match r.health() {
        pb::Health::Ok => "正常".into(),
        pb::Health::Stale => format!("失联 {}", age(r.age_ms / 1000)),
        pb::Health::NeverConnected => "从未连接".into(),
        pb::Health::Unspecified => "—".into(),
    }
}

fn utilisation(r: &pb::OversightRow) -> String {
    match r.summary.as_ref().and_then(|s| s.addresses.as_ref()) {
        Some(a) => format!("{}（v6 {:.0}%）", percent(a.pool_utilisation), a.ipv6_share * 100.0),
        None => "—".into(),
    }
}

/// A share as a percentage; a share in use but under 1% shows as "<1%", not
/// as a misleading "0%".
fn percent(share: f64) -> String {
    if share > 0.0 && share < 0.01 { "<1%".into() } else { format!("{:.0}%", share * 100.0) }
}

fn row_cells(r: &pb::OversightRow, base_depth: usize, now_ms: i64) -> Vec<String> {
    let depth = r.node.split('/').count().saturating_sub(base_depth);
    let code = r.node.rsplit('/').next().unwrap_or(&r.node);
    let t = totals(r);
    let sub = if t.nodes > 1 { format!("{}/{} 正常", t.ok, t.nodes) } else { String::new() };
    let heard = r.heard_at_ms;
    vec![
        format!("{}{code}", "  ".repeat(depth)),
        r.name_zh.clone(),
        health_zh(r),
        own(r).backlog.to_string(),
        r.summary.as_ref().and_then(|s| s.applications.as_ref()).map_or("—".into(), |_| own(r).overdue.to_string()),
        format!("{}（待回执 {}）", t.filings, t.filings_awaiting_receipts),
        if t.open_faults + t.faults_breached == 0 {
            "—".into()
        } else {
            format!("{}（告警 {}，超时 {}）", t.open_faults, t.faults_warning, t.faults_breached)
        },
        interruptions(&t),
        orders(&t),
        approvals(&t, now_ms),
        incidents(&t),
        inspections(&t),
        assets(&t),
        private_networks(&t),
        utilisation(r),
        sub,
        time(heard),
    ]
}

/// A subtree's maintenance interruptions: pending / planned / under way.
fn interruptions(t: &pb::Totals) -> String {
    if t.interruptions_pending + t.interruptions_planned + t.interruptions_under_way + t.interruptions_finished == 0 {
        return "—".into();
    }
    format!("{}/{}/{}", t.interruptions_pending, t.interruptions_planned, t.interruptions_under_way)
}

/// A subtree's disconnected units, with the rectifications open and overdue.
fn orders(t: &pb::Totals) -> String {
    if t.units_disconnected == 0 {
        return "—".into();
    }
    format!("{}（整改中 {}，逾期 {}）", t.units_disconnected, t.rectifications_open, t.rectifications_overdue)
}

/// A subtree's applications for a major adjustment waiting on a level,
/// with how long the oldest has waited by `now_ms`.
pub fn approvals(t: &pb::Totals, now_ms: i64) -> String {
    if t.approvals_waiting == 0 {
        return "—".into();
    }
    format!("{}（最久 {}）", t.approvals_waiting, age((now_ms - t.approvals_oldest_waiting_since_ms) / 1000))
}

/// A subtree's security incidents this year (major/other) and circulars issued.
fn incidents(t: &pb::Totals) -> String {
    if t.incidents_major_this_year + t.incidents_other_this_year + t.circulars_issued_this_year == 0 {
        return "—".into();
    }
    format!("{}/{}（通报 {}）", t.incidents_major_this_year, t.incidents_other_this_year, t.circulars_issued_this_year)
}

/// A subtree's rectifications ordered by inspections (Art.28): not yet
/// accepted, overdue, and this year's inspections.
fn inspections(t: &pb::Totals) -> String {
    if t.inspections_this_year + t.findings_open == 0 {
        return "—".into();
    }
    format!("{}/{}（今年检查 {}）", t.findings_open, t.findings_overdue, t.inspections_this_year)
}

/// A subtree's access-point assets (Art.14, Art.18): devices in service /
/// all, those to reclaim, violations, and rooms checked within the year.
fn assets(t: &pb::Totals) -> String {
    if t.devices + t.rooms == 0 {
        return "—".into();
    }
    format!(
        "{}/{}（待回收 {}，违规 {}；机房 {}/{}）",
        t.devices_in_service, t.devices, t.devices_to_reclaim, t.device_violations, t.rooms_checked_last_year, t.rooms
    )
}

/// A subtree's private networks (Art.5): migrated of registered, planned,
/// and the migrated ones still paying lease fees.
pub fn private_networks(t: &pb::Totals) -> String {
    if t.private_networks == 0 {
        return "—".into();
    }
    let fees = if t.private_networks_fees_still_paid > 0 {
        format!("，仍付租赁费 {}", t.private_networks_fees_still_paid)
    } else {
        String::new()
    };
    format!("{}/{}（计划中 {}{fees}）", t.private_networks_migrated, t.private_networks, t.private_networks_planned)
}

/// Prints the view for a person.
pub fn print_view(v: &pb::OversightView) {
    let base = v.node.split('/').count();
    println!("监督视图：{}    时间：{}    失联判定：{} 无上报", v.node, time(v.now_ms), age(v.stale_after_ms / 1000));
    let rows: Vec<Vec<String>> = v.rows.iter().map(|r| row_cells(r, base, v.now_ms)).collect();
    table(
        &[
            "区划",
            "名称",
            "状态",
            "待上送",
            "逾期",
            "备案(下辖合计)",
            "故障(下辖合计)",
            "中断 待批/计划/实施中",
            "中断连接单位(下辖合计)",
            "待审批重大调整",
            "今年安全事件 重大/一般(通报)",
            "检查整改 未完成/逾期",
            "设备 在用/全部(机房检查/全部)",
            "专网 已迁移/登记",
            "地址利用率",
            "下辖节点",
            "最近上报",
        ],
        &rows,
    );
    for (warning, codes) in calendar_warnings(v) {
        println!("工作日历：{warning}（{} 个节点：{}）", codes.len(), codes.join("、"));
    }
    for r in v.rows.iter().filter(|r| r.clock_skewed) {
        let code = r.node.rsplit('/').next().unwrap_or(&r.node);
        let (dir, ms) = if r.clock_offset_ms > 0 { ("快", r.clock_offset_ms) } else { ("慢", -r.clock_offset_ms) };
        println!(
            "时钟偏差：{code} {} 的时钟比本节点{dir} {} 秒，其备案时间与期限起算不可信，请校准 NTP",
            r.name_zh,
            ms / 1000
        );
    }
}

/// The nodes whose summary says their calendar lacks a year, by warning.
fn calendar_warnings(v: &pb::OversightView) -> std::collections::BTreeMap<&str, Vec<&str>> {
    let mut out: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    for r in &v.rows {
        if let Some(s) = r.summary.as_ref().filter(|s| !s.calendar_warning.is_empty()) {
            out.entry(s.calendar_warning.as_str()).or_default().push(r.node.rsplit('/').next().unwrap_or(&r.node));
        }
    }
    out
}
