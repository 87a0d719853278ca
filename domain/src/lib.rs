//! The domain of the extranet: the records a node owns or replicates, and
//! the rules of the regulation (`shared/regulation-zh.md`, cited as Art.N)
//! that govern them. It depends on no storage, transport or runtime crate
//! (no sled, tonic, tokio or wire types): the compiler checks that the rules
//! know nothing of how records are kept or sent. Errors are one
//! [`DomainError`] naming the field and the rule.
//!
//! | module | what it holds |
//! | --- | --- |
//! | [`filing`] | cutover, system-launch and system-change filings (割接/上线/变更备案), Art.21's two-working-day rule, receipts |
//! | [`cutover_notice`] | the cutover notice (割接通知) filing a cutover issues to the units it affects |
//! | [`launch`] | Art.23: a launch or change filed before it takes effect, its addresses the unit's own assignments |
//! | [`fault`] | fault tickets (故障报告) and Art.13's response and repair clocks, derived from each ticket's history |
//! | [`interruption`] | maintenance interruptions (维护作业中断, Art.24): approved at their own level, reported to the region |
//! | [`evaluation`] | Art.27's annual evaluation of providers and O&M units: figures from the year's fault tickets, hand assessments |
//! | [`approval`] | approvals of major construction or adjustment (Art.21): level by level to the region |
//! | [`inspection`] | supervision inspections and the rectifications they order (监督检查、限期整改, Art.28) |
//! | [`order`] | disconnection and rectification orders (中断连接、限期整改, Art.25(4)) and their written documents |
//! | [`incident`] | security incidents (网络安全事件, Art.26(1)): the five departments told, the decision to report up |
//! | [`private_network`] | the register of non-classified private networks (非涉密业务专网, Art.5, Art.9, Art.10) and their migration into the extranet |
//! | [`circular`] | circulars (通报, Art.28, Art.29) to a subtree and their written documents |
//! | [`access`] | access applications (接入申请): the form, states and actions, Art.16 deadlines |
//! | [`unit`](mod@unit) | access units and their Art.11 people, kept current with their history |
//! | [`routing`] | Art.15: which level decides an application |
//! | [`notice`] | the written notice of a rejection (书面告知) |
//! | [`ledger`] | the withdrawal ledger (Art.17) and its address-reclaim request |
//! | [`report`] | the annual report of filings |
//! | [`ids`] | the ids records carry: numbered at the node that made them, or checked text |
//! | [`ipam`] | address pools: delegations, assignments, reservations, requests for space, units' requests for a system's addresses |
//! | [`calendar`] | working days over the published holiday calendar, and the calendar document |
//! | [`topology`] | the divisions of the region and who is whose parent |
//! | [`choice`] | the closed sets people pick from, each named once (value, variant, Chinese name) |
//! | [`limits`] | the sizes and counts every request and record is held to |
//! | [`error`] | [`DomainError`] |
//! | `testing` | sample records for tests (feature `testing`) |

pub mod access;
pub mod approval;
pub mod asset;
pub mod calendar;
pub mod choice;
pub mod circular;
pub mod cutover_notice;
pub mod error;
pub mod evaluation;
pub mod fault;
pub mod filing;
pub mod ids;
pub mod incident;
pub mod inspection;
pub mod interruption;
pub mod ipam;
pub mod launch;
pub mod ledger;
pub mod limits;
pub mod notice;
pub mod order;
pub mod private_network;
pub mod report;
pub mod routing;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod topology;
pub mod unit;

pub use choice::Choice;
pub use error::{DomainError, Result};

pub use access::{
    Action, AppState, Application, ApplicationForm, ApplicationId, ApplicationKind, Deadline, DeadlineSummary,
    Deadlines, Transition,
};
pub use circular::{Circular, CircularId, CircularKind, NamedUnit};
pub use fault::{ClockKind, FaultAction, FaultClass, FaultId, FaultState, FaultTicket, Policy};
pub use filing::{Cutover, Filing, FilingDetails, FilingId, Launch, Receipt, SystemChange};
pub use incident::{Department, Incident, IncidentAction, IncidentId, UpDecision};
pub use interruption::{Affects, Interruption, InterruptionAction, InterruptionId, InterruptionState};
pub use ledger::{AddressReclaim, ChecklistItem, WithdrawalEntry};
pub use notice::WrittenNotice;
pub use order::{Order, OrderAction, OrderId, OrderState};
pub use private_network::{MigrationStatus, PrivateNetwork, PrivateNetworkAction, PrivateNetworkId};
pub use report::AnnualReport;
pub use routing::{AccessSpan, Art15Case, RoutingDecision, RoutingInput};
pub use unit::{AccessUnit, Contact, UnitCategory, UnitChange, UnitField, UnitId, UnitStatus, UnitUpdate};
