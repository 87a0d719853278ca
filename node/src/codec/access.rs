//! Units and applications on the wire: request validation (each error names
//! the field and the rule) and the wire form of records. The events that
//! carry applications between nodes are in `access_event.rs`.

use extranet_certs::NodeId;
use extranet_proto::v1 as pb;

use super::enums::WireEnum;
use super::text;
use crate::domain::access::ResourceSubject;
use crate::domain::{
    AccessSpan, AccessUnit, AppState, Application, ApplicationForm, ApplicationKind, Art15Case, Contact,
    RoutingDecision, UnitCategory, UnitChange, UnitField, UnitId, UnitStatus, UnitUpdate, WrittenNotice,
};
use crate::error::{NodeError, Result};

pub(crate) fn phone(field: &'static str, v: &str) -> Result<String> {
    let v = text(field, v)?;
    let digits = v.chars().filter(char::is_ascii_digit).count();
    let ok = v.chars().all(|c| c.is_ascii_digit() || "+-() ".contains(c)) && (5..=20).contains(&digits);
    if ok {
        Ok(v)
    } else {
        Err(NodeError::invalid(field, format!("“{v}” 不是电话号码（5–20 位数字，可含 + - 空格 括号）")))
    }
}

pub(crate) fn contact(
    prefix: &'static str,
    name: &'static str,
    tel: &'static str,
    c: Option<&pb::Contact>,
) -> Result<Contact> {
    let c = c.ok_or_else(|| NodeError::invalid(prefix, "必须填写（第十一条：明确分管领导、责任部门和责任人）"))?;
    Ok(Contact { name: text(name, &c.name)?, phone: phone(tel, &c.phone)? })
}

/// Reads a unit category (Art.3).
pub fn category_from_pb(v: i32) -> Result<UnitCategory> {
    UnitCategory::from_pb(v).ok_or_else(|| {
        NodeError::invalid(
            "unit.category",
            "应为党政机关、事业单位、人民团体、中央驻藏单位、驻区外办事处、法律法规授权单位或其他单位之一（第三条）",
        )
    })
}

/// Validates a unit to register at `node` (Art.3, Art.11).
pub fn unit_from_pb(u: Option<pb::Unit>, node: &NodeId, by: &str, now_ms: i64) -> Result<AccessUnit> {
    let u = u.ok_or_else(|| NodeError::invalid("unit", "缺少单位信息"))?;
    let category = category_from_pb(u.category)?;
    let unit = AccessUnit {
        id: UnitId::parse(&u.id)?,
        node: node.clone(),
        name: text("unit.name", &u.name)?,
        category,
        division: NodeId::parse(&u.division).map_err(|e| NodeError::invalid("unit.division", e.to_string()))?,
        township: u.township,
        vertically_managed: u.vertically_managed,
        region_department: Some(u.region_department.trim().to_string()).filter(|d| !d.is_empty()),
        responsible_leader: contact(
            "unit.responsible_leader",
            "unit.responsible_leader.name",
            "unit.responsible_leader.phone",
            u.responsible_leader.as_ref(),
        )?,
        responsible_department: text("unit.responsible_department", &u.responsible_department)?,
        responsible_person: contact(
            "unit.responsible_person",
            "unit.responsible_person.name",
            "unit.responsible_person.phone",
            u.responsible_person.as_ref(),
        )?,
        status: UnitStatus::Applying,
        registered_at_ms: now_ms,
        registered_by: by.to_string(),
        history: Vec::new(),
    };
    unit.check()?;
    Ok(unit)
}

pub(crate) fn contact_to_pb(c: &Contact) -> pb::Contact {
    pb::Contact { name: c.name.clone(), phone: c.phone.clone() }
}

/// The wire form of a unit.
pub fn unit_to_pb(u: &AccessUnit) -> pb::Unit {
    pb::Unit {
        id: u.id.to_string(),
        node: u.node.to_string(),
        name: u.name.clone(),
        category: u.category.to_pb() as i32,
        division: u.division.to_string(),
        township: u.township,
        vertically_managed: u.vertically_managed,
        region_department: u.region_department.clone().unwrap_or_default(),
        responsible_leader: Some(contact_to_pb(&u.responsible_leader)),
        responsible_department: u.responsible_department.clone(),
        responsible_person: Some(contact_to_pb(&u.responsible_person)),
        status: u.status.to_pb() as i32,
        registered_at_ms: u.registered_at_ms,
        registered_by: u.registered_by.clone(),
        history: u.history.iter().map(unit_change_to_pb).collect(),
    }
}

fn unit_change_to_pb(c: &UnitChange) -> pb::UnitChange {
    pb::UnitChange {
        at_ms: c.at_ms,
        by: c.by.clone(),
        field: c.field.to_pb() as i32,
        before: c.before.clone(),
        after: c.after.clone(),
        reason: c.reason.clone(),
    }
}

/// A unit's history read from the wire (an application's copy of its unit).
pub(crate) fn unit_history_from_pb(v: Vec<pb::UnitChange>) -> Result<Vec<UnitChange>> {
    v.into_iter()
        .map(|c| {
            Ok(UnitChange {
                at_ms: c.at_ms,
                by: c.by,
                field: UnitField::from_pb(c.field)
                    .ok_or_else(|| NodeError::invalid("unit.history.field", "未知的变更项"))?,
                before: c.before,
                after: c.after,
                reason: c.reason,
            })
        })
        .collect()
}

/// The Art.11 people an update request changes (each checked as at
/// registration; an unset one is kept).
pub fn unit_update_from_pb(r: &pb::UpdateUnitRequest) -> Result<UnitUpdate> {
    let leader = r
        .responsible_leader
        .as_ref()
        .map(|c| contact("responsible_leader", "responsible_leader.name", "responsible_leader.phone", Some(c)))
        .transpose()?;
    let person = r
        .responsible_person
        .as_ref()
        .map(|c| contact("responsible_person", "responsible_person.name", "responsible_person.phone", Some(c)))
        .transpose()?;
    let department = match r.responsible_department.trim() {
        "" => None,
        d => Some(text("responsible_department", d)?),
    };
    Ok(UnitUpdate { leader, department, person })
}

/// Reads a span.
pub fn span_from_pb(v: i32) -> Result<AccessSpan> {
    AccessSpan::from_pb(v)
        .ok_or_else(|| NodeError::invalid("application.span", "应为 LOCAL、PREFECTURE_AND_BELOW 或 REGION_AND_BELOW"))
}

/// Reads an application kind.
pub fn kind_from_pb(v: i32) -> Result<ApplicationKind> {
    ApplicationKind::from_pb(v).ok_or_else(|| {
        NodeError::invalid("kind", "应为 NEW（接入）、CHANGE（变更）、WITHDRAWAL（撤销）或 RESOURCE_CHANGE（资源变更）")
    })
}

/// Reads a state filter (None = any).
pub fn state_from_pb(v: i32) -> Result<Option<AppState>> {
    if v == pb::ApplicationState::Unspecified as i32 {
        return Ok(None);
    }
    AppState::from_pb(v).map(Some).ok_or_else(|| NodeError::invalid("state", "未知的申请状态"))
}

/// Wire form of a state.
pub fn state_to_pb(s: AppState) -> pb::ApplicationState {
    s.to_pb()
}

/// Validates an application form for `kind` (Art.16, Art.8, Art.22).
pub fn form_from_pb(f: Option<pb::ApplicationForm>, kind: ApplicationKind) -> Result<ApplicationForm> {
    let f = f.ok_or_else(|| NodeError::invalid("application", "缺少申请内容"))?;
    let withdrawal = kind == ApplicationKind::Withdrawal;
    // A withdrawal states its reason and location; the rest describe access.
    let optional = |field: &'static str, v: &str| {
        if withdrawal { Ok(crate::domain::limits::optional_text(field, v)?) } else { text(field, v) }
    };
    let basis_field = if kind == ApplicationKind::New {
        "application.basis（接入依据）"
    } else {
        "application.basis（变更原因）"
    };
    let resource_subject = ResourceSubject::from_pb(f.resource_subject);
    let form = ApplicationForm {
        basis: text(basis_field, &f.basis)?,
        scope: optional("application.scope", &f.scope)?,
        location: text("application.location", &f.location)?,
        bandwidth_mbps: f.bandwidth_mbps,
        technical_requirements: optional("application.technical_requirements", &f.technical_requirements)?,
        security_measures: optional("application.security_measures", &f.security_measures)?,
        declares_no_classified_information: f.declares_no_classified_information,
        span: span_from_pb(f.span)?,
        resource_subject: resource_subject.filter(|_| kind == ApplicationKind::ResourceChange),
        devices: devices_from_pb(&f.devices, kind)?,
    };
    form.check(kind)?;
    Ok(form)
}

pub(super) fn form_to_pb(f: &ApplicationForm) -> pb::ApplicationForm {
    pb::ApplicationForm {
        basis: f.basis.clone(),
        scope: f.scope.clone(),
        location: f.location.clone(),
        bandwidth_mbps: f.bandwidth_mbps,
        technical_requirements: f.technical_requirements.clone(),
        security_measures: f.security_measures.clone(),
        declares_no_classified_information: f.declares_no_classified_information,
        span: f.span.to_pb() as i32,
        resource_subject: f.resource_subject.map_or(pb::ResourceSubject::Unspecified, WireEnum::to_pb) as i32,
        devices: f.devices.clone(),
    }
}

/// The devices a resource change names: well-formed ids, at most
/// [`MAX_FORM_DEVICES`]; another kind of application names none.
fn devices_from_pb(ids: &[String], kind: ApplicationKind) -> Result<Vec<String>> {
    if kind != ApplicationKind::ResourceChange && !ids.is_empty() {
        return Err(NodeError::invalid("application.devices", "只有网络资源变更申请（第二十二条）可以列明设备"));
    }
    let ids = crate::domain::limits::items("application.devices", ids, MAX_FORM_DEVICES)?;
    for id in &ids {
        crate::domain::asset::DeviceId::check_key(id)?;
    }
    Ok(ids)
}

/// Most devices one resource change may name.
pub const MAX_FORM_DEVICES: usize = 64;

/// Wire form of a routing decision, seen from node `here`.
pub fn route_to_pb(r: &RoutingDecision, here: &NodeId) -> pb::RouteDecision {
    let case = match r.case {
        Art15Case::VerticallyManaged => "VERTICALLY_MANAGED",
        Art15Case::SpansRegion => "SPANS_REGION",
        Art15Case::SpansPrefecture => "SPANS_PREFECTURE",
        Art15Case::Township => "TOWNSHIP",
        Art15Case::Locality => "LOCALITY",
    };
    pb::RouteDecision {
        competent: r.competent.to_string(),
        case: case.into(),
        reason: r.reason.clone(),
        forwarded: &r.competent != here,
    }
}

/// Wire form of a notice.
pub fn notice_to_pb(n: &WrittenNotice) -> pb::WrittenNotice {
    pb::WrittenNotice {
        number: n.number.clone(),
        issued_on: n.issued_on.to_string(),
        authority: n.authority.to_string(),
        text: n.text.clone(),
        html: n.html.clone(),
    }
}

/// Wire form of an application held at node `here`.
pub fn application_to_pb(a: &Application, here: &NodeId) -> pb::Application {
    let deadline = |name: &str, d: &crate::domain::access::Deadline| pb::Deadline {
        name: name.into(),
        due: d.due.to_string(),
        calendar_version: d.calendar_version,
        met_on: d.met_on.map(|m| m.to_string()).unwrap_or_default(),
        provisional: d.provisional,
        local_by: super::local_by(&d.local),
        local_version: super::local_version(&d.local),
        local_affected: d.local_affected,
    };
    let deadlines = a.deadlines.all().into_iter().map(|(name, d)| deadline(name, d)).collect();
    pb::Application {
        id: a.id.key(),
        lodged_at: a.id.origin.to_string(),
        kind: a.kind.to_pb() as i32,
        unit: Some(unit_to_pb(&a.unit)),
        form: Some(form_to_pb(&a.form)),
        submitted_on: a.submitted_on.to_string(),
        submitted_by: a.submitted_by.clone(),
        routing: Some(route_to_pb(&a.routing, here)),
        state: a.state.to_pb() as i32,
        access_plan: a.access_plan.clone().unwrap_or_default(),
        rejection_reasons: a.rejection.as_ref().map(|r| r.reasons.clone()).unwrap_or_default(),
        notice: a.rejection.as_ref().map(|r| notice_to_pb(&r.notice)),
        deadlines,
        history: a
            .history
            .iter()
            .map(|t| pb::Transition {
                state: t.state.to_pb() as i32,
                at_ms: t.at_ms,
                by: t.by.clone(),
                node: t.node.to_string(),
                note: t.note.clone(),
            })
            .collect(),
        ledger_number: a.ledger_number.unwrap_or(0),
        revision: a.revision,
    }
}
