//! Sharing flushes: the two waits of the group commit (`durability.rs`)
//! that need not force a flush of their own.
//!
//! - [`Durability::sync_soon`], for writes no one waits on promptly —
//!   events travelling down the tree, which a node takes in from its parent
//!   and relays to its children: it waits a moment for the flush another
//!   writer asks for, so one fsync covers both.
//! - [`Durability::sync_up`], for the sending half of a session to the
//!   parent: it waits only for the writes that put an event on an up stream
//!   (noted inside the write, [`Durability::note_up`]), not for receipts
//!   taken in meanwhile.
//!
//! Why (issue 11): a filing made one receipt, and every node on the way
//! down — and every sibling county, as down streams go whole to each child
//! — made it durable with a flush of its own; with the session to the
//! parent forcing one more for whatever receipt had just been written, a
//! filing cost 5.5 flushes across the four-node bench, each about 0.3 ms
//! of CPU in redb and ext4 on the same two cores. Both resolve only once
//! their writes are on disk, as `sync` does.

use std::sync::atomic::Ordering;
use std::time::Duration;

use super::{Durability, WriteTicket};
use crate::error::Result;

impl Durability {
    /// Notes that the write in progress (its ticket held) puts an event on
    /// an up stream, so [`Durability::sync_up`] waits for it.
    pub fn note_up(&self, _ticket: &WriteTicket<'_>) {
        self.inner.begun_up.fetch_add(1, Ordering::SeqCst);
    }

    /// Resolves once every write begun before the call that put an event on
    /// an up stream is on disk: what the sending half of a session to the
    /// parent needs before sending up events it read. Writes of events
    /// going down, made durable a moment later ([`Durability::sync_soon`]),
    /// are not waited for.
    pub async fn sync_up(&self) -> Result<()> {
        let target = self.inner.begun_up.load(Ordering::SeqCst);
        if self.inner.synced_up.load(Ordering::SeqCst) >= target && self.inner.health.get().is_healthy() {
            return Ok(());
        }
        self.sync().await
    }

    /// [`Durability::sync`] for a write no one waits on promptly (an event
    /// travelling down the tree): waits up to `SHARE_WAIT` (10 ms) for a flush
    /// another writer asks for — a client's filing, an event going up —
    /// so that one fsync covers both, then asks for one itself. Resolves
    /// only once every write begun before the call is on disk, as `sync`.
    pub async fn sync_soon(&self) -> Result<()> {
        let target = self.inner.begun.load(Ordering::SeqCst);
        let mut rx = self.inner.synced.subscribe();
        // (answers at once when a flush already covered it)
        let wait = Duration::from_micros(self.inner.share_wait_us.load(Ordering::Relaxed));
        let shared = matches!(tokio::time::timeout(wait, rx.wait_for(|s| *s >= target)).await, Ok(Ok(_)));
        if shared && self.inner.health.get().is_healthy() {
            return Ok(());
        }
        // none came (or the store changed state): ask, and learn why not
        self.sync().await
    }

    /// How many times a flush was asked for (tests).
    #[cfg(test)]
    pub(in crate::store) fn flushes_asked(&self) -> u64 {
        self.inner.asked.load(Ordering::Relaxed)
    }

    /// Sets how long [`Durability::sync_soon`] waits to share a flush (tests
    /// that must not depend on how fast the machine is).
    #[doc(hidden)]
    pub fn set_share_wait(&self, d: Duration) {
        self.inner.share_wait_us.store(d.as_micros() as u64, Ordering::Relaxed);
    }
}
