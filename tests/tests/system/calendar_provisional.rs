//! A deadline computed past the end of the published calendar is shown as
//! provisional (暂定) and becomes final once the region publishes the year:
//!
//! ```text
//!   540000 region ── publishes next year's calendar (version 1)
//!     └ 540100
//!         └ 540102 Chengguan ── decides a local application; its 30-day
//!                               implementation clock reaches next year
//! ```

use chrono::Datelike;
use extranet_node::calendar::{CalendarDocument, today};
use extranet_proto::v1 as pb;
use extranet_tests::{Harness, valid_form, valid_unit};

fn implementation(a: &pb::Application) -> pb::Deadline {
    a.deadlines.iter().find(|d| d.name == "实施").cloned().expect("approved: an implementation deadline")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provisional_deadline_is_recomputed_when_the_region_publishes_the_year() -> anyhow::Result<()> {
    let h = Harness::four().await?;
    let (region, county) = (h.region(), h.county_a());
    h.register_unit(&county, valid_unit("u0001", "540000/540100/540102")).await?;
    let unit = h.unit_client(&county, "u0001").await?;
    let req = pb::SubmitRequest {
        unit_id: "".into(),
        kind: pb::ApplicationKind::New as i32,
        form: Some(valid_form(pb::AccessSpan::Local)),
        ..Default::default()
    };
    let a = unit.access().submit(req).await?.into_inner();
    let op = h.fed.client(&county).await?;
    let approved = op
        .access()
        .approve(pb::ApproveRequest { id: a.id.clone(), access_plan: "方案".into(), ..Default::default() })
        .await?
        .into_inner();

    // The built-in calendar ends with 2026: 30 working days from now reach
    // past it, so the due date is provisional (counted on weekends only).
    let approved_on = today();
    let before = implementation(&approved);
    let builtin = CalendarDocument::builtin().work_calendar();
    let due: chrono::NaiveDate = before.due.parse()?;
    assert_eq!(before.provisional, !builtin.covers(approved_on, due), "{before:?}");
    assert!(before.provisional, "the shipped calendar ends 2026-12-31; {approved_on} + 30 working days is past it");

    // The region publishes every year from 2027 to the due date's.
    let tsv: String =
        (approved_on.year().max(2027)..=due.year() + 1).map(|y| format!("{y}-01-01\toff\t元旦\tnational\n")).collect();
    let published = h
        .fed
        .client(&region)
        .await?
        .calendar()
        .publish_calendar(pb::PublishCalendarRequest { tsv, ..Default::default() })
        .await?;
    let version = published.into_inner().version;
    h.wait_calendar(&county, version).await?;

    // A read at the county now gives the final date, the same the region
    // computes for the same start.
    let read = op.access().get_application(pb::GetApplicationRequest { id: a.id.clone() }).await?.into_inner();
    let after = implementation(&read);
    let at_region = h
        .fed
        .client(&region)
        .await?
        .calendar()
        .due_date(pb::DueDateRequest { from: approved_on.to_string(), working_days: 30 })
        .await?
        .into_inner();
    assert!(at_region.covered);
    assert_eq!(
        (after.due.as_str(), after.calendar_version, after.provisional),
        (at_region.due.as_str(), version, false)
    );
    let listed = op.access().list_applications(pb::ListApplicationsRequest::default()).await?.into_inner();
    assert!(listed.applications.iter().all(|x| x.deadlines.iter().all(|d| !d.provisional)), "list reads current too");
    h.shutdown().await;
    Ok(())
}
