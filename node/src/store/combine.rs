//! Write combining: transactions that arrive together share one engine
//! commit.
//!
//! **Why.** An engine commit costs far more than the writes in it (redb:
//! a fresh write transaction, table roots, checksums and page bookkeeping
//! for every commit, about 0.15 ms on the development machine), and redb
//! has one writer at a time. With 64 clients filing at once every filing
//! waited for its own commit behind the others' (issue 11: a third of the
//! CPU in `WriteTransaction::commit`). Here the writer that finds no batch
//! in progress becomes the leader: it takes every transaction queued
//! meanwhile and runs them one after the other inside one engine
//! transaction, then commits once. One writer alone runs its own at once,
//! as before.
//!
//! **Each keeps its own outcome.** In a batch each transaction writes into
//! an overlay of its own ([`Overlay`]) that it reads through; only when its
//! closure succeeds are its writes laid onto the engine transaction, so a
//! transaction that aborts (a rule refused it) leaves nothing and the rest
//! of the batch commits. Later transactions of the batch see earlier ones'
//! writes, exactly as if they had committed one after the other in that
//! order. An engine conflict (sled) runs the whole batch again; a storage
//! failure fails every transaction of it, as each would have failed alone.
//! A closure that panics fails its own transaction only.
//!
//! **Durability is untouched.** Each writer still holds its write ticket
//! (`durability.rs`) until its batch has committed and still waits for the
//! flush before acknowledging; combining only removes commits.
//!
//! **Borrowed closures.** A queued transaction is a closure on its writer's
//! stack. The writer blocks (it is already off the runtime's workers) until
//! the leader has set its outcome, so the closure outlives every use the
//! leader makes of it; the queue holds it as a pointer for that reason and
//! no other.

use std::collections::{BTreeMap, HashMap};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Condvar, Mutex, MutexGuard};

use super::TreeId;
use super::engine::{Engine, EngineError, EngineTx, TxStop};
use crate::error::NodeError;

/// One transaction's body, as the engine runs it.
pub(super) type Body<'a> = dyn FnMut(&mut dyn EngineTx) -> Result<(), TxStop> + Send + 'a;

/// A queued transaction: its number and its writer's closure, valid until
/// its outcome is in [`Queue::done`] (module docs).
struct Job(u64, *mut Body<'static>);

// SAFETY: the closure is `Send`; the leader is the only one to call it, while
// its writer blocks in `Combiner::run`, and every hand-over of a job and its
// outcome goes through the queue's mutex.
unsafe impl Send for Job {}

type Outcome = Result<(), TxStop>;

#[derive(Default)]
struct Queue {
    next: u64,
    waiting: Vec<Job>,
    leading: bool,
    done: HashMap<u64, Outcome>,
}

/// The write combiner of one store.
#[derive(Default)]
pub(super) struct Combiner {
    queue: Mutex<Queue>,
    settled: Condvar,
}

impl Combiner {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `body` as (part of) one engine transaction and answers its own
    /// outcome. Blocks until it has committed or failed.
    pub(super) fn run(&self, engine: &dyn Engine, body: &mut Body<'_>) -> Outcome {
        // SAFETY: only the lifetime is erased; the leader uses the pointer
        // only before this job's outcome is in `done`, and this call does not
        // return (nor touch `body`) before then.
        let body: *mut Body<'static> = unsafe { std::mem::transmute(body as *mut Body<'_>) };
        let mut queue = self.lock();
        let me = queue.next;
        queue.next += 1;
        queue.waiting.push(Job(me, body));
        loop {
            if let Some(outcome) = queue.done.remove(&me) {
                return outcome;
            }
            if !queue.leading {
                queue.leading = true;
                let batch = std::mem::take(&mut queue.waiting);
                drop(queue);
                Leading { combiner: self, batch, outcomes: Vec::new() }.commit(engine);
                queue = self.lock();
                continue;
            }
            queue = self.settled.wait(queue).unwrap_or_else(|e| e.into_inner());
        }
    }
}

/// A leader's batch. On drop (also when unwinding) it hands every outcome
/// over under the lock — a job left without one fails — and lets the next
/// writer lead.
struct Leading<'c> {
    combiner: &'c Combiner,
    batch: Vec<Job>,
    outcomes: Vec<Outcome>,
}

impl Leading<'_> {
    /// Runs the batch in one engine transaction and notes every outcome.
    fn commit(mut self, engine: &dyn Engine) {
        if let [Job(_, body)] = self.batch.as_slice() {
            // alone: straight through, as without combining
            // SAFETY: see `Job`.
            let outcome = engine.transact(unsafe { &mut **body });
            self.outcomes.push(outcome);
            return;
        }
        let bodies: Vec<*mut Body<'static>> = self.batch.iter().map(|j| j.1).collect();
        let mut kept: Vec<Outcome> = Vec::new();
        let res = engine.transact(&mut |etx| {
            kept = Vec::with_capacity(bodies.len());
            for body in &bodies {
                // SAFETY: see `Job`.
                kept.push(run_in_overlay(etx, unsafe { &mut **body })?);
            }
            if kept.iter().any(Result::is_ok) {
                Ok(())
            } else {
                // every one refused: nothing to commit
                Err(TxStop::Abort(NodeError::Store(String::new())))
            }
        });
        match res {
            Ok(()) | Err(TxStop::Abort(_)) => self.outcomes = kept,
            Err(stop) => {
                let detail = format!("{stop:?}");
                self.outcomes.push(Err(stop));
                while self.outcomes.len() < self.batch.len() {
                    self.outcomes.push(Err(TxStop::Storage(EngineError { detail: detail.clone(), io: None })));
                }
            }
        }
    }
}

impl Drop for Leading<'_> {
    fn drop(&mut self) {
        let mut queue = self.combiner.lock();
        let mut outcomes = std::mem::take(&mut self.outcomes).into_iter();
        for Job(n, _) in self.batch.drain(..) {
            let outcome = outcomes.next().unwrap_or_else(|| {
                Err(TxStop::Abort(NodeError::Store("写入事务在存储引擎内出错（panic），未写入".into())))
            });
            queue.done.insert(n, outcome);
        }
        queue.leading = false;
        drop(queue);
        self.combiner.settled.notify_all();
    }
}

/// Runs one transaction of a batch over its own overlay of `base`: its
/// writes reach `base` only if it succeeds. Answers its outcome (`Ok` or its
/// abort); a conflict or a storage failure stops the whole batch (`Err`).
fn run_in_overlay(base: &mut dyn EngineTx, body: &mut Body<'_>) -> Result<Outcome, TxStop> {
    let mut overlay = Overlay { base, writes: TreeId::ALL.map(|_| BTreeMap::new()) };
    match catch_unwind(AssertUnwindSafe(|| body(&mut overlay))) {
        Ok(Ok(())) => {
            overlay.apply()?;
            Ok(Ok(()))
        }
        Ok(Err(TxStop::Abort(e))) => Ok(Err(TxStop::Abort(e))),
        Ok(Err(stop)) => Err(stop),
        Err(_) => Ok(Err(TxStop::Abort(NodeError::Store("写入事务出错（panic），未写入".into())))),
    }
}

/// One transaction's writes within a batch, kept apart until it succeeds.
struct Overlay<'b> {
    base: &'b mut dyn EngineTx,
    /// Per tree (by [`TreeId`] index), so a read looks a key up without
    /// copying it; `None`: removed.
    writes: [BTreeMap<Vec<u8>, Option<Vec<u8>>>; TreeId::ALL.len()],
}

impl Overlay<'_> {
    /// Lays the writes onto the batch's engine transaction.
    fn apply(self) -> Result<(), TxStop> {
        for (t, writes) in TreeId::ALL.into_iter().zip(self.writes) {
            for (key, value) in writes {
                match value {
                    Some(v) => self.base.insert(t, &key, &v)?,
                    None => self.base.remove(t, &key)?,
                }
            }
        }
        Ok(())
    }
}

impl EngineTx for Overlay<'_> {
    fn get(&self, t: TreeId, key: &[u8]) -> Result<Option<Vec<u8>>, TxStop> {
        match self.writes[t as usize].get(key) {
            Some(v) => Ok(v.clone()),
            None => self.base.get(t, key),
        }
    }

    fn insert(&mut self, t: TreeId, key: &[u8], value: &[u8]) -> Result<(), TxStop> {
        self.writes[t as usize].insert(key.to_vec(), Some(value.to_vec()));
        Ok(())
    }

    fn remove(&mut self, t: TreeId, key: &[u8]) -> Result<(), TxStop> {
        self.writes[t as usize].insert(key.to_vec(), None);
        Ok(())
    }
}

#[cfg(test)]
impl Combiner {
    /// How many transactions wait for a leader (tests).
    pub(super) fn waiting(&self) -> usize {
        self.lock().waiting.len()
    }
}
