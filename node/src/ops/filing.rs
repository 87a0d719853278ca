//! Filing at the origin: a cutover, a system launch or an annual report is
//! recorded and announced up the tree in one write, and answered only once
//! durable.

use extranet_federation::Route;

use super::idempotency;
use crate::codec;
use crate::domain::approval::{ApprovalId, Stage};
use crate::domain::limits;
use crate::domain::{Cutover, Filing, FilingDetails, FilingId, UnitId, UnitStatus};
use crate::error::{NodeError, Result};
use crate::store::{NodeStore, Tx, TxResult, abort};

/// Records a filing at its origin and queues its announcement up the tree in
/// the same write; returns once both are durable. A cutover from an
/// operator goes through [`file_cutover`], which checks it first.
pub async fn file(store: &NodeStore, details: FilingDetails, by: &str) -> Result<Filing> {
    let filing = store.transact(|tx| {
        let f = write_filing(tx, details.clone(), by)?;
        idempotency::record(tx, || codec::filing_to_pb(&f))?;
        Ok(f)
    })?;
    store.sync().await?;
    tracing::info!(filing = %filing.id, kind = filing.details.kind_zh(), by, "filing accepted");
    Ok(filing)
}

/// Files a cutover, which issues its notice (割接通知) to the units it
/// affects: each must be registered here and not withdrawn (their names
/// are recorded with it); a major one needs its approval (Art.21). The
/// window and notice rules are checked before ([`crate::domain::filing`]).
pub async fn file_cutover(store: &NodeStore, cutover: Cutover, by: &str) -> Result<Filing> {
    let filing = store.transact(|tx| {
        check_major(tx, &cutover)?;
        let named = affected(tx, &cutover)?;
        let f = write_filing(tx, FilingDetails::Cutover(named), by)?;
        idempotency::record(tx, || codec::filing_to_pb(&f))?;
        Ok(f)
    })?;
    store.sync().await?;
    tracing::info!(filing = %filing.id, units = filing_units(&filing), by, "cutover filed, notice issued");
    Ok(filing)
}

fn filing_units(f: &Filing) -> usize {
    match &f.details {
        FilingDetails::Cutover(c) => c.affected_units.len(),
        _ => 0,
    }
}

/// The cutover with the registered names of its affected units, refused
/// naming the first that is not a unit registered here.
fn affected(tx: &Tx<'_>, c: &Cutover) -> TxResult<Cutover> {
    let mut names = Vec::with_capacity(c.affected_units.len());
    for id in &c.affected_units {
        let unregistered = || {
            abort(NodeError::invalid(
                "cutover.affected_units",
                format!("“{id}” 不是本节点登记的接入单位编号；割接通知只能发给已登记的单位（extranet unit list）"),
            ))
        };
        let Ok(uid) = UnitId::parse(id) else { return unregistered() };
        match tx.unit(&uid)? {
            None => return unregistered(),
            Some(u) if u.status == UnitStatus::Withdrawn => {
                return abort(NodeError::precondition(format!(
                    "cutover.affected_units：接入单位 {id}（{}）已撤销接入",
                    u.name
                )));
            }
            Some(u) => names.push(u.name),
        }
    }
    Ok(Cutover { affected_names: names, ..c.clone() })
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
