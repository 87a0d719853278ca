//! Reading certificates back for people: what `extranet cert show` prints,
//! and the early warnings that keep a CA from expiring under a running
//! federation (SPIRE #7199, Karmada #4787: expired intermediates took whole
//! systems down).

use chrono::{DateTime, Duration, Utc};
use x509_parser::extensions::GeneralName;

use crate::x509::{leaf_identity, parse_cert, parse_cert_pems, serial_hex, to_chrono};
use crate::{CertError, Identity};

/// Warn this long before a leaf (node, operator, unit) certificate expires.
const LEAF_WARNING: Duration = Duration::days(30);
/// Warn this long before a CA certificate expires: renewing a CA goes over
/// the federation link and may wait for a partition to heal.
const CA_WARNING: Duration = Duration::days(365);

/// What an operator needs to know about one certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertInfo {
    /// Subject distinguished name, RFC 4514 text.
    pub subject: String,
    /// Issuer distinguished name.
    pub issuer: String,
    /// The federation identity a leaf carries; `None` for a CA or a foreign cert.
    pub identity: Option<Identity>,
    /// Whether it may sign certificates.
    pub is_ca: bool,
    /// Serial number, lowercase hex (the handle for revocation).
    pub serial: String,
    /// Start of validity.
    pub not_before: DateTime<Utc>,
    /// End of validity.
    pub not_after: DateTime<Utc>,
    /// DNS subtrees a CA is confined to (its name constraints).
    pub permitted_subtrees: Vec<String>,
}

/// Describes every certificate of a PEM bundle, in file order.
pub fn inspect_chain_pem(pem: &str) -> Result<Vec<CertInfo>, CertError> {
    parse_cert_pems(pem, "证书")?.iter().map(|der| cert_info(der)).collect()
}

/// Describes one DER certificate.
pub fn cert_info(der: &[u8]) -> Result<CertInfo, CertError> {
    let cert = parse_cert(der, "证书")?;
    let permitted_subtrees = match cert.name_constraints() {
        Ok(Some(nc)) => nc
            .value
            .permitted_subtrees
            .iter()
            .flatten()
            .filter_map(|s| match &s.base {
                GeneralName::DNSName(d) => Some(d.to_string()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    Ok(CertInfo {
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        identity: if cert.is_ca() { None } else { leaf_identity(&cert).ok() },
        is_ca: cert.is_ca(),
        serial: serial_hex(cert.raw_serial()),
        not_before: to_chrono(cert.validity().not_before),
        not_after: to_chrono(cert.validity().not_after),
        permitted_subtrees,
    })
}

/// Chinese warnings for certificates that have expired, are not yet valid,
/// or expire soon: a leaf within 30 days, a CA within 365 days.
pub fn expiry_warnings(chain: &[CertInfo], now: DateTime<Utc>) -> Vec<String> {
    chain.iter().filter_map(|c| warning(c, now)).collect()
}

fn warning(c: &CertInfo, now: DateTime<Utc>) -> Option<String> {
    let kind = if c.is_ca { "CA 证书" } else { "证书" };
    let who = match &c.identity {
        Some(id) => format!("{kind}（{id}，序列号 {}）", c.serial),
        None => format!("{kind}（{}，序列号 {}）", c.subject, c.serial),
    };
    let date = c.not_after.format("%Y-%m-%d %H:%M UTC");
    if c.not_after <= now {
        return Some(format!("已过期：{who} 已于 {date} 过期，使用它的连接将被拒绝，须立即重新签发"));
    }
    if c.not_before > now {
        let from = c.not_before.format("%Y-%m-%d %H:%M UTC");
        return Some(format!("尚未生效：{who} 自 {from} 起才生效，请检查本机时钟"));
    }
    let (window, advice) = if c.is_ca {
        (CA_WARNING, "CA 须提前一年通过联邦链路向上级申请续期")
    } else {
        (LEAF_WARNING, "请尽快申请新证书")
    };
    let left = c.not_after - now;
    (left <= window).then(|| format!("即将过期：{who} 将于 {date} 过期（剩余 {} 天），{advice}", left.num_days()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(is_ca: bool, not_after: DateTime<Utc>) -> CertInfo {
        CertInfo {
            subject: "CN=x".into(),
            issuer: "CN=y".into(),
            identity: None,
            is_ca,
            serial: "01".into(),
            not_before: not_after - Duration::days(3650),
            not_after,
            permitted_subtrees: Vec::new(),
        }
    }

    #[test]
    fn warns_by_kind_and_distance() {
        let now = Utc::now();
        let w = expiry_warnings(
            &[
                info(false, now + Duration::days(20)),
                info(false, now + Duration::days(40)),
                info(true, now + Duration::days(300)),
                info(true, now + Duration::days(400)),
                info(false, now - Duration::days(1)),
            ],
            now,
        );
        assert_eq!(w.len(), 3, "{w:?}");
        assert!(w[0].starts_with("即将过期") && (w[0].contains("19 天") || w[0].contains("20 天")));
        assert!(w[1].contains("CA 证书") && w[1].contains("续期"));
        assert!(w[2].starts_with("已过期"));
    }
}
