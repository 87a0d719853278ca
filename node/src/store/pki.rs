//! Revocation lists in the store: this node's CA's and its ancestors'.

use extranet_certs::NodeId;

use super::{NodeStore, TreeId, Tx, TxResult};
use crate::error::Result;

impl NodeStore {
    /// Every revocation list held (this node's CA's and its ancestors').
    pub fn crls(&self) -> Result<Vec<Vec<u8>>> {
        self.view(|t| {
            let mut out = Vec::new();
            for item in t.scan_prefix(TreeId::Meta, b"crl/") {
                out.push(item?.1.to_vec());
            }
            Ok(out)
        })
    }

    /// Why the last revocation list that arrived from each issuer was
    /// refused (issuer, reason), for as long as no later list was taken in.
    pub fn crl_refusals(&self) -> Result<Vec<(String, String)>> {
        self.view(|t| {
            let mut out = Vec::new();
            for item in t.scan_prefix(TreeId::Meta, REFUSED) {
                let (k, v) = item?;
                let issuer = String::from_utf8_lossy(&k[REFUSED.len()..]).into_owned();
                out.push((issuer, String::from_utf8_lossy(&v).into_owned()));
            }
            Ok(out)
        })
    }
}

/// Key prefix of the refusal notes kept by [`Tx::refuse_crl`].
const REFUSED: &[u8] = b"crl-refused/";

impl Tx<'_> {
    /// Replaces the revocation list of `issuer`'s CA.
    pub fn put_crl(&mut self, issuer: &NodeId, der: &[u8]) -> TxResult<()> {
        self.insert(TreeId::Meta, format!("crl/{issuer}").as_bytes(), der)?;
        self.remove(TreeId::Meta, [REFUSED, issuer.as_str().as_bytes()].concat())?;
        Ok(())
    }

    /// The revocation list of `issuer`'s CA held here, if any.
    pub fn crl(&self, issuer: &NodeId) -> TxResult<Option<Vec<u8>>> {
        Ok(self.get(TreeId::Meta, format!("crl/{issuer}").as_bytes())?.map(|v| v.to_vec()))
    }

    /// Notes that a list from `issuer` was refused and why (the held list
    /// stays in force); [`NodeStore::crl_refusals`] reports it.
    pub fn refuse_crl(&mut self, issuer: &NodeId, reason: &str) -> TxResult<()> {
        self.insert(TreeId::Meta, [REFUSED, issuer.as_str().as_bytes()].concat(), reason.as_bytes())?;
        Ok(())
    }
}
