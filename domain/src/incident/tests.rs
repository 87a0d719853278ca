use extranet_ids::NodeId;

use super::*;
use crate::calendar::parse_beijing_ms;
use crate::error::DomainError;
use crate::unit::Contact;

fn at(text: &str) -> i64 {
    parse_beijing_ms("at", text).unwrap()
}

fn request(major: bool) -> IncidentRequest {
    IncidentRequest {
        unit: Some(UnitId::parse("u0001").unwrap()),
        title: "终端感染勒索病毒".into(),
        description: "办公终端三台文件被加密".into(),
        occurred_at_ms: at("2026-03-02 09:00"),
        impact: "本单位办公网段".into(),
        measures: "已断开三台终端".into(),
        major,
        contact: Contact { name: "次仁".into(), phone: "13908905678".into() },
    }
}

fn reported(major: bool) -> Incident {
    let id = IncidentId { origin: NodeId::parse("540000/540100/540102").unwrap(), number: 1 };
    Incident::report(id, request(major), at("2026-03-02 09:30"), "unit:u0001").unwrap()
}

fn told(d: Department, when: &str) -> IncidentAction {
    IncidentAction::Department(DepartmentReportRequest {
        department: d,
        at_ms: at(when),
        channel: Channel::Phone,
        reporter: "次仁".into(),
        note: String::new(),
    })
}

fn field(e: DomainError) -> String {
    match e {
        DomainError::Invalid { field, .. } => field.to_string(),
        other => panic!("expected an invalid field, got {other:?}"),
    }
}

#[test]
fn a_major_incident_misses_the_five_departments_until_each_is_recorded() {
    let mut i = reported(true);
    assert_eq!(i.missing_departments(), Department::ALL.to_vec());
    assert!(i.waits());
    for (n, d) in Department::ALL.into_iter().enumerate() {
        i.act(told(d, "2026-03-02 09:40"), at("2026-03-02 09:45"), "operator").unwrap();
        assert_eq!(i.missing_departments().len(), 4 - n);
    }
    assert!(i.missing_departments().is_empty());
    assert_eq!((i.revision, i.departments.len()), (6, 5));
    let again = i.act(told(Department::PublicSecurity, "2026-03-02 10:00"), at("2026-03-02 10:00"), "operator");
    assert!(matches!(again, Err(DomainError::FailedPrecondition(m)) if m.contains("公安")), "recorded once");
    assert_eq!(i.revision, 6, "the refusal changed nothing");
    assert!(i.waits(), "still undecided");
}

#[test]
fn an_incident_that_is_not_major_misses_no_department() {
    assert!(reported(false).missing_departments().is_empty());
}

#[test]
fn reporting_up_is_final_and_closing_needs_a_decision_first() {
    let mut i = reported(false);
    let e = i.act(IncidentAction::Close { note: "已恢复".into() }, at("2026-03-02 10:00"), "operator").unwrap_err();
    assert!(matches!(e, DomainError::FailedPrecondition(m) if m.contains("第二十六条")));
    let e = i.act(IncidentAction::Decide { report_up: false, note: " ".into() }, at("2026-03-02 10:00"), "op");
    assert_eq!(field(e.unwrap_err()), "note", "keeping it here needs a reason");
    i.act(IncidentAction::Decide { report_up: false, note: "影响限于本单位".into() }, at("2026-03-02 10:00"), "op")
        .unwrap();
    assert!(!i.travels_up() && !i.waits());
    i.act(IncidentAction::Decide { report_up: true, note: String::new() }, at("2026-03-02 11:00"), "op").unwrap();
    assert!(i.travels_up());
    let e = i.act(IncidentAction::Decide { report_up: false, note: "x".into() }, at("2026-03-02 12:00"), "op");
    assert!(matches!(e, Err(DomainError::FailedPrecondition(_))));
    i.act(IncidentAction::Close { note: "已处置".into() }, at("2026-03-02 12:00"), "op").unwrap();
    assert!(i.closed && i.travels_up());
    let e = i.act(told(Department::Cyberspace, "2026-03-02 12:00"), at("2026-03-02 12:30"), "op");
    assert!(matches!(e, Err(DomainError::FailedPrecondition(_))), "closed");
}

#[test]
fn bad_input_names_the_field() {
    let id = IncidentId { origin: NodeId::parse("540000").unwrap(), number: 1 };
    let now = at("2026-03-02 09:30");
    let cases: [crate::testing::Breaks<IncidentRequest>; 5] = [
        ("title", |r| r.title = " ".into()),
        ("impact", |r| r.impact.clear()),
        ("measures", |r| r.measures.clear()),
        ("contact.phone", |r| r.contact.phone.clear()),
        ("occurred_at", |r| r.occurred_at_ms = parse_beijing_ms("at", "2026-03-02 12:00").unwrap()),
    ];
    for (name, spoil) in cases {
        let mut r = request(true);
        spoil(&mut r);
        assert_eq!(field(Incident::report(id.clone(), r, now, "op").unwrap_err()), name);
    }
    let mut i = reported(true);
    let early = told(Department::Secrecy, "2026-03-02 08:00");
    assert_eq!(field(i.act(early, now, "op").unwrap_err()), "department.at", "before the incident");
    assert!(i.departments.is_empty());
}

#[test]
fn only_the_departments_step_is_the_units() {
    assert!(told(Department::Industry, "2026-03-02 09:40").unit_may());
    assert!(!IncidentAction::Decide { report_up: true, note: String::new() }.unit_may());
    assert!(!IncidentAction::Close { note: String::new() }.unit_may());
}
