//! The `Pki` service: a CA-holding node revokes a certificate it issued; the
//! new revocation list applies here at once and travels down the tree.

use std::sync::{Arc, Mutex};

use extranet_certs::{CertificateAuthority, TlsMaterial};
use extranet_proto::v1 as pb;
use extranet_proto::v1::pki_server::Pki;
use tonic::{Request, Response, Status};

use super::auth::Gate;
use crate::error::{NodeError, Result};
use crate::store::NodeStore;

/// Serves `extranet.v1.Pki` for one node.
pub struct PkiService {
    store: NodeStore,
    gate: Gate,
    tls: TlsMaterial,
    ca: Option<Arc<Mutex<CertificateAuthority>>>,
}

impl PkiService {
    /// The service; `ca` is this node's own CA, if it holds one.
    pub fn new(store: NodeStore, gate: Gate, tls: TlsMaterial, ca: Option<CertificateAuthority>) -> Self {
        PkiService { store, gate, tls, ca: ca.map(|c| Arc::new(Mutex::new(c))) }
    }
}

fn check_serial(s: &str) -> Result<String> {
    let s = s.trim().trim_start_matches("0x").replace(':', "").to_ascii_lowercase();
    if s.is_empty() || s.len() > 64 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(NodeError::invalid("serial", "证书序列号应为十六进制数字（可用 extranet certs show 查看）"));
    }
    Ok(s)
}

#[tonic::async_trait]
impl Pki for PkiService {
    async fn revoke(&self, req: Request<pb::RevokeRequest>) -> Result<Response<pb::RevokeResponse>, Status> {
        super::idempotent::operator_write(&self.gate, &self.store, "Revoke", req, |by, r| async move {
            self.revoke_once(&r, &by).await
        })
        .await
    }
}

impl PkiService {
    /// Revokes a certificate and publishes the new list (the body of `Revoke`).
    async fn revoke_once(&self, r: &pb::RevokeRequest, by: &str) -> Result<pb::RevokeResponse> {
        let serial = check_serial(&r.serial)?;
        let reason = crate::domain::limits::optional_text("reason", &r.reason)?;
        let ca = self.ca.as_ref().ok_or_else(|| NodeError::precondition("本节点未配置 CA（ca_dir），不能吊销证书"))?;
        let (der, count) = {
            let mut ca = ca.lock().map_err(|_| NodeError::Store("CA 状态不可用".into()))?;
            let der = ca.revoke(&serial).map_err(NodeError::from)?;
            (der, ca.revoked().len())
        };
        let answer = pb::RevokeResponse { issuer: self.store.me().to_string(), revoked_count: count as u32 };
        crate::ops::pki::publish_crl(&self.store, &self.tls, der, &answer).await?;
        tracing::warn!(%serial, by, %reason, "certificate revoked");
        Ok(answer)
    }
}
