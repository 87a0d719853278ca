//! The registries of who answers a fault at this node (Art.12, Art.13):
//! providers, O&M units and access points, registered by the operator. An
//! access point may name only a provider, O&M unit and unit registered
//! here; its class defaults from the unit's township flag. A fault reported
//! at a registered access point takes its class and unit from it.

use crate::domain::FaultClass;
use crate::domain::fault::{AccessPoint, LinkProvider, MaintenanceUnit};
use crate::error::{NodeError, Result};
use crate::store::{NodeStore, RegistryEntry, abort};

/// Registers or replaces a provider; answered once durable.
pub async fn put_provider(store: &NodeStore, p: LinkProvider, by: &str) -> Result<LinkProvider> {
    store.transact(|tx| tx.put_registry_entry(RegistryEntry::Provider(&p)))?;
    store.sync().await?;
    tracing::info!(provider = %p.id, by, "link provider registered");
    Ok(p)
}

/// Registers or replaces an O&M unit; answered once durable.
pub async fn put_maintainer(store: &NodeStore, m: MaintenanceUnit, by: &str) -> Result<MaintenanceUnit> {
    store.transact(|tx| tx.put_registry_entry(RegistryEntry::Maintainer(&m)))?;
    store.sync().await?;
    tracing::info!(maintainer = %m.id, by, "O&M unit registered");
    Ok(m)
}

/// Registers or replaces an access point, checking what it names is
/// registered here; `class` unset takes the unit's township flag.
pub async fn put_access_point(
    store: &NodeStore,
    a: AccessPoint,
    class: Option<FaultClass>,
    by: &str,
) -> Result<AccessPoint> {
    let registry = store.fault_registry()?;
    if let Some(p) = &a.provider
        && !registry.providers.iter().any(|x| &x.id == p)
    {
        return Err(NodeError::invalid("access_point.provider", format!("本节点没有登记链路提供单位 {p}")));
    }
    if let Some(m) = &a.maintainer
        && !registry.maintainers.iter().any(|x| &x.id == m)
    {
        return Err(NodeError::invalid("access_point.maintainer", format!("本节点没有登记运维服务单位 {m}")));
    }
    let point = store.transact(|tx| {
        let mut a = a.clone();
        if let Some(u) = &a.unit {
            let unit = tx
                .unit(u)?
                .ok_or_else(|| NodeError::invalid("access_point.unit_id", format!("本节点没有登记单位 {u}")))
                .or_else(abort)?;
            a.class = class.unwrap_or(FaultClass::default_for(unit.township));
        } else if let Some(c) = class {
            a.class = c;
        }
        tx.put_registry_entry(RegistryEntry::AccessPoint(&a))?;
        Ok(a)
    })?;
    store.sync().await?;
    tracing::info!(access_point = %point.id, class = point.class.zh(), by, "access point registered");
    Ok(point)
}
