//! Security incidents in the store: the reporting node's, and the copies
//! its ancestors hold once it was reported up (a copy is replaced only by
//! a higher revision, so an old event relayed late never undoes a newer
//! step). Each write of an own incident moves its share of the summary
//! counters (by year and majority, awaiting the decision, missing a
//! department) in the same transaction.

use super::{NodeStore, TreeId, Tx, TxResult, figures, keys};
use crate::domain::Incident;
use crate::error::Result;

impl NodeStore {
    /// One incident held here, by key (`540102-I000001`).
    pub fn incident(&self, key: &str) -> Result<Option<Incident>> {
        self.view(|t| t.get(TreeId::Incidents, key.as_bytes())?.map(|v| keys::decode(&v)).transpose())
    }

    /// Every incident held here: reported here, or reported up from below.
    pub fn incidents(&self) -> Result<Vec<Incident>> {
        self.view(|t| t.iter(TreeId::Incidents).map(|item| keys::decode(&item?.1)).collect())
    }
}

impl Tx<'_> {
    /// An incident held here.
    pub fn incident(&self, key: &str) -> TxResult<Option<Incident>> {
        self.read(TreeId::Incidents, key.as_bytes())
    }

    /// Writes an incident unless one of the same or a later revision is
    /// held; returns whether it was written.
    pub fn put_incident(&mut self, i: &Incident) -> TxResult<bool> {
        self.put_revised(TreeId::Incidents, &i.id.key(), i, figures::incident_share)
    }
}
