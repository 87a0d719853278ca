//! The index of open Art.16 deadlines of the applications this node
//! decides, by due date, so a summary counts the overdue ones with a range
//! scan up to today instead of reading every application.
//!
//! It holds exactly what `Application::overdue` would report on a later
//! day: for an application owned here and not finished, each deadline not
//! yet met, with its due date as the calendar in force makes it (a
//! provisional deadline is recomputed by a newer calendar,
//! `Application::refresh_deadlines`). Past its due date such a deadline is
//! late by at least one working day, whatever the calendar, so "overdue on
//! `today`" is "due before `today`". A new calendar (the region's or the
//! local one of this node's prefecture) can move running deadlines (the
//! correction policy, `calendar/correction.rs`): the applications with an
//! open deadline are listed under [`PROVISIONAL`], and the transaction
//! storing the calendar re-indexes them (rare: a few calendars a year, and
//! only the applications still open — an application is open for at most
//! some forty working days).

use std::collections::BTreeSet;

use extranet_certs::NodeId;

use super::figures::PROVISIONAL;
use super::{TreeId, Tx, TxResult, abort, keys};
use crate::calendar::WorkCalendar;
use crate::domain::Application;

/// Key of one open deadline: due date, NUL, application key, NUL, its name.
pub(super) fn entry_key(due: chrono::NaiveDate, app: &str, stage: &str) -> Vec<u8> {
    format!("{due}\0{app}\0{stage}").into_bytes()
}

/// Whether `a` is decided here and still has deadlines to meet.
fn indexed(me: &NodeId, a: &Application) -> bool {
    a.owned_by(me) && !a.state.is_final()
}

/// Whether a newer calendar may move one of `a`'s open deadlines.
pub(super) fn may_move(me: &NodeId, a: &Application) -> bool {
    indexed(me, a) && a.deadlines.open().iter().any(|(_, d)| d.from.is_some())
}

/// The index keys of `a`'s open deadlines under calendar `cal` (needed
/// only when [`may_move`]).
pub(super) fn entries(me: &NodeId, a: &Application, cal: Option<&WorkCalendar>) -> BTreeSet<Vec<u8>> {
    if !indexed(me, a) {
        return BTreeSet::new();
    }
    let mut a = a.clone();
    if let Some(cal) = cal {
        a.refresh_deadlines(cal);
    }
    let key = a.id.key();
    a.deadlines.open().into_iter().map(|(stage, d)| entry_key(d.due, &key, stage)).collect()
}

impl Tx<'_> {
    /// Moves the index from `old`'s open deadlines to `new`'s (the same
    /// application before and after a write), and its membership of the
    /// applications a calendar may move.
    pub(super) fn index_deadlines(&mut self, old: Option<&Application>, new: &Application) -> TxResult<()> {
        let me = self.me().clone();
        let moves = |a: Option<&Application>| a.is_some_and(|a| may_move(&me, a));
        let cal = if moves(old) || moves(Some(new)) { Some(self.work_calendar()?) } else { None };
        let before = old.map(|a| entries(&me, a, cal.as_ref())).unwrap_or_default();
        self.replace_entries(&before, &entries(&me, new, cal.as_ref()))?;
        if moves(old) != moves(Some(new)) {
            let mut set = self.provisional()?;
            if moves(Some(new)) {
                set.insert(new.id.key());
            } else {
                set.remove(&new.id.key());
            }
            self.set_provisional(&set)?;
        }
        Ok(())
    }

    /// Re-indexes the applications whose deadlines calendar `new` may move,
    /// in the transaction that replaces calendar `old` by it.
    pub(super) fn reindex_for_calendar(&mut self, old: &WorkCalendar, new: &WorkCalendar) -> TxResult<()> {
        let set = self.provisional()?;
        if set.is_empty() {
            return Ok(());
        }
        let me = self.me().clone();
        for key in &set {
            let Some(a) = self.application(key)? else { continue };
            self.replace_entries(&entries(&me, &a, Some(old)), &entries(&me, &a, Some(new)))?;
        }
        Ok(())
    }

    fn replace_entries(&mut self, before: &BTreeSet<Vec<u8>>, after: &BTreeSet<Vec<u8>>) -> TxResult<()> {
        for k in before.difference(after) {
            self.remove(TreeId::DeadlineIndex, k)?;
        }
        for k in after.difference(before) {
            self.insert(TreeId::DeadlineIndex, k, b"")?;
        }
        Ok(())
    }

    /// The keys of the applications a new calendar may move.
    fn provisional(&self) -> TxResult<BTreeSet<String>> {
        match self.get(TreeId::Figures, PROVISIONAL)? {
            Some(v) => keys::decode(&v).or_else(abort),
            None => Ok(BTreeSet::new()),
        }
    }

    fn set_provisional(&mut self, set: &BTreeSet<String>) -> TxResult<()> {
        if set.is_empty() {
            return self.remove(TreeId::Figures, PROVISIONAL);
        }
        let v = keys::encode(set).or_else(abort)?;
        self.insert(TreeId::Figures, PROVISIONAL, v)
    }
}
