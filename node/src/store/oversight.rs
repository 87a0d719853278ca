//! Figures of this node's own records, for its status summary.

use std::collections::BTreeMap;

use super::{NodeStore, TreeId, keys};
use crate::domain::Filing;
use crate::error::Result;

impl NodeStore {
    /// This node's own filings (not replicas) counted by (kind, state):
    /// kind `cutover`/`launch`, state `awaiting_receipts`/`acknowledged`.
    pub fn own_filing_counts(&self) -> Result<BTreeMap<(&'static str, &'static str), u64>> {
        self.view(|t| {
            let mut out = BTreeMap::new();
            let prefix = format!("{}-", self.me.code());
            for item in t.scan_prefix(TreeId::Filings, prefix.as_bytes()) {
                let (_, v) = item?;
                let f: Filing = keys::decode(&v)?;
                if f.id.origin != self.me {
                    continue;
                }
                *out.entry((f.details.kind_code(), f.state_code())).or_insert(0) += 1;
            }
            Ok(out)
        })
    }
}
