//! A scripted year of fault tickets in Lhasa's subtree, and the figures of
//! its evaluation computed by hand (Acceptance 5 at domain level).
//!
//! ```text
//!            540000 (region)                T11 — above the prefecture: not counted
//!           /               \
//!      540100 (Lhasa) ★      540200         T10 — another prefecture: not counted
//!      T8   /      \            \
//!      540102      540103        540202
//!      T0 T1 T2     T3 T4 T7
//!      T5 T6
//! ```
//!
//! ★ the scope evaluated; T0 was reported in 2025; the figures are taken at
//! 00:10 on 1 January 2027, Beijing time, with T7 (23:50 on 31 December)
//! still unanswered. Minutes below are from each ticket's report.

use chrono::TimeZone;
use extranet_ids::NodeId;

use super::*;
use crate::calendar::beijing;
use crate::fault::{FaultAction, FaultClass, FaultId, FaultReport, FaultTicket, Party};
use crate::unit::Contact;

const MIN: i64 = 60_000;

const TELECOM: &str = "中国电信拉萨分公司";
const MOBILE: &str = "中国移动拉萨分公司";
const NETWEI: &str = "拉萨网维科技";
const XINTONG: &str = "西藏信通运维";

const REGION: &str = "540000";
const LHASA: &str = "540000/540100";
const CHENGGUAN: &str = "540000/540100/540102";
const DOILUNG: &str = "540000/540100/540103";
const SAMZHUBZE: &str = "540000/540200/540202";

fn node(path: &str) -> NodeId {
    NodeId::parse(path).unwrap()
}

/// An instant given in Beijing time, Unix ms.
fn bj(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> i64 {
    beijing().with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap().timestamp_millis()
}

fn as_of() -> i64 {
    bj(2027, 1, 1, 0, 10)
}

/// A ticket reported at `at` at node `origin`, with the parties the
/// registry named there (`(id, name)`; ids differ per node, names do not).
fn reported(
    origin: &str,
    number: u64,
    class: FaultClass,
    at: i64,
    provider: Option<(&str, &str)>,
    maintainer: Option<(&str, &str)>,
) -> FaultTicket {
    let report = FaultReport {
        unit: None,
        access_point: "接入点机房".into(),
        description: "上联链路中断".into(),
        down_since_ms: at - 5 * MIN,
        contact: Contact { name: "卓玛".into(), phone: "13908901234".into() },
        class,
    };
    let mut t =
        FaultTicket::open(FaultId { origin: node(origin), number }, report, at, "operator", &node(origin)).unwrap();
    let party = |p: Option<(&str, &str)>| p.map(|(id, name)| Party { id: id.into(), name: name.into() });
    t.provider = party(provider);
    t.maintainer = party(maintainer);
    t
}

/// Applies the steps, each at its minute after the report.
fn steps(mut t: FaultTicket, steps: &[(i64, FaultAction)]) -> FaultTicket {
    let origin = t.id.origin.clone();
    for (minute, a) in steps {
        t.act(a.clone(), t.reported_at_ms + minute * MIN, "operator", &origin).unwrap();
    }
    t
}

fn close(score: Option<u8>) -> FaultAction {
    FaultAction::Close { satisfaction: score }
}

use FaultAction::{Acknowledge as Ack, MarkRepaired as Repaired, StartRepair as Start};
use FaultClass::{Backbone, RemoteTownship as Remote, Urban};

/// The year, as each ticket stands at [`as_of`].
fn year() -> Vec<FaultTicket> {
    let ct = Some(("ct", TELECOM));
    let cm = Some(("cm", MOBILE));
    let nw = Some(("nw", NETWEI));
    let xt = Some(("xt", XINTONG));
    // Doilung registers the same companies under its own ids
    let ct2 = Some(("telecom-dl", TELECOM));
    let cm2 = Some(("mobile-dl", MOBILE));
    let xt2 = Some(("xintong-dl", XINTONG));
    vec![
        // T0: 2025-12-31 23:30 Beijing, closed in 2026 — counts in 2025
        steps(
            reported(CHENGGUAN, 1, Urban, bj(2025, 12, 31, 23, 30), ct, nw),
            &[(10, Ack), (60, Repaired), (90, close(Some(1)))],
        ),
        // T1: 2026-01-01 07:30 Beijing (still 2025 in UTC): on time throughout, repaired
        // at the backbone's 2 h exactly
        steps(
            reported(CHENGGUAN, 2, Backbone, bj(2026, 1, 1, 7, 30), ct, nw),
            &[(20, Ack), (25, Start), (120, Repaired), (150, close(Some(5)))],
        ),
        // T2: answered 10 minutes late, repaired within 48 h
        steps(
            reported(CHENGGUAN, 3, Urban, bj(2026, 5, 4, 14, 0), ct, nw),
            &[(70, Ack), (1800, Repaired), (1860, close(Some(3)))],
        ),
        // T3: repaired after 80 h of a remote township's 72
        steps(
            reported(DOILUNG, 1, Remote, bj(2026, 7, 20, 8, 0), ct2, xt2),
            &[(40, Ack), (4800, Repaired), (4860, close(Some(2)))],
        ),
        // T4: 60 min, disputed, 40 min more: the clock resumed at 60 (100 ≤ 120)
        steps(
            reported(DOILUNG, 2, Backbone, bj(2026, 9, 1, 10, 0), cm2, xt2),
            &[
                (10, Ack),
                (60, Repaired),
                (300, FaultAction::Reopen { reason: "仍无法访问".into() }),
                (340, Repaired),
                (400, close(Some(4))),
            ],
        ),
        // T5: reported urban, found to be the backbone at 100 min, repaired at 150 > 120,
        // awaiting the unit's confirmation
        steps(
            reported(CHENGGUAN, 4, Urban, bj(2026, 10, 15, 11, 0), cm, nw),
            &[
                (30, Ack),
                (100, FaultAction::Reclassify { class: Backbone, reason: "实为骨干链路".into() }),
                (150, Repaired),
            ],
        ),
        // T6: no party registered; repaired after 50 h of 48, scored, disputed, still open 41 days on
        steps(
            reported(CHENGGUAN, 6, Urban, bj(2026, 11, 20, 16, 0), None, None),
            &[
                (45, Ack),
                (50, Start),
                (3000, Repaired),
                (3060, close(Some(1))),
                (3600, FaultAction::Reopen { reason: "再次中断".into() }),
            ],
        ),
        // T7: 2026-12-31 23:50 Beijing, unanswered at 00:10: both clocks undecided
        reported(DOILUNG, 3, Backbone, bj(2026, 12, 31, 23, 50), cm2, xt2),
        // T8: the prefecture's own, no O&M unit; answered at the hour exactly (on time);
        // 38 h 10 min of 48 used at as_of
        steps(
            reported(LHASA, 1, Urban, bj(2026, 12, 30, 10, 0), Some(("lt", TELECOM)), None),
            &[(60, Ack), (65, Start)],
        ),
        // T10, T11: outside Lhasa's subtree, under the same names
        steps(
            reported(SAMZHUBZE, 1, Backbone, bj(2026, 6, 1, 9, 0), ct, nw),
            &[(5, Ack), (30, Repaired), (40, close(Some(5)))],
        ),
        reported(REGION, 1, Urban, bj(2026, 6, 2, 9, 0), cm, xt),
    ]
}

fn class(class: FaultClass, faults: u32, decided: u32, within: u32) -> ClassFigures {
    ClassFigures { class, faults, decided, within }
}

fn mins(m: i64) -> Option<i64> {
    Some(m * MIN)
}

#[test]
fn the_prefecture_figures_of_a_scripted_year_equal_the_hand_computed_ones() {
    let (tickets, parties) = figures(&node(LHASA), 2026, &year(), as_of());
    assert_eq!(tickets, 8, "T1–T8; not T0 (2025), T10 (540200), T11 (the region)");
    let expected = vec![
        PartyFigures {
            kind: PartyKind::LinkProvider,
            name: TELECOM.into(),
            faults: 4,                    // T1 T2 T3 T8 (Chengguan's, Doilung's and Lhasa's ids, one name)
            response_decided: 4,          // all answered
            responded_within: 3,          // 20, 40, 60 ≤ 60; T2's 70 is not
            response_median_ms: mins(40), // [20, 40, 60, 70] → lower of 40 and 60
            response_worst_ms: mins(70),
            classes: vec![
                class(Backbone, 1, 1, 1), // T1: 120 ≤ 120
                class(Urban, 2, 1, 1),    // T2: 1800 ≤ 2880; T8: 2290 of 2880, undecided
                class(Remote, 1, 1, 0),   // T3: 4800 > 4320
            ],
            repair_median_ms: mins(1800), // [120, 1800, 4800]
            repair_worst_ms: mins(4800),
            open: 1,     // T8
            breaches: 2, // T2 response, T3 repair
            scored: 3,
            score_sum: 10, // 5 + 3 + 2
            score_counts: [0, 1, 1, 0, 1],
        },
        PartyFigures {
            kind: PartyKind::LinkProvider,
            name: MOBILE.into(),
            faults: 3,                    // T4 T5 T7
            response_decided: 2,          // T7: 20 of 60 minutes at as_of, undecided
            responded_within: 2,          // 10, 30
            response_median_ms: mins(10), // [10, 30] → lower = 10
            response_worst_ms: mins(30),
            // T5 counts as backbone, its class at as_of: T4 100 ≤ 120; T5 150 > 120; T7 20 of 120, undecided
            classes: vec![class(Backbone, 3, 2, 1)],
            repair_median_ms: mins(100), // [100, 150] → lower = 100
            repair_worst_ms: mins(150),
            open: 2,     // T5 (awaiting confirmation), T7
            breaches: 1, // T5 repair
            scored: 1,   // T4
            score_sum: 4,
            score_counts: [0, 0, 0, 1, 0],
        },
        PartyFigures {
            kind: PartyKind::LinkProvider,
            name: String::new(),
            faults: 1, // T6
            response_decided: 1,
            responded_within: 1,
            response_median_ms: mins(45),
            response_worst_ms: mins(45),
            classes: vec![class(Urban, 1, 1, 0)], // 50 h and more, running again: decided, late
            repair_median_ms: None,               // not repaired as it stands
            repair_worst_ms: None,
            open: 1,
            breaches: 1, // repair, at 50 h
            scored: 0,   // its 1 was for a repair it then disputed
            score_sum: 0,
            score_counts: [0; 5],
        },
        PartyFigures {
            kind: PartyKind::Maintainer,
            name: NETWEI.into(),
            faults: 3, // T1 T2 T5
            response_decided: 3,
            responded_within: 2,          // 20, 30; not T2's 70
            response_median_ms: mins(30), // [20, 30, 70]
            response_worst_ms: mins(70),
            classes: vec![
                class(Backbone, 2, 2, 1), // T1 120 ≤ 120; T5 150 > 120
                class(Urban, 1, 1, 1),    // T2
            ],
            repair_median_ms: mins(150), // [120, 150, 1800]
            repair_worst_ms: mins(1800),
            open: 1,     // T5
            breaches: 2, // T2 response, T5 repair
            scored: 2,
            score_sum: 8, // 5 + 3
            score_counts: [0, 0, 1, 0, 1],
        },
        PartyFigures {
            kind: PartyKind::Maintainer,
            name: XINTONG.into(),
            faults: 3,                    // T3 T4 T7
            response_decided: 2,          // not T7
            responded_within: 2,          // 40, 10
            response_median_ms: mins(10), // [10, 40] → lower = 10
            response_worst_ms: mins(40),
            classes: vec![
                class(Backbone, 2, 1, 1), // T4 100 ≤ 120; T7 undecided
                class(Remote, 1, 1, 0),   // T3
            ],
            repair_median_ms: mins(100), // [100, 4800] → lower = 100
            repair_worst_ms: mins(4800),
            open: 1,     // T7
            breaches: 1, // T3 repair
            scored: 2,
            score_sum: 6, // 2 + 4
            score_counts: [0, 1, 0, 1, 0],
        },
        PartyFigures {
            kind: PartyKind::Maintainer,
            name: String::new(),
            faults: 2, // T6, T8
            response_decided: 2,
            responded_within: 2,          // 45, 60
            response_median_ms: mins(45), // [45, 60] → lower = 45
            response_worst_ms: mins(60),
            classes: vec![class(Urban, 2, 1, 0)], // T6 decided late; T8 2290 of 2880, undecided
            repair_median_ms: None,
            repair_worst_ms: None,
            open: 2,
            breaches: 1, // T6
            scored: 0,   // T6's 1 does not count while it is reopened
            score_sum: 0,
            score_counts: [0; 5],
        },
    ];
    assert_eq!(parties, expected);
}

#[test]
fn a_county_evaluation_covers_its_own_tickets_and_each_kind_adds_up_to_them() {
    let year = year();
    let (tickets, parties) = figures(&node(CHENGGUAN), 2026, &year, as_of());
    assert_eq!(tickets, 4, "T1 T2 T5 T6: not Doilung's, nor its parent Lhasa's T8");
    let rows: Vec<(PartyKind, &str, u32)> = parties.iter().map(|p| (p.kind, p.name.as_str(), p.faults)).collect();
    assert_eq!(
        rows,
        [
            (PartyKind::LinkProvider, TELECOM, 2), // T1 T2
            (PartyKind::LinkProvider, MOBILE, 1),  // T5
            (PartyKind::LinkProvider, "", 1),      // T6
            (PartyKind::Maintainer, NETWEI, 3),    // T1 T2 T5
            (PartyKind::Maintainer, "", 1),        // T6
        ]
    );
    for (scope, n) in [(LHASA, 8), (CHENGGUAN, 4), (DOILUNG, 3), (SAMZHUBZE, 1), (REGION, 10)] {
        let (tickets, parties) = figures(&node(scope), 2026, &year, as_of());
        assert_eq!(tickets, n, "{scope}");
        for kind in [PartyKind::LinkProvider, PartyKind::Maintainer] {
            let sum: u32 = parties.iter().filter(|p| p.kind == kind).map(|p| p.faults).sum();
            assert_eq!(sum, n, "{scope}: each ticket once per kind");
        }
    }
}

#[test]
fn a_ticket_counts_in_the_beijing_year_it_was_reported_in() {
    let year = year();
    let (tickets, parties) = figures(&node(LHASA), 2025, &year, as_of());
    assert_eq!(tickets, 1, "T0, reported 23:30 on 31 December 2025, Beijing time");
    assert_eq!(parties[0].score_counts, [1, 0, 0, 0, 0], "scored 1 when closed in 2026: still 2025's");
    assert_eq!(figures(&node(LHASA), 2027, &year, as_of()).0, 0);
}

#[test]
fn a_fault_reported_at_23_50_on_31_december_is_not_judged_at_00_10_but_is_once_its_time_runs_out() {
    let t7 = vec![reported(DOILUNG, 3, Backbone, bj(2026, 12, 31, 23, 50), None, None)];
    let at = |h, m| figures(&node(DOILUNG), 2026, &t7, bj(2027, 1, 1, h, m)).1.remove(0);
    let f = at(0, 10);
    assert_eq!((f.response_decided, f.classes[0].decided, f.open), (0, 0, 1));
    // 00:50 is the response deadline itself, not past it; 00:51 is
    assert_eq!(at(0, 50).response_decided, 0);
    let f = at(0, 51);
    assert_eq!((f.response_decided, f.responded_within), (1, 0));
    // 120 minutes of repair at 01:50 are within the limit; 121 at 01:51 are not
    assert_eq!(at(1, 50).classes[0], class(Backbone, 1, 0, 0));
    assert_eq!(at(1, 51).classes[0], class(Backbone, 1, 1, 0));
}

#[test]
fn shares_are_unknown_rather_than_zero_when_nothing_is_decided() {
    assert_eq!(share(3, 4), Some(0.75));
    assert_eq!(share(0, 0), None);
    let (_, parties) = figures(&node(LHASA), 2026, &year(), as_of());
    assert_eq!(parties[0].mean_score(), Some(10.0 / 3.0)); // (5 + 3 + 2) / 3
    assert_eq!(parties[2].mean_score(), None);
    assert_eq!(parties[0].repair_totals(), (3, 2)); // backbone 1/1, urban 1/1 of 2, remote 0/1
}

fn assessment(kind: PartyKind, name: &str, item: AssessedItem) -> Assessment {
    Assessment { kind, name: name.into(), item, grade: Grade::Good, comment: "依据全年巡检记录".into() }
}

#[test]
fn assessments_name_a_measured_party_and_an_item_of_its_kind_once_each() {
    use AssessedItem::*;
    use PartyKind::{LinkProvider as P, Maintainer as M};
    let (_, parties) = figures(&node(LHASA), 2026, &year(), as_of());
    let good = vec![
        assessment(P, TELECOM, Bandwidth),
        assessment(P, TELECOM, Protection),
        assessment(P, MOBILE, Other),
        assessment(M, NETWEI, DailyMaintenance),
        assessment(M, XINTONG, Assurance),
        assessment(M, XINTONG, Other),
    ];
    check_assessments(&parties, &good).unwrap();
    let refused = |bad: Assessment| {
        let mut all = good.clone();
        all.insert(1, bad);
        check_assessments(&parties, &all).unwrap_err().to_string()
    };
    let e = refused(assessment(P, "中国联通拉萨分公司", Bandwidth));
    assert!(e.contains("assessments.name") && e.contains("第 2 项") && e.contains("中国联通拉萨分公司"), "{e}");
    let e = refused(assessment(M, TELECOM, Bandwidth));
    assert!(e.contains("assessments.name") && e.contains("运维服务单位"), "a provider's name is not an O&M unit: {e}");
    let e = refused(assessment(P, "", Bandwidth));
    assert!(e.contains("assessments.name") && e.contains("未登记单位"), "{e}");
    let e = refused(assessment(M, NETWEI, Bandwidth));
    assert!(e.contains("assessments.item") && e.contains("日常维护、安全保障、其他事项"), "{e}");
    let e = refused(assessment(P, TELECOM, Protection));
    assert!(e.contains("assessments.item") && e.contains("只能评估一次"), "{e}");
    let mut long = assessment(P, MOBILE, Bandwidth);
    long.comment = "长".repeat(crate::limits::MAX_TEXT_CHARS + 1);
    let e = refused(long);
    assert!(e.contains("assessments.comment") && e.contains("2000"), "{e}");
}

#[test]
fn a_registered_party_with_a_clean_year_gets_a_row_and_can_be_assessed() {
    use PartyKind::{LinkProvider as P, Maintainer as M};
    let (_, mut parties) = figures(&node(LHASA), 2026, &year(), as_of());
    let before = parties.len();
    let unicom = "中国联通拉萨分公司";
    add_registered(&mut parties, [(P, unicom.to_string()), (P, TELECOM.to_string()), (M, " ".to_string())]);
    assert_eq!(parties.len(), before + 1, "only the party without tickets is added, and no nameless one");
    let names: Vec<(PartyKind, &str)> = parties.iter().map(|p| (p.kind, p.name.as_str())).collect();
    // providers by name (中国电信… < 中国移动… < 中国联通… in code-point order), the nameless row last
    let providers: Vec<&str> = names.iter().filter(|(k, _)| *k == P).map(|(_, n)| *n).collect();
    let mut sorted = providers.clone();
    sorted[..providers.len() - 1].sort_unstable();
    assert_eq!(providers, sorted);
    assert_eq!(providers.last(), Some(&""), "the row of tickets with no provider stays last");
    let row = parties.iter().find(|p| p.name == unicom).unwrap();
    assert_eq!((row.faults, row.response_decided, row.open, row.scored), (0, 0, 0, 0));
    assert_eq!(row.response_median_ms, None);
    check_assessments(&parties, &[assessment(P, unicom, AssessedItem::Bandwidth)]).unwrap();
}
