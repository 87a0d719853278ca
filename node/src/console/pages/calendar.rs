//! `/calendar`: the working-day calendar in force, shown as a calendar —
//! a month grid per year, days off and worked weekends marked with their
//! holiday — and, at the region, the form that publishes a year (the
//! calendar file the CLI publishes; it travels down to every node). In a
//! prefecture's subtree the local days of its local calendar (本地) are
//! listed apart and marked in the grid.

use axum::extract::{Query, State};
use chrono::{Datelike, NaiveDate};
use extranet_proto::v1 as pb;
use extranet_proto::v1::calendar_server::Calendar;
use maud::{Markup, html};

use super::common::calendar_of;
use crate::console::guard::{Posted, Signed};
use crate::console::page::{Failure, PageResult, after_post, banner, csrf, frame};
use crate::console::state::Console;
use crate::present::text::time;

/// Which year to show.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct YearQuery {
    year: String,
}

/// `GET /calendar?year=`.
pub async fn page(State(console): State<Console>, signed: Signed, Query(q): Query<YearQuery>) -> PageResult {
    let year =
        match q.year.trim() {
            "" => 0,
            y => y.parse().ok().filter(|y| (2000..=2100).contains(y)).ok_or_else(|| {
                Failure::new(axum::http::StatusCode::BAD_REQUEST, "year：应为 2000 至 2100 之间的年份")
            })?,
        };
    Ok(frame(&console, &signed, "工作日历", body(&console, &signed, year, None, "").await?))
}

async fn body(
    console: &Console,
    signed: &Signed,
    year: i32,
    error: Option<&str>,
    tsv: &str,
) -> Result<Markup, Failure> {
    let doc = console
        .services()
        .calendar
        .get_calendar(signed.request(pb::GetCalendarRequest { year: 0 }))
        .await?
        .into_inner();
    let today = crate::calendar::today();
    let year = if year == 0 { today.year() } else { year };
    let cal = calendar_of(console)?;
    let listed = doc.years.contains(&year);
    let rid = console.sessions().token()?;
    Ok(html! {
        (banner(error))
        p { "第 " (doc.version) " 版 · " @if doc.published_at_ms > 0 { (doc.published_by) " 于 " (time(doc.published_at_ms)) " 发布" } @else { "随本版软件内置" }
            " · 已列年份：" (doc.years.iter().map(|y| y.to_string()).collect::<Vec<_>>().join("、")) }
        p { @for y in [year - 1, year, year + 1] { a.button.secondary href=(format!("/calendar?year={y}")) { (y) " 年" } " " } }
        @if !listed { p.error { (year) " 年尚未发布节假日安排：期限只按周末推算，标为“暂定”。" } }
        @if !doc.local_by.is_empty() { (local_days(&doc, year)) }
        div.months { @for m in 1..=12 { (month(&cal, &doc, year, m, today)) } }
        @if console.me().depth() == 1 && signed.is_operator() {
            h2 { "发布工作日历" }
            form #publish.stack method="post" action="/calendar/publish" {
                (csrf(signed)) input type="hidden" name="request_id" value=(rid);
                label for="tsv" { "日历文件（# 开头的来源行，然后每行：日期<TAB>off|work<TAB>名称）" }
                textarea #tsv name="tsv" rows="12" { (tsv) }
                p.hint { "文件所列年份替换当前日历中的同一年份，其余年份保留；发布后传达到所有下级节点。" }
                button type="submit" { "发布" }
            }
        }
    })
}

/// The local days (本地, a prefecture's local calendar, Art.30) of `year`
/// in force here, listed apart from the region's.
fn local_days(doc: &pb::CalendarDocument, year: i32) -> Markup {
    let prefix = format!("{year}-");
    let days: Vec<&pb::CalendarDay> =
        doc.days.iter().filter(|d| d.scope == "local" && d.date.starts_with(&prefix)).collect();
    html! {
        h2 { "本地假日（" (doc.local_by) " 本地日历第 " (doc.local_version) " 版）" }
        @if days.is_empty() { p.muted { (year) " 年没有本地假日。" } } @else {
            table #local-days {
                tr { th { "日期" } th { "类别" } th { "名称" } th { "范围" } }
                @for d in days {
                    tr { td { (d.date) } td { (kind_zh(d.kind)) } td { (d.name) } td { "本地" } }
                }
            }
        }
    }
}

fn kind_zh(kind: i32) -> &'static str {
    if kind == pb::DayKind::Work as i32 { "调休上班" } else { "放假" }
}

fn month(
    cal: &crate::calendar::WorkCalendar,
    doc: &pb::CalendarDocument,
    year: i32,
    m: u32,
    today: NaiveDate,
) -> Markup {
    let Some(first) = NaiveDate::from_ymd_opt(year, m, 1) else { return html! {} };
    let lead = first.weekday().num_days_from_monday() as usize;
    let days: Vec<NaiveDate> = first.iter_days().take_while(|d| d.month() == m).collect();
    let listed = |d: &NaiveDate| doc.days.iter().find(|x| x.date == d.to_string());
    let named = |d: &NaiveDate| {
        listed(d).map(|x| if x.scope == "local" { format!("{}（本地）", x.name) } else { x.name.clone() })
    };
    let local = |d: &NaiveDate| if listed(d).is_some_and(|x| x.scope == "local") { " local" } else { "" };
    let mut cells: Vec<Option<NaiveDate>> = vec![None; lead];
    cells.extend(days.into_iter().map(Some));
    html! {
        table.month {
            caption { (year) " 年 " (m) " 月" }
            tr { @for w in ["一", "二", "三", "四", "五", "六", "日"] { th { (w) } } }
            @for week in cells.chunks(7) {
                tr { @for c in week { @match c {
                    None => td {},
                    Some(d) => {
                        @let class = match (cal.is_working_day(*d), d.weekday().num_days_from_monday() >= 5) {
                            (false, false) => "off", (true, true) => "work", (false, true) => "weekend", (true, false) => "",
                        };
                        td class=(format!("{class}{}{}", local(d), if *d == today { " today" } else { "" })) title=[named(d)] { (d.day()) }
                    },
                } } }
            }
        }
    }
}

/// The publish form.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct PublishForm {
    tsv: String,
    request_id: String,
}

/// `POST /calendar/publish` (the region only; the service refuses others).
pub async fn publish(State(console): State<Console>, posted: Posted<PublishForm>) -> PageResult {
    let Posted { signed, form: f } = posted;
    let req = pb::PublishCalendarRequest { tsv: f.tsv.clone(), request_id: f.request_id };
    let answer = console.services().calendar.publish_calendar(signed.request(req)).await;
    after_post(
        &signed,
        "calendar published",
        answer,
        |_| "/calendar".into(),
        async |error: &str| {
            Ok(frame(&console, &signed, "工作日历", body(&console, &signed, 0, Some(error), &f.tsv).await?))
        },
    )
    .await
}
