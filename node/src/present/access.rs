//! How an application reads to a person: its kind and state in Chinese,
//! its next deadline (`extranet access …`, the web console).

use extranet_proto::v1 as pb;

use crate::codec::WireEnum;
use crate::domain::{AppState, ApplicationKind};

/// The mark of a due date computed past the published calendar (weekends
/// only): it changes once the region publishes that year.
pub fn mark(provisional: bool) -> &'static str {
    if provisional { "（暂定）" } else { "" }
}

/// The marks of a deadline: provisional (暂定), and moved by a local day of
/// its prefecture's local calendar (本地假日, Art.30).
pub fn marks(provisional: bool, local_affected: bool) -> String {
    let local = if local_affected { "（含本地假日）" } else { "" };
    format!("{}{local}", mark(provisional))
}

/// The calendar versions a deadline was computed under, e.g. `工作日历第 1
/// 版 + 540100 本地日历第 2 版`, so it can be explained.
pub fn versions(base: u64, local_by: &str, local_version: u64) -> String {
    if local_by.is_empty() {
        return format!("工作日历第 {base} 版");
    }
    format!("工作日历第 {base} 版 + {local_by} 本地日历第 {local_version} 版")
}

/// [`marks`] of an application's deadline.
pub fn deadline_marks(d: &pb::Deadline) -> String {
    marks(d.provisional, d.local_affected)
}

/// An application kind in Chinese.
pub fn kind_zh(k: i32) -> &'static str {
    ApplicationKind::from_pb(k).map_or("—", ApplicationKind::zh)
}

/// An application state in Chinese.
pub fn state_zh(s: i32) -> &'static str {
    AppState::from_pb(s).map_or("—", AppState::zh)
}

/// The next open deadline of an application, e.g. `审核 2026-12-08`.
pub fn next_due(a: &pb::Application) -> String {
    a.deadlines
        .iter()
        .filter(|d| d.met_on.is_empty())
        .min_by(|x, y| x.due.cmp(&y.due))
        .map(|d| format!("{} {}{}", d.name, d.due, deadline_marks(d)))
        .unwrap_or_else(|| "—".into())
}
