//! The domain: records this node owns or replicates, and the rules of the
//! regulation that govern them. Knows nothing of sled or gRPC.

pub mod access;
pub mod choice;
pub mod filing;
pub mod ipam;
pub mod ledger;
pub mod limits;
pub mod notice;
pub mod report;
pub mod routing;
pub mod unit;

pub use access::{
    Action, AppState, Application, ApplicationForm, ApplicationId, ApplicationKind, Deadline, DeadlineSummary,
    Deadlines, Transition,
};
pub use choice::Choice;
pub use filing::{Cutover, Filing, FilingDetails, FilingId, Launch, Receipt};
pub use ledger::{AddressReclaim, ChecklistItem, LedgerEntry};
pub use notice::WrittenNotice;
pub use report::AnnualReport;
pub use routing::{AccessSpan, Art15Case, RoutingDecision, RoutingInput};
pub use unit::{AccessUnit, Contact, UnitCategory, UnitId, UnitStatus};
