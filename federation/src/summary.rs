//! Status summaries: the latest word of each node about itself, rolled up
//! the tree for oversight (Art.10, Art.19, Art.28).
//!
//! A summary is **not** an event. Events are sequenced and kept forever;
//! a summary is latest-wins: a node keeps only the newest summary per origin
//! (by `generated_at_ms`) and relays it to its parent. So oversight costs a
//! bounded amount of storage — one summary per node of the subtree — however
//! long the federation runs. Summaries are never acknowledged: a lost one is
//! repaired by the next, which every node produces periodically.
//!
//! They travel child → parent only, on the same `Sync` stream as events
//! ([`crate::Frame::Summary`]), under the same rule as up events: a parent
//! accepts from child `C` only summaries whose origin lies within `C`'s
//! subtree.

use extranet_certs::NodeId;

/// The latest status summary of one node; the payload is the node's to
/// encode (the federation never reads it).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Summary {
    /// The node the summary describes.
    pub origin: NodeId,
    /// When the origin produced it, Unix ms; the newer one wins.
    pub generated_at_ms: i64,
    /// Opaque content.
    pub payload: Vec<u8>,
}

impl Summary {
    /// Whether this summary should replace `held` (the one held for the same
    /// origin, if any): only a strictly newer one does, so a relayed copy
    /// arriving late never overwrites fresher news.
    pub fn supersedes(&self, held: Option<&Summary>) -> bool {
        held.is_none_or(|h| self.generated_at_ms > h.generated_at_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newer_wins_only() {
        let s = |t| Summary { origin: NodeId::parse("540000/540100").unwrap(), generated_at_ms: t, payload: vec![] };
        assert!(s(5).supersedes(None));
        assert!(s(6).supersedes(Some(&s(5))));
        assert!(!s(5).supersedes(Some(&s(5))));
        assert!(!s(4).supersedes(Some(&s(5))));
    }
}
