//! Reclaiming a withdrawn unit's devices (设备回收, Art.17) across nodes,
//! the replicated side. The withdrawal is decided at its competent node,
//! which keeps the ledger entry; the devices are registered where the unit
//! is. When the withdrawal reaches the unit's node ([`begin_reclaim`]), its
//! devices become "to reclaim" and that node sends the decider its checklist
//! (every device, reclaimed or not) as a `DevicesReclaimed` message; it
//! sends it again after each device an operator confirms reclaimed
//! (`ops/device_reclaim.rs`), and the released addresses once
//! (`AddressesReleased`, `ops/withdrawn_addresses.rs`). The decider's
//! ledger entry takes the holder's list — the register is the authority on
//! what was deployed — and closes once every device on it is reclaimed and
//! the addresses are released. When the unit's node decided the withdrawal
//! itself, the same happens within its write.

use extranet_certs::NodeId;

use super::send::send_access;
use crate::codec::AccessMessage;
use crate::domain::asset::{DeviceState, DeviceStep, Withdrawal};
use crate::domain::{AccessUnit, AddressReclaim, Application, ChecklistItem, WithdrawalEntry};
use crate::store::{Tx, TxResult};

/// At the unit's node, in the write that withdrew `unit` under `app`: its
/// devices in service or switched off become "to reclaim", and the decider
/// gets the checklist.
pub fn begin_reclaim(tx: &mut Tx<'_>, unit: &AccessUnit, app: &Application) -> TxResult<()> {
    let withdrawal = Withdrawal { application: app.id.key(), decided_by: app.routing.competent.clone() };
    for mut d in tx.devices_of(&unit.id)? {
        if matches!(d.state, DeviceState::InService | DeviceState::SwitchedOff) {
            d.state = DeviceState::ToReclaim;
            d.withdrawal = Some(withdrawal.clone());
            d.steps.push(DeviceStep::new(
                "to-reclaim",
                Some(withdrawal.application.clone()),
                "接入已撤销，待回收",
                "本节点",
                tx.now_ms(),
            ));
            tx.put_device(&d)?;
        }
    }
    report(tx, unit, &withdrawal)
}

/// The unit's checklist under `withdrawal`, to the node that decided it.
pub fn report(tx: &mut Tx<'_>, unit: &AccessUnit, withdrawal: &Withdrawal) -> TxResult<()> {
    let items: Vec<ChecklistItem> = tx
        .devices_of(&unit.id)?
        .into_iter()
        .filter(|d| d.withdrawal.as_ref() == Some(withdrawal))
        .map(|d| ChecklistItem {
            item: d.label(),
            reclaimed: d.state == DeviceState::Reclaimed,
            device: Some(d.id.key()),
        })
        .collect();
    if &withdrawal.decided_by == tx.me() {
        return take_checklist(tx, &withdrawal.application, items, &unit.node);
    }
    let to = withdrawal.decided_by.clone();
    send_access(
        tx,
        &AccessMessage::DevicesReclaimed { to, application: withdrawal.application.clone(), devices: items },
    )
}

/// At the deciding node: the holder's checklist for withdrawal `key` goes
/// into its ledger entry — only from the node the unit is registered at.
pub fn take_checklist(tx: &mut Tx<'_>, key: &str, items: Vec<ChecklistItem>, from: &NodeId) -> TxResult<()> {
    let today = crate::calendar::date_of_ms(tx.now_ms());
    update_entry(tx, key, from, |e| e.take_holder_checklist(items, today))
}

/// At the deciding node: the unit's node released `released` for
/// withdrawal `key`; the entry may close.
pub fn take_addresses(tx: &mut Tx<'_>, key: &str, released: Vec<String>, from: &NodeId) -> TxResult<()> {
    let today = crate::calendar::date_of_ms(tx.now_ms());
    update_entry(tx, key, from, |e| {
        e.address_reclaim = AddressReclaim::Done { released };
        e.close_if_done(today);
    })
}

/// Changes the ledger entry of withdrawal `key` decided here, when `from`
/// is the node its unit is registered at; anything else is ignored.
fn update_entry(tx: &mut Tx<'_>, key: &str, from: &NodeId, change: impl FnOnce(&mut WithdrawalEntry)) -> TxResult<()> {
    let Some(app) = tx.application(key)? else { return Ok(()) };
    let (Some(number), true) = (app.ledger_number, app.owned_by(tx.me()) && &app.unit.node == from) else {
        tracing::warn!(application = key, %from, "reclaim report not from the unit's node, or no ledger entry: ignored");
        return Ok(());
    };
    let Some(mut entry) = tx.ledger_entry(number)? else { return Ok(()) };
    change(&mut entry);
    tx.put_ledger_entry(&entry)
}
