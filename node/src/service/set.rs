//! The node's operator services built once and shared: the gRPC server
//! serves them, and the web console calls the very same instances in
//! process, so a rule, a check or a message exists in one place only.

use std::sync::Arc;

use super::{
    AccessService, ApprovalsService, AssetsService, CalendarService, CircularsService, EvaluationsService,
    FaultsService, FilingsService, IncidentsService, InspectionsService, InterruptionsService, OrdersService,
    OversightService, PkiService, PrivateNetworksService, StatusService, UnitsService, ipam::IpamService,
};

/// Every operator service of one node.
#[derive(Clone)]
pub struct Services {
    /// `extranet.v1.Filings`.
    pub filings: Arc<FilingsService>,
    /// `extranet.v1.Faults`.
    pub faults: Arc<FaultsService>,
    /// `extranet.v1.Approvals`.
    pub approvals: Arc<ApprovalsService>,
    /// `extranet.v1.Evaluations`.
    pub evaluations: Arc<EvaluationsService>,
    /// `extranet.v1.Interruptions`.
    pub interruptions: Arc<InterruptionsService>,
    /// `extranet.v1.Inspections`.
    pub inspections: Arc<InspectionsService>,
    /// `extranet.v1.Orders`.
    pub orders: Arc<OrdersService>,
    /// `extranet.v1.Incidents`.
    pub incidents: Arc<IncidentsService>,
    /// `extranet.v1.Circulars`.
    pub circulars: Arc<CircularsService>,
    /// `extranet.v1.PrivateNetworks`.
    pub private_networks: Arc<PrivateNetworksService>,
    /// `extranet.v1.Access`.
    pub access: Arc<AccessService>,
    /// `extranet.v1.Assets`.
    pub assets: Arc<AssetsService>,
    /// `extranet.v1.Ipam`.
    pub ipam: Arc<IpamService>,
    /// `extranet.v1.Calendar`.
    pub calendar: Arc<CalendarService>,
    /// `extranet.v1.Units`.
    pub units: Arc<UnitsService>,
    /// `extranet.v1.NodeStatus`.
    pub status: Arc<StatusService>,
    /// `extranet.v1.Oversight`.
    pub oversight: Arc<OversightService>,
    /// `extranet.v1.Pki`.
    pub pki: Arc<PkiService>,
}
