//! A prefecture's local holidays (地方性假日, Art.30) move deadlines in its
//! subtree only, a correction recomputes the running ones and keeps the met
//! ones, and bad local calendars are refused with nothing written:
//!
//! ```text
//!   540000 region ── publishes the base years; holds a copy of Lhasa's
//!     ├ 540100 Lhasa ── publishes local days (v1, then a correction v2)
//!     │   └ 540102 Chengguan ── decides an application across them: moved
//!     └ 540200 Shigatse ── outside the subtree: never moved, never holds it
//! ```

use chrono::{Datelike, NaiveDate, Weekday};
use extranet_certs::NodeId;
use extranet_node::calendar::{CalendarDocument, WorkCalendar, today};
use extranet_proto::v1 as pb;
use extranet_tests::{Harness, id, valid_form, valid_unit};
use tonic::Code;

const TREE: &[&str] = &["540000", "540000/540100", "540000/540100/540102", "540000/540200"];

/// The region publishes this year and next if the shipped calendar lacks
/// them (a local day may only go into a year the base lists); waits until
/// every node holds the result.
async fn base_years(h: &Harness) -> anyhow::Result<()> {
    let builtin = CalendarDocument::builtin();
    let y = today().year();
    let tsv: String = [y, y + 1]
        .into_iter()
        .filter(|y| !builtin.years.contains(y))
        .map(|y| format!("{y}-01-01\toff\t元旦\tnational\n"))
        .collect();
    if tsv.is_empty() {
        return Ok(());
    }
    let region = h.fed.client(&h.region()).await?;
    let v = region.calendar().publish_calendar(pb::PublishCalendarRequest { tsv, ..Default::default() }).await?;
    let version = v.into_inner().version;
    for n in h.fed.nodes() {
        h.wait_calendar(&n.id, version).await?;
    }
    Ok(())
}

/// The first weekday after `after` that is a working day of `cal` and not a
/// day `base` lists: a day a local calendar may take off.
fn free_weekday(cal: &WorkCalendar, base: &CalendarDocument, after: NaiveDate) -> NaiveDate {
    after
        .iter_days()
        .skip(1)
        .find(|d| {
            !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
                && cal.is_working_day(*d)
                && base.days.iter().all(|x| x.date != *d)
        })
        .expect("a free weekday")
}

async fn publish_local(h: &Harness, at: &NodeId, tsv: &str, subtree: &str) -> Result<u64, tonic::Status> {
    let c = h.fed.client(at).await.map_err(|e| tonic::Status::unavailable(e.to_string()))?;
    let req = pb::PublishLocalCalendarRequest { tsv: tsv.into(), subtree: subtree.into(), ..Default::default() };
    let doc = c.calendar().publish_local_calendar(req).await?.into_inner();
    Ok(doc.calendar.map_or(0, |c| c.version))
}

async fn due(h: &Harness, n: &NodeId, from: NaiveDate, days: u32) -> anyhow::Result<pb::DueDateResponse> {
    let c = h.fed.client(n).await?;
    let req = pb::DueDateRequest { from: from.to_string(), working_days: days };
    Ok(c.calendar().due_date(req).await?.into_inner())
}

fn deadline(a: &pb::Application, name: &str) -> pb::Deadline {
    a.deadlines.iter().find(|d| d.name == name).cloned().unwrap_or_else(|| panic!("{name} deadline in {a:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_prefectures_local_holiday_moves_deadlines_in_its_subtree_only() -> anyhow::Result<()> {
    let h = Harness::tree(TREE).await?;
    let (region, lhasa, county, shigatse) = (h.region(), id(TREE[1]), id(TREE[2]), id(TREE[3]));
    base_years(&h).await?;
    let base_doc = h.running(&region).store.calendar_document()?;
    let base = h.running(&region).store.calendar()?;
    let now = today();
    let first = free_weekday(&base, &base_doc, now);

    // Lhasa takes the next free weekday off for its subtree.
    let v = publish_local(&h, &lhasa, &format!("# 拉萨市测试通知\n{first}\toff\t本地假日（测试）\n"), "").await?;
    assert_eq!(v, 1);
    h.wait_local_calendar(&county, &lhasa, 1).await?;
    h.wait_local_calendar(&region, &lhasa, 1).await?; // a copy for oversight

    // Inside the subtree the due date moves by one working day, and says why.
    let unshifted = base.add_working_days(now, 10);
    let at_county = due(&h, &county, now, 10).await?;
    assert_eq!(at_county.due, base.add_working_days(unshifted, 1).to_string(), "{first} is off at the county");
    assert_eq!((at_county.local_by.as_str(), at_county.local_version, at_county.local_affected), ("540100", 1, true));
    assert_eq!(due(&h, &lhasa, now, 10).await?.due, at_county.due, "the prefecture itself");
    // The region holds the copy but does not apply it; Shigatse never gets it.
    for n in [&region, &shigatse] {
        let r = due(&h, n, now, 10).await?;
        assert_eq!((r.due.clone(), r.local_by.as_str(), r.local_affected), (unshifted.to_string(), "", false), "{n}");
    }
    assert!(h.running(&region).store.calendar()?.local().is_none());
    assert!(h.running(&shigatse).store.local_calendar_for(&lhasa)?.is_none(), "not sent to a sibling");

    // The county decides an application: review met today, implementation running.
    h.register_unit(&county, valid_unit("u0001", "540000/540100/540102")).await?;
    let unit = h.unit_client(&county, "u0001").await?;
    let form = Some(valid_form(pb::AccessSpan::Local));
    let kind = pb::ApplicationKind::New as i32;
    let a = unit.access().submit(pb::SubmitRequest { kind, form, ..Default::default() }).await?.into_inner();
    assert_eq!(deadline(&a, "审核").due, at_county.due, "computed with the local day");
    let op = h.fed.client(&county).await?;
    let approve = pb::ApproveRequest { id: a.id.clone(), access_plan: "方案".into(), ..Default::default() };
    let approved = op.access().approve(approve).await?.into_inner();
    let review = deadline(&approved, "审核");
    let implementation = deadline(&approved, "实施");
    let base_impl = base.add_working_days(now, 30);
    assert_eq!(implementation.due, base.add_working_days(base_impl, 1).to_string());
    assert!(implementation.local_affected && implementation.local_version == 1, "{implementation:?}");

    // The correction (v2) adds a second local day: the running deadline is
    // recomputed under v2, the met one keeps its date and its version.
    let second = free_weekday(&base, &base_doc, first);
    let tsv = format!("# 拉萨市更正通知\n{first}\toff\t本地假日（测试）\n{second}\toff\t本地假日二（测试）\n");
    assert_eq!(publish_local(&h, &lhasa, &tsv, "540100").await?, 2);
    h.wait_local_calendar(&county, &lhasa, 2).await?;
    let read = op.access().get_application(pb::GetApplicationRequest { id: a.id.clone() }).await?.into_inner();
    let recomputed = deadline(&read, "实施");
    assert_eq!(recomputed.due, base.add_working_days(base_impl, 2).to_string(), "{recomputed:?}");
    assert_eq!((recomputed.local_version, recomputed.calendar_version), (2, implementation.calendar_version));
    assert_eq!(deadline(&read, "审核"), review, "met: kept as computed");

    refusals(&h, &base_doc, second).await?;
    h.shutdown().await;
    Ok(())
}

/// Bad local calendars are refused with the right status, and every node
/// still holds Lhasa's version 2 (nothing written, nothing sent).
async fn refusals(h: &Harness, base_doc: &CalendarDocument, free: NaiveDate) -> anyhow::Result<()> {
    let (region, lhasa, county, shigatse) = (h.region(), id(TREE[1]), id(TREE[2]), id(TREE[3]));
    let far = today().year() + 5;
    let listed = base_doc.days.first().expect("the base lists days").date;
    let cases: [(&NodeId, String, &str, Code, &str); 7] = [
        (&lhasa, format!("{far}-03-03\toff\t测试\n"), "", Code::InvalidArgument, "尚未列出"),
        (&lhasa, format!("{free}\tholiday\t测试\n"), "", Code::InvalidArgument, "第 1 行"),
        (&lhasa, format!("{listed}\toff\t测试\n"), "", Code::InvalidArgument, "已列为"),
        (&county, format!("{free}\toff\t测试\n"), "", Code::FailedPrecondition, "地（市）"),
        (&region, format!("{free}\toff\t测试\n"), "", Code::FailedPrecondition, "地（市）"),
        (&lhasa, format!("{free}\toff\t测试\n"), "540000/540200", Code::PermissionDenied, "本辖区"),
        (&shigatse, format!("{free}\toff\t测试\n"), "540000/540100", Code::PermissionDenied, "本辖区"),
    ];
    for (at, tsv, subtree, code, says) in &cases {
        let err = publish_local(h, at, tsv, subtree).await.expect_err(tsv);
        assert_eq!(err.code(), *code, "{at} {tsv:?}: {err:?}");
        assert!(err.message().contains(says), "{at} {tsv:?}: {}", err.message());
    }
    for n in [&lhasa, &county, &region] {
        let held = h.running(n).store.local_calendar_for(&lhasa)?.map(|l| l.doc.version);
        assert_eq!(held, Some(2), "{n}");
    }
    assert!(h.running(&shigatse).store.local_calendar_for(&shigatse)?.is_none(), "the refused one was not stored");
    Ok(())
}

/// The CLI publishes and shows local days, the console marks them: on the
/// calendar page of the subtree (本地) and on an application's deadlines
/// (含本地假日, with both versions); the region's page lists none.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_publishes_local_days_and_cli_and_console_mark_them() -> anyhow::Result<()> {
    const EXE: &str = env!("CARGO_BIN_EXE_extranet-under-test");
    let h = Harness::with_consoles(&extranet_tests::FOUR[..3]).await?;
    let (region, lhasa, county) = (h.region(), h.prefecture(), h.county_a());
    base_years(&h).await?;
    let base = h.running(&region).store.calendar()?;
    let day = free_weekday(&base, &h.running(&region).store.calendar_document()?, today());
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("local.tsv");
    std::fs::write(&file, format!("# 拉萨市测试通知\n{day}\toff\t雪顿节（测试）\n"))?;
    let run = |n: &NodeId, args: &[&str]| tokio::task::block_in_place(|| h.cli(EXE, n, args));
    let (ok, out, err) = run(&lhasa, &["calendar", "publish-local", file.to_str().expect("utf-8 path")]);
    assert!(ok && out.contains("本地工作日历第 1 版"), "{out}{err}");
    let (ok, out, err) = run(&region, &["calendar", "publish-local", file.to_str().expect("utf-8 path")]);
    assert!(!ok && err.contains("地（市）"), "the region is refused: {out}{err}");
    h.wait_local_calendar(&county, &lhasa, 1).await?;

    let (ok, out, _) = run(&county, &["calendar", "show", "--year", &day.year().to_string()]);
    assert!(ok && out.contains("含 540100 本地日历第 1 版") && out.contains("雪顿节（测试）"), "{out}");
    assert!(out.lines().any(|l| l.contains(&day.to_string()) && l.contains("本地")), "{out}");

    h.register_unit(&county, valid_unit("u0001", "540000/540100/540102")).await?;
    let unit = h.unit_client(&county, "u0001").await?;
    let (kind, form) = (pb::ApplicationKind::New as i32, Some(valid_form(pb::AccessSpan::Local)));
    let a = unit.access().submit(pb::SubmitRequest { kind, form, ..Default::default() }).await?.into_inner();
    let (ok, out, _) = run(&county, &["access", "show", &a.id]);
    assert!(ok && out.contains("（含本地假日）") && out.contains("540100 本地日历第 1 版"), "{out}");

    let web = h.operator_web(&county).await?;
    let page = web.get(&format!("/calendar?year={}", day.year())).await?.body;
    assert!(page.contains("本地假日（540100 本地日历第 1 版）"), "{page}");
    assert!(page.contains("雪顿节（测试）（本地）") && page.contains("id=\"local-days\""), "{page}");
    let shown = web.get(&format!("/access/{}", a.id)).await?.body;
    assert!(shown.contains("含本地假日") && shown.contains("540100 本地日历第 1 版"), "{shown}");
    let at_region = h.operator_web(&region).await?.get(&format!("/calendar?year={}", day.year())).await?.body;
    assert!(!at_region.contains("local-days") && !at_region.contains("雪顿节"), "not the region's: {at_region}");
    h.shutdown().await;
    Ok(())
}
