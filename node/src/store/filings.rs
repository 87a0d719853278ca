//! Filings in the store: the origin's own and the replicas held above it.

use std::ops::Bound;

use extranet_certs::NodeId;

use super::{NodeStore, TreeId, Tx, TxResult, figures, keys};
use crate::domain::Filing;
use crate::error::Result;

impl NodeStore {
    /// One filing by its key (`540102-000001`).
    pub fn filing(&self, key: &str) -> Result<Option<Filing>> {
        self.view(|t| t.get(TreeId::Filings, key.as_bytes())?.map(|v| keys::decode(&v)).transpose())
    }

    /// Every filing held here whose origin lies within `subtree`, newest first.
    pub fn filings(&self, subtree: Option<&NodeId>, limit: usize) -> Result<Vec<Filing>> {
        let mut out = self.view(|t| {
            let mut out = Vec::new();
            for item in t.iter(TreeId::Filings) {
                let (_, v) = item?;
                let f: Filing = keys::decode(&v)?;
                if subtree.is_none_or(|s| f.id.origin.is_within(s)) {
                    out.push(f);
                }
            }
            Ok::<_, crate::error::NodeError>(out)
        })?;
        out.sort_by(|a, b| b.filed_at_ms.cmp(&a.filed_at_ms).then(b.id.cmp(&a.id)));
        out.truncate(limit);
        Ok(out)
    }

    /// Filings held here in descending key order (each origin's newest
    /// first), starting below `before`: read lazily, so a page costs memory
    /// for its rows only, however many filings the node holds. The caller
    /// drives the engine from its own thread: run it inside [`super::blocking`].
    pub fn filings_desc(&self, before: Option<&str>) -> impl Iterator<Item = Result<(String, Filing)>> + '_ {
        let to = before.map_or(Bound::Unbounded, |b| Bound::Excluded(b.as_bytes().to_vec()));
        self.engine.range(TreeId::Filings, Bound::Unbounded, to).rev().map(|item| {
            let (k, v) = item?;
            Ok((String::from_utf8_lossy(&k).into_owned(), keys::decode(&v)?))
        })
    }
}

impl Tx<'_> {
    /// A filing held here, by key.
    pub fn filing(&self, key: &str) -> TxResult<Option<Filing>> {
        self.read(TreeId::Filings, key.as_bytes())
    }

    /// Writes a filing (own or replica), counting an own one in the
    /// summary figures (a replica's key holds only replicas: not read).
    pub fn put_filing(&mut self, f: &Filing) -> TxResult<()> {
        let key = f.id.key();
        if &f.id.origin == self.me() {
            let me = self.me().clone();
            let old = self.filing(&key)?.map(|o| figures::filing_share(&me, &o)).unwrap_or_default();
            self.count(old, figures::filing_share(&me, f))?;
        }
        self.write(TreeId::Filings, key.as_bytes(), f)
    }
}
