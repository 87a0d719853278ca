//! The year's figures of an annual work report (Art.10), counted from the
//! records a node holds — its own and the replicas of its subtree — by one
//! rule: a record counts in the Beijing-time calendar year its defining
//! date falls in. Applications count in the year submitted and their
//! outcome in the year decided (the review deadline met); filings in the
//! year filed; faults in the year reported and their breaches in the year
//! the missed deadline passed; inspections in the year carried out (with
//! their findings and the rectifications they ordered); disconnection and
//! rectification orders in the year issued and in the year lifted; private
//! networks in the year their migration was done. Units and addresses are
//! a state, not a flow: they are counted as they stand at the report.

use chrono::{Datelike, NaiveDate};
use extranet_ids::NodeId;
use serde::{Deserialize, Serialize};

use crate::access::{AppState, ApplicationKind, Deadlines};
use crate::calendar::year_of_ms;
use crate::fault::FaultTicket;
use crate::filing::{Filing, FilingDetails};
use crate::inspection::Inspection;
use crate::order::{Order, StepKind};
use crate::unit::{AccessUnit, UnitStatus};

/// One scope's figures of a year (the node's own, or its subtree's).
/// Every field is a count; each is `serde(default)`, so a report stored
/// before a figure existed reads with it as zero.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct YearFigures {
    /// Units registered in the year (own registry only: units are not replicated).
    pub units_registered: u64,
    /// Units whose Art.11 people or status changed in the year.
    pub units_updated: u64,
    /// Units applying for access at the report (申请中).
    pub units_applying: u64,
    /// Units connected at the report (已接入).
    pub units_connected: u64,
    /// Units suspended at the report (已暂停).
    pub units_suspended: u64,
    /// Units withdrawn at the report (已撤销).
    pub units_withdrawn: u64,
    /// Applications submitted in the year.
    pub applications: u64,
    /// Of them, new-access applications (接入申请); the kind comes from the
    /// record held here or from the deadline summary of an application
    /// decided below (a summary sent by an older node does not carry it).
    pub applications_new: u64,
    /// Of them, change applications (变更申请).
    pub applications_change: u64,
    /// Of them, withdrawal applications (撤销申请).
    pub applications_withdrawal: u64,
    /// Of them, Art.22 resource changes (网络资源变更申请).
    pub applications_resource_change: u64,
    /// Applications approved in the year (decided: the review met).
    pub approved: u64,
    /// Applications rejected in the year.
    pub rejected: u64,
    /// Applications submitted in the year with an Art.16 deadline missed:
    /// met after its due date, or open and past due at the report.
    pub applications_overdue: u64,
    /// Cutover filings (割接备案) filed in the year.
    pub cutovers: u64,
    /// Launch filings (上线备案).
    pub launches: u64,
    /// System-change filings (变更备案).
    pub changes: u64,
    /// Maintenance-interruption reports (维护作业中断报备).
    pub interruptions: u64,
    /// Annual evaluations (年度运行质量综合评估).
    pub evaluations: u64,
    /// Fault tickets reported in the year.
    pub faults: u64,
    /// Art.13 breaches whose deadline passed in the year.
    pub fault_breaches: u64,
    /// Supervision inspections carried out in the year.
    pub inspections: u64,
    /// Their findings.
    pub findings: u64,
    /// Their findings with a rectification ordered (限期整改).
    pub rectifications: u64,
    /// Of those, not accepted and past due at the report.
    pub rectifications_overdue: u64,
    /// Disconnection and rectification orders issued in the year.
    pub orders_issued: u64,
    /// Orders lifted in the year (恢复连接).
    pub orders_lifted: u64,
    /// Private networks whose migration was done in the year (Art.5).
    pub private_networks_migrated: u64,
}

impl std::ops::AddAssign for YearFigures {
    /// Adds another scope's figures, figure by figure (a subtree's total
    /// is the sum of its nodes').
    fn add_assign(&mut self, o: Self) {
        let mut a = [
            &mut self.units_registered,
            &mut self.units_updated,
            &mut self.units_applying,
            &mut self.units_connected,
            &mut self.units_suspended,
            &mut self.units_withdrawn,
            &mut self.applications,
            &mut self.applications_new,
            &mut self.applications_change,
            &mut self.applications_withdrawal,
            &mut self.applications_resource_change,
            &mut self.approved,
            &mut self.rejected,
            &mut self.applications_overdue,
            &mut self.cutovers,
            &mut self.launches,
            &mut self.changes,
            &mut self.interruptions,
            &mut self.evaluations,
            &mut self.faults,
            &mut self.fault_breaches,
            &mut self.inspections,
            &mut self.findings,
            &mut self.rectifications,
            &mut self.rectifications_overdue,
            &mut self.orders_issued,
            &mut self.orders_lifted,
            &mut self.private_networks_migrated,
        ];
        let b = [
            o.units_registered,
            o.units_updated,
            o.units_applying,
            o.units_connected,
            o.units_suspended,
            o.units_withdrawn,
            o.applications,
            o.applications_new,
            o.applications_change,
            o.applications_withdrawal,
            o.applications_resource_change,
            o.approved,
            o.rejected,
            o.applications_overdue,
            o.cutovers,
            o.launches,
            o.changes,
            o.interruptions,
            o.evaluations,
            o.faults,
            o.fault_breaches,
            o.inspections,
            o.findings,
            o.rectifications,
            o.rectifications_overdue,
            o.orders_issued,
            o.orders_lifted,
            o.private_networks_migrated,
        ];
        for (x, y) in a.iter_mut().zip(b) {
            **x += y;
        }
    }
}

/// The records one tally reads, one at a time, with `me` the reporting node: own records
/// go to both scopes, a descendant's to the subtree's only, anything else
/// (a record announced from above) to neither.
pub struct Tally<'a> {
    /// The reporting node.
    pub me: &'a NodeId,
    /// The year.
    pub year: i32,
    /// Today at the report (Beijing), for what is past due.
    pub today: NaiveDate,
    /// Own figures.
    pub own: YearFigures,
    /// Node and subtree.
    pub subtree: YearFigures,
}

impl<'a> Tally<'a> {
    /// An empty tally of `year` at `me` as of `today`.
    pub fn new(me: &'a NodeId, year: i32, today: NaiveDate) -> Self {
        Tally { me, year, today, own: YearFigures::default(), subtree: YearFigures::default() }
    }

    /// Adds `f` to the scopes `origin` belongs to.
    fn add(&mut self, origin: &NodeId, f: impl Fn(&mut YearFigures)) {
        if origin == self.me {
            f(&mut self.own);
        }
        if origin.is_within(self.me) {
            f(&mut self.subtree);
        }
    }

    /// A unit registered here (own only; its status as it stands).
    pub fn unit(&mut self, u: &AccessUnit) {
        let (year, me) = (self.year, self.me.clone());
        self.add(&me, |t| {
            t.units_registered += u64::from(year_of_ms(u.registered_at_ms) == year);
            t.units_updated += u64::from(u.history.iter().any(|c| year_of_ms(c.at_ms) == year));
            match u.status {
                UnitStatus::Applying => t.units_applying += 1,
                UnitStatus::Connected => t.units_connected += 1,
                UnitStatus::Suspended => t.units_suspended += 1,
                UnitStatus::Withdrawn => t.units_withdrawn += 1,
            }
        });
    }

    /// `n` units in `status` registered at `node`, a node below this one,
    /// as its latest status summary says: units are not replicated, so the
    /// subtree's stand only as each node last reported them.
    pub fn units_below(&mut self, node: &NodeId, status: UnitStatus, n: u64) {
        if node == self.me || !node.is_within(self.me) {
            return;
        }
        let t = &mut self.subtree;
        match status {
            UnitStatus::Applying => t.units_applying += n,
            UnitStatus::Connected => t.units_connected += n,
            UnitStatus::Suspended => t.units_suspended += n,
            UnitStatus::Withdrawn => t.units_withdrawn += n,
        }
    }

    /// One application by its deciding node, kind (when known), state and
    /// deadlines.
    pub fn application(&mut self, owner: &NodeId, kind: Option<ApplicationKind>, state: AppState, d: &Deadlines) {
        let (year, today) = (self.year, self.today);
        let submitted = d.review.from.is_some_and(|s| s.year() == year);
        let decided = d.review.met_on.is_some_and(|m| m.year() == year);
        let missed = d.all().iter().any(|(_, x)| match x.met_on {
            Some(met) => met > x.due,
            None => !state.is_final() && today > x.due,
        });
        self.add(owner, |t| {
            if submitted {
                t.applications += 1;
                t.applications_overdue += u64::from(missed);
                match kind {
                    Some(ApplicationKind::New) => t.applications_new += 1,
                    Some(ApplicationKind::Change) => t.applications_change += 1,
                    Some(ApplicationKind::Withdrawal) => t.applications_withdrawal += 1,
                    Some(ApplicationKind::ResourceChange) => t.applications_resource_change += 1,
                    None => {}
                }
            }
            if decided && state == AppState::Rejected {
                t.rejected += 1;
            } else if decided {
                t.approved += 1;
            }
        });
    }

    /// A filing held here (annual reports are counted as reports, not here).
    pub fn filing(&mut self, f: &Filing) {
        if year_of_ms(f.filed_at_ms) != self.year {
            return;
        }
        self.add(&f.id.origin, |t| match f.details {
            FilingDetails::Cutover(_) => t.cutovers += 1,
            FilingDetails::Launch(_) => t.launches += 1,
            FilingDetails::Change(_) => t.changes += 1,
            FilingDetails::Interruption(_) => t.interruptions += 1,
            FilingDetails::Evaluation(_) => t.evaluations += 1,
            FilingDetails::AnnualReport(_) => {}
        });
    }

    /// A fault ticket held here.
    pub fn fault(&mut self, f: &FaultTicket) {
        let year = self.year;
        self.add(&f.id.origin, |t| {
            t.faults += u64::from(year_of_ms(f.reported_at_ms) == year);
            t.fault_breaches += f.breaches.iter().filter(|b| year_of_ms(b.deadline_ms) == year).count() as u64;
        });
    }

    /// An inspection held here, by the inspecting node.
    pub fn inspection(&mut self, i: &Inspection) {
        if i.date.year() != self.year {
            return;
        }
        let today = self.today;
        self.add(&i.id.origin, |t| {
            t.inspections += 1;
            t.findings += i.findings.len() as u64;
            t.rectifications += i.rectifications().count() as u64;
            t.rectifications_overdue += i.overdue(today).count() as u64;
        });
    }

    /// An order held here, by the issuing node.
    pub fn order(&mut self, o: &Order) {
        let year = self.year;
        let lifted = o.history.iter().any(|s| s.kind == StepKind::Lifted && year_of_ms(s.at_ms) == year);
        self.add(&o.id.origin, |t| {
            t.orders_issued += u64::from(year_of_ms(o.issued_at_ms()) == year);
            t.orders_lifted += u64::from(lifted);
        });
    }
}
