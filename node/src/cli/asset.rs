//! `extranet device …` and `extranet room …`: the asset register of a node
//! (Art.14, Art.17, Art.18, Art.20) — register a unit's unified devices,
//! record a change under an approved resource-change application or a
//! violation found, confirm devices reclaimed after a withdrawal, and
//! record the access room's check. Operators only.

use clap::Subcommand;
use extranet_proto::v1 as pb;

use super::conn::Conn;
use super::output;
use crate::present::asset::{DEVICE_HEADERS, ROOM_HEADERS, device_row, room_row, state_zh, step_zh};

/// Commands for devices.
#[derive(Subcommand)]
pub enum DeviceCmd {
    /// Register a unified device of a unit registered here.
    Register {
        #[command(flatten)]
        conn: Conn,
        /// The unit's id.
        #[arg(long)]
        unit: String,
        /// Kind: router, switch, firewall, line-terminal, other.
        #[arg(long)]
        kind: String,
        /// Make and model (品牌型号).
        #[arg(long)]
        model: String,
        /// Serial number (序列号), unique at this node.
        #[arg(long)]
        serial: String,
        /// Who keeps it (保管人, name and telephone).
        #[arg(long)]
        holder: String,
        /// Where it stands (安装位置).
        #[arg(long)]
        location: String,
    },
    /// Record a change (move, repurpose, modify, switch-off, switch-on) under an approved Art.22 application naming the device.
    Change {
        #[command(flatten)]
        conn: Conn,
        /// Device id, e.g. 540102-E000001.
        id: String,
        /// What: move, repurpose, modify, switch-off, switch-on.
        #[arg(long)]
        action: String,
        /// The approved resource-change application, e.g. 540102-A000003.
        #[arg(long)]
        application: String,
        /// For a move: the new place.
        #[arg(long, default_value = "")]
        location: String,
        /// A note.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Record a violation of Art.18 found on a device (违规).
    Violation {
        #[command(flatten)]
        conn: Conn,
        /// Device id.
        id: String,
        /// What was found, e.g. 未经批准擅自关闭.
        #[arg(long)]
        what: String,
        /// The day it was found (YYYY-MM-DD; default today).
        #[arg(long, default_value = "")]
        found_on: String,
    },
    /// Confirm a device of a withdrawn unit reclaimed (回收, Art.17).
    Reclaim {
        #[command(flatten)]
        conn: Conn,
        /// Device id.
        id: String,
        /// A note: where it went, who took it.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// List devices, optionally one unit's or in one state.
    List {
        #[command(flatten)]
        conn: Conn,
        /// Only this unit's.
        #[arg(long, default_value = "")]
        unit: String,
        /// Only in this state: in-service, switched-off, to-reclaim, reclaimed.
        #[arg(long, default_value = "")]
        state: String,
    },
}

/// Commands for access rooms.
#[derive(Subcommand)]
pub enum RoomCmd {
    /// Record a unit's access room as checked (a new check replaces the last).
    Record {
        #[command(flatten)]
        conn: Conn,
        /// The unit's id.
        #[arg(long)]
        unit: String,
        /// Where the room is (机房位置).
        #[arg(long)]
        location: String,
        /// Power backup (电力保障), e.g. "UPS 2 小时".
        #[arg(long)]
        power_backup: String,
        /// The standard it was checked against, e.g. "GB 50174-2017".
        #[arg(long)]
        standard: String,
        /// The day of the check (YYYY-MM-DD).
        #[arg(long)]
        checked_on: String,
        /// Who checked it (default: the operator).
        #[arg(long, default_value = "")]
        checked_by: String,
    },
    /// List the access rooms held here.
    List {
        #[command(flatten)]
        conn: Conn,
    },
}

/// Runs a device command.
pub async fn run_device(cmd: DeviceCmd) -> anyhow::Result<()> {
    match cmd {
        DeviceCmd::Register { conn, unit, kind, model, serial, holder, location } => {
            let req = pb::RegisterDeviceRequest {
                unit_id: unit,
                kind,
                model,
                serial,
                holder,
                location,
                ..Default::default()
            };
            let d = conn.write(req, async |c, r| c.assets().register_device(r).await).await?;
            output::emit(conn.json, &d, |d| println!("已登记并落盘：设备 {}（{}）", d.id, d.serial))
        }
        DeviceCmd::Change { conn, id, action, application, location, note } => {
            let req = pb::ChangeDeviceRequest { id, action, application, location, note, ..Default::default() };
            let d = conn.write(req, async |c, r| c.assets().change_device(r).await).await?;
            output::emit(conn.json, &d, print_device)
        }
        DeviceCmd::Violation { conn, id, what, found_on } => {
            let found_on = if found_on.is_empty() { crate::calendar::today().to_string() } else { found_on };
            let req = pb::RecordViolationRequest { id, what, found_on, ..Default::default() };
            let d = conn.write(req, async |c, r| c.assets().record_violation(r).await).await?;
            output::emit(conn.json, &d, |d| println!("已记录违规：设备 {} 共 {} 条违规记录", d.id, d.violations.len()))
        }
        DeviceCmd::Reclaim { conn, id, note } => {
            let req = pb::ReclaimDeviceRequest { id, note, ..Default::default() };
            let d = conn.write(req, async |c, r| c.assets().reclaim_device(r).await).await?;
            output::emit(conn.json, &d, |d| {
                println!("已确认回收并落盘：设备 {}（撤销申请 {}），回收情况已报审批机关台账", d.id, d.withdrawal)
            })
        }
        DeviceCmd::List { conn, unit, state } => {
            let req = pb::ListDevicesRequest { unit_id: unit, state };
            let list = conn.client().await?.assets().list_devices(req).await?.into_inner().devices;
            output::list(conn.json, &list, (&DEVICE_HEADERS, "台"), device_row)
        }
    }
}

/// Runs a room command.
pub async fn run_room(cmd: RoomCmd) -> anyhow::Result<()> {
    match cmd {
        RoomCmd::Record { conn, unit, location, power_backup, standard, checked_on, checked_by } => {
            let room = pb::AccessRoom {
                unit_id: unit,
                location,
                power_backup,
                standard,
                checked_on,
                checked_by,
                current: false,
            };
            let req = pb::RecordRoomRequest { room: Some(room), ..Default::default() };
            let r = conn.write(req, async |c, r| c.assets().record_room(r).await).await?;
            output::emit(conn.json, &r, |r| {
                println!("已记录机房检查：{}（{}，依据 {}）", r.unit_id, r.checked_on, r.standard)
            })
        }
        RoomCmd::List { conn } => {
            let list = conn.client().await?.assets().list_rooms(pb::ListRoomsRequest {}).await?.into_inner().rooms;
            output::list(conn.json, &list, (&ROOM_HEADERS, "间"), room_row)
        }
    }
}

/// A device and its history, for a person.
fn print_device(d: &pb::Device) {
    println!("设备 {}：{}（{}），位置 {}", d.id, state_zh(d), d.serial, d.location);
    for s in &d.steps {
        let app = if s.application.is_empty() { String::new() } else { format!("（依据 {}）", s.application) };
        println!("  {} {}{app} {} {}", output::time(s.at_ms), step_zh(&s.action), s.note, s.by);
    }
}
