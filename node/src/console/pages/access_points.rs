//! `/access-points`: the access points of the units registered here (Art.14,
//! Art.17, Art.18, Art.20) — each unit's room as last checked, with the
//! form that records a check, and the unified devices, with the form that
//! registers one; and one device with its history, violations and the forms
//! that record a change under an approved application, a violation, or its
//! reclaim after a withdrawal. Operators only (the service refuses a unit);
//! the same service calls as `extranet device` and `extranet room`.

use axum::extract::{Path, State};
use extranet_proto::v1 as pb;
use extranet_proto::v1::assets_server::Assets;
use maud::{Markup, html};

use crate::console::guard::{Posted, Signed};
use crate::console::page::{Failure, PageResult, after_post, banner, csrf, frame};
use crate::console::state::Console;
use crate::domain::Choice;
use crate::domain::asset::DeviceKind;
use crate::present::asset::{DEVICE_HEADERS, ROOM_HEADERS, device_row, room_row, state_zh, step_zh};
use crate::present::text::time;

const TITLE: &str = "接入点机房与设备";

/// The changes Art.18 allows only under an approved application, in the
/// order offered.
const CHANGES: [&str; 5] = ["move", "repurpose", "modify", "switch-off", "switch-on"];

/// `GET /access-points`.
pub async fn page(State(console): State<Console>, signed: Signed) -> PageResult {
    Ok(frame(&console, &signed, TITLE, body(&console, &signed, None).await?))
}

async fn body(console: &Console, signed: &Signed, error: Option<&str>) -> Result<Markup, Failure> {
    let s = &console.services().assets;
    let rooms = s.list_rooms(signed.request(pb::ListRoomsRequest {})).await?.into_inner().rooms;
    let devices = s.list_devices(signed.request(pb::ListDevicesRequest::default())).await?.into_inner().devices;
    let rid = console.sessions().token()?;
    Ok(html! {
        (banner(error))
        h2 { "接入点机房（" (rooms.len()) "）" }
        p.muted { "每次检查记录位置、电力保障和依据的标准；超过一年未检查的标为逾期（第十四条）。" }
        (table("rooms", &ROOM_HEADERS, rooms.iter().map(|r| (String::new(), room_row(r)))))
        h2 { "统一部署设备（" (devices.len()) "）" }
        p.muted { "设备的移动、挪用、改造、关闭须有经批准、写明该设备的网络资源变更申请（第十八条、第二十二条）。" }
        (table("devices", &DEVICE_HEADERS, devices.iter().map(|d| (format!("/access-points/devices/{}", d.id), device_row(d)))))
        div.cards {
            section.card { h2 { "记录机房检查" } (room_form(signed, &rid)) }
            section.card { h2 { "登记设备" } (device_form(signed, &rid)) }
        }
    })
}

/// A table whose first cell links to the row's page when it has one.
fn table(id: &str, headers: &[&str], rows: impl Iterator<Item = (String, Vec<String>)>) -> Markup {
    let rows: Vec<(String, Vec<String>)> = rows.collect();
    html! {
        @if rows.is_empty() { p.muted { "没有。" } } @else {
            table id=(id) {
                tr { @for h in headers { th { (h) } } }
                @for (link, cells) in &rows {
                    tr data-row=(cells[0]) { @for (i, c) in cells.iter().enumerate() {
                        @if i == 0 && !link.is_empty() { td { a href=(link) { (c) } } } @else { td { (c) } }
                    } }
                }
            }
        }
    }
}

fn room_form(signed: &Signed, rid: &str) -> Markup {
    html! {
        form #room-form.stack method="post" action="/access-points/rooms" {
            (csrf(signed)) input type="hidden" name="request_id" value=(rid);
            label for="room_unit" { "单位编号" } input #room_unit type="text" name="unit_id" required;
            label for="room_location" { "机房位置" } input #room_location type="text" name="location" required;
            label for="power_backup" { "电力保障" } input #power_backup type="text" name="power_backup" placeholder="UPS 2 小时" required;
            label for="standard" { "依据标准" } input #standard type="text" name="standard" placeholder="GB 50174-2017" required;
            label for="checked_on" { "检查日期" } input #checked_on type="date" name="checked_on" required;
            label for="checked_by" { "检查人（不填为本人）" } input #checked_by type="text" name="checked_by";
            button #record-room type="submit" { "记录" }
        }
    }
}

fn device_form(signed: &Signed, rid: &str) -> Markup {
    html! {
        form #device-form.stack method="post" action="/access-points/devices" {
            (csrf(signed)) input type="hidden" name="request_id" value=(rid);
            label for="device_unit" { "单位编号" } input #device_unit type="text" name="unit_id" required;
            label for="kind" { "类型" }
            select #kind name="kind" { @for (v, k) in DeviceKind::CHOICES { option value=(v) { (k.zh()) } } }
            label for="model" { "品牌型号" } input #model type="text" name="model" required;
            label for="serial" { "序列号" } input #serial type="text" name="serial" required;
            label for="holder" { "保管人（姓名、电话）" } input #holder type="text" name="holder" required;
            label for="device_location" { "安装位置" } input #device_location type="text" name="location" required;
            button #register-device type="submit" { "登记" }
        }
    }
}

/// The room form as typed.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct RoomForm {
    unit_id: String,
    location: String,
    power_backup: String,
    standard: String,
    checked_on: String,
    checked_by: String,
    request_id: String,
}

/// `POST /access-points/rooms`.
pub async fn record_room(State(console): State<Console>, posted: Posted<RoomForm>) -> PageResult {
    let Posted { signed, form: f } = posted;
    let room = pb::AccessRoom {
        unit_id: f.unit_id,
        location: f.location,
        power_backup: f.power_backup,
        standard: f.standard,
        checked_on: f.checked_on,
        checked_by: f.checked_by,
        current: false,
    };
    let req = pb::RecordRoomRequest { room: Some(room), request_id: f.request_id };
    let answer = console.services().assets.record_room(signed.request(req)).await;
    after_post(
        &signed,
        "room recorded",
        answer,
        |_| "/access-points".into(),
        async |e: &str| Ok(frame(&console, &signed, TITLE, body(&console, &signed, Some(e)).await?)),
    )
    .await
}

/// The device form as typed.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct DeviceForm {
    unit_id: String,
    kind: String,
    model: String,
    serial: String,
    holder: String,
    location: String,
    request_id: String,
}

/// `POST /access-points/devices`.
pub async fn register(State(console): State<Console>, posted: Posted<DeviceForm>) -> PageResult {
    let Posted { signed, form: f } = posted;
    let req = pb::RegisterDeviceRequest {
        unit_id: f.unit_id,
        kind: f.kind,
        model: f.model,
        serial: f.serial,
        holder: f.holder,
        location: f.location,
        request_id: f.request_id,
    };
    let answer = console.services().assets.register_device(signed.request(req)).await;
    after_post(
        &signed,
        "device registered",
        answer,
        |d| format!("/access-points/devices/{}", d.get_ref().id),
        async |e| Ok(frame(&console, &signed, TITLE, body(&console, &signed, Some(e)).await?)),
    )
    .await
}

/// `GET /access-points/devices/<id>`.
pub async fn show(State(console): State<Console>, signed: Signed, Path(id): Path<String>) -> PageResult {
    one(&console, &signed, &id, None).await
}

async fn one(console: &Console, signed: &Signed, id: &str, error: Option<&str>) -> PageResult {
    let list = console.services().assets.list_devices(signed.request(pb::ListDevicesRequest::default())).await?;
    let Some(d) = list.into_inner().devices.into_iter().find(|d| d.id == id) else {
        return Err(Failure::from(tonic::Status::not_found(format!("本节点没有设备 {id}"))));
    };
    let rid = console.sessions().token()?;
    let body = html! {
        table.device {
            tr { th { "状态" } td #state { (state_zh(&d)) } }
            tr { th { "单位" } td { (d.unit_id) } }
            tr { th { "型号（序列号）" } td { (d.model) "（" (d.serial) "）" } }
            tr { th { "保管人" } td { (d.holder) } }
            tr { th { "位置" } td { (d.location) } }
            @if !d.withdrawal.is_empty() { tr { th { "撤销申请" } td { (d.withdrawal) } } }
        }
        h2 { "记录" }
        ul #steps { @for s in &d.steps {
            li { (time(s.at_ms)) " " (step_zh(&s.action)) @if !s.application.is_empty() { "（依据 " (s.application) "）" } " " (s.note) " · " (s.by) }
        } }
        @if !d.violations.is_empty() {
            h2 { "违规记录（" (d.violations.len()) "）" }
            ul #violations { @for v in &d.violations { li { (v.found_on) " " (v.what) " · " (v.by) } } }
        }
        (banner(error))
        (step_forms(signed, &d, &rid))
    };
    Ok(frame(console, signed, &format!("设备 {}", d.id), body))
}

fn step_forms(signed: &Signed, d: &pb::Device, rid: &str) -> Markup {
    let to = |what: &str| format!("/access-points/devices/{}/{what}", d.id);
    html! { div.cards {
        @if d.state == "to-reclaim" {
            section.card { h2 { "确认回收（第十七条）" }
                form #reclaim-form.stack method="post" action=(to("reclaim")) {
                    (csrf(signed)) input type="hidden" name="request_id" value=(rid);
                    label for="note" { "去向、经手人" } input #note type="text" name="note";
                    button #reclaim type="submit" { "确认已回收" }
                } }
        } @else if d.state != "reclaimed" {
            section.card { h2 { "依据批准的申请变动（第十八条）" }
                form #change-form.stack method="post" action=(to("change")) {
                    (csrf(signed)) input type="hidden" name="request_id" value=(rid);
                    label for="action" { "变动" }
                    select #action name="action" { @for a in CHANGES { option value=(a) { (step_zh(a)) } } }
                    label for="application" { "已批准的网络资源变更申请编号" } input #application type="text" name="application" required;
                    label for="location" { "新位置（移动时填写）" } input #location type="text" name="location";
                    label for="change_note" { "说明" } input #change_note type="text" name="note";
                    button #change type="submit" { "记录" }
                } }
        }
        section.card { h2 { "记录违规" }
            form #violation-form.stack method="post" action=(to("violation")) {
                (csrf(signed)) input type="hidden" name="request_id" value=(rid);
                label for="what" { "发现的问题" } input #what type="text" name="what" placeholder="未经批准擅自关闭" required;
                label for="found_on" { "发现日期（不填为今天）" } input #found_on type="date" name="found_on";
                button #record-violation type="submit" { "记录" }
            } }
    } }
}

/// Any of a device's step forms as typed.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct StepForm {
    action: String,
    application: String,
    location: String,
    note: String,
    what: String,
    found_on: String,
    request_id: String,
}

/// `POST /access-points/devices/<id>/<step>`: `change`, `violation` or `reclaim`.
pub async fn step(
    State(console): State<Console>,
    Path((id, step)): Path<(String, String)>,
    posted: Posted<StepForm>,
) -> PageResult {
    let Posted { signed, form: f } = posted;
    let s = &console.services().assets;
    let rid = f.request_id;
    let answer = match step.as_str() {
        "change" => {
            let (action, application, location, note) = (f.action, f.application, f.location, f.note);
            let r = pb::ChangeDeviceRequest { id: id.clone(), action, application, location, note, request_id: rid };
            s.change_device(signed.request(r)).await
        }
        "violation" => {
            let r = pb::RecordViolationRequest { id: id.clone(), what: f.what, found_on: f.found_on, request_id: rid };
            s.record_violation(signed.request(r)).await
        }
        "reclaim" => {
            s.reclaim_device(signed.request(pb::ReclaimDeviceRequest { id: id.clone(), note: f.note, request_id: rid }))
                .await
        }
        other => Err(tonic::Status::not_found(format!("设备没有“{other}”这一步"))),
    };
    let what = format!("device {id}: {step}");
    after_post(
        &signed,
        &what,
        answer,
        |d| format!("/access-points/devices/{}", d.get_ref().id),
        async |e| one(&console, &signed, &id, Some(e)).await,
    )
    .await
}
