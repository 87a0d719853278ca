//! Which rows of the oversight view to show and in what order — the
//! filters and sorting of `extranet oversight --only/--sort`, shared with
//! the web console's oversight tree so both offer the same choices.

use extranet_domain::choices;
use extranet_proto::v1 as pb;

use super::oversight::own;

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

/// Orders rows as `by` says.
pub fn sort(rows: &mut [pb::OversightRow], by: SortBy) {
    match by {
        SortBy::Tree => {}
        SortBy::Age => rows.sort_by_key(|r| std::cmp::Reverse(r.age_ms)),
        SortBy::Backlog => rows.sort_by_key(|r| std::cmp::Reverse(own(r).backlog)),
        SortBy::Overdue => rows.sort_by_key(|r| std::cmp::Reverse(own(r).overdue)),
    }
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
