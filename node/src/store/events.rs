//! The node store as the federation engine's [`EventStore`]: the engine moves
//! events; this decides how they are kept and hands them to the domain.

use extranet_certs::NodeId;
use extranet_federation::{Accepted, Envelope, EventStore, FedError, Incoming, Skipped, StreamId, Summary, take_runs};
use tokio::sync::watch;

use super::record::HeldSummary;
use std::ops::Bound;

use super::{NodeStore, TreeId, abort, keys};
use crate::error::NodeError;

fn fed(e: impl std::fmt::Display) -> FedError {
    FedError::Store(e.to_string())
}

/// The outcome of a batch of one.
fn first(outcomes: Vec<Accepted>) -> Accepted {
    outcomes.into_iter().next().unwrap_or(Accepted::Duplicate)
}

impl NodeStore {
    /// Takes in a batch from one peer in one atomic write: each event that
    /// is next in its stream is stored and, where it takes effect here,
    /// applied (or, if it is one of our own taken back, re-applied); stops
    /// after the first gap. A batch the cursors already cover is answered
    /// without a transaction, which would cost a flush (a reconnecting
    /// peer replays).
    fn take_in_batch(&self, batch: &[Incoming<'_>]) -> Result<Vec<Accepted>, FedError> {
        if self.all_held(batch)? {
            return Ok(vec![Accepted::Duplicate; batch.len()]);
        }
        let outcome = self.transact_always(|tx| {
            let mut out = Vec::with_capacity(batch.len());
            for inc in batch {
                let (event, stream) = (inc.event, inc.event.stream());
                match inc.outcome(tx.cursor(&stream)?) {
                    Accepted::Applied => {}
                    Accepted::Duplicate => {
                        out.push(Accepted::Duplicate);
                        continue;
                    }
                    gap => {
                        out.push(gap);
                        break;
                    }
                }
                tx.append(&stream, event)?;
                match (inc.own, inc.deliver) {
                    (true, _) => self.applier.recover_own(tx, event)?,
                    (false, true) => self.applier.apply(tx, event)?,
                    (false, false) => {}
                }
                out.push(Accepted::Applied);
            }
            Ok(out)
        });
        outcome.map_err(FedError::from)
    }

    /// Whether every event of `batch` is at or below its stream's cursor.
    fn all_held(&self, batch: &[Incoming<'_>]) -> Result<bool, FedError> {
        self.view(|t| {
            for inc in batch {
                let held = t.get(TreeId::Cursors, &keys::stream_key(&inc.event.stream())).map_err(fed)?;
                if inc.event.seq > keys::read_u64(held.as_deref()).map_err(fed)? {
                    return Ok(false);
                }
            }
            Ok(true)
        })
    }
}

impl From<NodeError> for FedError {
    fn from(e: NodeError) -> Self {
        match e {
            NodeError::Federation(f) => f,
            other => fed(other),
        }
    }
}

impl EventStore for NodeStore {
    fn cursors(&self) -> Result<Vec<(StreamId, u64)>, FedError> {
        self.view(|t| {
            let mut out = Vec::new();
            for item in t.iter(TreeId::Cursors) {
                let (k, v) = item.map_err(fed)?;
                out.push((keys::parse_stream_key(&k).map_err(fed)?, keys::read_u64(Some(&v)).map_err(fed)?));
            }
            Ok(out)
        })
    }

    fn read(&self, stream: &StreamId, after: u64, limit: usize) -> Result<Vec<Envelope>, FedError> {
        self.view(|t| {
            let from = keys::event_key(stream, after.saturating_add(1));
            let to = keys::event_key(stream, u64::MAX);
            let mut out = Vec::new();
            let range = t.range(TreeId::Events, Bound::Included(from), Bound::Included(to));
            for item in range.take(limit) {
                let (_, v) = item.map_err(fed)?;
                out.push(keys::decode(&v).map_err(fed)?);
            }
            Ok(out)
        })
    }

    fn accept(&self, event: &Envelope, deliver: bool) -> Result<Accepted, FedError> {
        self.accept_batch(&[Incoming::dense(event, deliver, false)]).map(first)
    }

    fn accept_own_recovered(&self, event: &Envelope) -> Result<Accepted, FedError> {
        self.accept_batch(&[Incoming::dense(event, false, true)]).map(first)
    }

    fn accept_batch(&self, batch: &[Incoming<'_>]) -> Result<Vec<Accepted>, FedError> {
        if let Some(inc) = batch.iter().find(|inc| inc.own && &inc.event.origin != self.me()) {
            return Err(fed(format!("恢复的事件来源 {} 不是本节点", inc.event.origin)));
        }
        self.take_in_batch(batch)
    }

    fn takes_skips(&self) -> bool {
        true
    }

    fn skip(&self, skips: &[Skipped]) -> Result<Vec<Accepted>, FedError> {
        let outcome = self.transact_always(|tx| {
            let tx = std::cell::RefCell::new(tx);
            take_runs(skips, |s| tx.borrow().cursor(s), |s, through| tx.borrow_mut().skip_to(s, through))
        });
        outcome.map_err(FedError::from)
    }

    async fn sync(&self) -> Result<(), FedError> {
        NodeStore::sync(self).await.map_err(fed)
    }

    async fn sync_soon(&self) -> Result<(), FedError> {
        self.durability.sync_soon().await.map_err(fed)
    }

    async fn sync_up(&self) -> Result<(), FedError> {
        self.durability.sync_up().await.map_err(fed)
    }

    fn durable_watch(&self) -> watch::Receiver<u64> {
        self.durability.watch()
    }

    fn save_peer_cursors(&self, peer: &NodeId, cursors: &[(StreamId, u64)]) -> Result<(), FedError> {
        let value = keys::encode(&cursors.to_vec()).map_err(fed)?;
        // Saved on every acknowledgement: one plain write, nothing else.
        self.insert_unacknowledged(TreeId::Peers, peer.as_str().as_bytes(), &value).map_err(fed)
    }

    fn peer_cursors(&self, peer: &NodeId) -> Result<Vec<(StreamId, u64)>, FedError> {
        self.view(|t| match t.get(TreeId::Peers, peer.as_str().as_bytes()).map_err(fed)? {
            Some(v) => keys::decode(&v).map_err(fed),
            None => Ok(Vec::new()),
        })
    }

    fn known_peers(&self) -> Result<Vec<NodeId>, FedError> {
        self.view(|t| {
            let mut out = Vec::new();
            for item in t.iter(TreeId::Peers) {
                let (k, _) = item.map_err(fed)?;
                let s = std::str::from_utf8(&k).map_err(fed)?;
                out.push(s.parse().map_err(fed)?);
            }
            Ok(out)
        })
    }

    fn put_summary(&self, summary: &Summary) -> Result<bool, FedError> {
        let key = summary.origin.as_str().as_bytes();
        let held: HeldSummary = (summary.generated_at_ms, summary.payload.clone(), summary.heard_at_ms);
        let value = keys::encode(&held).map_err(fed)?;
        // One transaction, so two sessions relaying the same origin cannot
        // let an older summary overwrite a newer one.
        self.transact_unacknowledged(|tx| {
            let old = tx.get(TreeId::Summaries, key)?;
            let held = old.as_ref().map(|v| decode_summary(&summary.origin, v)).transpose().or_else(abort)?;
            if !summary.supersedes(held.as_ref()) {
                return Ok(false);
            }
            tx.insert(TreeId::Summaries, key, &value)?;
            Ok(true)
        })
        .map_err(fed)
    }

    fn summaries(&self, root: &NodeId) -> Result<Vec<Summary>, FedError> {
        self.view(|t| {
            let mut out = Vec::new();
            for item in t.scan_prefix(TreeId::Summaries, root.as_str().as_bytes()) {
                let (k, v) = item.map_err(fed)?;
                let origin: NodeId = std::str::from_utf8(&k).map_err(fed)?.parse().map_err(fed)?;
                if origin.is_within(root) {
                    out.push(decode_summary(&origin, &v)?);
                }
            }
            Ok(out)
        })
    }
}

/// A held summary (see [`HeldSummary`]; summaries stored in the older
/// two-field form read as heard when generated).
fn decode_summary(origin: &NodeId, v: &[u8]) -> Result<Summary, FedError> {
    let (generated_at_ms, payload, heard_at_ms): HeldSummary = keys::decode(v).map_err(fed)?;
    Ok(Summary { origin: origin.clone(), generated_at_ms, heard_at_ms, payload })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_stored_in_the_old_two_field_form_still_reads() {
        let origin: NodeId = "540000/540100".parse().unwrap();
        let old = serde_json::to_vec(&(42_i64, vec![1_u8, 2])).unwrap();
        let s = decode_summary(&origin, &old).unwrap();
        assert_eq!((s.generated_at_ms, s.heard_at_ms, s.payload), (42, 42, vec![1, 2]));
        let new = keys::encode::<HeldSummary>(&(42_i64, vec![3_u8], 50_i64)).unwrap();
        assert_eq!(decode_summary(&origin, &new).unwrap().heard_at_ms, 50);
    }
}
