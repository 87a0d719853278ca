//! Certificate signing requests: how a node, operator or unit asks for a
//! certificate without its private key ever leaving the machine it was made on.
//!
//! A request names exactly one identity, as a single DNS subjectAltName:
//! a leaf uses [`Identity::dns_name`] (`node.540102.540100.540000.extranet`);
//! a CA for node `540000/540100` uses `ca.540100.540000.extranet`. The common
//! name (`540000/540100/540102/node`, `540000/540100/ca`) is for humans only;
//! the CA never reads it.

use std::io::Write;
use std::path::Path;

use rcgen::{CertificateParams, CertificateSigningRequestParams, DnType, KeyPair, SanType};

use crate::x509::{ca_dns_name, parse_ca_dns_name};
use crate::{CertError, Identity, NodeId, Role};

/// A freshly generated private key and the request to certify it. The key
/// stays with the requester; only `csr_pem` is sent to the CA.
#[derive(Clone)]
pub struct KeyAndRequest {
    /// PKCS#8 PEM of the new ECDSA P-256 private key.
    pub key_pem: String,
    /// PEM of the certificate signing request.
    pub csr_pem: String,
}

impl std::fmt::Debug for KeyAndRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyAndRequest").field("csr_pem", &self.csr_pem).finish_non_exhaustive()
    }
}

/// Who a request asks to be certified as: what a CA operator reviews before
/// signing, and what [`crate::CertificateAuthority::sign`] checks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CsrSubject {
    /// An end-entity certificate for this identity.
    Leaf(Identity),
    /// An intermediate CA for this node's subtree.
    Ca(NodeId),
}

/// Generates a key and a request for a leaf certificate carrying `identity`.
pub fn request_leaf(identity: &Identity) -> Result<KeyAndRequest, CertError> {
    request(identity.dns_name(), leaf_common_name(identity))
}

/// Generates a key and a request for an intermediate CA for `node`, to be
/// signed by the CA of one of its ancestors.
pub fn request_ca(node: &NodeId) -> Result<KeyAndRequest, CertError> {
    request(ca_dns_name(node), ca_common_name(node))
}

/// Reads who a request asks to be certified as, after checking its
/// signature. Refuses requests that do not name exactly one valid identity.
pub fn csr_identity(csr_pem: &str) -> Result<CsrSubject, CertError> {
    parse_csr(csr_pem).map(|(subject, _)| subject)
}

/// Writes a private key file readable by its owner only. The file is created
/// with mode 0600 (never widened then narrowed) and an existing file is never
/// overwritten: losing a key in use would cut a node off the federation.
pub fn write_private_key(path: &Path, pem: &str) -> Result<(), CertError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| CertError::io(dir, e))?;
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut file = opts.open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => CertError::KeyExists(path.to_path_buf()),
        _ => CertError::io(path, e),
    })?;
    file.write_all(pem.as_bytes()).map_err(|e| CertError::io(path, e))?;
    file.sync_all().map_err(|e| CertError::io(path, e))
}

/// The human-readable common name of a leaf: `540000/540100/540102/node`,
/// `…/operator/zhaxi`, `…/unit/u0001`.
pub(crate) fn leaf_common_name(identity: &Identity) -> String {
    match &identity.role {
        Role::Node => format!("{}/node", identity.node),
        Role::Operator(n) => format!("{}/operator/{n}", identity.node),
        Role::Unit(u) => format!("{}/unit/{u}", identity.node),
    }
}

/// The human-readable common name of a CA: `540000/540100/ca`.
pub(crate) fn ca_common_name(node: &NodeId) -> String {
    format!("{node}/ca")
}

/// Parses and verifies a request: who it names and its public key.
pub(crate) fn parse_csr(csr_pem: &str) -> Result<(CsrSubject, rcgen::PublicKey), CertError> {
    let csr = CertificateSigningRequestParams::from_pem(csr_pem)
        .map_err(|e| CertError::CsrRejected(format!("证书请求（CSR）无法解析或自签名无效：{e}")))?;
    let names: Vec<&str> = csr
        .params
        .subject_alt_names
        .iter()
        .map(|san| match san {
            SanType::DnsName(d) => Ok(d.as_str()),
            other => Err(CertError::CsrRejected(format!("subjectAltName 只能包含 DNS 名称，发现 {other:?}"))),
        })
        .collect::<Result<_, _>>()?;
    let [name] = names.as_slice() else {
        return Err(CertError::CsrRejected(format!(
            "subjectAltName 须恰好包含一个身份 DNS 名称（如 node.540102.540100.540000.extranet），实际有 {} 个",
            names.len()
        )));
    };
    let subject = if name.starts_with("ca.") {
        parse_ca_dns_name(name).map(CsrSubject::Ca)
    } else {
        Identity::from_dns_name(name).map(CsrSubject::Leaf).map_err(CertError::from)
    }
    .map_err(|e| CertError::CsrRejected(format!("subjectAltName 不是有效身份：{e}")))?;
    Ok((subject, csr.public_key))
}

/// A fresh P-256 key and a CSR naming `dns_name`.
fn request(dns_name: String, common_name: String) -> Result<KeyAndRequest, CertError> {
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(CertError::crypto)?;
    Ok(KeyAndRequest { csr_pem: csr_for_key(&key, dns_name, common_name)?, key_pem: key.serialize_pem() })
}

/// A CSR (PEM) naming `dns_name`, signed by an existing key.
pub(crate) fn csr_for_key(key: &KeyPair, dns_name: String, common_name: String) -> Result<String, CertError> {
    let mut params = CertificateParams::new(vec![dns_name]).map_err(CertError::crypto)?;
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, common_name);
    let csr = params.serialize_request(key).map_err(CertError::crypto)?;
    csr.pem().map_err(CertError::crypto)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_name_their_identity() {
        let node = NodeId::parse("540000/540100/540102").unwrap();
        let op = Identity::operator(node.clone(), "zhaxi").unwrap();
        let req = request_leaf(&op).unwrap();
        assert_eq!(csr_identity(&req.csr_pem).unwrap(), CsrSubject::Leaf(op));
        let req = request_ca(&node).unwrap();
        assert_eq!(csr_identity(&req.csr_pem).unwrap(), CsrSubject::Ca(node));
    }

    #[test]
    fn foreign_san_is_refused() {
        let key = KeyPair::generate().unwrap();
        let csr = CertificateParams::new(vec!["www.example.com".to_string()]).unwrap().serialize_request(&key).unwrap();
        let err = csr_identity(&csr.pem().unwrap()).unwrap_err().to_string();
        assert!(err.contains("subjectAltName"), "{err}");
        let none = CertificateParams::default().serialize_request(&key).unwrap();
        assert!(csr_identity(&none.pem().unwrap()).is_err());
        assert!(csr_identity("garbage").is_err());
    }

    #[cfg(unix)]
    #[test]
    fn key_files_are_private_and_never_overwritten() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/node.key");
        write_private_key(&path, "KEY").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert!(matches!(write_private_key(&path, "OTHER"), Err(CertError::KeyExists(_))));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "KEY");
    }
}
