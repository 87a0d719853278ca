//! `extranet oversight`: the tree below a node as an indented table, with
//! health, backlog, overdue counts, utilisation and last heard; filterable,
//! sortable, or `--json` for scripts.

use clap::Args;
use extranet_proto::v1 as pb;

use super::choice::choice;
use super::{Conn, output};
use extranet_domain::choices;

/// Which rows to keep.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Only {
    /// Nodes not heard from within the staleness interval (失联).
    Stale,
    /// Nodes that never reported (从未连接).
    Never,
    /// Stale or never connected.
    Unhealthy,
    /// Nodes with overdue application steps (issue 3's figures).
    Overdue,
    /// Nodes owing events upward.
    Backlog,
}

impl Only {
    /// Chinese name, as the help offers it.
    pub fn zh(self) -> &'static str {
        match self {
            Only::Stale => "失联：判定时限内无上报",
            Only::Never => "从未连接",
            Only::Unhealthy => "失联或从未连接",
            Only::Overdue => "有逾期的申请步骤",
            Only::Backlog => "有待上送的事件",
        }
    }
}

choices!(Only { Stale = "stale", Never = "never", Unhealthy = "unhealthy", Overdue = "overdue", Backlog = "backlog" });

/// How to order rows.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SortBy {
    /// Tree order (default).
    Tree,
    /// Oldest last report first.
    Age,
    /// Largest upward backlog first.
    Backlog,
    /// Most overdue first.
    Overdue,
}

impl SortBy {
    /// Chinese name, as the help offers it.
    pub fn zh(self) -> &'static str {
        match self {
            SortBy::Tree => "按区划树，默认",
            SortBy::Age => "最久未上报的在前",
            SortBy::Backlog => "待上送最多的在前",
            SortBy::Overdue => "逾期最多的在前",
        }
    }
}

choices!(SortBy { Tree = "tree", Age = "age", Backlog = "backlog", Overdue = "overdue" });

/// Options of `extranet oversight`.
#[derive(Args, Clone)]
pub struct OversightArgs {
    #[command(flatten)]
    conn: Conn,
    /// Keep only these rows.
    #[arg(long, value_parser = choice::<Only>())]
    only: Option<Only>,
    /// Order of the rows.
    #[arg(long, value_parser = choice::<SortBy>(), default_value = "tree")]
    sort: SortBy,
}

/// Runs `extranet oversight`.
pub async fn run(args: &OversightArgs) -> anyhow::Result<()> {
    let client = args.conn.client().await?;
    let mut view = client.oversight().get_oversight(pb::GetOversightRequest {}).await?.into_inner();
    view.rows.retain(|r| keep(r, args.only));
    sort(&mut view.rows, args.sort);
    output::emit(args.conn.json, &view, print_view)
}

fn totals(r: &pb::OversightRow) -> pb::Totals {
    r.subtree.unwrap_or_default()
}

fn own(r: &pb::OversightRow) -> pb::Totals {
    crate::oversight::view::own_totals(r)
}

/// Whether `row` passes the filter.
pub fn keep(row: &pb::OversightRow, only: Option<Only>) -> bool {
    let h = row.health();
    match only {
        None => true,
        Some(Only::Stale) => h == pb::Health::Stale,
        Some(Only::Never) => h == pb::Health::NeverConnected,
        Some(Only::Unhealthy) => h != pb::Health::Ok,
        Some(Only::Overdue) => own(row).overdue > 0,
        Some(Only::Backlog) => own(row).backlog > 0,
    }
}

fn sort(rows: &mut [pb::OversightRow], by: SortBy) {
    match by {
        SortBy::Tree => {}
        SortBy::Age => rows.sort_by_key(|r| std::cmp::Reverse(r.age_ms)),
        SortBy::Backlog => rows.sort_by_key(|r| std::cmp::Reverse(own(r).backlog)),
        SortBy::Overdue => rows.sort_by_key(|r| std::cmp::Reverse(own(r).overdue)),
    }
}

fn health_zh(r: &pb::OversightRow) -> String {
    match r.health() {
        pb::Health::Ok => "正常".into(),
        pb::Health::Stale => format!("失联 {}", output::age(r.age_ms / 1000)),
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

fn row_cells(r: &pb::OversightRow, base_depth: usize) -> Vec<String> {
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
        utilisation(r),
        sub,
        output::time(heard),
    ]
}

/// Prints the view for a person.
pub fn print_view(v: &pb::OversightView) {
    let base = v.node.split('/').count();
    println!(
        "监督视图：{}    时间：{}    失联判定：{} 无上报",
        v.node,
        output::time(v.now_ms),
        output::age(v.stale_after_ms / 1000)
    );
    let rows: Vec<Vec<String>> = v.rows.iter().map(|r| row_cells(r, base)).collect();
    output::table(
        &["区划", "名称", "状态", "待上送", "逾期", "备案(下辖合计)", "地址利用率", "下辖节点", "最近上报"],
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

#[cfg(test)]
mod tests {
    use super::*;

    fn row(health: pb::Health, backlog: u64, age_ms: i64) -> pb::OversightRow {
        let summary = pb::NodeSummary {
            owed_to_parent: Some(pb::Backlog { count: backlog, oldest_created_at_ms: 0 }),
            ..Default::default()
        };
        let mut r = pb::OversightRow { age_ms, summary: Some(summary), ..Default::default() };
        r.set_health(health);
        r
    }

    #[test]
    fn filters_and_sorts() {
        let rows = [row(pb::Health::Ok, 0, 1), row(pb::Health::Stale, 5, 90), row(pb::Health::NeverConnected, 0, 0)];
        let kept = |only| rows.iter().filter(|r| keep(r, Some(only))).count();
        assert_eq!((kept(Only::Stale), kept(Only::Never), kept(Only::Unhealthy), kept(Only::Backlog)), (1, 1, 2, 1));
        assert_eq!(kept(Only::Overdue), 0);
        let mut sorted = rows.to_vec();
        sort(&mut sorted, SortBy::Age);
        assert_eq!(sorted[0].age_ms, 90);
        sort(&mut sorted, SortBy::Backlog);
        assert_eq!(own(&sorted[0]).backlog, 5);
    }
}
