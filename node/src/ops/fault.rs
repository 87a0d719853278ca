//! Fault tickets at their own node (Art.13, Art.24): a report opens one and
//! starts both clocks; each step is appended in one write with the breaches
//! it reveals; every change goes up to every ancestor as a `fault.v1`
//! event (the whole ticket). A worker records the breaches of tickets left
//! untouched past a deadline, so a breach is on record within
//! [`SCAN_EVERY`] of it, with nobody acting.

use std::time::Duration;

use extranet_federation::{EventStore, Route, Scope};

use super::idempotency;
use crate::codec;
use crate::domain::fault::{AccessPoint, FaultReport, Party};
use crate::domain::{FaultAction, FaultClass, FaultId, FaultTicket, UnitId, limits};
use crate::error::{NodeError, Result};
use crate::store::{NodeStore, Tx, TxResult, abort};
use crate::worker::{Wake, Worker};

/// How often open tickets are checked for a deadline passed.
pub const SCAN_EVERY: Duration = Duration::from_secs(20);

/// Opens a ticket at this node from `report`; `class` unset takes the
/// unit's township flag (remote township, else urban). By `by`; answered
/// once durable.
pub async fn report(
    store: &NodeStore,
    report: FaultReport,
    class: Option<FaultClass>,
    by: &str,
) -> Result<FaultTicket> {
    let ticket = store.transact(|tx| {
        let mut report = report.clone();
        let mut class = class;
        // a registered access point gives the class the operator set, its
        // unit, and who answers for it (snapshotted on the ticket)
        let point = tx.access_point(report.access_point.trim())?;
        if let Some(ap) = &point {
            class = class.or(Some(ap.class));
            report.unit = report.unit.clone().or(ap.unit.clone());
        }
        if let Some(u) = &report.unit {
            let unit =
                tx.unit(u)?.ok_or_else(|| NodeError::NotFound(format!("本节点没有登记单位 {u}"))).or_else(abort)?;
            class = class.or(Some(FaultClass::default_for(unit.township)));
        }
        report.class = class.unwrap_or(FaultClass::Urban);
        let number = tx.next_number("fault")?;
        let id = FaultId { origin: tx.me().clone(), number };
        let me = tx.me().clone();
        let mut t = FaultTicket::open(id, report, tx.now_ms(), by, &me).or_else(abort)?;
        if let Some(ap) = &point {
            (t.provider, t.maintainer) = answering(tx, ap)?;
        }
        write(tx, &t)?;
        idempotency::record(tx, || codec::fault_to_pb(&t, t.reported_at_ms))?;
        Ok(t)
    })?;
    store.sync().await?;
    tracing::info!(fault = %ticket.id, class = ticket.policy.class.zh(), by, "fault reported");
    Ok(ticket)
}

/// Takes `action` on ticket `key` owned by this node, by `by`; `unit` is
/// the access unit acting (it may act only on its own ticket, and only as
/// [`FaultAction::unit_may`] allows), `None` for an operator.
pub async fn act(
    store: &NodeStore,
    key: &str,
    action: FaultAction,
    by: &str,
    unit: Option<&UnitId>,
) -> Result<FaultTicket> {
    let ticket = store.transact(|tx| {
        let mut t = owned(tx, key)?;
        if let Some(u) = unit {
            if t.unit.as_ref() != Some(u) {
                return abort(NodeError::PermissionDenied(format!("接入单位 {u} 只能办理本单位的故障")));
            }
            if !action.unit_may() {
                return abort(NodeError::PermissionDenied(
                    "接入单位只能确认关闭、重新打开或备注，响应与修复由运维方办理".into(),
                ));
            }
        }
        let me = tx.me().clone();
        t.act(action.clone(), tx.now_ms(), by, &me).or_else(abort)?;
        write(tx, &t)?;
        idempotency::record(tx, || codec::fault_to_pb(&t, t.history.last().map_or(0, |s| s.at_ms)))?;
        Ok(t)
    })?;
    store.sync().await?;
    tracing::info!(fault = %ticket.id, state = ticket.state.zh(), by, "fault step");
    Ok(ticket)
}

/// The provider and O&M unit registered for `ap`, as the ticket names them.
fn answering(tx: &Tx<'_>, ap: &AccessPoint) -> TxResult<(Option<Party>, Option<Party>)> {
    let provider = match &ap.provider {
        Some(id) => tx.link_provider(id)?.map(|p| Party { id: p.id, name: p.name }),
        None => None,
    };
    let maintainer = match &ap.maintainer {
        Some(id) => tx.maintenance_unit(id)?.map(|m| Party { id: m.id, name: m.name }),
        None => None,
    };
    Ok((provider, maintainer))
}

/// The ticket `key`, which this node must own.
fn owned(tx: &Tx<'_>, key: &str) -> TxResult<FaultTicket> {
    let t =
        tx.fault(key)?.ok_or_else(|| NodeError::NotFound(format!("本节点没有编号为 {key} 的故障"))).or_else(abort)?;
    if &t.id.origin != tx.me() {
        return abort(NodeError::precondition(format!("故障 {key} 由 {} 办理，本节点只保存副本", t.id.origin)));
    }
    Ok(t)
}

/// Within a write: stores the ticket and sends it up; a backbone fault
/// raised above the counties is also announced down to the subtree it
/// affects (this node's), where it is shown, not worked.
fn write(tx: &mut Tx<'_>, t: &FaultTicket) -> TxResult<()> {
    let payload = codec::encode_fault(t);
    limits::event_payload("fault", payload.len()).or_else(abort)?;
    tx.put_fault(t)?;
    tx.emit(Route::Up, codec::KIND_FAULT, payload.clone())?;
    if t.policy.class == FaultClass::Backbone && announces_down(tx) {
        tx.emit(Route::Down(Scope::Subtree(tx.me().clone())), codec::KIND_FAULT, payload)?;
    }
    Ok(())
}

/// The region and the prefectures announce their backbone faults down.
fn announces_down(tx: &Tx<'_>) -> bool {
    tx.me().depth() <= 2
}

/// Records, in one write, the breaches due now on every open ticket this
/// node owns; returns how many tickets changed.
pub async fn record_due_breaches(store: &NodeStore) -> Result<usize> {
    let now = crate::store::health::now_ms();
    // the index holds this node's own tickets not yet closed, and only them
    let due: Vec<String> =
        store.open_faults()?.into_iter().filter(|t| !t.due_breaches(now).is_empty()).map(|t| t.id.key()).collect();
    if due.is_empty() {
        return Ok(0);
    }
    let changed = store.transact(|tx| {
        let mut n = 0;
        for key in &due {
            let mut t = owned(tx, key)?;
            if t.record_breaches(tx.now_ms()) > 0 {
                t.revision += 1;
                write(tx, &t)?;
                n += 1;
            }
        }
        Ok(n)
    })?;
    store.sync().await?;
    if changed > 0 {
        tracing::warn!(tickets = changed, "fault deadlines breached (Art.13)");
    }
    Ok(changed)
}

/// The worker that keeps breaches on record with nobody acting: it looks
/// at the open tickets after every durable write (a ticket may have arrived
/// already late, e.g. restored) and at least every [`SCAN_EVERY`].
pub struct BreachScanner {
    store: NodeStore,
    durable: tokio::sync::watch::Receiver<u64>,
}

impl BreachScanner {
    /// The scanner of `store`'s own open tickets.
    pub fn new(store: NodeStore) -> Self {
        let durable = store.durable_watch();
        BreachScanner { store, durable }
    }
}

impl Worker for BreachScanner {
    fn name(&self) -> &'static str {
        "fault-breaches"
    }

    async fn work(&mut self) -> Result<()> {
        record_due_breaches(&self.store).await.map(drop)
    }

    async fn wait(&mut self) -> Wake {
        tokio::select! {
            r = self.durable.changed() => if r.is_err() { return Wake::Closed },
            _ = tokio::time::sleep(SCAN_EVERY) => {}
        }
        Wake::Ready
    }
}

/// The warnings of this node's open tickets at `now_ms`, in Chinese, for
/// `extranet status`: each clock about to run out or run out (Art.13).
pub fn warnings(store: &NodeStore, now_ms: i64) -> Result<Vec<String>> {
    let policy = crate::domain::fault::WarnPolicy::default();
    let mut out = Vec::new();
    for t in store.open_faults()? {
        for w in t.warnings(now_ms, policy) {
            let mins = w.left_ms.abs() / 60_000;
            let left =
                if w.left_ms >= 0 { format!("还剩 {mins} 分钟") } else { format!("已超过 {mins} 分钟") };
            out.push(format!("故障 {}（{}）{}时限{left}（第十三条）", t.id, t.access_point, w.clock.zh()));
        }
    }
    Ok(out)
}
