//! Which authority decides an application (Art.15), as a table of rules
//! tried in order; the first that applies names the competent node.
//!
//! 第十五条：接入单位按照属地管理原则，向本级政务外网主管部门申请接入政务外网。
//! 接入需求同时涉及自治区、地(市)及以下单位的……向自治区级政务外网主管部门申请；
//! 同时涉及地(市)及以下单位的……向地(市)级政务外网主管部门申请；乡镇及以下单位
//! 向县级政务外网主管部门申请；其中自治区垂直管理单位由其自治区级主管部门向
//! 自治区级政务外网主管部门申请。

use extranet_ids::NodeId;
use serde::{Deserialize, Serialize};

use crate::choices;
use crate::error::{DomainError, Result};

/// How far an application's access reaches (接入需求涉及的范围).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum AccessSpan {
    /// Only the applicant's own level (本级).
    Local,
    /// Units of a prefecture and below it (同时涉及地(市)及以下单位).
    PrefectureAndBelow,
    /// Units of the region and of prefectures or below (同时涉及自治区、地(市)及以下单位).
    RegionAndBelow,
}

impl AccessSpan {
    /// Chinese description.
    pub fn zh(self) -> &'static str {
        match self {
            AccessSpan::Local => "仅本级",
            AccessSpan::PrefectureAndBelow => "同时涉及地(市)及以下单位",
            AccessSpan::RegionAndBelow => "同时涉及自治区、地(市)及以下单位",
        }
    }
}

choices!(AccessSpan { Local = "local", PrefectureAndBelow = "prefecture", RegionAndBelow = "region" });

/// What Art.15 needs to know about an application.
#[derive(Clone, Debug)]
pub struct RoutingInput {
    /// The division the applicant sits in.
    pub division: NodeId,
    /// The applicant is a township-level or lower unit.
    pub township: bool,
    /// The applicant is vertically managed by a region-level department.
    pub vertically_managed: bool,
    /// How far the access reaches.
    pub span: AccessSpan,
}

/// Which clause of Art.15 decided.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum Art15Case {
    /// 自治区垂直管理单位 → the region, through its region-level department.
    VerticallyManaged,
    /// Spanning the region and prefectures or below → the region.
    SpansRegion,
    /// Spanning a prefecture and below → that prefecture.
    SpansPrefecture,
    /// Township and below → the county.
    Township,
    /// Everything else → its own level by locality (属地).
    Locality,
}

/// The competent authority and why.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct RoutingDecision {
    /// The node that must decide.
    pub competent: NodeId,
    /// The clause that applied.
    pub case: Art15Case,
    /// The reason, in Chinese, for the applicant and operators.
    pub reason: String,
}

struct Rule {
    case: Art15Case,
    applies: fn(&RoutingInput) -> bool,
    authority: fn(&RoutingInput) -> Result<NodeId>,
    reason: &'static str,
}

/// Art.15, in the order its clauses take precedence: the vertically-managed
/// exception first, then the widest span, then township, then locality.
const RULES: [Rule; 5] = [
    Rule {
        case: Art15Case::VerticallyManaged,
        applies: |i| i.vertically_managed,
        authority: |i| Ok(region_of(&i.division)),
        reason: "自治区垂直管理单位由其自治区级主管部门向自治区级政务外网主管部门申请",
    },
    Rule {
        case: Art15Case::SpansRegion,
        applies: |i| i.span == AccessSpan::RegionAndBelow,
        authority: |i| Ok(region_of(&i.division)),
        reason: "接入需求同时涉及自治区、地(市)及以下单位，由其行政管理部门统一向自治区级政务外网主管部门申请",
    },
    Rule {
        case: Art15Case::SpansPrefecture,
        applies: |i| i.span == AccessSpan::PrefectureAndBelow,
        authority: |i| Ok(prefecture_of(&i.division)),
        reason: "接入需求同时涉及地(市)及以下单位，由其行政管理部门统一向地(市)级政务外网主管部门申请",
    },
    Rule {
        case: Art15Case::Township,
        applies: |i| i.township,
        authority: |i| county_of(&i.division),
        reason: "乡镇及以下单位向县级政务外网主管部门申请",
    },
    Rule {
        case: Art15Case::Locality,
        applies: |_| true,
        authority: |i| Ok(i.division.clone()),
        reason: "按照属地管理原则，向本级政务外网主管部门申请",
    },
];

/// The competent authority for an application (Art.15).
pub fn competent_authority(input: &RoutingInput) -> Result<RoutingDecision> {
    let rule = RULES.iter().find(|r| (r.applies)(input)).expect("the locality rule always applies");
    let competent = (rule.authority)(input)?;
    Ok(RoutingDecision {
        reason: format!("第十五条：{}（申请单位所在区划 {}）→ {competent}", rule.reason, input.division),
        competent,
        case: rule.case,
    })
}

fn prefix(d: &NodeId, depth: usize) -> NodeId {
    let path: Vec<&str> = d.as_str().split('/').take(depth).collect();
    NodeId::parse(&path.join("/")).expect("a prefix of a valid path is valid")
}

fn region_of(d: &NodeId) -> NodeId {
    prefix(d, 1)
}

/// A prefecture-and-below span is decided by the applicant's prefecture; a
/// region-level applicant's span includes the region, so the region decides.
fn prefecture_of(d: &NodeId) -> NodeId {
    prefix(d, 2.min(d.depth()))
}

fn county_of(d: &NodeId) -> Result<NodeId> {
    if d.depth() != 3 {
        return Err(DomainError::invalid("unit.division", "乡镇及以下单位的所在区划应为县级区划"));
    }
    Ok(d.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> NodeId {
        NodeId::parse(s).unwrap()
    }

    fn input(division: &str, township: bool, vertical: bool, span: AccessSpan) -> RoutingInput {
        RoutingInput { division: n(division), township, vertically_managed: vertical, span }
    }

    fn route(i: RoutingInput) -> (String, Art15Case) {
        let d = competent_authority(&i).unwrap();
        assert!(d.reason.starts_with("第十五条"), "{}", d.reason);
        (d.competent.to_string(), d.case)
    }

    #[test]
    fn own_level_by_locality() {
        let county = input("540000/540100/540102", false, false, AccessSpan::Local);
        assert_eq!(route(county), ("540000/540100/540102".into(), Art15Case::Locality));
        let pref = input("540000/540100", false, false, AccessSpan::Local);
        assert_eq!(route(pref), ("540000/540100".into(), Art15Case::Locality));
        let region = input("540000", false, false, AccessSpan::Local);
        assert_eq!(route(region), ("540000".into(), Art15Case::Locality));
    }

    #[test]
    fn spanning_region_and_prefecture_or_below_goes_to_the_region() {
        let i = input("540000/540100/540102", false, false, AccessSpan::RegionAndBelow);
        assert_eq!(route(i), ("540000".into(), Art15Case::SpansRegion));
    }

    #[test]
    fn spanning_prefecture_and_below_goes_to_the_prefecture() {
        let i = input("540000/540200/540202", false, false, AccessSpan::PrefectureAndBelow);
        assert_eq!(route(i), ("540000/540200".into(), Art15Case::SpansPrefecture));
        // a region-level applicant's span includes the region itself
        let i = input("540000", false, false, AccessSpan::PrefectureAndBelow);
        assert_eq!(route(i), ("540000".into(), Art15Case::SpansPrefecture));
    }

    #[test]
    fn township_and_below_goes_to_the_county() {
        let i = input("540000/540100/540103", true, false, AccessSpan::Local);
        assert_eq!(route(i), ("540000/540100/540103".into(), Art15Case::Township));
        let bad = competent_authority(&input("540000/540100", true, false, AccessSpan::Local)).unwrap_err();
        assert!(matches!(bad, DomainError::Invalid { field: "unit.division", .. }), "{bad}");
    }

    #[test]
    fn vertically_managed_goes_to_the_region_whatever_its_locality_or_span() {
        for span in [AccessSpan::Local, AccessSpan::PrefectureAndBelow] {
            let i = input("540000/540100/540102", true, true, span);
            assert_eq!(route(i), ("540000".into(), Art15Case::VerticallyManaged));
        }
    }
}
