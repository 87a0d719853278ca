use extranet_ids::NodeId;

use super::*;
use crate::calendar::parse_beijing_ms;
use crate::error::DomainError;

fn lhasa() -> NodeId {
    NodeId::parse("540000/540100").unwrap()
}

fn named(node: &str, unit: &str, name: &str) -> NamedUnit {
    NamedUnit { node: NodeId::parse(node).unwrap(), unit: UnitId::parse(unit).unwrap(), name: name.into() }
}

fn request(kind: CircularKind) -> CircularRequest {
    CircularRequest {
        kind,
        title: "城关区教育局终端感染勒索病毒事件".into(),
        facts: "2026年3月2日，城关区教育局三台终端感染勒索病毒。".into(),
        requirements: "各单位立即开展终端排查。".into(),
        units: vec![named("540000/540100/540102", "u0001", "城关区教育局")],
        incidents: vec!["540102-I000001".into()],
        orders: vec!["540102-D000001".into()],
        inspections: vec!["2026-春季检查-07".into()],
    }
}

fn issue(req: CircularRequest) -> crate::Result<Circular> {
    let me = lhasa();
    let at = parse_beijing_ms("at", "2026-03-09 10:00").unwrap();
    Circular::issue(
        CircularId { origin: me.clone(), number: 1 },
        req,
        at,
        "operator",
        &Issuer { authority: &me, division: Some("拉萨市"), seq: 3 },
    )
}

fn field(e: DomainError) -> &'static str {
    match e {
        DomainError::Invalid { field, .. } => field,
        other => panic!("expected an invalid field, got {other:?}"),
    }
}

#[test]
fn the_document_names_the_authority_article_units_and_references() {
    let c = issue(request(CircularKind::SecurityEvent)).unwrap();
    assert_eq!(c.notice.number, "540100〔2026〕通003号");
    for part in [
        "拉萨市政务外网主管部门",
        "第二十八条",
        "城关区教育局（单位编号 u0001，区划代码 540102）",
        "540102-I000001",
        "540102-D000001",
        "2026-春季检查-07",
        "2026年3月9日",
        "540100-C000001",
        "关于城关区教育局终端感染勒索病毒事件的通报",
    ] {
        assert!(c.notice.text.contains(part), "text has {part}: {}", c.notice.text);
    }
    assert!(c.notice.html.contains("@page"));
    let duty = issue(request(CircularKind::DutyFailure)).unwrap();
    assert!(duty.notice.text.contains("第二十九条第（一）项") && duty.notice.text.contains("追究相应责任"));
    let obstructed = issue(request(CircularKind::ObstructedInspection)).unwrap();
    assert!(obstructed.notice.text.contains("第二十九条第（二）项"));
    assert!(c.names(&NodeId::parse("540000/540100/540102").unwrap(), &UnitId::parse("u0001").unwrap()));
    assert!(!c.names(&NodeId::parse("540000/540100/540103").unwrap(), &UnitId::parse("u0001").unwrap()));
}

#[test]
fn article_29_names_a_unit_within_the_issuers_subtree() {
    let mut r = request(CircularKind::DutyFailure);
    r.units.clear();
    assert_eq!(field(issue(r).unwrap_err()), "units");
    let mut r = request(CircularKind::SecurityEvent);
    r.units.clear();
    assert!(issue(r).is_ok(), "a security event may name no unit");
    let mut r = request(CircularKind::SecurityEvent);
    r.units = vec![named("540000/540200/540202", "u0009", "桑珠孜区某局")];
    assert_eq!(field(issue(r).unwrap_err()), "units", "another prefecture's unit");
    let mut r = request(CircularKind::SecurityEvent);
    r.units.push(r.units[0].clone());
    assert_eq!(field(issue(r).unwrap_err()), "units", "named twice");
}

#[test]
fn bad_input_names_the_field() {
    let cases: [crate::testing::Breaks<CircularRequest>; 5] = [
        ("title", |r| r.title.clear()),
        ("facts", |r| r.facts = "  ".into()),
        ("units.name", |r| r.units[0].name.clear()),
        ("incidents", |r| r.incidents = vec!["540102-X1".into()]),
        ("orders", |r| r.orders = vec!["nonsense".into()]),
    ];
    for (name, spoil) in cases {
        let mut r = request(CircularKind::SecurityEvent);
        spoil(&mut r);
        assert_eq!(field(issue(r).unwrap_err()), name);
    }
}
