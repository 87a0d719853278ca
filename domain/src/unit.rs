//! Access units (接入单位, Art.3): the departments, institutions and offices
//! that use the extranet, registered at the node they deal with. Art.11
//! requires each to name its responsible leader (分管领导), responsible
//! department (责任部门) and responsible person (责任人); a unit without them
//! is not registered.

use extranet_ids::{Identity, NodeId};
use serde::{Deserialize, Serialize};

use crate::choices;
use crate::error::{DomainError, Result};

/// A unit's id at its node: the label its certificate carries
/// (`u0001.unit.540102.540100.540000.extranet`), e.g. `u0001`, `xzjxt-bgs`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UnitId(String);

impl UnitId {
    /// Checks `s` is usable as a certificate label: lowercase letters,
    /// digits and `-`, not all digits, 1–63 characters.
    pub fn parse(s: &str) -> Result<Self> {
        let s = s.trim();
        // The certificate's rule is the rule: a unit must be able to hold one.
        let any = NodeId::parse("540000").expect("valid path");
        Identity::unit(any, s).map_err(|_| {
            DomainError::invalid("unit.id", format!("“{s}” 无效：只能使用小写字母、数字和 -，不能全为数字，长度 1–63"))
        })?;
        Ok(UnitId(s.to_string()))
    }
}

crate::text_id!(UnitId);

impl TryFrom<String> for UnitId {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self> {
        UnitId::parse(&s)
    }
}

impl From<UnitId> for String {
    fn from(u: UnitId) -> String {
        u.0
    }
}

/// The kinds of unit Art.3 names.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum UnitCategory {
    /// 党政机关.
    PartyGovernment,
    /// 事业单位.
    PublicInstitution,
    /// 人民团体.
    PeoplesOrganisation,
    /// 中央驻藏单位.
    CentralInTibet,
    /// 驻区外办事处.
    OfficeOutsideRegion,
    /// 法律法规授权的具有管理公共事务职能的单位.
    AuthorisedByLaw,
    /// 因履行工作职责需要接入的其他单位.
    Other,
}

impl UnitCategory {
    /// The category's Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            UnitCategory::PartyGovernment => "党政机关",
            UnitCategory::PublicInstitution => "事业单位",
            UnitCategory::PeoplesOrganisation => "人民团体",
            UnitCategory::CentralInTibet => "中央驻藏单位",
            UnitCategory::OfficeOutsideRegion => "驻区外办事处",
            UnitCategory::AuthorisedByLaw => "法律法规授权单位",
            UnitCategory::Other => "其他单位",
        }
    }
}

choices!(UnitCategory {
    PartyGovernment = "party-government",
    PublicInstitution = "public-institution",
    PeoplesOrganisation = "peoples-organisation",
    CentralInTibet = "central-in-tibet",
    OfficeOutsideRegion = "office-outside-region",
    AuthorisedByLaw = "authorised-by-law",
    Other = "other",
});

/// Where a unit stands with the extranet.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum UnitStatus {
    /// Registered, access applied for or being implemented (申请中).
    Applying,
    /// Connected (已接入).
    Connected,
    /// Suspended by the authority (已暂停).
    Suspended,
    /// Access withdrawn (已撤销, Art.17).
    Withdrawn,
}

impl UnitStatus {
    /// The status's Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            UnitStatus::Applying => "申请中",
            UnitStatus::Connected => "已接入",
            UnitStatus::Suspended => "已暂停",
            UnitStatus::Withdrawn => "已撤销",
        }
    }
}

choices!(UnitStatus { Applying = "applying", Connected = "connected", Suspended = "suspended", Withdrawn = "withdrawn" });

/// A named person and how to reach them.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Contact {
    /// Full name.
    pub name: String,
    /// Telephone (landline or mobile).
    pub phone: String,
}

/// An access unit as registered at one node.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct AccessUnit {
    /// Its id at the node.
    pub id: UnitId,
    /// The node it is registered at (and whose certificates it holds).
    pub node: NodeId,
    /// Full name, e.g. 城关区教育局.
    pub name: String,
    /// Art.3 category.
    pub category: UnitCategory,
    /// The division it sits in (属地), as a federation path.
    pub division: NodeId,
    /// A township-level or lower unit (乡镇及以下单位), Art.15.
    pub township: bool,
    /// Vertically managed by a region-level department (自治区垂直管理单位).
    pub vertically_managed: bool,
    /// That region-level department (自治区级主管部门), if vertically managed.
    pub region_department: Option<String>,
    /// 分管领导 (Art.11).
    pub responsible_leader: Contact,
    /// 责任部门 (Art.11).
    pub responsible_department: String,
    /// 责任人 (Art.11).
    pub responsible_person: Contact,
    /// Current status.
    pub status: UnitStatus,
    /// When it was registered, Unix ms.
    pub registered_at_ms: i64,
    /// Who registered it.
    pub registered_by: String,
}

impl AccessUnit {
    /// Checks the rules that span fields: a vertically managed unit names its
    /// region-level department; a township unit sits in a county; the
    /// division is in this federation.
    pub fn check(&self) -> Result<()> {
        if self.vertically_managed && self.region_department.as_deref().is_none_or(|d| d.trim().is_empty()) {
            return Err(DomainError::invalid(
                "unit.region_department",
                "自治区垂直管理单位须填写其自治区级主管部门（第十五条）",
            ));
        }
        let top = self.node.ancestors().pop().unwrap_or_else(|| self.node.clone());
        if !self.division.is_within(&top) {
            return Err(DomainError::invalid("unit.division", format!("所在区划须在本联邦（{top}）之内")));
        }
        if self.township && self.division.depth() != 3 {
            return Err(DomainError::invalid(
                "unit.division",
                "乡镇及以下单位的所在区划应为县级区划路径，例如 540000/540100/540102",
            ));
        }
        Ok(())
    }
}
