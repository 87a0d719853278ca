//! Status summaries: the latest word of each node about itself, rolled up
//! the tree for oversight (Art.10, Art.19, Art.28).
//!
//! A summary is **not** an event. Events are sequenced and kept forever;
//! a summary is latest-wins: a node keeps only the newest summary per origin
//! and relays it to its parent.
//!
//! **Newest by whose clock?** Never the origin's: a county whose clock ran a
//! day ahead would look fresh for a day, and once corrected its real news
//! would look "older" and be ignored. Each holder notes *when it heard* a
//! summary on its own clock ([`Summary::heard_at_ms`]); on the wire a sender
//! states only how long ago it heard it (`age_ms`, a difference of its own
//! clock readings), and the receiver subtracts that age from its own now. So
//! every hop's clock cancels out, "newest" and "how old" are judged on the
//! viewer's clock, and `generated_at_ms` (the origin's clock) serves only to
//! measure the origin's clock offset. So oversight costs a
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
    /// When the origin produced it, by the origin's clock, Unix ms: shown,
    /// and compared with `heard_at_ms` to estimate the origin's clock
    /// offset; never used to order or age summaries.
    pub generated_at_ms: i64,
    /// When this node heard of it, by this node's clock, Unix ms (the
    /// instant the origin produced it, less transit): orders summaries and
    /// ages them.
    pub heard_at_ms: i64,
    /// Opaque content.
    pub payload: Vec<u8>,
}

impl Summary {
    /// Whether this summary should replace `held` (the one held for the same
    /// origin, if any): one heard earlier never does, so a relayed copy
    /// arriving late never overwrites fresher news, whatever the origin's
    /// clock says. One heard in the same millisecond does (two of a node's
    /// own summaries can be published within one).
    pub fn supersedes(&self, held: Option<&Summary>) -> bool {
        held.is_none_or(|h| self.heard_at_ms >= h.heard_at_ms)
    }

    /// How far the origin's clock runs ahead of this node's (negative:
    /// behind), in ms, give or take the time the summary took to arrive.
    pub fn clock_offset_ms(&self) -> i64 {
        self.generated_at_ms.saturating_sub(self.heard_at_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heard_later_wins_only_whatever_the_origin_clock_says() {
        let s = |generated, heard| Summary {
            origin: NodeId::parse("540000/540100").unwrap(),
            generated_at_ms: generated,
            heard_at_ms: heard,
            payload: vec![],
        };
        assert!(s(5, 5).supersedes(None));
        assert!(s(6, 6).supersedes(Some(&s(5, 5))));
        assert!(s(5, 5).supersedes(Some(&s(5, 5))), "same millisecond: the later publish wins");
        assert!(!s(4, 4).supersedes(Some(&s(5, 5))));
        // A day ahead, then corrected: the corrected one is heard later and wins.
        let day = 86_400_000;
        assert!(s(1_000, 1_000).supersedes(Some(&s(900 + day, 900))));
        assert_eq!(s(900 + day, 900).clock_offset_ms(), day);
    }
}
