//! The demo's cutover, shared by both walkthroughs: when it may start by the
//! filing node's own calendar (so it is never refused on the day before a
//! holiday), and waiting until it has arrived with its receipts.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime};
use extranet_certs::NodeId;
use extranet_proto::v1 as pb;

use crate::calendar::{WorkCalendar, beijing};
use crate::domain::filing::CUTOVER_NOTICE_WORKING_DAYS;
use crate::local::LocalFederation;

/// The working-day calendar in force at `node`: the one its cutover check
/// uses, so a demo cutover is never refused on the day before a holiday.
pub(crate) fn node_calendar(fed: &LocalFederation, node: &NodeId) -> anyhow::Result<Arc<WorkCalendar>> {
    let running = fed.node(node)?.running.as_ref().with_context(|| format!("{node} 未运行"))?;
    Ok(running.store.calendar()?)
}

/// The start of a demo cutover notified on `today`: 22:00 Beijing time on
/// the day Art.21's two working days of notice allow, by calendar `cal`.
pub(crate) fn cutover_start(cal: &WorkCalendar, today: NaiveDate) -> anyhow::Result<DateTime<FixedOffset>> {
    cal.add_working_days(today, CUTOVER_NOTICE_WORKING_DAYS)
        .and_time(NaiveTime::from_hms_opt(22, 0, 0).context("time")?)
        .and_local_timezone(beijing())
        .single()
        .context("time")
}

/// Polls `node` until it holds filing `id` with at least `receipts` receipts.
pub(crate) async fn wait_for(
    fed: &LocalFederation,
    node: &NodeId,
    id: &str,
    receipts: usize,
) -> anyhow::Result<pb::Filing> {
    let mut client = fed.client(node).await?.filings();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(f) = client.get_filing(pb::GetFilingRequest { id: id.into() }).await {
            let f = f.into_inner();
            if f.receipts.len() >= receipts {
                return Ok(f);
            }
        }
        anyhow::ensure!(Instant::now() < deadline, "30 秒内未在 {node} 看到备案 {id}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::CalendarDocument;
    use crate::domain::filing::check_cutover;

    /// On Tue 2026-09-29 two weekdays later is Thu 10-01, a National Day
    /// holiday: a weekends-only cutover starts 10-01 and the node refuses it.
    /// With the node's calendar it starts Thu 10-08 (09-30, 10-08) and passes.
    #[test]
    fn the_demo_cutover_passes_the_nodes_check_on_the_day_before_a_holiday() {
        let node_cal = CalendarDocument::builtin().work_calendar();
        for day in ["2026-09-29", "2026-09-30", "2026-02-13", "2026-12-31", "2026-12-01"] {
            let today: NaiveDate = day.parse().unwrap();
            let start = cutover_start(&node_cal, today).unwrap();
            let c = crate::domain::Cutover {
                affected_units: vec!["城关区教育局".into()],
                window_start: start,
                window_end: start + chrono::Duration::hours(3),
                notified_on: today,
                description: "演示".into(),
                major_adjustment: false,
                major_approval: None,
                affected_names: Vec::new(),
                contact: String::new(),
            };
            assert!(check_cutover(&c, &node_cal, today).is_ok(), "{day}: {start}");
        }
        let weekends = cutover_start(&WorkCalendar::weekends_only(), "2026-09-29".parse().unwrap()).unwrap();
        assert_eq!(crate::calendar::date_of(&weekends).to_string(), "2026-10-01", "what the demo used to do");
    }
}
