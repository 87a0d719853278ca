//! Access units (接入单位, Art.3): the departments, institutions and offices
//! that use the extranet, registered at the node they deal with. Art.11
//! requires each to name its responsible leader (分管领导), responsible
//! department (责任部门) and responsible person (责任人); a unit without them
//! is not registered, and keeps them current: each change is kept in the
//! unit's history with the previous value ([`AccessUnit::update`]), as is
//! each change of status with its reason.

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
    /// Every change made to its Art.11 people and its status since it was
    /// registered, oldest first (absent in records written before).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<UnitChange>,
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

/// What a change of a unit changed.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
pub enum UnitField {
    /// 分管领导.
    ResponsibleLeader,
    /// 责任部门.
    ResponsibleDepartment,
    /// 责任人.
    ResponsiblePerson,
    /// 状态 (suspension, resumption, connection, withdrawal).
    Status,
}

impl UnitField {
    /// Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            UnitField::ResponsibleLeader => "分管领导",
            UnitField::ResponsibleDepartment => "责任部门",
            UnitField::ResponsiblePerson => "责任人",
            UnitField::Status => "状态",
        }
    }
}

choices!(UnitField {
    ResponsibleLeader = "responsible-leader",
    ResponsibleDepartment = "responsible-department",
    ResponsiblePerson = "responsible-person",
    Status = "status",
});

/// One change of a unit: who changed what when, and what it was before.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct UnitChange {
    /// When, Unix ms.
    pub at_ms: i64,
    /// Who (operator name, or what the node did on its own).
    pub by: String,
    /// What changed.
    pub field: UnitField,
    /// The previous value, as it reads (`卓玛 13908901234`).
    pub before: String,
    /// The new value.
    pub after: String,
    /// Why (required for a suspension; may be empty otherwise).
    pub reason: String,
}

/// New Art.11 people of a unit: `None` keeps the current one.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct UnitUpdate {
    /// 分管领导.
    pub leader: Option<Contact>,
    /// 责任部门.
    pub department: Option<String>,
    /// 责任人.
    pub person: Option<Contact>,
}

fn contact_zh(c: &Contact) -> String {
    format!("{} {}", c.name, c.phone)
}

impl AccessUnit {
    /// Applies `u` (already checked field by field) at `at_ms` by `by`,
    /// keeping each changed value's previous one in the history; returns the
    /// number of fields changed. Nothing to change is refused.
    pub fn update(&mut self, u: UnitUpdate, reason: &str, at_ms: i64, by: &str) -> Result<usize> {
        let reason = crate::limits::optional_text("reason", reason)?;
        let mut changes = Vec::new();
        let mut push = |field, before: String, after: String| {
            if before != after {
                changes.push(UnitChange { at_ms, by: by.into(), field, before, after, reason: reason.clone() });
            }
        };
        if let Some(c) = &u.leader {
            push(UnitField::ResponsibleLeader, contact_zh(&self.responsible_leader), contact_zh(c));
        }
        if let Some(d) = &u.department {
            push(UnitField::ResponsibleDepartment, self.responsible_department.clone(), d.trim().to_string());
        }
        if let Some(c) = &u.person {
            push(UnitField::ResponsiblePerson, contact_zh(&self.responsible_person), contact_zh(c));
        }
        if changes.is_empty() {
            return Err(DomainError::invalid(
                "update",
                "没有要变更的内容：分管领导、责任部门和责任人与登记的相同或未填写",
            ));
        }
        let n = changes.len();
        self.responsible_leader = u.leader.unwrap_or_else(|| self.responsible_leader.clone());
        self.responsible_department =
            u.department.map_or_else(|| self.responsible_department.clone(), |d| d.trim().into());
        self.responsible_person = u.person.unwrap_or_else(|| self.responsible_person.clone());
        self.history.extend(changes);
        Ok(n)
    }

    /// Sets its status to `to` at `at_ms` by `by` for `reason`, kept in the
    /// history with the previous status (no entry if it is unchanged).
    pub fn set_status(&mut self, to: UnitStatus, reason: &str, at_ms: i64, by: &str) {
        if self.status == to {
            return;
        }
        self.history.push(UnitChange {
            at_ms,
            by: by.into(),
            field: UnitField::Status,
            before: self.status.zh().into(),
            after: to.zh().into(),
            reason: reason.trim().into(),
        });
        self.status = to;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(name: &str) -> Contact {
        Contact { name: name.into(), phone: "13908901234".into() }
    }

    fn unit() -> AccessUnit {
        crate::testing::sample(crate::access::ApplicationKind::New, "2026-12-01".parse().unwrap()).unit
    }

    #[test]
    fn an_update_keeps_who_changed_what_when_and_the_previous_value() {
        let mut u = unit();
        let old = u.responsible_person.clone();
        let same_leader = Some(u.responsible_leader.clone());
        let up =
            UnitUpdate { leader: same_leader, department: Some(" 信息中心 ".into()), person: Some(c("扎西")) };
        assert_eq!(u.update(up, "人员调整", 5, "operator").unwrap(), 2, "an unchanged leader is not a change");
        assert_eq!((u.responsible_department.as_str(), u.responsible_person.name.as_str()), ("信息中心", "扎西"));
        let h = &u.history[1];
        assert_eq!(
            (h.field, h.at_ms, h.by.as_str(), h.reason.as_str()),
            (UnitField::ResponsiblePerson, 5, "operator", "人员调整")
        );
        assert_eq!((h.before.clone(), h.after.as_str()), (format!("{} {}", old.name, old.phone), "扎西 13908901234"));
    }

    #[test]
    fn nothing_to_change_is_refused_and_changes_nothing() {
        let mut u = unit();
        let before = u.clone();
        let e = u.update(UnitUpdate::default(), "", 5, "operator").unwrap_err();
        assert!(matches!(e, DomainError::Invalid { field: "update", .. }), "{e:?}");
        assert_eq!(u, before);
    }

    #[test]
    fn a_status_change_keeps_its_reason_and_the_previous_status() {
        let mut u = unit();
        u.set_status(UnitStatus::Suspended, "配合安全检查", 7, "operator");
        u.set_status(UnitStatus::Suspended, "again", 8, "operator");
        assert_eq!(u.history.len(), 1, "no change, no entry");
        assert_eq!((u.history[0].before.as_str(), u.history[0].after.as_str()), ("申请中", "已暂停"));
        assert_eq!(u.history[0].reason, "配合安全检查");
    }
}
