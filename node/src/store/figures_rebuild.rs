//! Counting every record once, for a store written before the summary
//! figures were counters (or whose counters are of another format): on
//! open, if the marker is missing, every record is read and every counter
//! and deadline-index entry written in one transaction with the marker.
//! Nothing else writes while a store opens, so the count is exact; a crash
//! before it is flushed leaves no marker, and the next open counts again.

use std::collections::{BTreeMap, BTreeSet};

use super::deadline_index::{entries, may_move};
use super::engine::Engine;
use super::figures::{self, FORMAT, MARKER, PROVISIONAL, Share, counter_value};
use super::record::Record;
use super::{NodeStore, TreeId, keys};
use crate::domain::approval::MajorAdjustment;
use crate::domain::inspection::Inspection;
use crate::domain::ipam::{Assignment, Delegation, Reservation};
use crate::domain::{
    AccessUnit, Application, Circular, FaultTicket, Filing, Incident, Interruption, Order, PrivateNetwork,
};
use crate::error::{NodeError, Result};

/// Everything the counters and the deadline index hold, counted afresh.
#[derive(Default)]
struct Count {
    counters: BTreeMap<Vec<u8>, u128>,
    deadlines: BTreeSet<Vec<u8>>,
    provisional: BTreeSet<String>,
    /// Keys held in the two trees now (any left over are removed).
    held: Vec<(TreeId, Vec<u8>)>,
    records: u64,
}

impl Count {
    fn add(&mut self, share: Share) {
        for (k, n) in share {
            let c = self.counters.entry(k).or_default();
            *c = c.saturating_add(n);
        }
        self.records += 1;
    }
}

/// Every record of tree `t`, decoded, passed to `f`.
fn each<T: Record>(t: &dyn Engine, tree: TreeId, mut f: impl FnMut(T)) -> Result<()> {
    for item in t.iter(tree) {
        f(keys::decode(&item?.1)?);
    }
    Ok(())
}

impl NodeStore {
    /// Counts every record into the figures unless the counters are marked
    /// complete in this format (called once, as the store opens).
    pub(super) fn ensure_figures(&self) -> Result<()> {
        let marked = self.view(|t| keys::read_u64(t.get(TreeId::Figures, MARKER)?.as_deref()))?;
        if marked == FORMAT {
            return Ok(());
        }
        let started = std::time::Instant::now();
        let c = self.recount()?;
        self.transact_always(|tx| {
            for (tree, k) in &c.held {
                tx.remove(*tree, k)?;
            }
            for (k, n) in &c.counters {
                tx.insert(TreeId::Figures, k, counter_value(*n))?;
            }
            for k in &c.deadlines {
                tx.insert(TreeId::DeadlineIndex, k, b"")?;
            }
            if !c.provisional.is_empty() {
                tx.insert(TreeId::Figures, PROVISIONAL, keys::encode(&c.provisional).or_else(super::abort)?)?;
            }
            tx.insert(TreeId::Figures, MARKER, keys::u64_value(FORMAT))
        })?;
        tracing::info!(records = c.records, ms = started.elapsed().as_millis() as u64, "summary figures counted");
        Ok(())
    }

    /// Reads every counted record and what the two trees hold now.
    fn recount(&self) -> Result<Count> {
        let me = self.me.clone();
        let cal = self.calendar()?;
        self.view(|t| {
            let mut c = Count::default();
            for tree in [TreeId::Figures, TreeId::DeadlineIndex] {
                for item in t.iter(tree) {
                    c.held.push((tree, item?.0));
                }
            }
            each(t, TreeId::Filings, |f: Filing| c.add(figures::filing_share(&me, &f)))?;
            each(t, TreeId::Units, |u: AccessUnit| c.add(figures::unit_share(&u)))?;
            each(t, TreeId::Faults, |f: FaultTicket| c.add(figures::fault_share(&me, &f)))?;
            each(t, TreeId::Interruptions, |i: Interruption| c.add(figures::interruption_share(&me, &i)))?;
            each(t, TreeId::Approvals, |a: MajorAdjustment| c.add(figures::approval_share(&me, &a)))?;
            each(t, TreeId::Orders, |o: Order| c.add(figures::order_share(&me, &o)))?;
            each(t, TreeId::Incidents, |i: Incident| c.add(figures::incident_share(&me, &i)))?;
            each(t, TreeId::PrivateNetworks, |n: PrivateNetwork| {
                c.add(super::private_networks::private_network_share(&me, &n))
            })?;
            each(t, TreeId::Circulars, |x: Circular| c.add(figures::circular_share(&me, &x)))?;
            each(t, TreeId::Inspections, |i: Inspection| c.add(figures::inspection_share(&me, &i)))?;
            each(t, TreeId::Devices, |d: crate::domain::asset::Device| c.add(super::assets::device_share(&d)))?;
            each(t, TreeId::Rooms, |r: crate::domain::asset::AccessRoom| c.add(super::assets::room_share(&r)))?;
            each(t, TreeId::IpamRoots, |n: ipnet::IpNet| c.add(figures::root_share(&me, &n)))?;
            each(t, TreeId::IpamDelegations, |d: Delegation| c.add(figures::delegation_share(&me, &d)))?;
            each(t, TreeId::IpamAssignments, |a: Assignment| c.add(figures::assignment_share(&me, &a)))?;
            each(t, TreeId::IpamReservations, |r: Reservation| c.add(figures::reservation_share(&r)))?;
            each(t, TreeId::Applications, |a: Application| {
                c.add(figures::application_share(&me, &a));
                let moves = may_move(&me, &a);
                c.deadlines.extend(entries(&me, &a, moves.then_some(&*cal)));
                if moves {
                    c.provisional.insert(a.id.key());
                }
            })?;
            Ok::<_, NodeError>(c)
        })
    }
}
