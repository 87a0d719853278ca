//! Certificate revocation lists: what a CA signs to withdraw certificates it
//! issued, and what every node reads to refuse them.
//!
//! CRLs travel down the federation like any other notice (route `down`), so
//! a county learns of a revocation decided at the region without asking.

use chrono::{DateTime, Duration, Utc};
use rcgen::{CertificateRevocationListParams, Issuer, KeyIdMethod, RevokedCertParams, SerialNumber};
use serde::{Deserialize, Serialize};

use crate::x509::{ca_node, parse_cert, parse_serial, serial_hex, to_asn1, to_chrono};
use crate::{CertError, NodeId};

/// How long a CRL says it is current. Verifiers here do not reject a CRL
/// past this date (a county cut off for weeks keeps its last list rather
/// than none); the CA re-signs once half of it has elapsed.
pub(crate) const CRL_VALIDITY: Duration = Duration::days(30);

/// One certificate this CA has revoked, as kept in `revoked.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevokedEntry {
    /// Serial number, canonical lowercase hex.
    pub serial: String,
    /// When the CA processed the revocation.
    pub revoked_at: DateTime<Utc>,
}

/// Signs a CRL listing `revoked`, numbered `number`, current from `now`.
pub(crate) fn sign_crl(
    issuer: &Issuer<'_, &rcgen::KeyPair>,
    revoked: &[RevokedEntry],
    number: u64,
    now: DateTime<Utc>,
) -> Result<Vec<u8>, CertError> {
    let revoked_certs = revoked
        .iter()
        .map(|r| {
            let (_, bytes) = parse_serial(&r.serial)?;
            Ok(RevokedCertParams {
                serial_number: SerialNumber::from_slice(&bytes),
                revocation_time: to_asn1(r.revoked_at)?.to_datetime(),
                reason_code: None,
                invalidity_date: None,
            })
        })
        .collect::<Result<Vec<_>, CertError>>()?;
    let number_bytes = number.to_be_bytes();
    let first = number_bytes.iter().position(|b| *b != 0).unwrap_or(number_bytes.len() - 1);
    let params = CertificateRevocationListParams {
        this_update: to_asn1(now)?.to_datetime(),
        next_update: to_asn1(now + CRL_VALIDITY)?.to_datetime(),
        crl_number: SerialNumber::from_slice(&number_bytes[first..]),
        issuing_distribution_point: None,
        revoked_certs,
        key_identifier_method: KeyIdMethod::Sha256,
    };
    let crl = params.signed_by(issuer).map_err(CertError::crypto)?;
    Ok(crl.der().to_vec())
}

/// What a node needs to know about a CRL it holds.
#[derive(Clone, Debug)]
pub(crate) struct CrlSummary {
    /// The issuer's distinguished name, DER.
    pub issuer: Vec<u8>,
    /// Serials listed, canonical hex.
    pub serials: Vec<String>,
    /// The CRL's own sequence number.
    pub number: u64,
    /// When the issuer promised a newer list.
    pub next_update: Option<DateTime<Utc>>,
}

/// Parses a DER CRL (signature is checked later, by the TLS verifier,
/// against the issuing CA in the peer's chain).
pub(crate) fn summarize_crl(der: &[u8]) -> Result<CrlSummary, CertError> {
    let (_, crl) = x509_parser::parse_x509_crl(der)
        .map_err(|e| CertError::malformed("证书吊销列表（CRL）", format!("不是有效的 DER CRL（{e}）")))?;
    let number = crl.crl_number().and_then(|n| u64::try_from(n).ok()).unwrap_or_default();
    Ok(CrlSummary {
        issuer: crl.issuer().as_raw().to_vec(),
        serials: crl.iter_revoked_certificates().map(|r| serial_hex(r.raw_serial())).collect(),
        number,
        next_update: crl.next_update().map(to_chrono),
    })
}

/// Of several CRLs from the same issuer keeps only the newest (highest CRL
/// number): a verifier consults the first CRL whose issuer matches, so a
/// stale one must not shadow the current one. Returns the CRLs kept and the
/// union of the serials they list.
pub(crate) fn latest_per_issuer(
    crls_der: Vec<Vec<u8>>,
) -> Result<(Vec<Vec<u8>>, std::collections::HashSet<String>), CertError> {
    let mut latest: std::collections::HashMap<Vec<u8>, (CrlSummary, Vec<u8>)> = std::collections::HashMap::new();
    for der in crls_der {
        let summary = summarize_crl(&der)?;
        let newer = latest.get(&summary.issuer).is_none_or(|(held, _)| summary.number > held.number);
        if newer {
            latest.insert(summary.issuer.clone(), (summary, der));
        }
    }
    let serials = latest.values().flat_map(|(s, _)| s.serials.iter().cloned()).collect();
    Ok((latest.into_values().map(|(_, der)| der).collect(), serials))
}

/// Checks the signature of a CRL whose issuer is one of `cas` (the CAs we
/// hold certificates for). A CRL from an issuer we do not hold is left to
/// the TLS verifier, which checks it against the peer's chain.
pub(crate) fn check_known_issuer(der: &[u8], cas: &[rustls_pki_types::CertificateDer<'_>]) -> Result<(), CertError> {
    let (_, crl) = x509_parser::parse_x509_crl(der)
        .map_err(|e| CertError::malformed("证书吊销列表（CRL）", format!("不是有效的 DER CRL（{e}）")))?;
    for ca in cas {
        let ca = crate::x509::parse_cert(ca, "CA 证书")?;
        if ca.subject().as_raw() == crl.issuer().as_raw() && crl.verify_signature(ca.public_key()).is_err() {
            return Err(CertError::malformed(
                "证书吊销列表（CRL）",
                format!("签名与签发者 “{}” 的公钥不符：CRL 须由其签发 CA 签名", ca.subject()),
            ));
        }
    }
    Ok(())
}

/// Checks that `der` may replace `held` as the revocation list of `issuer`'s
/// CA, before anything is stored: it must be a CRL signed by that CA (one of
/// `cas`, the CA certificates we hold: our chain's intermediates and the
/// root) and carry a CRL number strictly higher than the held list's. An
/// unchecked list could be garbage (and stop the node at its next start) or
/// an older, validly signed list that undoes newer revocations. A held list
/// that does not parse counts as number 0. Returns the new list's number.
pub(crate) fn check_update(
    cas: &[rustls_pki_types::CertificateDer<'_>],
    issuer: &NodeId,
    der: &[u8],
    held: Option<&[u8]>,
) -> Result<u64, CertError> {
    const WHAT: &str = "证书吊销列表（CRL）";
    let (_, crl) = x509_parser::parse_x509_crl(der)
        .map_err(|e| CertError::malformed(WHAT, format!("不是有效的 DER CRL（{e}）")))?;
    let ca = cas
        .iter()
        .filter_map(|c| parse_cert(c, "CA 证书").ok())
        .find(|c| c.subject().as_raw() == crl.issuer().as_raw() && ca_node(c).is_ok_and(|n| &n == issuer))
        .ok_or_else(|| {
            CertError::malformed(
                WHAT,
                format!("签发者不是节点 {issuer} 的 CA（或本机未持有该 CA 的证书），无法验证其签名"),
            )
        })?;
    crl.verify_signature(ca.public_key())
        .map_err(|_| CertError::malformed(WHAT, format!("签名与节点 {issuer} 的 CA 公钥不符")))?;
    let number = crl
        .crl_number()
        .and_then(|n| u64::try_from(n).ok())
        .ok_or_else(|| CertError::malformed(WHAT, "缺少 CRL 编号（cRLNumber），无法判断新旧"))?;
    let held_number = held.and_then(|h| summarize_crl(h).ok()).map_or(0, |h| h.number);
    if held.is_some() && number <= held_number {
        return Err(CertError::malformed(
            WHAT,
            format!("CRL 编号 {number} 不高于本机已持有的 {held_number}：旧列表不能替换新列表"),
        ));
    }
    Ok(number)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CertificateAuthority;

    fn region() -> NodeId {
        NodeId::parse("540000").unwrap()
    }

    #[test]
    fn an_update_must_be_signed_by_the_issuers_ca_and_newer() {
        let mut ca = CertificateAuthority::create_root(&region()).unwrap();
        let cas = [ca.cert.clone()];
        let older = ca.revoke("0a").unwrap();
        let newer = ca.revoke("0b").unwrap();
        let n_old = check_update(&cas, &region(), &older, None).unwrap();
        assert_eq!(check_update(&cas, &region(), &newer, Some(&older)).unwrap(), n_old + 1);
        // An older, validly signed list does not replace a newer one; nor does the same one again.
        let e = check_update(&cas, &region(), &older, Some(&newer)).unwrap_err().to_string();
        assert!(e.contains("不高于"), "{e}");
        assert!(check_update(&cas, &region(), &newer, Some(&newer)).is_err());
        // Garbage, and a list naming another CA, are refused.
        assert!(check_update(&cas, &region(), b"not a crl", None).unwrap_err().to_string().contains("DER"));
        let other = NodeId::parse("540000/540100").unwrap();
        assert!(check_update(&cas, &other, &newer, None).is_err());
    }

    #[test]
    fn a_list_forged_under_the_same_name_is_refused() {
        let ca = CertificateAuthority::create_root(&region()).unwrap();
        let mut forger = CertificateAuthority::create_root(&region()).unwrap();
        let forged = forger.revoke("0a").unwrap();
        let e = check_update(std::slice::from_ref(&ca.cert), &region(), &forged, None).unwrap_err().to_string();
        assert!(e.contains("签名"), "{e}");
    }
}
