//! Prefixes as operators type them, and the length policy they must meet.

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use crate::error::{DomainError, Result};

/// Parses an operator-typed prefix such as `2408:8000::/32`. A prefix with
/// host bits set is refused rather than silently truncated: the operator
/// probably meant something else.
pub fn parse_prefix(field: &'static str, text: &str) -> Result<IpNet> {
    let t = text.trim();
    let net: IpNet = t
        .parse()
        .map_err(|_| DomainError::invalid(field, format!("“{t}” 不是 CIDR 格式的前缀，例如 2408:8000::/32")))?;
    if net.trunc() != net {
        return Err(DomainError::invalid(field, format!("“{t}” 的主机位不为零；网络前缀应写作 {}", net.trunc())));
    }
    Ok(net)
}

/// Number of addresses in `net`, saturating at `u128::MAX` for `::/0`.
pub fn size_of(net: &IpNet) -> u128 {
    let bits = u32::from(net.max_prefix_len() - net.prefix_len());
    1u128.checked_shl(bits).unwrap_or(u128::MAX)
}

/// An inclusive range of allowed prefix lengths.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct LenRange {
    /// Shortest allowed length (largest block).
    pub min: u8,
    /// Longest allowed length (smallest block).
    pub max: u8,
}

impl LenRange {
    /// Refuses `len` outside the range, naming `field`.
    pub fn check(&self, field: &'static str, len: u8) -> Result<()> {
        if len < self.min || len > self.max {
            return Err(DomainError::invalid(
                field,
                format!("前缀长度 /{len} 不符合策略：只允许 /{} 至 /{}", self.min, self.max),
            ));
        }
        Ok(())
    }
}

/// The address plan's rules at one node (地址规划策略). The defaults fit a
/// region holding an IPv6 /32: /40 per prefecture, /48 per county, /64 per
/// assignment (a /56 allowed by policy).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    /// IPv6 delegation length for a child at each tier below the region:
    /// index 0 = prefectures, 1 = counties.
    pub delegation_v6: Vec<u8>,
    /// IPv4 delegation length per tier, as above.
    pub delegation_v4: Vec<u8>,
    /// Allowed IPv6 assignment lengths.
    pub assign_v6: LenRange,
    /// Default IPv6 assignment length.
    pub assign_v6_default: u8,
    /// Allowed IPv4 assignment lengths.
    pub assign_v4: LenRange,
    /// Default IPv4 assignment length.
    pub assign_v4_default: u8,
    /// How long freed space stays in quarantine before reuse, ms.
    pub quarantine_ms: i64,
    /// Longest prefix a parent grants automatically when asked for more space.
    pub auto_grant_v6_max_len: u8,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            delegation_v6: vec![40, 48],
            delegation_v4: vec![20, 24],
            assign_v6: LenRange { min: 56, max: 64 },
            assign_v6_default: 64,
            assign_v4: LenRange { min: 24, max: 32 },
            assign_v4_default: 28,
            quarantine_ms: 7 * 24 * 3600 * 1000,
            auto_grant_v6_max_len: 48,
        }
    }
}

impl Policy {
    /// The delegation length for a child at `depth` (2 = prefecture), for
    /// the family of `v6`; `None` when the plan has no such tier.
    pub fn delegation_len(&self, depth: usize, v6: bool) -> Option<u8> {
        let tiers = if v6 { &self.delegation_v6 } else { &self.delegation_v4 };
        depth.checked_sub(2).and_then(|i| tiers.get(i)).copied()
    }

    /// The allowed assignment lengths for a family.
    pub fn assign_range(&self, v6: bool) -> LenRange {
        if v6 { self.assign_v6 } else { self.assign_v4 }
    }

    /// The default assignment length for a family.
    pub fn assign_default(&self, v6: bool) -> u8 {
        if v6 { self.assign_v6_default } else { self.assign_v4_default }
    }
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn host_bits_are_refused_with_the_field_named() {
        let e = parse_prefix("prefix", "2408:8000::1/32").unwrap_err().to_string();
        assert!(e.contains("prefix") && e.contains("主机位"), "{e}");
        assert!(parse_prefix("prefix", "not-a-prefix").unwrap_err().to_string().contains("CIDR"));
        assert_eq!(parse_prefix("prefix", " 2408:8000::/32 ").unwrap().to_string(), "2408:8000::/32");
    }

    #[test]
    fn length_policy_names_the_rule() {
        let p = Policy::default();
        assert!(p.assign_range(true).check("length", 64).is_ok());
        let e = p.assign_range(true).check("length", 48).unwrap_err().to_string();
        assert!(e.contains("length") && e.contains("/56"), "{e}");
        assert_eq!(p.delegation_len(2, true), Some(40));
        assert_eq!(p.delegation_len(3, true), Some(48));
        assert_eq!(p.delegation_len(4, true), None);
    }

    #[test]
    fn sizes_saturate() {
        assert_eq!(size_of(&"10.0.0.0/24".parse().unwrap()), 256);
        assert_eq!(size_of(&"::/0".parse().unwrap()), u128::MAX);
    }
}
