//! Small X.509 helpers shared by the CA, the TLS material and inspection:
//! PEM in and out, serial numbers, times, and reading identities from SANs.

use chrono::{DateTime, Utc};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::GeneralName;
use x509_parser::time::ASN1Time;

use crate::{CertError, Identity, NodeId};

/// First label of the DNS SAN that names a CA: `ca.540100.540000.extranet`.
const CA_LABEL: &str = "ca";

/// Parses every certificate of a PEM bundle; at least one must be present.
pub(crate) fn parse_cert_pems(pem: &str, what: &str) -> Result<Vec<CertificateDer<'static>>, CertError> {
    let certs = CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| CertError::malformed(what, format!("PEM 格式错误（{e}）")))?;
    if certs.is_empty() {
        return Err(CertError::malformed(what, "未找到任何 CERTIFICATE 块"));
    }
    for der in &certs {
        parse_cert(der, what)?;
    }
    Ok(certs)
}

/// Parses one DER certificate with x509-parser.
pub(crate) fn parse_cert<'a>(der: &'a [u8], what: &str) -> Result<X509Certificate<'a>, CertError> {
    x509_parser::parse_x509_certificate(der)
        .map(|(_, c)| c)
        .map_err(|e| CertError::malformed(what, format!("不是有效的 X.509 证书（{e}）")))
}

/// Encodes DER as a PEM block with the given label (`CERTIFICATE`,
/// `X509 CRL`): CRLs and certificates travel as DER, files and operators
/// want PEM.
pub fn pem_encode(label: &str, der: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut b64 = String::with_capacity(der.len().div_ceil(3) * 4);
    for chunk in der.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                b64.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                b64.push('=');
            }
        }
    }
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// PEM of a sequence of certificates, in order.
pub(crate) fn certs_pem(certs: &[CertificateDer<'_>]) -> String {
    certs.iter().map(|c| pem_encode("CERTIFICATE", c)).collect()
}

/// Canonical text of a serial number: lowercase hex of its magnitude, without
/// leading zero bytes (DER may add one to keep the integer positive).
pub(crate) fn serial_hex(raw: &[u8]) -> String {
    let start = raw.iter().position(|b| *b != 0).unwrap_or(raw.len().saturating_sub(1));
    raw[start..].iter().map(|b| format!("{b:02x}")).collect()
}

/// Accepts a serial as an operator types it (`AB:cd:01`, `abcd01`) and
/// returns its canonical form and bytes.
pub(crate) fn parse_serial(input: &str) -> Result<(String, Vec<u8>), CertError> {
    let bad = || CertError::InvalidSerial(input.to_string());
    let digits: String = input.trim().chars().filter(|c| *c != ':').collect();
    if digits.is_empty() || digits.len() > 40 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad());
    }
    let padded = if digits.len() % 2 == 1 { format!("0{digits}") } else { digits };
    let bytes = (0..padded.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&padded[i..i + 2], 16).map_err(|_| bad()))
        .collect::<Result<Vec<u8>, _>>()?;
    let canon = serial_hex(&bytes);
    if canon.is_empty() || canon.chars().all(|c| c == '0') {
        return Err(bad());
    }
    Ok((canon, bytes))
}

/// A fresh random serial: 20 bytes, positive, never a leading zero byte, so
/// its DER encoding and [`serial_hex`] are exactly these 20 bytes.
pub(crate) fn random_serial() -> Result<Vec<u8>, CertError> {
    let mut bytes = vec![0u8; 20];
    rustls::crypto::ring::default_provider()
        .secure_random
        .fill(&mut bytes)
        .map_err(|_| CertError::Crypto("系统随机数发生器不可用".into()))?;
    bytes[0] = (bytes[0] & 0x3f) | 0x40;
    Ok(bytes)
}

/// An X.509 time as chrono.
pub(crate) fn to_chrono(t: ASN1Time) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// A chrono time as an X.509 time (rcgen takes the `time` crate's type, which
/// `ASN1Time::to_datetime` yields).
pub(crate) fn to_asn1(t: DateTime<Utc>) -> Result<ASN1Time, CertError> {
    ASN1Time::from_timestamp(t.timestamp())
        .map_err(|e| CertError::Crypto(format!("时间 {t} 超出证书可表示范围（{e}）")))
}

/// Every DNS name in the certificate's subjectAltName.
pub(crate) fn dns_sans(cert: &X509Certificate<'_>) -> Vec<String> {
    let Ok(Some(san)) = cert.subject_alternative_name() else {
        return Vec::new();
    };
    san.value
        .general_names
        .iter()
        .filter_map(|n| match n {
            GeneralName::DNSName(d) => Some(d.to_string()),
            _ => None,
        })
        .collect()
}

/// The identity of a leaf certificate: exactly one SAN, a DNS name of this
/// federation's format. Anything else is not one of ours.
pub(crate) fn leaf_identity(cert: &X509Certificate<'_>) -> Result<Identity, CertError> {
    let sans = dns_sans(cert);
    match sans.as_slice() {
        [one] => Ok(Identity::from_dns_name(one)?),
        _ => Err(CertError::InvalidIdentity(format!(
            "证书 “{}” 的 subjectAltName 须恰好包含一个身份 DNS 名称，实际为 {sans:?}",
            cert.subject()
        ))),
    }
}

/// The DNS SAN that names the CA of `node`: `ca.<zone>`.
pub(crate) fn ca_dns_name(node: &NodeId) -> String {
    format!("{CA_LABEL}.{}", node.dns_zone())
}

/// Inverse of [`ca_dns_name`].
pub(crate) fn parse_ca_dns_name(name: &str) -> Result<NodeId, CertError> {
    let zone = name
        .strip_prefix(&format!("{CA_LABEL}."))
        .ok_or_else(|| CertError::InvalidIdentity(format!("CA 身份 “{name}” 无效：须以 “{CA_LABEL}.” 开头")))?;
    // Reuse the identity parser for the zone: `node.<zone>` names the same node.
    Ok(Identity::from_dns_name(&format!("node.{zone}"))?.node)
}

/// The node a CA certificate belongs to, from its single `ca.<zone>` SAN.
pub(crate) fn ca_node(cert: &X509Certificate<'_>) -> Result<NodeId, CertError> {
    let sans = dns_sans(cert);
    match sans.as_slice() {
        [one] => parse_ca_dns_name(one),
        _ => Err(CertError::InvalidIdentity(format!(
            "CA 证书 “{}” 的 subjectAltName 须恰好包含一个 ca.<区划域> 名称，实际为 {sans:?}",
            cert.subject()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_normalise() {
        assert_eq!(parse_serial("00:AB:cd").unwrap().0, "abcd");
        assert_eq!(parse_serial("abc").unwrap().0, "0abc");
        assert!(parse_serial("xyz").is_err() && parse_serial("").is_err() && parse_serial("00").is_err());
        assert_eq!(serial_hex(&[0, 0x80, 1]), "8001");
        let s = random_serial().unwrap();
        assert_eq!(serial_hex(&s).len(), 40);
    }

    #[test]
    fn pem_roundtrip() {
        for len in 1..8 {
            let der: Vec<u8> = (0..len as u8).map(|b| b.wrapping_mul(37)).collect();
            let pem = pem_encode("CERTIFICATE", &der);
            let back: Vec<CertificateDer<'_>> =
                CertificateDer::pem_slice_iter(pem.as_bytes()).collect::<Result<_, _>>().unwrap();
            assert_eq!(back[0].as_ref(), der.as_slice());
        }
        let node = NodeId::parse("540000/540100").unwrap();
        assert_eq!(parse_ca_dns_name(&ca_dns_name(&node)).unwrap(), node);
    }
}
