//! Filings and receipts on the wire.

use extranet_certs::NodeId;
use extranet_proto::v1 as pb;
use ipnet::IpNet;
use prost::Message;

use super::{date, instant, text};
use crate::domain::limits;
use crate::domain::{AnnualReport, Cutover, Filing, FilingDetails, FilingId, Launch, Receipt};
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
        window_start: instant("cutover.window_start", &c.window_start)?,
        window_end: instant("cutover.window_end", &c.window_end)?,
        notified_on: date("cutover.notified_on", &c.notified_on)?,
        description: text("cutover.description", &c.description)?,
        major_adjustment: c.major_adjustment,
        major_approval: major_approval(&c)?,
    })
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

/// Validates the shape of a launch request.
pub fn launch_from_pb(l: Option<pb::LaunchDetails>) -> Result<Launch> {
    let l = l.ok_or_else(|| NodeError::invalid("launch", "缺少上线内容"))?;
    if l.addresses.is_empty() {
        return Err(NodeError::invalid("launch.addresses", "至少填写一个所用的政务外网地址（第二十三条）"));
    }
    limits::count("launch.addresses", l.addresses.len(), limits::MAX_LAUNCH_ADDRESSES)?;
    let addresses = l
        .addresses
        .iter()
        .map(|a| {
            parse_net(a.trim())
                .ok_or_else(|| NodeError::invalid("launch.addresses", format!("“{a}” 不是 IP 地址或前缀")))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Launch {
        system_name: text("launch.system_name", &l.system_name)?,
        owning_unit: text("launch.owning_unit", &l.owning_unit)?,
        launch_date: date("launch.launch_date", &l.launch_date)?,
        addresses,
        security_test_ref: text("launch.security_test_ref", &l.security_test_ref)?,
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
    }
}

fn launch_to_pb(l: &Launch) -> pb::LaunchDetails {
    pb::LaunchDetails {
        system_name: l.system_name.clone(),
        owning_unit: l.owning_unit.clone(),
        launch_date: l.launch_date.to_string(),
        addresses: l.addresses.iter().map(|a| a.to_string()).collect(),
        security_test_ref: l.security_test_ref.clone(),
    }
}

/// An annual report's figures carry the same names on both sides of the
/// wire: one list of them serves both directions (`notes` is owned or cloned).
macro_rules! report_figures {
    ($r:expr, $($ty:ident)::+, $notes:expr) => {
        $($ty)::+ {
            year: $r.year,
            cutovers: $r.cutovers,
            launches: $r.launches,
            own_filings: $r.own_filings,
            subtree_nodes: $r.subtree_nodes,
            subtree_reporting: $r.subtree_reporting,
            notes: $notes,
        }
    };
}

fn report_to_pb(r: &AnnualReport) -> pb::AnnualReportDetails {
    report_figures!(r, pb::AnnualReportDetails, r.notes.clone())
}

fn report_from_pb(r: pb::AnnualReportDetails) -> AnnualReport {
    report_figures!(r, AnnualReport, r.notes)
}

/// Validates an annual-report request: the year's range is the domain's;
/// here only the notes' length.
pub fn report_request_from_pb(r: &pb::FileAnnualReportRequest) -> Result<(i32, String)> {
    let notes = r.notes.trim();
    if notes.chars().count() > super::MAX_TEXT {
        return Err(NodeError::invalid("notes", format!("不能超过 {} 个字符", super::MAX_TEXT)));
    }
    Ok((r.year, notes.to_string()))
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
        FilingDetails::AnnualReport(r) => pb::filing::Details::AnnualReport(report_to_pb(r)),
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
        Some(pb::filing::Details::Launch(l)) => FilingDetails::Launch(launch_from_pb(Some(l))?),
        Some(pb::filing::Details::AnnualReport(r)) => FilingDetails::AnnualReport(report_from_pb(r)),
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
