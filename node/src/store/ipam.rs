//! Address records in the store: root pools, delegations, assignments and
//! the ledger. Pools themselves are derived from these records
//! (`domain::ipam::pool_from_records`); a per-family version counter lets a
//! write check that the pool it computed from is still current
//! (compare-and-swap), so concurrent writers never hand out the same space.

use super::record::Record;
use super::{NodeStore, TreeId, Tx, TxResult, abort, figures, keys};
use crate::domain::ipam::{AddressLedgerEntry, Assignment, Delegation, Reservation, SpaceRequest};
use crate::error::Result;
use extranet_certs::NodeId;
use ipnet::IpNet;

/// Key of a record owned by `node` with `number`.
fn record_key(node: &NodeId, number: u64) -> Vec<u8> {
    let mut k = node.as_str().as_bytes().to_vec();
    k.push(0);
    k.extend_from_slice(&number.to_be_bytes());
    k
}

/// Meta key of the orphan-check flag.
const ORPHAN_CHECK: &[u8] = b"ipam/orphan-check";

fn version_key(v6: bool) -> &'static [u8] {
    if v6 { b"ipam/version/v6" } else { b"ipam/version/v4" }
}

impl NodeStore {
    fn all<T: Record>(&self, tree: TreeId) -> Result<Vec<T>> {
        self.view(|t| t.iter(tree).map(|item| keys::decode(&item?.1)).collect())
    }

    /// The top node's root pools.
    pub fn ipam_roots(&self) -> Result<Vec<IpNet>> {
        self.all(TreeId::IpamRoots)
    }

    /// Every delegation held here (own, received, replicas from below).
    pub fn ipam_delegations(&self) -> Result<Vec<Delegation>> {
        self.all(TreeId::IpamDelegations)
    }

    /// Every assignment held here (own and replicas from below).
    pub fn ipam_assignments(&self) -> Result<Vec<Assignment>> {
        self.all(TreeId::IpamAssignments)
    }

    /// The ledger, oldest first.
    pub fn ipam_ledger(&self) -> Result<Vec<AddressLedgerEntry>> {
        self.all(TreeId::IpamLedger)
    }

    /// This node's reservations.
    pub fn ipam_reservations(&self) -> Result<Vec<Reservation>> {
        self.all(TreeId::IpamReservations)
    }

    /// Every request for more space held here.
    pub fn ipam_requests(&self) -> Result<Vec<SpaceRequest>> {
        self.all(TreeId::IpamRequests)
    }

    /// The pool version of a family: moves on every write to that pool.
    pub fn ipam_version(&self, v6: bool) -> Result<u64> {
        self.view(|t| keys::read_u64(t.get(TreeId::Meta, version_key(v6))?.as_deref()))
    }

    /// Whether a delegation to this node ended since its records inside it
    /// were last checked (set by the applier, cleared by the check).
    pub fn ipam_orphan_check_due(&self) -> Result<bool> {
        self.view(|t| Ok(t.get(TreeId::Meta, ORPHAN_CHECK)?.is_some()))
    }

    /// Clears the flag above.
    pub fn clear_ipam_orphan_check(&self) -> Result<()> {
        self.transact_unacknowledged(|tx| tx.remove(TreeId::Meta, ORPHAN_CHECK))
    }

    /// One assignment by owner and number.
    pub fn ipam_assignment(&self, node: &NodeId, number: u64) -> Result<Option<Assignment>> {
        self.view(|t| t.get(TreeId::IpamAssignments, &record_key(node, number))?.map(|v| keys::decode(&v)).transpose())
    }
}

impl Tx<'_> {
    /// Whether the pool of a family is still at `expected`; if so moves it
    /// on (the compare-and-swap of one pool write).
    pub fn ipam_claim_version(&mut self, v6: bool, expected: u64) -> TxResult<bool> {
        let now = keys::read_u64(self.get(TreeId::Meta, version_key(v6))?.as_deref()).or_else(abort)?;
        if now != expected {
            return Ok(false);
        }
        self.insert(TreeId::Meta, version_key(v6), keys::u64_value(now + 1))?;
        Ok(true)
    }

    /// Moves the pool version of a family on (a replicated change to it).
    pub fn ipam_bump_version(&mut self, v6: bool) -> TxResult<()> {
        let now = keys::read_u64(self.get(TreeId::Meta, version_key(v6))?.as_deref()).or_else(abort)?;
        self.insert(TreeId::Meta, version_key(v6), keys::u64_value(now + 1))?;
        Ok(())
    }

    /// Asks for this node's records in an ended delegation to be checked.
    pub fn mark_ipam_orphan_check(&mut self) -> TxResult<()> {
        self.insert(TreeId::Meta, ORPHAN_CHECK, &[1u8][..])?;
        Ok(())
    }

    /// Adds a root pool of the top node, counting it in the summary figures.
    pub fn put_ipam_root(&mut self, net: &IpNet) -> TxResult<()> {
        if self.get(TreeId::IpamRoots, net.to_string().as_bytes())?.is_none() {
            let me = self.me().clone();
            self.count(Vec::new(), figures::root_share(&me, net))?;
        }
        self.write(TreeId::IpamRoots, net.to_string().as_bytes(), net)
    }

    /// A delegation by owner and number.
    pub fn ipam_delegation(&self, parent: &NodeId, number: u64) -> TxResult<Option<Delegation>> {
        self.read(TreeId::IpamDelegations, record_key(parent, number))
    }

    /// Writes a delegation (own or replica), counting it in the summary
    /// figures.
    pub fn put_ipam_delegation(&mut self, d: &Delegation) -> TxResult<()> {
        let me = self.me().clone();
        let old = self.ipam_delegation(&d.parent, d.number)?;
        self.count(
            old.map(|o| figures::delegation_share(&me, &o)).unwrap_or_default(),
            figures::delegation_share(&me, d),
        )?;
        self.write(TreeId::IpamDelegations, record_key(&d.parent, d.number), d)
    }

    /// An assignment by owner and number.
    pub fn ipam_assignment(&self, node: &NodeId, number: u64) -> TxResult<Option<Assignment>> {
        self.read(TreeId::IpamAssignments, record_key(node, number))
    }

    /// Writes an assignment (own or replica), counting an own one in the
    /// summary figures (a replica's key holds only replicas: not read).
    pub fn put_ipam_assignment(&mut self, a: &Assignment) -> TxResult<()> {
        if &a.id.node == self.me() {
            let me = self.me().clone();
            let old = self.ipam_assignment(&a.id.node, a.id.number)?;
            let share = |x: &Assignment| figures::assignment_share(&me, x);
            self.count(old.as_ref().map(share).unwrap_or_default(), share(a))?;
        }
        self.write(TreeId::IpamAssignments, record_key(&a.id.node, a.id.number), a)
    }

    /// A request for more space by asking node and number.
    pub fn ipam_request(&self, node: &NodeId, number: u64) -> TxResult<Option<SpaceRequest>> {
        self.read(TreeId::IpamRequests, record_key(node, number))
    }

    /// Writes a request for more space (own or a child's).
    pub fn put_ipam_request(&mut self, r: &SpaceRequest) -> TxResult<()> {
        self.write(TreeId::IpamRequests, record_key(&r.id.node, r.id.number), r)
    }

    /// Writes a reservation, counting it in the summary figures.
    pub fn put_ipam_reservation(&mut self, r: &Reservation) -> TxResult<()> {
        let old = self.ipam_reservation(&r.prefix)?.map(|o| figures::reservation_share(&o)).unwrap_or_default();
        self.count(old, figures::reservation_share(r))?;
        self.write(TreeId::IpamReservations, r.prefix.to_string().as_bytes(), r)
    }

    /// A reservation by prefix.
    pub fn ipam_reservation(&self, prefix: &IpNet) -> TxResult<Option<Reservation>> {
        self.read(TreeId::IpamReservations, prefix.to_string().as_bytes())
    }

    /// Removes a reservation, and its share of the summary figures.
    pub fn remove_ipam_reservation(&mut self, prefix: &IpNet) -> TxResult<()> {
        let old = self.ipam_reservation(prefix)?.map(|o| figures::reservation_share(&o)).unwrap_or_default();
        self.count(old, Vec::new())?;
        self.remove(TreeId::IpamReservations, prefix.to_string().as_bytes())?;
        Ok(())
    }

    /// Appends a ledger entry, numbering it.
    pub fn append_ipam_ledger(&mut self, mut e: AddressLedgerEntry) -> TxResult<AddressLedgerEntry> {
        e.number = self.next_number("ipam-ledger")?;
        self.write(TreeId::IpamLedger, e.number.to_be_bytes(), &e)?;
        Ok(e)
    }
}
