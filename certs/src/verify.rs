//! Certificate verifiers whose revocation lists can be replaced while they
//! are in use.
//!
//! A rustls config is immutable once built and is shared by every
//! connection, yet a node learns of revocations at run time (CRLs travel
//! down the federation). So each config gets one of these wrappers, which
//! delegates to a standard webpki verifier behind a lock; replacing the
//! inner verifier changes the outcome of every later handshake on every
//! config already handed out.
//!
//! Revocation policy: the whole chain is checked (leaf and every
//! intermediate), and a certificate whose issuer's CRL we do not (yet) hold
//! has *unknown* status, which is allowed: a county that has not yet received
//! some prefecture's CRL must still talk to it. An expired CRL is still used
//! (better the last list than none while a link is down).
//!
//! On top of path validation the wrappers insist that the leaf carries
//! exactly one identity of this federation, and a server verifier that it is
//! exactly the identity the client dialed.

use std::sync::{Arc, RwLock};

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, CertificateRevocationListDer, ServerName, UnixTime};
use rustls::server::WebPkiClientVerifier;
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{
    CertificateError, DigitallySignedStruct, DistinguishedName, Error, OtherError, RootCertStore, SignatureScheme,
};

use crate::x509::{leaf_identity, parse_cert};
use crate::{CertError, Identity};

/// What both verifiers are built from.
#[derive(Clone, Debug)]
pub(crate) struct TrustConfig {
    /// The single trust anchor: the federation root.
    pub roots: Arc<RootCertStore>,
    /// The crypto provider (ring) used everywhere in this crate.
    pub provider: Arc<CryptoProvider>,
}

impl TrustConfig {
    fn client(&self, crls: &[CertificateRevocationListDer<'static>]) -> Result<Arc<dyn ClientCertVerifier>, CertError> {
        WebPkiClientVerifier::builder_with_provider(self.roots.clone(), self.provider.clone())
            .with_crls(crls.iter().cloned())
            .allow_unknown_revocation_status()
            .build()
            .map_err(|e| CertError::malformed("证书吊销列表（CRL）或根证书", e))
    }

    fn server(&self, crls: &[CertificateRevocationListDer<'static>]) -> Result<Arc<WebPkiServerVerifier>, CertError> {
        WebPkiServerVerifier::builder_with_provider(self.roots.clone(), self.provider.clone())
            .with_crls(crls.iter().cloned())
            .allow_unknown_revocation_status()
            .build()
            .map_err(|e| CertError::malformed("证书吊销列表（CRL）或根证书", e))
    }
}

/// Turns our error into the rustls error a handshake fails with.
fn reject(e: CertError) -> Error {
    Error::InvalidCertificate(CertificateError::Other(OtherError(Arc::new(e))))
}

/// The federation identity of a presented leaf, as a handshake error if none.
fn presented_identity(end_entity: &CertificateDer<'_>) -> Result<Identity, Error> {
    let cert = parse_cert(end_entity, "对端证书").map_err(reject)?;
    leaf_identity(&cert).map_err(reject)
}

/// What builds a verifier of one side for a set of CRLs.
type Build<V> = fn(&TrustConfig, &[CertificateRevocationListDer<'static>]) -> Result<Arc<V>, CertError>;

/// A verifier whose CRLs can be replaced while it is in use: the one in
/// force, replaced whole when the CRLs change, and how to build the next.
/// A poisoned lock is taken over: the value inside is always a complete
/// verifier, so a panic elsewhere cannot leave it half-written.
#[derive(Debug)]
pub(crate) struct Reloadable<V: ?Sized> {
    trust: TrustConfig,
    build: Build<V>,
    /// Subjects of the trust anchors, fixed: only CRLs are ever replaced
    /// (the server side offers them to clients).
    hints: Vec<DistinguishedName>,
    inner: RwLock<Arc<V>>,
}

impl<V: ?Sized> Reloadable<V> {
    fn with(
        trust: TrustConfig,
        build: Build<V>,
        hints: impl FnOnce(&V) -> Vec<DistinguishedName>,
    ) -> Result<Self, CertError> {
        let inner = build(&trust, &[])?;
        let hints = hints(&inner);
        Ok(Reloadable { trust, build, hints, inner: RwLock::new(inner) })
    }

    /// Builds a verifier for the new CRLs without installing it.
    pub(crate) fn prepare(&self, crls: &[CertificateRevocationListDer<'static>]) -> Result<Arc<V>, CertError> {
        (self.build)(&self.trust, crls)
    }

    pub(crate) fn install(&self, next: Arc<V>) {
        *self.inner.write().unwrap_or_else(|p| p.into_inner()) = next;
    }

    fn current(&self) -> Arc<V> {
        self.inner.read().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// The handshake-signature checks of both wrappers: the verifier in force
/// answers them, as it answers the certificate itself.
macro_rules! signatures_of_current {
    ($($check:ident),*) => {
        $(fn $check(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, Error> {
            self.current().$check(message, cert, dss)
        })*

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.current().supported_verify_schemes()
        }
    };
}

/// Server-side verifier of client certificates; client auth is mandatory.
pub(crate) type ReloadableClientVerifier = Reloadable<dyn ClientCertVerifier>;

impl ReloadableClientVerifier {
    pub(crate) fn new(trust: TrustConfig) -> Result<Self, CertError> {
        Reloadable::with(trust, TrustConfig::client, |v| v.root_hint_subjects().to_vec())
    }
}

impl ClientCertVerifier for ReloadableClientVerifier {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        true
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &self.hints
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, Error> {
        let verified = self.current().verify_client_cert(end_entity, intermediates, now)?;
        presented_identity(end_entity)?;
        Ok(verified)
    }

    signatures_of_current!(verify_tls12_signature, verify_tls13_signature);
}

/// Client-side verifier of the server we dialed.
pub(crate) type ReloadableServerVerifier = Reloadable<WebPkiServerVerifier>;

impl ReloadableServerVerifier {
    pub(crate) fn new(trust: TrustConfig) -> Result<Self, CertError> {
        Reloadable::with(trust, TrustConfig::server, |_| Vec::new())
    }
}

impl ServerCertVerifier for ReloadableServerVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        let verified = self.current().verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)?;
        let presented = presented_identity(end_entity)?;
        let expected = server_name.to_str();
        if presented.dns_name() != expected.as_ref() {
            return Err(reject(CertError::InvalidIdentity(format!(
                "对端证书身份为 {presented}，而连接期望的是 {expected}"
            ))));
        }
        Ok(verified)
    }

    signatures_of_current!(verify_tls12_signature, verify_tls13_signature);
}
