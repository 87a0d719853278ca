//! Fault tickets in the store: the owner's, and the copies its ancestors
//! hold (a copy is replaced only by a higher revision, so an old event
//! relayed late never undoes a newer step). Each write of an own ticket
//! moves its share of the summary counters (open by class, breaches by
//! year) and keeps the index of own open tickets, in the same transaction.

use super::{NodeStore, TreeId, Tx, TxResult, figures, keys};
use crate::domain::fault::{AccessPoint, LinkProvider, MaintenanceUnit};
use crate::domain::{FaultState, FaultTicket};
use crate::error::Result;

/// Who answers a fault at this node.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FaultRegistry {
    /// Link providers, by id.
    pub providers: Vec<LinkProvider>,
    /// O&M units, by id.
    pub maintainers: Vec<MaintenanceUnit>,
    /// Access points, by id.
    pub access_points: Vec<AccessPoint>,
}

/// One entry of the registry tree.
pub enum RegistryEntry<'a> {
    /// A link provider.
    Provider(&'a LinkProvider),
    /// An O&M unit.
    Maintainer(&'a MaintenanceUnit),
    /// An access point.
    AccessPoint(&'a AccessPoint),
}

fn key(kind: &str, id: &str) -> Vec<u8> {
    format!("{kind}/{id}").into_bytes()
}

impl NodeStore {
    /// One ticket held here, by key (`540102-T000001`).
    pub fn fault(&self, key: &str) -> Result<Option<FaultTicket>> {
        self.view(|t| t.get(TreeId::Faults, key.as_bytes())?.map(|v| keys::decode(&v)).transpose())
    }

    /// Every ticket held here: reported here, or below.
    pub fn faults(&self) -> Result<Vec<FaultTicket>> {
        self.view(|t| t.iter(TreeId::Faults).map(|item| keys::decode(&item?.1)).collect())
    }

    /// The registry of who answers a fault here.
    pub fn fault_registry(&self) -> Result<FaultRegistry> {
        self.view(|t| {
            let mut r = FaultRegistry::default();
            for item in t.scan_prefix(TreeId::FaultRegistry, b"provider/") {
                r.providers.push(keys::decode(&item?.1)?);
            }
            for item in t.scan_prefix(TreeId::FaultRegistry, b"maintainer/") {
                r.maintainers.push(keys::decode(&item?.1)?);
            }
            for item in t.scan_prefix(TreeId::FaultRegistry, b"access_point/") {
                r.access_points.push(keys::decode(&item?.1)?);
            }
            Ok(r)
        })
    }

    /// This node's own tickets not yet closed (from the index: as many
    /// reads as open tickets, whatever the history).
    pub fn open_faults(&self) -> Result<Vec<FaultTicket>> {
        self.view(|t| {
            let mut out = Vec::new();
            for item in t.iter(TreeId::OpenFaults) {
                let (k, _) = item?;
                if let Some(v) = t.get(TreeId::Faults, &k)? {
                    out.push(keys::decode(&v)?);
                }
            }
            Ok(out)
        })
    }
}

impl Tx<'_> {
    /// A ticket held here.
    pub fn fault(&self, key: &str) -> TxResult<Option<FaultTicket>> {
        self.read(TreeId::Faults, key.as_bytes())
    }

    /// An access point registered here.
    pub fn access_point(&self, id: &str) -> TxResult<Option<AccessPoint>> {
        self.read(TreeId::FaultRegistry, key("access_point", id))
    }

    /// A link provider registered here.
    pub fn link_provider(&self, id: &str) -> TxResult<Option<LinkProvider>> {
        self.read(TreeId::FaultRegistry, key("provider", id))
    }

    /// An O&M unit registered here.
    pub fn maintenance_unit(&self, id: &str) -> TxResult<Option<MaintenanceUnit>> {
        self.read(TreeId::FaultRegistry, key("maintainer", id))
    }

    /// Registers or replaces an entry of the registry.
    pub fn put_registry_entry(&mut self, e: RegistryEntry<'_>) -> TxResult<()> {
        match e {
            RegistryEntry::Provider(p) => self.write(TreeId::FaultRegistry, key("provider", &p.id), p),
            RegistryEntry::Maintainer(m) => self.write(TreeId::FaultRegistry, key("maintainer", &m.id), m),
            RegistryEntry::AccessPoint(a) => self.write(TreeId::FaultRegistry, key("access_point", &a.id), a),
        }
    }

    /// Writes a ticket unless one of the same or a later revision is held;
    /// returns whether it was written.
    pub fn put_fault(&mut self, f: &FaultTicket) -> TxResult<bool> {
        let old = self.fault(&f.id.key())?;
        if old.as_ref().is_some_and(|held| held.revision >= f.revision) {
            return Ok(false);
        }
        let me = self.me().clone();
        let share = |t: &FaultTicket| figures::fault_share(&me, t);
        self.count(old.as_ref().map(share).unwrap_or_default(), share(f))?;
        let key = f.id.key();
        if f.id.origin == me && f.state != FaultState::Closed {
            self.insert(TreeId::OpenFaults, key.as_bytes(), b"")?;
        } else {
            self.remove(TreeId::OpenFaults, key.as_bytes())?;
        }
        self.write(TreeId::Faults, key.as_bytes(), f)?;
        Ok(true)
    }
}
