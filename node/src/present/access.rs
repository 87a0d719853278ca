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
        .map(|d| format!("{} {}{}", d.name, d.due, mark(d.provisional)))
        .unwrap_or_else(|| "—".into())
}
