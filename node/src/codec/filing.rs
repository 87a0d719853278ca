//! Filings and receipts on the wire.

use extranet_certs::NodeId;
use extranet_proto::v1 as pb;
use ipnet::IpNet;
use prost::Message;

use super::{date, instant, text};
use crate::domain::ipam::AssignmentId;
use crate::domain::limits;
use crate::domain::{Cutover, Filing, FilingDetails, FilingId, Launch, Receipt, SystemChange};
use crate::error::{NodeError, Result};

/// Event kind of a filing travelling up.
pub const KIND_FILING: &str = "filing.v1";
/// Event kind of a receipt travelling down to the origin.
pub const KIND_RECEIPT: &str = "receipt.v1";

/// Validates the shape of a cutover request (the regulation's rules are
/// checked separately, by the domain).
pub fn cutover_from_pb(c: Option<pb::CutoverDetails>) -> Result<Cutover> {
    let c = c.ok_or_else(|| NodeError::invalid("cutover", "缺少割接内容"))?;
    let units = limits::items("cutover.affected_units", &c.affected_units, limits::MAX_AFFECTED_UNITS)?;
    if units.is_empty() {
        return Err(NodeError::invalid("cutover.affected_units", "至少填写一个涉及的接入单位"));
    }
    Ok(Cutover {
        affected_units: units,
        affected_names: limits::items(
            "cutover.affected_unit_names",
            &c.affected_unit_names,
            limits::MAX_AFFECTED_UNITS,
        )?,
        contact: limits::optional_text("cutover.contact", &c.contact)?,
        window_start: instant("cutover.window_start", &c.window_start)?,
        window_end: instant("cutover.window_end", &c.window_end)?,
        notified_on: date("cutover.notified_on", &c.notified_on)?,
        description: text("cutover.description", &c.description)?,
        major_adjustment: c.major_adjustment,
        major_approval: major_approval(&c)?,
    })
}

/// A cutover as an operator files it: the shape of [`cutover_from_pb`],
/// a contact for the notice, and the notice date the node issues
/// (`issued_on`, today) in place of one typed in.
pub fn cutover_request_from_pb(c: Option<pb::CutoverDetails>, issued_on: chrono::NaiveDate) -> Result<Cutover> {
    let mut c = c.ok_or_else(|| NodeError::invalid("cutover", "缺少割接内容"))?;
    let typed = c.notified_on.trim();
    if !typed.is_empty() && typed != issued_on.to_string() {
        return Err(NodeError::invalid(
            "cutover.notified_on",
            format!("通知日期由系统在备案时签发（今天 {issued_on}），不能填写 {typed}；请留空"),
        ));
    }
    c.notified_on = issued_on.to_string();
    c.affected_unit_names.clear();
    let cutover = cutover_from_pb(Some(c))?;
    if cutover.contact.is_empty() {
        return Err(NodeError::invalid("cutover.contact", "请填写割接联系人及电话，将印在割接通知上"));
    }
    Ok(cutover)
}

/// The number of the approval a major cutover names (its own node's
/// `<code>-S<number>`); none for another cutover.
fn major_approval(c: &pb::CutoverDetails) -> Result<Option<u64>> {
    let key = c.major_approval_id.trim();
    if key.is_empty() || !c.major_adjustment {
        return Ok(None);
    }
    crate::domain::approval::ApprovalId::check_key(key).map_err(|_| {
        NodeError::invalid("cutover.major_approval_id", format!("“{key}” 不是审批申请编号（例如 540102-S000001）"))
    })?;
    Ok(key.rsplit_once("-S").and_then(|(_, n)| n.parse().ok()))
}

/// Validates the shape of a launch (of a request, or of a filing from
/// `origin`, whose assignment ids are that node's own); whether it may be
/// filed is the operation's to check ([`crate::domain::launch`]).
pub fn launch_from_pb(l: Option<pb::LaunchDetails>, origin: &NodeId) -> Result<Launch> {
    let l = l.ok_or_else(|| NodeError::invalid("launch", "缺少上线内容"))?;
    if l.addresses.is_empty() {
        return Err(NodeError::invalid("launch.addresses", "至少填写一个所用的政务外网地址（第二十三条）"));
    }
    limits::count("launch.addresses", l.addresses.len(), limits::MAX_LAUNCH_ADDRESSES)?;
    limits::count("launch.assignment_ids", l.assignment_ids.len(), limits::MAX_LAUNCH_ADDRESSES)?;
    let addresses = l
        .addresses
        .iter()
        .map(|a| {
            parse_net(a.trim())
                .ok_or_else(|| NodeError::invalid("launch.addresses", format!("“{a}” 不是 IP 地址或前缀")))
        })
        .collect::<Result<Vec<_>>>()?;
    let assignments = l
        .assignment_ids
        .iter()
        .map(|k| own_number("launch.assignment_ids", k, "-A", origin))
        .collect::<Result<Vec<_>>>()?;
    Ok(Launch {
        system_name: text("launch.system_name", &l.system_name)?,
        owning_unit: l.owning_unit.trim().to_string(),
        launch_date: date("launch.launch_date", &l.launch_date)?,
        addresses,
        security_test_ref: text("launch.security_test_ref", &l.security_test_ref)?,
        assignments: assignments.into_iter().map(|number| AssignmentId { node: origin.clone(), number }).collect(),
    })
}

/// Validates the shape of a system change filed at (or from) `origin`.
pub fn change_from_pb(c: Option<pb::SystemChangeDetails>, origin: &NodeId) -> Result<SystemChange> {
    let c = c.ok_or_else(|| NodeError::invalid("change", "缺少变更内容"))?;
    Ok(SystemChange {
        launch: own_number("change.launch_id", &c.launch_id, "-", origin)?,
        what_changes: text("change.what_changes", &c.what_changes)?,
        system: launch_from_pb(c.system, origin)?,
    })
}

/// The number of a record of `origin` shown as `<code><marker><number>`.
fn own_number(field: &'static str, key: &str, marker: &str, origin: &NodeId) -> Result<u64> {
    let key = key.trim();
    let parsed = key.rsplit_once(marker).filter(|(code, _)| *code == origin.code()).and_then(|(_, n)| n.parse().ok());
    parsed.ok_or_else(|| {
        NodeError::invalid(
            field,
            format!("“{key}” 不是本节点（{}）的编号，应形如 {}{marker}000001", origin.code(), origin.code()),
        )
    })
}

fn parse_net(s: &str) -> Option<IpNet> {
    s.parse::<IpNet>().ok().or_else(|| s.parse::<std::net::IpAddr>().ok().map(IpNet::from))
}

fn cutover_to_pb(c: &Cutover, origin: &NodeId) -> pb::CutoverDetails {
    pb::CutoverDetails {
        affected_units: c.affected_units.clone(),
        window_start: c.window_start.to_rfc3339(),
        window_end: c.window_end.to_rfc3339(),
        notified_on: c.notified_on.to_string(),
        description: c.description.clone(),
        major_adjustment: c.major_adjustment,
        // the approval is the filing node's own
        major_approval_id: c
            .major_approval
            .map(|number| crate::domain::approval::ApprovalId { origin: origin.clone(), number }.key())
            .unwrap_or_default(),
        contact: c.contact.clone(),
        affected_unit_names: c.affected_names.clone(),
    }
}

fn launch_to_pb(l: &Launch) -> pb::LaunchDetails {
    pb::LaunchDetails {
        system_name: l.system_name.clone(),
        owning_unit: l.owning_unit.clone(),
        launch_date: l.launch_date.to_string(),
        addresses: l.addresses.iter().map(|a| a.to_string()).collect(),
        security_test_ref: l.security_test_ref.clone(),
        assignment_ids: l.assignments.iter().map(AssignmentId::key).collect(),
    }
}

fn change_to_pb(c: &SystemChange, origin: &NodeId) -> pb::SystemChangeDetails {
    pb::SystemChangeDetails {
        launch_id: FilingId { origin: origin.clone(), number: c.launch }.key(),
        what_changes: c.what_changes.clone(),
        system: Some(launch_to_pb(&c.system)),
    }
}

fn receipt_to_pb(r: &Receipt) -> pb::Receipt {
    pb::Receipt { node: r.node.to_string(), received_at_ms: r.received_at_ms }
}

fn receipt_from_pb(r: &pb::Receipt) -> Result<Receipt> {
    Ok(Receipt { node: NodeId::parse(&r.node)?, received_at_ms: r.received_at_ms })
}

/// The wire form of a filing.
pub fn filing_to_pb(f: &Filing) -> pb::Filing {
    let details = match &f.details {
        FilingDetails::Cutover(c) => pb::filing::Details::Cutover(cutover_to_pb(c, &f.id.origin)),
        FilingDetails::Launch(l) => pb::filing::Details::Launch(launch_to_pb(l)),
        FilingDetails::Change(c) => pb::filing::Details::Change(change_to_pb(c, &f.id.origin)),
        FilingDetails::AnnualReport(r) => pb::filing::Details::AnnualReport(super::annual_report_to_pb(r)),
        FilingDetails::Interruption(i) => {
            pb::filing::Details::Interruption(super::interruption::interruption_filing_to_pb(i))
        }
        FilingDetails::Evaluation(e) => pb::filing::Details::Evaluation(super::evaluation_to_pb(e)),
    };
    pb::Filing {
        id: f.id.key(),
        origin: f.id.origin.to_string(),
        number: f.id.number,
        filed_at_ms: f.filed_at_ms,
        filed_by: f.filed_by.clone(),
        details: Some(details),
        receipts: f.receipts.iter().map(receipt_to_pb).collect(),
    }
}

/// Decodes a filing from the wire (an event payload from another node).
pub fn filing_from_pb(p: pb::Filing) -> Result<Filing> {
    let origin = NodeId::parse(&p.origin)?;
    let details = match p.details {
        Some(pb::filing::Details::Cutover(c)) => FilingDetails::Cutover(cutover_from_pb(Some(c))?),
        Some(pb::filing::Details::Launch(l)) => FilingDetails::Launch(launch_from_pb(Some(l), &origin)?),
        Some(pb::filing::Details::Change(c)) => FilingDetails::Change(change_from_pb(Some(c), &origin)?),
        Some(pb::filing::Details::AnnualReport(r)) => {
            FilingDetails::AnnualReport(Box::new(super::annual_report_from_pb(r)?))
        }
        Some(pb::filing::Details::Interruption(i)) => {
            FilingDetails::Interruption(super::interruption::interruption_filing_from_pb(i, &origin)?)
        }
        Some(pb::filing::Details::Evaluation(e)) => FilingDetails::Evaluation(super::evaluation_from_pb(e)?),
        None => return Err(NodeError::invalid("details", "缺少备案内容")),
    };
    Ok(Filing {
        id: FilingId { origin, number: p.number },
        filed_at_ms: p.filed_at_ms,
        filed_by: p.filed_by,
        details,
        receipts: p.receipts.iter().map(receipt_from_pb).collect::<Result<_>>()?,
    })
}

/// Payload of a `filing.v1` event.
pub fn encode_filing(f: &Filing) -> Vec<u8> {
    filing_to_pb(f).encode_to_vec()
}

/// Reads a `filing.v1` payload.
pub fn decode_filing(bytes: &[u8]) -> Result<Filing> {
    filing_from_pb(super::decode_payload(bytes, "备案事件")?)
}

/// Payload of a `receipt.v1` event.
pub fn encode_receipt(id: &FilingId, r: &Receipt) -> Vec<u8> {
    pb::ReceiptEvent { filing_id: id.key(), receipt: Some(receipt_to_pb(r)) }.encode_to_vec()
}

/// Reads a `receipt.v1` payload: the filing key and the receipt.
pub fn decode_receipt(bytes: &[u8]) -> Result<(String, Receipt)> {
    let p = super::decode_payload::<pb::ReceiptEvent>(bytes, "回执事件")?;
    let r = p.receipt.ok_or_else(|| NodeError::invalid("receipt", "回执事件缺少回执"))?;
    Ok((p.filing_id, receipt_from_pb(&r)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::fixtures::read;
    use crate::store::fixtures_systems::{change, linked_launch};

    /// A launch with its assignment link and a change, as a node wrote
    /// them in `filing.v1`, read back as the same filings; the assignment
    /// ids and the changed launch are the origin's own.
    #[test]
    fn the_checked_in_launch_and_change_payloads_decode_to_their_filings() {
        for (name, f) in [("launch_linked", linked_launch()), ("change", change())] {
            assert_eq!(decode_filing(&read(&format!("wire/filing.v1/{name}.bin"))).unwrap(), f, "{name}");
            assert_eq!(decode_filing(&encode_filing(&f)).unwrap(), f, "{name}");
        }
        let mut wire = filing_to_pb(&linked_launch());
        let Some(pb::filing::Details::Launch(l)) = wire.details.as_mut() else { unreachable!() };
        l.assignment_ids = vec!["540103-A000001".into()];
        let e = filing_from_pb(wire).unwrap_err();
        assert!(e.to_string().contains("launch.assignment_ids"), "another node's assignment is refused: {e}");
    }
}
