//! A certificate authority of the federation: the region's root, or a
//! prefecture's (or county's) intermediate confined to its own subtree.
//!
//! Rule 7 of the design: identity is the certificate. The region's root
//! signs an intermediate for each prefecture carrying an X.509 name
//! constraint that permits only the DNS subtree of that prefecture
//! (`540100.540000.extranet`), so a prefecture can enrol its counties while
//! the region is unreachable, and even a prefecture that misbehaves cannot
//! mint an identity elsewhere: standard path validation refuses it.
//! [`CertificateAuthority::sign`] checks the same rule first, to give the
//! operator a clear message instead of a certificate nobody accepts.
//!
//! A CA's own identity is its DNS subjectAltName `ca.<zone>`
//! (`ca.540100.540000.extranet`), which lies inside its issuer's constraint;
//! its common name (`540000/540100/ca`) is for humans.

use std::path::PathBuf;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, GeneralSubtree, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, NameConstraints, SanType, SerialNumber,
};
use rustls_pki_types::CertificateDer;

use crate::crl::{RevokedEntry, sign_crl};
use crate::csr::{CsrSubject, ca_common_name, leaf_common_name, parse_csr};
use crate::x509::{ca_dns_name, certs_pem, random_serial, serial_hex, to_asn1};
use crate::{CertError, Identity, NodeId, Role};

/// Root lifetime: a CA must outlive by far everything it signs.
pub(crate) const ROOT_LIFETIME: Duration = Duration::days(20 * 365 + 5);
/// Intermediate CA lifetime.
const CA_LIFETIME: Duration = Duration::days(10 * 365 + 2);
/// Node certificate lifetime.
const NODE_LIFETIME: Duration = Duration::days(365);
/// Operator and unit certificate lifetime.
const PERSON_LIFETIME: Duration = Duration::days(180);
/// Certificates start this long before issuance, so a peer whose clock runs
/// a little behind still accepts a certificate fresh off the CA.
pub(crate) const BACKDATE: Duration = Duration::hours(1);
/// Deepest division path (region / prefecture / county plus one spare);
/// a CA at depth d may have at most `MAX_DEPTH - d` CAs below it.
const MAX_DEPTH: usize = 4;

/// What kind of certificate to issue from a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IssueKind {
    /// A CA for a node strictly below this CA's node, confined to its subtree.
    IntermediateCa,
    /// A node of the federation (TLS server and client).
    Node,
    /// A person operating a node.
    Operator,
    /// An access unit registered at a node.
    Unit,
}

impl IssueKind {
    fn lifetime(self) -> Duration {
        match self {
            IssueKind::IntermediateCa => CA_LIFETIME,
            IssueKind::Node => NODE_LIFETIME,
            IssueKind::Operator | IssueKind::Unit => PERSON_LIFETIME,
        }
    }

    fn label(self) -> &'static str {
        match self {
            IssueKind::IntermediateCa => "中间 CA",
            IssueKind::Node => "节点",
            IssueKind::Operator => "操作员",
            IssueKind::Unit => "接入单位",
        }
    }
}

/// A certificate fresh from [`CertificateAuthority::sign`], ready to hand
/// back to the requester.
#[derive(Clone, Debug)]
pub struct IssuedCert {
    /// The new certificate alone (PEM).
    pub cert_pem: String,
    /// The new certificate followed by the issuing chain, without the root:
    /// what the holder presents in a TLS handshake.
    pub chain_pem: String,
    /// Serial number, lowercase hex: the handle for revocation.
    pub serial: String,
    /// The identity certified; `None` for an intermediate CA.
    pub identity: Option<Identity>,
    /// End of validity.
    pub not_after: DateTime<Utc>,
}

/// Mutable through `&self`: the CRL is re-signed lazily when it grows stale.
#[derive(Debug, Default)]
pub(crate) struct CrlState {
    /// Directory the CA was loaded from or last saved to.
    pub home: Option<PathBuf>,
    /// Number of the last CRL signed; CRL numbers only ever increase.
    pub number: u64,
    /// The current signed CRL (DER) and its nextUpdate.
    pub current: Option<(Vec<u8>, DateTime<Utc>)>,
}

/// A CA: its certificate, the chain above it, its key, and what it revoked.
pub struct CertificateAuthority {
    pub(crate) node: NodeId,
    /// This CA's certificate.
    pub(crate) cert: CertificateDer<'static>,
    /// Issuers above this CA, nearest first, the root last; empty for a root.
    pub(crate) issuers: Vec<CertificateDer<'static>>,
    pub(crate) key: KeyPair,
    pub(crate) not_after: DateTime<Utc>,
    pub(crate) revoked: Vec<RevokedEntry>,
    pub(crate) crl: Mutex<CrlState>,
}

impl std::fmt::Debug for CertificateAuthority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertificateAuthority")
            .field("node", &self.node)
            .field("not_after", &self.not_after)
            .field("revoked", &self.revoked.len())
            .finish_non_exhaustive()
    }
}

impl CertificateAuthority {
    /// Creates the self-signed root of the federation for its top node (the
    /// region), valid 20 years and itself confined to the top node's zone.
    pub fn create_root(top: &NodeId) -> Result<Self, CertError> {
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(CertError::crypto)?;
        let now = Utc::now();
        let not_after = now + ROOT_LIFETIME;
        let mut params = ca_params(top, &random_serial()?, now - BACKDATE, not_after)?;
        params.use_authority_key_identifier_extension = false;
        let cert = params.self_signed(&key).map_err(CertError::crypto)?;
        Ok(CertificateAuthority {
            node: top.clone(),
            cert: cert.der().clone(),
            issuers: Vec::new(),
            key,
            not_after: trunc(not_after),
            revoked: Vec::new(),
            crl: Mutex::new(CrlState::default()),
        })
    }

    /// The node whose CA this is: it may certify this node's subtree only.
    pub fn node(&self) -> &NodeId {
        &self.node
    }

    /// When this CA's own certificate expires; nothing it signs outlives it.
    pub fn not_after(&self) -> DateTime<Utc> {
        self.not_after
    }

    /// The root certificate (PEM): the trust anchor every node configures.
    pub fn root_pem(&self) -> String {
        certs_pem(std::slice::from_ref(self.issuers.last().unwrap_or(&self.cert)))
    }

    /// This CA's certificate and its issuers, excluding the root (PEM).
    /// Empty for the root itself: a peer already holds the root.
    pub fn chain_pem(&self) -> String {
        let mut chain = vec![self.cert.clone()];
        chain.extend(self.issuers.iter().cloned());
        chain.pop();
        certs_pem(&chain)
    }

    /// Serials this CA has revoked, with dates.
    pub fn revoked(&self) -> &[RevokedEntry] {
        &self.revoked
    }

    /// Issues a certificate from a request, after checking that the request
    /// names exactly one valid identity of the right kind, inside this CA's
    /// subtree: an intermediate CA only for a node strictly below this CA's
    /// node; a node, operator or unit for this node or below. Lifetimes:
    /// intermediate 10 years, node 1 year, operator/unit 180 days, each cut
    /// short at this CA's own expiry. Only the request's public key and its
    /// single identity SAN are used; subject, extensions and validity of the
    /// certificate are the CA's choice, never copied from the request.
    pub fn sign(&self, csr_pem: &str, kind: IssueKind) -> Result<IssuedCert, CertError> {
        let (subject, public_key) = parse_csr(csr_pem)?;
        let identity = self.authorise(&subject, kind)?;
        let now = Utc::now();
        if self.not_after <= now {
            return Err(CertError::CaState(format!(
                "本 CA（{}）已于 {} 过期，不能再签发证书",
                self.node, self.not_after
            )));
        }
        let not_after = (now + kind.lifetime()).min(self.not_after);
        let serial = random_serial()?;
        let params = match (&subject, &identity) {
            (CsrSubject::Ca(node), _) => ca_params(node, &serial, now - BACKDATE, not_after)?,
            (_, Some(id)) => leaf_params(id, &serial, now - BACKDATE, not_after)?,
            (CsrSubject::Leaf(_), None) => {
                return Err(CertError::CsrRejected("内部错误：终端证书缺少身份".into()));
            }
        };
        let cert = params.signed_by(&public_key, &self.issuer()?).map_err(CertError::crypto)?;
        let cert_pem = certs_pem(std::slice::from_ref(cert.der()));
        Ok(IssuedCert {
            chain_pem: format!("{cert_pem}{}", self.chain_pem()),
            cert_pem,
            serial: serial_hex(&serial),
            identity,
            not_after: trunc(not_after),
        })
    }

    /// The rcgen issuer for this CA's certificate and key.
    pub(crate) fn issuer(&self) -> Result<Issuer<'static, &KeyPair>, CertError> {
        Issuer::from_ca_cert_der(&self.cert, &self.key).map_err(CertError::crypto)
    }

    /// Signs a fresh CRL with the next CRL number.
    pub(crate) fn sign_next_crl(&self, state: &mut CrlState) -> Result<Vec<u8>, CertError> {
        let now = Utc::now();
        let der = sign_crl(&self.issuer()?, &self.revoked, state.number + 1, now)?;
        state.number += 1;
        state.current = Some((der.clone(), trunc(now + crate::crl::CRL_VALIDITY)));
        Ok(der)
    }

    /// Checks the request against the issuance rules; returns the leaf
    /// identity to certify (`None` for an intermediate CA).
    fn authorise(&self, subject: &CsrSubject, kind: IssueKind) -> Result<Option<Identity>, CertError> {
        let mine = &self.node;
        match (subject, kind) {
            (CsrSubject::Ca(node), IssueKind::IntermediateCa) if mine.is_ancestor_of(node) => Ok(None),
            (CsrSubject::Ca(node), IssueKind::IntermediateCa) => Err(CertError::OutOfSubtree(format!(
                "本 CA（{mine}）只能为其下级节点签发中间 CA，请求的节点 {node} 不在其下级"
            ))),
            (CsrSubject::Leaf(id), _) if role_matches(&id.role, kind) => {
                if id.node.is_within(mine) {
                    Ok(Some(id.clone()))
                } else {
                    Err(CertError::OutOfSubtree(format!(
                        "本 CA（{mine}）只能为本节点及其下级签发证书，请求的身份 {id} 不在其辖区"
                    )))
                }
            }
            (CsrSubject::Ca(node), _) => {
                Err(CertError::CsrRejected(format!("证书类型为{}，但请求的是节点 {node} 的 CA 身份", kind.label())))
            }
            (CsrSubject::Leaf(id), _) => {
                Err(CertError::CsrRejected(format!("证书类型为{}，但请求的身份是 {id}，两者不符", kind.label())))
            }
        }
    }
}

fn role_matches(role: &Role, kind: IssueKind) -> bool {
    matches!(
        (role, kind),
        (Role::Node, IssueKind::Node) | (Role::Operator(_), IssueKind::Operator) | (Role::Unit(_), IssueKind::Unit)
    )
}

/// Certificates carry whole seconds.
pub(crate) fn trunc(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(t)
}

/// Parameters shared by every certificate we issue.
fn base_params(
    common_name: String,
    dns_name: String,
    serial: &[u8],
    not_before: DateTime<Utc>,
    not_after: DateTime<Utc>,
) -> Result<CertificateParams, CertError> {
    let mut params = CertificateParams::default();
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, common_name);
    let san = dns_name.try_into().map_err(CertError::crypto)?;
    params.subject_alt_names = vec![SanType::DnsName(san)];
    params.serial_number = Some(SerialNumber::from_slice(serial));
    params.not_before = to_asn1(not_before)?.to_datetime();
    params.not_after = to_asn1(not_after)?.to_datetime();
    params.use_authority_key_identifier_extension = true;
    Ok(params)
}

/// A CA certificate for `node`: may sign certificates and CRLs, only inside
/// `node.dns_zone()`, with at most as many CAs below as the tree has levels.
pub(crate) fn ca_params(
    node: &NodeId,
    serial: &[u8],
    not_before: DateTime<Utc>,
    not_after: DateTime<Utc>,
) -> Result<CertificateParams, CertError> {
    let mut params = base_params(ca_common_name(node), ca_dns_name(node), serial, not_before, not_after)?;
    let below = u8::try_from(MAX_DEPTH.saturating_sub(node.depth())).unwrap_or(0);
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(below));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    params.name_constraints = Some(NameConstraints {
        permitted_subtrees: vec![GeneralSubtree::DnsName(node.dns_zone())],
        excluded_subtrees: Vec::new(),
    });
    Ok(params)
}

/// A leaf for `identity`: both TLS server and client, since a node is both
/// and an operator's CLI only ever acts as a client.
pub(crate) fn leaf_params(
    identity: &Identity,
    serial: &[u8],
    not_before: DateTime<Utc>,
    not_after: DateTime<Utc>,
) -> Result<CertificateParams, CertError> {
    let mut params = base_params(leaf_common_name(identity), identity.dns_name(), serial, not_before, not_after)?;
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth, ExtendedKeyUsagePurpose::ClientAuth];
    Ok(params)
}
