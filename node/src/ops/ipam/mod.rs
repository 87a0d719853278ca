//! Address management at one node: the operations behind `extranet.v1.Ipam`
//! (and behind the access registry's reclaim, which calls
//! [`Ipam::reclaim_assignee`] directly). Every write computes from the
//! node's current pool, then commits only if that pool has not moved since
//! (compare-and-swap on the pool's version), with the announcing event in
//! the same transaction, and answers only once durable.

pub mod grant;
mod orphans;
mod query;
mod reclaim;
mod requests;
pub mod system_requests;

use std::sync::Arc;

use extranet_certs::NodeId;
use ipnet::IpNet;
use tokio::sync::Mutex;

pub use requests::Decider;

use crate::domain::ipam::{Holder, Policy, Pool, Records, Reservation, pool_from_records};
use crate::error::{NodeError, Result};
use crate::store::{NodeStore, Tx, TxResult};

/// How many times a write recomputes after losing a compare-and-swap before
/// giving up (only replicated changes race with the per-pool lock).
const CAS_ATTEMPTS: usize = 64;

/// Address management of one node. Cheap to clone.
#[derive(Clone)]
pub struct Ipam {
    store: NodeStore,
    policy: Policy,
    /// One lock per pool (IPv6, IPv4): writers to one pool queue instead of
    /// racing; the two pools never wait for each other.
    locks: Arc<[Mutex<()>; 2]>,
    /// The last pool each writer committed, with its version: reused while
    /// nothing else moved the version, so a write need not re-read every
    /// record. Only touched under the pool's lock.
    cache: Arc<std::sync::Mutex<[Option<Versioned>; 2]>>,
    /// When things happen: record times and quarantine expiry.
    clock: Clock,
}

/// The clock address management reads, Unix ms: the wall clock, or one a
/// test controls ([`Ipam::with_clock`]) so that quarantine expiry is a step
/// the test takes, not a race with the machine's load.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// A pool and the version it was committed at.
type Versioned = (u64, Pool);

fn family_index(v6: bool) -> usize {
    usize::from(!v6)
}

impl Ipam {
    /// Address management over `store` with the address plan `policy`.
    pub fn new(store: NodeStore, policy: Policy) -> Self {
        let clock: Clock = Arc::new(|| chrono::Utc::now().timestamp_millis());
        Ipam { store, policy, locks: Arc::new([Mutex::new(()), Mutex::new(())]), cache: Arc::default(), clock }
    }

    /// The same, reading `clock` instead of the wall clock.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Now, by this instance's clock (Unix ms).
    pub fn now_ms(&self) -> i64 {
        (self.clock)()
    }

    /// The address plan in force.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The store.
    pub fn store(&self) -> &NodeStore {
        &self.store
    }

    fn me(&self) -> &NodeId {
        self.store.me()
    }

    /// The node's pool of one family as its records make it at `now_ms`.
    pub fn pool(&self, v6: bool, now_ms: i64) -> Result<Pool> {
        let roots = if self.me().depth() == 1 { self.store.ipam_roots()? } else { Vec::new() };
        let (delegations, assignments) = (self.store.ipam_delegations()?, self.store.ipam_assignments()?);
        let reservations = self.store.ipam_reservations()?;
        let records = Records {
            top_roots: &roots,
            delegations: &delegations,
            assignments: &assignments,
            reservations: &reservations,
        };
        Ok(pool_from_records(self.me(), &records, v6, now_ms, self.policy.quarantine_ms))
    }

    /// Runs `f` on the current pool of one family and commits its writes
    /// only if the pool did not change meanwhile; then waits for durability.
    pub(crate) async fn write_pool<T: Send>(
        &self,
        v6: bool,
        f: impl Fn(&mut Pool, &mut Tx<'_>) -> TxResult<T> + Sync,
    ) -> Result<T> {
        let out = self.commit_pool(v6, f).await?;
        // The lock is released before waiting for the disk: the next writer
        // computes from the committed state, and one fsync serves many
        // writers (group commit). A later sync covers every earlier commit.
        self.store.sync().await?;
        Ok(out)
    }

    async fn commit_pool<T: Send>(
        &self,
        v6: bool,
        f: impl Fn(&mut Pool, &mut Tx<'_>) -> TxResult<T> + Sync,
    ) -> Result<T> {
        let _serial = self.locks[family_index(v6)].lock().await;
        for _ in 0..CAS_ATTEMPTS {
            let version = self.store.ipam_version(v6)?;
            // Taken out of the cache: if anything below fails, the cache
            // stays empty and the next write rebuilds from the records.
            // (a Mutex, not a RefCell: the transaction may run on the thread
            // of another writer whose commit it shares)
            let pool = std::sync::Mutex::new(self.take_pool(v6, version)?);
            let runs = std::sync::atomic::AtomicU32::new(0);
            let done = self.store.transact(|tx| {
                let mut pool = pool.lock().unwrap_or_else(|e| e.into_inner());
                if runs.fetch_add(1, std::sync::atomic::Ordering::Relaxed) > 0 {
                    // sled retried: the pool may hold the discarded attempt's change
                    *pool = self.pool(v6, self.now_ms()).or_else(crate::store::abort)?;
                }
                if !tx.ipam_claim_version(v6, version)? {
                    return Ok(None);
                }
                f(&mut pool, tx).map(Some)
            })?;
            if let Some(out) = done {
                self.cached(v6, Some((version + 1, pool.into_inner().unwrap_or_else(|e| e.into_inner()))));
                return Ok(out);
            }
        }
        Err(NodeError::Store("地址池持续变动，请稍后重试".into()))
    }

    /// The pool at `version`, taken out of the cache if it is that version,
    /// else rebuilt from the records.
    fn take_pool(&self, v6: bool, version: u64) -> Result<Pool> {
        let now = self.now_ms();
        if let Some((v, mut p)) = self.cached(v6, None)
            && v == version
        {
            p.release_expired(now);
            return Ok(p);
        }
        self.pool(v6, now)
    }

    /// Takes the cached pool of a family out, or puts one in when `put` is given.
    fn cached(&self, v6: bool, put: Option<Versioned>) -> Option<Versioned> {
        let mut c = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        let slot = &mut c[family_index(v6)];
        match put {
            Some(new) => slot.replace(new),
            None => slot.take(),
        }
    }

    /// Holds `net` back from allocation (保留地址); it must lie in the pool
    /// and overlap nothing.
    pub async fn reserve(&self, net: IpNet, note: &str, by: &str) -> Result<()> {
        self.write_pool(matches!(net, IpNet::V6(_)), |pool, tx| {
            pool.insert("prefix", net, Holder::Reserved(note.to_string())).or_else(crate::store::abort)?;
            crate::ops::idempotency::record(tx, || ())?;
            let r = Reservation { prefix: net, note: note.to_string(), by: by.to_string(), at_ms: self.now_ms() };
            tx.put_ipam_reservation(&r)
        })
        .await
    }

    /// Releases a reservation at once.
    pub async fn unreserve(&self, net: IpNet) -> Result<()> {
        self.write_pool(matches!(net, IpNet::V6(_)), |pool, tx| {
            pool.unreserve(&net).or_else(crate::store::abort)?;
            crate::ops::idempotency::record(tx, || ())?;
            tx.remove_ipam_reservation(&net)
        })
        .await
    }

    /// Adds a root pool at the top node (the region's configured pools,
    /// or `extranet ipam pool add`). Idempotent.
    pub async fn add_root(&self, net: IpNet) -> Result<()> {
        if self.me().depth() != 1 {
            return Err(NodeError::precondition(format!("{} 不是最上级节点：其地址池只能由上级委派", self.me())));
        }
        let v6 = matches!(net, IpNet::V6(_));
        self.write_pool(v6, |pool, tx| {
            crate::ops::idempotency::record(tx, || ())?;
            if pool.roots().any(|r| *r == net) {
                return Ok(());
            }
            pool.add_root(net).or_else(crate::store::abort)?;
            tx.put_ipam_root(&net)
        })
        .await
    }
}
