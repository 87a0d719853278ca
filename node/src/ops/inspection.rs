//! Supervision inspections (Art.28) at each party's node. The authority's
//! operator records an inspection of a unit registered at its node or of a
//! lower node, and accepts or returns each answer; each of these writes
//! stores the record with its counters and sends it (`inspection.v1`) up
//! to the ancestors and, for a lower node, down to it, in one transaction.
//! The inspected party answers: a unit at the authority's node (written
//! straight into the record), a lower node's operator at its own node (its
//! copy shows the answer at once, and `inspection.response.v1` carries it
//! up to the authority, which merges it — `replicate/inspection.rs`).
//! Every write is answered once durable.

use chrono::Datelike;
use extranet_federation::Route;

use super::idempotency;
use crate::codec;
use crate::domain::UnitId;
use crate::domain::inspection::{Inspected, Inspection, InspectionId, InspectionRequest, Response, Review};
use crate::domain::order::Issuer;
use crate::error::{NodeError, Result};
use crate::replicate::write_own_inspection as write_own;
use crate::store::{NodeStore, Tx, TxResult, abort};

/// Who answers a finding.
pub enum Respondent<'a> {
    /// The inspected unit, by its certificate, at the authority's node.
    Unit(&'a UnitId),
    /// An operator of this node, answering an inspection of this node.
    Operator(&'a str),
}

/// Records an inspection at this node from `req` by `by`. A unit must be
/// registered here (its name is taken from the registry); a node must lie
/// below this one (`node_name` names its division). Answered once durable.
pub async fn record(
    store: &NodeStore,
    req: InspectionRequest,
    node_name: Option<&str>,
    by: &str,
    division: Option<&str>,
) -> Result<Inspection> {
    let cal = store.calendar()?;
    let i = store.transact(|tx| {
        let me = tx.me().clone();
        let mut req = req.clone();
        req.inspected_name = match &req.inspected {
            Inspected::Unit(u) => match tx.unit(u)? {
                Some(unit) => unit.name,
                None => return abort(NodeError::NotFound(format!("本节点没有登记单位 {u}"))),
            },
            Inspected::Node(n) if me.is_ancestor_of(n) => node_name.unwrap_or(n.code()).to_string(),
            Inspected::Node(n) => {
                return abort(NodeError::invalid(
                    "inspected_node",
                    format!("{n} 不是本节点（{me}）的下级节点：只能检查本级登记的单位或下级节点"),
                ));
            }
        };
        let seq = if Inspection::orders_rectification(&req) {
            tx.next_number(&format!("inspection_notice/{}", crate::calendar::year_of_ms(tx.now_ms())))?
        } else {
            0
        };
        let id = InspectionId { origin: me.clone(), number: tx.next_number("inspection")? };
        let issuer = Issuer { authority: &me, division, seq };
        let i = Inspection::record(id, req, &cal, tx.now_ms(), by, &issuer).or_else(abort)?;
        write_own(tx, &i)?;
        idempotency::record(tx, || codec::inspection_to_pb(&i, None))?;
        Ok(i)
    })?;
    store.sync().await?;
    tracing::info!(inspection = %i.id, inspected = %i.inspected.label(), year = i.date.year(), by, "inspection recorded");
    Ok(i)
}

/// Answers finding `finding` of inspection `key` with `text`, as `who`.
pub async fn respond(
    store: &NodeStore,
    key: &str,
    finding: usize,
    text: &str,
    who: Respondent<'_>,
) -> Result<Inspection> {
    let i = store.transact(|tx| {
        let mut i = held(tx, key)?;
        let me = tx.me().clone();
        let by = match (&who, &i.inspected) {
            (Respondent::Unit(u), Inspected::Unit(v)) if *u == v && i.id.origin == me => format!("unit:{u}"),
            (Respondent::Operator(op), Inspected::Node(n)) if n == &me => format!("{me}:{op}"),
            _ => {
                return abort(NodeError::PermissionDenied(format!(
                    "只有被检查方（{}）可以答复监督检查 {key} 的整改",
                    i.inspected.label()
                )));
            }
        };
        let r = Response { finding, text: text.to_string(), at_ms: tx.now_ms(), by };
        i.respond(&r).or_else(abort)?;
        if i.id.origin == me {
            write_own(tx, &i)?;
        } else {
            tx.put_inspection(&i)?;
            let payload = codec::encode_inspection_response(&i.id, &r);
            tx.emit(Route::Up, codec::KIND_INSPECTION_RESPONSE, payload)?;
        }
        idempotency::record(tx, || codec::inspection_to_pb(&i, None))?;
        Ok(i)
    })?;
    store.sync().await?;
    tracing::info!(inspection = %i.id, finding, "rectification answered");
    Ok(i)
}

/// Accepts or returns the answer to finding `finding` of inspection `key`,
/// recorded here, by operator `by`.
pub async fn review(store: &NodeStore, key: &str, finding: usize, review: Review, by: &str) -> Result<Inspection> {
    let i = store.transact(|tx| {
        let mut i = held(tx, key)?;
        if &i.id.origin != tx.me() {
            return abort(NodeError::PermissionDenied(format!(
                "监督检查 {key} 由 {} 记录，只有该节点的操作员可以验收或退回整改，本节点只保存副本",
                i.id.origin
            )));
        }
        i.review(finding, review.clone(), tx.now_ms(), by).or_else(abort)?;
        write_own(tx, &i)?;
        idempotency::record(tx, || codec::inspection_to_pb(&i, None))?;
        Ok(i)
    })?;
    store.sync().await?;
    tracing::info!(inspection = %i.id, finding, by, "rectification reviewed");
    Ok(i)
}

fn held(tx: &Tx<'_>, key: &str) -> TxResult<Inspection> {
    tx.inspection(key)?.ok_or_else(|| NodeError::NotFound(format!("本节点没有编号为 {key} 的监督检查"))).or_else(abort)
}
