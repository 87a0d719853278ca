//! Certificate revocation lists: what a CA signs to withdraw certificates it
//! issued, and what every node reads to refuse them.
//!
//! CRLs travel down the federation like any other notice (route `down`), so
//! a county learns of a revocation decided at the region without asking.

use chrono::{DateTime, Duration, Utc};
use rcgen::{CertificateRevocationListParams, Issuer, KeyIdMethod, RevokedCertParams, SerialNumber};
use serde::{Deserialize, Serialize};

use crate::CertError;
use crate::x509::{parse_serial, serial_hex, to_asn1, to_chrono};

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
