//! A calendar never runs out silently: from 1 November (or whenever the
//! current year is missing) every node warns — status, the region's
//! oversight row, metrics — and a deadline past the calendar's end is
//! provisional; once the region publishes the missing year the warning
//! clears everywhere and the deadline is final:
//!
//! ```text
//!   540000 region ── sees each node's warning in oversight; publishes next year
//!     └ 540100
//!         ├ 540102 ── status, metrics, a due date past the end
//!         └ 540103
//! ```
//!
//! The nodes start with the shipped calendar; the expectation is computed
//! from the real today, so the test holds on any day (on the day it was
//! written, 2026-12-03, the shipped calendar ends 2026-12-31: it warns).

use chrono::Datelike;
use extranet_node::calendar::{CalendarDocument, today};
use extranet_node::config::MetricsConfig;
use extranet_proto::v1 as pb;
use extranet_tests::{FOUR, Harness, PATIENCE, eventually};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const SERIES: &str = "extranet_calendar_next_year_missing ";

async fn metric(addr: std::net::SocketAddr) -> anyhow::Result<Option<String>> {
    let mut s = tokio::net::TcpStream::connect(addr).await?;
    s.write_all(b"GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n").await?;
    let mut out = String::new();
    s.read_to_string(&mut out).await?;
    Ok(out.lines().find_map(|l| l.strip_prefix(SERIES)).map(str::to_owned))
}

async fn status_warning(h: &Harness, n: &extranet_certs::NodeId) -> anyhow::Result<Option<String>> {
    let s = h.fed.client(n).await?.status().get_status(pb::GetStatusRequest {}).await?.into_inner();
    Ok(s.warnings.into_iter().find(|w| w.contains("节假日安排尚未发布")))
}

/// Whether every node shows `warning` (or none) in the region's oversight,
/// and the region's totals count them.
async fn oversight_shows(h: &Harness, warning: &Option<String>) -> anyhow::Result<()> {
    let expect = warning.clone().unwrap_or_default();
    let count = if warning.is_some() { FOUR.len() as u32 } else { 0 };
    h.wait_oversight(&h.region(), "every row's calendar warning as expected", PATIENCE, |v| {
        let rows_ok = FOUR
            .iter()
            .all(|n| extranet_tests::row(v, n).summary.as_ref().is_some_and(|s| s.calendar_warning == expect));
        let total = extranet_tests::row(v, FOUR[0]).subtree.as_ref().map_or(u32::MAX, |t| t.calendar_missing);
        rows_ok && total == count
    })
    .await?;
    Ok(())
}

async fn metric_shows(addr: std::net::SocketAddr, value: &str) -> anyhow::Result<()> {
    let what = format!("the county's {SERIES}to be {value} (seen: its value)");
    eventually(&what, PATIENCE, async || {
        let v = metric(addr).await?;
        Ok((v.as_deref() == Some(value), v))
    })
    .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_year_end_warning_shows_everywhere_until_the_region_publishes_next_year() -> anyhow::Result<()> {
    let mut h = Harness::created(FOUR)?;
    h.fed.configure(|c| c.metrics = Some(MetricsConfig { listen: "127.0.0.1:0".into() }))?;
    h.fed.start_all().await?;
    let (region, county) = (h.region(), h.county_a());
    let addr = h.running(&county).metrics_addr.expect("metrics endpoint configured");
    let now = today();
    let shipped = CalendarDocument::builtin().work_calendar();
    let expected = shipped.missing_year_warning(now);

    // Before: status, oversight and metrics agree with the shipped calendar.
    assert_eq!(status_warning(&h, &county).await?, expected, "GetStatus at the county");
    oversight_shows(&h, &expected).await?;
    metric_shows(addr, if expected.is_some() { "1" } else { "0" }).await?;
    // A deadline reaching past the calendar's end is provisional (not covered).
    let req = pb::DueDateRequest { from: now.to_string(), working_days: 60 };
    let before = h.fed.client(&county).await?.calendar().due_date(req.clone()).await?.into_inner();
    let due: chrono::NaiveDate = before.due.parse()?;
    assert_eq!(before.covered, shipped.covers(now, due), "{before:?}");
    if expected.is_some() {
        assert!(!before.covered, "warned: 60 working days from {now} reach the missing year");
    }

    // The region publishes this year (if missing) and the next two.
    let tsv: String = (now.year()..=now.year() + 2)
        .filter(|y| *y > now.year() || !shipped.covers(now, now))
        .map(|y| format!("{y}-01-01\toff\t元旦\tnational\n"))
        .collect();
    let mut calendar = h.fed.client(&region).await?.calendar();
    let doc = calendar.publish_calendar(pb::PublishCalendarRequest { tsv, ..Default::default() }).await?;
    let version = doc.into_inner().version;
    for n in h.fed.nodes() {
        h.wait_calendar(&n.id, version).await?;
    }

    // After: the warning is gone everywhere, and the same deadline is final.
    for n in h.fed.nodes() {
        assert_eq!(status_warning(&h, &n.id).await?, None, "GetStatus at {}", n.id);
    }
    oversight_shows(&h, &None).await?;
    metric_shows(addr, "0").await?;
    let after = h.fed.client(&county).await?.calendar().due_date(req).await?.into_inner();
    assert!(after.covered && after.calendar_version == version, "{after:?}");
    h.shutdown().await;
    Ok(())
}

/// The operator's front page in the console shows the same warning, and a
/// page with no warning when the calendar covers next year.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_front_page_shows_the_year_end_warning() -> anyhow::Result<()> {
    let h = Harness::with_consoles(&FOUR[..3]).await?;
    let county = h.county_a();
    let expected = CalendarDocument::builtin().work_calendar().missing_year_warning(today());
    let front = h.operator_web(&county).await?.get("/").await?;
    assert_eq!(front.status, 200, "{front:?}");
    match &expected {
        Some(w) => {
            assert!(front.body.contains(&format!("role=\"alert\">{w}")), "warned on the front page: {}", front.body)
        }
        None => assert!(!front.body.contains("节假日安排尚未发布"), "no warning while next year is published"),
    }
    h.shutdown().await;
    Ok(())
}
