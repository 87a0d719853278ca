//! Revocation lists in the store: this node's CA's and its ancestors'.

use extranet_certs::NodeId;

use super::{NodeStore, TreeId, Tx, TxResult};
use crate::error::Result;

impl NodeStore {
    /// Every revocation list held (this node's CA's and its ancestors').
    pub fn crls(&self) -> Result<Vec<Vec<u8>>> {
        self.view(|t| {
            let mut out = Vec::new();
            for item in t.get(TreeId::Meta).scan_prefix(b"crl/") {
                out.push(item?.1.to_vec());
            }
            Ok(out)
        })
    }
}

impl Tx<'_> {
    /// Replaces the revocation list of `issuer`'s CA.
    pub fn put_crl(&mut self, issuer: &NodeId, der: &[u8]) -> TxResult<()> {
        self.tree(TreeId::Meta).insert(format!("crl/{issuer}").as_bytes(), der)?;
        Ok(())
    }
}
