//! Publishing the working-day calendar (Art.16's deadlines count working
//! days): the region publishes the calendar of the whole federation, a
//! prefecture its local days for its own subtree (Art.30); a new version
//! travels down in the write that stores it.

use extranet_certs::NodeId;
use extranet_federation::{Route, Scope};

use super::idempotency;
use crate::calendar::{CalendarDocument, CalendarTable, LocalCalendar};
use crate::codec;
use crate::error::{NodeError, Result};
use crate::store::{NodeStore, abort};

/// Publishes `table` at the region: the current calendar with the table's
/// years replaced becomes the next version, stored and announced to the
/// whole subtree in one write; returns once durable.
pub async fn publish(store: &NodeStore, table: &CalendarTable, by: &str) -> Result<CalendarDocument> {
    if store.me().parent().is_some() {
        return Err(NodeError::precondition(format!(
            "工作日历由自治区节点发布，本节点 {} 只接收上级发布的版本",
            store.me()
        )));
    }
    let me = store.me().clone();
    let doc = store.transact(|tx| {
        let doc = tx.calendar_document()?.next_version(table, tx.now_ms(), format!("{by}@{}", me.code()));
        tx.put_calendar(&doc)?;
        tx.emit(Route::Down(Scope::Subtree(me.clone())), codec::KIND_CALENDAR, codec::encode_calendar(&doc))?;
        idempotency::record(tx, || codec::calendar_to_pb(&doc, None))?;
        Ok(doc)
    })?;
    store.sync().await?;
    let years: Vec<String> = table.years.iter().map(|y| y.to_string()).collect();
    tracing::info!(version = doc.version, years = %years.join(","), by, "calendar published");
    Ok(doc)
}

/// Publishes the next version of this prefecture's local calendar (地方性假日,
/// Art.30) from `table`, for `subtree` (which must be this node): stored,
/// announced down its subtree and, as a copy for oversight, up to its
/// ancestors, in one write; returns once durable. Refused (nothing
/// written) at the region or a county, for another node's subtree, or
/// when the table leaves the region's listed years or changes a day the
/// region's calendar lists.
pub async fn publish_local(
    store: &NodeStore,
    subtree: &NodeId,
    table: &CalendarTable,
    by: &str,
) -> Result<LocalCalendar> {
    let me = store.me().clone();
    if subtree != &me {
        return Err(NodeError::PermissionDenied(format!(
            "本节点 {me} 只能为本辖区发布本地工作日历，不能为 {subtree} 发布"
        )));
    }
    let local = store.transact(|tx| {
        let current = tx.local_calendar(&me)?;
        let base = tx.calendar_document()?;
        let by = format!("{by}@{}", me.code());
        let local = LocalCalendar::publish(current.as_ref(), &base, &me, table, tx.now_ms(), by).or_else(abort)?;
        tx.put_local_calendar(&local)?;
        let payload = codec::encode_local_calendar(&local);
        tx.emit(Route::Down(Scope::Subtree(me.clone())), codec::KIND_CALENDAR_LOCAL, payload.clone())?;
        tx.emit(Route::Up, codec::KIND_CALENDAR_LOCAL, payload)?;
        idempotency::record(tx, || codec::local_calendar_to_pb(&local))?;
        Ok(local)
    })?;
    store.sync().await?;
    tracing::info!(version = local.doc.version, subtree = %me, by, "local calendar published");
    Ok(local)
}
