//! Where withdrawal (Art.17) meets address management (`ops/ipam`): a
//! withdrawn unit's extranet addresses are reclaimed.
//!
//! A withdrawal is carried out by the node that decides it, in one
//! transaction that writes the ledger entry (台账) with the address reclaim
//! *requested* ([`request_address_reclaim`]). The addresses themselves were
//! assigned by the node the unit is registered at, the only writer of those
//! assignments; so that node reclaims them, when the unit's status there
//! turns to withdrawn (directly, or when the owner's decision arrives over
//! the federation). [`AddressReclaimer`] (a worker of the node's runner) watches for that and calls
//! [`Ipam::reclaim_assignee`] with the unit's id as the assignee (addresses
//! for a unit are assigned with `--assignee <unit id>`), then records the
//! released prefixes in the local ledger entry ([`confirm_address_reclaim`]).
//! A ledger entry held at another node (the deciding node, when it is not
//! the unit's) learns the released prefixes from an `AddressesReleased`
//! message the unit's node sends once per withdrawal ([`report_addresses`]);
//! with its device checklist done, the entry closes there.

use std::collections::BTreeSet;
use std::time::Duration;

use extranet_federation::EventStore;

use crate::codec::AccessMessage;
use crate::domain::ipam::AssigneeId;
use crate::domain::{AddressReclaim, AppState, Application, ApplicationKind, UnitStatus, WithdrawalEntry};
use crate::error::{NodeError, Result};
use crate::ops::ipam::Ipam;
use crate::store::{NodeStore, Tx, TxResult};
use crate::worker::{Wake, Worker};

/// Who the address ledger names for reclaims done on withdrawal.
const RECLAIMER: &str = "接入撤销";

/// Asks for the addresses of the unit in `entry` to be reclaimed; called in
/// the withdrawal's transaction. Records the request; the reclaim itself
/// follows at the unit's own node (see the module documentation).
pub fn request_address_reclaim(_tx: &mut Tx<'_>, entry: &WithdrawalEntry) -> TxResult<AddressReclaim> {
    tracing::info!(unit = %entry.unit_id, node = %entry.unit_node, ledger = entry.number, "address reclaim requested");
    Ok(AddressReclaim::Requested)
}

/// Ledger entries whose address reclaim is requested and not yet confirmed.
pub fn pending_address_reclaims(store: &NodeStore) -> Result<Vec<WithdrawalEntry>> {
    Ok(store.ledger()?.into_iter().filter(|e| e.address_reclaim == AddressReclaim::Requested).collect())
}

/// Records that address management released `released` for ledger entry
/// `number`; returns the updated entry once durable.
pub async fn confirm_address_reclaim(store: &NodeStore, number: u64, released: Vec<String>) -> Result<WithdrawalEntry> {
    let entry = store.transact(|tx| {
        let Some(mut e) = tx.ledger_entry(number)? else {
            return crate::store::abort(NodeError::NotFound(format!("台账中没有第 {number} 号")));
        };
        e.address_reclaim = AddressReclaim::Done { released: released.clone() };
        e.close_if_done(crate::calendar::date_of_ms(tx.now_ms()));
        tx.put_ledger_entry(&e)?;
        Ok(e)
    })?;
    store.sync().await?;
    Ok(entry)
}

/// Reclaims the addresses of every unit registered here that is withdrawn
/// and still holds live assignments from this node, and confirms the local
/// ledger entries of those units. Idempotent: a unit with nothing left is
/// only confirmed.
pub async fn reclaim_withdrawn_units(store: &NodeStore, ipam: &Ipam) -> Result<usize> {
    let me = store.me().clone();
    let withdrawn: Vec<_> = store.units()?.into_iter().filter(|u| u.status == UnitStatus::Withdrawn).collect();
    if withdrawn.is_empty() {
        return Ok(0);
    }
    let holding: BTreeSet<AssigneeId> =
        store.ipam_assignments()?.into_iter().filter(|a| a.id.node == me && a.is_live()).map(|a| a.assignee).collect();
    let pending = pending_address_reclaims(store)?;
    // withdrawals of units registered here decided by another node (a rare
    // run, after a withdrawal: a scan of the applications held here)
    let decided_elsewhere: Vec<Application> = store
        .applications()?
        .into_iter()
        .filter(|a| a.kind == ApplicationKind::Withdrawal && a.state == AppState::Withdrawn)
        .filter(|a| a.unit.node == me && !a.owned_by(&me))
        .collect();
    let mut reclaimed = 0;
    for unit in withdrawn {
        let assignee = AssigneeId::new(unit.id.as_str())?;
        let mut released = Vec::new();
        if holding.contains(&assignee) {
            let reason = format!("第十七条：接入单位 {}（{}）撤销接入", unit.name, unit.id);
            let e = ipam.reclaim_assignee(&assignee, RECLAIMER, &reason).await?;
            released = e.prefixes.iter().map(|p| p.to_string()).collect();
            reclaimed += 1;
        }
        for entry in pending.iter().filter(|e| e.unit_node == me && e.unit_id == unit.id) {
            confirm_address_reclaim(store, entry.number, released.clone()).await?;
        }
        for app in decided_elsewhere.iter().filter(|a| a.unit.id == unit.id) {
            report_addresses(store, app, &released).await?;
        }
    }
    Ok(reclaimed)
}

/// Tells the node that decided `app`, a withdrawal decided elsewhere, which
/// prefixes were released (none: the unit held none here) — once.
async fn report_addresses(store: &NodeStore, app: &Application, released: &[String]) -> Result<()> {
    let key = app.id.key();
    let sent = store.transact(|tx| {
        if !tx.mark_addresses_reported(&key)? {
            return Ok(false);
        }
        let to = app.routing.competent.clone();
        crate::replicate::send_access(
            tx,
            &AccessMessage::AddressesReleased { to, application: key.clone(), released: released.to_vec() },
        )?;
        Ok(true)
    })?;
    if sent {
        store.sync().await?;
        tracing::info!(application = key, to = %app.routing.competent, "released addresses reported to the deciding node");
    }
    Ok(())
}

/// Runs [`reclaim_withdrawn_units`] whenever a unit registered here has been
/// withdrawn since the last run (checked on every durable write, one key
/// read), and every minute as a retry.
pub struct AddressReclaimer {
    store: NodeStore,
    ipam: Ipam,
    durable: tokio::sync::watch::Receiver<u64>,
    /// The withdrawal count the last successful run covered.
    done_up_to: Option<u64>,
}

impl AddressReclaimer {
    /// The reclaimer of `store`'s withdrawn units, releasing through `ipam`.
    pub fn new(store: NodeStore, ipam: Ipam) -> Self {
        let durable = store.durable_watch();
        AddressReclaimer { store, ipam, durable, done_up_to: None }
    }
}

impl Worker for AddressReclaimer {
    fn name(&self) -> &'static str {
        "address-reclaimer"
    }

    async fn work(&mut self) -> Result<()> {
        let seen = self.store.withdrawals_seen()?;
        if self.done_up_to == Some(seen) {
            return Ok(());
        }
        let n = reclaim_withdrawn_units(&self.store, &self.ipam).await?;
        if n > 0 {
            tracing::info!(units = n, "withdrawn units' addresses reclaimed");
        }
        self.done_up_to = Some(seen);
        Ok(())
    }

    async fn wait(&mut self) -> Wake {
        tokio::select! {
            r = self.durable.changed() => if r.is_err() { return Wake::Closed },
            _ = tokio::time::sleep(Duration::from_secs(60)) => self.done_up_to = None,
        }
        Wake::Ready
    }
}
