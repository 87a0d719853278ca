//! The disconnection index's value (`TreeId::Disconnections`: unit → the
//! standing order that cuts it off): read on every call a unit's
//! certificate makes, written with the order (`orders.rs`), and scanned
//! for overdue rectifications by the figures (`figures.rs`), so both use it
//! from here rather than from each other.

use chrono::NaiveDate;

/// The standing order that disconnects a unit: its key and due date.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Disconnection {
    /// The order's key (`540102-D000001`).
    pub order: String,
    /// Its rectification deadline.
    pub due: NaiveDate,
}

impl Disconnection {
    pub(super) fn encode(&self) -> Vec<u8> {
        format!("{}|{}", self.order, self.due).into_bytes()
    }

    /// Reads an index value; `None` for one this build cannot read.
    pub(super) fn decode(v: &[u8]) -> Option<Self> {
        let (order, due) = std::str::from_utf8(v).ok()?.split_once('|')?;
        Some(Disconnection { order: order.to_string(), due: due.parse().ok()? })
    }
}
