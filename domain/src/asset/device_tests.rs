//! The device rules: what an approved resource change allows, and the
//! states a device moves through.

use super::*;
use crate::access::ApplicationForm;
use crate::testing::sample;

fn device() -> Device {
    Device {
        id: DeviceId { node: NodeId::parse("540000/540100/540102").unwrap(), number: 1 },
        unit: UnitId::parse("u0001").unwrap(),
        kind: DeviceKind::Router,
        model: "华为 AR6120".into(),
        serial: "2102351234".into(),
        holder: "张三 0891-1234567".into(),
        location: "城关区政务中心三楼机房".into(),
        state: DeviceState::InService,
        steps: Vec::new(),
        violations: Vec::new(),
        withdrawal: None,
    }
}

fn resource_change(devices: Vec<String>, state: AppState) -> Application {
    let mut a = sample(ApplicationKind::ResourceChange, "2026-03-02".parse().unwrap());
    a.form = ApplicationForm { devices, ..a.form };
    a.state = state;
    a
}

#[test]
fn only_an_approved_resource_change_naming_the_device_allows_a_change() {
    let d = device();
    let named = vec![d.id.key()];
    assert!(check_change_approval(&d, &resource_change(named.clone(), AppState::Approved)).is_ok());
    assert!(check_change_approval(&d, &resource_change(named.clone(), AppState::Connected)).is_ok());
    let pending = check_change_approval(&d, &resource_change(named.clone(), AppState::Submitted));
    assert!(matches!(pending, Err(DomainError::FailedPrecondition(m)) if m.contains("尚未批准")));
    let other = check_change_approval(&d, &resource_change(vec!["540102-E000002".into()], AppState::Approved));
    assert!(matches!(other, Err(DomainError::FailedPrecondition(m)) if m.contains("未列明设备 540102-E000001")));
    let mut new_access = resource_change(named, AppState::Approved);
    new_access.kind = ApplicationKind::New;
    assert!(check_change_approval(&d, &new_access).is_err());
}

#[test]
fn a_device_is_reclaimed_only_once_its_unit_is_withdrawn() {
    let mut d = device();
    assert!(matches!(d.reclaim(), Err(DomainError::FailedPrecondition(m)) if m.contains("尚未撤销接入")));
    d.apply(&DeviceAction::SwitchOff).unwrap();
    assert_eq!(d.state, DeviceState::SwitchedOff);
    assert!(d.apply(&DeviceAction::SwitchOff).is_err());
    d.state = DeviceState::ToReclaim;
    assert!(d.apply(&DeviceAction::Move { location: "别处".into() }).is_err());
    d.reclaim().unwrap();
    assert_eq!(d.state, DeviceState::Reclaimed);
    assert!(d.reclaim().is_err());
}

#[test]
fn a_form_needs_every_field_and_a_serial_without_spaces() {
    let form = |serial: &str, model: &str| DeviceForm {
        unit: UnitId::parse("u0001").unwrap(),
        kind: DeviceKind::Switch,
        model: model.into(),
        serial: serial.into(),
        holder: "李四".into(),
        location: "机房".into(),
    };
    assert!(form(" SN1 ", "H3C S5130").checked().is_ok_and(|f| f.serial == "SN1"));
    assert!(matches!(form("SN 1", "x").checked(), Err(DomainError::Invalid { field, .. }) if field == "device.serial"));
    assert!(matches!(form("SN1", " ").checked(), Err(DomainError::Invalid { field, .. }) if field == "device.model"));
}
