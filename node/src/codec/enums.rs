//! Wire ↔ domain for the enums both sides name: one table per enum, from
//! which both directions are generated. A domain variant missing from its
//! table does not compile; a wire value with no domain variant (UNSPECIFIED,
//! or one a newer peer added) reads as `None`, and the caller says in Chinese
//! which field was wrong.

use extranet_proto::v1 as pb;

use crate::calendar::DayKind;
use crate::domain::access::ResourceSubject;
use crate::domain::circular::CircularKind;
use crate::domain::incident::{Channel, Department, StepKind as IncidentStepKind, UpDecision};
use crate::domain::inspection::{RectificationState, RectificationStepKind};
use crate::domain::ipam::Purpose;
use crate::domain::order::StepKind;
use crate::domain::private_network::{MigrationStatus, StepKind as PrivateNetworkStepKind};
use crate::domain::{
    AccessSpan, Affects, AppState, ApplicationKind, ClockKind, FaultClass, FaultState, InterruptionState, OrderState,
    UnitCategory, UnitField, UnitStatus,
};

/// A domain enum with a twin in `extranet.v1`.
pub trait WireEnum: Sized + Copy {
    /// The generated protobuf enum.
    type Pb: Copy + Into<i32>;

    /// The wire variant of `self`.
    fn to_pb(self) -> Self::Pb;

    /// The domain variant of a wire value, if it names one.
    fn from_pb(v: i32) -> Option<Self>;
}

/// Implements [`WireEnum`] from one table `Domain => PbEnum { Variant <=> PbVariant, … }`.
macro_rules! wire_enum {
    ($domain:ty => $pb:ident { $($d:ident <=> $p:ident),+ $(,)? }) => {
        impl WireEnum for $domain {
            type Pb = pb::$pb;

            fn to_pb(self) -> pb::$pb {
                match self {
                    $(Self::$d => pb::$pb::$p),+
                }
            }

            fn from_pb(v: i32) -> Option<Self> {
                match pb::$pb::try_from(v) {
                    $(Ok(pb::$pb::$p) => Some(Self::$d),)+
                    _ => None,
                }
            }
        }
    };
}

wire_enum!(UnitCategory => UnitCategory {
    PartyGovernment <=> PartyGovernment,
    PublicInstitution <=> PublicInstitution,
    PeoplesOrganisation <=> PeoplesOrganisation,
    CentralInTibet <=> CentralInTibet,
    OfficeOutsideRegion <=> OfficeOutsideRegion,
    AuthorisedByLaw <=> AuthorisedByLaw,
    Other <=> Other,
});

wire_enum!(UnitStatus => UnitStatus {
    Applying <=> Applying,
    Connected <=> Connected,
    Suspended <=> Suspended,
    Withdrawn <=> Withdrawn,
});

wire_enum!(AccessSpan => AccessSpan {
    Local <=> Local,
    PrefectureAndBelow <=> PrefectureAndBelow,
    RegionAndBelow <=> RegionAndBelow,
});

wire_enum!(ApplicationKind => ApplicationKind {
    New <=> New,
    Change <=> Change,
    Withdrawal <=> Withdrawal,
    ResourceChange <=> ResourceChange,
});

wire_enum!(AppState => ApplicationState {
    Submitted <=> Submitted,
    UnderReview <=> UnderReview,
    Approved <=> Approved,
    Implementing <=> Implementing,
    Connected <=> Connected,
    Withdrawn <=> Withdrawn,
    Rejected <=> Rejected,
});

wire_enum!(ResourceSubject => ResourceSubject {
    NetworkResources <=> NetworkResources,
    Equipment <=> Equipment,
});

wire_enum!(Purpose => Purpose {
    AccessUnit <=> AccessUnit,
    InformationSystem <=> InformationSystem,
    Infrastructure <=> Infrastructure,
});

wire_enum!(DayKind => DayKind {
    Off <=> Off,
    Work <=> Work,
});

wire_enum!(Department => IncidentDepartment {
    Cyberspace <=> Cyberspace,
    Secrecy <=> Secrecy,
    StateSecurity <=> StateSecurity,
    PublicSecurity <=> PublicSecurity,
    Industry <=> Industry,
});

wire_enum!(Channel => IncidentChannel {
    Phone <=> Phone,
    Written <=> Written,
    System <=> System,
    InPerson <=> InPerson,
    Other <=> Other,
});

wire_enum!(UpDecision => IncidentDecision { Undecided <=> Undecided, Kept <=> Kept, ReportedUp <=> ReportedUp });

wire_enum!(IncidentStepKind => IncidentStepKind {
    Reported <=> Reported,
    Department <=> Department,
    Kept <=> Kept,
    ReportedUp <=> ReportedUp,
    Closed <=> Closed,
});

wire_enum!(CircularKind => CircularKind {
    SecurityEvent <=> SecurityEvent,
    DutyFailure <=> DutyFailure,
    ObstructedInspection <=> ObstructedInspection,
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Choice;

    /// Every domain variant goes to the wire and back unchanged, and every
    /// wire value the build knows, except UNSPECIFIED (0), reads as a
    /// domain variant that goes back to the same value.
    fn round_trips<T>(all: &[T])
    where
        T: WireEnum + PartialEq + std::fmt::Debug,
        T::Pb: TryFrom<i32> + std::fmt::Debug,
    {
        for &d in all {
            assert_eq!(T::from_pb(d.to_pb().into()), Some(d), "{d:?} → wire → domain");
            // Every table pairs same-named variants, so a swapped pair shows.
            assert_eq!(format!("{:?}", d.to_pb()), format!("{d:?}"), "{d:?} is paired with another wire variant");
        }
        let known = (-1..64).filter(|v| T::Pb::try_from(*v).is_ok());
        let mut named = 0;
        for v in known {
            match T::from_pb(v) {
                Some(d) => {
                    assert_eq!(d.to_pb().into(), v, "wire {v} → {d:?} → wire");
                    named += 1;
                }
                None => assert_eq!(v, 0, "wire value {v} has no domain variant (only UNSPECIFIED = 0 may lack one)"),
            }
        }
        assert_eq!(named, all.len(), "every domain variant has its own wire value");
    }

    fn variants<T: Choice>() -> Vec<T> {
        T::CHOICES.iter().map(|(_, x)| *x).collect()
    }

    #[test]
    fn every_enum_round_trips_between_wire_and_domain() {
        round_trips(&variants::<UnitCategory>());
        round_trips(&variants::<UnitStatus>());
        round_trips(&variants::<AccessSpan>());
        round_trips(&variants::<ApplicationKind>());
        round_trips(&variants::<AppState>());
        round_trips(&variants::<ResourceSubject>());
        round_trips(&variants::<Purpose>());
        round_trips(&[DayKind::Off, DayKind::Work]);
        round_trips(&variants::<Department>());
        round_trips(&variants::<Channel>());
        round_trips(&variants::<UpDecision>());
        round_trips(&variants::<CircularKind>());
    }

    #[test]
    fn unspecified_and_unknown_wire_values_read_as_none() {
        assert_eq!(UnitCategory::from_pb(pb::UnitCategory::Unspecified as i32), None);
        assert_eq!(AppState::from_pb(99), None);
        assert_eq!(AccessSpan::from_pb(pb::AccessSpan::Local as i32), Some(AccessSpan::Local));
    }
}

wire_enum!(FaultClass => FaultClass {
    Backbone <=> Backbone,
    Urban <=> Urban,
    RemoteTownship <=> RemoteTownship,
});

wire_enum!(FaultState => FaultState {
    Reported <=> Reported,
    Acknowledged <=> Acknowledged,
    Repairing <=> Repairing,
    Repaired <=> Repaired,
    Closed <=> Closed,
});

wire_enum!(ClockKind => FaultClock {
    Response <=> Response,
    Repair <=> Repair,
});

wire_enum!(Affects => InterruptionAffects { Network <=> Network, System <=> System });

wire_enum!(InterruptionState => InterruptionState {
    Requested <=> Requested,
    Approved <=> Approved,
    Rejected <=> Rejected,
    Withdrawn <=> Withdrawn,
    UnderWay <=> UnderWay,
    Finished <=> Finished,
});

wire_enum!(OrderState => OrderState { Standing <=> Standing, Rectified <=> Rectified, Lifted <=> Lifted });

wire_enum!(StepKind => OrderStepKind {
    Issued <=> Issued,
    Rectified <=> Rectified,
    Extended <=> Extended,
    Lifted <=> Lifted,
});

wire_enum!(RectificationState => RectificationState { Open <=> Open, Responded <=> Responded, Closed <=> Closed });

wire_enum!(RectificationStepKind => RectificationStepKind {
    Responded <=> Responded,
    Accepted <=> Accepted,
    Returned <=> Returned,
});

wire_enum!(UnitField => UnitField {
    ResponsibleLeader <=> ResponsibleLeader,
    ResponsibleDepartment <=> ResponsibleDepartment,
    ResponsiblePerson <=> ResponsiblePerson,
    Status <=> Status,
});

wire_enum!(MigrationStatus => MigrationStatus { Unplanned <=> Unplanned, Planned <=> Planned, Migrated <=> Migrated });

wire_enum!(PrivateNetworkStepKind => PrivateNetworkStepKind {
    Registered <=> Registered,
    Planned <=> Planned,
    Migrated <=> Migrated,
    FeesStopped <=> FeesStopped,
});
