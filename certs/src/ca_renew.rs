//! Renewing a CA without changing its key.
//!
//! A CA must outlive what it signs, and is renewed over the federation link
//! long before it expires (design lessons: SPIRE #7199, Karmada #4787). The
//! key stays the same on purpose: certificates issued under the old CA
//! certificate, and CRLs signed before or after, all keep verifying, because
//! path validation matches issuers by name and key, which do not change.

use chrono::Utc;

use crate::CertError;
use crate::ca::{BACKDATE, CertificateAuthority, ROOT_LIFETIME, ca_params, trunc};
use crate::csr::{ca_common_name, csr_for_key};
use crate::x509::{ca_dns_name, parse_cert, parse_cert_pems, random_serial, serial_hex};

impl CertificateAuthority {
    /// Serial of this CA's own certificate (lowercase hex): the handle by
    /// which its issuer revokes it.
    pub fn serial(&self) -> String {
        parse_cert(&self.cert, "CA 证书").map(|c| serial_hex(c.raw_serial())).unwrap_or_default()
    }

    /// A request (CSR PEM) to renew this CA's certificate with its existing
    /// key; the issuer signs it with [`crate::IssueKind::IntermediateCa`].
    pub fn renewal_request(&self) -> Result<String, CertError> {
        csr_for_key(&self.key, ca_dns_name(&self.node), ca_common_name(&self.node))
    }

    /// Installs the renewed certificate for this CA: `chain_pem` as returned
    /// by the issuer (this CA first, without the root) and the root. The key,
    /// the node and the trust anchor must be unchanged; revocations and CRL
    /// numbering carry over. Persisted if the CA has a directory.
    pub fn install_renewal(&mut self, chain_pem: &str, root_pem: &str) -> Result<(), CertError> {
        let renewed = Self::from_issued(&self.key.serialize_pem(), chain_pem, root_pem)?;
        if renewed.node != self.node {
            return Err(CertError::CaState(format!(
                "续期证书属于节点 {}，而本 CA 属于节点 {}",
                renewed.node, self.node
            )));
        }
        let old_root = parse_cert_pems(&self.root_pem(), "根证书")?;
        let new_root = parse_cert_pems(root_pem, "根证书")?;
        if !same_anchor(&old_root[0], &new_root[0])? {
            return Err(CertError::CaState("续期证书链通向另一个根证书：信任锚不能在续期时更换".into()));
        }
        self.cert = renewed.cert;
        self.issuers = renewed.issuers;
        self.not_after = renewed.not_after;
        self.persist_if_homed()
    }

    /// Re-signs the root certificate with its own key for another 20 years.
    /// Nodes still holding the old root certificate keep accepting everything,
    /// since a trust anchor is its name and key.
    pub fn renew_root(&mut self) -> Result<(), CertError> {
        if !self.issuers.is_empty() {
            return Err(CertError::CaState(format!("本 CA（{}）不是根 CA：中间 CA 须由上级签发续期证书", self.node)));
        }
        let now = Utc::now();
        let not_after = now + ROOT_LIFETIME;
        let mut params = ca_params(&self.node, &random_serial()?, now - BACKDATE, not_after)?;
        params.use_authority_key_identifier_extension = false;
        let cert = params.self_signed(&self.key).map_err(CertError::crypto)?;
        self.cert = cert.der().clone();
        self.not_after = trunc(not_after);
        self.persist_if_homed()
    }

    fn persist_if_homed(&self) -> Result<(), CertError> {
        let home = self.crl_state().home.clone();
        match home {
            Some(dir) => self.save(&dir),
            None => Ok(()),
        }
    }
}

/// Two root certificates are the same trust anchor if subject and key match.
fn same_anchor(a: &[u8], b: &[u8]) -> Result<bool, CertError> {
    let (a, b) = (parse_cert(a, "根证书")?, parse_cert(b, "根证书")?);
    Ok(a.subject().as_raw() == b.subject().as_raw() && a.public_key().raw == b.public_key().raw)
}
