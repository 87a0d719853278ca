//! The figures of the supervision records (Art.21, Art.25(4), Art.26(1),
//! Art.28, Art.29): what one approval, order, incident, inspection or
//! circular counts under (its share, kept by the record's writer in the same
//! transaction), and the counts read back for the summary — the overdue
//! ones from their due-date indexes, as long as what is open now.

use std::collections::BTreeMap;
use std::ops::Bound;

use chrono::NaiveDate;
use extranet_certs::NodeId;

use super::TreeId;
use super::counter::{Share, by_year, counts, read_counter};
use crate::domain::approval::{MajorAdjustment, Stage};
use crate::domain::inspection::Inspection;
use crate::domain::{Circular, Incident, Order, OrderState, UpDecision};
use crate::error::{NodeError, Result};

/// An application for a major adjustment counts once as waiting where it
/// waits on this level, and at its applicant under its stage.
pub(super) fn approval_share(me: &NodeId, a: &MajorAdjustment) -> Share {
    let stage = a.stage();
    let mut share = Vec::new();
    if stage == Stage::Pending(me.clone()) {
        share.push((b"approvals/waiting".to_vec(), 1));
    }
    if &a.id.origin == me {
        share.push((format!("approvals/own/{}", stage.code()).into_bytes(), 1));
    }
    share
}

/// An own order counts as a disconnected unit while it stands, and as an
/// open rectification until the rectification is reported.
pub(super) fn order_share(me: &NodeId, o: &Order) -> Share {
    if &o.id.origin != me || !o.is_standing() {
        return Vec::new();
    }
    let mut share = vec![(b"orders/disconnected".to_vec(), 1)];
    if o.state == OrderState::Standing {
        share.push((b"orders/open".to_vec(), 1));
    }
    share
}

/// An own incident counts once under its majority and the year (Beijing
/// time) it was reported; while open, also as awaiting the decision
/// whether to report it up, and as missing a department if major.
pub(super) fn incident_share(me: &NodeId, i: &Incident) -> Share {
    if &i.id.origin != me {
        return Vec::new();
    }
    let class = if i.report.major { "major" } else { "other" };
    let year = crate::calendar::year_of_ms(i.reported_at_ms());
    let mut share = vec![(format!("incidents/{class}/{year}").into_bytes(), 1)];
    if !i.closed && i.decision == UpDecision::Undecided {
        share.push((b"incidents/awaiting".to_vec(), 1));
    }
    if !i.closed && !i.missing_departments().is_empty() {
        share.push((b"incidents/missing".to_vec(), 1));
    }
    share
}

/// An own inspection counts once under the year of its day, and each of
/// its rectifications not yet accepted as open (and as waiting for review
/// once answered); overdue ones are read from [`TreeId::RectificationDue`].
pub(super) fn inspection_share(me: &NodeId, i: &Inspection) -> Share {
    use crate::domain::inspection::RectificationState;
    if &i.id.origin != me {
        return Vec::new();
    }
    let mut share = vec![(format!("inspections/year/{}", chrono::Datelike::year(&i.date)).into_bytes(), 1)];
    for (_, r) in i.open() {
        share.push((b"inspections/open".to_vec(), 1));
        if r.state == RectificationState::Responded {
            share.push((b"inspections/responded".to_vec(), 1));
        }
    }
    share
}

/// A circular counts once under the year (Beijing time) it was issued: as
/// issued by its issuer, as received everywhere else.
pub(super) fn circular_share(me: &NodeId, c: &Circular) -> Share {
    let way = if &c.id.origin == me { "issued" } else { "received" };
    vec![(format!("circulars/{way}/{}", crate::calendar::year_of_ms(c.issued_at_ms)).into_bytes(), 1)]
}

/// This node's own security incidents.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IncidentCounts {
    /// Major incidents by the year reported.
    pub major: BTreeMap<i32, u64>,
    /// Other incidents by the year reported.
    pub other: BTreeMap<i32, u64>,
    /// Open, not yet decided whether to report up.
    pub awaiting: u64,
    /// Open major incidents with a department not yet recorded.
    pub missing: u64,
}

/// This node's own supervision inspections and their rectifications.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InspectionCounts {
    /// Inspections by the year of their day.
    pub by_year: BTreeMap<i32, u64>,
    /// Rectifications not yet accepted.
    pub open: u64,
    /// Of them, answered and waiting for review.
    pub responded: u64,
    /// Of them, past their due date.
    pub overdue: u64,
}

pub(super) fn inspection_counts(t: &dyn super::engine::Engine, today: NaiveDate) -> Result<InspectionCounts> {
    let one = |k: &str| -> Result<u64> { Ok(counts(t, k)?.first().map_or(0, |(_, n)| *n)) };
    let to = Bound::Excluded(today.to_string().into_bytes());
    let overdue = t.range(TreeId::RectificationDue, Bound::Unbounded, to).try_fold(0u64, |n, item| {
        item?;
        Ok::<_, NodeError>(n + 1)
    })?;
    Ok(InspectionCounts {
        by_year: by_year(counts(t, "inspections/year/")?),
        open: one("inspections/open")?,
        responded: one("inspections/responded")?,
        overdue,
    })
}

/// This node's own standing disconnection orders.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrderCounts {
    /// Units disconnected now (standing orders).
    pub disconnected: u64,
    /// Of them, rectification not yet reported.
    pub open: u64,
    /// Of them, past their deadline.
    pub overdue: u64,
    /// The units disconnected, by id.
    pub units: Vec<String>,
}

/// The standing orders from the disconnection index: one entry per
/// disconnected unit, so the scan is as long as the units cut off now.
pub(super) fn order_counts(t: &dyn super::engine::Engine, today: NaiveDate) -> Result<OrderCounts> {
    let get = |k: &[u8]| -> Result<u64> {
        Ok(u64::try_from(read_counter(t.get(TreeId::Figures, k)?.as_deref())?).unwrap_or(u64::MAX))
    };
    let mut c =
        OrderCounts { disconnected: get(b"orders/disconnected")?, open: get(b"orders/open")?, ..Default::default() };
    for item in t.iter(TreeId::Disconnections) {
        let (unit, v) = item?;
        c.units.push(String::from_utf8_lossy(&unit).into_owned());
        if super::disconnection::Disconnection::decode(&v).is_some_and(|d| d.due < today) {
            c.overdue += 1;
        }
    }
    Ok(c)
}

/// The own incidents from the counters.
pub(super) fn incident_counts(t: &dyn super::engine::Engine) -> Result<IncidentCounts> {
    let one = |k: &str| -> Result<u64> { Ok(counts(t, k)?.first().map_or(0, |(_, n)| *n)) };
    Ok(IncidentCounts {
        major: by_year(counts(t, "incidents/major/")?),
        other: by_year(counts(t, "incidents/other/")?),
        awaiting: one("incidents/awaiting")?,
        missing: one("incidents/missing")?,
    })
}
