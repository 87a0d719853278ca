//! How an operator command reaches its node: the endpoint and credential
//! flags every command shares, a connection, and a retried write.

use std::path::PathBuf;

use clap::Args;

use crate::client::{Backoff, Client, CredentialDir, WriteRequest, with_retry};

/// How an operator command reaches its node.
#[derive(Args, Clone)]
pub struct Conn {
    /// Node address host:port.
    #[arg(long, env = "EXTRANET_ENDPOINT")]
    pub endpoint: String,
    /// Directory holding root.pem, operator.pem and operator.key (or, for an
    /// access unit, root.pem, unit.pem and unit.key).
    #[arg(long, env = "EXTRANET_CERT_DIR")]
    pub cert_dir: PathBuf,
    /// Machine-readable JSON output.
    #[arg(long)]
    pub json: bool,
}

impl Conn {
    /// Connects as the operator.
    pub async fn client(&self) -> anyhow::Result<Client> {
        Ok(Client::connect(&self.endpoint, &CredentialDir(self.cert_dir.clone())).await?)
    }

    /// Runs one write operation: `call` with `req` under one request id,
    /// reconnecting and retrying with that id while the node is unavailable
    /// (see [`crate::client::with_retry`]).
    pub async fn write<R: WriteRequest, T>(
        &self,
        req: R,
        call: impl AsyncFn(Client, R) -> Result<tonic::Response<T>, tonic::Status>,
    ) -> anyhow::Result<T> {
        let tls = CredentialDir(self.cert_dir.clone()).load()?;
        let out = with_retry(req, Backoff::default(), async |r| {
            let c = Client::connect_with(&self.endpoint, &tls)
                .await
                .map_err(|e| tonic::Status::unavailable(format!("无法连接节点 {}：{e}", self.endpoint)))?;
            call(c, r).await.map(tonic::Response::into_inner)
        })
        .await?;
        Ok(out)
    }
}
