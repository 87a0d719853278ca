//! The registries of who answers a fault ↔ `extranet.v1`: checked at the
//! edge, the domain's validation naming the field and the rule.

use extranet_proto::v1 as pb;

use super::access::{contact, contact_to_pb};
use super::enums::WireEnum;
use crate::domain::fault::{AccessPoint, DutySlot, LinkProvider, MaintenanceUnit};
use crate::domain::{FaultClass, UnitId};
use crate::error::{NodeError, Result};

/// A provider from a request.
pub fn provider_from_pb(p: Option<pb::LinkProvider>) -> Result<LinkProvider> {
    let p = p.ok_or_else(|| NodeError::invalid("provider", "缺少链路提供单位"))?;
    Ok(LinkProvider { id: p.id, name: p.name, hotline: p.hotline, platform: p.platform, serves: p.serves }.checked()?)
}

/// The wire form of a provider.
pub fn provider_to_pb(p: &LinkProvider) -> pb::LinkProvider {
    pb::LinkProvider {
        id: p.id.clone(),
        name: p.name.clone(),
        hotline: p.hotline.clone(),
        platform: p.platform.clone(),
        serves: p.serves.clone(),
    }
}

/// An O&M unit from a request.
pub fn maintainer_from_pb(m: Option<pb::MaintenanceUnit>) -> Result<MaintenanceUnit> {
    let m = m.ok_or_else(|| NodeError::invalid("maintainer", "缺少运维服务单位"))?;
    let roster = m
        .roster
        .iter()
        .map(|s| {
            let person = contact(
                "maintainer.roster.person",
                "maintainer.roster.person.name",
                "maintainer.roster.person.phone",
                s.person.as_ref(),
            )?;
            Ok(DutySlot { from_ms: s.from_ms, until_ms: s.until_ms, person })
        })
        .collect::<Result<Vec<_>>>()?;
    let emergency = m
        .emergency
        .iter()
        .map(|c| contact("maintainer.emergency", "maintainer.emergency.name", "maintainer.emergency.phone", Some(c)))
        .collect::<Result<Vec<_>>>()?;
    Ok(MaintenanceUnit { id: m.id, name: m.name, area: m.area, roster, emergency }.checked()?)
}

/// The wire form of an O&M unit, with who is on duty at `now_ms`.
pub fn maintainer_to_pb(m: &MaintenanceUnit, now_ms: i64) -> pb::MaintenanceUnit {
    pb::MaintenanceUnit {
        id: m.id.clone(),
        name: m.name.clone(),
        area: m.area.clone(),
        roster: m
            .roster
            .iter()
            .map(|s| pb::DutySlot { from_ms: s.from_ms, until_ms: s.until_ms, person: Some(contact_to_pb(&s.person)) })
            .collect(),
        emergency: m.emergency.iter().map(contact_to_pb).collect(),
        on_duty: m.on_duty(now_ms).map(contact_to_pb),
    }
}

/// An access point from a request; an unspecified class is resolved by
/// the operation (`None`).
pub fn access_point_from_pb(a: Option<pb::AccessPoint>) -> Result<(AccessPoint, Option<FaultClass>)> {
    let a = a.ok_or_else(|| NodeError::invalid("access_point", "缺少接入点"))?;
    let class = match a.class {
        0 => None,
        v => Some(
            FaultClass::from_pb(v)
                .ok_or_else(|| NodeError::invalid("access_point.class", "应为骨干网络、城区或偏远乡镇"))?,
        ),
    };
    let unit = match a.unit_id.trim() {
        "" => None,
        u => Some(
            UnitId::parse(u).map_err(|_| NodeError::invalid("access_point.unit_id", format!("“{u}” 不是单位编号")))?,
        ),
    };
    let opt = |v: String| (!v.trim().is_empty()).then(|| v.trim().to_string());
    let point = AccessPoint {
        id: a.id,
        name: a.name,
        unit,
        class: class.unwrap_or(FaultClass::Urban),
        provider: opt(a.provider),
        maintainer: opt(a.maintainer),
    };
    Ok((point.checked()?, class))
}

/// The wire form of an access point.
pub fn access_point_to_pb(a: &AccessPoint) -> pb::AccessPoint {
    pb::AccessPoint {
        id: a.id.clone(),
        name: a.name.clone(),
        unit_id: a.unit.as_ref().map(|u| u.to_string()).unwrap_or_default(),
        class: a.class.to_pb() as i32,
        provider: a.provider.clone().unwrap_or_default(),
        maintainer: a.maintainer.clone().unwrap_or_default(),
    }
}
