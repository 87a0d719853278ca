//! Filing a system launch or change (Art.23, Art.26(4)) at the unit's own
//! node: the unit must be registered here, the date not past, and every
//! address inside an assignment this node made to that unit. The filing
//! carries the assignments it was checked against, so every level above
//! sees which address record each address comes from.

use crate::calendar;
use crate::codec;
use crate::domain::ipam::Assignment;
use crate::domain::launch::{check_effective_date, link_addresses};
use crate::domain::{Filing, FilingDetails, FilingId, Launch, SystemChange, UnitId};
use crate::error::{NodeError, Result};
use crate::ops::idempotency;
use crate::ops::ipam::system_requests::check_unit;
use crate::store::{NodeStore, Tx, TxResult, abort};

/// Files a launch; durable when it returns.
/// `unit` is the one the caller may file for (`Caller::unit_for`).
pub async fn file_launch(store: &NodeStore, launch: Launch, unit: &UnitId, by: &str) -> Result<Filing> {
    check_effective_date("launch.launch_date", launch.launch_date, calendar::today())?;
    let candidates = candidates(store, &launch)?;
    let f = store.transact(|tx| {
        let system = linked(tx, &launch, unit, &candidates)?;
        write(tx, FilingDetails::Launch(system), by)
    })?;
    store.sync().await?;
    tracing::info!(filing = %f.id, unit = %unit, by, "launch filed");
    Ok(f)
}

/// Files a change to a launch of this node; durable when it returns.
pub async fn file_change(store: &NodeStore, change: SystemChange, unit: &UnitId, by: &str) -> Result<Filing> {
    check_effective_date("change.system.launch_date", change.system.launch_date, calendar::today())?;
    let candidates = candidates(store, &change.system)?;
    let f = store.transact(|tx| {
        check_launched(tx, change.launch, unit)?;
        let system = linked(tx, &change.system, unit, &candidates)?;
        write(tx, FilingDetails::Change(SystemChange { system, ..change.clone() }), by)
    })?;
    store.sync().await?;
    tracing::info!(filing = %f.id, unit = %unit, by, "system change filed");
    Ok(f)
}

/// This node's assignments that hold any of the launch's addresses, read
/// before the write; the write re-reads each before relying on it.
fn candidates(store: &NodeStore, launch: &Launch) -> Result<Vec<Assignment>> {
    let me = store.me();
    let all = store.ipam_assignments()?;
    Ok(all.into_iter().filter(|a| &a.id.node == me && launch.addresses.iter().any(|n| a.prefix.contains(n))).collect())
}

/// Within the write: the launch for a registered `unit`, its addresses
/// linked to the candidates as they stand now.
fn linked(tx: &Tx<'_>, launch: &Launch, unit: &UnitId, candidates: &[Assignment]) -> TxResult<Launch> {
    check_unit(tx, unit)?;
    let mut current = Vec::with_capacity(candidates.len());
    for c in candidates {
        current.extend(tx.ipam_assignment(&c.id.node, c.id.number)?);
    }
    let assignments = link_addresses(&launch.addresses, unit.as_str(), &current).or_else(abort)?;
    Ok(Launch { owning_unit: unit.to_string(), assignments, ..launch.clone() })
}

/// A change names a launch filed here for the same unit.
fn check_launched(tx: &Tx<'_>, number: u64, unit: &UnitId) -> TxResult<()> {
    let id = FilingId { origin: tx.me().clone(), number };
    match tx.filing(&id.key())?.map(|f| f.details) {
        Some(FilingDetails::Launch(l)) if l.owning_unit == unit.as_str() => Ok(()),
        Some(FilingDetails::Launch(l)) => {
            abort(NodeError::precondition(format!("上线备案 {id} 的系统属于 {}，不是 {unit}", l.owning_unit)))
        }
        Some(other) => {
            abort(NodeError::invalid("change.launch_id", format!("{id} 是{}，不是上线备案", other.kind_zh())))
        }
        None => abort(NodeError::NotFound(format!("本节点没有上线备案 {id}"))),
    }
}

fn write(tx: &mut Tx<'_>, details: FilingDetails, by: &str) -> TxResult<Filing> {
    let f = super::filing::write_filing(tx, details, by)?;
    idempotency::record(tx, || codec::filing_to_pb(&f))?;
    Ok(f)
}
