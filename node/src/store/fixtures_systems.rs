//! Fixture samples of the records Art.23's address link added: a unit's
//! application for a system's addresses (granted), a launch with the
//! assignment it was checked against, and a change of that launch. Their
//! bytes are checked in like every other record's (`fixtures.rs`).

use crate::domain::ipam::{AssignmentId, SystemRequest, SystemRequestForm, SystemRequestId, SystemRequestState};
use crate::domain::{Filing, FilingDetails, FilingId, Launch, SystemChange, UnitId};
use extranet_certs::NodeId;

fn county() -> NodeId {
    NodeId::parse("540000/540100/540102").unwrap()
}

/// A granted application for a system's IPv6 addresses.
pub(crate) fn system_request() -> SystemRequest {
    SystemRequest {
        id: SystemRequestId { node: county(), number: 1 },
        unit: UnitId::parse("u0001").unwrap(),
        form: SystemRequestForm {
            system_name: "城关区不动产登记系统".into(),
            v6: true,
            len: None,
            reason: "对外提供登记服务".into(),
            ipv4_justification: None,
        },
        by: "unit:u0001".into(),
        at_ms: 1_764_000_000_000,
        state: SystemRequestState::Granted {
            assignment: AssignmentId { node: county(), number: 4 },
            prefix: "2408:8000:100::/64".parse().unwrap(),
            by: "operator".into(),
            at_ms: 1_764_000_600_000,
        },
    }
}

fn system() -> Launch {
    Launch {
        system_name: "城关区不动产登记系统".into(),
        owning_unit: "u0001".into(),
        launch_date: "2026-12-10".parse().unwrap(),
        addresses: vec!["2408:8000:100::10/128".parse().unwrap()],
        security_test_ref: "XZ-CP-2026-0101".into(),
        assignments: vec![AssignmentId { node: county(), number: 4 }],
    }
}

fn filing(number: u64, details: FilingDetails) -> Filing {
    Filing {
        id: FilingId { origin: county(), number },
        filed_at_ms: 1_764_100_000_000 + number as i64,
        filed_by: "unit:u0001".into(),
        details,
        receipts: vec![],
    }
}

/// A launch filed with its address linked to the unit's assignment.
pub(crate) fn linked_launch() -> Filing {
    filing(3, FilingDetails::Launch(system()))
}

/// A change of that launch.
pub(crate) fn change() -> Filing {
    let system = Launch { launch_date: "2026-12-20".parse().unwrap(), ..system() };
    filing(4, FilingDetails::Change(SystemChange { launch: 3, what_changes: "增加互联网出口代理".into(), system }))
}
