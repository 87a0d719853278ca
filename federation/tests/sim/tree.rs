//! The simulated federation: one region, two prefectures, four counties —
//! the smallest tree with relays on two levels and siblings that race.
//!
//! ```text
//!                 540000
//!          540100        540200
//!      540102 540103  540202 540203
//! ```

use extranet_certs::NodeId;
use extranet_federation::{Channel, StreamId};

/// Node ids by index, with their relations.
pub struct Tree {
    pub ids: Vec<NodeId>,
}

impl Tree {
    pub fn standard() -> Tree {
        let paths = [
            "540000",
            "540000/540100",
            "540000/540200",
            "540000/540100/540102",
            "540000/540100/540103",
            "540000/540200/540202",
            "540000/540200/540203",
        ];
        Tree { ids: paths.iter().map(|p| NodeId::parse(p).expect("node id")).collect() }
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn index(&self, id: &NodeId) -> usize {
        self.ids.iter().position(|n| n == id).expect("node of the tree")
    }

    pub fn parent(&self, i: usize) -> Option<usize> {
        self.ids[i].parent().map(|p| self.index(&p))
    }

    pub fn children(&self, i: usize) -> Vec<usize> {
        (0..self.len()).filter(|&c| self.parent(c) == Some(i)).collect()
    }

    /// Every node that must end up holding `stream`: the origin, and its
    /// ancestors (up) or descendants (down).
    pub fn holders(&self, stream: &StreamId) -> Vec<usize> {
        (0..self.len())
            .filter(|&j| {
                let n = &self.ids[j];
                match stream.channel {
                    Channel::Up => stream.origin.is_within(n),
                    Channel::Down => n.is_within(&stream.origin),
                }
            })
            .collect()
    }

    /// Nodes strictly above `i`.
    pub fn ancestors(&self, i: usize) -> Vec<usize> {
        (0..self.len()).filter(|&a| self.ids[a].is_ancestor_of(&self.ids[i])).collect()
    }
}
