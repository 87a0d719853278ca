//! Published calendars in the store: every version received, the newest in
//! force. Reading the current calendar is a last-key lookup; the parsed
//! calendar is cached until a newer version arrives.

use std::sync::Arc;

use super::{NodeStore, TreeId, Tx, TxResult, abort, keys};
use crate::calendar::{CalendarDocument, WorkCalendar};
use crate::error::Result;

impl NodeStore {
    /// The newest calendar document held here, or the built-in one.
    pub fn calendar_document(&self) -> Result<CalendarDocument> {
        self.view(|t| match t.last(TreeId::Calendars)? {
            Some((_, v)) => keys::decode(&v),
            None => Ok(CalendarDocument::builtin()),
        })
    }

    /// The working-day calendar in force at this node: the newest version
    /// held, or the built-in one. Every deadline is computed from this.
    pub fn calendar(&self) -> Result<Arc<WorkCalendar>> {
        let newest = self.view(|t| {
            Ok::<_, crate::error::NodeError>(match t.last(TreeId::Calendars)? {
                Some((k, _)) => keys::parse_u64_key(&k),
                None => 0,
            })
        })?;
        let mut cache = self.calendar_cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = cache.as_ref().filter(|c| c.version() == newest) {
            return Ok(c.clone());
        }
        let c = Arc::new(self.calendar_document()?.work_calendar());
        *cache = Some(c.clone());
        Ok(c)
    }

    /// The warning this node shows when its calendar lacks the year of
    /// `today` or, from 1 November, the next one (see
    /// [`WorkCalendar::missing_year_warning`]); `today` is a parameter so
    /// tests need not depend on the machine's date.
    pub fn calendar_warning(&self, today: chrono::NaiveDate) -> Result<Option<String>> {
        Ok(self.calendar()?.missing_year_warning(today))
    }
}

impl Tx<'_> {
    /// The newest calendar document held, or the built-in one.
    pub fn calendar_document(&self) -> TxResult<CalendarDocument> {
        // A transaction has no `last`; the current version is kept in meta.
        let newest = keys::read_u64(self.get(TreeId::Meta, CURRENT)?.as_deref()).or_else(abort)?;
        if newest == 0 {
            return Ok(CalendarDocument::builtin());
        }
        match self.get(TreeId::Calendars, keys::u64_key(newest))? {
            Some(v) => keys::decode(&v).or_else(abort),
            None => Ok(CalendarDocument::builtin()),
        }
    }

    /// Stores `doc` if it is newer than every version held; returns whether
    /// it was (older and repeated versions are ignored: publication is
    /// idempotent and the newest wins). The deadlines it moves are
    /// re-indexed in the same write (`deadline_index.rs`).
    pub fn put_calendar(&mut self, doc: &CalendarDocument) -> TxResult<bool> {
        let newest = keys::read_u64(self.get(TreeId::Meta, CURRENT)?.as_deref()).or_else(abort)?;
        if doc.version <= newest {
            return Ok(false);
        }
        let old = self.calendar_document()?;
        let value = keys::encode(doc).or_else(abort)?;
        self.insert(TreeId::Calendars, keys::u64_key(doc.version), value)?;
        self.insert(TreeId::Meta, CURRENT, keys::u64_value(doc.version))?;
        // deadlines computed past the end of the old calendar may move
        self.reindex_for_calendar(&old, doc)?;
        Ok(true)
    }
}

/// Meta key holding the newest calendar version stored.
const CURRENT: &[u8] = b"calendar/current";
