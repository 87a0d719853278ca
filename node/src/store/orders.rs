//! Disconnection and rectification orders in the store: the issuer's, and
//! the copies its ancestors hold (a copy is replaced only by a higher
//! revision, so an old event relayed late never undoes a newer step). Each
//! write of an own order moves its share of the summary counters and its
//! entry in [`TreeId::Disconnections`] — the unit → standing order index
//! every unit call is checked against — in the same transaction, so a unit
//! is refused exactly while its order stands.

use super::disconnection::Disconnection;
use super::{NodeStore, TreeId, Tx, TxResult, figures, keys};
use crate::domain::{Order, UnitId};
use crate::error::Result;

impl NodeStore {
    /// One order held here, by key (`540102-D000001`).
    pub fn order(&self, key: &str) -> Result<Option<Order>> {
        self.view(|t| t.get(TreeId::Orders, key.as_bytes())?.map(|v| keys::decode(&v)).transpose())
    }

    /// Every order held here: issued here, or below.
    pub fn orders(&self) -> Result<Vec<Order>> {
        self.view(|t| t.iter(TreeId::Orders).map(|item| keys::decode(&item?.1)).collect())
    }

    /// The standing order of this node that disconnects `unit`, if any:
    /// one point read, made on every call a unit's certificate makes.
    pub fn disconnection(&self, unit: &str) -> Result<Option<Disconnection>> {
        self.view(|t| Ok(t.get(TreeId::Disconnections, unit.as_bytes())?.and_then(|v| Disconnection::decode(&v))))
    }

    /// Every unit of this node disconnected now, with its standing order.
    pub fn disconnections(&self) -> Result<Vec<(String, Disconnection)>> {
        self.view(|t| {
            let mut out = Vec::new();
            for item in t.iter(TreeId::Disconnections) {
                let (unit, v) = item?;
                if let Some(d) = Disconnection::decode(&v) {
                    out.push((String::from_utf8_lossy(&unit).into_owned(), d));
                }
            }
            Ok(out)
        })
    }
}

impl Tx<'_> {
    /// An order held here.
    pub fn order(&self, key: &str) -> TxResult<Option<Order>> {
        self.read(TreeId::Orders, key.as_bytes())
    }

    /// The standing order of this node that disconnects `unit`, if any.
    pub fn disconnection(&self, unit: &UnitId) -> TxResult<Option<Disconnection>> {
        Ok(self.get(TreeId::Disconnections, unit.to_string().as_bytes())?.and_then(|v| Disconnection::decode(&v)))
    }

    /// Writes an order unless one of the same or a later revision is held;
    /// returns whether it was written. An own order keeps the unit's entry
    /// in the disconnection index while it stands, and removes it once lifted.
    pub fn put_order(&mut self, o: &Order) -> TxResult<bool> {
        let old = self.order(&o.id.key())?;
        if old.as_ref().is_some_and(|held| held.revision >= o.revision) {
            return Ok(false);
        }
        let me = self.me().clone();
        let share = |x: &Order| figures::order_share(&me, x);
        self.count(old.as_ref().map(share).unwrap_or_default(), share(o))?;
        self.write(TreeId::Orders, o.id.key().as_bytes(), o)?;
        if o.id.origin == me {
            let unit = o.unit.to_string();
            if o.is_standing() {
                let d = Disconnection { order: o.id.key(), due: o.deadline.due };
                self.insert(TreeId::Disconnections, unit.as_bytes(), d.encode())?;
            } else if self.disconnection(&o.unit)?.is_some_and(|d| d.order == o.id.key()) {
                self.remove(TreeId::Disconnections, unit.as_bytes())?;
            }
        }
        Ok(true)
    }
}
