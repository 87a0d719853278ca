//! The correction policy: what a newer calendar (the region's, or a
//! prefecture's local one) does to deadlines computed under an older one.
//!
//! The clock is the regulation's, so the correct calendar rules while a
//! deadline runs, and history does not change once it has run:
//!
//! - a deadline already met is kept as computed;
//! - a provisional one (computed past the calendar's last listed year) is
//!   recomputed by any newer calendar;
//! - any other is recomputed only if it was still running when the newer
//!   version was published: its due date on or after the day the first
//!   version after its own was published. One due before then stays as
//!   computed (it was missed or met under the calendar then in force).
//!
//! A recomputed deadline carries the versions it was recomputed under, so
//! it can always be explained. A node recomputes only with a calendar that
//! succeeds the deadline's own — the same local calendar or none, never
//! another prefecture's — so an ancestor holding another line of local
//! calendars never rewrites a deadline it cannot reproduce.

use chrono::NaiveDate;

use super::{LocalStamp, WorkCalendar};

impl WorkCalendar {
    /// Whether this calendar is a later state of the one that gave
    /// `(base, local)`: no older in either part, newer in at least one, and
    /// the same local calendar (or a first one where there was none).
    pub fn succeeds(&self, base: u64, local: Option<&LocalStamp>) -> bool {
        let local_ok = match (local, self.local.as_ref()) {
            (None, _) => true,
            (Some(d), Some(c)) => d.by == c.by && c.version >= d.version,
            (Some(_), None) => false,
        };
        let same = self.version == base && self.local.as_ref() == local;
        self.version >= base && local_ok && !same
    }

    /// The day the first version after `(base, local)` was published, of
    /// the base or of the local calendar merged here (`None` if none is
    /// known, as for a calendar built without its history).
    pub fn first_change_after(&self, base: u64, local: Option<&LocalStamp>) -> Option<NaiveDate> {
        let first_base = self.history.range(base.saturating_add(1)..).map(|(_, d)| *d).min();
        let local_from = match (local, self.local.as_ref()) {
            (Some(d), Some(c)) if d.by == c.by => d.version.saturating_add(1),
            (None, Some(_)) => 1,
            _ => u64::MAX,
        };
        let first_local = self.local_history.range(local_from..).map(|(_, d)| *d).min();
        first_base.into_iter().chain(first_local).min()
    }

    /// Whether a deadline computed under `(base, local)`, due `due`, met or
    /// not, provisional or not, is recomputed with this calendar (the
    /// policy above).
    pub fn recomputes(
        &self,
        base: u64,
        local: Option<&LocalStamp>,
        due: NaiveDate,
        met: bool,
        provisional: bool,
    ) -> bool {
        if met || !self.succeeds(base, local) {
            return false;
        }
        provisional || self.first_change_after(base, local).is_some_and(|changed| due >= changed)
    }
}
