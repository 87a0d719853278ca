//! Access-point assets in the store (Art.14, Art.18, Art.20): the unified
//! devices (keyed by device key, so a node's devices read in the order
//! registered) and the access rooms (keyed by unit id, one per unit), held
//! at the node the unit is registered at. Each writer counts the record in
//! the summary figures in the same transaction: devices by state, the
//! violations recorded, rooms by the day of their last check (so "checked
//! in the last year" is a short scan of day counters, not of rooms).

use chrono::NaiveDate;

use super::counter::{Share, counts, read_counter};
use super::{NodeStore, TreeId, Tx, TxResult, keys};
use crate::domain::asset::{AccessRoom, Device, ROOM_CHECK_VALID_DAYS};
use crate::domain::{Choice, UnitId};
use crate::error::Result;

/// Prefix of the day counters of room checks.
const ROOMS_CHECKED: &str = "assets/rooms/";

/// A device counts once under its state, and once per violation recorded.
pub(super) fn device_share(d: &Device) -> Share {
    let mut share = vec![(format!("assets/devices/{}", d.state.value()).into_bytes(), 1)];
    if !d.violations.is_empty() {
        share.push((b"assets/violations".to_vec(), d.violations.len() as u128));
    }
    share
}

/// A room counts once under the day of its last check.
pub(super) fn room_share(r: &AccessRoom) -> Share {
    vec![(format!("{ROOMS_CHECKED}{}", r.checked_on).into_bytes(), 1)]
}

/// The asset figures of this node's summary.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AssetCounts {
    /// Devices by state value (`in-service`, `switched-off`, `to-reclaim`, `reclaimed`).
    pub devices: std::collections::BTreeMap<String, u64>,
    /// Violations of Art.18 recorded against devices.
    pub violations: u64,
    /// Access rooms recorded.
    pub rooms: u64,
    /// Of them, checked within the last year as of the summary's day.
    pub rooms_checked: u64,
}

/// The asset counters as of `today`.
pub(super) fn asset_counts(t: &dyn super::engine::Engine, today: NaiveDate) -> Result<AssetCounts> {
    let since = (today - chrono::Duration::days(ROOM_CHECK_VALID_DAYS - 1)).to_string();
    let violations = read_counter(t.get(TreeId::Figures, b"assets/violations")?.as_deref())?;
    let mut c = AssetCounts {
        devices: counts(t, "assets/devices/")?.into_iter().collect(),
        violations: u64::try_from(violations).unwrap_or(u64::MAX),
        ..Default::default()
    };
    // ISO days compare as text
    for (day, n) in counts(t, ROOMS_CHECKED)? {
        c.rooms += n;
        if day >= since {
            c.rooms_checked += n;
        }
    }
    Ok(c)
}

/// Index key of a unit's devices.
fn unit_key(unit: &UnitId) -> Vec<u8> {
    format!("unit/{unit}").into_bytes()
}

/// Index key of a serial number.
fn serial_key(serial: &str) -> Vec<u8> {
    format!("serial/{serial}").into_bytes()
}

impl NodeStore {
    /// One device, by key (`540102-E000001`).
    pub fn device(&self, key: &str) -> Result<Option<Device>> {
        self.view(|t| t.get(TreeId::Devices, key.as_bytes())?.map(|v| keys::decode(&v)).transpose())
    }

    /// Every device held here, in the order registered.
    pub fn devices(&self) -> Result<Vec<Device>> {
        self.view(|t| t.iter(TreeId::Devices).map(|item| keys::decode(&item?.1)).collect())
    }

    /// Every access room held here, by unit id.
    pub fn rooms(&self) -> Result<Vec<AccessRoom>> {
        self.view(|t| t.iter(TreeId::Rooms).map(|item| keys::decode(&item?.1)).collect())
    }
}

impl Tx<'_> {
    /// One device, by key.
    pub fn device(&self, key: &str) -> TxResult<Option<Device>> {
        self.read(TreeId::Devices, key.as_bytes())
    }

    /// The devices of `unit` held here, in the order registered.
    pub fn devices_of(&self, unit: &UnitId) -> TxResult<Vec<Device>> {
        let keys: Vec<String> = self.read(TreeId::DeviceIndex, unit_key(unit))?.unwrap_or_default();
        let mut out = Vec::with_capacity(keys.len());
        for k in keys {
            out.extend(self.device(&k)?);
        }
        Ok(out)
    }

    /// The device registered here under `serial`, if any.
    pub fn device_by_serial(&self, serial: &str) -> TxResult<Option<String>> {
        let keys: Option<Vec<String>> = self.read(TreeId::DeviceIndex, serial_key(serial))?;
        Ok(keys.and_then(|k| k.into_iter().next()))
    }

    /// Writes a newly registered device and indexes it by unit and serial.
    pub fn add_device(&mut self, d: &Device) -> TxResult<()> {
        let mut of_unit: Vec<String> = self.read(TreeId::DeviceIndex, unit_key(&d.unit))?.unwrap_or_default();
        of_unit.push(d.id.key());
        self.write(TreeId::DeviceIndex, unit_key(&d.unit), &of_unit)?;
        self.write(TreeId::DeviceIndex, serial_key(&d.serial), &vec![d.id.key()])?;
        self.put_device(d)
    }

    /// Writes a device, counting it.
    pub fn put_device(&mut self, d: &Device) -> TxResult<()> {
        let old = self.device(&d.id.key())?.map(|o| device_share(&o)).unwrap_or_default();
        self.count(old, device_share(d))?;
        self.write(TreeId::Devices, d.id.key().as_bytes(), d)
    }

    /// The access room of `unit`, if recorded.
    pub fn room(&self, unit: &UnitId) -> TxResult<Option<AccessRoom>> {
        self.read(TreeId::Rooms, unit.as_str().as_bytes())
    }

    /// Writes the access room of its unit (a new check replaces the last), counting it.
    pub fn put_room(&mut self, r: &AccessRoom) -> TxResult<()> {
        let old = self.room(&r.unit)?.map(|o| room_share(&o)).unwrap_or_default();
        self.count(old, room_share(r))?;
        self.write(TreeId::Rooms, r.unit.as_str().as_bytes(), r)
    }
}
