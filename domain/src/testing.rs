//! Records for tests of this crate and of the crates above it (feature
//! `testing`): one complete application, so each test changes only what it
//! is about.

use chrono::NaiveDate;
use extranet_ids::NodeId;

use crate::access::{
    AppState, Application, ApplicationForm, ApplicationId, ApplicationKind, Deadlines, ResourceSubject,
};
use crate::calendar::CalendarDocument;
use crate::routing::{AccessSpan, Art15Case, RoutingDecision};
use crate::unit::{AccessUnit, Contact, UnitCategory, UnitId, UnitStatus};

/// A new-access application of a Chengguan unit, lodged and decided at
/// Chengguan (Art.15 locality), submitted on `submitted_on`.
pub fn sample(kind: ApplicationKind, submitted_on: NaiveDate) -> Application {
    let node = NodeId::parse("540000/540100/540102").unwrap();
    let cal = CalendarDocument::builtin().work_calendar();
    let contact = Contact { name: "张三".into(), phone: "0891-6000000".into() };
    Application {
        id: ApplicationId { origin: node.clone(), number: 1 },
        kind,
        unit: AccessUnit {
            id: UnitId::parse("u0001").unwrap(),
            node: node.clone(),
            name: "城关区教育局".into(),
            category: UnitCategory::PartyGovernment,
            division: node.clone(),
            township: false,
            vertically_managed: false,
            region_department: None,
            responsible_leader: contact.clone(),
            responsible_department: "办公室".into(),
            responsible_person: contact,
            status: UnitStatus::Applying,
            registered_at_ms: 0,
            registered_by: "operator".into(),
            history: Vec::new(),
        },
        form: ApplicationForm {
            basis: "业务需要".into(),
            scope: "局机关".into(),
            location: "城关区江苏路".into(),
            bandwidth_mbps: 100,
            technical_requirements: "IPv6".into(),
            security_measures: "防火墙".into(),
            declares_no_classified_information: true,
            span: AccessSpan::Local,
            resource_subject: Some(ResourceSubject::Equipment),
            devices: Vec::new(),
        },
        submitted_on,
        submitted_by: "unit:u0001".into(),
        routing: RoutingDecision { competent: node, case: Art15Case::Locality, reason: String::new() },
        state: AppState::Submitted,
        revision: 1,
        access_plan: None,
        rejection: None,
        deadlines: Deadlines::at_submission(&cal, submitted_on),
        ledger_number: None,
        history: Vec::new(),
    }
}

/// One bad-input case of a table test: the field it breaks, and how.
pub type Breaks<T> = (&'static str, fn(&mut T));

/// A county's private network as registered: not migrated, no plan.
pub fn private_network_details() -> crate::private_network::PrivateNetworkDetails {
    crate::private_network::PrivateNetworkDetails {
        owner_department: "城关区人力资源和社会保障局".into(),
        name: "城关区社保业务专网".into(),
        scope: "城关区 12 个街道社保服务站".into(),
        link_count: 12,
        links: "电信 MSTP 10M ×12".into(),
        planned_on: None,
        migrated_on: None,
        lease_fees_stopped: false,
        notes: String::new(),
    }
}
