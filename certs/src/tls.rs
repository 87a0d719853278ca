//! The TLS material a running node or a CLI loads: the federation root, our
//! own chain and key, and the current revocation lists; and the rustls
//! configurations built from them.
//!
//! Both configurations are built once and handed out as `Arc`s; revocation
//! lists installed later with [`TlsMaterial::set_crls`] still reach them,
//! because their verifiers are reloadable (see `verify.rs`). Only TLS 1.3 is
//! offered: every peer runs this software, so there is nothing older to
//! accommodate. Session resumption is off on both sides, because a resumed
//! session is not re-verified: every connection is checked against the CRLs
//! in force when it is made.

use std::collections::HashSet;
use std::path::Path;
use std::sync::{Arc, RwLock};

use rustls::client::danger::ServerCertVerifier;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, CertificateRevocationListDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, RootCertStore, ServerConfig};

use crate::crl::{check_known_issuer, check_update, latest_per_issuer};
use crate::inspect::{CertInfo, cert_info};
use crate::verify::{ReloadableClientVerifier, ReloadableServerVerifier, TrustConfig};
use crate::x509::{leaf_identity, parse_cert, parse_cert_pems, parse_serial, serial_hex};
use crate::{CertError, Identity};

/// ALPN protocol of gRPC.
const ALPN_H2: &[u8] = b"h2";

/// Our TLS identity and trust: cheap to clone, shared by the server, every
/// outgoing link and the revocation checks of every RPC.
#[derive(Clone)]
pub struct TlsMaterial {
    inner: Arc<Inner>,
}

struct Inner {
    identity: Identity,
    serial: String,
    /// Our leaf followed by its intermediates (no root).
    chain: Vec<CertificateDer<'static>>,
    root: CertificateDer<'static>,
    client_verifier: Arc<ReloadableClientVerifier>,
    server_verifier: Arc<ReloadableServerVerifier>,
    revoked: RwLock<HashSet<String>>,
    server_config: Arc<ServerConfig>,
    client_config: Arc<ClientConfig>,
    browser_config: Arc<ServerConfig>,
}

impl std::fmt::Debug for TlsMaterial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsMaterial")
            .field("identity", &self.inner.identity)
            .field("serial", &self.inner.serial)
            .finish_non_exhaustive()
    }
}

impl TlsMaterial {
    /// Loads the root certificate, our chain (leaf first, without the root)
    /// and our private key from PEM files, as a node or CLI does at start-up.
    /// Unlike [`TlsMaterial::from_pem`] it also runs
    /// [`TlsMaterial::verify_own_chain`], so a misconfigured node fails
    /// before it listens rather than at its first handshake.
    pub fn load(root_pem: &Path, chain_pem: &Path, key_pem: &Path) -> Result<Self, CertError> {
        let read = |p: &Path| std::fs::read_to_string(p).map_err(|e| CertError::io(p, e));
        let tls = Self::from_pem(&read(root_pem)?, &read(chain_pem)?, &read(key_pem)?)?;
        tls.verify_own_chain()?;
        Ok(tls)
    }

    /// Builds the material from PEM text. Checks its structure: one root,
    /// a leaf (not a CA) carrying exactly one identity of this federation,
    /// a key matching the leaf. It does not insist that the chain validates
    /// to the root (call [`TlsMaterial::verify_own_chain`] for that), so
    /// tests can build a client that trusts our root while presenting a
    /// foreign chain, to prove the server refuses it.
    pub fn from_pem(root_pem: &str, chain_pem: &str, key_pem: &str) -> Result<Self, CertError> {
        let roots = parse_cert_pems(root_pem, "根证书")?;
        let [root] = roots.as_slice() else {
            return Err(CertError::malformed("根证书", "须恰好包含一张证书"));
        };
        let mut chain = parse_cert_pems(chain_pem, "本机证书链")?;
        if chain.len() > 1 && chain.last() == Some(root) {
            chain.pop();
        }
        let leaf = parse_cert(&chain[0], "本机证书")?;
        if leaf.is_ca() {
            return Err(CertError::Tls("证书链的第一张证书须为本机的终端证书，而不是 CA 证书".into()));
        }
        let identity = leaf_identity(&leaf)?;
        let serial = serial_hex(leaf.raw_serial());
        let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes())
            .map_err(|e| CertError::malformed("私钥", format!("须为 PEM 格式的私钥（{e}）")))?;
        let trust = trust_config(root)?;
        let server_verifier = Arc::new(ReloadableServerVerifier::new(trust.clone())?);
        let client_verifier = Arc::new(ReloadableClientVerifier::new(trust.clone())?);
        let server_config = server_config(&trust, &client_verifier, &chain, &key)?;
        let client_config = client_config(&trust, &server_verifier, &chain, &key)?;
        let browser_config = browser_config(&trust, &chain, &key)?;
        Ok(TlsMaterial {
            inner: Arc::new(Inner {
                identity,
                serial,
                chain,
                root: root.clone(),
                client_verifier,
                server_verifier,
                revoked: RwLock::new(HashSet::new()),
                server_config,
                client_config,
                browser_config,
            }),
        })
    }

    /// Proves our own chain validates now, up to the root, as the identity
    /// it names (expired, not yet valid, wrong root, broken chain and name
    /// constraint violations all fail here).
    pub fn verify_own_chain(&self) -> Result<(), CertError> {
        check_own_chain(&self.inner.server_verifier, &self.inner.chain, &self.inner.identity)
    }

    /// Who we are, from our own leaf certificate.
    pub fn identity(&self) -> &Identity {
        &self.inner.identity
    }

    /// Serial of our own leaf, lowercase hex.
    pub fn serial(&self) -> &str {
        &self.inner.serial
    }

    /// The root certificate (DER), for anyone who needs the trust anchor.
    pub fn root_der(&self) -> &CertificateDer<'static> {
        &self.inner.root
    }

    /// Our chain described for people: leaf, intermediates, root.
    pub fn chain_info(&self) -> Vec<CertInfo> {
        self.inner.chain.iter().chain(std::iter::once(&self.inner.root)).filter_map(|der| cert_info(der).ok()).collect()
    }

    /// The server configuration: client certificate required and checked
    /// against the root and the current CRLs; ALPN `h2`.
    pub fn server_config(&self) -> Arc<ServerConfig> {
        self.inner.server_config.clone()
    }

    /// The configuration for browsers (the web console): our chain, no
    /// client certificate asked (browsers sign in another way), TLS 1.2 or
    /// 1.3, ALPN `http/1.1`.
    pub fn browser_config(&self) -> Arc<ServerConfig> {
        self.inner.browser_config.clone()
    }

    /// The client configuration: presents our chain, checks the server
    /// against the root and the current CRLs; ALPN `h2`.
    pub fn client_config(&self) -> Arc<ClientConfig> {
        self.inner.client_config.clone()
    }

    /// Replaces the set of CRLs (DER) consulted by every later handshake,
    /// including on configurations already handed out, and by
    /// [`TlsMaterial::is_revoked`]. Of several CRLs from one issuer only the
    /// newest (highest CRL number) counts. All or nothing: if any CRL is
    /// malformed, the previous set stays in force.
    pub fn set_crls(&self, crls_der: Vec<Vec<u8>>) -> Result<(), CertError> {
        let mut cas: Vec<CertificateDer<'static>> = self.inner.chain[1..].to_vec();
        cas.push(self.inner.root.clone());
        for der in &crls_der {
            check_known_issuer(der, &cas)?;
        }
        let (kept, serials) = latest_per_issuer(crls_der)?;
        let crls: Vec<CertificateRevocationListDer<'static>> =
            kept.into_iter().map(CertificateRevocationListDer::from).collect();
        let client = self.inner.client_verifier.prepare(&crls)?;
        let server = self.inner.server_verifier.prepare(&crls)?;
        self.inner.client_verifier.install(client);
        self.inner.server_verifier.install(server);
        *self.inner.revoked.write().unwrap_or_else(|p| p.into_inner()) = serials;
        Ok(())
    }

    /// Installs every CRL of `crls_der` that is sound and skips the others,
    /// returning why each was skipped: at start-up, one bad stored list must
    /// not stop the node (nor keep the good lists from applying).
    pub fn set_crls_skipping_bad(&self, crls_der: Vec<Vec<u8>>) -> Vec<CertError> {
        let mut cas: Vec<CertificateDer<'static>> = self.inner.chain[1..].to_vec();
        cas.push(self.inner.root.clone());
        let mut skipped = Vec::new();
        let mut sound = Vec::new();
        for der in crls_der {
            let one = vec![CertificateRevocationListDer::from(der.clone())];
            let check = check_known_issuer(&der, &cas)
                .and_then(|()| crate::crl::summarize_crl(&der).map(|_| ()))
                .and_then(|()| self.inner.client_verifier.prepare(&one).map(|_| ()));
            match check {
                Ok(()) => sound.push(der),
                Err(e) => skipped.push(e),
            }
        }
        if let Err(e) = self.set_crls(sound) {
            skipped.push(e);
        }
        skipped
    }

    /// Checks that `der` may replace `held` as the revocation list of
    /// `issuer`'s CA: signed by that CA (whose certificate we hold, in our
    /// chain or as the root) and numbered strictly higher than `held`.
    /// Returns its CRL number. The CRL applier calls it before storing.
    pub fn check_crl_update(&self, issuer: &crate::NodeId, der: &[u8], held: Option<&[u8]>) -> Result<u64, CertError> {
        let mut cas: Vec<CertificateDer<'static>> = self.inner.chain[1..].to_vec();
        cas.push(self.inner.root.clone());
        check_update(&cas, issuer, der, held)
    }

    /// Whether a serial (hex, colons allowed) appears on any current CRL: the
    /// per-RPC check for long-lived connections established before the
    /// revocation arrived. A malformed serial is reported as not revoked.
    pub fn is_revoked(&self, serial_hex: &str) -> bool {
        let Ok((serial, _)) = parse_serial(serial_hex) else {
            return false;
        };
        self.inner.revoked.read().unwrap_or_else(|p| p.into_inner()).contains(&serial)
    }
}

fn trust_config(root: &CertificateDer<'static>) -> Result<TrustConfig, CertError> {
    let mut roots = RootCertStore::empty();
    roots.add(root.clone()).map_err(|e| CertError::malformed("根证书", format!("不能作为信任锚（{e}）")))?;
    Ok(TrustConfig { roots: Arc::new(roots), provider: Arc::new(rustls::crypto::ring::default_provider()) })
}

/// Our own chain must validate now, as the identity it names: a node with a
/// broken chain should fail at start-up, not at its first handshake.
fn check_own_chain(
    verifier: &ReloadableServerVerifier,
    chain: &[CertificateDer<'static>],
    identity: &Identity,
) -> Result<(), CertError> {
    let name = ServerName::try_from(identity.dns_name())
        .map_err(|e| CertError::InvalidIdentity(format!("身份 {identity} 不能作为 TLS 名称：{e}")))?;
    let Some((leaf, intermediates)) = chain.split_first() else {
        return Err(CertError::Tls("本机证书链为空".into()));
    };
    verifier
        .verify_server_cert(leaf, intermediates, &name, &[], UnixTime::now())
        .map(|_| ())
        .map_err(|e| CertError::Tls(format!("本机证书链无法验证到根证书：{e}")))
}

fn server_config(
    trust: &TrustConfig,
    verifier: &Arc<ReloadableClientVerifier>,
    chain: &[CertificateDer<'static>],
    key: &PrivateKeyDer<'static>,
) -> Result<Arc<ServerConfig>, CertError> {
    let mut config = ServerConfig::builder_with_provider(trust.provider.clone())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(|e| CertError::Tls(e.to_string()))?
        .with_client_cert_verifier(verifier.clone())
        .with_single_cert(chain.to_vec(), key.clone_key())
        .map_err(|e| CertError::Tls(format!("私钥与本机证书不匹配或无法使用：{e}")))?;
    config.alpn_protocols = vec![ALPN_H2.to_vec()];
    // A resumed session skips certificate verification: a revoked client
    // could reconnect on its old ticket. Every connection does a full handshake.
    config.session_storage = Arc::new(rustls::server::NoServerSessionStorage {});
    config.send_tls13_tickets = 0;
    Ok(Arc::new(config))
}

fn browser_config(
    trust: &TrustConfig,
    chain: &[CertificateDer<'static>],
    key: &PrivateKeyDer<'static>,
) -> Result<Arc<ServerConfig>, CertError> {
    let mut config = ServerConfig::builder_with_provider(trust.provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| CertError::Tls(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain.to_vec(), key.clone_key())
        .map_err(|e| CertError::Tls(format!("私钥与本机证书不匹配或无法使用：{e}")))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

fn client_config(
    trust: &TrustConfig,
    verifier: &Arc<ReloadableServerVerifier>,
    chain: &[CertificateDer<'static>],
    key: &PrivateKeyDer<'static>,
) -> Result<Arc<ClientConfig>, CertError> {
    let mut config = ClientConfig::builder_with_provider(trust.provider.clone())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(|e| CertError::Tls(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(verifier.clone())
        .with_client_auth_cert(chain.to_vec(), key.clone_key())
        .map_err(|e| CertError::Tls(format!("私钥与本机证书不匹配或无法使用：{e}")))?;
    config.alpn_protocols = vec![ALPN_H2.to_vec()];
    config.resumption = rustls::client::Resumption::disabled();
    Ok(Arc::new(config))
}
