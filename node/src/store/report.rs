//! The records of a year, for the annual work report (Art.10): one read
//! of every tree whose records the report counts, fed to the domain's
//! tally one record at a time, and who of the subtree has filed its own
//! report of the year.

use std::collections::BTreeSet;

use extranet_certs::NodeId;

use super::{NodeStore, TreeId, keys};
use crate::domain::inspection::Inspection;
use crate::domain::report::Tally;
use crate::domain::{AccessUnit, Application, DeadlineSummary, FaultTicket, Filing, FilingDetails, Order};
use crate::error::Result;

impl NodeStore {
    /// Feeds `tally` every unit, application (own records and the deadline
    /// summaries of those decided below), filing, fault, inspection and
    /// order held here, read in one snapshot; answers the nodes whose own
    /// annual report of `tally.year` is held here.
    pub fn tally_year(&self, tally: &mut Tally<'_>) -> Result<BTreeSet<NodeId>> {
        self.view(|t| {
            for item in t.iter(TreeId::Units) {
                tally.unit(&keys::decode::<AccessUnit>(&item?.1)?);
            }
            for item in t.iter(TreeId::Applications) {
                let a: Application = keys::decode(&item?.1)?;
                tally.application(&a.routing.competent, Some(a.kind), a.state, &a.deadlines);
            }
            for item in t.iter(TreeId::DeadlineSummaries) {
                let s: DeadlineSummary = keys::decode(&item?.1)?;
                tally.application(&s.owner, s.kind, s.state, &s.deadlines);
            }
            let mut reported = BTreeSet::new();
            for item in t.iter(TreeId::Filings) {
                let f: Filing = keys::decode(&item?.1)?;
                if matches!(&f.details, FilingDetails::AnnualReport(r) if r.year == tally.year) {
                    reported.insert(f.id.origin.clone());
                }
                tally.filing(&f);
            }
            for item in t.iter(TreeId::Faults) {
                tally.fault(&keys::decode::<FaultTicket>(&item?.1)?);
            }
            for item in t.iter(TreeId::Inspections) {
                tally.inspection(&keys::decode::<Inspection>(&item?.1)?);
            }
            for item in t.iter(TreeId::Orders) {
                tally.order(&keys::decode::<Order>(&item?.1)?);
            }
            Ok(reported)
        })
    }
}
