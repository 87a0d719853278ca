//! Checked-in bytes of every stored record and of the JSON access payloads,
//! as the formats stood before records carried a version (version 0), and
//! the sample values they hold. The tests decode the files with today's
//! code: a change that can no longer read what a node wrote before fails
//! here, not on an operator's disk. The files live in
//! `node/tests/fixtures/`: `store/v0/` and `wire/*.v1/` were written by the
//! code before formats carried versions (commit 69f7bbf); the current ones
//! by [`write_current_fixtures`], which never rewrites an existing file.

use std::path::PathBuf;

use extranet_certs::NodeId;
use extranet_federation::{Channel, Envelope, Route, Scope, StreamId};

use crate::calendar::CalendarDocument;
use crate::codec::AccessMessage;
use crate::domain::access::Rejection;
use crate::domain::ipam::{
    AddressLedgerEntry, AssigneeId, Assignment, AssignmentId, Delegation, Purpose, RecordState, RequestId,
    RequestState, Reservation, SpaceRequest,
};
use crate::domain::testing::sample;
use crate::domain::{
    AddressReclaim, AppState, Application, ApplicationKind, ChecklistItem, Cutover, DeadlineSummary, Filing,
    FilingDetails, FilingId, Launch, Receipt, Transition, UnitId, WithdrawalEntry, WrittenNotice,
};
use crate::store::Unapplied;

/// The folder of the fixture files.
pub(crate) fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The bytes of fixture `name` (e.g. `store/v0/application.json`).
pub(crate) fn read(name: &str) -> Vec<u8> {
    std::fs::read(dir().join(name)).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

fn node(s: &str) -> NodeId {
    NodeId::parse(s).unwrap()
}

/// A county application that went through most of its life: rejected with
/// a notice, a plan, a ledger number and history, so every field is set.
pub(crate) fn application() -> Application {
    let mut app = sample(ApplicationKind::New, "2026-12-01".parse().unwrap());
    app.routing.competent = node("540000/540100");
    app.routing.reason = "跨县接入，由地市受理（第十五条）".into();
    app.state = AppState::Rejected;
    app.revision = 4;
    app.access_plan = Some("经城关区汇聚节点接入".into());
    app.ledger_number = Some(7);
    app.deadlines.review.met_on = Some("2026-12-03".parse().unwrap());
    app.rejection = Some(Rejection {
        reasons: "安全措施不足".into(),
        notice: WrittenNotice {
            number: "540100〔2026〕A000001号".into(),
            issued_on: "2026-12-04".parse().unwrap(),
            authority: node("540000/540100"),
            text: "不予接入".into(),
            html: "<p>不予接入</p>".into(),
        },
    });
    app.history = vec![Transition {
        state: AppState::Rejected,
        at_ms: 1_764_800_000_000,
        by: "operator".into(),
        node: node("540000/540100"),
        note: "不予接入".into(),
    }];
    app
}

/// The deadline summary of [`application`].
pub(crate) fn deadline_summary() -> DeadlineSummary {
    // as stored and sent before summaries carried the kind
    DeadlineSummary { kind: None, ..application().summary() }
}

/// A withdrawal ledger entry.
pub(crate) fn ledger_entry() -> WithdrawalEntry {
    WithdrawalEntry {
        number: 3,
        recorded_on: "2026-12-05".parse().unwrap(),
        recorded_by: "operator".into(),
        unit_node: node("540000/540100/540102"),
        unit_id: UnitId::parse("u0001").unwrap(),
        unit_name: "城关区教育局".into(),
        division: node("540000/540100/540102"),
        application: "540102-A000002".into(),
        reason: "机构撤并".into(),
        devices: vec![ChecklistItem { item: "路由器".into(), reclaimed: true, device: None }],
        address_reclaim: AddressReclaim::Done { released: vec!["2001:db8:1::/48".into()] },
        devices_registered: false,
        closed_on: None,
    }
}

/// Two filings: a cutover with a receipt, and a launch.
pub(crate) fn filings() -> Vec<Filing> {
    let origin = node("540000/540100/540102");
    let cutover = Cutover {
        affected_units: vec!["城关区教育局".into()],
        window_start: chrono::DateTime::parse_from_rfc3339("2026-12-05T22:00:00+08:00").unwrap(),
        window_end: chrono::DateTime::parse_from_rfc3339("2026-12-06T01:00:00+08:00").unwrap(),
        notified_on: "2026-12-01".parse().unwrap(),
        description: "核心交换机更换".into(),
        major_adjustment: false,
        major_approval: None,
        affected_names: Vec::new(),
        contact: String::new(),
    };
    let launch = Launch {
        system_name: "政务服务平台".into(),
        owning_unit: "城关区政府办".into(),
        launch_date: "2026-12-10".parse().unwrap(),
        addresses: vec!["2001:db8:1:1::/64".parse().unwrap()],
        security_test_ref: "测评〔2026〕12号".into(),
        assignments: Vec::new(),
    };
    vec![
        Filing {
            id: FilingId { origin: origin.clone(), number: 1 },
            filed_at_ms: 1_764_500_000_000,
            filed_by: "operator".into(),
            details: FilingDetails::Cutover(cutover),
            receipts: vec![Receipt { node: node("540000/540100"), received_at_ms: 1_764_500_000_500 }],
        },
        Filing {
            id: FilingId { origin, number: 2 },
            filed_at_ms: 1_764_600_000_000,
            filed_by: "operator".into(),
            details: FilingDetails::Launch(launch),
            receipts: vec![],
        },
    ]
}

/// A published calendar, cut to a few days so the fixture stays small.
pub(crate) fn calendar() -> CalendarDocument {
    let mut doc = CalendarDocument::builtin();
    doc.version = 2;
    doc.published_at_ms = 1_764_000_000_000;
    doc.published_by = "operator@540000".into();
    doc.days.truncate(3);
    doc
}

/// A prefecture's local calendar: one day off, version 1.
pub(crate) fn local_calendar() -> crate::calendar::LocalCalendar {
    let mut doc = calendar();
    doc.version = 1;
    doc.published_by = "operator@540100".into();
    doc.days = vec![crate::calendar::DayRule {
        date: "2026-12-07".parse().unwrap(),
        kind: crate::calendar::DayKind::Off,
        name: "测试本地假日".into(),
        scope: "local".into(),
    }];
    doc.history = [(1, doc.published_at_ms)].into();
    crate::calendar::LocalCalendar { subtree: node("540000/540100"), doc }
}

/// A delegation from the prefecture to the county.
pub(crate) fn delegation() -> Delegation {
    Delegation {
        parent: node("540000/540100"),
        number: 1,
        child: node("540000/540100/540102"),
        prefix: "2001:db8:1::/40".parse().unwrap(),
        by: "operator".into(),
        at_ms: 1_764_000_000_000,
        state: RecordState::Live,
    }
}

/// An ended IPv4 assignment (every optional field set).
pub(crate) fn assignment() -> Assignment {
    Assignment {
        id: AssignmentId { node: node("540000/540100/540102"), number: 5 },
        prefix: "10.20.0.0/24".parse().unwrap(),
        purpose: Purpose::AccessUnit,
        assignee: AssigneeId::new("u0001").unwrap(),
        serves: "540102-A000001".into(),
        by: "operator".into(),
        at_ms: 1_764_000_000_000,
        ipv4_justification: Some("老旧设备不支持 IPv6".into()),
        ipv4_approved_by: Some("处长".into()),
        state: RecordState::Ended {
            at_ms: 1_764_100_000_000,
            by: "系统".into(),
            reason: "单位撤销".into(),
            forced: false,
        },
    }
}

/// An address ledger entry.
pub(crate) fn address_ledger_entry() -> AddressLedgerEntry {
    AddressLedgerEntry {
        number: 9,
        at_ms: 1_764_100_000_000,
        by: "operator".into(),
        action: "回收".into(),
        assignee: Some(AssigneeId::new("u0001").unwrap()),
        prefixes: vec!["10.20.0.0/24".parse().unwrap()],
        reason: "单位撤销".into(),
    }
}

/// A reservation.
pub(crate) fn reservation() -> Reservation {
    Reservation {
        prefix: "2001:db8:ff::/48".parse().unwrap(),
        note: "预留".into(),
        by: "operator".into(),
        at_ms: 1_764_000_000_000,
    }
}

/// Two requests for more space: one granted, one refused.
pub(crate) fn space_requests() -> Vec<SpaceRequest> {
    let id = |number| RequestId { node: node("540000/540100/540102"), number };
    vec![
        SpaceRequest {
            id: id(1),
            v6: true,
            len: 44,
            reason: "新增单位".into(),
            by: "operator".into(),
            at_ms: 1_764_000_000_000,
            state: RequestState::Granted { prefix: "2001:db8:1::/39".parse().unwrap(), by: "自动".into(), at_ms: 1 },
        },
        SpaceRequest {
            id: id(2),
            v6: false,
            len: 24,
            reason: "老旧设备".into(),
            by: "operator".into(),
            at_ms: 1_764_000_000_000,
            state: RequestState::Refused { reason: "应使用 IPv6".into(), by: "operator".into(), at_ms: 2 },
        },
    ]
}

/// A root pool of the top node.
pub(crate) fn root() -> ipnet::IpNet {
    "2001:db8::/32".parse().unwrap()
}

/// A stored event (a down event scoped to a subtree).
pub(crate) fn envelope() -> Envelope {
    Envelope {
        origin: node("540000"),
        seq: 12,
        route: Route::Down(Scope::Subtree(node("540000/540100"))),
        kind: "calendar.v1".into(),
        payload: vec![0, 1, 2, 250],
        created_at_ms: 1_764_000_000_000,
    }
}

/// The cursors a peer acknowledged.
pub(crate) fn peer_cursors() -> Vec<(StreamId, u64)> {
    vec![
        (StreamId { origin: node("540000"), channel: Channel::Down }, 12),
        (StreamId { origin: node("540000/540100/540102"), channel: Channel::Up }, 40),
    ]
}

/// A held status summary: `(generated_at_ms, payload, heard_at_ms)`.
pub(crate) fn status_summary() -> (i64, Vec<u8>, i64) {
    (1_764_000_000_000, vec![8, 1, 16, 2], 1_764_000_000_250)
}

/// A fault ticket reported, answered late (a response breach) and repaired.
pub(crate) fn fault_ticket() -> crate::domain::FaultTicket {
    use crate::domain::fault::FaultReport;
    use crate::domain::{Contact, FaultAction, FaultClass, FaultId};
    let at = node("540000/540100/540102");
    let report = FaultReport {
        unit: Some(UnitId::parse("u0001").unwrap()),
        access_point: "城关区政府三楼机房".into(),
        description: "上联光缆中断".into(),
        down_since_ms: 1_764_000_000_000,
        contact: Contact { name: "卓玛".into(), phone: "13908901234".into() },
        class: FaultClass::Urban,
    };
    let mut t = crate::domain::FaultTicket::open(
        FaultId { origin: at.clone(), number: 1 },
        report,
        1_764_000_060_000,
        "operator",
        &at,
    )
    .unwrap();
    t.act(FaultAction::Acknowledge, 1_764_004_000_000, "operator", &at).unwrap();
    t.act(FaultAction::MarkRepaired, 1_764_010_000_000, "operator", &at).unwrap();
    t
}

/// A maintenance interruption requested by a unit, approved (its report
/// filed as filing 7) and under way.
pub(crate) fn interruption() -> crate::domain::Interruption {
    use crate::domain::interruption::{Interruption, Plan};
    use crate::domain::{Affects, Contact, FilingId, InterruptionAction, InterruptionId};
    let at = node("540000/540100/540102");
    let req = Plan {
        unit: Some(UnitId::parse("u0001").unwrap()),
        affects: Affects::System,
        affected: "社保业务系统（全县各乡镇窗口）".into(),
        reason: "数据库版本升级".into(),
        window_start_ms: 1_764_010_000_000,
        window_end_ms: 1_764_017_200_000,
        contact: Contact { name: "次仁".into(), phone: "13908905678".into() },
    };
    let mut i =
        Interruption::request(InterruptionId { origin: at.clone(), number: 1 }, req, 1_764_000_000_000, "unit:u0001")
            .unwrap();
    i.act(InterruptionAction::Approve { note: "夜间实施".into() }, 1_764_003_600_000, "operator").unwrap();
    i.filing = Some(FilingId { origin: at, number: 7 });
    i.act(InterruptionAction::Start, 1_764_010_000_000, "unit:u0001").unwrap();
    i
}

/// The filing that reported [`interruption`]'s approval.
pub(crate) fn interruption_filing() -> Filing {
    let i = interruption();
    Filing {
        id: i.filing.clone().unwrap(),
        filed_at_ms: 1_764_003_600_000,
        filed_by: "operator".into(),
        details: crate::domain::FilingDetails::Interruption(i.filing_details().unwrap()),
        receipts: vec![Receipt { node: node("540000/540100"), received_at_ms: 1_764_003_600_300 }],
    }
}

/// An application for a major adjustment approved at the prefecture and
/// waiting on the region.
pub(crate) fn approval() -> crate::domain::approval::MajorAdjustment {
    use crate::domain::approval::{ApprovalId, Decision, MajorAdjustment, NoticeFacts, Proposal, Verdict};
    let county = NodeId::parse("540000/540100/540102").unwrap();
    let proposal = Proposal {
        title: "县级核心节点设备更换".into(),
        description: "更换核心交换机并调整上联链路".into(),
        scope: "全县政务外网接入单位".into(),
        planned_start: "2026-03-01".parse().unwrap(),
        contact: crate::domain::Contact { name: "次仁".into(), phone: "13908905678".into() },
    };
    let id = ApprovalId { origin: county, number: 1 };
    let mut a =
        MajorAdjustment::apply(id, proposal, 1_764_000_000_000, "operator", "2026-01-01".parse().unwrap()).unwrap();
    let level = NodeId::parse("540000/540100").unwrap();
    let facts = NoticeFacts {
        level: &level,
        division: Some("拉萨市"),
        verdict: Verdict::Approved,
        reason: "同意，报自治区审批",
        number: "540100〔2026〕S001号".into(),
        on: "2026-01-02".parse().unwrap(),
        by: "operator",
    };
    let notice = a.notice(&facts);
    let (by, reason) = ("operator".into(), "同意，报自治区审批".into());
    a.record(Decision { notice, level, verdict: Verdict::Approved, by, at_ms: 1_764_100_000_000, reason });
    a
}

/// A disconnection order issued, reported rectified and lifted (both
/// written documents), on the weekends-only calendar.
pub(crate) fn order() -> crate::domain::Order {
    use crate::calendar::WorkCalendar;
    use crate::domain::order::{Issuer, OrderRequest};
    use crate::domain::{Order, OrderAction, OrderId};
    let at = node("540000/540100/540102");
    let cal = WorkCalendar::weekends_only();
    let issuer = |seq| Issuer { authority: &at, division: Some("城关区"), seq };
    let req = OrderRequest {
        unit: UnitId::parse("u0001").unwrap(),
        unit_name: "城关区教育局".into(),
        reason: "终端感染勒索病毒并向外网扫描".into(),
        working_days: 10,
    };
    let id = OrderId { origin: at.clone(), number: 1 };
    let mut o = Order::issue(id, req, &cal, 1_764_000_000_000, "operator", &issuer(1)).unwrap();
    let report = OrderAction::Rectified { report: "已重装系统并部署终端防护".into() };
    o.act(report, &cal, 1_764_100_000_000, "unit:u0001", &issuer(1)).unwrap();
    o.act(OrderAction::Lift { note: "复查无异常".into() }, &cal, 1_764_200_000_000, "operator", &issuer(1)).unwrap();
    o
}

/// A major incident told to two departments, reported up and closed.
pub(crate) fn incident() -> crate::domain::Incident {
    use crate::domain::incident::{Channel, DepartmentReportRequest, IncidentRequest};
    use crate::domain::{Contact, Department, Incident, IncidentAction, IncidentId};
    let req = IncidentRequest {
        unit: Some(UnitId::parse("u0001").unwrap()),
        title: "终端感染勒索病毒".into(),
        description: "三台办公终端文件被加密".into(),
        occurred_at_ms: 1_764_000_000_000,
        impact: "本单位办公网段".into(),
        measures: "已断开受感染终端".into(),
        major: true,
        contact: Contact { name: "次仁".into(), phone: "13908905678".into() },
    };
    let id = IncidentId { origin: node("540000/540100/540102"), number: 1 };
    let mut i = Incident::report(id, req, 1_764_000_600_000, "unit:u0001").unwrap();
    for (d, channel) in [(Department::PublicSecurity, Channel::Phone), (Department::Cyberspace, Channel::System)] {
        let r = DepartmentReportRequest {
            department: d,
            at_ms: 1_764_000_900_000,
            channel,
            reporter: "次仁".into(),
            note: "值班室".into(),
        };
        i.act(IncidentAction::Department(r), 1_764_001_000_000, "operator").unwrap();
    }
    i.act(IncidentAction::Decide { report_up: true, note: "影响跨单位".into() }, 1_764_002_000_000, "operator")
        .unwrap();
    i.act(IncidentAction::Close { note: "已清除病毒".into() }, 1_764_100_000_000, "operator").unwrap();
    i
}

/// A circular of Art.29(1) naming a unit and one reference of each kind.
pub(crate) fn circular() -> crate::domain::Circular {
    use crate::domain::circular::{CircularRequest, Issuer};
    use crate::domain::{Circular, CircularId, CircularKind, NamedUnit};
    let at = node("540000/540100");
    let req = CircularRequest {
        kind: CircularKind::DutyFailure,
        title: "城关区教育局未落实终端防护".into(),
        facts: "终端未安装终端管理软件".into(),
        requirements: "限期整改".into(),
        units: vec![NamedUnit {
            node: node("540000/540100/540102"),
            unit: UnitId::parse("u0001").unwrap(),
            name: "城关区教育局".into(),
        }],
        incidents: vec!["540102-I000001".into()],
        orders: vec!["540102-D000001".into()],
        inspections: vec!["2026-07".into()],
    };
    let issuer = Issuer { authority: &at, division: Some("拉萨市"), seq: 1 };
    Circular::issue(CircularId { origin: at.clone(), number: 1 }, req, 1_764_200_000_000, "operator", &issuer).unwrap()
}

/// A prefecture's inspection of a county: one rectification answered,
/// returned, answered again and accepted; one finding without an order.
pub(crate) fn inspection() -> crate::domain::inspection::Inspection {
    use crate::calendar::WorkCalendar;
    use crate::domain::inspection::{
        FindingRequest, Inspected, Inspection, InspectionId, InspectionRequest, Response, Review,
    };
    use crate::domain::order::Issuer;
    let at = node("540000/540100");
    let cal = WorkCalendar::weekends_only();
    let req = InspectionRequest {
        inspected: Inspected::Node(node("540000/540100/540102")),
        inspected_name: "城关区".into(),
        date: "2025-11-24".parse().unwrap(),
        scope: "运行、使用和安全管理情况".into(),
        inspectors: vec!["次仁".into(), "卓玛".into()],
        findings: vec![
            FindingRequest { text: "核心交换机管理口令为默认口令".into(), working_days: Some(5) },
            FindingRequest { text: "机房温湿度记录不全".into(), working_days: None },
        ],
    };
    let issuer = Issuer { authority: &at, division: Some("拉萨市"), seq: 1 };
    let id = InspectionId { origin: at.clone(), number: 1 };
    let mut i = Inspection::record(id, req, &cal, 1_764_000_000_000, "operator", &issuer).unwrap();
    let answer =
        |at_ms| Response { finding: 1, text: "已修改口令".into(), at_ms, by: "540000/540100/540102:op".into() };
    i.respond(&answer(1_764_100_000_000)).unwrap();
    i.review(1, Review::Return { reason: "未提供截图".into() }, 1_764_110_000_000, "operator").unwrap();
    i.respond(&answer(1_764_120_000_000)).unwrap();
    i.review(1, Review::Accept { note: "复查通过".into() }, 1_764_200_000_000, "operator").unwrap();
    i
}

/// An event stored but not applied.
pub(crate) fn unapplied() -> Unapplied {
    Unapplied {
        origin: "540000/540100/540102".into(),
        seq: 3,
        kind: "access.v1".into(),
        error: "申请事件无法解码".into(),
        at_ms: 1_764_000_000_000,
    }
}

/// The two `access.v1` messages (a forward and a decision).
pub(crate) fn access_messages() -> Vec<AccessMessage> {
    vec![
        AccessMessage::Forward { to: node("540000/540100"), application: Box::new(application()) },
        AccessMessage::Decision { to: node("540000/540100/540102"), application: Box::new(application()) },
    ]
}

/// Checks that fixture bytes decode to the sample they were written from.
pub(crate) type Check = Box<dyn Fn(&[u8])>;

/// A check that `bytes` decode, as stored record `T`, to `want`.
fn record<T: super::record::Record + PartialEq + std::fmt::Debug + 'static>(want: T) -> Check {
    Box::new(move |bytes| assert_eq!(super::keys::decode::<T>(bytes).unwrap(), want))
}

/// Every stored record's sample, by fixture name (without folder and suffix).
pub(crate) fn records() -> Vec<(&'static str, Vec<u8>, Check)> {
    fn row<T: super::record::Record + PartialEq + std::fmt::Debug + 'static>(
        name: &'static str,
        v: T,
    ) -> (&'static str, Vec<u8>, Check) {
        (name, super::keys::encode(&v).unwrap(), record(v))
    }
    let [cutover, launch] = <[Filing; 2]>::try_from(filings()).unwrap();
    let [granted, refused] = <[SpaceRequest; 2]>::try_from(space_requests()).unwrap();
    vec![
        row("application", application()),
        row("unit", application().unit),
        row("deadline_summary", deadline_summary()),
        row("ledger_entry", ledger_entry()),
        row("filing_cutover", cutover),
        row("filing_launch", launch),
        row("calendar", calendar()),
        row("delegation", delegation()),
        row("assignment", assignment()),
        row("address_ledger_entry", address_ledger_entry()),
        row("reservation", reservation()),
        row("space_request_granted", granted),
        row("space_request_refused", refused),
        row("root", root()),
        row("envelope", envelope()),
        row("peer_cursors", peer_cursors()),
        row("status_summary", status_summary()),
        row("unapplied", unapplied()),
    ]
}

/// The records added after formats carried a version: no version-0 file.
pub(crate) fn records_since_v1() -> Vec<(&'static str, Vec<u8>, Check)> {
    use crate::domain::fault::{AccessPoint, DutySlot, LinkProvider, MaintenanceUnit};
    use crate::domain::{Contact, FaultClass};
    fn row<T: super::record::Record + PartialEq + std::fmt::Debug + Clone + 'static>(
        name: &'static str,
        v: T,
    ) -> (&'static str, Vec<u8>, Check) {
        (name, super::keys::encode(&v).unwrap(), record(v))
    }
    let duty = Contact { name: "次仁".into(), phone: "13908900000".into() };
    vec![
        row("fault_ticket", fault_ticket()),
        row("interruption", interruption()),
        row("order", order()),
        row("approval", approval()),
        row("incident", incident()),
        row("circular", circular()),
        row("inspection", inspection()),
        row("private_network", super::fixtures_private_networks::private_network()),
        row("filing_interruption", interruption_filing()),
        row("system_request", super::fixtures_systems::system_request()),
        row("local_calendar", local_calendar()),
        row("filing_launch_linked", super::fixtures_systems::linked_launch()),
        row("filing_change", super::fixtures_systems::change()),
        row("filing_annual_report", super::fixtures_report::annual_report_v1()),
        row(
            "link_provider",
            LinkProvider {
                id: "telecom".into(),
                name: "中国电信西藏分公司".into(),
                hotline: "0891-10000".into(),
                platform: "10000号服务平台".into(),
                serves: vec!["cg-gov".into()],
            },
        ),
        row(
            "maintenance_unit",
            MaintenanceUnit {
                id: "cg-om".into(),
                name: "城关区运维中心".into(),
                area: "城关区全域".into(),
                roster: vec![DutySlot {
                    from_ms: 1_764_000_000_000,
                    until_ms: 1_764_043_200_000,
                    person: duty.clone(),
                }],
                emergency: vec![duty],
            },
        ),
        row(
            "access_point",
            AccessPoint {
                id: "cg-gov".into(),
                name: "城关区政府三楼机房".into(),
                unit: Some(UnitId::parse("u0001").unwrap()),
                class: FaultClass::Backbone,
                provider: Some("telecom".into()),
                maintainer: Some("cg-om".into()),
            },
        ),
    ]
}

/// Writes the fixtures of the current record formats that are missing
/// (`store/v<version>/*.bin`); existing files are history and never rewritten.
#[test]
#[ignore = "writes fixture files; run with EXTRANET_WRITE_FIXTURES=1 -- --ignored"]
fn write_current_fixtures() {
    if std::env::var("EXTRANET_WRITE_FIXTURES").is_err() {
        return;
    }
    let mut files: Vec<(String, Vec<u8>)> = records()
        .into_iter()
        .chain(records_since_v1())
        .map(|(name, bytes, _)| (format!("store/v{}/{name}.bin", bytes[0]), bytes))
        .collect();
    files.push(("store/v1/cursor.bin".into(), super::keys::u64_value(40).to_vec()));
    for m in access_messages() {
        let name = if matches!(m, AccessMessage::Forward { .. }) { "forward" } else { "decision" };
        files.push((format!("wire/access.v2/{name}.bin"), crate::codec::encode_access(&m)));
    }
    files.push(("wire/access.summary.v2/summary.bin".into(), crate::codec::encode_summary(&deadline_summary())));
    files.push(("wire/fault.v1/ticket.bin".into(), crate::codec::encode_fault(&fault_ticket())));
    files.push(("wire/interruption.v1/under_way.bin".into(), crate::codec::encode_interruption(&interruption())));
    files.push(("wire/order.v1/lifted.bin".into(), crate::codec::encode_order(&order())));
    files.push(("wire/approval.v1/waiting_on_region.bin".into(), crate::codec::encode_approval(&approval())));
    files.push(("wire/incident.v1/reported-up.bin".into(), crate::codec::encode_incident(&incident())));
    files.push(("wire/circular.v1/issued.bin".into(), crate::codec::encode_circular(&circular())));
    files.push(("wire/calendar.local.v1/lhasa.bin".into(), crate::codec::encode_local_calendar(&local_calendar())));
    files.push(("wire/inspection.v1/closed.bin".into(), crate::codec::encode_inspection(&inspection())));
    let net = crate::codec::encode_private_network(&super::fixtures_private_networks::private_network());
    files.push(("wire/private-network.v1/migrated.bin".into(), net));
    files.push(("wire/filing.v1/interruption.bin".into(), crate::codec::encode_filing(&interruption_filing())));
    let linked = crate::codec::encode_filing(&super::fixtures_systems::linked_launch());
    files.push(("wire/filing.v1/launch_linked.bin".into(), linked));
    files.push(("wire/filing.v1/change.bin".into(), crate::codec::encode_filing(&super::fixtures_systems::change())));
    let report = crate::codec::encode_filing(&super::fixtures_report::annual_report_v1());
    files.push(("wire/filing.v1/annual_report.bin".into(), report));
    for (name, bytes) in files {
        let path = dir().join(name);
        if !path.exists() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, bytes).unwrap();
        }
    }
}
