use super::*;

const T0: i64 = 1_796_000_000_000;

fn n(s: &str) -> NodeId {
    NodeId::parse(s).unwrap()
}

fn proposal() -> Proposal {
    Proposal {
        title: "县级核心节点设备更换".into(),
        description: "更换核心交换机并调整上联链路".into(),
        scope: "全县政务外网接入单位".into(),
        planned_start: "2027-03-01".parse().unwrap(),
        contact: Contact { name: "次仁".into(), phone: "13908905678".into() },
    }
}

fn applied() -> MajorAdjustment {
    let id = ApprovalId { origin: n("540000/540100/540102"), number: 1 };
    MajorAdjustment::apply(id, proposal(), T0, "operator", "2026-12-01".parse().unwrap()).unwrap()
}

fn decision(a: &MajorAdjustment, level: &str, verdict: Verdict, at: i64) -> Decision {
    let level = n(level);
    let facts = NoticeFacts {
        level: &level,
        division: None,
        verdict,
        reason: "理由",
        number: format!("{}〔2026〕S001号", level.code()),
        on: "2026-12-02".parse().unwrap(),
        by: "operator",
    };
    Decision { notice: a.notice(&facts), level, verdict, by: "operator".into(), at_ms: at, reason: "理由".into() }
}

#[test]
fn it_is_approved_only_once_the_region_has_approved() {
    let mut a = applied();
    assert_eq!(a.path(), vec![n("540000/540100"), n("540000")], "prefecture first, then the region");
    assert_eq!(a.stage(), Stage::Pending(n("540000/540100")));
    // the region may not decide before the prefecture
    let e = a.check_decision(&n("540000"), Verdict::Approved, "").unwrap_err();
    assert!(matches!(&e, DomainError::FailedPrecondition(m) if m.contains("尚待 540100")), "{e:?}");
    a.check_decision(&n("540000/540100"), Verdict::Approved, "").unwrap();
    assert!(a.record(decision(&a, "540000/540100", Verdict::Approved, T0 + 1000)));
    assert_eq!(a.stage(), Stage::Pending(n("540000")), "passed up, not yet approved");
    assert!(!a.record(decision(&a, "540000/540100", Verdict::Rejected, T0 + 2000)), "a level decides once");
    assert!(a.record(decision(&a, "540000", Verdict::Approved, T0 + 5000)));
    assert_eq!(a.stage(), Stage::Approved);
    let waits = a.waits();
    assert_eq!(waits.len(), 2);
    assert_eq!((waits[0].since_ms, waits[0].decided_ms), (T0, Some(T0 + 1000)));
    assert_eq!(
        (waits[1].since_ms, waits[1].decided_ms),
        (T0 + 1000, Some(T0 + 5000)),
        "the region's wait starts at the prefecture's approval"
    );
    assert!(a.check_decision(&n("540000"), Verdict::Approved, "").is_err(), "nothing left to decide");
}

#[test]
fn a_rejection_ends_it_and_must_say_why() {
    let mut a = applied();
    let e = a.check_decision(&n("540000/540100"), Verdict::Rejected, "  ").unwrap_err();
    assert!(matches!(e, DomainError::Invalid { field: "reason", .. }));
    a.record(decision(&a, "540000/540100", Verdict::Rejected, T0 + 1));
    assert_eq!(a.stage(), Stage::Rejected(n("540000/540100")));
    assert!(a.check_decision(&n("540000"), Verdict::Approved, "").is_err());
    assert_eq!(a.waits().len(), 1, "it never reached the region");
}

#[test]
fn decisions_arriving_out_of_order_give_the_same_stage() {
    let mut a = applied();
    // the region's decision reaches the county before the prefecture's (two streams)
    let region = decision(&a, "540000", Verdict::Approved, T0 + 5);
    let pref = decision(&a, "540000/540100", Verdict::Approved, T0 + 1);
    assert!(a.record(region));
    assert_eq!(a.stage(), Stage::Pending(n("540000/540100")), "not approved until every level is held");
    assert!(a.record(pref));
    assert_eq!(a.stage(), Stage::Approved);
    assert!(!a.record(decision(&a, "540000/540200", Verdict::Approved, T0)), "a level off the path is ignored");
}

#[test]
fn the_region_does_not_apply_and_a_past_start_is_refused() {
    let id = ApprovalId { origin: n("540000"), number: 1 };
    let today = "2026-12-01".parse().unwrap();
    assert!(matches!(MajorAdjustment::apply(id, proposal(), T0, "op", today), Err(DomainError::FailedPrecondition(_))));
    let id = ApprovalId { origin: n("540000/540100"), number: 1 };
    let past = Proposal { planned_start: "2026-11-30".parse().unwrap(), ..proposal() };
    assert!(matches!(
        MajorAdjustment::apply(id, past, T0, "op", today),
        Err(DomainError::Invalid { field: "planned_start", .. })
    ));
}

#[test]
fn the_notice_names_the_application_the_verdict_and_article_21() {
    let a = applied();
    let d = decision(&a, "540000/540100", Verdict::Rejected, T0);
    for part in [
        "540102-S000001",
        "县级核心节点设备更换",
        "不同意开展",
        "不同意的理由：理由",
        "第二十一条",
        "540100〔2026〕S001号",
    ] {
        assert!(d.notice.text.contains(part), "{part}: {}", d.notice.text);
    }
    let up = decision(&a, "540000/540100", Verdict::Approved, T0);
    assert!(up.notice.text.contains("已报上级主管部门审批"), "{}", up.notice.text);
    assert!(d.notice.html.contains("size: A4"));
}
