//! Responses kept by idempotency key: a write RPC that carries a client
//! request id stores its encoded response here in the same transaction as
//! the write, so a retry after a lost answer finds the original result
//! instead of writing again (see `service::idempotent`).

use super::{NodeStore, TreeId, Tx, TxResult};
use crate::error::Result;

impl NodeStore {
    /// The response stored under `key`, if a write with that key committed.
    pub fn remembered_response(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.view(|t| Ok(t.get(TreeId::Idempotency, key)?.map(|v| v.to_vec())))
    }
}

impl Tx<'_> {
    /// The response stored under `key` within this transaction.
    pub fn remembered_response(&self, key: &[u8]) -> TxResult<Option<Vec<u8>>> {
        Ok(self.get(TreeId::Idempotency, key)?.map(|v| v.to_vec()))
    }

    /// Stores `response` under `key`, committed with the write it answers.
    pub fn remember_response(&mut self, key: &[u8], response: &[u8]) -> TxResult<()> {
        self.insert(TreeId::Idempotency, key, response)?;
        Ok(())
    }
}
