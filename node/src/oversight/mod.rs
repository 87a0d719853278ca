//! Regional oversight (监督管理, Art.10, Art.19, Art.28): each node's status
//! summary, produced periodically and on change ([`publisher`]) and rolled
//! up the tree by the federation's latest-wins summary frames; and the view
//! of a subtree an operator reads ([`view`]).
//!
//! Summaries are wire types end to end (`extranet.v1.NodeSummary`, encoded
//! as the federation summary's opaque payload), so the rollup works on them
//! directly rather than on a separate domain type.

pub mod publisher;
pub mod summary;
pub mod view;

#[cfg(test)]
mod figures_tests;

pub use publisher::Publisher;
pub use summary::build_summary;
pub use view::{Bounds, Held, build_view};
