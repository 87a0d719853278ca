//! Publishing the working-day calendar (Art.16's deadlines count working
//! days): only the region publishes; a new version travels down to every
//! node in the write that stores it.

use extranet_federation::{Route, Scope};

use super::idempotency;
use crate::calendar::{CalendarDocument, CalendarTable};
use crate::codec;
use crate::error::{NodeError, Result};
use crate::store::NodeStore;

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
        let current = tx.calendar_document()?;
        let mut doc = current.with_years(table);
        doc.version = current.version + 1;
        doc.published_at_ms = tx.now_ms();
        doc.published_by = format!("{by}@{}", me.code());
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
