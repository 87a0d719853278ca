//! Who answers a fault (Art.12, Art.13): the link providers (链路提供单位)
//! with their 7×24 hotline and service platform and the access points they
//! serve; the O&M units (运维服务单位) with their area, duty roster (值班表)
//! and emergency contacts; and each access point's fault class, set by the
//! operator (default: remote township for a township unit, else urban).

use serde::{Deserialize, Serialize};

use super::FaultClass;
use crate::error::{DomainError, Result};
use crate::limits;
use crate::unit::{Contact, UnitId};

/// Entries of a list (served access points, roster slots, contacts), at most.
pub const MAX_ENTRIES: usize = 200;

/// A link provider (链路提供单位).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct LinkProvider {
    /// Short id at this node, e.g. `telecom` (letters, digits, `-`).
    pub id: String,
    /// Name, e.g. 中国电信西藏分公司.
    pub name: String,
    /// The 7×24 hotline (Art.13).
    pub hotline: String,
    /// The service platform (URL or name).
    pub platform: String,
    /// The access points it serves (their ids).
    pub serves: Vec<String>,
}

/// One slot of a duty roster (值班表).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct DutySlot {
    /// From, Unix ms.
    pub from_ms: i64,
    /// Until, Unix ms (after `from_ms`).
    pub until_ms: i64,
    /// Who is on duty, with phone.
    pub person: Contact,
}

/// An O&M unit (运维服务单位).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct MaintenanceUnit {
    /// Short id at this node.
    pub id: String,
    /// Name.
    pub name: String,
    /// The area it serves, in words (e.g. 城关区全域).
    pub area: String,
    /// Who is on duty when.
    pub roster: Vec<DutySlot>,
    /// Emergency contacts.
    pub emergency: Vec<Contact>,
}

impl MaintenanceUnit {
    /// Who is on duty at `at_ms`, if anyone.
    pub fn on_duty(&self, at_ms: i64) -> Option<&Contact> {
        self.roster.iter().find(|s| s.from_ms <= at_ms && at_ms < s.until_ms).map(|s| &s.person)
    }
}

/// An access point (接入点) and who answers for it.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct AccessPoint {
    /// Short id at this node.
    pub id: String,
    /// Where it is, e.g. 城关区政府三楼机房.
    pub name: String,
    /// The unit it connects, if one.
    pub unit: Option<UnitId>,
    /// Its fault class (Art.13).
    pub class: FaultClass,
    /// The link provider serving it (its id), if registered.
    pub provider: Option<String>,
    /// The O&M unit serving it (its id), if registered.
    pub maintainer: Option<String>,
}

fn short_id(field: &'static str, v: &str) -> Result<String> {
    let v = v.trim();
    let ok = !v.is_empty() && v.len() <= 32 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if ok { Ok(v.to_string()) } else { Err(DomainError::invalid(field, "须为 1 至 32 个字母、数字或 -")) }
}

fn text(field: &'static str, v: &str) -> Result<String> {
    let v = v.trim();
    if v.is_empty() {
        return Err(DomainError::invalid(field, "不能为空"));
    }
    limits::optional_text(field, v)
}

fn contact(field: &'static str, c: &Contact) -> Result<Contact> {
    let name = text(field, &c.name)?;
    let phone = c.phone.trim();
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    if digits < 5 || !phone.chars().all(|ch| ch.is_ascii_digit() || "-+ ()".contains(ch)) {
        return Err(DomainError::invalid(field, format!("电话“{phone}”无效：须为数字，可含 - + 空格 括号")));
    }
    Ok(Contact { name, phone: phone.to_string() })
}

fn count<T>(field: &'static str, v: &[T]) -> Result<()> {
    limits::count(field, v.len(), MAX_ENTRIES)
}

impl LinkProvider {
    /// Checks every field, naming the one that breaks a rule.
    pub fn checked(self) -> Result<Self> {
        count("provider.serves", &self.serves)?;
        let hotline = contact("provider.hotline", &Contact { name: "热线".into(), phone: self.hotline.clone() })?.phone;
        Ok(LinkProvider {
            id: short_id("provider.id", &self.id)?,
            name: text("provider.name", &self.name)?,
            hotline,
            platform: text("provider.platform", &self.platform)?,
            serves: self.serves.iter().map(|s| short_id("provider.serves", s)).collect::<Result<_>>()?,
        })
    }
}

impl MaintenanceUnit {
    /// Checks every field, naming the one that breaks a rule.
    pub fn checked(self) -> Result<Self> {
        count("maintainer.roster", &self.roster)?;
        count("maintainer.emergency", &self.emergency)?;
        if self.emergency.is_empty() {
            return Err(DomainError::invalid("maintainer.emergency", "须至少登记一位应急联系人（第十二条）"));
        }
        let roster = self
            .roster
            .iter()
            .map(|s| {
                if s.until_ms <= s.from_ms {
                    return Err(DomainError::invalid("maintainer.roster", "值班结束时间须晚于开始时间"));
                }
                Ok(DutySlot {
                    from_ms: s.from_ms,
                    until_ms: s.until_ms,
                    person: contact("maintainer.roster.person", &s.person)?,
                })
            })
            .collect::<Result<_>>()?;
        Ok(MaintenanceUnit {
            id: short_id("maintainer.id", &self.id)?,
            name: text("maintainer.name", &self.name)?,
            area: text("maintainer.area", &self.area)?,
            roster,
            emergency: self.emergency.iter().map(|c| contact("maintainer.emergency", c)).collect::<Result<_>>()?,
        })
    }
}

impl AccessPoint {
    /// Checks every field, naming the one that breaks a rule.
    pub fn checked(self) -> Result<Self> {
        Ok(AccessPoint {
            id: short_id("access_point.id", &self.id)?,
            name: text("access_point.name", &self.name)?,
            provider: self.provider.map(|p| short_id("access_point.provider", &p)).transpose()?,
            maintainer: self.maintainer.map(|m| short_id("access_point.maintainer", &m)).transpose()?,
            ..self
        })
    }
}
