//! Filing at the origin: a cutover, a system launch or an annual report is
//! recorded and announced up the tree in one write, and answered only once
//! durable.

use extranet_federation::Route;

use super::idempotency;
use crate::codec;
use crate::domain::approval::{ApprovalId, Stage};
use crate::domain::limits;
use crate::domain::{Cutover, Filing, FilingDetails, FilingId};
use crate::error::{NodeError, Result};
use crate::store::{NodeStore, Tx, TxResult, abort};

/// Records a filing at its origin and queues its announcement up the tree in
/// the same write; returns once both are durable.
pub async fn file(store: &NodeStore, details: FilingDetails, by: &str) -> Result<Filing> {
    let filing = store.transact(|tx| {
        if let FilingDetails::Cutover(c) = &details {
            check_major(tx, c)?;
        }
        let f = write_filing(tx, details.clone(), by)?;
        idempotency::record(tx, || codec::filing_to_pb(&f))?;
        Ok(f)
    })?;
    store.sync().await?;
    tracing::info!(filing = %filing.id, kind = filing.details.kind_zh(), by, "filing accepted");
    Ok(filing)
}

/// A cutover that is a major adjustment must name this node's application
/// the region has approved (Art.21); refused otherwise, saying which
/// approval is missing.
fn check_major(tx: &Tx<'_>, c: &Cutover) -> TxResult<()> {
    if !c.major_adjustment {
        return Ok(());
    }
    let refuse =
        |why: String| abort(NodeError::precondition(format!("重大建设或调整须经批准后方可开展（第二十一条）：{why}")));
    let Some(number) = c.major_approval else {
        return refuse(
            "请填写已获自治区级批准的审批申请编号（major_approval_id），可用 extranet approval apply 申请".into(),
        );
    };
    let id = ApprovalId { origin: tx.me().clone(), number };
    match tx.approval(&id.key())?.map(|a| a.stage()) {
        None => refuse(format!("本节点没有审批申请 {id}")),
        Some(Stage::Approved) => Ok(()),
        Some(stage) => refuse(format!("审批申请 {id} {}，尚未获自治区级批准", stage.zh())),
    }
}

/// Within a write: takes the next filing number, records the filing and
/// appends its `filing.v1` event to the up stream (the outbox).
pub fn write_filing(tx: &mut Tx<'_>, details: FilingDetails, by: &str) -> TxResult<Filing> {
    let number = tx.next_number("filing")?;
    let f = Filing {
        id: FilingId { origin: tx.me().clone(), number },
        filed_at_ms: tx.now_ms(),
        filed_by: by.to_string(),
        details,
        receipts: Vec::new(),
    };
    let payload = codec::encode_filing(&f);
    limits::event_payload("filing", payload.len()).or_else(abort)?;
    tx.put_filing(&f)?;
    tx.emit(Route::Up, codec::KIND_FILING, payload)?;
    Ok(f)
}
