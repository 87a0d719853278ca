//! Published calendars in the store: every version of the region's
//! calendar received, and every version of each prefecture's local calendar
//! (地方性假日) held here, the newest of each in force. The calendar a node
//! computes with is the region's merged with its own prefecture's local
//! one ([`crate::calendar::effective`]); a copy held above a prefecture is
//! used only for the deadlines of that prefecture's subtree. Parsed
//! calendars are cached until a newer version of either part arrives.

use std::sync::Arc;

use extranet_certs::NodeId;

use super::{NodeStore, TreeId, Tx, TxResult, abort, keys};
use crate::calendar::{CalendarDocument, LocalCalendar, WorkCalendar, effective, prefecture_of};
use crate::error::Result;

impl NodeStore {
    /// The newest calendar document of the region held here, or the built-in one.
    pub fn calendar_document(&self) -> Result<CalendarDocument> {
        self.view(|t| match t.last(TreeId::Calendars)? {
            Some((_, v)) => keys::decode(&v),
            None => Ok(CalendarDocument::builtin()),
        })
    }

    /// The newest local calendar that applies at `node` (its prefecture's),
    /// if this node holds one.
    pub fn local_calendar_for(&self, node: &NodeId) -> Result<Option<LocalCalendar>> {
        let Some(p) = prefecture_of(node) else { return Ok(None) };
        self.view(|t| {
            let newest = keys::read_u64(t.get(TreeId::Meta, &local_current(&p))?.as_deref())?;
            match t.get(TreeId::LocalCalendars, &local_key(&p, newest))? {
                Some(v) if newest > 0 => Ok(Some(keys::decode(&v)?)),
                _ => Ok(None),
            }
        })
    }

    /// The working-day calendar in force at this node: every deadline
    /// decided here is computed from this.
    pub fn calendar(&self) -> Result<Arc<WorkCalendar>> {
        self.calendar_for(&self.me)
    }

    /// The calendar in force at `node` as far as this node knows it: the
    /// region's newest, with `node`'s prefecture's local calendar if held
    /// here. An ancestor reads a deadline of its subtree with this.
    pub fn calendar_for(&self, node: &NodeId) -> Result<Arc<WorkCalendar>> {
        let p = prefecture_of(node);
        let (base, local) = self.view(|t| {
            let base = match t.last(TreeId::Calendars)? {
                Some((k, _)) => keys::parse_u64_key(&k),
                None => 0,
            };
            let local = match &p {
                Some(p) => keys::read_u64(t.get(TreeId::Meta, &local_current(p))?.as_deref())?,
                None => 0,
            };
            Ok::<_, crate::error::NodeError>((base, local))
        })?;
        let slot = p.as_ref().map(|p| p.to_string());
        let mut cache = self.calendar_cache.lock().unwrap_or_else(|p| p.into_inner());
        let fresh = |c: &&Arc<WorkCalendar>| c.version() == base && c.local().map_or(0, |l| l.version) == local;
        if let Some(c) = cache.get(&slot).filter(fresh) {
            return Ok(c.clone());
        }
        let l = self.local_calendar_for(node)?;
        let c = Arc::new(effective(&self.calendar_document()?, l.as_ref()));
        cache.insert(slot, c.clone());
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
    /// The newest calendar document of the region held, or the built-in one.
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

    /// The newest local calendar `subtree` (a prefecture) published, if held.
    pub fn local_calendar(&self, subtree: &NodeId) -> TxResult<Option<LocalCalendar>> {
        let newest = keys::read_u64(self.get(TreeId::Meta, local_current(subtree))?.as_deref()).or_else(abort)?;
        match self.get(TreeId::LocalCalendars, local_key(subtree, newest))? {
            Some(v) if newest > 0 => keys::decode(&v).map(Some).or_else(abort),
            _ => Ok(None),
        }
    }

    /// The calendar in force at this node (the region's with its
    /// prefecture's local one), parsed.
    pub fn work_calendar(&self) -> TxResult<WorkCalendar> {
        let local = match prefecture_of(self.me()) {
            Some(p) => self.local_calendar(&p)?,
            None => None,
        };
        Ok(effective(&self.calendar_document()?, local.as_ref()))
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
        let old = self.work_calendar()?;
        let value = keys::encode(doc).or_else(abort)?;
        self.insert(TreeId::Calendars, keys::u64_key(doc.version), value)?;
        self.insert(TreeId::Meta, CURRENT, keys::u64_value(doc.version))?;
        let new = self.work_calendar()?;
        self.reindex_for_calendar(&old, &new)?;
        Ok(true)
    }

    /// Stores a prefecture's local calendar if it is newer than every
    /// version of that prefecture held; returns whether it was. Where it
    /// applies (its subtree), the deadlines it moves are re-indexed in the
    /// same write; above it, it is only a copy.
    pub fn put_local_calendar(&mut self, local: &LocalCalendar) -> TxResult<bool> {
        let meta = local_current(&local.subtree);
        let newest = keys::read_u64(self.get(TreeId::Meta, &meta)?.as_deref()).or_else(abort)?;
        if local.doc.version <= newest {
            return Ok(false);
        }
        let applies = local.applies_to(self.me());
        let old = if applies { Some(self.work_calendar()?) } else { None };
        let value = keys::encode(local).or_else(abort)?;
        self.insert(TreeId::LocalCalendars, local_key(&local.subtree, local.doc.version), value)?;
        self.insert(TreeId::Meta, meta, keys::u64_value(local.doc.version))?;
        if let Some(old) = old {
            let new = self.work_calendar()?;
            self.reindex_for_calendar(&old, &new)?;
        }
        Ok(true)
    }
}

/// Meta key holding the newest calendar version stored.
const CURRENT: &[u8] = b"calendar/current";

/// Meta key holding the newest local calendar version of `subtree`.
fn local_current(subtree: &NodeId) -> Vec<u8> {
    format!("calendar/local/{subtree}").into_bytes()
}

/// Key of one version of `subtree`'s local calendar.
fn local_key(subtree: &NodeId, version: u64) -> Vec<u8> {
    let mut k = format!("{subtree}\0").into_bytes();
    k.extend_from_slice(&keys::u64_key(version));
    k
}
