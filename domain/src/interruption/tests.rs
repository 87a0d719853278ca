use extranet_ids::NodeId;

use super::*;
use crate::error::DomainError;
use crate::unit::Contact;

const T0: i64 = 1_764_000_000_000;
const MIN: i64 = 60_000;
const HOUR: i64 = 60 * MIN;

fn request(start: i64, end: i64) -> Plan {
    Plan {
        unit: Some(UnitId::parse("u0001").unwrap()),
        affects: Affects::System,
        affected: "社保业务系统（全县各乡镇窗口）".into(),
        reason: "数据库版本升级".into(),
        window_start_ms: start,
        window_end_ms: end,
        contact: Contact { name: "次仁".into(), phone: "13908905678".into() },
    }
}

fn opened(start: i64, end: i64) -> Interruption {
    let id = InterruptionId { origin: NodeId::parse("540000/540100/540102").unwrap(), number: 1 };
    Interruption::request(id, request(start, end), T0, "unit:u0001").unwrap()
}

fn precondition(e: DomainError) -> String {
    match e {
        DomainError::FailedPrecondition(m) => m,
        other => panic!("expected a failed precondition, got {other:?}"),
    }
}

#[test]
fn it_cannot_start_before_its_level_approves_it() {
    let mut i = opened(T0 + HOUR, T0 + 3 * HOUR);
    let m = precondition(i.act(InterruptionAction::Start, T0 + HOUR, "unit:u0001").unwrap_err());
    assert!(m.contains("第二十四条") && m.contains("批准"), "{m}");
    assert_eq!((i.state, i.history.len(), i.revision), (InterruptionState::Requested, 1, 1), "nothing changed");
    i.act(InterruptionAction::Approve { note: String::new() }, T0 + 10 * MIN, "operator").unwrap();
    i.act(InterruptionAction::Start, T0 + HOUR, "unit:u0001").unwrap();
    assert_eq!(i.state, InterruptionState::UnderWay);
    i.act(InterruptionAction::Finish { note: "升级完成".into() }, T0 + 2 * HOUR, "unit:u0001").unwrap();
    assert_eq!(i.state, InterruptionState::Finished);
    assert_eq!(i.overrun_ms(T0 + 9 * HOUR), 0, "finished inside its window");
    assert_eq!(i.revision, 4);
}

#[test]
fn the_approved_window_bounds_the_start_and_an_overrun_is_measured() {
    let mut i = opened(T0 + HOUR, T0 + 3 * HOUR);
    i.act(InterruptionAction::Approve { note: "夜间实施".into() }, T0 + MIN, "operator").unwrap();
    // 16 minutes early: refused; 15 minutes early: allowed
    let m = precondition(i.act(InterruptionAction::Start, T0 + HOUR - 16 * MIN, "operator").unwrap_err());
    assert!(m.contains("提前 15 分钟"), "{m}");
    i.act(InterruptionAction::Start, T0 + HOUR - 15 * MIN, "operator").unwrap();
    // under way 40 minutes past the window's end
    assert_eq!(i.overrun_ms(T0 + 3 * HOUR + 40 * MIN), 40 * MIN);
    i.act(InterruptionAction::Finish { note: String::new() }, T0 + 3 * HOUR + 25 * MIN, "operator").unwrap();
    assert_eq!(i.overrun_ms(T0 + 10 * HOUR), 25 * MIN, "measured to the finish, not to now");
}

#[test]
fn a_window_already_over_cannot_start_and_a_past_one_cannot_be_asked_for() {
    let mut i = opened(T0 + HOUR, T0 + 2 * HOUR);
    i.act(InterruptionAction::Approve { note: String::new() }, T0, "operator").unwrap();
    let m = precondition(i.act(InterruptionAction::Start, T0 + 2 * HOUR + 1, "operator").unwrap_err());
    assert!(m.contains("重新申请"), "{m}");
    let id = i.id.clone();
    let late = Interruption::request(id.clone(), request(T0 - 6 * MIN, T0 + HOUR), T0, "operator").unwrap_err();
    assert!(precondition(late).contains("事后申请"));
    // a window opening now (the requester's clock a little behind) is fine
    assert!(Interruption::request(id, request(T0 - 4 * MIN, T0 + HOUR), T0, "operator").is_ok());
}

#[test]
fn a_request_names_the_field_that_breaks_a_rule() {
    let id = InterruptionId { origin: NodeId::parse("540000/540100/540102").unwrap(), number: 2 };
    let field = |r: Plan| match Interruption::request(id.clone(), r, T0, "operator").unwrap_err() {
        DomainError::Invalid { field, .. } => field,
        other => panic!("{other:?}"),
    };
    assert_eq!(field(request(T0 + 2 * HOUR, T0 + HOUR)), "window_end");
    assert_eq!(field(request(T0 + HOUR, T0 + HOUR + MAX_WINDOW_MS + 1)), "window_end");
    assert_eq!(field(Plan { affected: "  ".into(), ..request(T0 + HOUR, T0 + 2 * HOUR) }), "affected");
    assert_eq!(field(Plan { reason: String::new(), ..request(T0 + HOUR, T0 + 2 * HOUR) }), "reason");
}

#[test]
fn deciding_takes_a_reason_and_ends_the_request() {
    let mut i = opened(T0 + HOUR, T0 + 2 * HOUR);
    assert!(matches!(
        i.act(InterruptionAction::Reject { reason: " ".into() }, T0, "operator"),
        Err(DomainError::Invalid { field: "reason", .. })
    ));
    i.act(InterruptionAction::Reject { reason: "与全区割接窗口冲突".into() }, T0 + MIN, "operator").unwrap();
    assert!(i.state.is_final());
    for a in [InterruptionAction::Approve { note: String::new() }, InterruptionAction::Start] {
        assert!(matches!(i.act(a, T0 + 2 * MIN, "operator"), Err(DomainError::FailedPrecondition(_))));
    }
    assert_eq!(i.history.last().unwrap().note, "与全区割接窗口冲突");
}

#[test]
fn a_unit_withdraws_and_starts_but_does_not_decide() {
    assert!(!InterruptionAction::Approve { note: String::new() }.unit_may());
    assert!(!InterruptionAction::Reject { reason: "x".into() }.unit_may());
    assert!(InterruptionAction::Start.unit_may());
    assert!(InterruptionAction::Withdraw { reason: "x".into() }.unit_may());
    let mut i = opened(T0 + HOUR, T0 + 2 * HOUR);
    i.act(InterruptionAction::Approve { note: String::new() }, T0, "operator").unwrap();
    i.act(InterruptionAction::Withdraw { reason: "推迟到下月".into() }, T0 + MIN, "unit:u0001").unwrap();
    assert_eq!(i.state, InterruptionState::Withdrawn);
    assert_eq!(i.entered_ms(InterruptionState::Approved), Some(T0));
}

#[test]
fn a_window_is_typed_in_beijing_time() {
    use crate::calendar::parse_beijing_ms;
    // 22:00 in Beijing is 14:00 UTC: 2026-12-05T14:00:00Z
    let expected = 1_796_479_200_000;
    for typed in ["2026-12-05 22:00", "2026-12-05T22:00", "2026-12-05 22:00:00", "2026-12-05T14:00:00Z"] {
        assert_eq!(parse_beijing_ms("window_start", typed).unwrap(), expected, "{typed}");
    }
    assert!(matches!(
        parse_beijing_ms("window_start", "12/05 22:00"),
        Err(DomainError::Invalid { field: "window_start", .. })
    ));
}
