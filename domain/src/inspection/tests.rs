use extranet_ids::NodeId;

use super::*;
use crate::calendar::{CalendarDocument, WorkCalendar, parse_beijing_ms};
use crate::error::{DomainError, Result};
use crate::order::Issuer;

fn pref() -> NodeId {
    NodeId::parse("540000/540100").unwrap()
}

fn county() -> NodeId {
    NodeId::parse("540000/540100/540102").unwrap()
}

fn at(text: &str) -> i64 {
    parse_beijing_ms("at", text).unwrap()
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn request(date: &str, days: Option<u32>) -> InspectionRequest {
    InspectionRequest {
        inspected: Inspected::Node(county()),
        inspected_name: "城关区".into(),
        date: day(date),
        scope: "运行、使用和安全管理情况".into(),
        inspectors: vec!["次仁".into(), " 卓玛 ".into()],
        findings: vec![
            FindingRequest { text: "核心交换机管理口令为默认口令".into(), working_days: days },
            FindingRequest { text: "机房温湿度记录不全".into(), working_days: None },
        ],
    }
}

fn recorded(cal: &WorkCalendar, date: &str, when: &str, days: Option<u32>) -> Result<Inspection> {
    let node = pref();
    let issuer = Issuer { authority: &node, division: Some("拉萨市"), seq: 3 };
    let id = InspectionId { origin: node.clone(), number: 1 };
    Inspection::record(id, request(date, days), cal, at(when), "operator", &issuer)
}

fn response(n: usize, at_ms: i64) -> Response {
    Response {
        finding: n, text: "已修改口令并启用双因素认证".into(), at_ms, by: "540000/540100/540102:op".into()
    }
}

fn field(e: DomainError) -> String {
    match e {
        DomainError::Invalid { field, .. } => field.to_string(),
        other => panic!("expected an invalid field, got {other:?}"),
    }
}

/// Inspected on Tuesday 29 September 2026 with 5 working days: across 国庆
/// and the adjusted Saturday, due Monday 12 October — from the day of the
/// inspection, not the day it was typed in; stamped with the calendar.
#[test]
fn the_deadline_counts_working_days_from_the_inspection_on_the_published_calendar() {
    let cal = CalendarDocument::builtin().work_calendar();
    let i = recorded(&cal, "2026-09-29", "2026-10-09 10:00", Some(5)).unwrap();
    let (n, r) = i.rectifications().next().unwrap();
    assert_eq!((n, r.deadline.due, r.deadline.calendar_version), (1, day("2026-10-12"), cal.version()));
    assert_eq!(i.rectifications().count(), 1, "the second finding orders nothing");
    assert_eq!(i.inspectors, ["次仁", "卓玛"]);
}

#[test]
fn the_written_order_is_numbered_in_the_cha_series_and_cites_article_28() {
    let i = recorded(&WorkCalendar::weekends_only(), "2026-12-01", "2026-12-02 10:00", Some(5)).unwrap();
    let n = i.notice.expect("a rectification was ordered");
    assert_eq!(n.number, "540100〔2026〕查003号");
    assert!(
        n.text.contains("第二十八条") && n.text.contains("整改通知书") && n.text.contains("2026年12月8日"),
        "{}",
        n.text
    );
    assert!(n.html.contains("size: A4"));
    let none = recorded(&WorkCalendar::weekends_only(), "2026-12-01", "2026-12-02 10:00", None).unwrap();
    assert!(none.notice.is_none(), "no rectification, no order");
}

/// Overdue means not accepted by its due date: an answer waiting for
/// review does not stop it being overdue; acceptance closes it.
#[test]
fn a_rectification_is_overdue_until_accepted_and_closed_once_accepted() {
    let mut i = recorded(&WorkCalendar::weekends_only(), "2026-11-02", "2026-11-02 10:00", Some(1)).unwrap();
    let due = i.rectifications().next().unwrap().1.deadline.due;
    assert_eq!(due, day("2026-11-03"));
    assert_eq!(i.overdue(day("2026-11-03")).count(), 0, "on time on the due date");
    assert_eq!(i.overdue(day("2026-11-04")).count(), 1);
    assert!(i.respond(&response(1, at("2026-11-05 09:00"))).unwrap());
    assert_eq!(i.overdue(day("2026-11-05")).count(), 1, "answered but not accepted: still overdue");
    i.review(1, Review::Return { reason: "未提供整改截图".into() }, at("2026-11-05 10:00"), "operator").unwrap();
    assert_eq!(i.rectifications().next().unwrap().1.state, RectificationState::Open, "returned: open again");
    assert!(i.respond(&response(1, at("2026-11-06 09:00"))).unwrap());
    i.review(1, Review::Accept { note: String::new() }, at("2026-11-06 10:00"), "operator").unwrap();
    let r = i.rectifications().next().unwrap().1;
    assert_eq!((r.state, r.deadline.met_on), (RectificationState::Closed, Some(day("2026-11-06"))));
    assert_eq!((i.overdue(day("2026-11-30")).count(), i.open().count()), (0, 0));
    assert_eq!(i.revision, 5);
}

#[test]
fn steps_out_of_turn_are_refused_and_change_nothing() {
    let mut i = recorded(&WorkCalendar::weekends_only(), "2026-11-02", "2026-11-02 10:00", Some(3)).unwrap();
    let before = i.clone();
    let e = i.review(1, Review::Accept { note: String::new() }, at("2026-11-03 10:00"), "op").unwrap_err();
    assert!(matches!(e, DomainError::FailedPrecondition(ref m) if m.contains("须先由被检查方报送")), "{e:?}");
    assert!(
        matches!(i.respond(&response(2, 1)).unwrap_err(), DomainError::FailedPrecondition(_)),
        "no order, no answer"
    );
    assert_eq!(field(i.respond(&response(9, 1)).unwrap_err()), "finding");
    assert_eq!(i, before);
    i.respond(&response(1, at("2026-11-03 09:00"))).unwrap();
    assert!(!i.respond(&response(1, at("2026-11-03 09:00"))).unwrap(), "the same answer merged twice changes nothing");
    assert!(matches!(i.respond(&response(1, at("2026-11-03 11:00"))), Err(DomainError::FailedPrecondition(_))));
    assert_eq!(
        field(i.review(1, Review::Return { reason: " ".into() }, at("2026-11-03 10:00"), "op").unwrap_err()),
        "reason"
    );
}

#[test]
fn bad_input_names_the_field() {
    let cal = WorkCalendar::weekends_only();
    let r = |date: &str, days| recorded(&cal, date, "2026-12-02 10:00", days).map(drop).map_err(field);
    assert_eq!(r("2026-12-03", Some(5)), Err("date".into()), "in the future");
    assert_eq!(r("2026-08-01", Some(5)), Err("date".into()), "too far back");
    assert_eq!(r("2026-12-01", Some(0)), Err("findings.working_days".into()));
    assert_eq!(r("2026-12-01", Some(61)), Err("findings.working_days".into()));
    let node = pref();
    let issuer = Issuer { authority: &node, division: None, seq: 1 };
    let id = InspectionId { origin: node.clone(), number: 1 };
    let with = |f: &dyn Fn(&mut InspectionRequest)| {
        let mut req = request("2026-12-01", Some(5));
        f(&mut req);
        Inspection::record(id.clone(), req, &cal, at("2026-12-02 10:00"), "op", &issuer).map(drop).map_err(field)
    };
    assert_eq!(with(&|r| r.scope = "  ".into()), Err("scope".into()));
    assert_eq!(with(&|r| r.inspectors = vec![" ".into()]), Err("inspectors".into()));
    assert_eq!(with(&|r| r.findings.clear()), Err("findings".into()));
    assert_eq!(with(&|r| r.findings[0].text = String::new()), Err("findings.text".into()));
}
