//! The measured half of Art.27's evaluation, computed from fault tickets
//! and nothing else, and the check of the hand-assessed half against it.
//!
//! Every figure is a count over the year's tickets as they stand at one
//! instant (`as_of_ms`), read through the same clocks the tickets show
//! ([`FaultTicket::clocks`]'s derivations), so the evaluation and the
//! ticket pages can never disagree about whether a fault was on time.

use std::collections::{BTreeMap, HashSet};

use extranet_ids::NodeId;

use super::{Assessment, ClassFigures, PartyFigures, PartyKind};
use crate::calendar::year_of_ms;
use crate::error::{DomainError, Result};
use crate::fault::{FaultState, FaultTicket, Party};
use crate::limits::optional_text;

/// The figures of `year` (Beijing time) over the tickets of `scope`'s
/// subtree (its own and its descendants'), as they stand at `as_of_ms`:
/// the number of tickets counted and one row per party that had any —
/// providers first, then O&M units, each by name, the row of tickets with
/// no such party registered last within its kind.
pub fn figures(scope: &NodeId, year: i32, tickets: &[FaultTicket], as_of_ms: i64) -> (u32, Vec<PartyFigures>) {
    let counted: Vec<&FaultTicket> =
        tickets.iter().filter(|t| t.id.origin.is_within(scope) && year_of_ms(t.reported_at_ms) == year).collect();
    // (kind, no party, name): the empty name sorts after every other within its kind
    let mut groups: BTreeMap<(PartyKind, bool, String), Vec<&FaultTicket>> = BTreeMap::new();
    for t in &counted {
        for (kind, party) in [(PartyKind::LinkProvider, &t.provider), (PartyKind::Maintainer, &t.maintainer)] {
            let name = party_name(party.as_ref());
            groups.entry((kind, name.is_empty(), name)).or_default().push(t);
        }
    }
    let parties = groups.into_iter().map(|((kind, _, name), ts)| party(kind, name, &ts, as_of_ms)).collect();
    (count(counted.len()), parties)
}

/// Adds a row of zeros for each `registered` party (kind, name) that had
/// no ticket, so every party that served the area is evaluated and can be
/// assessed by hand (Art.27), not only those that had faults; keeps the
/// order of [`figures`].
pub fn add_registered(parties: &mut Vec<PartyFigures>, registered: impl IntoIterator<Item = (PartyKind, String)>) {
    for (kind, name) in registered {
        let name = name.trim().to_string();
        if !name.is_empty() && !parties.iter().any(|p| p.kind == kind && p.name == name) {
            parties.push(party(kind, name, &[], 0));
        }
    }
    parties.sort_by(|a, b| (a.kind, a.name.is_empty(), &a.name).cmp(&(b.kind, b.name.is_empty(), &b.name)));
}

/// The name a ticket's party is grouped under ("" for none).
fn party_name(p: Option<&Party>) -> String {
    p.map_or(String::new(), |p| p.name.trim().to_string())
}

/// One party's row over its tickets.
fn party(kind: PartyKind, name: String, ts: &[&FaultTicket], as_of_ms: i64) -> PartyFigures {
    let mut f = PartyFigures {
        kind,
        name,
        faults: count(ts.len()),
        response_decided: 0,
        responded_within: 0,
        response_median_ms: None,
        response_worst_ms: None,
        classes: Vec::new(),
        repair_median_ms: None,
        repair_worst_ms: None,
        open: count(ts.iter().filter(|t| t.state != FaultState::Closed).count()),
        breaches: ts.iter().map(|t| count(t.breaches.len())).fold(0, u32::saturating_add),
        scored: 0,
        score_sum: 0,
        score_counts: [0; 5],
    };
    response(&mut f, ts, as_of_ms);
    repair(&mut f, ts, as_of_ms);
    scores(&mut f, ts);
    f
}

/// Art.13's hour: decided once answered or once the hour has passed
/// unanswered; times over the answered tickets.
fn response(f: &mut PartyFigures, ts: &[&FaultTicket], as_of_ms: i64) {
    let mut times = Vec::new();
    for t in ts {
        let deadline = t.response_deadline_ms();
        match t.responded_at_ms() {
            Some(at) => {
                f.response_decided += 1;
                f.responded_within += u32::from(at <= deadline);
                times.push(at - t.reported_at_ms);
            }
            None => f.response_decided += u32::from(as_of_ms > deadline),
        }
    }
    f.response_median_ms = lower_median(&mut times);
    f.response_worst_ms = times.last().copied();
}

/// The repair limit of each ticket's class as it stands (after any
/// reclassification): decided once marked repaired or once the time is
/// used up; times over the repaired tickets.
fn repair(f: &mut PartyFigures, ts: &[&FaultTicket], as_of_ms: i64) {
    let mut classes = BTreeMap::new();
    let mut times = Vec::new();
    for t in ts {
        let class = t.policy.class;
        let c = classes.entry(class).or_insert(ClassFigures { class, faults: 0, decided: 0, within: 0 });
        let elapsed = t.repair_elapsed_ms(as_of_ms);
        let repaired = !t.state.repair_clock_runs();
        c.faults += 1;
        c.decided += u32::from(repaired || elapsed > t.policy.repair_ms);
        c.within += u32::from(repaired && elapsed <= t.policy.repair_ms);
        if repaired {
            times.push(elapsed);
        }
    }
    f.classes = classes.into_values().collect();
    f.repair_median_ms = lower_median(&mut times);
    f.repair_worst_ms = times.last().copied();
}

/// The scores of the closed tickets (a reopened ticket's earlier score was
/// given for a repair the unit then disputed, so it does not count).
fn scores(f: &mut PartyFigures, ts: &[&FaultTicket]) {
    for t in ts.iter().filter(|t| t.state == FaultState::Closed) {
        if let Some(s) = t.satisfaction.filter(|s| (1..=5).contains(s)) {
            f.scored += 1;
            f.score_sum += u32::from(s);
            f.score_counts[usize::from(s - 1)] += 1;
        }
    }
}

/// Sorts `v` and returns its median, the lower of the two middle values
/// for an even count; `None` for none.
fn lower_median(v: &mut [i64]) -> Option<i64> {
    v.sort_unstable();
    v.get(v.len().checked_sub(1)? / 2).copied()
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// `n` of `d` as a fraction, `None` when there is nothing to divide by
/// (no decided clock: the share is not "0%", it is not known yet).
pub fn share(n: u32, d: u32) -> Option<f64> {
    (d > 0).then(|| f64::from(n) / f64::from(d))
}

impl PartyFigures {
    /// The mean satisfaction score, if any ticket was scored.
    pub fn mean_score(&self) -> Option<f64> {
        share(self.score_sum, self.scored)
    }

    /// Repair clocks decided and met within the limit, over every class.
    pub fn repair_totals(&self) -> (u32, u32) {
        self.classes.iter().fold((0, 0), |(d, w), c| (d + c.decided, w + c.within))
    }
}

/// Checks the hand-assessed items against the measured rows: each names a
/// party that has a row (by kind and name; not the row of tickets with no
/// party, which no one answers for), an item Art.27 names for its kind, at
/// most once per party and item, with a comment of bounded length.
pub fn check_assessments(parties: &[PartyFigures], assessments: &[Assessment]) -> Result<()> {
    let mut seen = HashSet::new();
    for (i, a) in assessments.iter().enumerate() {
        let at = format!("第 {} 项评估（{}“{}”的“{}”）", i + 1, a.kind.zh(), a.name, a.item.zh());
        if a.name.trim().is_empty() {
            return Err(DomainError::invalid(
                "assessments.name",
                format!("{at}：须写明被评估单位的名称（未登记单位的故障只计入实测数据，不作人工评估）"),
            ));
        }
        if !parties.iter().any(|p| p.kind == a.kind && p.name == a.name) {
            return Err(DomainError::invalid(
                "assessments.name",
                format!("{at}：本年度统计中没有这家{}，名称须与实测数据中的单位名称一致", a.kind.zh()),
            ));
        }
        let items = a.kind.assessed_items();
        if !items.contains(&a.item) {
            let names: Vec<&str> = items.iter().map(|i| i.zh()).collect();
            return Err(DomainError::invalid(
                "assessments.item",
                format!("{at}：{}的人工评估项目只能是 {}", a.kind.zh(), names.join("、")),
            ));
        }
        if !seen.insert((a.kind, a.name.as_str(), a.item)) {
            return Err(DomainError::invalid("assessments.item", format!("{at}：同一单位的同一项目只能评估一次")));
        }
        if let Err(DomainError::Invalid { rule, .. }) = optional_text("assessments.comment", &a.comment) {
            return Err(DomainError::invalid("assessments.comment", format!("{at}：说明{rule}")));
        }
    }
    Ok(())
}
