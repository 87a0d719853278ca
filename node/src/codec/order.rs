//! Disconnection and rectification orders ↔ `extranet.v1`: an issue and a
//! step checked at the edge, the record as an answer and as the `order.v1`
//! payload that travels up (the whole record; the highest revision wins).

use chrono::NaiveDate;
use extranet_certs::NodeId;
use extranet_proto::v1 as pb;
use prost::Message;

use super::access::notice_to_pb;
use super::access_event::{day, notice_from_pb, optional_day};
use super::enums::WireEnum;
use crate::domain::order::{OrderStep, StepKind};
use crate::domain::{Deadline, Order, OrderAction, OrderId, OrderState, UnitId};
use crate::error::{NodeError, Result};

/// Event kind of an order travelling up.
pub const KIND_ORDER: &str = "order.v1";

/// The unit an issue names (required, well-formed).
pub fn order_unit(field: &'static str, v: &str) -> Result<UnitId> {
    match v.trim() {
        "" => Err(NodeError::invalid(field, "不能为空：须写明被中断连接的接入单位编号")),
        u => UnitId::parse(u).map_err(|_| NodeError::invalid(field, format!("“{u}” 不是单位编号"))),
    }
}

/// The step a request asks for.
pub fn order_action_from_pb(r: &pb::ActOnOrderRequest) -> Result<OrderAction> {
    use pb::OrderAction as A;
    let text = r.text.clone();
    Ok(match A::try_from(r.action).unwrap_or(A::Unspecified) {
        A::Rectified => OrderAction::Rectified { report: text },
        A::Lift => OrderAction::Lift { note: text },
        A::Extend => OrderAction::Extend { working_days: r.working_days, reason: text },
        A::Unspecified => return Err(NodeError::invalid("action", "应为报送整改情况、恢复连接或延长整改期限之一")),
    })
}

pub(super) fn deadline_to_pb(d: &Deadline) -> pb::OrderDeadline {
    pb::OrderDeadline {
        due: d.due.to_string(),
        from: d.from.map(|f| f.to_string()).unwrap_or_default(),
        working_days: d.working_days,
        calendar_version: d.calendar_version,
        provisional: d.provisional,
        met_on: d.met_on.map(|m| m.to_string()).unwrap_or_default(),
        local_by: super::local_by(&d.local),
        local_version: super::local_version(&d.local),
        local_affected: d.local_affected,
    }
}

pub(super) fn deadline_from_pb(d: Option<pb::OrderDeadline>) -> Result<Deadline> {
    let d = d.ok_or_else(|| NodeError::invalid("deadline", "缺少整改期限"))?;
    Ok(Deadline {
        due: day("deadline.due", &d.due)?,
        calendar_version: d.calendar_version,
        met_on: optional_day("deadline.met_on", &d.met_on)?,
        from: optional_day("deadline.from", &d.from)?,
        working_days: d.working_days,
        provisional: d.provisional,
        local: super::local_stamp("deadline.local_by", d.local_by, d.local_version)?,
        local_affected: d.local_affected,
    })
}

/// The wire form of an order, overdue as of `today` (`None`: false, as in events).
pub fn order_to_pb(o: &Order, today: Option<NaiveDate>) -> pb::Order {
    pb::Order {
        id: o.id.key(),
        origin: o.id.origin.to_string(),
        number: o.id.number,
        unit_id: o.unit.to_string(),
        unit_name: o.unit_name.clone(),
        reason: o.reason.clone(),
        state: o.state.to_pb() as i32,
        deadline: Some(deadline_to_pb(&o.deadline)),
        history: o
            .history
            .iter()
            .map(|s| pb::OrderStep {
                kind: s.kind.to_pb() as i32,
                at_ms: s.at_ms,
                by: s.by.clone(),
                note: s.note.clone(),
                deadline: s.deadline.as_ref().map(deadline_to_pb),
            })
            .collect(),
        order_notice: Some(notice_to_pb(&o.order_notice)),
        lifting_notice: o.lifting_notice.as_ref().map(notice_to_pb),
        revision: o.revision,
        overdue: today.is_some_and(|t| o.is_overdue(t)),
    }
}

fn step_from_pb(s: pb::OrderStep) -> Result<OrderStep> {
    Ok(OrderStep {
        kind: StepKind::from_pb(s.kind).ok_or_else(|| NodeError::invalid("history.kind", "未知的步骤"))?,
        at_ms: s.at_ms,
        by: s.by,
        note: s.note,
        deadline: s.deadline.map(|d| deadline_from_pb(Some(d))).transpose()?,
    })
}

/// Reads an order from a peer's `order.v1` payload.
pub fn order_from_pb(p: pb::Order) -> Result<Order> {
    let history = p.history.into_iter().map(step_from_pb).collect::<Result<Vec<_>>>()?;
    if history.first().is_none_or(|s| s.kind != StepKind::Issued) {
        return Err(NodeError::invalid("history", "中断连接通知的第一步应为下达"));
    }
    let notice = |field: &'static str, n: pb::WrittenNotice| notice_from_pb(field, field, n);
    Ok(Order {
        id: OrderId { origin: NodeId::parse(&p.origin)?, number: p.number },
        unit: order_unit("unit_id", &p.unit_id)?,
        unit_name: p.unit_name,
        reason: p.reason,
        state: OrderState::from_pb(p.state).ok_or_else(|| NodeError::invalid("state", "未知的通知状态"))?,
        deadline: deadline_from_pb(p.deadline)?,
        history,
        order_notice: notice(
            "order_notice",
            p.order_notice.ok_or_else(|| NodeError::invalid("order_notice", "缺少中断连接通知书"))?,
        )?,
        lifting_notice: p.lifting_notice.map(|n| notice("lifting_notice", n)).transpose()?,
        revision: p.revision,
    })
}

/// Payload of an `order.v1` event.
pub fn encode_order(o: &Order) -> Vec<u8> {
    order_to_pb(o, None).encode_to_vec()
}

/// Reads an `order.v1` payload.
pub fn decode_order(bytes: &[u8]) -> Result<Order> {
    order_from_pb(super::decode_payload(bytes, "中断连接通知事件")?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::fixtures::{order, read};

    /// The `order.v1` payload a node wrote is read back as the same record.
    #[test]
    fn the_checked_in_order_payload_decodes_to_its_record() {
        let o = order();
        assert_eq!(decode_order(&read("wire/order.v1/lifted.bin")).unwrap(), o);
        assert_eq!(decode_order(&encode_order(&o)).unwrap(), o);
    }
}
