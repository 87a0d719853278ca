//! The access events between nodes, `access.v2` and `access.summary.v2`:
//! protobuf like every other event (`proto/extranet/v1/access_events.proto`),
//! carrying the whole record as its holder keeps it. A receiver checks what
//! a peer sent as it would a request: ids, enums and dates (every date in
//! range, so the calendar arithmetic never sees one near chrono's limits).
//! The older JSON kinds are read by `access_v1.rs`.

use extranet_certs::NodeId;
use extranet_proto::v1 as pb;
use prost::Message;

use super::access::form_to_pb;
use super::enums::WireEnum;
use super::{category_from_pb, kind_from_pb, node, route_to_pb, span_from_pb, state_from_pb, state_to_pb, unit_to_pb};
use crate::calendar::check_date;
use crate::domain::ChecklistItem;
use crate::domain::access::{Deadline, Rejection, ResourceSubject};
use crate::domain::{
    AccessUnit, AppState, Application, ApplicationForm, ApplicationId, Art15Case, Contact, DeadlineSummary, Deadlines,
    RoutingDecision, Transition, UnitId, WrittenNotice,
};
use crate::error::{NodeError, Result};

/// Event kind of a message about an application, to the node named in it.
pub const KIND_ACCESS: &str = "access.v2";
/// Event kind of an owner's deadline summary, travelling up for oversight.
pub const KIND_ACCESS_SUMMARY: &str = "access.summary.v2";

/// A message about an application to one node, carried as an access event
/// (up or down, relayed by the nodes in between as needed).
#[derive(Clone, Debug, PartialEq)]
pub enum AccessMessage {
    /// From the lodging node to the competent one: decide this.
    Forward {
        /// The competent node.
        to: NodeId,
        /// The application as lodged.
        application: Box<Application>,
    },
    /// From the competent node back to the lodging one: the owner's record.
    Decision {
        /// The lodging node.
        to: NodeId,
        /// The owner's record after the change.
        application: Box<Application>,
    },
    /// From the lodging node to the competent one: the applicant unit was
    /// updated where it is registered (Art.11).
    UnitChanged {
        /// The competent node.
        to: NodeId,
        /// The application's key.
        application: String,
        /// The unit as now registered.
        unit: Box<AccessUnit>,
    },
    /// From the node holding a withdrawn unit's devices to the node that
    /// decided the withdrawal: the device checklist as it stands (Art.17).
    DevicesReclaimed {
        /// The deciding node.
        to: NodeId,
        /// The withdrawal application's key.
        application: String,
        /// Every registered device of the unit under that withdrawal.
        devices: Vec<ChecklistItem>,
    },
    /// From a withdrawn unit's node to the node that decided the
    /// withdrawal: the prefixes its address management released (Art.17).
    AddressesReleased {
        /// The deciding node.
        to: NodeId,
        /// The withdrawal application's key.
        application: String,
        /// The prefixes released (none: the unit held none there).
        released: Vec<String>,
    },
}

impl AccessMessage {
    /// The node the message is for.
    pub fn to(&self) -> &NodeId {
        match self {
            AccessMessage::Forward { to, .. }
            | AccessMessage::Decision { to, .. }
            | AccessMessage::UnitChanged { to, .. }
            | AccessMessage::DevicesReclaimed { to, .. }
            | AccessMessage::AddressesReleased { to, .. } => to,
        }
    }
}

/// Payload of an `access.v2` event.
pub fn encode_access(m: &AccessMessage) -> Vec<u8> {
    let message = match m {
        AccessMessage::Forward { application, .. } => pb::access_event::Message::Forward(record_to_pb(application)),
        AccessMessage::Decision { application, .. } => pb::access_event::Message::Decision(record_to_pb(application)),
        AccessMessage::UnitChanged { application, unit, .. } => {
            pb::access_event::Message::UnitChanged(pb::UnitChanged {
                application: application.clone(),
                unit: Some(super::unit_to_pb(unit)),
            })
        }
        AccessMessage::DevicesReclaimed { application, devices, .. } => {
            pb::access_event::Message::DevicesReclaimed(pb::DevicesReclaimed {
                application: application.clone(),
                devices: devices.iter().map(super::ledger_item_to_pb).collect(),
            })
        }
        AccessMessage::AddressesReleased { application, released, .. } => {
            pb::access_event::Message::AddressesReleased(pb::AddressesReleased {
                application: application.clone(),
                released: released.clone(),
            })
        }
    };
    pb::AccessEvent { to: m.to().to_string(), message: Some(message) }.encode_to_vec()
}

/// Reads an `access.v2` payload; every date must lie in range.
pub fn decode_access(bytes: &[u8]) -> Result<AccessMessage> {
    let e = super::decode_payload::<pb::AccessEvent>(bytes, "申请事件")?;
    let to = node("to", &e.to)?;
    let m = match e.message {
        Some(pb::access_event::Message::Forward(r)) => AccessMessage::Forward { to, application: record_from_pb(r)? },
        Some(pb::access_event::Message::Decision(r)) => AccessMessage::Decision { to, application: record_from_pb(r)? },
        Some(pb::access_event::Message::UnitChanged(c)) => {
            ApplicationId::check_key(&c.application)?;
            AccessMessage::UnitChanged { to, application: c.application, unit: Box::new(unit_record_from_pb(c.unit)?) }
        }
        Some(pb::access_event::Message::DevicesReclaimed(c)) => {
            ApplicationId::check_key(&c.application)?;
            let devices = c.devices.into_iter().map(super::ledger_item_from_pb).collect::<Result<_>>()?;
            AccessMessage::DevicesReclaimed { to, application: c.application, devices }
        }
        Some(pb::access_event::Message::AddressesReleased(c)) => {
            ApplicationId::check_key(&c.application)?;
            for p in &c.released {
                p.parse::<ipnet::IpNet>().map_err(|_| NodeError::invalid("released", format!("“{p}” 不是地址前缀")))?;
            }
            AccessMessage::AddressesReleased { to, application: c.application, released: c.released }
        }
        None => return Err(NodeError::invalid("message", "申请事件缺少内容（转办或决定）")),
    };
    Ok(m)
}

/// Payload of an `access.summary.v2` event.
pub fn encode_summary(s: &DeadlineSummary) -> Vec<u8> {
    pb::AccessSummaryEvent {
        id: s.id.clone(),
        owner: s.owner.to_string(),
        state: state_to_pb(s.state) as i32,
        revision: s.revision,
        deadlines: Some(deadlines_to_pb(&s.deadlines)),
        kind: s.kind.map_or(0, |k| k.to_pb() as i32),
    }
    .encode_to_vec()
}

/// Reads an `access.summary.v2` payload; every date must lie in range.
pub fn decode_summary(bytes: &[u8]) -> Result<DeadlineSummary> {
    let e = super::decode_payload::<pb::AccessSummaryEvent>(bytes, "期限摘要事件")?;
    ApplicationId::check_key(&e.id)?;
    let s = DeadlineSummary {
        id: e.id,
        owner: node("summary.owner", &e.owner)?,
        state: state("summary.state", e.state)?,
        revision: e.revision,
        deadlines: deadlines_from_pb("summary.deadlines", e.deadlines)?,
        kind: match e.kind {
            0 => None,
            k => Some(kind_from_pb(k)?),
        },
    };
    check_deadlines("summary.deadlines", &s.deadlines)?;
    Ok(s)
}

/// Checks the dates of a peer's deadlines (the calendar arithmetic must
/// only ever see dates in range).
pub(super) fn check_deadlines(field: &'static str, d: &Deadlines) -> Result<()> {
    for (_, x) in d.all() {
        check_date(field, x.due)?;
        for m in x.met_on.iter().chain(x.from.iter()) {
            check_date(field, *m)?;
        }
    }
    Ok(())
}

/// Checks the dates of a peer's application record.
pub(super) fn check_application(a: &Application) -> Result<()> {
    check_date("application.submitted_on", a.submitted_on)?;
    check_deadlines("application.deadlines", &a.deadlines)?;
    if let Some(r) = &a.rejection {
        check_date("application.rejection.notice.issued_on", r.notice.issued_on)?;
    }
    Ok(())
}

pub(super) fn day(field: &'static str, v: &str) -> Result<chrono::NaiveDate> {
    v.parse().map_err(|_| NodeError::invalid(field, format!("“{v}” 不是 YYYY-MM-DD 格式的日期")))
}

pub(super) fn optional_day(field: &'static str, v: &str) -> Result<Option<chrono::NaiveDate>> {
    if v.is_empty() { Ok(None) } else { day(field, v).map(Some) }
}

fn state(field: &'static str, v: i32) -> Result<AppState> {
    state_from_pb(v)?.ok_or_else(|| NodeError::invalid(field, "未知的申请状态"))
}

fn deadline_to_pb(d: &Deadline) -> pb::DeadlineRecord {
    pb::DeadlineRecord {
        due: d.due.to_string(),
        calendar_version: d.calendar_version,
        met_on: d.met_on.map(|m| m.to_string()).unwrap_or_default(),
        counted_from: d.from.map(|m| m.to_string()).unwrap_or_default(),
        working_days: d.working_days,
        provisional: d.provisional,
        local_by: super::local_by(&d.local),
        local_version: super::local_version(&d.local),
        local_affected: d.local_affected,
    }
}

fn deadline_from_pb(field: &'static str, d: Option<pb::DeadlineRecord>) -> Result<Deadline> {
    let d = d.ok_or_else(|| NodeError::invalid(field, "缺少期限"))?;
    Ok(Deadline {
        due: day(field, &d.due)?,
        calendar_version: d.calendar_version,
        met_on: optional_day(field, &d.met_on)?,
        from: optional_day(field, &d.counted_from)?,
        working_days: d.working_days,
        provisional: d.provisional,
        local: super::local_stamp(field, d.local_by, d.local_version)?,
        local_affected: d.local_affected,
    })
}

fn deadlines_to_pb(d: &Deadlines) -> pb::DeadlineSet {
    pb::DeadlineSet {
        review: Some(deadline_to_pb(&d.review)),
        rejection_notice: Some(deadline_to_pb(&d.rejection_notice)),
        implementation: d.implementation.as_ref().map(deadline_to_pb),
    }
}

fn deadlines_from_pb(field: &'static str, d: Option<pb::DeadlineSet>) -> Result<Deadlines> {
    let d = d.ok_or_else(|| NodeError::invalid(field, "缺少期限"))?;
    Ok(Deadlines {
        review: deadline_from_pb(field, d.review)?,
        rejection_notice: deadline_from_pb(field, d.rejection_notice)?,
        implementation: d.implementation.map(|i| deadline_from_pb(field, Some(i))).transpose()?,
    })
}

fn record_to_pb(a: &Application) -> pb::ApplicationRecord {
    let history = a
        .history
        .iter()
        .map(|t| pb::Transition {
            state: state_to_pb(t.state) as i32,
            at_ms: t.at_ms,
            by: t.by.clone(),
            node: t.node.to_string(),
            note: t.note.clone(),
        })
        .collect();
    pb::ApplicationRecord {
        lodged_at: a.id.origin.to_string(),
        number: a.id.number,
        kind: a.kind.to_pb() as i32,
        unit: Some(unit_to_pb(&a.unit)),
        form: Some(form_to_pb(&a.form)),
        submitted_on: a.submitted_on.to_string(),
        submitted_by: a.submitted_by.clone(),
        routing: Some(route_to_pb(&a.routing, &a.routing.competent)),
        state: state_to_pb(a.state) as i32,
        revision: a.revision,
        access_plan: a.access_plan.clone(),
        rejection: a.rejection.as_ref().map(|r| pb::ApplicationRejection {
            reasons: r.reasons.clone(),
            notice: Some(super::notice_to_pb(&r.notice)),
        }),
        deadlines: Some(deadlines_to_pb(&a.deadlines)),
        ledger_number: a.ledger_number,
        history,
    }
}

fn record_from_pb(r: pb::ApplicationRecord) -> Result<Box<Application>> {
    let history = r.history.into_iter().map(transition_from_pb).collect::<Result<_>>()?;
    let app = Application {
        id: ApplicationId { origin: node("application.lodged_at", &r.lodged_at)?, number: r.number },
        kind: kind_from_pb(r.kind)?,
        unit: unit_record_from_pb(r.unit)?,
        form: form_record_from_pb(r.form)?,
        submitted_on: day("application.submitted_on", &r.submitted_on)?,
        submitted_by: r.submitted_by,
        routing: routing_from_pb(r.routing)?,
        state: state("application.state", r.state)?,
        revision: r.revision,
        access_plan: r.access_plan,
        rejection: r.rejection.map(rejection_from_pb).transpose()?,
        deadlines: deadlines_from_pb("application.deadlines", r.deadlines)?,
        ledger_number: r.ledger_number,
        history,
    };
    check_application(&app)?;
    Ok(Box::new(app))
}

fn transition_from_pb(t: pb::Transition) -> Result<Transition> {
    Ok(Transition {
        state: state("application.history.state", t.state)?,
        at_ms: t.at_ms,
        by: t.by,
        node: node("application.history.node", &t.node)?,
        note: t.note,
    })
}

fn rejection_from_pb(r: pb::ApplicationRejection) -> Result<Rejection> {
    let n = r.notice.ok_or_else(|| NodeError::invalid("application.rejection.notice", "缺少书面告知"))?;
    let notice = notice_from_pb("application.rejection.notice.issued_on", "application.rejection.notice.authority", n)?;
    Ok(Rejection { reasons: r.reasons, notice })
}

/// A written notice read from the wire; `issued_on` and `authority` name
/// its two checked fields in an error.
pub(super) fn notice_from_pb(
    issued_on: &'static str,
    authority: &'static str,
    n: pb::WrittenNotice,
) -> Result<WrittenNotice> {
    Ok(WrittenNotice {
        number: n.number,
        issued_on: day(issued_on, &n.issued_on)?,
        authority: node(authority, &n.authority)?,
        text: n.text,
        html: n.html,
    })
}

fn routing_from_pb(r: Option<pb::RouteDecision>) -> Result<RoutingDecision> {
    let r = r.ok_or_else(|| NodeError::invalid("application.routing", "缺少受理机关"))?;
    let case = match r.case.as_str() {
        "VERTICALLY_MANAGED" => Art15Case::VerticallyManaged,
        "SPANS_REGION" => Art15Case::SpansRegion,
        "SPANS_PREFECTURE" => Art15Case::SpansPrefecture,
        "TOWNSHIP" => Art15Case::Township,
        "LOCALITY" => Art15Case::Locality,
        other => return Err(NodeError::invalid("application.routing.case", format!("未知的第十五条情形“{other}”"))),
    };
    Ok(RoutingDecision { competent: node("application.routing.competent", &r.competent)?, case, reason: r.reason })
}

/// The unit exactly as the peer holds it (its registration rules were
/// checked where it registered).
fn unit_record_from_pb(u: Option<pb::Unit>) -> Result<AccessUnit> {
    let u = u.ok_or_else(|| NodeError::invalid("application.unit", "缺少单位信息"))?;
    let contact = |c: Option<pb::Contact>| {
        let c = c.unwrap_or_default();
        Contact { name: c.name, phone: c.phone }
    };
    Ok(AccessUnit {
        id: UnitId::parse(&u.id)?,
        node: node("unit.node", &u.node)?,
        name: u.name,
        category: category_from_pb(u.category)?,
        division: node("unit.division", &u.division)?,
        township: u.township,
        vertically_managed: u.vertically_managed,
        region_department: Some(u.region_department).filter(|d| !d.is_empty()),
        responsible_leader: contact(u.responsible_leader),
        responsible_department: u.responsible_department,
        responsible_person: contact(u.responsible_person),
        status: crate::domain::UnitStatus::from_pb(u.status)
            .ok_or_else(|| NodeError::invalid("unit.status", "未知的单位状态"))?,
        registered_at_ms: u.registered_at_ms,
        registered_by: u.registered_by,
        history: super::access::unit_history_from_pb(u.history)?,
    })
}

/// The form exactly as the peer holds it.
fn form_record_from_pb(f: Option<pb::ApplicationForm>) -> Result<ApplicationForm> {
    let f = f.ok_or_else(|| NodeError::invalid("application.form", "缺少申请内容"))?;
    let resource_subject = match pb::ResourceSubject::try_from(f.resource_subject) {
        Ok(pb::ResourceSubject::NetworkResources) => Some(ResourceSubject::NetworkResources),
        Ok(pb::ResourceSubject::Equipment) => Some(ResourceSubject::Equipment),
        _ => None,
    };
    Ok(ApplicationForm {
        basis: f.basis,
        scope: f.scope,
        location: f.location,
        bandwidth_mbps: f.bandwidth_mbps,
        technical_requirements: f.technical_requirements,
        security_measures: f.security_measures,
        declares_no_classified_information: f.declares_no_classified_information,
        span: span_from_pb(f.span)?,
        resource_subject,
        devices: f.devices,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::fixtures::{access_messages, deadline_summary, read};

    /// A unit change carries the whole unit, history included; a bad
    /// application key is refused naming it.
    #[test]
    fn a_unit_change_carries_the_whole_unit() {
        let [forward, _] = <[AccessMessage; 2]>::try_from(access_messages()).unwrap();
        let AccessMessage::Forward { to, application } = forward else { unreachable!() };
        let mut unit = application.unit.clone();
        unit.update(
            crate::domain::UnitUpdate { department: Some("信息中心".into()), ..Default::default() },
            "人员调整",
            1,
            "op",
        )
        .unwrap();
        let m = AccessMessage::UnitChanged { to, application: application.id.key(), unit: Box::new(unit) };
        assert_eq!(decode_access(&encode_access(&m)).unwrap(), m);
        let AccessMessage::UnitChanged { to, unit, .. } = m else { unreachable!() };
        let bad = AccessMessage::UnitChanged { to, application: "nonsense".into(), unit };
        assert!(decode_access(&encode_access(&bad)).is_err());
    }

    /// Every field of the record survives the protobuf form, and the
    /// checked-in `access.v2` bytes keep reading.
    #[test]
    fn the_access_v2_payloads_carry_the_whole_record_and_their_fixtures_read() {
        let [forward, decision] = <[AccessMessage; 2]>::try_from(access_messages()).unwrap();
        for m in [&forward, &decision] {
            assert_eq!(&decode_access(&encode_access(m)).unwrap(), m);
        }
        assert_eq!(decode_access(&read("wire/access.v2/forward.bin")).unwrap(), forward);
        assert_eq!(decode_access(&read("wire/access.v2/decision.bin")).unwrap(), decision);
        assert_eq!(decode_summary(&encode_summary(&deadline_summary())).unwrap(), deadline_summary());
        assert_eq!(decode_summary(&read("wire/access.summary.v2/summary.bin")).unwrap(), deadline_summary());
    }
}
