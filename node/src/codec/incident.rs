//! Security incidents ↔ `extranet.v1`: a report and a department's report
//! checked at the edge, the record as an answer and as the `incident.v1`
//! payload that travels up once its authority reported it (the whole
//! record; the highest revision wins).

use extranet_certs::NodeId;
use extranet_proto::v1 as pb;
use prost::Message;

use super::access::{contact, contact_to_pb};
use super::enums::WireEnum;
use crate::domain::incident::{
    Channel, DepartmentReport, DepartmentReportRequest, IncidentRequest, IncidentStep, StepKind,
};
use crate::domain::{Department, Incident, IncidentId, UnitId, UpDecision};
use crate::error::{NodeError, Result};

/// Event kind of an incident travelling up.
pub const KIND_INCIDENT: &str = "incident.v1";

/// An optional unit id (empty: none).
pub fn optional_unit(field: &'static str, v: &str) -> Result<Option<UnitId>> {
    match v.trim() {
        "" => Ok(None),
        u => Ok(Some(UnitId::parse(u).map_err(|_| NodeError::invalid(field, format!("“{u}” 不是单位编号")))?)),
    }
}

/// A report as a caller or a peer sent it (checked further by the domain).
pub fn incident_report_from_pb(r: Option<&pb::IncidentReport>) -> Result<IncidentRequest> {
    let r = r.ok_or_else(|| NodeError::invalid("report", "缺少事件报告"))?;
    Ok(IncidentRequest {
        unit: optional_unit("report.unit_id", &r.unit_id)?,
        title: r.title.clone(),
        description: r.description.clone(),
        occurred_at_ms: r.occurred_at_ms,
        impact: r.impact.clone(),
        measures: r.measures.clone(),
        major: r.major,
        contact: contact("contact", "contact.name", "contact.phone", r.contact.as_ref())?,
    })
}

fn report_to_pb(r: &IncidentRequest) -> pb::IncidentReport {
    pb::IncidentReport {
        unit_id: r.unit.as_ref().map(|u| u.to_string()).unwrap_or_default(),
        title: r.title.clone(),
        description: r.description.clone(),
        occurred_at_ms: r.occurred_at_ms,
        impact: r.impact.clone(),
        measures: r.measures.clone(),
        major: r.major,
        contact: Some(contact_to_pb(&r.contact)),
    }
}

fn department(field: &'static str, v: i32) -> Result<Department> {
    Department::from_pb(v).ok_or_else(|| NodeError::invalid(field, "应为网信、保密、安全、公安、经济和信息化之一"))
}

fn channel(field: &'static str, v: i32) -> Result<Channel> {
    Channel::from_pb(v).ok_or_else(|| NodeError::invalid(field, "应为电话、书面、系统报送、当面或其他之一"))
}

/// A department's first report as a caller sent it.
pub fn department_report_from_pb(r: Option<&pb::DepartmentReport>) -> Result<DepartmentReportRequest> {
    let r = r.ok_or_else(|| NodeError::invalid("report", "缺少向部门报告的情况"))?;
    Ok(DepartmentReportRequest {
        department: department("department", r.department)?,
        at_ms: r.at_ms,
        channel: channel("department.channel", r.channel)?,
        reporter: r.reporter.clone(),
        note: r.note.clone(),
    })
}

fn department_to_pb(d: &DepartmentReport) -> pb::DepartmentReport {
    pb::DepartmentReport {
        department: d.department.to_pb() as i32,
        at_ms: d.at_ms,
        channel: d.channel.to_pb() as i32,
        reporter: d.reporter.clone(),
        note: d.note.clone(),
        recorded_by: d.recorded_by.clone(),
        recorded_at_ms: d.recorded_at_ms,
    }
}

/// The wire form of an incident.
pub fn incident_to_pb(i: &Incident) -> pb::Incident {
    pb::Incident {
        id: i.id.key(),
        origin: i.id.origin.to_string(),
        number: i.id.number,
        report: Some(report_to_pb(&i.report)),
        departments: i.departments.iter().map(department_to_pb).collect(),
        missing_departments: i.missing_departments().into_iter().map(|d| d.to_pb() as i32).collect(),
        decision: i.decision.to_pb() as i32,
        closed: i.closed,
        history: i
            .history
            .iter()
            .map(|s| pb::IncidentStep {
                kind: s.kind.to_pb() as i32,
                at_ms: s.at_ms,
                by: s.by.clone(),
                note: s.note.clone(),
            })
            .collect(),
        revision: i.revision,
    }
}

fn department_from_pb(d: pb::DepartmentReport) -> Result<DepartmentReport> {
    Ok(DepartmentReport {
        department: department("departments.department", d.department)?,
        at_ms: d.at_ms,
        channel: channel("departments.channel", d.channel)?,
        reporter: d.reporter,
        note: d.note,
        recorded_by: d.recorded_by,
        recorded_at_ms: d.recorded_at_ms,
    })
}

/// Reads an incident from a peer's `incident.v1` payload.
pub fn incident_from_pb(p: pb::Incident) -> Result<Incident> {
    let history = p
        .history
        .into_iter()
        .map(|s| {
            let kind = StepKind::from_pb(s.kind).ok_or_else(|| NodeError::invalid("history.kind", "未知的步骤"))?;
            Ok(IncidentStep { kind, at_ms: s.at_ms, by: s.by, note: s.note })
        })
        .collect::<Result<Vec<_>>>()?;
    if history.first().is_none_or(|s| s.kind != StepKind::Reported) {
        return Err(NodeError::invalid("history", "安全事件的第一步应为报告"));
    }
    Ok(Incident {
        id: IncidentId { origin: NodeId::parse(&p.origin)?, number: p.number },
        report: incident_report_from_pb(p.report.as_ref())?,
        departments: p.departments.into_iter().map(department_from_pb).collect::<Result<_>>()?,
        decision: UpDecision::from_pb(p.decision).ok_or_else(|| NodeError::invalid("decision", "未知的研判结果"))?,
        closed: p.closed,
        history,
        revision: p.revision,
    })
}

/// Payload of an `incident.v1` event.
pub fn encode_incident(i: &Incident) -> Vec<u8> {
    incident_to_pb(i).encode_to_vec()
}

/// Reads an `incident.v1` payload.
pub fn decode_incident(bytes: &[u8]) -> Result<Incident> {
    incident_from_pb(super::decode_payload(bytes, "安全事件事件")?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::fixtures::{incident, read};

    /// The `incident.v1` payload a node wrote is read back as the same record.
    #[test]
    fn the_checked_in_incident_payload_decodes_to_its_record() {
        let i = incident();
        assert_eq!(decode_incident(&read("wire/incident.v1/reported-up.bin")).unwrap(), i);
        assert_eq!(decode_incident(&encode_incident(&i)).unwrap(), i);
    }
}
