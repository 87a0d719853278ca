//! Every event kind string carries its payload's format version
//! (`filing.v1`, `access.v2`, …). A kind this build knows by name but in a
//! newer version than it reads came from an upgraded peer: it must be kept
//! and reported as not applied (`store/unapplied.rs`), never read as the
//! version this build knows.

/// Every event kind this build reads, newest version of each name last.
pub const KNOWN_KINDS: &[&str] = &[
    super::KIND_FILING,
    super::KIND_RECEIPT,
    super::KIND_CRL,
    super::KIND_CALENDAR,
    super::KIND_CALENDAR_LOCAL,
    super::KIND_ACCESS_V1,
    super::KIND_ACCESS,
    super::KIND_ACCESS_SUMMARY_V1,
    super::KIND_ACCESS_SUMMARY,
    super::KIND_IPAM_DELEGATION,
    super::KIND_IPAM_ASSIGNMENT,
    super::KIND_IPAM_REQUEST,
    super::KIND_IPAM_DECISION,
    super::KIND_FAULT,
    super::KIND_INTERRUPTION,
    super::KIND_APPROVAL,
    super::KIND_ORDER,
    super::KIND_INCIDENT,
    super::KIND_CIRCULAR,
    super::KIND_INSPECTION,
    super::KIND_INSPECTION_RESPONSE,
    super::KIND_PRIVATE_NETWORK,
];

/// A kind's name and version: `access.summary.v2` → (`access.summary`, 2).
pub fn split_kind(kind: &str) -> Option<(&str, u32)> {
    let (name, v) = kind.rsplit_once(".v")?;
    Some((name, v.parse().ok()?))
}

/// Why an event of `kind` is not applied if its name is known here in an
/// older version only (Chinese, naming both versions); `None` for a known
/// kind or a name this build has never heard of.
pub fn newer_kind(kind: &str) -> Option<String> {
    let (name, found) = split_kind(kind)?;
    let known = KNOWN_KINDS.iter().filter_map(|k| split_kind(k)).filter(|(n, _)| *n == name).map(|(_, v)| v).max()?;
    (found > known).then(|| {
        format!("事件类型 {kind} 的格式版本 {found} 高于本节点能读取的版本 {known}：已保存并转发，升级本节点后方可应用")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kind_of_a_newer_version_is_told_apart_from_known_and_unknown_kinds() {
        assert_eq!(split_kind("access.summary.v2"), Some(("access.summary", 2)));
        for k in KNOWN_KINDS {
            assert_eq!(newer_kind(k), None, "{k}");
        }
        let e = newer_kind("access.v3").unwrap();
        assert!(e.contains("access.v3") && e.contains("版本 3") && e.contains("版本 2"), "{e}");
        assert!(newer_kind("filing.v2").is_some());
        assert_eq!(newer_kind("survey.v1"), None, "a name never heard of is not a newer version");
        assert!(newer_kind("fault.v2").is_some() && newer_kind("interruption.v2").is_some());
        assert!(newer_kind("order.v2").is_some());
        assert!(newer_kind("private-network.v2").is_some());
        assert!(newer_kind("incident.v2").is_some() && newer_kind("circular.v2").is_some());
    }
}
