use extranet_ids::NodeId;

use super::*;
use crate::calendar::{CalendarDocument, WorkCalendar, parse_beijing_ms};
use crate::error::DomainError;

fn county() -> NodeId {
    NodeId::parse("540000/540100/540102").unwrap()
}

fn issuer(county: &NodeId, seq: u64) -> Issuer<'_> {
    Issuer { authority: county, division: Some("城关区"), seq }
}

fn at(text: &str) -> i64 {
    parse_beijing_ms("at", text).unwrap()
}

fn issued(cal: &WorkCalendar, when: &str, days: u32) -> Order {
    let node = county();
    let req = OrderRequest {
        unit: UnitId::parse("u0001").unwrap(),
        unit_name: "城关区教育局".into(),
        reason: "终端感染勒索病毒并向外网扫描".into(),
        working_days: days,
    };
    Order::issue(OrderId { origin: node.clone(), number: 1 }, req, cal, at(when), "operator", &issuer(&node, 1))
        .unwrap()
}

fn precondition(e: DomainError) -> String {
    match e {
        DomainError::FailedPrecondition(m) => m,
        other => panic!("expected a failed precondition, got {other:?}"),
    }
}

/// Issued on Tuesday 29 September 2026 with 5 working days: 30 September
/// is the 1st; 1–7 October is 国庆 (off); 8, 9 October the 2nd and 3rd;
/// Saturday 10 October an adjusted working day (调休), the 4th; Monday 12
/// October the 5th. On weekends only it would be Tuesday 6 October.
#[test]
fn the_deadline_follows_the_published_calendar_across_the_national_day_holiday() {
    let cal = CalendarDocument::builtin().work_calendar();
    let o = issued(&cal, "2026-09-29 10:00", 5);
    assert_eq!(o.deadline.due, "2026-10-12".parse::<NaiveDate>().unwrap());
    assert_eq!(o.deadline.calendar_version, cal.version());
    assert!(!o.deadline.provisional);
    let weekends = issued(&WorkCalendar::weekends_only(), "2026-09-29 10:00", 5);
    assert_eq!(weekends.deadline.due, "2026-10-06".parse::<NaiveDate>().unwrap());
    assert!(!o.is_overdue("2026-10-12".parse().unwrap()) && o.is_overdue("2026-10-13".parse().unwrap()));
}

#[test]
fn an_order_is_reported_rectified_then_lifted_with_its_lifting_notice() {
    let cal = WorkCalendar::weekends_only();
    let node = county();
    let mut o = issued(&cal, "2026-12-01 09:00", 10);
    assert!(o.is_standing() && o.lifting_notice.is_none());
    let m = precondition(
        o.act(OrderAction::Lift { note: String::new() }, &cal, at("2026-12-02 09:00"), "operator", &issuer(&node, 1))
            .unwrap_err(),
    );
    assert!(m.contains("须先报送整改情况"), "{m}");
    assert_eq!((o.revision, o.history.len()), (1, 1), "a refused step changes nothing");
    let rectified = OrderAction::Rectified { report: "已重装系统并部署终端防护".into() };
    o.act(rectified, &cal, at("2026-12-03 09:00"), "unit:u0001", &issuer(&node, 1)).unwrap();
    assert_eq!(o.state, OrderState::Rectified);
    assert!(o.is_standing(), "still disconnected until verified");
    o.act(OrderAction::Lift { note: "复查无异常".into() }, &cal, at("2026-12-04 09:00"), "operator", &issuer(&node, 7))
        .unwrap();
    assert_eq!((o.state, o.revision), (OrderState::Lifted, 3));
    assert!(!o.is_standing() && !o.is_overdue("2027-06-01".parse().unwrap()));
    let lift = o.lifting_notice.as_ref().unwrap();
    assert_eq!(lift.number, "540102〔2026〕复007号");
    for part in [
        "恢复连接通知",
        "第二十五条第（四）项",
        "2026年12月4日",
        "2026年12月1日",
        "540102〔2026〕断001号",
        "复查无异常",
    ] {
        assert!(lift.text.contains(part), "{part}: {}", lift.text);
    }
    let again = o.act(
        OrderAction::Extend { working_days: 3, reason: "x".into() },
        &cal,
        at("2026-12-05 09:00"),
        "operator",
        &issuer(&node, 1),
    );
    assert!(precondition(again.unwrap_err()).contains("已恢复连接"));
}

#[test]
fn the_written_order_names_the_unit_the_reason_the_basis_the_authority_and_the_dates() {
    let o = issued(&WorkCalendar::weekends_only(), "2026-12-01 09:00", 10);
    let n = &o.order_notice;
    assert_eq!(n.number, "540102〔2026〕断001号");
    for part in [
        "中断连接、限期整改通知书",
        "城关区教育局",
        "勒索病毒",
        "第二十五条第（四）项",
        "城关区政务外网主管部门",
        "2026年12月1日",
        "2026年12月15日",
        "10 个工作日",
        "540102-D000001",
    ] {
        assert!(n.text.contains(part), "{part}: {}", n.text);
    }
    assert!(n.html.contains("@page") && n.html.contains("size: A4") && n.html.contains("lang=\"zh-CN\""));
}

#[test]
fn an_extension_moves_the_deadline_on_from_its_due_date_and_reopens_a_reported_rectification() {
    let cal = WorkCalendar::weekends_only();
    let node = county();
    let mut o = issued(&cal, "2026-12-01 09:00", 10);
    o.act(
        OrderAction::Rectified { report: "已整改".into() },
        &cal,
        at("2026-12-02 09:00"),
        "operator",
        &issuer(&node, 1),
    )
    .unwrap();
    let m = o.act(
        OrderAction::Extend { working_days: 3, reason: " ".into() },
        &cal,
        at("2026-12-03 09:00"),
        "operator",
        &issuer(&node, 1),
    );
    assert!(matches!(m, Err(DomainError::Invalid { field: "text", .. })), "a reason is required");
    o.act(
        OrderAction::Extend { working_days: 3, reason: "补丁未全部安装".into() },
        &cal,
        at("2026-12-03 09:00"),
        "operator",
        &issuer(&node, 1),
    )
    .unwrap();
    assert_eq!(o.state, OrderState::Standing, "back to 整改中");
    assert_eq!(o.deadline.due, "2026-12-18".parse::<NaiveDate>().unwrap(), "3 working days after 15 December");
    assert_eq!(o.history.last().unwrap().deadline.as_ref().unwrap().due, o.deadline.due, "recorded in the step");
    assert_eq!(
        o.history[0].deadline.as_ref().unwrap().due,
        "2026-12-15".parse::<NaiveDate>().unwrap(),
        "the old one kept"
    );
}

#[test]
fn bad_input_names_the_field() {
    let node = county();
    let cal = WorkCalendar::weekends_only();
    let mut req = OrderRequest {
        unit: UnitId::parse("u0001").unwrap(),
        unit_name: "x".into(),
        reason: " ".into(),
        working_days: 5,
    };
    let id = || OrderId { origin: node.clone(), number: 1 };
    let e = Order::issue(id(), req.clone(), &cal, at("2026-12-01 09:00"), "op", &issuer(&node, 1)).unwrap_err();
    assert!(matches!(e, DomainError::Invalid { field: "reason", .. }), "{e:?}");
    req.reason = "问题".into();
    req.working_days = 0;
    let e = Order::issue(id(), req.clone(), &cal, at("2026-12-01 09:00"), "op", &issuer(&node, 1)).unwrap_err();
    assert!(matches!(e, DomainError::Invalid { field: "working_days", .. }), "{e:?}");
    assert!(e.to_string().contains("1 至 60"), "{e}");
    assert!(OrderAction::Rectified { report: String::new() }.unit_may());
    assert!(!OrderAction::Lift { note: String::new() }.unit_may());
}
